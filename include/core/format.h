/* SPDX-License-Identifier: MIT */
/*
 * Cell formats: how a cell's raw bytes are shown in its file and how text
 * written to the file is turned back into raw bytes.
 *
 *  raw      the bytes as they are
 *  mac      "aa:bb:cc:dd:ee:ff\n" (6 bytes)
 *  hex      lowercase hex digits of every byte, then "\n"
 *  string   bytes up to the first NUL or 0xff, then "\n"; on write the
 *           rest of the cell is filled with NUL, and text holding either
 *           byte is refused (it would read back cut short)
 *  u8 u16le u16be u32le u32be u64le u64be
 *           unsigned decimal, then "\n"; a cell narrower than the type
 *           (bit fields) is zero-extended
 */
#ifndef NVMEMFS_FORMAT_H
#define NVMEMFS_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum cell_format {
	CELL_FORMAT_RAW = 0,
	CELL_FORMAT_MAC,
	CELL_FORMAT_HEX,
	CELL_FORMAT_STRING,
	CELL_FORMAT_U8,
	CELL_FORMAT_U16LE,
	CELL_FORMAT_U16BE,
	CELL_FORMAT_U32LE,
	CELL_FORMAT_U32BE,
	CELL_FORMAT_U64LE,
	CELL_FORMAT_U64BE,
	/* A string that only NUL ends: 0xff is a character, as in the
	 * values of a U-Boot environment, where "string"'s erased-EEPROM
	 * rule would cut them. */
	CELL_FORMAT_TEXT,
	CELL_FORMATS
};

/* 0 or -EINVAL. */
int format_parse(const char *name, enum cell_format *fmt);
const char *format_name(enum cell_format fmt);

/* 0 if a cell of @raw_len bytes can carry @fmt (mac needs 6, u16 at most 2
 * ...), else -EINVAL. */
int format_check_size(enum cell_format fmt, size_t raw_len);

/* Largest text format_encode() can produce for @raw_len bytes. */
size_t format_max_text(enum cell_format fmt, size_t raw_len);

/* Render; returns the text length or -ENOSPC if @size is too small. */
ssize_t format_encode(enum cell_format fmt, const uint8_t *raw, size_t raw_len,
		      char *out, size_t size);

/* Parse @len bytes of text (one trailing "\n" allowed) into exactly
 * @raw_len bytes. 0, or -EINVAL for bad or too large input. */
int format_decode(enum cell_format fmt, const char *text, size_t len,
		  uint8_t *raw, size_t raw_len);

#endif
