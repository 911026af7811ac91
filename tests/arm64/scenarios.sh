#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The arm64 scenarios, run inside the guest by tests/arm64/vm.sh:
#
#   vm.sh tests/arm64/scenarios.sh BUILD_DIR [SCENARIO...]
#
# BUILD_DIR holds nvmemfs cross-built for arm64. The kernel's nvmem-rmem
# driver serves the reserved memory of tests/arm64/rmem.dtsi (the image
# tests/arm64/rmem.sh wrote, in $NVMEMFS_RMEM_IMAGE) as rmem0, with the
# cells of its device-tree fixed-layout: the kernel's own cells, made the
# way they are on real boards.
#
#   1  kernel-devices = yes: the device under its kernel name, with the
#      kernel's cells (names, sizes, bytes as the kernel's files, the bit
#      field shifted as the kernel shifts it) and the kernel's modes; a
#      read-only kernel device refuses writers, root too
#   2  provider = sysfs with a [device] section: formats on the kernel's
#      cells' bytes and a layout (u-boot-env) of our own
#   3  the driver unbound while a read is in flight: ENODEV, directory
#      gone, a handle from before stays ENODEV; bound again: served with
#      new inodes
#   4  tests/kernel/scenarios.sh's scenario 2 (a CP2112 pulled out
#      halfway through a dd, and re-plugged) on arm64's hid-cp2112
set -uo pipefail

B=$(readlink -f "${1:?build directory}")
shift
SCENARIOS=${*:-1 2 3 4}
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
NVMEMFS=$B/nvmemfs
FSPROBE=$B/tests/integration/fsprobe
IMG=${NVMEMFS_RMEM_IMAGE:?the image of the rmem region}
W=/tmp/arm64-test
MNT=/mnt/nvmem
LOG=$W/daemon.log
DAEMON_PID=
mkdir -p "$W" "$MNT"

. "$HERE/../kernel/checks.sh"
. "$HERE/../kernel/daemon.sh"
hexof() { dd if="$1" bs=1 skip=$(($2)) count="$3" status=none | xxd -p | tr -d '\n'; }

start_daemon() {
	"$NVMEMFS" -f -c "$1" --uevent-source=kernel "$MNT" >>"$LOG" 2>&1 &
	DAEMON_PID=$!
	wait_for 20 mountpoint -q "$MNT" || { fail "nvmemfs did not mount"; return 1; }
}

check_kernel_log() {
	if dmesg | grep -E 'Oops|BUG|WARNING|Call Trace|Internal error'; then
		fail "guest kernel log: $1"
	else
		pass "guest kernel log clean: $1"
	fi
}

# The kernel's nvmem-rmem device (rmem0 after boot; the next bind may
# give it another number).
rmem_name() {
	local d
	for d in /sys/bus/nvmem/devices/rmem*; do
		[ -e "$d/nvmem" ] && { basename "$d"; return 0; }
	done
	return 1
}

# The kernel's cell files of device $1, by the name nvmemfs gives them:
# "mac-address@100,0" is served as cells/mac-address.
kernel_cells() { ls "/sys/bus/nvmem/devices/$1/cells"; }

# "0444 root root" of a file: its permission bits and owner.
perm() { stat -c '%a %U %G' "$1"; }

# The read bits of the kernel's nvmem attribute, for its cells: what
# nvmemfs gives the cells of a device (and no write bits: kernel cells
# are read-only).
read_bits() { printf '%o' $((0$(stat -c %a "$1") & 0444)); }

# The kernel's cells of device $1 served under mount directory $2: names,
# sizes, bytes and modes as the kernel's.
check_kernel_cells() {
	local name=$1 dir=$2 k=/sys/bus/nvmem/devices/$1 f n
	check_eq "$dir: the kernel's cells, by name" \
		"$(kernel_cells "$name" | sed 's/@.*//' | sort | tr '\n' ' ')" \
		"$(ls "$MNT/$dir/cells" | sort | tr '\n' ' ')"
	for f in "$k"/cells/*; do
		n=${f##*/}
		n=${n%@*}
		check_eq "$dir/cells/$n: size as the kernel's ${f##*/}" \
			"$(stat -c %s "$f")" "$(stat -c %s "$MNT/$dir/cells/$n")"
		check_eq "$dir/cells/$n: bytes as the kernel's" \
			"$(xxd -p "$f")" "$(xxd -p "$MNT/$dir/cells/$n")"
		check_eq "$dir/cells/$n: the device's read bits and owner" \
			"$(read_bits "$k/nvmem") $(stat -c '%U %G' "$k/nvmem")" \
			"$(perm "$MNT/$dir/cells/$n")"
	done
}

scenario_1() {
	echo "--- scenario 1: kernel-devices = yes on nvmem-rmem with device-tree cells"
	local name k
	name=$(rmem_name) || { fail "no nvmem-rmem device: is rmem.dtsi in the device tree?"; return; }
	k=/sys/bus/nvmem/devices/$name
	echo "    kernel device $name: nvmem $(perm "$k/nvmem"), cells: $(kernel_cells "$name" | tr '\n' ' ')"
	# What the board is, as the kernel sees it: the test stands on these.
	check_eq "the kernel made the device-tree cells" \
		"board-rev@20,4 mac-address@100,0 serial-number@10,0" \
		"$(kernel_cells "$name" | sort | tr '\n' ' ' | sed 's/ $//')"
	check "the kernel's nvmem holds the loaded image" cmp -s "$IMG" "$k/nvmem"
	check_eq "the kernel shifted the bit field down (0xa5 >> 4)" 0a \
		"$(xxd -p "$k/cells/board-rev@20,4")"
	check_eq "nvmem-rmem cannot write: no write bits in the kernel's mode" 0 \
		"$((0$(stat -c %a "$k/nvmem") & 0222))"

	cat >"$W/s1.conf" <<CONF
[nvmemfs]
kernel-devices = yes
CONF
	start_daemon "$W/s1.conf" || return
	check "served under its kernel name" wait_for 10 test -e "$MNT/$name/nvmem"
	check_eq "nothing else is served" "$name" "$(ls "$MNT")"
	check_kernel_cells "$name" "$name"
	check_eq "the bit field's byte in nvmem, unshifted" a5 "$(hexof "$MNT/$name/nvmem" 0x20 1)"
	check_eq "nvmem: the kernel attribute's mode and owner" "$(perm "$k/nvmem")" \
		"$(perm "$MNT/$name/nvmem")"
	check_eq "nvmem: size" "$(stat -c %s "$k/nvmem")" "$(stat -c %s "$MNT/$name/nvmem")"
	check_eq "type as the kernel's" "$(cat "$k/type")" "$(cat "$MNT/$name/type")"
	local t0 t1
	t0=$(date +%s%N)
	check "all 16 MiB as the kernel's nvmem" cmp -s "$k/nvmem" "$MNT/$name/nvmem"
	t1=$(date +%s%N)
	echo "    16 MiB read through nvmemfs in $(( (t1 - t0) / 1000000 )) ms"
	# A device the kernel does not let anyone write is read-only: no
	# write bits, and opening it for writing fails, for root too.
	check_eq "nvmem opened for writing: EROFS" EROFS \
		"$("$FSPROBE" open "$MNT/$name/nvmem" wronly)"
	check_eq "a kernel cell opened for writing: EROFS" EROFS \
		"$("$FSPROBE" open "$MNT/$name/cells/mac-address" rdwr)"
	check_eq "opened for reading" ok "$("$FSPROBE" open "$MNT/$name/cells/mac-address" rdonly)"
	stop_daemon
	check_kernel_log "scenario 1"
}

scenario_2() {
	echo "--- scenario 2: provider = sysfs, our formats and layout on the kernel's device"
	local name k
	name=$(rmem_name) || { fail "no nvmem-rmem device"; return; }
	k=/sys/bus/nvmem/devices/$name
	# The cells where the device tree puts the kernel's; the U-Boot
	# environment at 0x1000 has no cell in the device tree at all.
	cat >"$W/s2.conf" <<CONF
[nvmemfs]
kernel-devices = yes
[device board]
provider = sysfs
name = $name
layout = u-boot-env
env-offset = 0x1000
env-size = 0x1000
[cell board/mac-address]
offset = 0x100
size = 6
format = mac
[cell board/serial-number]
offset = 0x10
size = 8
format = string
[cell board/board-rev]
offset = 0x20
bits = 4:4
format = u8
CONF
	start_daemon "$W/s2.conf" || return
	check "served as [device board]" wait_for 10 test -e "$MNT/board/nvmem"
	check_eq "claimed: not served under its kernel name too" board "$(ls "$MNT")"
	check_eq "format = mac on the kernel's mac-address@100,0" \
		"$(xxd -p "$k/cells/mac-address@100,0" | sed 's/../&:/g; s/:$//')" \
		"$(cat "$MNT/board/cells/mac-address")"
	check_eq "... which is the board's MAC" 02:00:5e:10:20:30 "$(cat "$MNT/board/cells/mac-address")"
	check_eq "format = string on the kernel's serial-number@10,0" \
		"$(tr -d '\0' <"$k/cells/serial-number@10,0")" "$(cat "$MNT/board/cells/serial-number")"
	check_eq "bits = 4:4, format = u8: the kernel's board-rev@20,4 in decimal" \
		"$((0x$(xxd -p "$k/cells/board-rev@20,4")))" "$(cat "$MNT/board/cells/board-rev")"
	check_eq "our u-boot-env layout: its variables" "board bootcmd ethaddr" \
		"$(ls "$MNT/board/cells" | grep -vxE 'mac-address|serial-number|board-rev' | sort | tr '\n' ' ' | sed 's/ $//')"
	check_eq "bootcmd" "run distro_bootcmd" "$(cat "$MNT/board/cells/bootcmd")"
	check_eq "ethaddr" "02:00:5e:10:20:30" "$(cat "$MNT/board/cells/ethaddr")"
	check_eq "nvmem: the kernel attribute's mode and owner" "$(perm "$k/nvmem")" \
		"$(perm "$MNT/board/nvmem")"
	check_eq "cells: the device's read bits" \
		"$(read_bits "$k/nvmem") $(stat -c '%U %G' "$k/nvmem")" \
		"$(perm "$MNT/board/cells/bootcmd")"
	check_eq "a variable of a read-only device opened for writing: EROFS" EROFS \
		"$("$FSPROBE" open "$MNT/board/cells/bootcmd" wronly)"
	stop_daemon
	check_kernel_log "scenario 2"
}

# The descriptor of process $1 open on the file $2.
fd_on() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd")" = "$2" ] && { echo "${fd##*/}"; return 0; }
	done
	return 1
}

# The position of process $1's descriptor $2; bash builtins only, so that
# polling it is quick under emulation.
fd_pos() {
	local k v
	while read -r k v; do
		[ "$k" = pos: ] && { echo "$v"; return 0; }
	done <"/proc/$1/fdinfo/$2"
	return 1
}

pos_at_least() {
	local p
	p=$(fd_pos "$1" "$2") && [ "$p" -ge "$3" ]
}

scenario_3() {
	echo "--- scenario 3: nvmem-rmem unbound mid-read, then bound again"
	local name k pdev ino cino size ddpid fd= pos rc err name2
	name=$(rmem_name) || { fail "no nvmem-rmem device"; return; }
	k=/sys/bus/nvmem/devices/$name
	pdev=$(basename "$(dirname "$(readlink -f "$k")")")
	size=$(stat -c %s "$k/nvmem")
	echo "    $name on platform device $pdev"
	cat >"$W/s3.conf" <<CONF
[nvmemfs]
kernel-devices = yes
CONF
	start_daemon "$W/s3.conf" || return
	check "served" wait_for 10 test -e "$MNT/$name/nvmem"
	ino=$(stat -c %i "$MNT/$name/nvmem")
	cino=$(stat -c %i "$MNT/$name/cells/mac-address")
	rm -f "$W/go"
	"$FSPROBE" hold "$MNT/$name/cells/mac-address" "$W/go" 0 6 >"$W/held.out" &
	local hold=$!
	wait_for 10 grep -q opened "$W/held.out"
	# A whole-device read, and the driver unbound once 256 KiB of its
	# 16 MiB went by (it reads some 4 MiB/s here): it must fail with
	# ENODEV, not end early or short.
	dd if="$MNT/$name/nvmem" of="$W/dd.out" bs=64k 2>"$W/dd.err" &
	ddpid=$!
	wait_for 20 eval 'fd=$(fd_on "$ddpid" "$MNT/$name/nvmem")'
	if [ -z "$fd" ] || ! wait_for 60 pos_at_least "$ddpid" "$fd" 262144; then
		fail "the read did not get 256 KiB far"
	fi
	pos=$(fd_pos "$ddpid" "$fd")
	echo "$pdev" >/sys/bus/platform/drivers/rmem/unbind
	wait "$ddpid"
	rc=$?
	err=$(grep -v records "$W/dd.err" | head -1)
	echo "    unbound at byte ${pos:-?} of $size; dd: $err (exit $rc)"
	check "the read was in flight at the unbind (${pos:-?} of $size bytes)" \
		test -n "$pos" -a "${pos:-0}" -lt "$size"
	case $err in
	*"No such device"*) pass "dd fails with No such device" ;;
	*) fail "dd: expected No such device, got '$err' (exit $rc)" ;;
	esac
	check "what dd did read is the device's" \
		cmp -s "$W/dd.out" <(head -c "$(stat -c %s "$W/dd.out")" "$IMG")
	check "the kernel removed the device" test ! -e "$k"
	check "the directory is gone" wait_for 10 eval "! test -e '$MNT/$name'"
	touch "$W/go"
	wait "$hold"
	check_eq "a cell handle opened before the unbind: ENODEV" ENODEV "$(tail -1 "$W/held.out")"
	check_kernel_log "scenario 3, after the unbind"

	echo "$pdev" >/sys/bus/platform/drivers/rmem/bind
	check "the kernel makes the device again" wait_for 10 eval "rmem_name >/dev/null"
	name2=$(rmem_name) || return
	echo "    bound again as $name2"
	check "served again" wait_for 10 test -e "$MNT/$name2/nvmem"
	if [ "$(stat -c %i "$MNT/$name2/nvmem")" != "$ino" ] &&
	   [ "$(stat -c %i "$MNT/$name2/cells/mac-address")" != "$cino" ]; then
		pass "with new inodes"
	else
		fail "the device bound again kept an inode number"
	fi
	check_kernel_cells "$name2" "$name2"
	check "the device bound again reads as the image" \
		cmp -s <(head -c 1048576 "$IMG") <(head -c 1048576 "$MNT/$name2/nvmem")
	stop_daemon
	check_kernel_log "scenario 3"
}

scenario_4() {
	echo "--- scenario 4: tests/kernel/scenarios.sh scenario 2 on arm64"
	# Its own code, in a shell of its own (its counters and helpers have
	# our names): sourced with a scenario that does nothing, so that its
	# functions are defined and none run; then its scenario 2. A
	# scenario that gives up early (a bridge
	# that did not appear) counts no failure there: its last check must
	# have run.
	scenario_none() { :; }
	(
		# shellcheck source=tests/kernel/scenarios.sh
		. "$HERE/../kernel/scenarios.sh" "$B" none >/dev/null
		scenario_2
		cleanup
		echo "kernel scenario 2: $((CHECKS - FAILS)) passed, $FAILS failed"
		[ "$FAILS" -eq 0 ]
	) 2>&1 | tee "$W/cp2112.out"
	check_eq "tests/kernel/scenarios.sh scenario 2: exit status" 0 "${PIPESTATUS[0]}"
	check "tests/kernel/scenarios.sh scenario 2 ran to its end" \
		grep -qE '^(ok: guest kernel log clean|FAIL: guest kernel log): scenario 2$' \
		"$W/cp2112.out"
}

for s in $SCENARIOS; do
	"scenario_$s"
	stop_daemon >/dev/null 2>&1
done
if [ "$FAILS" -ne 0 ] && [ -f "$LOG" ]; then
	echo "--- daemon log"; tail -40 "$LOG"
fi
echo "arm64 scenarios: $((CHECKS - FAILS)) passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
