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

#include "daemon/cachemount.h"
#include "daemon/config.h"
#include "fs/fs.h"
#include "fs/loop.h"
#include "base/log.h"
#include "daemon/manager.h"
#include "daemon/mountpoint.h"
#include "daemon/plan.h"
#include "daemon/stop.h"
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
	bool probe;
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
		"      --probe               with --check-config: also read each present\n"
		"                            device and report what its bytes and chip\n"
		"                            suggest (U-Boot env size, ONIE header, AT24\n"
		"                            address width)\n"
		"  -V, --version             print the version and exit\n"
		"  -h, --help                print this help and exit\n",
		CONFIG_DEFAULT_PATH);
}

enum { OPT_UEVENT = 256, OPT_CHECK, OPT_PROBE };

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "uevent-source", required_argument, NULL, OPT_UEVENT },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "probe", no_argument, NULL, OPT_PROBE },
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
		case OPT_PROBE:
			o->probe = true;
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
	if (o->probe && !o->check_config) {
		fprintf(stderr, "nvmemfs: --probe goes with --check-config\n");
		return -EINVAL;
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
 * SIGUSR2 asks for a re-scan (manager_rescan). stop.c owns SIGHUP, SIGINT
 * and SIGTERM, and liburcu's worker threads leave SIGUSR1 (its SIGRCU)
 * unblocked. SIGUSR2 is blocked in every thread and taken here with
 * sigwait(), so the re-scan runs in a normal thread, not a handler.
 */
struct rescanner {
	pthread_t thread;
	bool started;
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

/* The configuration named, or with none named and none at the default
 * path the built-in defaults (the kernel's devices only). */
static int load_config(const struct options *o, struct config **cfg)
{
	if (!o->config_given && access(o->config, F_OK) < 0 && errno == ENOENT) {
		*cfg = config_new_default();
		return *cfg ? 0 : -ENOMEM;
	}
	if (config_load(o->config, cfg) < 0) {
		log_err("%s: configuration not loaded, not starting", o->config);
		return -EINVAL;
	}
	return 0;
}

/* Serve until unmounted or stopped; the loop's status. */
static int serve(struct fuse_session *se, bool single_thread)
{
	if (single_thread)
		return fuse_session_loop(se);
	return fs_loop_run(se, FS_LOOP_MAX_THREADS);
}

/* Devices registered, uevents followed, SIGUSR2 and stop signals heard:
 * everything after the mount that must run before the loop. */
static int start_serving(const struct options *o, const struct config *cfg,
			 struct fs *fs, struct fuse_session *se, long mount_id,
			 struct manager **mgr, struct uevent_monitor **mon,
			 struct rescanner *rescan)
{
	struct uevent_ops ops = { .event = on_uevent, .resync = on_resync };
	int ret;

	fs_attach(fs, se);
	ret = manager_new(cfg, mgr);
	if (ret < 0)
		return ret;
	ret = manager_start(*mgr);
	if (ret < 0) {
		log_err("%s: not starting half-configured", o->config);
		return ret;
	}
	ops.data = *mgr;
	ret = uevent_monitor_start(o->source, manager_subsystems(*mgr), &ops,
				   mon);
	if (ret < 0) {
		log_err("cannot monitor udev events: %s", strerror(-ret));
		return ret;
	}
	uevent_monitor_wait_ready(*mon);
	rescan->mgr = *mgr;
	rescan->started = !pthread_create(&rescan->thread, NULL, rescan_thread,
					  rescan);
	ret = stop_start(fs, mount_id);
	if (ret < 0)
		log_err("cannot start the stop thread: %s", strerror(-ret));
	return ret;
}

static void stop_rescanner(struct rescanner *rescan)
{
	if (!rescan->started)
		return;
	atomic_store(&rescan->stop, true);
	pthread_kill(rescan->thread, SIGUSR2);
	pthread_join(rescan->thread, NULL);
}

int main(int argc, char **argv)
{
	struct options o = { .fuse_args = FUSE_ARGS_INIT(0, NULL) };
	struct rescanner rescan = { .stop = false };
	struct uevent_monitor *mon = NULL;
	struct fuse_session *se = NULL;
	struct manager *mgr = NULL;
	struct config *cfg = NULL;
	struct fs *fs = NULL;
	int ret, status = 1;
	long mount_id;
	sigset_t usr2;

	if (parse_options(argc, argv, &o) < 0 || load_config(&o, &cfg) < 0)
		goto out_args;
	if (o.check_config) {
		status = plan_print(cfg, stdout, o.probe) < 0 ? 1 : 0;
		goto out_cfg;
	}

	if (mountpoint_prepare(o.mountpoint) < 0)
		goto out_cfg;
	fs = fs_new();
	if (!fs)
		goto out_cfg;
	fs_set_cache_all(fs, cachemount_qualifies(&o.fuse_args, cfg));
	fs_set_single_thread(fs, o.single_thread);
	se = fuse_session_new(&o.fuse_args, &fs_ops, sizeof(fs_ops), fs);
	if (!se)
		goto out_fs;
	if (stop_install(se) < 0)
		goto out_signals;
	if (fuse_session_mount(se, o.mountpoint) < 0)
		goto out_signals;
	/* Before the fork, which leaves a relative path behind. */
	mount_id = mountpoint_id(o.mountpoint);
	if (!o.foreground && daemon_start() < 0) {
		log_err("cannot go to the background: %s", strerror(errno));
		goto out_unmount;
	}

	/* Before any thread exists, so that all of them inherit it. */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL);

	if (nvmem_core_init() < 0)
		goto out_unmount;
	if (start_serving(&o, cfg, fs, se, mount_id, &mgr, &mon, &rescan) < 0)
		goto out_stop;

	/* Parsing a large configuration and enumerating udev leave freed
	 * heap behind that glibc keeps; a board with little RAM wants it
	 * back before the daemon settles into idling. */
	malloc_trim(0);
	log_info("serving at %s", o.mountpoint);
	notify_ready();
	daemon_report(0);

	ret = serve(se, o.single_thread);
	status = ret < 0 ? 1 : 0;
	log_info("stopping");

out_stop:
	/* A stop signal's unregistrations end before anything else goes. */
	stop_remove();
	/* No worker answers requests any more: a notification now could
	 * wait forever on a lookup or a page read that the kernel holds
	 * for us. The unmount below drops the kernel's caches anyway. */
	fs_detach(fs);
	stop_rescanner(&rescan);
	uevent_monitor_stop(mon);
	manager_free(mgr);
	nvmem_core_exit();
out_unmount:
	fuse_session_unmount(se);
out_signals:
	stop_remove();
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
