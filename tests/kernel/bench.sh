#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Figures against the kernel's own at24 driver on the same chip, run in
# the guest by tests/kernel/vm.sh (NVMEMFS_BENCH_KERNEL=1 scripts/bench):
#
#   vm.sh tests/kernel/bench.sh BUILD_DIR
#
# One emulated CP2112 with a 24c512 at 400 kHz: the kernel's at24 bound
# to it (new_device) and nvmemfs's provider at24 reaching the same chip
# through i2c-dev (I2C_RDWR, which the kernel's client does not block).
# Same bridge, same chip, same bus clock: the difference is the driver
# stack. bench/bench_peer.c (mode kernel) times both in alternating
# passes; ratios are kernel time over nvmemfs time (>= 1: nvmemfs as
# fast or faster). Nothing here passes or fails on time.
set -uo pipefail

B=$(readlink -f "${1:?build directory}")
EMUL=$B/tests/kernel/cp2112-emul
W=/tmp/kernel-bench
mkdir -p "$W" /mnt/nv /mnt/nvc
PIDS=()
cleanup() {
	local m p
	for m in /mnt/nv /mnt/nvc; do mountpoint -q "$m" && umount "$m"; done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
}
trap cleanup EXIT

wait_for() {	# wait_for SECONDS COMMAND...
	local end=$((SECONDS + $1)); shift
	while [ $SECONDS -le "$end" ]; do "$@" && return 0; sleep 0.05; done
	return 1
}
usec() { echo "${EPOCHREALTIME/[.,]/}"; }
cp2112_bus() {
	local a
	for a in /sys/bus/i2c/devices/i2c-*; do
		case $(cat "$a/name" 2>/dev/null) in "CP2112 SMBus Bridge"*) echo "${a##*/i2c-}"; return 0 ;; esac
	done
	return 1
}

openssl enc -aes-128-ctr -nosalt -pass pass:bench -pbkdf2 </dev/zero 2>/dev/null |
	head -c 65536 >"$W/chip.img"
printf '\x02\x00\x5e\x10\x20\x30' | dd of="$W/chip.img" bs=1 seek=256 conv=notrunc status=none
"$EMUL" --clock 400000 --serial BENCH "$W/chip.img" >"$W/emul.out" 2>&1 &
PIDS+=($!)
wait_for 10 cp2112_bus >/dev/null || { echo "bench: no CP2112 adapter"; exit 1; }
bus=$(cp2112_bus)
echo "24c512 0x50" >"/sys/bus/i2c/devices/i2c-$bus/new_device"
knv=
for _ in $(seq 1 200); do
	for d in /sys/bus/i2c/devices/"$bus"-0050/"$bus"-0050*/nvmem; do
		[ -e "$d" ] && knv=$d
	done
	[ -n "$knv" ] && break
	sleep 0.05
done
[ -n "$knv" ] || { echo "bench: no kernel nvmem device"; exit 1; }

conf() {	# conf CACHE-LINES
	cat <<CONF
[nvmemfs]
kernel-devices = no
[device eeprom]
provider = at24
adapter = CP2112*
address = 0x50
chip = 24c512
$1
[cell eeprom/mac]
offset = 0x100
size = 6
format = mac
CONF
}
conf "cache = no" >"$W/nv.conf"
conf "$(printf 'read-only = yes\ncache = yes')" >"$W/nvc.conf"
"$B/nvmemfs" -f -c "$W/nv.conf" --uevent-source=kernel /mnt/nv 2>>"$W/daemon.log" &
PIDS+=($!)
# The cached device on a page-cache mount (nvmemfs(8)), as a board that
# only reads its ID EEPROM would mount it.
"$B/nvmemfs" -f -c "$W/nvc.conf" --uevent-source=kernel -o ro /mnt/nvc 2>>"$W/daemon.log" &
PIDS+=($!)
wait_for 10 test -e /mnt/nv/eeprom/nvmem && wait_for 10 test -e /mnt/nvc/eeprom/nvmem ||
	{ echo "bench: nvmemfs did not serve the chip"; cat "$W/daemon.log"; exit 1; }
# Both sides must read the chip's bytes before they are timed. Under
# software emulation the kernel's hid-cp2112 now and then times out on
# an emulator that did not get the CPU in time: tried three times.
same() {
	local i
	for i in 1 2 3; do cmp -s "$W/chip.img" "$1" && return 0; sleep 1; done
	echo "bench: a full read of $1 differs from the image"
	return 1
}
same /mnt/nv/eeprom/nvmem && same "$knv" || exit 1

echo "# in the guest: $(uname -r), $(nproc) CPUs; one CP2112 at 400 kHz"
# In one process: a dd per read would time the guest's process start-up.
"$B/bench/bench_peer" kernel /mnt/nv/eeprom/nvmem "$knv" /mnt/nv/eeprom/cells/mac \
	/mnt/nvc/eeprom/cells/mac 256 6 /mnt/nv/eeprom/type
