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
