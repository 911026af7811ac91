/* SPDX-License-Identifier: MIT */
/*
 * Who may do what with a served file: the permission bits, owner and
 * group that the kernel checks (the mount always has default_permissions).
 *
 * The rule is the kernel's own: nothing through the mount is wider than
 * its backing. A device starts from its backing's mode, owner and group
 * (an image file, a block device, the /dev/i2c-N node, a kernel nvmem
 * attribute) and the configuration may replace them; its cells take the
 * device's read bits, and its write bits only where the cell is writable;
 * informational files take the read bits alone. A read-only device or
 * cell never has write bits, whatever the backing allows.
 */
#ifndef NVMEMFS_PERM_H
#define NVMEMFS_PERM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The only bits a served file may have: no execute, no set-id, no sticky. */
#define PERM_FILE_BITS	0666
#define PERM_READ_BITS	0444
#define PERM_WRITE_BITS	0222

struct nvmem_perm {
	mode_t mode;		/* permission bits only, within PERM_FILE_BITS */
	uid_t uid;
	gid_t gid;
};

/* What a configuration section sets; zero-initialised it sets nothing,
 * so every cell that no configuration names takes its device's. */
enum {
	PERM_SET_MODE = 1 << 0,
	PERM_SET_UID = 1 << 1,
	PERM_SET_GID = 1 << 2,
};

struct perm_override {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	unsigned int set;	/* PERM_SET_* */
};

/* An octal mode within PERM_FILE_BITS ("0640", "640"). 0, or -EINVAL
 * (not an octal number) or -EPERM (bits a file here cannot have). */
int perm_parse_mode(const char *s, mode_t *mode);
/* A user or group by name or number. 0, -EINVAL (empty or a number out
 * of range) or -ENOENT (no such name). */
int perm_parse_user(const char *s, uid_t *uid);
int perm_parse_group(const char *s, gid_t *gid);

/* The device's files ("nvmem"): the backing's, what @o sets replacing it,
 * without write bits when the device is read-only. */
struct nvmem_perm perm_device(const struct nvmem_perm *backing,
			      const struct perm_override *o, bool read_only);
/* A cell of a device whose perm_device() is @dev. */
struct nvmem_perm perm_cell(const struct nvmem_perm *dev,
			    const struct perm_override *o, bool read_only);
/* "type" and the like: readable by whoever can read the device. */
struct nvmem_perm perm_info(const struct nvmem_perm *dev);

#endif
