// SPDX-License-Identifier: MIT
/*
 * The FUSE request loop (loop.h).
 *
 * libfuse's multi-threaded loop keeps every idle worker blocked in read()
 * on /dev/fuse. The kernel hands a request to the longest waiting one,
 * which first makes sure another one waits: each request, down to the
 * RELEASE that close() queues without waiting, costs a wake-up on the
 * other CPU. Here one thread reads, serves the request inline and reads
 * again, finding a request queued meanwhile with no wake-up at all.
 *
 * One request that takes long (a slow bus, a lock another process holds)
 * would then hold up all the others. The thread that called fs_loop_run()
 * supervises without knowing which requests are slow: while requests
 * arrive it looks every FS_LOOP_TICK_NS, and when the reading thread has
 * been busy with one request for a whole tick, it releases a parked
 * thread, or starts one, to read in its place. After FS_LOOP_IDLE_TICKS
 * without a request it sleeps until the next request wakes it: an idle
 * daemon has no periodic wake-ups. A thread that finishes its request
 * while another one reads parks rather than joining the readers.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "fs/loop.h"

#define FS_LOOP_TICK_NS		1000000L
#define FS_LOOP_IDLE_TICKS	100

/*
 * One run of the loop, on the supervisor's stack.
 *
 * @reader is the token "a thread reads /dev/fuse, or is about to": at
 * most one thread reads. The reader gives it back (true -> false) when it
 * receives a request; a thread that finished its request takes it
 * (false -> true) and reads, or, finding it taken, parks. The supervisor
 * takes it for a thread it releases or starts. Compare-and-swap only.
 *
 * @requests counts the requests received, for the supervisor to compare
 * across ticks. @served counts those answered: a worker adds to it after
 * each request and reads it after each receive, which orders what one
 * worker did for a request (a handle it made) before what another does
 * for the next request on it, as the kernel orders them, in a way
 * ThreadSanitizer sees (libfuse's loop got that from its lock). @asleep says the supervisor is in, or going into, its
 * untimed sleep: the reader that clears it writes @efd. Both are
 * sequentially consistent, so that either the reader sees @asleep or the
 * supervisor sees the new count before it sleeps.
 *
 * @lock guards the rest. @threads[0..@nthreads) only grow, by the
 * supervisor, and are cancelled and joined by it once @exiting is set.
 * A parked thread waits on @unpark until the supervisor moves it from
 * @parked to @released, or until @exiting. @error: the first failure to
 * read /dev/fuse.
 */
struct fs_loop {
	struct fuse_session *se;
	int efd;
	atomic_bool reader;
	atomic_bool asleep;
	atomic_ulong requests;
	atomic_ulong served;

	pthread_mutex_t lock;
	pthread_cond_t unpark;
	unsigned int max_threads;
	unsigned int nthreads;
	unsigned int parked;
	unsigned int released;
	bool exiting;
	int error;
	pthread_t threads[FS_LOOP_MAX_THREADS];
};

static void fs_loop_wake(struct fs_loop *l)
{
	uint64_t one = 1;

	/* Cannot fail short of a counter at its maximum. */
	(void)!write(l->efd, &one, sizeof(one));
}

/* Wait until the supervisor hands this thread the reading: true; or
 * until the loop ends: false. */
static bool fs_loop_park(struct fs_loop *l)
{
	bool go;

	pthread_mutex_lock(&l->lock);
	l->parked++;
	while (!l->released && !l->exiting)
		pthread_cond_wait(&l->unpark, &l->lock);
	if (l->released)
		l->released--;
	else
		l->parked--;
	go = !l->exiting;
	pthread_mutex_unlock(&l->lock);
	return go;
}

static void fs_loop_free_buf(void *arg)
{
	struct fuse_buf *buf = arg;

	free(buf->mem);
}

/* Read and serve until the loop ends; the last result of the read. */
static int fs_loop_serve(struct fs_loop *l, struct fuse_buf *buf)
{
	bool expected;
	int res = 0;

	while (!fuse_session_exited(l->se)) {
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		res = fuse_session_receive_buf(l->se, buf);
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		if (res == -EINTR)
			continue;
		if (res <= 0)	/* 0: unmounted, libfuse ended the session */
			break;
		atomic_store(&l->reader, false);
		atomic_fetch_add(&l->requests, 1);
		(void)atomic_load(&l->served);
		if (atomic_load(&l->asleep) && atomic_exchange(&l->asleep, false))
			fs_loop_wake(l);
		fuse_session_process_buf(l->se, buf);
		atomic_fetch_add(&l->served, 1);
		expected = false;
		if (!atomic_compare_exchange_strong(&l->reader, &expected, true) &&
		    !fs_loop_park(l))
			break;
	}
	return res;
}

/*
 * A worker: starts as the reader. Cancellation is enabled only while it
 * waits for a request, where the supervisor's pthread_cancel() ends it at
 * exit; a request being served is always served to its end.
 */
static void *fs_loop_worker(void *arg)
{
	struct fs_loop *l = arg;
	struct fuse_buf buf = { .mem = NULL };
	int res;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_cleanup_push(fs_loop_free_buf, &buf);
	res = fs_loop_serve(l, &buf);
	pthread_cleanup_pop(1);
	if (res < 0) {
		pthread_mutex_lock(&l->lock);
		if (!l->error)
			l->error = res;
		pthread_mutex_unlock(&l->lock);
		fuse_session_exit(l->se);
	}
	/* The supervisor may be in its untimed sleep. */
	fs_loop_wake(l);
	return NULL;
}

/* Under @lock. The thread inherits the supervisor's blocked signals. */
static int fs_loop_start(struct fs_loop *l)
{
	int ret;

	if (l->nthreads >= l->max_threads)
		return -EAGAIN;
	ret = -pthread_create(&l->threads[l->nthreads], NULL, fs_loop_worker, l);
	if (!ret)
		l->nthreads++;
	return ret;
}

/* The reader is stuck in a request: another thread reads instead. */
static void fs_loop_add_reader(struct fs_loop *l)
{
	static atomic_bool warned;
	bool expected = false;
	int ret;

	pthread_mutex_lock(&l->lock);
	if (!l->parked && l->nthreads >= l->max_threads)
		goto out;	/* the first to finish reads */
	if (!atomic_compare_exchange_strong(&l->reader, &expected, true))
		goto out;	/* it just finished */
	if (l->parked) {
		l->parked--;
		l->released++;
		pthread_cond_signal(&l->unpark);
		goto out;
	}
	ret = fs_loop_start(l);
	if (ret < 0) {
		/* Tried again on the next tick. */
		atomic_store(&l->reader, false);
		if (!atomic_exchange(&warned, true))
			log_warn("cannot start a FUSE worker: %s", strerror(-ret));
	}
out:
	pthread_mutex_unlock(&l->lock);
}

/*
 * Tick while requests arrive, sleep untimed when none has for
 * FS_LOOP_IDLE_TICKS, until the session ends. The stop signals are
 * blocked here except inside ppoll(), so that one that comes between the
 * check of the session and the sleep interrupts the sleep.
 */
static void fs_loop_supervise(struct fs_loop *l, const sigset_t *waitmask)
{
	const struct timespec tick = { .tv_nsec = FS_LOOP_TICK_NS };
	struct pollfd pfd = { .fd = l->efd, .events = POLLIN };
	unsigned long seen = atomic_load(&l->requests), now;
	unsigned int idle = 0;
	uint64_t count;
	bool untimed;

	while (!fuse_session_exited(l->se)) {
		untimed = idle >= FS_LOOP_IDLE_TICKS;
		if (untimed) {
			atomic_store(&l->asleep, true);
			if (atomic_load(&l->requests) != seen)
				untimed = false;
		}
		if (ppoll(&pfd, 1, untimed ? NULL : &tick, waitmask) > 0)
			(void)!read(l->efd, &count, sizeof(count));
		atomic_store(&l->asleep, false);
		now = atomic_load(&l->requests);
		if (now != seen) {
			seen = now;
			idle = 0;
			continue;
		}
		if (idle < FS_LOOP_IDLE_TICKS)
			idle++;
		/* The count has not moved for a tick: the thread that took
		 * the last request has been at it for at least that long. */
		if (!atomic_load(&l->reader))
			fs_loop_add_reader(l);
	}
}

/* Every thread ends: parked ones woken, the reader cancelled in its
 * read(), busy ones after their request. */
static void fs_loop_stop(struct fs_loop *l)
{
	unsigned int i;

	pthread_mutex_lock(&l->lock);
	l->exiting = true;
	pthread_cond_broadcast(&l->unpark);
	pthread_mutex_unlock(&l->lock);
	/* @nthreads changes only on this thread. */
	for (i = 0; i < l->nthreads; i++)
		pthread_cancel(l->threads[i]);
	for (i = 0; i < l->nthreads; i++)
		pthread_join(l->threads[i], NULL);
}

int fs_loop_run(struct fuse_session *se, unsigned int max_threads)
{
	struct fs_loop l = {
		.se = se,
		.reader = true,		/* the first worker's */
		.max_threads = max_threads,
	};
	sigset_t stop, waitmask;
	int ret;

	if (!max_threads || max_threads > FS_LOOP_MAX_THREADS)
		return -EINVAL;
	l.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l.efd < 0)
		return -errno;
	pthread_mutex_init(&l.lock, NULL);
	pthread_cond_init(&l.unpark, NULL);
	/* Workers inherit the mask: the stop signals reach this thread. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, &waitmask);

	pthread_mutex_lock(&l.lock);
	ret = fs_loop_start(&l);
	pthread_mutex_unlock(&l.lock);
	if (ret < 0) {
		log_err("cannot start a FUSE worker: %s", strerror(-ret));
		goto out;
	}
	fs_loop_supervise(&l, &waitmask);
	fs_loop_stop(&l);
	ret = l.error;
	/* As libfuse's loops leave it. */
	fuse_session_reset(se);
out:
	pthread_sigmask(SIG_SETMASK, &waitmask, NULL);
	pthread_cond_destroy(&l.unpark);
	pthread_mutex_destroy(&l.lock);
	close(l.efd);
	return ret;
}
