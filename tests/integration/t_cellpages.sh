#!/bin/bash
# SPDX-License-Identifier: MIT
# Fixed-size cells kept in the kernel's page cache on an ordinary
# (read-write) mount: a repeated cat costs an OPEN and no READ, and yet
# nothing stale is ever read. A new open sees every change at once, made
# through nvmemfs or around it; a descriptor held open sees a change made
# through nvmemfs at once and one made around it within the attribute
# lifetime (1 s); an unplug leaves it ENODEV, never the kept bytes. An
# open that cannot keep the page gives its READ the text it read.
# The device is on a loop device whose kernel uevents reach the daemon.
. "$(dirname "$0")/lib.sh"

image "$T/a.img" 8192 6
printf '\x02\x00\x5e\x10\x20\x30' | dd of="$T/a.img" bs=1 seek=256 conv=notrunc status=none
loop_attach "$T/a.img"
image "$T/b.img" 4096 7
printf '\x02\x00\x5e\x01\x02\x03' | dd of="$T/b.img" bs=1 seek=16 conv=notrunc status=none

cat > "$T/c.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device hot]
provider = file
path = $LOOP
[cell hot/mac]
offset = 0x100
size = 6
format = mac
[cell hot/name]
offset = 0x200
size = 8
format = string
[device cached]
provider = file
path = $T/b.img
cache = yes
[cell cached/mac]
offset = 16
size = 6
format = mac
CONF

mac_hex() { printf '%s\n' "$1" | xxd -p; }
# poke DEV OFF HEX: bytes written around nvmemfs (on the loop device, as
# another program on the board would).
poke() { printf "$(echo "$3" | sed 's/../\\x&/g')" |
	dd of="$1" bs=1 seek=$(($2)) conv=notrunc,fsync status=none; }

start_daemon "$T/c.conf" -d --uevent-source=kernel
M=$MNT/hot/cells/mac

# --- repeated reads: an OPEN each, the page read once ---
cat "$M" > /dev/null
o0=$(requests OPEN)
r0=$(requests READ)
ok=0
for _ in $(seq 1 100); do
	[ "$(cat "$M")" = "02:00:5e:10:20:30" ] && ok=$((ok + 1))
done
check_eq "100 reads of the cell" 100 "$ok"
check_eq "OPEN requests for 100 cats" 100 $(($(requests OPEN) - o0))
check_eq "READ requests for 100 cats of an unchanged cell" 0 $(($(requests READ) - r0))
# Cells whose text length varies are read through the daemon every time.
check_reads_each_time "a string cell" 10 "$MNT/hot/cells/name"

# --- a change made around nvmemfs: the next open sees it ---
poke "$LOOP" 0x100 02005e111111
check_eq "changed around nvmemfs: the next cat" "02:00:5e:11:11:11" "$(cat "$M")"
check_eq "... and the raw device" "02005e111111" \
	"$(dd if="$MNT/hot/nvmem" bs=1 skip=256 count=6 status=none | xxd -p)"

# --- a page the open cannot keep: the device is read once ---
# The open reads the cell to compare, and the READ that follows gives
# the kernel that text.
reads() { sed -n 's/^reads: //p' "$MNT/hot/status"; }
# fresh_attrs: let the kernel's entry and attributes of the cell expire
# and have them asked for again now (a LOOKUP or GETATTR reads the cell
# to check a kept page), so that a cat within the second asks for
# neither and its device reads are its OPEN's and READ's alone.
fresh_attrs() { sleep 1.1; stat "$M" > /dev/null; }
poke "$LOOP" 0x100 02005e121212
fresh_attrs
d0=$(reads)
check_eq "changed around nvmemfs again: the next cat" "02:00:5e:12:12:12" "$(cat "$M")"
check_eq "... reads the device once" 1 $(($(reads) - d0))
fresh_attrs
d0=$(reads)
cat "$M" > /dev/null
check_eq "an unchanged cat reads the device once, at the open" 1 $(($(reads) - d0))

# --- descriptors held open ---
rm -f "$T/go1" "$T/go2"
"$FSPROBE" until "$M" "$T/go1" 0 64 "$(mac_hex 02:00:5e:22:22:22)" > "$T/h1.out" &
H1=$!
"$FSPROBE" until "$M" "$T/go2" 0 64 "$(mac_hex 02:00:5e:33:33:33)" > "$T/h2.out" &
H2=$!
wait_opened "$T/h1.out" "$T/h2.out"
check_eq "held descriptor's first read" "18 $(mac_hex 02:00:5e:12:12:12)" "$(head -1 "$T/h1.out")"
# Through nvmemfs (a raw write): the very next read sees it.
printf '\x02\x00\x5e\x22\x22\x22' | dd of="$MNT/hot/nvmem" bs=1 seek=256 conv=notrunc status=none
touch "$T/go1"
wait $H1 || true
check_eq "held descriptor after a write through nvmemfs: the new text" \
	"18 $(mac_hex 02:00:5e:22:22:22)" "$(sed -n 3p "$T/h1.out")"
check_eq "... at its first read after the write" "0 ms" "$(sed -n 4p "$T/h1.out")"
# Around nvmemfs: within the attribute lifetime (1 s), when the kernel
# asks for the attributes again and the daemon finds the text changed.
poke "$LOOP" 0x100 02005e333333
touch "$T/go2"
wait $H2 || true
check_eq "held descriptor after a change around nvmemfs: the new text" \
	"18 $(mac_hex 02:00:5e:33:33:33)" "$(sed -n 3p "$T/h2.out")"
ms=$(sed -n 4p "$T/h2.out" | cut -d' ' -f1)
if [ -n "$ms" ] && [ "$ms" -le 3000 ]; then pass "... within $ms ms (attribute lifetime 1 s)"
else fail "... after ${ms:-?} ms"; fi

# --- a held descriptor whose open could not keep the page ---
# Its first READ gives what the open read, but not once the cell may
# have changed: a write through nvmemfs between the open and the first
# read, or a first read later than the attribute lifetime (1 s), reads
# the device again.
# hold_opened NAME: fsprobe hold of the cell, its open answered.
hold_opened() {
	rm -f "$T/go_$1"
	"$FSPROBE" hold "$M" "$T/go_$1" 0 64 > "$T/$1.out" &
	HOLD=$!
	wait_opened "$T/$1.out"
}
poke "$LOOP" 0x100 02005e131313
hold_opened h5
printf '\x02\x00\x5e\x14\x14\x14' | dd of="$MNT/hot/nvmem" bs=1 seek=256 conv=notrunc status=none
touch "$T/go_h5"
wait $HOLD || true
check_eq "written through nvmemfs after the open, before its first read" \
	"18 $(mac_hex 02:00:5e:14:14:14)" "$(tail -1 "$T/h5.out")"
poke "$LOOP" 0x100 02005e151515
hold_opened h6
poke "$LOOP" 0x100 02005e161616
sleep 1.2
touch "$T/go_h6"
wait $HOLD || true
check_eq "changed around nvmemfs after the open, first read 1.2 s later" \
	"18 $(mac_hex 02:00:5e:16:16:16)" "$(tail -1 "$T/h6.out")"

# --- a cached device: written through a cell, read at once ---
C=$MNT/cached/cells/mac
check_eq "cached device's cell" "02:00:5e:01:02:03" "$(cat "$C")"
rm -f "$T/go3"
"$FSPROBE" until "$C" "$T/go3" 0 64 "$(mac_hex 02:00:5e:0a:0b:0c)" > "$T/h3.out" &
H3=$!
wait_opened "$T/h3.out"
echo 02:00:5e:0a:0b:0c > "$C"
check_eq "written through the cell: the next cat" "02:00:5e:0a:0b:0c" "$(cat "$C")"
touch "$T/go3"
wait $H3 || true
check_eq "... and a descriptor held open, at its next read" \
	"18 $(mac_hex 02:00:5e:0a:0b:0c) 0 ms" "$(sed -n '3p;4p' "$T/h3.out" | tr '\n' ' ' | sed 's/ $//')"

# --- unplug: a held descriptor gets ENODEV, not the kept page ---
# It reads again the moment the directory is gone, while the kernel
# still trusts the attributes it has (1 s): only the pages dropped
# before the directory went stand between it and the old bytes.
check_held_unplug "$M" "$MNT/hot" 0
poke "$LOOP" 0x100 02005e444444
echo add > "$UEVENT"
for _ in $(seq 1 200); do [ -e "$M" ] && break; sleep 0.05; done
check_eq "re-plugged: the new bytes" "02:00:5e:44:44:44" "$(cat "$M")"
stop_daemon
