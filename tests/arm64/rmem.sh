#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Write the contents of the nvmem-rmem region of tests/arm64/rmem.dtsi:
#
#   tests/arm64/rmem.sh FILE
#
# 16 MiB of reproducible bytes, with at
#   0x10    the serial number "SN4711", NUL-padded to 8 bytes
#   0x20    0xa5: the board-rev bit field (bits 4-7) is 0xa
#   0x100   the MAC address 02:00:5e:10:20:30
#   0x1000  a 4 KiB U-Boot environment (CRC-32, then name=value strings)
# tests/arm64/scenarios.sh checks what the kernel and nvmemfs make of them.
set -euo pipefail

out=${1:?file}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

put() {	# put OFFSET BYTES...
	local off=$1; shift
	printf "$@" | dd of="$out.tmp" bs=1 seek=$((off)) conv=notrunc status=none
}

# (openssl dies of SIGPIPE when head has enough: not a failure)
head -c $((16 << 20)) \
	< <(openssl enc -aes-128-ctr -nosalt -pass pass:rmem -pbkdf2 </dev/zero 2>/dev/null) \
	>"$out.tmp"
put 0x10 'SN4711\0\0'
put 0x20 '\xa5'
put 0x100 '\x02\x00\x5e\x10\x20\x30'

# The environment's data, zero-padded to 4 KiB less its CRC; the CRC-32
# that gzip keeps in its trailer is U-Boot's, in the same byte order.
printf 'board=virt\0bootcmd=run distro_bootcmd\0ethaddr=02:00:5e:10:20:30\0\0' >"$tmp"
truncate -s $((0x1000 - 4)) "$tmp"
gzip -c <"$tmp" | tail -c 8 | head -c 4 |
	dd of="$out.tmp" bs=1 seek=$((0x1000)) conv=notrunc status=none
dd if="$tmp" of="$out.tmp" bs=1024 seek=$((0x1004)) oflag=seek_bytes conv=notrunc status=none
mv "$out.tmp" "$out"
