// SPDX-License-Identifier: MIT
/*
 * Start-up next to an earlier mount at the same place (mountpoint.h).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/mountpoint.h"

#define MOUNTPOINT_TYPE	"fuse.nvmemfs"

/* Undo mountinfo's octal escapes (\040 for a blank) of [@s, @end) into
 * @out; false when it does not fit. */
static bool mountinfo_unescape(const char *s, const char *end, char *out,
			       size_t size)
{
	size_t n = 0;

	while (s < end) {
		char c = *s++;

		if (c == '\\' && end - s >= 3 && s[0] >= '0' && s[0] <= '3' &&
		    s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7') {
			c = (s[0] - '0') << 6 | (s[1] - '0') << 3 | (s[2] - '0');
			s += 3;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

/* The @n-th blank-separated field of [@s, @end), or NULL. */
static const char *mountinfo_field(const char *s, const char *end, int n,
				   const char **fend)
{
	while (s < end) {
		while (s < end && *s == ' ')
			s++;
		if (s == end)
			break;
		*fend = memchr(s, ' ', (size_t)(end - s));
		if (!*fend)
			*fend = end;
		if (s < *fend && n-- == 0)
			return s;
		s = *fend;
	}
	return NULL;
}

int mountinfo_fstype(const char *text, size_t len, const char *dir,
		     char *fstype, size_t size, long *id)
{
	const char *line = text, *end = text + len;
	char point[PATH_MAX];
	int found = 0;

	while (line < end) {
		const char *eol = memchr(line, '\n', end - line);
		const char *f, *fend, *sep;

		if (!eol)
			eol = end;
		/* ID PARENT MAJ:MIN ROOT POINT OPTIONS [TAGS...] - TYPE ... */
		f = mountinfo_field(line, eol, 4, &fend);
		sep = f ? memmem(fend, eol - fend, " - ", 3) : NULL;
		if (sep && mountinfo_unescape(f, fend, point, sizeof(point)) &&
		    !strcmp(point, dir)) {
			f = mountinfo_field(sep + 3, eol, 0, &fend);
			if (f) {
				/* Later lines are mounted on top. */
				if ((size_t)(fend - f) >= size)
					return -ENAMETOOLONG;
				memcpy(fstype, f, fend - f);
				fstype[fend - f] = '\0';
				if (id)
					*id = strtol(line, NULL, 10);
				found = 1;
			}
		}
		line = eol + 1;
	}
	return found;
}

/* The canonical path of @path, whose last component may be a dead mount
 * that cannot be resolved itself. */
static int mountpoint_resolve(const char *path, char *out)
{
	char dir[PATH_MAX], base[PATH_MAX], parent[PATH_MAX];

	if (realpath(path, out))
		return 0;
	if (errno != ENOTCONN || strlen(path) >= PATH_MAX)
		return -errno;
	strcpy(dir, path);
	strcpy(base, path);
	if (!realpath(dirname(dir), parent))
		return -errno;
	if (snprintf(out, PATH_MAX, "%s/%s", strcmp(parent, "/") ? parent : "",
		     basename(base)) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static int mountpoint_read_mountinfo(char **text, size_t *len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return -errno;
	*text = NULL;
	n = getdelim(text, &cap, '\0', f);	/* the whole file */
	fclose(f);
	if (n < 0) {
		free(*text);
		return -EIO;
	}
	*len = n;
	return 0;
}

/* Detach the dead mount at @path: ourselves as root, else through the
 * setuid fusermount3, as an unprivileged daemon mounted it. */
static int mountpoint_detach(const char *path)
{
	char *argv[] = { "fusermount3", "-u", "-z", (char *)path, NULL };
	extern char **environ;
	int status;
	pid_t pid;

	if (umount2(path, MNT_DETACH) == 0)
		return 0;
	if (errno != EPERM)
		return -errno;
	if (posix_spawnp(&pid, "fusermount3", NULL, NULL, argv, environ))
		return -EPERM;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -EPERM;
	return 0;
}

int mountpoint_prepare(const char *mountpoint)
{
	char path[PATH_MAX], type[64] = "";
	struct statfs sfs;
	size_t len = 0;
	char *text;
	int ret, dead;

	ret = mountpoint_resolve(mountpoint, path);
	if (ret < 0)
		return 0;	/* fuse_session_mount() says what is wrong */
	/* statfs, not stat: the kernel may answer stat from the attributes
	 * it cached before the daemon died, statfs always asks it. */
	dead = statfs(path, &sfs) < 0 && errno == ENOTCONN;
	ret = mountpoint_read_mountinfo(&text, &len);
	if (ret < 0)
		return dead ? -ENOTCONN : 0;
	ret = mountinfo_fstype(text, len, path, type, sizeof(type), NULL);
	free(text);
	if (ret <= 0 || (!dead && strcmp(type, MOUNTPOINT_TYPE)))
		return 0;	/* nothing there, or a live other file system */
	if (!dead) {
		log_err("%s: an nvmemfs is already serving there; stop it first (systemctl stop nvmemfs, or fusermount3 -u %s)",
			mountpoint, mountpoint);
		return -EBUSY;
	}
	if (strcmp(type, MOUNTPOINT_TYPE)) {
		log_err("%s: the mount of a %s whose daemon is gone is in the way; run fusermount3 -u %s",
			mountpoint, type, mountpoint);
		return -ENOTCONN;
	}
	ret = mountpoint_detach(path);
	if (ret < 0) {
		log_err("%s: cannot detach the mount of an nvmemfs that is gone (%s); run fusermount3 -u %s",
			mountpoint, strerror(-ret), mountpoint);
		return ret;
	}
	log_notice("%s: detached the mount of an nvmemfs that is gone", mountpoint);
	return 0;
}

long mountpoint_id(const char *mountpoint)
{
	char path[PATH_MAX], type[64];
	size_t len = 0;
	long id = -1;
	char *text;

	if (mountpoint_resolve(mountpoint, path) < 0 ||
	    mountpoint_read_mountinfo(&text, &len) < 0)
		return -1;
	if (mountinfo_fstype(text, len, path, type, sizeof(type), &id) != 1 ||
	    strcmp(type, MOUNTPOINT_TYPE))
		id = -1;
	free(text);
	return id;
}

bool mountpoint_present(long id)
{
	const char *line, *end;
	size_t len = 0;
	char *text;
	bool found = false;

	if (mountpoint_read_mountinfo(&text, &len) < 0)
		return true;
	for (line = text, end = text + len; line < end && !found;) {
		const char *eol = memchr(line, '\n', end - line);

		found = strtol(line, NULL, 10) == id;
		line = eol ? eol + 1 : end;
	}
	free(text);
	return found;
}
