#!/bin/bash
# SPDX-License-Identifier: MIT
# Writing through the mount, verified byte for byte against the image.
. "$(dirname "$0")/lib.sh"

image "$T/dev.bin" 8192
image "$T/ro.bin" 512 3
cp "$T/dev.bin" "$T/expect.bin"

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device dev]
provider = file
path = $T/dev.bin
[device ro]
provider = file
path = $T/ro.bin
read-only = yes
[cell dev/mac]
offset = 0x100
size = 6
format = mac
[cell dev/rev]
offset = 0x110
bits = 3:6
format = u8
[cell dev/raw]
offset = 0x120
size = 4
[cell dev/serial]
offset = 0x130
size = 12
format = string
[cell dev/word]
offset = 0x140
size = 4
format = u32be
[cell dev/locked]
offset = 0x150
size = 2
read-only = yes
CONF
start_daemon "$T/nvmemfs.conf"

# dd with seek, as a user writes a block.
head -c 300 /dev/urandom > "$T/blk"
dd if="$T/blk" of="$MNT/dev/nvmem" bs=300 seek=5 conv=notrunc status=none
dd if="$T/blk" of="$T/expect.bin" bs=300 seek=5 conv=notrunc status=none
if cmp -s "$T/dev.bin" "$T/expect.bin"; then pass "dd seek write lands byte for byte"; else fail "image differs after dd write"; fi
# dd without conv=notrunc truncates first: accepted, size unchanged.
dd if="$T/blk" of="$MNT/dev/nvmem" bs=100 count=1 status=none
dd if="$T/blk" of="$T/expect.bin" bs=100 count=1 conv=notrunc status=none
if cmp -s "$T/dev.bin" "$T/expect.bin"; then pass "dd with truncation writes in place"; else fail "image differs after truncating dd"; fi
check_eq "device size unchanged" "8192" "$(stat -c %s "$T/dev.bin")"

check_eq "write crossing the end is cut short" "4" "$("$FSPROBE" pwrite "$MNT/dev/nvmem" 8188 0102030405060708)"
check_eq "bytes before the end were written" "01020304" "$(hexof "$T/dev.bin" 8188 4)"
check_eq "write at the end: ENOSPC" "ENOSPC" "$("$FSPROBE" pwrite "$MNT/dev/nvmem" 8192 01)"
check_eq "write past the end: ENOSPC" "ENOSPC" "$("$FSPROBE" pwrite "$MNT/dev/nvmem" 9000 01)"

# Cells.
echo 00:11:22:33:44:55 > "$MNT/dev/cells/mac"
check_eq "mac text stored as 6 bytes" "001122334455" "$(hexof "$T/dev.bin" 256 6)"
check_eq "mac reads back" "00:11:22:33:44:55" "$(cat "$MNT/dev/cells/mac")"
check_eq "bad mac: EINVAL" "EINVAL" "$("$FSPROBE" pwrite "$MNT/dev/cells/mac" 0 "$(printf 'zz:11' | xxd -p)")"

before=$(hexof "$T/dev.bin" 0x110 2)
echo 45 > "$MNT/dev/cells/rev"
after=$(hexof "$T/dev.bin" 0x110 2)
check_eq "bit field reads back" "45" "$(cat "$MNT/dev/cells/rev")"
# bits 3..8 of the 16-bit little-endian window hold 45; the rest is as before
b=$(( 0x${before:2:2} * 256 + 0x${before:0:2} ))
a=$(( 0x${after:2:2} * 256 + 0x${after:0:2} ))
check_eq "neighbouring bits survive" "$(( b & ~(63 << 3) & 0xffff ))" "$(( a & ~(63 << 3) & 0xffff ))"
check_eq "field bits hold the value" "45" "$(( (a >> 3) & 63 ))"
check_eq "value too large for 6 bits: EINVAL" "EINVAL" "$("$FSPROBE" pwrite "$MNT/dev/cells/rev" 0 "$(printf '64' | xxd -p)")"

check_eq "raw cell whole write" "4" "$("$FSPROBE" pwrite "$MNT/dev/cells/raw" 0 deadbeef)"
check_eq "raw cell stored" "deadbeef" "$(hexof "$T/dev.bin" 0x120 4)"
check_eq "raw cell partial write: EINVAL" "EINVAL" "$("$FSPROBE" pwrite "$MNT/dev/cells/raw" 0 dead)"
check_eq "cell write at an offset: EINVAL" "EINVAL" "$("$FSPROBE" pwrite "$MNT/dev/cells/raw" 1 adbeef)"

echo "BOARD-7" > "$MNT/dev/cells/serial"
check_eq "string cell" "BOARD-7" "$(cat "$MNT/dev/cells/serial")"
check_eq "string stored NUL-padded" "$(printf 'BOARD-7\0\0\0\0\0' | xxd -p)" "$(hexof "$T/dev.bin" 0x130 12)"
check_eq "string too long: EINVAL" "EINVAL" "$("$FSPROBE" pwrite "$MNT/dev/cells/serial" 0 "$(printf 'ABCDEFGHIJKLMN' | xxd -p)")"
# A value in several write(2)s is one value, stored at close: pieces that
# mean nothing alone (printf, tr, stdio's buffer) are whole together,
# and a value refused at close leaves the old one.
check_eq "a value in two writes: stored at close" "9" "$("$FSPROBE" write2 "$MNT/dev/cells/mac" "02:00:5e" ":00:00:07")"
check_eq "... whole" "02005e000007" "$(hexof "$T/dev.bin" 256 6)"
{ printf '02:00'; printf ':5e:00'; printf ':00:08\n'; } > "$MNT/dev/cells/mac" &&
	pass "three printf pieces through one descriptor" || fail "three pieces refused"
check_eq "... stored whole" "02005e000008" "$(hexof "$T/dev.bin" 256 6)"
check_eq "a bad second piece: EINVAL at close" "EINVAL" "$("$FSPROBE" write2 "$MNT/dev/cells/mac" "02:00:5e" ":zz:00:09")"
check_eq "... and the old value stays" "02005e000008" "$(hexof "$T/dev.bin" 256 6)"
check_eq "more than the cell can take: refused at the write" "EINVAL" \
	"$("$FSPROBE" write2 "$MNT/dev/cells/serial" "ABCDEFGHIJKL" "MNOPQRSTUVWXYZ0123456789")"
check_eq "... and the old value stays" "BOARD-7" "$(cat "$MNT/dev/cells/serial")"
echo 305419896 > "$MNT/dev/cells/word"
check_eq "u32be stored big-endian" "12345678" "$(hexof "$T/dev.bin" 0x140 4)"

# Read-only device and cell.
check_eq "read-only device: EROFS" "EROFS" "$("$FSPROBE" open "$MNT/ro/nvmem" wronly)"
check_eq "read-only device rdwr: EROFS" "EROFS" "$("$FSPROBE" open "$MNT/ro/nvmem" rdwr)"
check_eq "read-only cell: EROFS" "EROFS" "$("$FSPROBE" open "$MNT/dev/cells/locked" wronly)"
check_eq "type file: EROFS" "EROFS" "$("$FSPROBE" open "$MNT/dev/type" wronly)"
check_eq "read-only device still reads" "ok" "$("$FSPROBE" open "$MNT/ro/nvmem" rdonly)"
