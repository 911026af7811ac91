#!/bin/bash
# SPDX-License-Identifier: MIT
# <device>/status through the mount: what the device is (backing,
# provider, size, layout and its state), and counters that move as the
# device is used: reads and writes (requests and bytes), provider errors
# with the last one named and dated, cache hits. Reading it does no
# device I/O; it is readable by whoever may read the device.
. "$(dirname "$0")/lib.sh"

command -v mkenvimage >/dev/null ||
	{ fail "mkenvimage missing (scripts/test installs u-boot-tools)"; exit 1; }

USR=nvt-st-$$
useradd -M -N -g users -s /usr/sbin/nologin "$USR"
cleanup_hooks+=("userdel $USR")
as() { local u=$1; shift; setpriv --reuid="$u" --regid=users --init-groups -- "$@"; }
chmod 755 "$T"

image "$T/plain.img" 1024 1
image "$T/ro.img" 512 2
image "$T/chip.img" 256 3
printf 'board=demo\n' > "$T/vars.txt"
mkenvimage -r -s 4096 -o "$T/r0.img" "$T/vars.txt"
cat "$T/r0.img" "$T/r0.img" > "$T/env.img"
# A backing that fails writes: a sparse file on a full tmpfs (ENOSPC).
mkdir "$T/full"
mount -t tmpfs -o size=64k tmpfs "$T/full"
cleanup_hooks+=("umount $T/full")
truncate -s 8192 "$T/full/sparse.img"
dd if=/dev/zero of="$T/full/filler" bs=4k status=none 2>/dev/null || true

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device plain]
provider = file
path = $T/plain.img
mode = 0644
[cell plain/a]
offset = 0
size = 4
format = hex
[device secret]
provider = file
path = $T/plain.img
mode = 0400
read-only = yes
[device ro]
provider = file
path = $T/ro.img
read-only = yes
cache = yes
[cell ro/id]
offset = 4
size = 4
format = hex
[device onie]
provider = file
path = $T/ro.img
read-only = yes
layout = onie-tlv
[device env]
provider = file
path = $T/env.img
layout = u-boot-env
env-size = 4096
env-redundant-offset = 4096
[device full]
provider = file
path = $T/full/sparse.img
[device chip]
provider = at24
emulate = $T/chip.img
chip = 24c02
address = 0x50
CONF
start_daemon "$T/nvmemfs.conf" -o allow_other

# key DEVICE KEY: the value of one status line.
key() { sed -n "s/^$2: //p" "$MNT/$1/status"; }

check_eq "status is listed in the device directory" "cells nvmem status type" \
	"$(ls "$MNT/plain" | tr '\n' ' ' | sed 's/ $//')"
check_eq "keys, in order" \
	"backing provider size layout reads read-bytes writes write-bytes errors retries last-error" \
	"$(cut -d: -f1 "$MNT/plain/status" | tr '\n' ' ' | sed 's/ $//')"
check_eq "backing" "$T/plain.img" "$(key plain backing)"
check_eq "provider" "file" "$(key plain provider)"
check_eq "size" "1024" "$(key plain size)"
check_eq "layout" "fixed" "$(key plain layout)"
check_eq "no error yet" "none" "$(key plain last-error)"
check_eq "st_size is what a read returns" "$(wc -c < "$MNT/plain/status")" \
	"$(stat -c %s "$MNT/plain/status")"
check_eq "mode: the device's read bits" "444 400" \
	"$(stat -c %a "$MNT/plain/status" "$MNT/secret/status" | tr '\n' ' ' | sed 's/ $//')"

# --- counters ---
r0=$(key plain reads); rb0=$(key plain read-bytes)
check_eq "reading status is no device I/O" "$r0" "$(key plain reads)"
dd if="$MNT/plain/nvmem" bs=1024 count=1 status=none > /dev/null
check_eq "a read is one request" "$((r0 + 1))" "$(key plain reads)"
check_eq "... of 1024 bytes" "$((rb0 + 1024))" "$(key plain read-bytes)"
w0=$(key plain writes); wb0=$(key plain write-bytes)
"$FSPROBE" pwrite "$MNT/plain/nvmem" 100 0102030405060708 > /dev/null
echo a1a2a3a4 > "$MNT/plain/cells/a"
check_eq "two writes (raw, cell)" "$((w0 + 2))" "$(key plain writes)"
check_eq "... of 8 + 4 bytes" "$((wb0 + 12))" "$(key plain write-bytes)"
check_eq "no errors" "0" "$(key plain errors)"

# --- errors: the provider's, named and dated ---
check_eq "a failing write fails" "ENOSPC" "$("$FSPROBE" pwrite "$MNT/full/nvmem" 0 00)"
check_eq "it is counted" "1" "$(key full errors)"
check_eq "the last error is named and dated" "ENOSPC (No space left on device) at $(date -u +%Y-%m-%d)" \
	"$(key full last-error | sed 's/T[0-9:]*Z$//')"
check_eq "... to the second (ISO 8601, UTC)" "1" \
	"$(key full last-error | grep -cE ' at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')"

# --- cache ---
check_eq "an uncached device shows no cache lines" "" "$(key plain cache-hits)"
h0=$(key ro cache-hits)
cat "$MNT/ro/nvmem" > /dev/null
# The kernel keeps the raw file of a cached image (nvmemfs(8), Kept
# device pages): only a read that bypasses its page cache reaches the
# daemon's cache.
dd if="$MNT/ro/nvmem" of=/dev/null bs=4096 iflag=direct status=none
check_eq "a cached device counts hits" "$((h0 + 1))" "$(key ro cache-hits)"
check_eq "... and misses" "1" "$(key ro cache-misses)"

# --- layouts ---
check_eq "a layout that did not apply says why" "onie-tlv/not applied" \
	"$(key onie layout)/$(key onie layout-state | cut -d: -f1)"
check_eq "U-Boot environment" "u-boot-env/applied" "$(key env layout)/$(key env layout-state)"
c0=$(key env env-active-copy); f0=$(key env env-flags)
echo other > "$MNT/env/cells/board"
ls "$MNT/env/cells" > /dev/null	# a sync
check_eq "a write moves the active copy (as the next sync sees it)" "$((1 - c0))" \
	"$(key env env-active-copy)"
check_eq "... with the next flags" "$(((f0 + 1) % 256))" "$(key env env-flags)"
"$FSPROBE" pwrite "$MNT/env/nvmem" 0 00000000 > /dev/null
"$FSPROBE" pwrite "$MNT/env/nvmem" 4096 00000000 > /dev/null
ls "$MNT/env/cells" > /dev/null
check_eq "both copies broken: invalid since a time, and why" "invalid since $(date -u +%Y-%m-%d)" \
	"$(key env layout-state | sed 's/T[0-9:]*Z: .*//')"

# --- at24 ---
check_eq "at24: provider" "at24" "$(key chip provider)"
check_eq "at24: retries, none on a healthy bus" "0" "$(key chip retries)"

# --- who may read it ---
check_eq "a user who may read the device reads its status" "plain" \
	"$(as "$USR" cat "$MNT/plain/status" | sed -n 's/^backing: .*\///p' | sed 's/\.img$//')"
if as "$USR" cat "$MNT/secret/status" > /dev/null 2>&1; then
	fail "a user who may not read the device read its status"
else
	pass "a user who may not read the device cannot read its status"
fi
check_eq "status is read-only" "EROFS" "$("$FSPROBE" open "$MNT/plain/status" wronly)"
