#!/bin/bash
# SPDX-License-Identifier: MIT
# A page-cache mount (-o ro, kernel-devices = no, every device read-only
# and cached): the kernel opens files and rereads them without asking
# the daemon, and an unplug still takes everything away. The device is
# on a loop device whose kernel uevents reach the daemon (as t_hotplug).
. "$(dirname "$0")/lib.sh"

image "$T/a.img" 8192 6
printf '\x02\x00\x5e\x10\x20\x30' | dd of="$T/a.img" bs=1 seek=256 conv=notrunc status=none
loop_attach "$T/a.img"

conf() {	# conf EXTRA-DEVICE-LINES
	cat <<CONF
[nvmemfs]
kernel-devices = no
[device hot]
provider = file
path = $LOOP
$1
[cell hot/mac]
offset = 0x100
size = 6
format = mac
CONF
}
conf "$(printf 'read-only = yes\ncache = yes')" > "$T/pc.conf"

wait_state() {	# wait_state gone|back PATH: a 10 s hang guard, not a timing
	for _ in $(seq 1 200); do
		if [ "$1" = gone ] && [ ! -e "$2" ]; then return 0; fi
		if [ "$1" = back ] && [ -e "$2" ]; then return 0; fi
		sleep 0.05
	done
	return 1
}

# -d logs every request the daemon receives.
start_daemon "$T/pc.conf" -d -o ro --uevent-source=kernel
grep -q "files are kept in the page cache" "$LOG" && pass "the mount qualifies" ||
	fail "a read-only mount of a read-only cached device did not qualify"

ok=0
for _ in $(seq 1 100); do
	[ "$(cat "$MNT/hot/cells/mac")" = "02:00:5e:10:20:30" ] && ok=$((ok + 1))
done
check_eq "100 reads of the cell" 100 "$ok"
check_eq "raw device read" "$(hexof "$T/a.img" 0 8192)" \
	"$(dd if="$MNT/hot/nvmem" bs=4096 status=none | xxd -p | tr -d '\n')"
# The first OPEN is answered ENOSYS, after which the kernel sends none;
# the cell's page is read once.
check_eq "OPEN requests for 100 cats and a dd" 1 "$(requests OPEN)"
check_eq "FLUSH requests" 1 "$(requests FLUSH)"
check_eq "RELEASE requests" 0 "$(requests RELEASE)"
reads=$(requests READ)
if [ "$reads" -le 4 ]; then pass "$reads READ requests for 101 reads"; else fail "$reads READ requests"; fi
check_eq "writing open refused by the read-only mount" EROFS \
	"$("$FSPROBE" open "$MNT/hot/cells/mac" wronly)"
# status is read without a handle too (its snapshot freed with the read;
# the ASan stage would report a leak).
check_eq "status on a page-cache mount" "provider: file" \
	"$(grep '^provider:' "$MNT/hot/status")"

# Handles that read before the unplug: one read after it (go1), one
# after the device is back with other bytes (go2).
rm -f "$T/go1" "$T/go2"
"$FSPROBE" reread "$MNT/hot/cells/mac" "$T/go1" 0 64 > "$T/cell1.out" &
H1=$!
"$FSPROBE" reread "$MNT/hot/nvmem" "$T/go1" 256 6 > "$T/raw1.out" &
H2=$!
"$FSPROBE" reread "$MNT/hot/cells/mac" "$T/go2" 0 64 > "$T/cell2.out" &
H3=$!
"$FSPROBE" reread "$MNT/hot/nvmem" "$T/go2" 256 6 > "$T/raw2.out" &
H4=$!
wait_opened "$T/cell1.out" "$T/raw1.out" "$T/cell2.out" "$T/raw2.out"
check_eq "held cell read before the unplug" \
	"18 $(printf '02:00:5e:10:20:30\n' | xxd -p)" "$(head -1 "$T/cell1.out")"
check_eq "held raw read before the unplug" "6 02005e102030" "$(head -1 "$T/raw1.out")"

echo remove > "$UEVENT"
if wait_state gone "$MNT/hot"; then pass "directory goes on remove"; else fail "directory still there"; fi
check_eq "a new open after the unplug" ENOENT "$("$FSPROBE" open "$MNT/hot/cells/mac" rdonly)"
touch "$T/go1"
wait $H1 || true
wait $H2 || true
check_eq "old cell handle after the unplug: ENODEV, not the cached bytes" ENODEV "$(tail -1 "$T/cell1.out")"
check_eq "old raw handle after the unplug: ENODEV" ENODEV "$(tail -1 "$T/raw1.out")"

# Other bytes on the device while it is away, written through the loop
# device so that its own cache sees them.
printf '\x02\x00\x5e\xaa\xbb\xcc' | dd of="$LOOP" bs=1 seek=256 conv=notrunc,fsync status=none
echo add > "$UEVENT"
if wait_state back "$MNT/hot/cells/mac"; then pass "re-plug brings the device back"; else fail "not back"; fi
check_eq "the re-plugged cell: the new bytes" "02:00:5e:aa:bb:cc" "$(cat "$MNT/hot/cells/mac")"
check_eq "the re-plugged raw device: the new bytes" "02005eaabbcc" \
	"$(dd if="$MNT/hot/nvmem" bs=1 skip=256 count=6 status=none | xxd -p)"
touch "$T/go2"
wait $H3 || true
wait $H4 || true
check_eq "old cell handle after the re-plug: ENODEV" ENODEV "$(tail -1 "$T/cell2.out")"
check_eq "old raw handle after the re-plug: ENODEV" ENODEV "$(tail -1 "$T/raw2.out")"
stop_daemon

# Mounts that do not qualify are served as before: every open reaches
# the daemon. Read-write with the same devices; read-only with a device
# not declared cached.
: > "$LOG"
start_daemon "$T/pc.conf" -d --uevent-source=kernel
for _ in $(seq 1 20); do cat "$MNT/hot/cells/mac" > /dev/null; done
check_eq "read-write mount: OPEN requests for 20 cats" 20 "$(requests OPEN)"
stop_daemon
: > "$LOG"
conf "read-only = yes" > "$T/ro.conf"
start_daemon "$T/ro.conf" -d -o ro --uevent-source=kernel
for _ in $(seq 1 20); do cat "$MNT/hot/cells/mac" > /dev/null; done
check_eq "read-only mount, cache not said: OPEN requests for 20 cats" 20 "$(requests OPEN)"
grep -q "\[device hot\] is not read-only = yes and cache = yes" "$LOG" &&
	pass "the log says why it does not qualify" || fail "no reason logged"
