#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The real-kernel scenarios, run inside the guest by tests/kernel/vm.sh:
#
#   vm.sh tests/kernel/scenarios.sh BUILD_DIR [SCENARIO...]
#
# Every I2C transfer goes through Linux's own hid-cp2112 (on our CP2112
# emulator, cp2112-emul, made of /dev/uhid), i2c-core, i2c-dev, and for
# scenario 3 at24 and the nvmem core. Unplugging is destroying the uhid
# device: the kernel removes the adapter, its i2c-dev node and any client
# on it, with real uevents.
#
#   1  provider at24 with adapter = CP2112*: cells, nvmem, page writes
#   2  unplug halfway through a dd: ENODEV, directory gone, others serve,
#      no kernel warnings, re-plug brings it back; an unplug while uevents
#      are lost
#   3  a kernel at24/nvmem device (new_device) served with
#      kernel-devices = yes: EIO while its chip is silent, removed while
#      uevents are lost, unplugged mid-read
#   4  the udev uevent source, with systemd-udevd running in the guest
#      (the others use --uevent-source=kernel)
#   5  provider file on real MTD devices (mtdram, nandsim): erases
#   6  the SMBus-only fallback of provider at24, on i2c-stub
#   7  a CP2112 that stops answering (provider at24): a 120 ms hiccup is
#      ridden over, silence then removal gives ENODEV, a bus silent past
#      the bound gives EIO and the device stays served
#   8  SIGTERM in the middle of a whole-EEPROM read through a CP2112: the
#      reader gets ENODEV and the daemon exits within about one chunk
#   9  provider at24 where the kernel's at24 driver binds the address
#      (new_device): kernel-driver = use serves its nvmem device (also
#      when it binds after the daemon took the chip), refuse names the
#      client and the unbind command and takes the chip once unbound;
#      an unplug mid-read still gives ENODEV
#   wp wp-gpio on the CP2112's own GPIO chip (hid-cp2112's gpio_chip, the
#      GPIO character device): writes land, the line is asserted between
#      them (a raw i2ctransfer is ignored by the EEPROM), released only
#      around each page in the emulator's log, both polarities, the chip
#      found by label among two bridges, mistakes named, and a bridge
#      pulled mid-write: ENODEV, no line left held
#   pages  kept cell text on the guest's kernel (scenario_pages.sh)
#
# The scenarios live in files of their own, by concern, sourced below:
# scenario_at24.sh (1, 6), scenario_unplug.sh (2, 4, 7, 8),
# scenario_kernel_at24.sh (3, 9), scenario_mtd.sh (5), scenario_wp.sh (wp)
# and scenario_pages.sh (pages). This file has what they share and the
# loop that runs them.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail

B=$(readlink -f "${1:?build directory}")
shift
SCENARIOS=${*:-1 2 3 4 5 6 7 8 9 wp pages}
NVMEMFS=$B/nvmemfs
EMUL=$B/tests/kernel/cp2112-emul
FSPROBE=$B/tests/integration/fsprobe
W=/tmp/kernel-test
MNT=/mnt/nvmem
LOG=$W/daemon.log
DAEMON_PID=
EMULS=()
UEVENT_SOURCE=kernel
mkdir -p "$W" "$MNT"

HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
. "$HERE/checks.sh"
. "$HERE/daemon.sh"
. "$HERE/scenario_at24.sh"
. "$HERE/scenario_unplug.sh"
. "$HERE/scenario_kernel_at24.sh"
. "$HERE/scenario_mtd.sh"
. "$HERE/scenario_wp.sh"
. "$HERE/scenario_pages.sh"
hexof() { dd if="$1" bs=1 skip="$2" count="$3" status=none | xxd -p | tr -d '\n'; }

# The bus number of the CP2112 adapter whose HID device has serial $1.
cp2112_bus() {
	local a
	for a in /sys/bus/i2c/devices/i2c-*; do
		[ -e "$a/name" ] || continue
		case $(cat "$a/name") in "CP2112 SMBus Bridge"*) ;; *) continue ;; esac
		if grep -qx "HID_UNIQ=$1" "$(readlink -f "$a/..")/uevent" 2>/dev/null; then
			echo "${a##*/i2c-}"
			return 0
		fi
	done
	return 1
}

# flood UEVENT_FILE: write more change events to a device's uevent file
# than the daemon's uevent socket holds (it asks for 4 MiB), for a daemon
# held stopped to lose the events that follow.
flood() {
	local i

	for ((i = 0; i < 40000; i++)); do
		echo change >"$1"
	done
}

# overflows: how often the daemon has said that it lost events.
overflows() {
	grep -c "uevent queue overflowed" "$LOG"
}

# plug SERIAL IMAGE [emulator options]: plug in a CP2112 with a 24c512
# and wait for its I2C adapter. Sets PLUGGED to the emulator's pid.
plug() {
	local serial=$1 image=$2; shift 2
	"$EMUL" --serial "$serial" --log "$W/emul-$serial.log" "$@" "$image" \
		>>"$W/emul-$serial.out" 2>&1 &
	PLUGGED=$!
	EMULS+=("$PLUGGED")
	wait_for 10 cp2112_bus "$serial" >/dev/null || {
		fail "the CP2112 $serial did not appear"; return 1; }
}

# unplug PID: pull the bridge out (the emulator destroys its uhid device).
unplug() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

start_daemon() {
	"$NVMEMFS" -f -c "$1" --uevent-source="$UEVENT_SOURCE" "$MNT" >>"$LOG" 2>&1 &
	DAEMON_PID=$!
	wait_for 10 mountpoint -q "$MNT" || { fail "nvmemfs did not mount"; return 1; }
}

cleanup() {
	local p
	stop_daemon >/dev/null 2>&1
	for p in "${EMULS[@]}"; do unplug "$p"; done
	EMULS=()
}

# The guest kernel must not have complained about anything we did.
check_kernel_log() {
	if dmesg | grep -E 'Oops|BUG|WARNING|Call Trace|general protection'; then
		fail "guest kernel log: $1"
	else
		pass "guest kernel log clean: $1"
	fi
}

image() {	# image FILE SEED: 64 KiB of reproducible bytes
	openssl enc -aes-128-ctr -nosalt -pass "pass:$2" -pbkdf2 \
		</dev/zero 2>/dev/null | head -c 65536 >"$1"
}

# A board image: MAC at 0x100, serial number at 0x10.
board_image() {
	image "$1" "$2"
	printf '\x02\x00\x5e\x10\x20\x30' | dd of="$1" bs=1 seek=256 conv=notrunc status=none
	printf 'SN4711\0\0' | dd of="$1" bs=1 seek=16 conv=notrunc status=none
}

# dd_until_error FILE OUT: a 64 KiB-block dd; prints its stderr.
dd_err() {
	dd if="$1" of=/dev/null bs=64k 2>&1 >/dev/null | head -1
}

# vm_insmod MODULE [PARAMS]: load a module vm.sh put aside, after its
# dependencies.
vm_insmod() {
	local m=$1 f last; shift
	last=$(tail -1 "/run/vm-modules/$m.deps")
	while read -r f; do
		if [ "$f" = "$last" ]; then
			insmod "/run/vm-modules/$f" "$@"
		else
			grep -q "^${f%.ko} " /proc/modules ||
				insmod "/run/vm-modules/$f"
		fi
	done <"/run/vm-modules/$m.deps"
}

for s in $SCENARIOS; do
	"scenario_$s"
	cleanup
	if grep -qE 'ERROR: AddressSanitizer|runtime error:' "$LOG" 2>/dev/null; then
		fail "sanitizer report in the daemon log"
	fi
done
if [ "$FAILS" -ne 0 ]; then
	echo "--- daemon log"; tail -40 "$LOG"
fi
echo "kernel scenarios: $((CHECKS - FAILS)) passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
