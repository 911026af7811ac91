#!/bin/bash
# SPDX-License-Identifier: MIT
# Power cuts in the middle of a U-Boot environment write, judged by
# Debian's fw_printenv: an emulated AT24 loses power after every possible
# number of bus bytes of one variable write (tests/integration/powercut.c);
# a redundant environment must then read as the old or the new one, a
# single copy as the old, the new or invalid (the window nvmemfs.conf(5)
# documents), and no byte outside the copy being written may change. For
# an image file, the daemon is killed (SIGKILL) during writes instead.
. "$(dirname "$0")/lib.sh"

need_tools fw_printenv mkenvimage

# A 24c32 (4 KiB): copy 0 at 0 (active, flags 1), copy 1 at 0x200 (older,
# flags 0), the rest a pattern that must survive. 512-byte copies: every
# byte of a write is a cut point, each one a run of its own.
printf 'counter=0\nboard=demo\nbootcmd=run distro\n' > "$T/old.txt"
printf 'counter=0\nboard=older\n' > "$T/older.txt"
mkenvimage -r -s 512 -o "$T/c0.img" "$T/old.txt"
mkenvimage -r -s 512 -o "$T/c1.img" "$T/older.txt"
printf '\000' | dd of="$T/c1.img" bs=1 seek=4 conv=notrunc status=none
image "$T/chip.img" 4096 3
dd if="$T/c0.img" of="$T/chip.img" conv=notrunc status=none
dd if="$T/c1.img" of="$T/chip.img" bs=512 seek=1 conv=notrunc status=none
mkenvimage -s 512 -o "$T/single.img" "$T/old.txt"
image "$T/chip1.img" 4096 4
dd if="$T/single.img" of="$T/chip1.img" conv=notrunc status=none

OLD=$(printf 'board=demo\nbootcmd=run distro\ncounter=0')
NEW=$(printf 'board=demo\nbootcmd=run distro\ncounter=1')

check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# sweep NAME CHIP REDUNDANT_OFFSET FW_ENV_CONFIG_LINES...
sweep() {
	local name=$1 chip=$2 roff=$3 range first last f n out
	mkdir -p "$T/$name"
	range=$("$POWERCUT" "$chip" 24c32 512 "$roff" counter 1 "$T/$name" 2>>"$T/$name.log") ||
		{ fail "$name: powercut: $(tail -2 "$T/$name.log")"; return 1; }
	read -r first last <<<"$range"
	echo "    $name: cuts after $first..$last bytes of the write"
	NOLD=0 NNEW=0 NBAD=0 NOTHER=0 NSTRAY=0
	for f in "$T/$name"/cut-*.img; do
		sed "s|IMG|$f|g" "$T/$name.config" > "$T/fw.config"
		out=$(fw_printenv -c "$T/fw.config" 2>&1) || true
		case "$out" in
		"$OLD") NOLD=$((NOLD + 1)) ;;
		"$NEW") NNEW=$((NNEW + 1)) ;;
		*"Bad CRC"*|*"default environment"*) NBAD=$((NBAD + 1)) ;;
		*) NOTHER=$((NOTHER + 1)); echo "    $f: $out" | head -3 ;;
		esac
		# Only the copy being written may change.
		for range in $4; do
			cmp -s -i "${range%:*}:${range%:*}" -n "${range#*:}" "$chip" "$f" ||
				NSTRAY=$((NSTRAY + 1))
		done
	done
	n=$(ls "$T/$name"/cut-*.img | wc -l)
	echo "    $name: $n cuts: $NOLD old, $NNEW new, $NBAD invalid, $NOTHER other"
}

# Redundant: copy 1 is written; copy 0 (the live one) and everything
# after 0x800 never change.
printf 'IMG 0x0 0x200\nIMG 0x200 0x200\n' > "$T/red.config"
sweep red "$T/chip.img" 512 "0:512 1024:3072"
check "redundant: every cut reads as the old or the new environment" test "$((NBAD + NOTHER))" -eq 0
check "redundant: both outcomes occur (the sweep covers the write)" test "$NOLD" -gt 0 -a "$NNEW" -gt 0
check_eq "redundant: no byte outside the inactive copy changed" 0 "$NSTRAY"
sed "s|IMG|$T/red/full.img|g" "$T/red.config" > "$T/fw.config"
check_eq "redundant: the uncut write reads as the new environment" "$NEW" "$(fw_printenv -c "$T/fw.config")"

# Single copy: the window documented in nvmemfs.conf(5).
printf 'IMG 0x0 0x200\n' > "$T/one.config"
sweep one "$T/chip1.img" -1 "512:3584"
check_eq "single copy: a cut reads old, new or invalid, nothing else" 0 "$NOTHER"
check "single copy: an invalid environment only inside the write" test "$NBAD" -le 512
check_eq "single copy: no byte after the copy changed" 0 "$NSTRAY"
echo "    single copy: invalid after $NBAD of $((NOLD + NNEW + NBAD)) cut points"

# nvmemfs serves what a cut left: the raw device, and a warning for an
# invalid single copy; the variables of the newer valid redundant copy.
bad=$(for f in "$T/one"/cut-*.img; do
	sed "s|IMG|$f|g" "$T/one.config" > "$T/fw.config"
	fw_printenv -c "$T/fw.config" >/dev/null 2>&1 || { echo "$f"; break; }
done)
if [ -n "$bad" ]; then
	cp "$bad" "$T/torn.img"
	cat > "$T/torn.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device torn]
provider = file
path = $T/torn.img
layout = u-boot-env
env-size = 512
CONF
	start_daemon "$T/torn.conf"
	check_eq "a torn single copy: no variables served" "" "$(ls "$MNT/torn/cells")"
	check_eq "... the raw device readable" 4096 "$(cat "$MNT/torn/nvmem" | wc -c)"
	grep -q 'torn: U-Boot environment not applied' "$LOG" && pass "... and a warning" ||
		fail "no warning: $(tail -2 "$LOG")"
	stop_daemon || fail "daemon exit"
else
	fail "single copy: no cut left an invalid environment (the sweep missed the write?)"
fi

# An image file: SIGKILL the daemon while a writer updates a variable.
cat > "$T/file.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device env]
provider = file
path = $T/file.img
layout = u-boot-env
env-size = 512
env-redundant-offset = 512
CONF
cp "$T/chip.img" "$T/file.img"
sed "s|IMG|$T/file.img|g" "$T/red.config" > "$T/fw.config"
killed_ok=0
for round in $(seq 1 8); do
	: > "$LOG"
	start_daemon "$T/file.conf" || { fail "round $round: no mount"; break; }
	(for i in $(seq 1 1000); do echo "$round$i" > "$MNT/env/cells/counter" || break; done) 2>/dev/null &
	writer=$!
	sleep "0.$((RANDOM % 20 + 5))"
	kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=
	wait "$writer" 2>/dev/null || true
	fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	v=$(fw_printenv -c "$T/fw.config" -n counter 2>/dev/null)
	case "$v" in
	[0-9]*) killed_ok=$((killed_ok + 1)) ;;
	*) fail "round $round: after SIGKILL fw_printenv reads '$v'" ;;
	esac
	cmp -s -i 1024:1024 "$T/chip.img" "$T/file.img" ||
		fail "round $round: bytes after the environment changed"
done
check_eq "SIGKILL mid-write: fw_printenv reads a whole environment every time" 8 "$killed_ok"
