/* SPDX-License-Identifier: MIT */
/*
 * The provider interface: what a backend (image file, block device, MTD,
 * AT24 EEPROM over i2c-dev, kernel nvmem device) implements.
 *
 * Lifetime of the provider data (@priv):
 *  - created by the provider's own open function, handed to
 *    nvmem_device_new() which takes ownership on success;
 *  - read()/write() are called only inside the device's SRCU read section,
 *    possibly from many threads at once, and may sleep;
 *  - cancel() is called once, after the device's impl pointer has been
 *    cleared and before the SRCU grace period: it runs concurrently with
 *    read()/write() calls still in flight and must make them return
 *    promptly (it must not free anything);
 *  - destroy() is called once, after the grace period: no read()/write()
 *    is running or will run again; it frees @priv.
 */
#ifndef NVMEMFS_PROVIDER_H
#define NVMEMFS_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/perm.h"

enum nvmem_type {
	NVMEM_TYPE_UNKNOWN = 0,
	NVMEM_TYPE_EEPROM,
	NVMEM_TYPE_OTP,
	NVMEM_TYPE_BATTERY_BACKED,
	NVMEM_TYPE_FRAM,
};

/*
 * The one rule for "the hardware is gone" in an errno a kernel interface
 * returned: ENODEV, or ESHUTDOWN (a USB device disconnected mid-request).
 * Anything else (ENXIO, a NACK on I2C; ETIMEDOUT; EIO) may be a bus that
 * failed once: a provider that knows better from its own transport (its
 * node has left sysfs) says -ENODEV itself. The core unregisters a device
 * whose provider returns a gone errno.
 */
bool provider_errno_gone(int err);

/* "EEPROM", "OTP", "Battery backed", "FRAM", "Unknown" as the kernel's
 * nvmem sysfs ABI spells them. */
const char *nvmem_type_name(enum nvmem_type type);
/* Case-insensitive inverse; returns 0 or -EINVAL. */
int nvmem_type_parse(const char *s, enum nvmem_type *type);

struct nvmem_provider_ops {
	const char *name;
	/*
	 * Read @len bytes at @off (the core never asks past the end, never
	 * more than info.read_chunk bytes). Returns the number of bytes read
	 * (> 0; a short count is allowed), or a negative errno: -EIO for bus
	 * errors after the provider's own bounded retries, -ENODEV (or ENXIO,
	 * ESHUTDOWN) when the hardware is gone.
	 */
	ssize_t (*read)(void *priv, uint64_t off, void *buf, size_t len);
	/*
	 * Optional, the zero-copy twin of read(): move up to @len bytes at
	 * @off into the pipe @pipe_fd (which has room for them) with
	 * splice(2). Same rules and returns as read(), plus -EOPNOTSUPP when
	 * this backing cannot be spliced (the core then uses read()).
	 */
	ssize_t (*splice_read)(void *priv, uint64_t off, int pipe_fd,
			       size_t len);
	/*
	 * Write @len bytes at @off; never crosses a multiple of
	 * info.write_chunk. Returns bytes written (> 0) or a negative errno.
	 * Must not return before the data is committed (EEPROM write cycle
	 * finished). NULL for read-only providers.
	 */
	ssize_t (*write)(void *priv, uint64_t off, const void *buf, size_t len);
	/* Optional: how many times this provider tried a transfer again
	 * after a bus failure, since it was opened (for <device>/status).
	 * Inside the SRCU read section, any thread; must not block. */
	uint64_t (*retries)(void *priv);
	/* See above. May be NULL when every call is short anyway. */
	void (*cancel)(void *priv);
	void (*destroy)(void *priv);
};

/* What a provider reports about its device when it is opened. */
struct nvmem_provider_info {
	uint64_t size;
	enum nvmem_type type;
	bool read_only;
	/* Nothing can write the medium, not even around nvmemfs (a kernel
	 * attribute without write bits): read_only alone may mean only
	 * that nvmemfs may not, while root or the kernel still can. */
	bool immutable;
	/* Largest read the core may issue in one call (and one SRCU section):
	 * bounds how long an unplug waits for an in-flight read. */
	uint32_t read_chunk;
	/* Writes are split at multiples of this (EEPROM page, erase block). */
	uint32_t write_chunk;
	/* Reading more than was asked costs little (a file, a block or MTD
	 * device), unlike a bus at 100 kHz: the kernel may read ahead. */
	bool read_ahead;
	/* Mode, owner and group of the backing (perm.h): what the kernel
	 * lets users do with it, which the mount never widens. */
	struct nvmem_perm perm;
};

#endif
