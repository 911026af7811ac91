# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Scenario 5 of tests/kernel/scenarios.sh (sourced by it): provider file
# on the kernel's MTD devices, mtdram (never erased) and nandsim (erased
# before it is programmed), loaded by the scenario with vm_insmod.

# mtd_write_check DEV ERASES: nvmemfs on MTD device DEV; a dd across the
# first erase-block boundary and a cell across the second must change
# those bytes and no other, with ERASES MEMERASE64 calls (counted on the
# daemon's system calls). The first 256 KiB are compared.
mtd_write_check() {
	local dev=$1 erases=$2 st eb
	eb=$(cat "/sys/class/mtd/${dev#/dev/}/erasesize")
	image "$W/m.img" 6
	cat "$W/m.img" "$W/m.img" "$W/m.img" "$W/m.img" >"$W/mtd.orig"
	cat "$W/mtd.orig" >"$dev"
	cat >"$W/s5.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device flash]
provider = file
path = $dev
[cell flash/mac-address]
offset = $((2 * eb - 3))
size = 6
format = mac
CONF
	start_daemon "$W/s5.conf" || return
	check_eq "$dev: size" "$(cat "/sys/class/mtd/${dev#/dev/}/size")" \
		"$(stat -c %s "$MNT/flash/nvmem")"
	check "$dev: read through nvmemfs" cmp -n 262144 "$W/mtd.orig" "$MNT/flash/nvmem"
	head -c 100 /dev/urandom >"$W/m.w"
	strace -f -e trace=ioctl -o "$W/s5.strace" -p "$DAEMON_PID" 2>"$W/s5.strace.err" &
	st=$!
	# strace is slow to start under emulation: wait until it has the
	# daemon ("Process N attached with M threads").
	wait_for 30 grep -q attached "$W/s5.strace.err"
	dd if="$W/m.w" of="$MNT/flash/nvmem" bs=100 oflag=seek_bytes \
		seek=$((eb - 50)) conv=notrunc status=none
	check_eq "$dev: dd write" 0 "$?"
	check_eq "$dev: a cell across two erase blocks" "" \
		"$(echo 02:aa:bb:cc:dd:ee >"$MNT/flash/cells/mac-address" 2>&1)"
	kill "$st"; wait "$st"
	check_eq "$dev: erases" "$erases" "$(grep -c 'MEMERASE64.*= 0' "$W/s5.strace")"
	cp "$W/mtd.orig" "$W/mtd.want"
	dd if="$W/m.w" of="$W/mtd.want" bs=100 oflag=seek_bytes seek=$((eb - 50)) \
		conv=notrunc status=none
	printf '\x02\xaa\xbb\xcc\xdd\xee' | dd of="$W/mtd.want" bs=1 \
		seek=$((2 * eb - 3)) conv=notrunc status=none
	check "$dev: the new bytes are there and every other byte is unchanged" \
		cmp -n 262144 "$W/mtd.want" "$dev"
	check_eq "$dev: the cell reads back" "02:aa:bb:cc:dd:ee" \
		"$(cat "$MNT/flash/cells/mac-address")"
	stop_daemon
}

scenario_5() {
	echo "--- scenario 5: provider file on MTD devices: erase before write"
	# mtdram is RAM (MTD_NO_ERASE): written in place, never erased.
	vm_insmod mtdram total_size=256 erase_size=64 || { fail "mtdram"; return; }
	wait_for 5 test -c /dev/mtd0 || { fail "no /dev/mtd0"; return; }
	mtd_write_check /dev/mtd0 0
	rmmod mtdram
	# nandsim is flash that must be erased before it is programmed: each
	# erase block written is read, merged, erased and written back.
	# 16 MiB, 16 KiB erase blocks, 512-byte pages
	vm_insmod nandsim first_id_byte=0x20 second_id_byte=0x33 || { fail "nandsim"; return; }
	wait_for 5 test -c /dev/mtd0 || { fail "no nandsim device"; return; }
	echo "    nandsim: $(cat /sys/class/mtd/mtd0/type), $(cat /sys/class/mtd/mtd0/size) bytes, erase blocks of $(cat /sys/class/mtd/mtd0/erasesize)"
	mtd_write_check /dev/mtd0 4
	rmmod nandsim
	check_kernel_log "scenario 5"
}
