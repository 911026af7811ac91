#!/bin/bash
# SPDX-License-Identifier: MIT
# An unplug during a long read: a 1 MiB dd through nvmemfs from a loop
# device whose backing (slowfs) takes ~5 ms per KiB. The remove uevent
# arrives mid-way; dd must fail with "No such device" after at most about
# one more chunk (64 KiB: ~0.33 s), long before the ~5 s a full read
# takes. The figure is printed; the assertion is that dd fails mid-way.
. "$(dirname "$0")/lib.sh"
: "${SLOWFS:?}"
USEC_PER_KIB=5000

image "$T/a.img" 1048576 6
image "$T/b.img" 4096 7
mkdir -p "$T/slow"
"$SLOWFS" "$T/a.img" "$T/slow" "$USEC_PER_KIB" -f 2>>"$LOG" &
SLOWPID=$!
cleanup_hooks+=("fusermount3 -u $T/slow; wait $SLOWPID")
for _ in $(seq 1 100); do [ -e "$T/slow/image" ] && break; sleep 0.05; done
LOOP=$(losetup -f --show "$T/slow/image")
cleanup_hooks=("losetup -d $LOOP" "${cleanup_hooks[@]}")
UEVENT=/sys/devices/virtual/block/$(basename "$LOOP")/uevent

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device slow]
provider = file
path = $LOOP
[device other]
provider = file
path = $T/b.img
CONF
start_daemon "$T/nvmemfs.conf" --uevent-source=kernel
blockdev --flushbufs "$LOOP"

t0=$(date +%s.%N)
dd if="$MNT/slow/nvmem" of="$T/out" bs=1M count=1 2>"$T/dd.err" &
DD=$!
sleep 1.5
t_remove=$(date +%s.%N)
echo remove > "$UEVENT"
wait $DD && rc=0 || rc=$?
t_fail=$(date +%s.%N)
cat "$T/dd.err"
latency=$(echo "$t_fail - $t_remove" | bc)
total=$(echo "$t_fail - $t0" | bc)
echo "remove -> dd failure: ${latency} s (full read would take ~$((1024 * USEC_PER_KIB / 1000000)) s; one 64 KiB chunk ~$((64 * USEC_PER_KIB / 1000)) ms)"
echo "BENCH unplug_inflight_latency_s=$latency"

[ "$rc" -ne 0 ] && pass "dd fails" || fail "dd completed despite the unplug (took ${total}s)"
grep -q "No such device" "$T/dd.err" && pass "dd says No such device" || fail "dd error: $(cat "$T/dd.err")"
copied=$(stat -c %s "$T/out" 2>/dev/null || echo 0)
[ "$copied" -lt 1048576 ] && pass "the read stopped mid-way ($copied bytes)" || fail "all bytes copied"
# Hang guard, not a timing test: the remaining read would take > 3 s.
[ "$(echo "$latency < 3" | bc)" = 1 ] && pass "failure arrived long before the read could have finished" || fail "dd failed only after ${latency}s"
[ ! -e "$MNT/slow" ] && pass "directory gone" || fail "directory still there"
check_eq "other device unaffected" "$(hexof "$T/b.img" 0 8)" "$(dd if="$MNT/other/nvmem" bs=8 count=1 status=none | xxd -p)"

# SIGTERM (what systemctl stop sends) with the same long read in flight:
# the daemon must cut it as an unplug does, answer the reader with
# ENODEV, unmount and exit within about one chunk, not after the ~5 s the
# rest of the read would take.
stop_daemon
echo add > "$UEVENT"	# the loop device is back for the next daemon
start_daemon "$T/nvmemfs.conf" --uevent-source=kernel
blockdev --flushbufs "$LOOP"
rm -f "$T/out"
dd if="$MNT/slow/nvmem" of="$T/out" bs=1M count=1 2>"$T/dd.err" &
DD=$!
sleep 1.5
t_term=$(date +%s.%N)
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" && drc=0 || drc=$?
t_exit=$(date +%s.%N)
DAEMON_PID=
wait $DD && rc=0 || rc=$?
cat "$T/dd.err"
latency=$(echo "$t_exit - $t_term" | bc)
echo "SIGTERM -> daemon exit: ${latency} s (one 64 KiB chunk ~$((64 * USEC_PER_KIB / 1000)) ms)"
check_eq "SIGTERM: the daemon exits 0" 0 "$drc"
[ "$rc" -ne 0 ] && pass "SIGTERM: the read in flight fails" || fail "dd completed despite the stop"
grep -q "No such device" "$T/dd.err" && pass "SIGTERM: the reader gets No such device" || fail "dd error: $(cat "$T/dd.err")"
# Hang guard, not a timing test: the rest of the read would take > 3 s.
[ "$(echo "$latency < 3" | bc)" = 1 ] && pass "SIGTERM: the daemon did not wait for the read" || fail "the daemon exited only after ${latency}s"
mountpoint -q "$MNT" && fail "SIGTERM: still mounted" || pass "SIGTERM: unmounted"
grep -q "Terminated: stopping; cutting device I/O in flight" "$LOG" && pass "SIGTERM: logged" || fail "log: $(tail -5 "$LOG")"

# A lazy unmount (fusermount3 -u -z) with the same read in flight: the
# kernel tells the daemon nothing until the last file closes, so the
# daemon watches the mount table, and must stop as for SIGTERM.
echo add > "$UEVENT"
start_daemon "$T/nvmemfs.conf" --uevent-source=kernel
blockdev --flushbufs "$LOOP"
dd if="$MNT/slow/nvmem" of="$T/out" bs=1M count=1 2>"$T/dd.err" &
DD=$!
sleep 1.5
t_umount=$(date +%s.%N)
fusermount3 -u -z "$MNT"
wait "$DAEMON_PID" && drc=0 || drc=$?
t_exit=$(date +%s.%N)
DAEMON_PID=
wait $DD && rc=0 || rc=$?
latency=$(echo "$t_exit - $t_umount" | bc)
echo "lazy unmount -> daemon exit: ${latency} s"
check_eq "lazy unmount: the daemon exits 0" 0 "$drc"
grep -q "No such device" "$T/dd.err" && pass "lazy unmount: the reader gets No such device" || fail "dd: rc $rc, $(cat "$T/dd.err")"
# Hang guard, not a timing test: the rest of the read would take > 3 s.
[ "$(echo "$latency < 3" | bc)" = 1 ] && pass "lazy unmount: the daemon did not serve the read to its end" || fail "exited only after ${latency}s"
grep -q "the mount was taken out of the tree; stopping" "$LOG" && pass "lazy unmount: logged" || fail "log: $(tail -5 "$LOG")"
