// SPDX-License-Identifier: MIT
/* The configuration parser: every key, and every error with its message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_load.h"
#include "daemon/config.h"

static void test_full(void **state)
{
	struct config *cfg = load_ok(
		"[nvmemfs]\n"
		"kernel-devices = no   # comment after a value\n"
		"\n"
		"; a comment\n"
		"[cell board/rev]\n"		/* before its device */
		"offset = 0x10\n"
		"bits = 12:4\n"
		"format = u8\n"
		"[device board]\n"
		"provider = at24\n"
		"adapter = CP2112*\n"
		"address = 0x50\n"
		"chip = 24c512\n"
		"size = 64K\n"
		"page-size = 128\n"
		"address-width = 16\n"
		"io-limit = 32\n"
		"write-timeout = 25\n"
		"bus-timeout = 2000\n"
		"read-only = no\n"
		"cache = yes\n"
		"type = FRAM\n"
		"layout = onie-tlv\n"
		"[cell board/mac-address]\n"
		"offset = 0x100\n"
		"size = 6\n"
		"format = mac\n"
		"read-only = yes\n"
		"[device env]\n"
		"  provider = file\n"		/* indented keys are keys */
		"  path = /dev/mtd2\n"
		"layout = u-boot-env\n"
		"env-offset = 0\n"
		"env-size = 0x2000\n"
		"env-redundant-offset = 0x2000\n"
		"[device k]\n"
		"provider = sysfs\n"
		"name = 0-00500\n");
	const struct config_device *d;
	const struct config_cell *c;

	assert_false(cfg->kernel_devices);
	assert_int_equal(cfg->ndevices, 3);
	d = config_find_device(cfg, "board");
	assert_non_null(d);
	assert_int_equal(d->provider, CONFIG_PROVIDER_AT24);
	assert_string_equal(d->adapter, "CP2112*");
	assert_int_equal(d->bus, -1);
	assert_int_equal(d->address, 0x50);
	assert_string_equal(d->chip, "24c512");
	assert_int_equal(d->size, 65536);
	assert_int_equal(d->page_size, 128);
	assert_int_equal(d->address_width, 16);
	assert_int_equal(d->io_limit, 32);
	assert_int_equal(d->write_timeout_ms, 25);
	assert_int_equal(d->bus_timeout_ms, 2000);
	assert_int_equal(d->read_only, 0);
	assert_int_equal(d->cache, 1);
	assert_true(d->type_set);
	assert_int_equal(d->type, NVMEM_TYPE_FRAM);
	assert_int_equal(d->layout.kind, LAYOUT_ONIE_TLV);
	assert_int_equal(d->ncells, 2);
	c = &d->cells[0];	/* file order */
	assert_string_equal(c->name, "rev");
	assert_int_equal(c->offset, 0x11);	/* bit 12 = byte 1, bit 4 */
	assert_int_equal(c->bit_offset, 4);
	assert_int_equal(c->nbits, 4);
	assert_int_equal(c->size, 1);
	assert_int_equal(c->format, CELL_FORMAT_U8);
	c = &d->cells[1];
	assert_string_equal(c->name, "mac-address");
	assert_int_equal(c->offset, 0x100);
	assert_int_equal(c->size, 6);
	assert_int_equal(c->format, CELL_FORMAT_MAC);
	assert_true(c->read_only);
	assert_int_equal(config_cell_line(c, "format"), 27);
	assert_int_equal(config_device_line(d, "chip"), 13);
	assert_int_equal(config_device_line(d, "nope"), 9);

	d = config_find_device(cfg, "env");
	assert_int_equal(d->provider, CONFIG_PROVIDER_FILE);
	assert_string_equal(d->path, "/dev/mtd2");
	assert_int_equal(d->layout.kind, LAYOUT_U_BOOT_ENV);
	assert_int_equal(d->layout.env_size, 0x2000);
	assert_int_equal(d->layout.env_redundant_offset, 0x2000);
	assert_string_equal(d->layout.env_lock, LAYOUT_UBOOT_LOCK);
	assert_int_equal(d->read_only, -1);
	d = config_find_device(cfg, "k");
	assert_string_equal(d->kernel_name, "0-00500");
	config_free(cfg);
}

static void test_defaults(void **state)
{
	struct config *cfg = load_ok("");

	assert_true(cfg->kernel_devices);
	assert_int_equal(cfg->ndevices, 0);
	config_free(cfg);
	cfg = load_ok("[device a]\nprovider=file\npath=/x\n[cell a/c]\noffset=0\nsize=1\n");
	assert_int_equal(cfg->devices[0].cells[0].format, CELL_FORMAT_RAW);
	assert_false(cfg->devices[0].cells[0].read_only);
	assert_int_equal(cfg->devices[0].layout.kind, LAYOUT_FIXED);
	config_free(cfg);
	/* A kernel driver at the address: its nvmem device is used unless
	 * the section says refuse. */
	cfg = load_ok("[device a]\nprovider=at24\nbus=1\naddress=0x50\nchip=24c02\n"
		      "[device b]\nprovider=at24\nbus=1\naddress=0x51\nchip=24c02\nkernel-driver=refuse\n"
		      "[device c]\nprovider=at24\nbus=1\naddress=0x52\nchip=24c02\nkernel-driver=use\n");
	assert_int_equal(cfg->devices[0].kernel_driver, CONFIG_KDRIVER_USE);
	assert_int_equal(cfg->devices[1].kernel_driver, CONFIG_KDRIVER_REFUSE);
	assert_int_equal(cfg->devices[2].kernel_driver, CONFIG_KDRIVER_USE);
	config_free(cfg);
	/* A cell name is per device: the same name on two devices is two
	 * cells, attached in file order. */
	cfg = load_ok("[device a]\nprovider=file\npath=/x\n[device b]\nprovider=file\npath=/y\n"
		      "[cell b/mac]\noffset=4\nsize=6\n[cell a/mac]\noffset=0\nsize=6\n"
		      "[cell a/sn]\noffset=8\nsize=4\n");
	assert_int_equal(cfg->devices[0].ncells, 2);
	assert_string_equal(cfg->devices[0].cells[0].name, "mac");
	assert_string_equal(cfg->devices[0].cells[0].device, "a");
	assert_int_equal(cfg->devices[0].cells[0].offset, 0);
	assert_string_equal(cfg->devices[0].cells[1].name, "sn");
	assert_int_equal(cfg->devices[1].ncells, 1);
	assert_int_equal(cfg->devices[1].cells[0].offset, 4);
	assert_int_equal(config_cell_line(&cfg->devices[1].cells[0], "size"), 9);
	assert_int_equal(config_cell_line(&cfg->devices[1].cells[0], "format"), 7);
	config_free(cfg);
}

/* Key lines are kept as distances from the section's line: a key far
 * below it is named by the section's line, never by a wrong one. */
static void test_key_lines_far(void **state)
{
	const char *head = "[device a]\nprovider=file\npath=/x\n[cell a/mac]\noffset=0\n";
	const size_t gap = 70000;	/* past a 16-bit distance */
	size_t len = strlen(head);
	struct config *cfg;
	char *text = malloc(len + gap + 64);
	int n;

	assert_non_null(text);
	memcpy(text, head, len);
	memset(text + len, '\n', gap);
	n = snprintf(text + len + gap, 64, "size=6\nformat=mac\n");
	assert_int_equal(config_load_string(text, len + gap + n, "far.conf",
					    &cfg), 0);
	assert_int_equal(config_cell_line(&cfg->devices[0].cells[0], "offset"), 5);
	assert_int_equal(config_cell_line(&cfg->devices[0].cells[0], "size"), 4);
	assert_int_equal(config_cell_line(&cfg->devices[0].cells[0], "format"), 4);
	assert_int_equal(config_cell_line(&cfg->devices[0].cells[0], "mode"), 4);
	config_free(cfg);
	free(text);
}

#define DEV "[device a]\nprovider = file\npath = /img\n"

static void test_errors(void **state)
{
	load_bad("[nvmemfs]\nbogus = 1\n", "t.conf:2: [nvmemfs] bogus: unknown key");
	load_bad("[nvmemfs]\nkernel-devices = maybe\n",
		 "t.conf:2: [nvmemfs] kernel-devices: 'maybe' is not yes or no");
	load_bad("[nvmemfs]\n[nvmemfs]\n", "t.conf:2: [nvmemfs] section given twice (first at line 1)");
	load_bad("[devices a]\n", "t.conf:1: [devices a] unknown section");
	load_bad("[device a]\npath = /x\n", "t.conf:1: [device a] provider: missing");
	load_bad("[device a]\nprovider = nfs\n", "t.conf:2: [device a] provider: unknown provider 'nfs'");
	load_bad("[device a]\nprovider = file\n", "t.conf:1: [device a] path: missing (required for provider file)");
	load_bad(DEV "color = red\n", "t.conf:4: [device a] color: unknown key");
	load_bad(DEV "chip = 24c02\n", "t.conf:4: [device a] chip: not valid for provider file");
	load_bad(DEV "path = /y\n", "t.conf:4: [device a] path: given twice (first at line 3)");
	load_bad(DEV "read-only = perhaps\n", "t.conf:4: [device a] read-only: 'perhaps' is not yes or no");
	load_bad(DEV "type = ROM\n", "t.conf:4: [device a] type: unknown type 'ROM'");
	load_bad(DEV "layout = fat\n", "t.conf:4: [device a] layout: unknown layout 'fat'");
	load_bad(DEV "env-size = 8\n", "t.conf:4: [device a] env-size: only valid with layout = u-boot-env");
	load_bad(DEV "size = 12abc\n", "t.conf:4: [device a] size: '12abc' is not a valid number");
	load_bad(DEV "size = -5\n", "t.conf:4: [device a] size: '-5' is not a valid number");
	load_bad(DEV "size = 99999999999999999999999\n", "t.conf:4: [device a] size: '99999999999999999999999' is not a valid number");
	load_bad("[device a]\nprovider = file\npath = img\n", "t.conf:3: [device a] path: 'img' is not an absolute path");
	load_bad(DEV DEV, "t.conf:4: [device a] device 'a' given twice (first at line 1)");
	load_bad("[device a/b]\nprovider = file\npath = /x\n", "t.conf:1: [device a/b] invalid device name 'a/b'");
	load_bad("[device .hidden]\nprovider = file\npath = /x\n", "t.conf:1: [device .hidden] invalid device name '.hidden'");
	load_bad("[device a]\nprovider = at24\nbus = 1\nadapter = x\naddress = 0x50\nchip = 24c02\n",
		 "t.conf:1: [device a] adapter: exactly one of adapter, bus, usb-serial or emulate");
	load_bad("[device a]\nprovider = at24\nbus = 1\nchip = 24c02\n",
		 "t.conf:1: [device a] address: missing (required for provider at24)");
	load_bad("[device a]\nprovider = at24\nbus = 1\naddress = 0x50\n",
		 "t.conf:1: [device a] chip: missing (required for provider at24)");
	load_bad("[device a]\nprovider = at24\nbus = 1\naddress = 0x78\nchip = 24c02\n",
		 "t.conf:4: [device a] address: 0x78 is not a 7-bit device address");
	load_bad("[device a]\nprovider = at24\nbus = 1\naddress = 0x50\nchip = x\naddress-width = 12\n",
		 "t.conf:6: [device a] address-width: must be 8 or 16");
	load_bad("[device a]\nprovider = file\npath = /x\nlayout = u-boot-env\nenv-size = 0x2000\nenv-redundant-offset = 0x1000\n",
		 "t.conf:6: [device a] env-redundant-offset: the copies at 0x0 and 0x1000 overlap (env-size 8192)");
	load_bad("[device a]\nprovider = file\npath = /x\nlayout = u-boot-env\nenv-size = 4\n",
		 "t.conf:5: [device a] env-size: 4 bytes cannot hold an environment (at least 8)");
	/* The AT24 write buffer holds one page of at most 256 bytes, and
	 * an i2c_msg length is 16 bits (Linux takes 8192). */
	load_bad("[device a]\nprovider = at24\nbus = 1\naddress = 0x50\nchip = 24c512\npage-size = 512\n",
		 "t.conf:6: [device a] page-size: '512' is more than 256");
	load_bad("[device a]\nprovider = at24\nbus = 1\naddress = 0x50\nchip = 24c512\nio-limit = 64K\n",
		 "t.conf:6: [device a] io-limit: '64K' is more than 8192");
	load_bad("[device a]\nprovider = sysfs\n", "t.conf:1: [device a] name: missing");
	load_bad("[device a]\nprovider = at24\nbus = 1\naddress = 0x50\nchip = 24c02\nbus-timeout = 0\n",
		 "t.conf:6: [device a] bus-timeout: must be greater than 0");
	load_bad(DEV "bus-timeout = 100\n", "t.conf:4: [device a] bus-timeout: not valid for provider file");
	load_bad(DEV "env-lock = none\n", "t.conf:4: [device a] env-lock: only valid with layout = u-boot-env");
	load_bad(DEV "layout = u-boot-env\nenv-lock = lock\n",
		 "t.conf:5: [device a] env-lock: 'lock' is neither none nor an absolute path");
	load_bad("[device a]\nprovider = at24\nbus = 1\naddress = 0x50\nchip = 24c02\nemulate-clock = 400000\n",
		 "t.conf:6: [device a] emulate-clock: only valid with emulate = IMAGE");
	load_bad("[device a]\nprovider = at24\nbus = 1\naddress = 0x50\nchip = 24c02\nkernel-driver = unbind\n",
		 "t.conf:6: [device a] kernel-driver: 'unbind' is not use or refuse");
	load_bad("[device a]\nprovider = at24\nemulate = /img\naddress = 0x50\nchip = 24c02\nkernel-driver = use\n",
		 "t.conf:6: [device a] kernel-driver: not valid with emulate = IMAGE (an emulated bus has no kernel driver)");
	load_bad("[device a]\nprovider = at24\nemulate = /img\naddress = 0x50\nchip = 24c02\nemulate-chip = 24c03\n",
		 "t.conf:6: [device a] emulate-chip: unknown chip '24c03' (known: 24c00,");
	load_bad("[device a]\nprovider = at24\nbus = 1\naddress = 0x50\nchip = 24c02\nemulate-chip = 24c32\n",
		 "t.conf:6: [device a] emulate-chip: only valid with emulate = IMAGE");
	load_bad(DEV "kernel-driver = use\n", "t.conf:4: [device a] kernel-driver: not valid for provider file");

	/* cells */
	load_bad(DEV "[cell b/x]\noffset = 0\nsize = 1\n", "t.conf:4: [cell b/x] no [device b] section");
	load_bad(DEV "[cell a/x]\nsize = 1\n", "t.conf:4: [cell a/x] offset: missing");
	load_bad(DEV "[cell a/x]\noffset = 0\n", "t.conf:4: [cell a/x] size: missing (or bits = OFFSET:COUNT)");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 1\nbits = 0:1\n", "t.conf:7: [cell a/x] bits: give either size or bits, not both");
	load_bad(DEV "[cell a/x]\noffset = 0\nbits = 3\n", "t.conf:6: [cell a/x] bits: '3' is not BIT_OFFSET:COUNT");
	load_bad(DEV "[cell a/x]\noffset = 0\nbits = 0:65\n", "t.conf:6: [cell a/x] bits: '0:65' is not BIT_OFFSET:COUNT with COUNT 1..64");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 0\n", "t.conf:6: [cell a/x] size: must be greater than 0");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 4\nformat = mac\n", "t.conf:7: [cell a/x] format: mac does not fit a cell of 4 bytes");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 3\nformat = u16le\n", "t.conf:7: [cell a/x] format: u16le does not fit a cell of 3 bytes");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 1\nformat = base64\n", "t.conf:7: [cell a/x] format: unknown format 'base64'");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 1\nread-only = ye\xffs\n",
		 "t.conf:7: [cell a/x] read-only: 'ye\xffs' is not yes or no");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 1\ncolor = 1\n", "t.conf:7: [cell a/x] color: unknown key");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 1\n[cell a/x]\noffset = 4\nsize = 1\n",
		 "t.conf:7: [cell a/x] cell given twice (first at line 4)");
	load_bad(DEV "[cell ax]\noffset = 0\nsize = 1\n", "t.conf:4: [cell ax] cell sections are named [cell DEVICE/CELL]");
	load_bad(DEV "[cell a/.x]\noffset = 0\nsize = 1\n", "t.conf:4: [cell a/.x] invalid cell name '.x'");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 4\n[cell a/y]\noffset = 3\nsize = 2\n",
		 "t.conf:8: [cell a/y] offset: overlaps cell 'x' (line 4)");
	load_bad(DEV "[cell a/x]\noffset = 0\nbits = 0:5\n[cell a/y]\noffset = 0\nbits = 4:4\n",
		 "t.conf:8: [cell a/y] offset: overlaps cell 'x' (line 4)");
	load_bad("[device a]\nprovider = file\npath = /img\nsize = 16\n[cell a/x]\noffset = 12\nsize = 8\n",
		 "t.conf:6: [cell a/x] offset: cell (0xc + 8 bytes) does not fit in the device (size = 16)");
	load_bad("key = 1\n", "t.conf:1: key: key outside of any section");
	load_bad("[device a]\ngarbage line\n", "t.conf:2: expected [section] or key = value");
}

/* mode, owner, group: on devices and cells, names or numbers; every
 * mistake at its key. */
static void test_perm_keys(void **state)
{
	struct config *cfg = load_ok(DEV "mode = 0640\nowner = root\ngroup = 0\n"
				     "[cell a/x]\noffset = 0\nsize = 1\nmode = 600\nowner = 1234\n"
				     "[cell a/y]\noffset = 1\nsize = 1\n");
	const struct config_device *d = &cfg->devices[0];

	assert_int_equal(d->perm.set, PERM_SET_MODE | PERM_SET_UID | PERM_SET_GID);
	assert_int_equal(d->perm.mode, 0640);
	assert_int_equal(d->perm.uid, 0);
	assert_int_equal(d->perm.gid, 0);
	assert_int_equal(d->cells[0].perm.set, PERM_SET_MODE | PERM_SET_UID);
	assert_int_equal(d->cells[0].perm.mode, 0600);
	assert_int_equal(d->cells[0].perm.uid, 1234);
	assert_int_equal(d->cells[1].perm.set, 0);
	config_free(cfg);

	load_bad(DEV "mode = rw-r--r--\n", "t.conf:4: [device a] mode: 'rw-r--r--' is not an octal mode such as 0640");
	load_bad(DEV "mode = 0755\n", "t.conf:4: [device a] mode: '0755' has bits a file here cannot have");
	load_bad(DEV "mode = 4644\n", "t.conf:4: [device a] mode: '4644' has bits a file here cannot have");
	load_bad(DEV "owner = nvmemfs-no-such-user\n", "t.conf:4: [device a] owner: unknown user 'nvmemfs-no-such-user'");
	load_bad(DEV "group = nvmemfs-no-such-group\n", "t.conf:4: [device a] group: unknown group 'nvmemfs-no-such-group'");
	load_bad(DEV "owner = 4294967295\n", "t.conf:4: [device a] owner: '4294967295' is not a user name or number");
	load_bad(DEV "owner =\n", "t.conf:4: [device a] owner: '' is not a user name or number");
	load_bad(DEV "read-only = yes\nmode = 0664\n", "t.conf:5: [device a] mode: 0664 has write bits, but the device is read-only");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 1\nread-only = yes\nmode = 0644\n",
		 "t.conf:8: [cell a/x] mode: 0644 has write bits, but the cell is read-only");
	load_bad(DEV "read-only = yes\n[cell a/x]\noffset = 0\nsize = 1\nmode = 0200\n",
		 "t.conf:8: [cell a/x] mode: 0200 has write bits, but its device is read-only");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 1\ngroup = nvmemfs-no-such-group\n",
		 "t.conf:7: [cell a/x] group: unknown group 'nvmemfs-no-such-group'");
	/* Read-only without write bits is fine. */
	cfg = load_ok(DEV "read-only = yes\nmode = 0440\n");
	config_free(cfg);
}

/* env-lock: the default is libubootenv's lock, "none" takes none. */
static void test_env_lock(void **state)
{
	struct config *cfg = load_ok(DEV "layout = u-boot-env\nenv-lock = none\n"
				     "[device b]\nprovider = file\npath = /b\n"
				     "layout = u-boot-env\nenv-lock = /run/my.lock\n");

	assert_null(cfg->devices[0].layout.env_lock);
	assert_string_equal(cfg->devices[1].layout.env_lock, "/run/my.lock");
	config_free(cfg);
}

/* mac-base and mac-index: a derived address, read-only, no bytes. */
static void test_mac_keys(void **state)
{
	struct config *cfg = load_ok(DEV "[cell a/mac]\noffset = 0\nsize = 6\nformat = mac\n"
				     "[cell a/eth1]\nmac-base = mac\nmac-index = 0x10\n");
	const struct config_cell *c = &cfg->devices[0].cells[1];

	assert_string_equal(c->mac_base, "mac");
	assert_int_equal(c->mac_index, 16);
	assert_int_equal(c->format, CELL_FORMAT_MAC);
	assert_true(c->read_only);
	config_free(cfg);

	load_bad(DEV "[cell a/x]\nmac-base = m\n", "t.conf:4: [cell a/x] mac-index: missing (required with mac-base)");
	load_bad(DEV "[cell a/x]\nmac-base = m\nmac-index = 1\nbits = 0:4\n",
		 "t.conf:7: [cell a/x] bits: a derived MAC address (mac-base) has no bytes of its own");
	load_bad(DEV "[cell a/x]\nmac-base = m\nmac-index = 1\nformat = hex\n",
		 "t.conf:7: [cell a/x] format: a derived MAC address is mac");
	load_bad(DEV "[cell a/x]\nmac-base = x\nmac-index = 1\n",
		 "t.conf:5: [cell a/x] mac-base: a cell cannot be its own base");
	load_bad(DEV "[cell a/x]\nmac-base = m\nmac-index = 0x1000000000000\n",
		 "t.conf:6: [cell a/x] mac-index: '0x1000000000000' is more than 281474976710655");
	load_bad(DEV "[cell a/x]\noffset = 0\nsize = 6\nmac-index = 1\n",
		 "t.conf:7: [cell a/x] mac-index: only valid with mac-base = CELL");
	load_bad(DEV "[cell a/x]\nmac-base = m\nmac-index = 1\nmode = 0644\n",
		 "t.conf:7: [cell a/x] mode: 0644 has write bits, but the cell is read-only");
}

/* Bit fields that share a byte without sharing bits are fine. */
static void test_disjoint_bits(void **state)
{
	struct config *cfg = load_ok(DEV
		"[cell a/lo]\noffset = 0\nbits = 0:4\n"
		"[cell a/hi]\noffset = 0\nbits = 4:4\n"
		"[cell a/next]\noffset = 1\nsize = 1\n");

	assert_int_equal(cfg->devices[0].ncells, 3);
	config_free(cfg);
}

/* Every error is reported, not just the first. */
static void test_all_errors(void **state)
{
	static const char text[] = "[device a]\nprovider = file\n[device b]\nprovider = x\n";
	struct config *cfg;
	const char *log;

	capture_start();
	assert_int_equal(config_load_string(text, strlen(text), "t.conf", &cfg), -EINVAL);
	log = capture_end();
	assert_non_null(strstr(log, "t.conf:1: [device a] path: missing"));
	assert_non_null(strstr(log, "t.conf:4: [device b] provider: unknown provider 'x'"));
}

static void test_missing_file(void **state)
{
	struct config *cfg;
	const char *log;

	capture_start();
	assert_int_equal(config_load("/nonexistent/nvmemfs.conf", &cfg), -ENOENT);
	log = capture_end();
	assert_non_null(strstr(log, "/nonexistent/nvmemfs.conf: cannot read the configuration: No such file or directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_key_lines_far),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_perm_keys),
		cmocka_unit_test(test_env_lock),
		cmocka_unit_test(test_mac_keys),
		cmocka_unit_test(test_disjoint_bits),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
