#!/bin/bash
# SPDX-License-Identifier: MIT
# AT24 EEPROMs through the mount, on the emulated I2C bus under the real
# at24 provider: cells and nvmem at 100 kHz and 400 kHz, page-wise writes,
# an unplug in the middle of a 64 KiB dd, and a re-plug (SIGUSR2).
. "$(dirname "$0")/lib.sh"

image "$T/board.img" 65536 11
printf '\x02\x00\x5e\x10\x20\x30' | dd of="$T/board.img" bs=1 seek=256 conv=notrunc status=none
printf 'SN4711\0\0' | dd of="$T/board.img" bs=1 seek=16 conv=notrunc status=none
image "$T/small.img" 256 12
image "$T/pull.img" 65536 13

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device board]
provider = at24
emulate = $T/board.img
emulate-clock = 400000
address = 0x50
chip = 24c512
[cell board/mac-address]
offset = 0x100
size = 6
format = mac
[cell board/serial-number]
offset = 0x10
size = 8
format = string
[device small]
provider = at24
emulate = $T/small.img
emulate-clock = 100000
address = 0x51
chip = 24c02
[device pulled]
provider = at24
emulate = $T/pull.img
emulate-clock = 400000
address = 0x52
chip = 24c512
emulate-unplug-at = 20000
CONF
start_daemon "$T/nvmemfs.conf"

check_eq "type of an AT24" "EEPROM" "$(cat "$MNT/board/type")"
check_eq "size from the chip table" "65536" "$(stat -c %s "$MNT/board/nvmem")"
check_eq "mac cell at 400 kHz" "02:00:5e:10:20:30" "$(cat "$MNT/board/cells/mac-address")"
check_eq "string cell" "SN4711" "$(cat "$MNT/board/cells/serial-number")"
if cmp -s "$T/board.img" "$MNT/board/nvmem"; then pass "whole 24c512 read at 400 kHz"; else fail "24c512 contents differ"; fi
if cmp -s "$T/small.img" "$MNT/small/nvmem"; then pass "whole 24c02 read at 100 kHz"; else fail "24c02 contents differ"; fi
check_eq "dd skip/count on the EEPROM" "$(hexof "$T/board.img" 1000 300)" \
	"$(dd if="$MNT/board/nvmem" bs=100 skip=10 count=3 status=none | xxd -p | tr -d '\n')"

# Writes cross page boundaries (128-byte pages); verified by reading back.
head -c 1000 /dev/urandom > "$T/w"
dd if="$T/w" of="$MNT/board/nvmem" bs=1000 seek=1 oflag=seek_bytes seek=333 conv=notrunc status=none
check_eq "write across 8 pages reads back" "$(xxd -p "$T/w" | tr -d '\n')" \
	"$(dd if="$MNT/board/nvmem" bs=1 skip=333 count=1000 status=none | xxd -p | tr -d '\n')"
check_eq "bytes around the write untouched" "$(hexof "$T/board.img" 323 10)$(hexof "$T/board.img" 1333 10)" \
	"$(dd if="$MNT/board/nvmem" bs=1 skip=323 count=10 status=none | xxd -p)$(dd if="$MNT/board/nvmem" bs=1 skip=1333 count=10 status=none | xxd -p)"
echo 02:00:5e:aa:bb:cc > "$MNT/board/cells/mac-address"
check_eq "cell write on the EEPROM" "02:00:5e:aa:bb:cc" "$(cat "$MNT/board/cells/mac-address")"

# Unplug after 20000 bytes on the wire, during a 64 KiB dd.
ino_before=$(stat -c %i "$MNT/pulled/nvmem")
"$FSPROBE" hold "$MNT/pulled/nvmem" "$T/go" 0 16 > "$T/held.out" &
HOLD=$!
wait_opened "$T/held.out"
dd if="$MNT/pulled/nvmem" of="$T/out" bs=64k count=1 2>"$T/dd.err" && rc=0 || rc=$?
cat "$T/dd.err"
[ "$rc" -ne 0 ] && pass "dd fails when the adapter goes" || fail "dd completed"
grep -q "No such device" "$T/dd.err" && pass "dd says No such device" || fail "dd error: $(cat "$T/dd.err")"
for _ in $(seq 1 100); do [ -e "$MNT/pulled" ] || break; sleep 0.05; done
[ ! -e "$MNT/pulled" ] && pass "directory gone without any udev event" || fail "directory still there"
check_eq "other devices keep serving" "02:00:5e:aa:bb:cc" "$(cat "$MNT/board/cells/mac-address")"

# Re-plug: SIGUSR2 plugs the emulated chip back in.
kill -USR2 "$DAEMON_PID"
for _ in $(seq 1 100); do [ -e "$MNT/pulled/nvmem" ] && break; sleep 0.05; done
if cmp -s "$T/pull.img" "$MNT/pulled/nvmem"; then pass "re-plugged device reads right"; else fail "re-plugged device differs"; fi
[ "$(stat -c %i "$MNT/pulled/nvmem")" != "$ino_before" ] && pass "new inode numbers after re-plug" || fail "inode reused"
touch "$T/go"; wait $HOLD || true
check_eq "handle from before the unplug: ENODEV" "ENODEV" "$(tail -1 "$T/held.out")"
grep -q "pulled: provider reports the hardware gone" "$LOG" && pass "the loss is logged" || fail "no log line"

# A geometry the chip does not have would reach addresses where other
# chips answer: each such key is an error naming file, line and key.
geometry() {	# geometry EXPECTED-MESSAGE KEY=VALUE...
	local want=$1 out rc
	shift
	{
		printf '[device e]\nprovider = at24\nbus = 1\n'
		printf '%s\n' "$@"
	} > "$T/geo.conf"
	out=$("$NVMEMFS" --check-config -c "$T/geo.conf" 2>&1) && rc=0 || rc=$?
	if [ "$rc" = 1 ] && grep -qF "$want" <<<"$out"; then
		pass "refused: $*"
	else
		fail "$* (exit $rc): $out"
	fi
}
geometry "geo.conf:6: [device e] size: 1024 bytes is more than a 24c02 holds (256)" \
	"address = 0x50" "chip = 24c02" "size = 1K"
geometry "geo.conf:6: [device e] address-width: 8-bit word addresses would spread a 24c512 over 256 I2C addresses; it answers on 1" \
	"address = 0x50" "chip = 24c512" "address-width = 8"
geometry "geo.conf:4: [device e] address: a 24c16 at 0x74 also answers at 0x7b, past 0x77" \
	"address = 0x74" "chip = 24c16"
printf '[device e]\nprovider = at24\nbus = 1\naddress = 0x70\nchip = 24c16\n' > "$T/geo.conf"
"$NVMEMFS" --check-config -c "$T/geo.conf" >/dev/null 2>&1 &&
	pass "a 24c16 at 0x70 (up to 0x77) is fine" || fail "24c16 at 0x70 refused"

# Unplugged while its layout is read, before it is served: the device
# must stay absent (not a directory answering ENODEV for good), the
# daemon must start, and a re-plug must bring it back.
stop_daemon
image "$T/early.img" 256 14
cat > "$T/early.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device early]
provider = at24
emulate = $T/early.img
address = 0x50
chip = 24c02
layout = u-boot-env
emulate-unplug-at = 100
CONF
: > "$LOG"
start_daemon "$T/early.conf"
[ ! -e "$MNT/early" ] && pass "gone during set-up: not served" || fail "early is served: $(ls "$MNT/early" 2>&1)"
grep -q "early: gone while it was being set up" "$LOG" && pass "gone during set-up: logged" || fail "log: $(cat "$LOG")"
kill -USR2 "$DAEMON_PID"
for _ in $(seq 1 100); do [ -e "$MNT/early/nvmem" ] && break; sleep 0.05; done
cmp -s "$T/early.img" "$MNT/early/nvmem" && pass "gone during set-up: a re-plug serves it" || fail "early after re-plug"
