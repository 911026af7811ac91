/* SPDX-License-Identifier: MIT */
/*
 * On-flash layouts that describe their own cells: the parsers turn the
 * contents of a device into a list of named cells (ONIE TlvInfo, Kontron
 * sl28 VPD) or into an editable list of variables (U-Boot environment).
 *
 * Parsers are pure: they only read the buffer they are given. On failure
 * they return -EBADMSG (bad CRC or magic) or -EINVAL (truncated or
 * malformed), write a one-line reason to @why and produce no cells.
 */
#ifndef NVMEMFS_LAYOUT_H
#define NVMEMFS_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/format.h"

struct layout_cell {
	char name[64];
	uint32_t offset;	/* absolute, in bytes from the device start */
	uint32_t len;
	enum cell_format format;
};

struct layout_cells {
	struct layout_cell *cells;
	size_t n;
};

/* Frees the array and leaves @c empty; safe on an empty list. */
void layout_cells_free(struct layout_cells *c);

/*
 * ONIE TlvInfo EEPROM. Cells are named as Linux's onie-tlv layout names
 * them ("serial-number", "crc32"); a second record of a type gets "-1",
 * a third "-2", ... Records of unknown types and empty ones get no cell.
 */
int onie_tlv_parse(const uint8_t *buf, size_t len, struct layout_cells *out,
		   char *why, size_t whylen);

/* The spec's limit: header, every record and the CRC record together. */
#define ONIE_TLV_MAX		2048
#define ONIE_TLV_HDR		11
#define ONIE_TYPE_VENDOR	0xfd
#define ONIE_TYPE_CRC		0xfe

/* The cell name of @type, NULL for a type that gets no cell. */
const char *onie_type_name(uint8_t type);
/* A cell name back to its type and which non-empty record of that type
 * it is (0: the first). 0 or -EINVAL for no ONIE field name. */
int onie_name_parse(const char *name, uint8_t *type, unsigned int *nth);
/* Whether nvmemfs writes, creates and removes fields of @type (not the
 * CRC, not vendor extensions). */
bool onie_type_editable(uint8_t type);

/*
 * Values as their cells read and are written (onie_edit.c): text, the
 * MAC address as 6 raw bytes (the cell's "mac" format does the text),
 * MM/DD/YYYY hh:mm:ss, decimal for device-version and num-macs, two
 * letters for country-code. Format: the text without a newline, its
 * length or -EINVAL (a value of the wrong size for its type), -ENOSPC.
 * Parse: text (without its newline) to the value, checked; its length or
 * -EINVAL, @val holds 255 bytes.
 */
ssize_t onie_value_format(uint8_t type, const uint8_t *val, size_t vlen,
			  uint8_t *out, size_t size);
ssize_t onie_value_parse(uint8_t type, const uint8_t *text, size_t len,
			 uint8_t *val);

/*
 * Editing a TlvInfo in place. @buf holds a TlvInfo that onie_tlv_parse()
 * accepts, *@total bytes long (onie_tlv_total()), and has room for
 * max(*@total, ONIE_TLV_MAX) bytes. Records are found by walking them
 * from the header; every record not edited keeps its bytes and its
 * place, and the CRC record is recomputed after every edit.
 */
/* The length of header, records and CRC record; or the parser's error. */
ssize_t onie_tlv_total(const uint8_t *buf, size_t len, char *why,
		       size_t whylen);
/* Where the value of record (@type, @nth) lies: 0 or -ENOENT. */
int onie_tlv_find(const uint8_t *buf, size_t total, uint8_t type,
		  unsigned int nth, size_t *off, size_t *vlen);
/* Replace record (@type, @nth)'s value, or add it before the CRC record
 * when @nth is the number of such records. 0, -ENOENT, -EINVAL (an
 * empty value, or more than 255 bytes), -ENOSPC (the result would pass
 * ONIE_TLV_MAX); @buf is unchanged on error. */
int onie_tlv_set(uint8_t *buf, size_t *total, uint8_t type,
		 unsigned int nth, const uint8_t *val, size_t vlen);
/* Remove record (@type, @nth): 0 or -ENOENT. */
int onie_tlv_del(uint8_t *buf, size_t *total, uint8_t type,
		 unsigned int nth);

/* Kontron sl28 vital product data (version 1). */
int sl28_vpd_parse(const uint8_t *buf, size_t len, struct layout_cells *out,
		   char *why, size_t whylen);

/*
 * U-Boot environment, single or redundant. Each copy is @env_size bytes:
 * CRC-32 (le), a flags byte in the redundant case, then the data area.
 */
struct uboot_env;

/*
 * What the flags byte of a redundant copy means: U-Boot has two schemes.
 * COUNT (NAND, UBI, files): a counter, the larger is the newer copy, 0
 * follows 255. BOOL (parallel NOR flash, whose bits a write can only
 * clear): 1 is active, 0 obsolete; a write makes the new copy active,
 * then marks the old one obsolete (uboot_env_retire()).
 */
enum uboot_redund {
	UBOOT_REDUND_COUNT,
	UBOOT_REDUND_BOOL,
};

/* Where the flags byte is in a redundant copy, and BOOL's values. */
#define UBOOT_ENV_FLAGS_AT	4
#define UBOOT_ENV_ACTIVE	1
#define UBOOT_ENV_OBSOLETE	0

/* @copy1 is NULL for a single copy. uboot_env_parse() is COUNT. */
int uboot_env_parse(const uint8_t *copy0, const uint8_t *copy1,
		    size_t env_size, struct uboot_env **out,
		    char *why, size_t whylen);
int uboot_env_parse_redund(const uint8_t *copy0, const uint8_t *copy1,
			   size_t env_size, enum uboot_redund scheme,
			   struct uboot_env **out, char *why, size_t whylen);
/* Which copy was valid and newest: 0 or 1 (always 0 for a single copy). */
int uboot_env_active(const struct uboot_env *env);
size_t uboot_env_count(const struct uboot_env *env);
/* Entries of the active copy without a name=value form, skipped as
 * U-Boot's import skips them (and dropped by the next write, as by
 * U-Boot's export). */
size_t uboot_env_skipped(const struct uboot_env *env);
/* NULL if @i is out of range. */
const char *uboot_env_name(const struct uboot_env *env, size_t i);
const char *uboot_env_value(const struct uboot_env *env, size_t i);
/*
 * Add or replace, as the environment's .flags allow (uboot_flags_*()
 * below): 0, -EROFS for a variable whose access forbids it (creating a
 * read-only one, overwriting a read-only or write-once one, a .flags that
 * lifts the protection of a variable), -EINVAL for a bad name or a value
 * not of the variable's type, -ENOSPC if the environment would no longer
 * fit, -ENOMEM. Setting the value a variable already has changes nothing
 * and succeeds, as fw_setenv skips it. @env is unchanged on error.
 */
int uboot_env_set(struct uboot_env *env, const char *name, const char *value);
/* Remove; 0, -ENOENT, or -EROFS for a read-only, write-once or
 * change-default variable (or a .flags whose removal would free one). */
int uboot_env_unset(struct uboot_env *env, const char *name);
/* True if no value can be written to @name: read-only, or write-once
 * and present. The layout serves such a variable without write bits. */
bool uboot_env_read_only(const struct uboot_env *env, const char *name);
/* Fill @buf (env_size bytes) with CRC, flags (if @redundant) and data. */
int uboot_env_serialise(const struct uboot_env *env, uint8_t *buf,
			bool redundant, uint8_t flags);
/* Flags for the next write: COUNT, the active copy's flags + 1, wrapping;
 * BOOL, UBOOT_ENV_ACTIVE. */
uint8_t uboot_env_next_flags(const struct uboot_env *env);
/* Once the new copy is written: true if the old (active) copy's flags
 * byte, at UBOOT_ENV_FLAGS_AT, must then be overwritten with *@byte
 * (BOOL: marked obsolete). Both copies hold a good CRC at every step, so
 * a power cut in between leaves a whole environment either way. */
bool uboot_env_retire(const struct uboot_env *env, uint8_t *byte);
void uboot_env_free(struct uboot_env *env);

/*
 * What is written to <device>/environment: "name=value" lines; empty
 * lines and "#" comments are skipped, as fw_setenv -s skips them.
 * Anything else refuses the whole text (-EINVAL), and so does a NUL.
 * 0 or -errno; free with uboot_script_free() either way.
 */
struct uboot_script {
	char *text;
	char **name, **value;	/* into @text */
	size_t n;
};
int uboot_script_parse(struct uboot_script *s, const uint8_t *raw,
		       size_t len);
void uboot_script_free(struct uboot_script *s);

/*
 * U-Boot's .flags variable (uboot_flags.c): "name:TA,..." with a type T
 * and an access A per variable. Unlisted variables are strings, any.
 */
#define UBOOT_FLAGS_VAR	".flags"

enum uboot_var_type {
	UBOOT_TYPE_STRING,	/* s */
	UBOOT_TYPE_DECIMAL,	/* d: digits */
	UBOOT_TYPE_HEX,		/* x: hex digits, 0x optional */
	UBOOT_TYPE_BOOL,	/* b: one of 1yYtT0nNfF */
	UBOOT_TYPE_IP,		/* i: four groups of 1-3 digits */
	UBOOT_TYPE_MAC,		/* m: six groups of 1-2 hex digits */
};

enum uboot_var_access {
	UBOOT_ACCESS_ANY,		/* a */
	UBOOT_ACCESS_READ_ONLY,		/* r */
	UBOOT_ACCESS_WRITE_ONCE,	/* o */
	UBOOT_ACCESS_CHANGE_DEFAULT,	/* c */
};

struct uboot_var_flags {
	enum uboot_var_type type;
	enum uboot_var_access access;
};

/* Called for each entry with a name: the name is not NUL-terminated. A
 * non-zero return stops the walk and is returned. */
typedef int (*uboot_flags_fn)(const char *name, size_t len,
			      struct uboot_var_flags flags, void *priv);
int uboot_flags_walk(const char *list, uboot_flags_fn fn, void *priv);
/* @name's flags in @list (NULL: no .flags): the last entry wins. */
struct uboot_var_flags uboot_flags_lookup(const char *list, const char *name);
struct uboot_var_flags uboot_flags_lookup_n(const char *list, const char *name,
					    size_t len);
/* 0 if @value is of @type as U-Boot checks it, else -EINVAL. */
int uboot_flags_check_type(enum uboot_var_type type, const char *value);

/* What an access forbids (bits). */
#define UBOOT_FORBID_CREATE	(1u << 0)
#define UBOOT_FORBID_OVERWRITE	(1u << 1)
#define UBOOT_FORBID_DELETE	(1u << 2)
unsigned int uboot_flags_forbids(enum uboot_var_access access);

enum layout_kind {
	LAYOUT_FIXED,		/* only the configured cells */
	LAYOUT_ONIE_TLV,
	LAYOUT_U_BOOT_ENV,
	LAYOUT_SL28_VPD,
	LAYOUT_KINDS
};

/* "fixed", "onie-tlv", "u-boot-env", "sl28-vpd" and back (0 or -EINVAL). */
const char *layout_name(enum layout_kind kind);
int layout_kind_parse(const char *name, enum layout_kind *kind);

/* The file that libubootenv's fw_printenv and fw_setenv flock() around
 * every access to an environment. */
#define LAYOUT_UBOOT_LOCK	"/var/lock/fw_printenv.lock"

/* A layout and where its data lies: all a layout knows of the device
 * besides the device itself. */
struct layout_params {
	enum layout_kind kind;
	/* u-boot-env: the first copy, its size (0: up to the device's end
	 * or up to the second copy), the second copy (-1: none) */
	uint64_t env_offset;
	uint64_t env_size;
	int64_t env_redundant_offset;
	/* u-boot-env: what the redundant copies' flags byte means */
	enum uboot_redund env_redund;
	/* u-boot-env: the lock to share with libubootenv (NULL: none);
	 * copied by layout_apply() */
	const char *env_lock;
};

#define LAYOUT_PARAMS_INIT { .kind = LAYOUT_FIXED, \
			     .env_redundant_offset = -1, \
			     .env_lock = LAYOUT_UBOOT_LOCK }

/*
 * Where the copies of a U-Boot environment lie, checked by one rule for
 * the configuration (@dev_size 0: not known yet) and for the layout once
 * the device is open: room for a CRC, a flags byte and an empty
 * environment, both copies inside the device, and apart, so that writing
 * one never touches the other. 0 with the size of a copy in *@size (0
 * while @dev_size is unknown and env_size unset), or -EINVAL with the key
 * at fault in *@key and the reason in @why.
 */
int layout_uboot_geometry(const struct layout_params *p, uint64_t dev_size,
			  uint64_t *size, const char **key, char *why,
			  size_t whylen);

struct nvmem_device;

/*
 * Apply layout @p to @dev before it is registered (reads work then),
 * after the configured cells. Bad data is logged as one warning and gives
 * no layout cells (the raw device stays served): returns 0. A layout cell
 * named like a configured cell: logged, -EEXIST.
 */
int layout_apply(struct nvmem_device *dev, const struct layout_params *p);

#endif
