// SPDX-License-Identifier: MIT
/*
 * Stopping on a signal (stop.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

#include "base/log.h"
#include "core/nvmem.h"
#include "daemon/mountpoint.h"
#include "daemon/stop.h"
#include "fs/fs.h"

static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP };

/* Set before the handlers are installed, read by them and the thread. */
static struct fuse_session *stop_se;
static int stop_efd = -1;
static atomic_int stop_sig;	/* the signal that came, 0: none */
static atomic_bool stop_quit;	/* stop_remove(): the thread returns */
static pthread_t stop_thread;
static bool stop_started;
static struct fs *stop_fs;
static pthread_t stop_loop_thread;	/* the one that runs the loop */
static long stop_mount_id = -1;		/* ours, -1: not watched */
static atomic_bool stop_on_loop;	/* a handler ran on the loop's thread */

/* Async-signal-safe: a flag for the loop, a counter for the thread. */
static void stop_handler(int sig)
{
	uint64_t one = 1;
	int saved = errno;

	atomic_store(&stop_sig, sig);
	fuse_session_exit(stop_se);
	if (pthread_equal(pthread_self(), stop_loop_thread))
		atomic_store(&stop_on_loop, true);
	/* Cannot fail short of a counter at its maximum. */
	(void)!write(stop_efd, &one, sizeof(one));
	errno = saved;
}

/* Wait for a stop signal, or for the mount to leave the mount table
 * (poll() on mountinfo reports every change of it). */
static void stop_wait(void)
{
	struct pollfd pfd[2] = {
		{ .fd = stop_efd, .events = POLLIN },
		{ .fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC),
		  .events = POLLPRI },
	};
	bool gone = false;

	for (;;) {
		if (poll(pfd, pfd[1].fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents)
			break;
		if (!gone && stop_mount_id >= 0 &&
		    (pfd[1].revents & (POLLPRI | POLLERR)) &&
		    !mountpoint_present(stop_mount_id) && fs_busy(stop_fs)) {
			/* Unmounted under open files: they would be served
			 * to their end. Stop as for SIGTERM, and wake the
			 * loop, whose thread sleeps until signalled. (With
			 * none open the session ends by itself.) */
			gone = true;
			log_info("the mount was taken out of the tree; stopping");
			pthread_kill(stop_loop_thread, SIGTERM);
		}
	}
	if (pfd[1].fd >= 0)
		close(pfd[1].fd);
}

static void *stop_main(void *arg)
{
	uint64_t n;

	stop_wait();
	while (read(stop_efd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	if (atomic_load(&stop_quit))
		return NULL;
	log_info("%s: stopping; cutting device I/O in flight",
		 strsignal(atomic_load(&stop_sig)));
	/* The loop notices a stop on its own thread (fs_loop_run() lets
	 * the signals in only while it sleeps); a signal the kernel gave
	 * another thread is sent on to it. */
	if (!atomic_load(&stop_on_loop))
		pthread_kill(stop_loop_thread, SIGTERM);
	/* No notification may wait for a worker that is leaving the loop:
	 * the unmount drops the kernel's caches anyway. */
	fs_detach(stop_fs);
	nvmem_core_stop();
	return NULL;
}

int stop_install(struct fuse_session *se)
{
	struct sigaction sa = { .sa_handler = stop_handler };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	size_t i;

	stop_se = se;
	stop_efd = eventfd(0, EFD_CLOEXEC);
	if (stop_efd < 0)
		return -errno;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (sigaction(stop_signals[i], &sa, NULL) < 0)
			return -errno;
	/* A reader gone before its reply: the write to /dev/fuse fails,
	 * it must not kill the daemon. */
	return sigaction(SIGPIPE, &ign, NULL) < 0 ? -errno : 0;
}

int stop_start(struct fs *fs, long mount_id)
{
	int ret;

	stop_fs = fs;
	stop_mount_id = mount_id;
	/* Called on the thread that will run the loop, after the fork. */
	stop_loop_thread = pthread_self();
	ret = -pthread_create(&stop_thread, NULL, stop_main, NULL);
	stop_started = !ret;
	return ret;
}

void stop_remove(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	uint64_t one = 1;
	size_t i;

	/* The thread first: it may still signal the loop's thread, which
	 * the default action would kill. */
	if (stop_started) {
		atomic_store(&stop_quit, !atomic_load(&stop_sig));
		if (write(stop_efd, &one, sizeof(one)) < 0)
			log_warn("cannot wake the stop thread");
		pthread_join(stop_thread, NULL);
		stop_started = false;
	}
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaction(stop_signals[i], &dfl, NULL);
	if (stop_efd >= 0)
		close(stop_efd);
	stop_efd = -1;
}
