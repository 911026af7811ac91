#!/bin/bash
# SPDX-License-Identifier: MIT
# Power cuts during an ONIE field edit. ONIE keeps a single copy, so a
# cut inside the write cannot leave the old TlvInfo nor the new one: it
# must leave the new bytes up to the cut and the old ones after it (no
# other byte of the device changes), with a CRC that does not match,
# which nvmemfs reports and does not serve as cells. On an emulated
# AT24 the chip is cut at every byte of the write; on a file the daemon
# is killed at a few points of a run of edits.
. "$(dirname "$0")/lib.sh"

ONIE="python3 $(dirname "$0")/onie_check.py"
h() { printf %s "$1" | xxd -p | tr -d '\n'; }

# A 24c02 holding a TlvInfo and, after it, bytes no edit may touch.
$ONIE build "$T/old.img" 256 "21:$(h Demo-Board)" "fd:0000a67f00ff" "23:$(h SN0042)" \
	"24:02005e005301" "2a:0008"
printf 'after the TlvInfo' | dd of="$T/old.img" bs=1 seek=200 conv=notrunc status=none

# run_cut N: start with the chip cut after N bus bytes (none: no cut),
# make the edit, plug the chip back in and save what it holds in
# $T/out.img; the cells then served in $T/cells.
run_cut() {
	{
		printf '[nvmemfs]\nkernel-devices = no\n[device onie]\nprovider = at24\n'
		printf 'emulate = %s\nemulate-clock = 1000000\naddress = 0x50\nchip = 24c02\n' "$T/old.img"
		printf 'layout = onie-tlv\n'
		[ "$1" = none ] || printf 'emulate-unplug-at = %s\n' "$1"
	} > "$T/cut.conf"
	: > "$LOG"
	start_daemon "$T/cut.conf" || return 1
	if [ -e "$MNT/onie/cells/serial-number" ]; then
		echo "SN-2024-000123" > "$MNT/onie/cells/serial-number" 2>/dev/null || true
	fi
	# One read of what the chip holds, after a re-plug if the cut came
	# before or during it.
	if ! cat "$MNT/onie/nvmem" > "$T/out.img" 2>/dev/null; then
		# Plugged back in once it is gone (the kernel may still
		# cache the directory's entry: the log says it).
		for _ in $(seq 1 100); do
			grep -qE "onie: (unregistered|gone while)" "$LOG" && break
			sleep 0.01
		done
		kill -USR2 "$DAEMON_PID"
		for _ in $(seq 1 100); do [ -e "$MNT/onie/nvmem" ] && break; sleep 0.02; done
		cat "$MNT/onie/nvmem" > "$T/out.img"
	fi
	ls "$MNT/onie/cells" > "$T/cells"
	stop_daemon
}

# The edit made whole: the new image, checked on its own.
run_cut none
cp "$T/out.img" "$T/new.img"
check_eq "the edit made whole is what the spec says" \
	"21:$(h Demo-Board) fd:0000a67f00ff 23:$(h SN-2024-000123) 24:02005e005301 2a:0008" \
	"$($ONIE dump "$T/new.img" 2>&1)"
total=$($ONIE total "$T/new.img")
check_eq "... and the bytes past it are the old ones" "$(tail -c +$((total + 1)) "$T/old.img" | md5sum)" \
	"$(tail -c +$((total + 1)) "$T/new.img" | md5sum)"

# Where the write lies on the bus: the fewest bytes that leave anything
# but the old image, and the fewest that leave the new one.
# outcome N: old, new, or torn (checked below) after a cut at N; the
# image kept as $T/out.N.img, the cells served after it as $T/cells.N.
outcome() {
	if [ ! -e "$T/out.$1.img" ]; then
		run_cut "$1" > /dev/null 2>&1
		mv "$T/out.img" "$T/out.$1.img"
		mv "$T/cells" "$T/cells.$1"
		cp "$LOG" "$T/log.$1"
	fi
	if cmp -s "$T/old.img" "$T/out.$1.img"; then echo old
	elif cmp -s "$T/new.img" "$T/out.$1.img"; then echo new
	else echo torn; fi
}
# first_cut OUTCOMES [LO]: the fewest bytes past LO whose outcome is one
# of OUTCOMES (old, then torn, then new as the cut comes later).
first_cut() {
	local lo=${2:-0} hi=1000 mid
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if grep -qwF -- "$(outcome $mid)" <<<"$1"; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}
w0=$(first_cut "torn new")
w1=$(first_cut "new" "$w0")
check_eq "the write spans bus bytes (first torn at $w0, whole at $w1)" "yes" \
	"$([ "$w0" -lt "$w1" ] && [ $((w1 - w0)) -lt 400 ] && echo yes)"

# Every byte of it.
for n in $(seq $((w0 - 2)) $((w1 + 1))); do
	outcome "$n" > /dev/null
done
# Each image checked against the spec; a torn one reported and not
# served as cells.
bad=0
$ONIE cut "$T/old.img" "$T/new.img" "$T"/out.*.img > "$T/outcomes" || bad=1
grep BAD "$T/outcomes" >&2 || true
while read -r img what; do
	n=${img##*/out.}; n=${n%.img}
	if [ "$what" = torn ] &&
	   { [ -s "$T/cells.$n" ] || ! grep -q "onie: onie-tlv layout not applied" "$T/log.$n"; }; then
		fail "cut at $n: torn TlvInfo served as cells ($(tr '\n' ' ' < "$T/cells.$n")) or not reported"
		bad=1
	fi
done < "$T/outcomes"
[ "$bad" = 0 ] && pass "cut at each of $((w1 - w0 + 4)) bus bytes: old, new, or torn with the new bytes up to the cut and not served; nothing else changed"
check_eq "... all three were seen" "new old torn" "$(awk '{print $2}' "$T/outcomes" | sort -u | tr '\n' ' ' | sed 's/ $//')"

# A file: the daemon SIGKILLed at a few points of a run of edits. One
# pwrite per edit: the file holds the old TlvInfo or the new one.
$ONIE build "$T/file.img" 4096 "21:$(h Demo-Board)" "fd:0000a67f00ff" "23:$(h SN0)" "2a:0008"
printf 'after the TlvInfo' | dd of="$T/file.img" bs=1 seek=3000 conv=notrunc status=none
tail -c +2049 "$T/file.img" | md5sum > "$T/tail.md5"
cat > "$T/file.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device onie]
provider = file
path = $T/file.img
layout = onie-tlv
CONF
bad=0
for delay in 0.05 0.1 0.15 0.2 0.3; do
	: > "$LOG"
	start_daemon "$T/file.conf"
	( for i in $(seq 1 2000); do
		printf 'SN%s' "$(head -c $((i % 200 + 1)) /dev/zero | tr '\0' x)" > "$MNT/onie/cells/serial-number" || exit 0
	  done ) 2>/dev/null &
	writer=$!
	sleep "$delay"
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=
	wait "$writer" || true
	fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	if ! recs=$($ONIE dump "$T/file.img" 2>&1) ||
	   ! grep -qE "^21:$(h Demo-Board) fd:0000a67f00ff 23:534e(30|(78)+) 2a:0008$" <<<"$recs" ||
	   [ "$(tail -c +2049 "$T/file.img" | md5sum)" != "$(cat "$T/tail.md5")" ]; then
		fail "SIGKILL after ${delay}s: $recs"
		bad=1
	fi
done
[ "$bad" = 0 ] && pass "SIGKILL during edits of a file: always a valid TlvInfo, nothing past it changed"
