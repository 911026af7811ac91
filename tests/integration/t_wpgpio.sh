#!/bin/bash
# SPDX-License-Identifier: MIT
# wp-gpio through the mount, on the emulated AT24 whose WP input the
# emulated line drives (emulate = IMAGE): writes land, the polarity is
# the one the chip sees, a bus gone in the middle of a write gives the
# writer ENODEV, and the keys' mistakes are named. The real GPIO
# character device and hid-cp2112 are in tests/kernel (scenario wp).
. "$(dirname "$0")/lib.sh"

image "$T/wp.img" 65536 21
image "$T/inv.img" 256 22
image "$T/pull.img" 65536 23

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device wp]
provider = at24
emulate = $T/wp.img
emulate-clock = 400000
address = 0x50
chip = 24c512
wp-gpio = emulated 0
[cell wp/mac-address]
offset = 0x100
size = 6
format = mac
[device inverted]
provider = at24
emulate = $T/inv.img
address = 0x51
chip = 24c02
wp-gpio = emulated 0
wp-gpio-active = low
[device pulled]
provider = at24
emulate = $T/pull.img
emulate-clock = 400000
address = 0x52
chip = 24c512
wp-gpio = emulated 0
emulate-unplug-at = 2000
CONF
# A chip NACKs for its 5 ms write cycle; the default 25 ms bound on that
# is measured to the end of the poll that NACKed, which on a loaded test
# machine may sleep past it: these checks are about WP, not that bound.
sed -i 's/^chip = .*/&\nwrite-timeout = 500/' "$T/nvmemfs.conf"
plan=$("$NVMEMFS" --check-config -c "$T/nvmemfs.conf" 2>&1)
check_eq "--check-config names each device's write-protect line" \
	"line 0 of emulated, active high|line 0 of emulated, active low|line 0 of emulated, active high" \
	"$(sed -n 's/^  write protect: GPIO \(line .* active [a-z]*\),.*/\1/p' <<<"$plan" | paste -sd'|')"
start_daemon "$T/nvmemfs.conf"

# Released around every page: 1000 bytes over 9 pages land.
head -c 1000 /dev/urandom > "$T/w"
dd if="$T/w" of="$MNT/wp/nvmem" bs=1000 oflag=seek_bytes seek=333 conv=notrunc status=none
check_eq "write with wp-gpio: dd exit status" 0 "$?"
check_eq "write with wp-gpio: the bytes read back" "$(xxd -p "$T/w" | tr -d '\n')" \
	"$(dd if="$MNT/wp/nvmem" bs=1 skip=333 count=1000 status=none | xxd -p | tr -d '\n')"
check_eq "write with wp-gpio: the bytes around it unchanged" \
	"$(hexof "$T/wp.img" 0 333)$(hexof "$T/wp.img" 1333 1000)" \
	"$(dd if="$MNT/wp/nvmem" bs=333 count=1 status=none | xxd -p | tr -d '\n')$(dd if="$MNT/wp/nvmem" bs=1 skip=1333 count=1000 status=none | xxd -p | tr -d '\n')"
echo 02:00:5e:aa:bb:cc > "$MNT/wp/cells/mac-address"
check_eq "a cell write with wp-gpio" "02:00:5e:aa:bb:cc" "$(cat "$MNT/wp/cells/mac-address")"

# wp-gpio-active = low on a chip whose WP is active high (no inverter on
# this emulated board): the provider drives WP high to write, and the
# chip ignores it. Polarity is what the chip sees.
before=$(xxd -p "$MNT/inverted/nvmem" | tr -d '\n')
printf '\x11\x22\x33\x44' | dd of="$MNT/inverted/nvmem" bs=4 seek=2 conv=notrunc status=none
check_eq "wrong polarity: the chip ignored the write" "$before" \
	"$(xxd -p "$MNT/inverted/nvmem" | tr -d '\n')"

# The bus goes (and the bridge's GPIOs with it) 2000 bytes into a 4 KiB
# write: the writer gets ENODEV, the daemon serves on.
head -c 4096 /dev/urandom > "$T/w4"
err=$(dd if="$T/w4" of="$MNT/pulled/nvmem" bs=4096 conv=notrunc 2>&1 >/dev/null | head -1 || true)
case $err in
*"No such device"*) pass "gone mid-write: dd fails with No such device" ;;
*) fail "gone mid-write: expected No such device, got '$err'" ;;
esac
for _ in $(seq 1 100); do [ -e "$MNT/pulled" ] || break; sleep 0.05; done
[ ! -e "$MNT/pulled" ] && pass "gone mid-write: the directory is gone" || fail "pulled still listed"
kill -0 "$DAEMON_PID" && pass "gone mid-write: the daemon lives on" || fail "the daemon died"
check_eq "gone mid-write: the others serve on" "02:00:5e:aa:bb:cc" "$(cat "$MNT/wp/cells/mac-address")"
stop_daemon

# Mistakes, named as FILE:LINE: [SECTION] KEY.
bad() {	# bad WANT KEY-LINES...
	local want=$1 out; shift
	printf '[device e]\nprovider = at24\nbus = 1\naddress = 0x50\nchip = 24c02\n' > "$T/bad.conf"
	printf '%s\n' "$@" >> "$T/bad.conf"
	out=$("$NVMEMFS" --check-config -c "$T/bad.conf" 2>&1 || true)
	case $out in
	*"$want"*) pass "refused: $want" ;;
	*) fail "expected '$want', got: $out" ;;
	esac
}
bad "bad.conf:6: [device e] wp-gpio: 'gpiochip0' is not CHIP LINE" "wp-gpio = gpiochip0"
bad "bad.conf:7: [device e] wp-gpio-active: 'sideways' is neither high nor low" \
	"wp-gpio = gpiochip0 3" "wp-gpio-active = sideways"
bad "bad.conf:6: [device e] wp-gpio-active: only valid with wp-gpio" "wp-gpio-active = low"
