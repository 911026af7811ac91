#!/bin/bash
# SPDX-License-Identifier: MIT
# Poll handles under stress, through the mount: pollers that come and go
# (some killed while they wait, so the kernel releases a file whose poll
# handle we still hold), writers waking them from other workers, and the
# device under them unplugged and re-plugged by real uevents, while
# status is read. The daemon must survive and exit cleanly (under
# ASan/TSan: with no report, which stop_daemon checks), and poll must
# still work at the end.
. "$(dirname "$0")/lib.sh"

POLLWAIT=${POLLWAIT:-$(dirname "$FSPROBE")/pollwait}
CYCLES=${NVMEMFS_STRESS_CYCLES:-200}

image "$T/a.img" 4096 9
loop_attach "$T/a.img"
image "$T/b.img" 4096 3

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device hot]
provider = file
path = $LOOP
[cell hot/id]
offset = 8
size = 4
format = hex
[device steady]
provider = file
path = $T/b.img
[cell steady/id]
offset = 8
size = 4
format = hex
CONF
start_daemon "$T/nvmemfs.conf" --uevent-source=kernel

# pollers STOPFILE: pollwait after pollwait on both devices' files; every
# third one is killed while it waits.
pollers() {
	local n=0 pid
	while [ ! -e "$1" ]; do
		"$POLLWAIT" 100 "$T/ready.$BASHPID" "$MNT/hot/nvmem" "$MNT/hot/cells/id" \
			"$MNT/steady/cells/id" > /dev/null 2>&1 &
		pid=$!
		n=$((n + 1))
		if [ $((n % 3)) -eq 0 ]; then sleep 0.01; kill "$pid" 2>/dev/null; fi
		wait "$pid" 2>/dev/null || true
	done
}
writers() {
	local i=0
	while [ ! -e "$1" ]; do
		i=$(((i + 1) % 256))
		"$FSPROBE" pwrite "$MNT/hot/nvmem" 8 "$(printf '%02x' $i)" > /dev/null 2>&1 || true
		printf '%02x000000' $i > "$MNT/steady/cells/id" 2>/dev/null || true
		cat "$MNT/hot/status" "$MNT/steady/status" > /dev/null 2>&1 || true
	done
}
pollers "$T/stop" & P1=$!
pollers "$T/stop" & P2=$!
writers "$T/stop" & W1=$!

for i in $(seq 1 "$CYCLES"); do
	echo remove > "$UEVENT"
	echo add > "$UEVENT"
	[ $((i % 10)) -ne 0 ] || sleep 0.05
done
for _ in $(seq 1 200); do [ -e "$MNT/hot/nvmem" ] && break; sleep 0.05; done
sleep 0.3
touch "$T/stop"
wait $P1 $P2 $W1 || true

kill -0 "$DAEMON_PID" 2>/dev/null && pass "the daemon survived" || fail "the daemon died"
# Still working: a poller on each device wakes for a write, and only then.
rm -f "$T/ready"
"$POLLWAIT" 5000 "$T/ready" "$MNT/hot/cells/id" "$MNT/steady/cells/id" > "$T/last" 2>&1 &
LAST=$!
for _ in $(seq 1 200); do [ -e "$T/ready" ] && break; sleep 0.02; done
echo 01020304 > "$MNT/hot/cells/id"
wait $LAST || true
check_eq "poll still wakes the changed file only" \
	"woke PRI|ERR - read ok - read ok -" "$(tr '\n' ' ' < "$T/last" | sed 's/ $//')"
check_eq "the re-plugged device's status is readable" "file" \
	"$(sed -n 's/^provider: //p' "$MNT/hot/status")"
