#!/bin/bash
# SPDX-License-Identifier: MIT
# Reading through the mount: layout, attributes, EOF rules, cell formats.
. "$(dirname "$0")/lib.sh"

image "$T/board.bin" 4096
# Known cell contents.
printf '\x00\x11\x22\xaa\xbb\xcc' | dd of="$T/board.bin" bs=1 seek=256 conv=notrunc status=none
printf 'SN-0042\0\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$T/board.bin" bs=1 seek=16 conv=notrunc status=none
printf '\x34\x12' | dd of="$T/board.bin" bs=1 seek=32 conv=notrunc status=none
printf '\x12\x34' | dd of="$T/board.bin" bs=1 seek=34 conv=notrunc status=none
printf '\xa7\x80\x02' | dd of="$T/board.bin" bs=1 seek=40 conv=notrunc status=none  # a7: 1010 0111
printf '\xef\xbe\xad\xde\x00\x00\x00\x00' | dd of="$T/board.bin" bs=1 seek=48 conv=notrunc status=none
image "$T/ro.bin" 1000 2
# Larger than one read request (512 KiB) and not a multiple of a page.
image "$T/big.bin" $((3 * 1024 * 1024 + 123)) 3

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no

[device board]
provider = file
path = $T/board.bin
type = EEPROM

[device rodev]
provider = file
path = $T/ro.bin
read-only = yes

[device big]
provider = file
path = $T/big.bin

[device bigcached]
provider = file
path = $T/big.bin
cache = yes

[cell board/mac-address]
offset = 0x100
size = 6
format = mac

[cell board/serial-number]
offset = 16
size = 16
format = string

[cell board/le16]
offset = 32
size = 2
format = u16le

[cell board/be16]
offset = 34
size = 2
format = u16be

[cell board/rev]
offset = 40
bits = 4:4
format = u8

[cell board/span]
offset = 41
bits = 6:4
format = hex

[cell board/u64]
offset = 48
size = 8
format = u64le

[cell board/blob]
offset = 0x200
size = 5
CONF

start_daemon "$T/nvmemfs.conf"

check_eq "root lists the devices" "big bigcached board rodev" "$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')"
check_eq "device directory" "cells nvmem status type" "$(ls "$MNT/board" | tr '\n' ' ' | sed 's/ $//')"
check_eq "cells directory" "be16 blob le16 mac-address rev serial-number span u64" \
	"$(ls "$MNT/board/cells" | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "find walks the tree" "29" "$(find "$MNT" | wc -l)"

check_eq "nvmem st_size is the device size" "4096" "$(stat -c %s "$MNT/board/nvmem")"
check_eq "writable device is 0644" "644" "$(stat -c %a "$MNT/board/nvmem")"
check_eq "read-only device is 0444" "444" "$(stat -c %a "$MNT/rodev/nvmem")"
check_eq "directories are 0555" "555 555 555" \
	"$(stat -c %a "$MNT/board" "$MNT/board/cells" "$MNT" | tr '\n' ' ' | sed 's/ $//')"
check_eq "type text" "EEPROM" "$(cat "$MNT/board/type")"
check_eq "default type" "Unknown" "$(cat "$MNT/rodev/type")"
check_eq "type st_size" "7" "$(stat -c %s "$MNT/board/type")"

# Whole device and ranges with dd.
if cmp -s "$T/board.bin" "$MNT/board/nvmem"; then pass "cat of nvmem equals the image"; else fail "nvmem differs from the image"; fi
check_eq "dd skip/count" "$(hexof "$T/board.bin" 1024 256)" \
	"$(dd if="$MNT/board/nvmem" bs=256 skip=4 count=1 status=none | xxd -p | tr -d '\n')"
check_eq "dd with odd block size" "$(hexof "$T/board.bin" 4001 95)" \
	"$(dd if="$MNT/board/nvmem" bs=1 skip=4001 count=200 status=none | xxd -p | tr -d '\n')"
check_eq "read crossing the end is cut short" "10 $(hexof "$T/board.bin" 4086 10)" \
	"$("$FSPROBE" pread "$MNT/board/nvmem" 4086 100)"
check_eq "read at the end returns 0 bytes" "0 " "$("$FSPROBE" pread "$MNT/board/nvmem" 4096 10)"
check_eq "read past the end returns 0 bytes" "0 " "$("$FSPROBE" pread "$MNT/board/nvmem" 100000 10)"
# Reads are spliced from the page cache unless the device is cached:
# both paths, with requests split by the kernel and cut at the end.
for d in big bigcached; do
	for bs in 4096 1M 4M; do
		if dd if="$MNT/$d/nvmem" bs=$bs status=none | cmp -s - "$T/big.bin"; then
			pass "$d: dd bs=$bs equals the image"
		else
			fail "$d: dd bs=$bs differs from the image"
		fi
	done
	# small reads are copied, larger ones spliced
	check_eq "$d: read crossing the end" "1123 $(hexof "$T/big.bin" $((3 * 1024 * 1024 - 1000)) 1123)" \
		"$("$FSPROBE" pread "$MNT/$d/nvmem" $((3 * 1024 * 1024 - 1000)) 2000)"
	check_eq "$d: large read crossing the end" "9123 $(hexof "$T/big.bin" $((3 * 1024 * 1024 - 9000)) 9123)" \
		"$("$FSPROBE" pread "$MNT/$d/nvmem" $((3 * 1024 * 1024 - 9000)) 65536)"
done

# Cells and formats.
check_eq "mac cell" "00:11:22:aa:bb:cc" "$(cat "$MNT/board/cells/mac-address")"
check_eq "mac st_size" "18" "$(stat -c %s "$MNT/board/cells/mac-address")"
check_eq "string cell stops at NUL" "SN-0042" "$(cat "$MNT/board/cells/serial-number")"
check_eq "string st_size is what a read returns" "8" "$(stat -c %s "$MNT/board/cells/serial-number")"
check_eq "u16le" "4660" "$(cat "$MNT/board/cells/le16")"
check_eq "u16be" "4660" "$(cat "$MNT/board/cells/be16")"
check_eq "bit field 4:4 of 0xa7" "10" "$(cat "$MNT/board/cells/rev")"
check_eq "bit field 6:4 spanning 0x80 0x02" "0a" "$(cat "$MNT/board/cells/span")"
check_eq "u64le" "3735928559" "$(cat "$MNT/board/cells/u64")"
check_eq "u64le st_size" "11" "$(stat -c %s "$MNT/board/cells/u64")"
check_eq "raw cell bytes" "$(hexof "$T/board.bin" 512 5)" "$(xxd -p "$MNT/board/cells/blob")"
check_eq "raw cell st_size" "5" "$(stat -c %s "$MNT/board/cells/blob")"
check_eq "cell read at an offset" "2 $(hexof "$T/board.bin" 515 2)" \
	"$("$FSPROBE" pread "$MNT/board/cells/blob" 3 100)"
check_eq "cell read past its end" "0 " "$("$FSPROBE" pread "$MNT/board/cells/blob" 5 10)"

check_eq "unknown device" "ENOENT" "$("$FSPROBE" open "$MNT/nope/nvmem" rdonly)"
check_eq "unknown cell" "ENOENT" "$("$FSPROBE" open "$MNT/board/cells/nope" rdonly)"
check_eq "inode numbers are stable" "$(stat -c %i "$MNT/board/nvmem")" "$(stat -c %i "$MNT/board/nvmem")"

# Where pipes cannot grow to hold a reply (pipe-max-size lowered, and no
# CAP_SYS_RESOURCE to exceed it), reads are copied instead of spliced:
# the same bytes, and the daemon says so once rather than building and
# dropping a pipe on every read.
stop_daemon
old_pipe_max=$(cat /proc/sys/fs/pipe-max-size)
cleanup_hooks+=("echo $old_pipe_max > /proc/sys/fs/pipe-max-size")
echo 65536 > /proc/sys/fs/pipe-max-size
DAEMON_WRAP="setpriv --bounding-set=-sys_resource --" start_daemon "$T/nvmemfs.conf"
for bs in 4096 1M; do
	if dd if="$MNT/big/nvmem" bs=$bs status=none | cmp -s - "$T/big.bin"; then
		pass "pipes that cannot grow: dd bs=$bs equals the image"
	else
		fail "pipes that cannot grow: dd bs=$bs differs from the image"
	fi
done
check_eq "pipes that cannot grow: said once" 1 \
	"$(grep -c 'reads are copied, not spliced' "$LOG")"
echo "$old_pipe_max" > /proc/sys/fs/pipe-max-size
