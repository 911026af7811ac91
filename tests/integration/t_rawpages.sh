#!/bin/bash
# SPDX-License-Identifier: MIT
# The raw nvmem file of a cached device that may be read ahead (a file,
# a block or MTD device) is kept in the kernel's page cache across opens
# on an ordinary read-write mount: a repeated cat reaches the daemon with
# its OPEN alone. Nothing but nvmemfs changes a cached device, and
# nothing stale is read: a write through nvmemfs, through a cell or the
# raw file, is seen by the next open and by a descriptor held open at its
# very next read; an unplug leaves a held descriptor ENODEV, never the
# kept bytes. An uncached device's raw file stays direct.
# The cached device is on a loop device whose kernel uevents reach the
# daemon.
. "$(dirname "$0")/lib.sh"

image "$T/a.img" 65536 8
loop_attach "$T/a.img"
image "$T/b.img" 8192 9

cat > "$T/c.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device hot]
provider = file
path = $LOOP
cache = yes
[cell hot/mac]
offset = 0x100
size = 6
format = mac
[device plain]
provider = file
path = $T/b.img
CONF

# held NAME OFF LEN HEX: a descriptor of the raw file that has read
# [OFF, OFF + LEN) once and, once $T/go_NAME exists, reads it every
# 10 ms until it is HEX; its output in $T/NAME.out.
held() {
	rm -f "$T/go_$1"
	"$FSPROBE" until "$R" "$T/go_$1" "$2" "$3" "$4" > "$T/$1.out" &
	HELD=$!
	wait_opened "$T/$1.out"
}

start_daemon "$T/c.conf" -d --uevent-source=kernel
R=$MNT/hot/nvmem

# --- repeated reads: the pages read once ---
cat "$R" > /dev/null
o0=$(requests OPEN)
r0=$(requests READ)
ok=0
for _ in $(seq 1 20); do cmp -s "$R" "$T/a.img" && ok=$((ok + 1)); done
check_eq "20 whole reads of the cached device" 20 "$ok"
check_eq "OPEN requests for 20 cats" 20 $(($(requests OPEN) - o0))
check_eq "READ requests for 20 cats of the cached device" 0 $(($(requests READ) - r0))
check_reads_each_time "an uncached device's raw file" 5 "$MNT/plain/nvmem"

# --- a write through a cell: the next open, and a descriptor held open ---
old=$(hexof "$T/a.img" 0x100 6)
held h1 0x100 6 02005eaabbcc
echo 02:00:5e:aa:bb:cc > "$MNT/hot/cells/mac"
touch "$T/go_h1"
wait $HELD || true
check_eq "held descriptor's first read" "6 $old" "$(head -1 "$T/h1.out")"
check_eq "held descriptor after a write through a cell: the new bytes at once" \
	"6 02005eaabbcc|0 ms" "$(sed -n '3p;4p' "$T/h1.out" | paste -sd'|')"
check_eq "... and the next cat" "02005eaabbcc" "$(hexof "$R" 0x100 6)"
check_eq "... which the device holds" "02005eaabbcc" "$(hexof "$LOOP" 0x100 6)"

# --- a write through the raw file (a writer's descriptor is direct) ---
held h2 0x8000 4 0badcafe
printf '\x0b\xad\xca\xfe' | dd of="$R" bs=1 seek=$((0x8000)) conv=notrunc status=none
touch "$T/go_h2"
wait $HELD || true
check_eq "held descriptor after a write through the raw file: the new bytes at once" \
	"4 0badcafe|0 ms" "$(sed -n '3p;4p' "$T/h2.out" | paste -sd'|')"
check_eq "... and the next cat" "0badcafe" "$(hexof "$R" 0x8000 4)"
ok=0
for _ in $(seq 1 5); do
	dd if="$R" bs=4096 count=1 skip=8 status=none | cmp -s - <(dd if="$LOOP" bs=4096 count=1 skip=8 status=none) &&
		ok=$((ok + 1))
done
check_eq "... and the whole page around it, 5 times" 5 "$ok"

# --- mappings: MAP_SHARED works on kept pages, direct files refuse it ---
check_eq "mmap MAP_SHARED of the kept raw file" "16 $(hexof "$LOOP" 0 16)" \
	"$("$FSPROBE" mmap "$R" shared 16)"
check_eq "an uncached device's gets the kernel's ENODEV" ENODEV \
	"$("$FSPROBE" mmap "$MNT/plain/nvmem" shared 16)"

# --- unplug: a held descriptor gets ENODEV, not the kept pages ---
# It reads again the moment the directory is gone, while the kernel
# still trusts the attributes it has (1 s): only the pages dropped
# before the directory went stand between it and the old bytes.
check_held_unplug "$R" "$MNT/hot" 0x1000
# Changed while unplugged: the device that comes back is read afresh.
printf '\x11\x22\x33\x44' | dd of="$LOOP" bs=1 seek=$((0x1000)) conv=notrunc,fsync status=none
echo add > "$UEVENT"
for _ in $(seq 1 200); do [ -e "$R" ] && break; sleep 0.05; done
check_eq "re-plugged: the new bytes" "11223344" "$(hexof "$R" 0x1000 4)"
stop_daemon
