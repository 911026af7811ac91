/* SPDX-License-Identifier: MIT */
/*
 * I2C transports: the thin layer under the AT24 provider, so that the same
 * provider code runs on a real adapter (/dev/i2c-N) or on the emulated
 * chip (i2c_emul.h).
 *
 * An adapter object is shared by every device on the same bus and
 * serialises their transactions (i2c_adapter_lock): an EEPROM's address
 * pointer must not be moved by another transfer between the address write
 * and the data read, and a USB bridge handles one request at a time.
 *
 * Lifetime: refcounted; each AT24 provider instance holds one reference
 * and drops it in its destroy op (after the device's SRCU grace period).
 */
#ifndef NVMEMFS_I2C_H
#define NVMEMFS_I2C_H

#include <linux/i2c.h>
#include <stdbool.h>
#include <stdint.h>

struct i2c_adapter;

struct i2c_adapter_ops {
	/*
	 * Run @n messages as one combined transaction (repeated starts).
	 * 0 or -errno: -ENXIO/-EREMOTEIO for a NACK (the chip is busy or
	 * absent), -ETIMEDOUT for a bus timeout, -ENODEV/-ESHUTDOWN when
	 * the adapter itself is gone.
	 */
	int (*transfer)(void *priv, struct i2c_msg *msgs, unsigned int n);
	/* I2C_FUNC_* bits (I2C_FUNCS). */
	unsigned long (*funcs)(void *priv);
	/* SMBus "I2C block read" of @len (<= 32) bytes at 8-bit @cmd, for
	 * adapters without plain I2C. May be NULL. */
	int (*smbus_block_read)(void *priv, uint16_t addr, uint8_t cmd,
				uint8_t *buf, unsigned int len);
	/* Largest read, and largest write (word address included), the
	 * adapter can do in one message (0: no limit). */
	unsigned int max_read;
	unsigned int max_write;
	/* Whether the adapter itself has gone. A bridge being pulled out
	 * first fails transfers with whatever its driver saw (ETIMEDOUT,
	 * EIO, ...), so callers ask after a failure. May be NULL: never. */
	bool (*gone)(void *priv);
	void (*close)(void *priv);
};

/* Wrap @ops/@priv (owned from now on) as an adapter not shared by bus
 * number (@bus < 0: emulated buses). */
struct i2c_adapter *i2c_adapter_new(int bus, const struct i2c_adapter_ops *ops,
				    void *priv);
/* Open /dev/i2c-@bus, or take a reference on the adapter already open
 * for that bus (every device on a bus shares one adapter and its lock).
 * Returns 0 or -errno. */
int i2c_adapter_open_dev(int bus, struct i2c_adapter **out);

struct i2c_adapter *i2c_adapter_get(struct i2c_adapter *ad);
void i2c_adapter_put(struct i2c_adapter *ad);
int i2c_adapter_bus(const struct i2c_adapter *ad);

void i2c_adapter_lock(struct i2c_adapter *ad);
void i2c_adapter_unlock(struct i2c_adapter *ad);
/* Called with the adapter lock held. */
int i2c_adapter_transfer(struct i2c_adapter *ad, struct i2c_msg *msgs,
			 unsigned int n);
unsigned long i2c_adapter_funcs(struct i2c_adapter *ad);
/* Whether the adapter has gone (see i2c_adapter_ops.gone); any thread,
 * with or without the adapter lock. */
bool i2c_adapter_gone(struct i2c_adapter *ad);
int i2c_adapter_smbus_block_read(struct i2c_adapter *ad, uint16_t addr,
				 uint8_t cmd, uint8_t *buf, unsigned int len);
unsigned int i2c_adapter_max_read(const struct i2c_adapter *ad);
unsigned int i2c_adapter_max_write(const struct i2c_adapter *ad);
/* Limits found out after the adapter was made (by name, for bridges). */
void i2c_adapter_set_limits(struct i2c_adapter *ad, unsigned int max_read,
			    unsigned int max_write);

/*
 * The kernel's side of a bus: a client device that the kernel made at an
 * address (device tree, new_device) and the driver bound to it. I2C_RDWR
 * does not check for one, so a user-space driver must ask before it
 * talks to a chip that a kernel driver owns. Read from sysfs under @root
 * (I2C_SYSFS_ROOT; tests give a tree of their own).
 */
#define I2C_SYSFS_ROOT		"/sys/bus/i2c/devices"

struct i2c_client_info {
	char name[32];		/* "1-0050" */
	char driver[64];	/* "at24"; empty: no driver bound */
	char nvmem[64];		/* its nvmem device ("1-00500"), or empty */
};

/* The client at @addr on bus @bus: 1 with *@ci filled when one exists
 * (bound to a driver or not), 0 when there is none, or -errno. */
int i2c_client_lookup(const char *root, int bus, uint16_t addr,
		      struct i2c_client_info *ci);

/* The adapter that a configuration names, for --check-config (the
 * daemon is told by udev): bus number @bus if >= 0, else the lowest
 * whose name matches @name_glob, or whose bridge has USB serial (or HID
 * uniq) @usb_serial. Its number, or -ENOENT. */
int i2c_adapter_find(const char *root, int bus, const char *name_glob,
		     const char *usb_serial);

/* The client that kernel nvmem device @nvmem (under @nvmem_root, i.e.
 * /sys/bus/nvmem/devices) belongs to: 0 with its bus and address, or
 * -ENOENT when it is no I2C client's. */
int i2c_client_of_nvmem(const char *nvmem_root, const char *nvmem, int *bus,
			uint16_t *addr);

#endif
