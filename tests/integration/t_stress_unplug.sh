#!/bin/bash
# SPDX-License-Identifier: MIT
# Stress through the mount: 8 readers verify every byte while the loop
# device under the device is removed and re-added by real uevents, 1000
# times. Every read returns the right bytes or ENODEV (ENOENT on open
# while it is away); the daemon exits cleanly (under ASan/TSan: with no
# report, which stop_daemon checks).
. "$(dirname "$0")/lib.sh"
: "${STRESSREAD:?}"
CYCLES=${NVMEMFS_STRESS_CYCLES:-1000}

image "$T/a.img" 262144 9
loop_attach "$T/a.img"
image "$T/b.img" 4096 3

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device hot]
provider = file
path = $LOOP
[device steady]
provider = file
path = $T/b.img
CONF
start_daemon "$T/nvmemfs.conf" --uevent-source=kernel

"$STRESSREAD" "$MNT/hot/nvmem" "$T/a.img" 8 "$T/stop" > "$T/readers.out" 2>&1 &
READERS=$!
"$STRESSREAD" "$MNT/steady/nvmem" "$T/b.img" 2 "$T/stop" > "$T/steady.out" 2>&1 &
STEADY=$!

for i in $(seq 1 "$CYCLES"); do
	echo remove > "$UEVENT"
	echo add > "$UEVENT"
	# let some reads through now and then
	[ $((i % 50)) -ne 0 ] || sleep 0.05
done
# the last add is processed: the device is back
for _ in $(seq 1 200); do [ -e "$MNT/hot/nvmem" ] && break; sleep 0.05; done
sleep 0.5
touch "$T/stop"
wait $READERS && pass "hot readers: only right bytes, ENODEV or ENOENT" || fail "hot readers saw errors: $(cat "$T/readers.out")"
wait $STEADY && pass "the steady device never failed" || fail "steady readers: $(cat "$T/steady.out")"
cat "$T/readers.out"
read -r _ verified _ enodev _ _ _ wrong _ _ < <(tail -1 "$T/readers.out")
[ "$verified" -gt 0 ] && pass "readers verified data" || fail "no verified reads"
[ "$enodev" -gt 0 ] && pass "unplugs hit open handles (ENODEV seen)" || fail "no ENODEV: did the unplugs happen?"
check_eq "steady device has no ENODEV" "0" "$(tail -1 "$T/steady.out" | awk '{print $4}')"
check_eq "device back at the end" "$(hexof "$T/a.img" 0 32)" "$(dd if="$MNT/hot/nvmem" bs=32 count=1 status=none | xxd -p | tr -d '\n')"
