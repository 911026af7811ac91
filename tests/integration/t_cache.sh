#!/bin/bash
# SPDX-License-Identifier: MIT
# The read cache through the mount, on emulated AT24s at 100 kHz whose
# bus vanishes after a budget of bytes: a cached cell read 100 times costs
# one bus read (the uncached twin runs out of bus), a write through
# nvmemfs is read back at once, and the defaults (read-only: cached).
. "$(dirname "$0")/lib.sh"

image "$T/board.img" 65536 21
printf '\x02\x00\x5e\x10\x20\x30' | dd of="$T/board.img" bs=1 seek=256 conv=notrunc status=none

device() {	# device NAME ADDRESS EXTRA-LINE
	cat <<CONF
[device $1]
provider = at24
emulate = $T/board.img
emulate-clock = 100000
emulate-unplug-at = 300
address = $2
chip = 24c512
$3
[cell $1/mac]
offset = 0x100
size = 6
format = mac
CONF
}
{
	printf '[nvmemfs]\nkernel-devices = no\n'
	device cached 0x50 "cache = yes"
	device uncached 0x51 "cache = no"
	device ro 0x52 "read-only = yes"
	device rw 0x53 ""
} > "$T/nvmemfs.conf"
start_daemon "$T/nvmemfs.conf"

# Each device's bus allows 300 data bytes: the probe, then 6 per
# uncached cell read, or one 32-byte cache block.
ok=0
for _ in $(seq 1 100); do
	[ "$(cat "$MNT/cached/cells/mac" 2>/dev/null)" = "02:00:5e:10:20:30" ] && ok=$((ok + 1))
done
check_eq "100 reads of a cached cell, within the bus budget of one" 100 "$ok"
ok=0
for _ in $(seq 1 100); do
	[ "$(cat "$MNT/uncached/cells/mac" 2>/dev/null)" = "02:00:5e:10:20:30" ] && ok=$((ok + 1))
done
# One 6-byte bus read per cat: about 49 fit the budget. The read at the
# end of the text must not go to the bus (that made it 25).
if [ "$ok" -lt 100 ] && [ "$ok" -ge 40 ]; then
	pass "the uncached twin ran out of bus after $ok reads, one bus read each"
else
	fail "uncached twin: $ok of 100 reads"
fi

# A write through nvmemfs is seen at once: never the cached bytes.
echo 02:00:5e:aa:bb:cc > "$MNT/cached/cells/mac"
check_eq "cached cell after a write" "02:00:5e:aa:bb:cc" "$(cat "$MNT/cached/cells/mac")"
printf '\x11\x22' | dd of="$MNT/cached/nvmem" bs=1 seek=258 conv=notrunc status=none
check_eq "after a write to nvmem over the cell" "02:00:11:22:bb:cc" "$(cat "$MNT/cached/cells/mac")"

# Defaults: read-only devices are cached, writable ones are not.
grep -q "ro: registered (.*, cached)" "$LOG" && pass "read-only device cached by default" ||
	fail "read-only device not cached"
grep -q "rw: registered (.*cells)$" "$LOG" && pass "writable device not cached by default" ||
	fail "writable device cached"

# A read-only cached device lets the kernel keep its cells' pages, so a
# repeated cat costs no read request. When the device goes, those pages
# go before its directory: a handle that read the cell before answers
# ENODEV after, never the remembered bytes.
rm -f "$T/go"
"$FSPROBE" reread "$MNT/ro/cells/mac" "$T/go" 0 64 > "$T/held.out" &
HOLD=$!
wait_opened "$T/held.out"
check_eq "held cell read before the unplug" \
	"18 $(printf '02:00:5e:10:20:30\n' | xxd -p)" "$(head -1 "$T/held.out")"
ok=0
for _ in $(seq 1 20); do
	[ "$(cat "$MNT/ro/cells/mac")" = "02:00:5e:10:20:30" ] && ok=$((ok + 1))
done
check_eq "20 more reads of the page-cached cell" 20 "$ok"
# Reading the raw device exhausts the emulated bus: the chip is gone.
dd if="$MNT/ro/nvmem" of=/dev/null bs=256 count=4 status=none 2>/dev/null || true
for _ in $(seq 1 200); do [ -e "$MNT/ro" ] || break; sleep 0.05; done
if [ ! -e "$MNT/ro" ]; then pass "the exhausted device went away"; else fail "ro still there"; fi
check_eq "a new open after the unplug" "ENOENT" "$("$FSPROBE" open "$MNT/ro/cells/mac" rdonly)"
touch "$T/go"
wait $HOLD || true
check_eq "the held handle: ENODEV, not the cached bytes" "ENODEV" "$(tail -1 "$T/held.out")"
