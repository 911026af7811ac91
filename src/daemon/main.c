// SPDX-License-Identifier: MIT
/*
 * nvmemfs: serve non-volatile memory devices and their cells as files.
 *
 * Start-up order matters: everything that can fail because of the
 * configuration is checked before the mount, the fork happens before any
 * thread exists (liburcu and the uevent monitor start threads), and
 * READY=1 is sent only once the mount is live and the devices present at
 * start are registered.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

#include "daemon/config.h"
#include "fs/fs.h"
#include "base/log.h"
#include "daemon/manager.h"
#include "daemon/mountpoint.h"
#include "daemon/plan.h"
#include "core/nvmem.h"
#include "daemon/uevent.h"

struct options {
	const char *config;
	bool config_given;
	const char *mountpoint;
	bool foreground;
	bool debug;
	bool single_thread;
	bool check_config;
	bool subtype_given;
	enum uevent_source source;
	struct fuse_args fuse_args;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: nvmemfs [OPTIONS] MOUNTPOINT\n"
		"       nvmemfs CONFIG MOUNTPOINT [-o OPTIONS]   (as mount.fuse3 calls it)\n"
		"Serve non-volatile memory devices and their cells as files.\n\n"
		"  -c, --config FILE         configuration (default %s)\n"
		"  -f                        stay in the foreground\n"
		"  -d                        FUSE debug output (implies -f)\n"
		"  -s                        single-threaded FUSE loop\n"
		"  -o OPT[,OPT...]           FUSE mount options (allow_other, ro, ...);\n"
		"                            default_permissions is always on\n"
		"      --uevent-source=SRC   auto | udev | kernel\n"
		"      --check-config        validate the configuration, print what\n"
		"                            would be served, and exit\n"
		"  -V, --version             print the version and exit\n"
		"  -h, --help                print this help and exit\n",
		CONFIG_DEFAULT_PATH);
}

enum { OPT_UEVENT = 256, OPT_CHECK };

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "uevent-source", required_argument, NULL, OPT_UEVENT },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pos[2];
	int npos = 0, c;

	o->config = CONFIG_DEFAULT_PATH;
	o->source = UEVENT_SOURCE_AUTO;
	if (fuse_opt_add_arg(&o->fuse_args, argv[0]))
		return -ENOMEM;

	while ((c = getopt_long(argc, argv, "c:fdso:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			o->config_given = true;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'd':
			o->debug = true;
			o->foreground = true;
			break;
		case 's':
			o->single_thread = true;
			break;
		case 'o':
			if (fuse_opt_add_arg(&o->fuse_args, "-o") ||
			    fuse_opt_add_arg(&o->fuse_args, optarg))
				return -ENOMEM;
			if (strstr(optarg, "subtype=") || strstr(optarg, "fsname="))
				o->subtype_given = true;
			break;
		case OPT_UEVENT:
			if (uevent_source_parse(optarg, &o->source) < 0) {
				fprintf(stderr, "nvmemfs: --uevent-source: '%s' is not auto, udev or kernel\n",
					optarg);
				return -EINVAL;
			}
			break;
		case OPT_CHECK:
			o->check_config = true;
			break;
		case 'V':
			printf("nvmemfs %s\n", NVMEMFS_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	while (optind < argc) {
		if (npos == 2) {
			fprintf(stderr, "nvmemfs: too many arguments\n");
			return -EINVAL;
		}
		pos[npos++] = argv[optind++];
	}
	if (npos == 2) {
		/* mount -t fuse.nvmemfs SOURCE DIR: SOURCE is the configuration
		 * file, or a placeholder meaning the default one. */
		if (strcmp(pos[0], "nvmemfs") && strcmp(pos[0], "none")) {
			o->config = pos[0];
			o->config_given = true;
		}
		o->mountpoint = pos[1];
	} else if (npos == 1) {
		o->mountpoint = pos[0];
	}
	if (!o->mountpoint && !o->check_config) {
		fprintf(stderr, "nvmemfs: no mount point given\n");
		usage(stderr);
		return -EINVAL;
	}
	if (o->debug && fuse_opt_add_arg(&o->fuse_args, "-d"))
		return -ENOMEM;
	/* The kernel checks every access against the modes we show
	 * (perm.h); without it allow_other would let every user write
	 * every EEPROM. Not an option anyone can leave out. */
	if (fuse_opt_add_arg(&o->fuse_args, "-o") ||
	    fuse_opt_add_arg(&o->fuse_args, "default_permissions"))
		return -ENOMEM;
	if (fuse_opt_add_arg(&o->fuse_args, "-o") ||
	    fuse_opt_add_arg(&o->fuse_args, FS_MAX_READ_OPT))
		return -ENOMEM;
	/* Show up as fuse.nvmemfs in /proc/mounts (mount.fuse3 already
	 * passes subtype=, and libfuse refuses it twice). */
	if (!o->subtype_given &&
	    (fuse_opt_add_arg(&o->fuse_args, "-o") ||
	     fuse_opt_add_arg(&o->fuse_args, "subtype=nvmemfs,fsname=nvmemfs")))
		return -ENOMEM;
	return 0;
}

/*
 * The sd_notify protocol (one datagram to $NOTIFY_SOCKET), spoken
 * directly so that the daemon needs no libsystemd.
 */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static const char msg[] = "READY=1";
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, path);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL,
		   (struct sockaddr *)&sa, len) < 0)
		log_warn("cannot notify systemd: %s", strerror(errno));
	close(fd);
}

/*
 * Background mode: fork before any thread exists; the parent waits until
 * the child reports that it is serving (exit 0) or that it failed (exit
 * 1), so `nvmemfs ...; ls MOUNTPOINT` works and a failed start is seen.
 */
static int daemon_pipe = -1;

static int daemon_start(void)
{
	int fds[2];
	pid_t pid;
	char status = 1;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(fds[1]);
		if (read(fds[0], &status, 1) != 1)
			status = 1;
		_exit(status);
	}
	close(fds[0]);
	daemon_pipe = fds[1];
	if (setsid() < 0)
		log_warn("setsid: %s", strerror(errno));
	if (chdir("/") < 0)
		log_warn("chdir /: %s", strerror(errno));
	return 0;
}

static void daemon_report(int status)
{
	char s = status;
	int nullfd;

	if (daemon_pipe < 0)
		return;
	if (write(daemon_pipe, &s, 1) != 1)
		log_warn("cannot report start-up status");
	close(daemon_pipe);
	daemon_pipe = -1;
	/* Like daemon(3): stdin/stdout away, stderr stays for the logs
	 * (journald or a redirect). */
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd >= 0) {
		dup2(nullfd, STDIN_FILENO);
		dup2(nullfd, STDOUT_FILENO);
		close(nullfd);
	}
}

static void on_uevent(const struct uevent_event *ev, void *data)
{
	manager_uevent(data, ev);
}

static void on_resync(void *data)
{
	manager_resync(data);
}

/*
 * SIGUSR2 asks for a re-scan (manager_rescan). libfuse owns SIGHUP, SIGINT
 * and SIGTERM, and liburcu's worker threads leave SIGUSR1 (its SIGRCU)
 * unblocked. SIGUSR2 is blocked in every thread and taken here with
 * sigwait(), so the re-scan runs in a normal thread, not a handler.
 */
struct rescanner {
	pthread_t thread;
	struct manager *mgr;
	atomic_bool stop;
};

static void *rescan_thread(void *arg)
{
	struct rescanner *r = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	while (sigwait(&set, &sig) == 0 && !atomic_load(&r->stop)) {
		log_info("SIGUSR2: re-scanning devices");
		manager_rescan(r->mgr);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct options o = { .fuse_args = FUSE_ARGS_INIT(0, NULL) };
	struct uevent_monitor *mon = NULL;
	struct rescanner rescan = { .stop = false };
	bool rescan_started = false;
	struct uevent_ops ops;
	sigset_t usr1;
	struct fuse_loop_config *loop_cfg = NULL;
	struct fuse_session *se = NULL;
	struct fs *fs = NULL;
	struct manager *mgr = NULL;
	struct config *cfg = NULL;
	int ret, status = 1;

	ret = parse_options(argc, argv, &o);
	if (ret < 0)
		goto out_args;

	if (!o.config_given && access(o.config, F_OK) < 0 && errno == ENOENT) {
		/* No configuration: serve the kernel's devices only. */
		cfg = config_new_default();
		if (!cfg)
			goto out_args;
	} else if (config_load(o.config, &cfg) < 0) {
		log_err("%s: configuration not loaded, not starting", o.config);
		goto out_args;
	}

	if (o.check_config) {
		status = plan_print(cfg, stdout) < 0 ? 1 : 0;
		goto out_cfg;
	}

	if (mountpoint_prepare(o.mountpoint) < 0)
		goto out_cfg;
	fs = fs_new();
	if (!fs)
		goto out_cfg;
	se = fuse_session_new(&o.fuse_args, &fs_ops, sizeof(fs_ops), fs);
	if (!se)
		goto out_fs;
	if (fuse_set_signal_handlers(se) < 0)
		goto out_session;
	if (fuse_session_mount(se, o.mountpoint) < 0)
		goto out_signals;
	if (!o.foreground && daemon_start() < 0) {
		log_err("cannot go to the background: %s", strerror(errno));
		goto out_unmount;
	}

	/* Before any thread exists, so that all of them inherit it. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);

	ret = nvmem_core_init();
	if (ret < 0)
		goto out_unmount;
	fs_attach(fs, se);
	ret = manager_new(cfg, &mgr);
	if (ret < 0)
		goto out_registry;
	ret = manager_start(mgr);
	if (ret < 0) {
		log_err("%s: not starting half-configured", o.config);
		goto out_manager;
	}
	ops.event = on_uevent;
	ops.resync = on_resync;
	ops.data = mgr;
	ret = uevent_monitor_start(o.source, manager_subsystems(mgr), &ops,
				   &mon);
	if (ret < 0) {
		log_err("cannot monitor udev events: %s", strerror(-ret));
		goto out_manager;
	}
	uevent_monitor_wait_ready(mon);
	rescan.mgr = mgr;
	rescan_started = !pthread_create(&rescan.thread, NULL, rescan_thread,
					 &rescan);

	/* Parsing a large configuration and enumerating udev leave freed
	 * heap behind that glibc keeps; a board with little RAM wants it
	 * back before the daemon settles into idling. */
	malloc_trim(0);
	log_info("serving at %s", o.mountpoint);
	notify_ready();
	daemon_report(0);

	if (o.single_thread) {
		ret = fuse_session_loop(se);
	} else {
		loop_cfg = fuse_loop_cfg_create();
		if (!loop_cfg)
			goto out_monitor;
		fuse_loop_cfg_set_clone_fd(loop_cfg, 0);
		fuse_loop_cfg_set_max_threads(loop_cfg, 16);
		ret = fuse_session_loop_mt(se, loop_cfg);
		fuse_loop_cfg_destroy(loop_cfg);
	}
	status = ret < 0 ? 1 : 0;
	log_info("stopping");
	/* No worker answers requests any more: a notification now could
	 * wait forever on a lookup or a page read that the kernel holds
	 * for us. The unmount below drops the kernel's caches anyway. */
	fs_detach(fs);

out_monitor:
	if (rescan_started) {
		atomic_store(&rescan.stop, true);
		pthread_kill(rescan.thread, SIGUSR2);
		pthread_join(rescan.thread, NULL);
	}
	uevent_monitor_stop(mon);
out_manager:
	manager_free(mgr);
out_registry:
	fs_detach(fs);
	nvmem_core_exit();
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_fs:
	fs_free(fs);
out_cfg:
	config_free(cfg);
out_args:
	fuse_opt_free_args(&o.fuse_args);
	daemon_report(status);
	return status;
}
