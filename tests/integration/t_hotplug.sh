#!/bin/bash
# SPDX-License-Identifier: MIT
# Hot-unplug through the real udev path: a loop device carries the image
# and real kernel uevents (written to its sysfs uevent file) reach the
# daemon through libudev's kernel monitor.
. "$(dirname "$0")/lib.sh"

image "$T/a.img" 65536 4
image "$T/b.img" 4096 5
loop_attach "$T/a.img"
NAME=$(basename "$LOOP")

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device hot]
provider = file
path = $LOOP
[device other]
provider = file
path = $T/b.img
[cell hot/id]
offset = 8
size = 4
CONF
start_daemon "$T/nvmemfs.conf" --uevent-source=kernel

# wait_gone DIR: the directory disappears (bounded wait, never a pass/fail
# on time: 10 s is a hang guard).
wait_state() {
	local want=$1 path=$2
	for _ in $(seq 1 200); do
		if [ "$want" = gone ] && [ ! -e "$path" ]; then return 0; fi
		if [ "$want" = back ] && [ -e "$path" ]; then return 0; fi
		sleep 0.05
	done
	return 1
}

check_eq "device on a loop device is served" "$(hexof "$T/a.img" 0 64)" \
	"$(dd if="$MNT/hot/nvmem" bs=64 count=1 status=none | xxd -p | tr -d '\n')"
ino_before=$(stat -c %i "$MNT/hot/nvmem")

rm -f "$T/go"
"$FSPROBE" hold "$MNT/hot/nvmem" "$T/go" 0 16 > "$T/held.out" &
HOLD=$!
"$FSPROBE" hold "$MNT/hot/cells/id" "$T/go" 0 4 > "$T/heldcell.out" &
HOLDC=$!
# fstat on old handles: once the device is gone, and again once it is back.
"$FSPROBE" fstat "$MNT/hot/nvmem" "$T/gone" > "$T/fstat1.out" &
FSTAT1=$!
"$FSPROBE" fstat "$MNT/hot/cells/id" "$T/go" > "$T/fstat2.out" &
FSTAT2=$!
wait_opened "$T/held.out" "$T/heldcell.out" "$T/fstat1.out" "$T/fstat2.out"

echo remove > "$UEVENT"
if wait_state gone "$MNT/hot"; then pass "directory disappears on remove"; else fail "directory still there after remove"; fi
check_eq "new lookups fail with ENOENT" "ENOENT" "$("$FSPROBE" open "$MNT/hot/nvmem" rdonly)"
check_eq "ls no longer lists it" "other" "$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')"
touch "$T/gone"
wait $FSTAT1 || true
check_eq "fstat on an old handle after the unplug: ENODEV" "ENODEV" "$(tail -1 "$T/fstat1.out")"
check_eq "the other device keeps serving" "$(hexof "$T/b.img" 0 16)" \
	"$(dd if="$MNT/other/nvmem" bs=16 count=1 status=none | xxd -p)"

echo add > "$UEVENT"
if wait_state back "$MNT/hot/nvmem"; then pass "re-plug brings the device back"; else fail "device not back after add"; fi
check_eq "re-plugged device reads" "$(hexof "$T/a.img" 100 16)" \
	"$(dd if="$MNT/hot/nvmem" bs=1 skip=100 count=16 status=none | xxd -p)"
ino_after=$(stat -c %i "$MNT/hot/nvmem")
if [ "$ino_before" != "$ino_after" ]; then pass "re-plugged device has new inode numbers"; else fail "inode reused: $ino_after"; fi

# Handles opened before the unplug answer ENODEV, even now that the
# device is back under the same name.
touch "$T/go"
wait $HOLD || true
wait $HOLDC || true
wait $FSTAT2 || true
check_eq "old nvmem handle: ENODEV" "ENODEV" "$(tail -1 "$T/held.out")"
check_eq "fstat on an old handle after the re-plug: ENODEV" "ENODEV" "$(tail -1 "$T/fstat2.out")"
check_eq "old cell handle: ENODEV" "ENODEV" "$(tail -1 "$T/heldcell.out")"

# Duplicate adds, changes and removes of unknown devices do no harm.
echo add > "$UEVENT"; echo change > "$UEVENT"
for other in /sys/devices/virtual/block/loop*/uevent; do
	[ "$other" = "$UEVENT" ] || echo change > "$other"
done
sleep 0.3
check_eq "still served after duplicate events" "ok" "$("$FSPROBE" open "$MNT/hot/nvmem" rdonly)"
echo remove > "$UEVENT"; echo remove > "$UEVENT"
wait_state gone "$MNT/hot" || true
echo add > "$UEVENT"
if wait_state back "$MNT/hot/nvmem"; then pass "back after a double remove"; else fail "not back after double remove"; fi
grep -q "hot: unregistered" "$LOG" && pass "unregistration is logged" || fail "no unregister log line"

# Lost events. A daemon held stopped while more uevents arrive than its
# socket holds gets ENOBUFS and must start over from what exists: here the
# device's path, a symlink as udev makes them, is turned from one loop
# device to another in the meantime. The old device must go and the new
# one be served under the same name, with the new one's bytes.
stop_daemon
LOOP2=$(losetup -f --show "$T/b.img")
cleanup_hooks+=("losetup -d $LOOP2")
LINK=/dev/nvmemfs-test-$$
ln -s "$LOOP" "$LINK"
cleanup_hooks+=("rm -f $LINK")
cat > "$T/link.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device hot]
provider = file
path = $LINK
CONF
: > "$LOG"
start_daemon "$T/link.conf" --uevent-source=kernel
check_eq "served through a /dev symlink" "65536" "$(stat -c %s "$MNT/hot/nvmem")"
kill -STOP "$DAEMON_PID"
ln -sfn "$LOOP2" "$LINK"
# 40,000 change events are more than the daemon's socket holds (it asks
# for 4 MiB); the check below says when a machine took them all.
for _ in $(seq 1 40000); do echo change > "$UEVENT"; done
kill -CONT "$DAEMON_PID"
for _ in $(seq 1 200); do grep -q "uevent queue overflowed" "$LOG" && break; sleep 0.05; done
grep -q "uevent queue overflowed" "$LOG" && pass "events lost: the daemon says so" ||
	fail "no overflow (the test needs one): $(tail -3 "$LOG")"
for _ in $(seq 1 200); do [ "$(stat -c %s "$MNT/hot/nvmem" 2>/dev/null)" = 4096 ] && break; sleep 0.05; done
check_eq "events lost: the device now behind the path is served" "4096" \
	"$(stat -c %s "$MNT/hot/nvmem" 2>&1)"
check_eq "events lost: with its bytes" "$(hexof "$T/b.img" 0 16)" \
	"$(dd if="$MNT/hot/nvmem" bs=16 count=1 status=none | xxd -p)"
