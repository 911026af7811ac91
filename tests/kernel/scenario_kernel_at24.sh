# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Scenarios 3 and 9 of tests/kernel/scenarios.sh (sourced by it): the
# kernel's at24 driver on our emulated CP2112. Its nvmem device served
# with kernel-devices = yes (3); provider at24 on an address the kernel's
# at24 binds, with kernel-driver = use and refuse, and --probe (9).

# The kernel's nvmem device on the CP2112 at bus $1, address 0x50.
kernel_nvmem_name() {
	local d
	for d in /sys/bus/i2c/devices/"$1"-0050/"$1"-0050*; do
		[ -e "$d/nvmem" ] && { basename "$d"; return 0; }
	done
	return 1
}

scenario_3() {
	echo "--- scenario 3: the kernel's at24 and nvmem core, served by kernel-devices = yes"
	image "$W/k.img" 4
	# The bytes read before the dd below: 8 + 4 + 4 KiB and a probe.
	plug KERN "$W/k.img" --unplug-at 28001 || return
	local kpid=$PLUGGED bus name err
	bus=$(cp2112_bus KERN)
	echo "24c512 0x50" >"/sys/bus/i2c/devices/i2c-$bus/new_device"
	wait_for 10 kernel_nvmem_name "$bus" >/dev/null
	name=$(kernel_nvmem_name "$bus") || { fail "no kernel nvmem device"; return; }
	echo "    kernel nvmem device: $name"
	cat >"$W/s3.conf" <<CONF
[nvmemfs]
kernel-devices = yes
CONF
	start_daemon "$W/s3.conf" || return
	check "nvmemfs serves the kernel's device" wait_for 10 test -e "$MNT/$name/nvmem"
	check_eq "its size" 65536 "$(stat -c %s "$MNT/$name/nvmem")"
	# The kernel's at24 makes its attribute 0600 root: the mount shows
	# (and the kernel enforces) no more.
	check_eq "its mode and owner are the kernel attribute's" \
		"$(stat -c '%a %u %g' "/sys/bus/nvmem/devices/$name/nvmem")" \
		"$(stat -c '%a %u %g' "$MNT/$name/nvmem")"
	check_eq "the first 8 KiB through at24 and nvmem" \
		"$(head -c 8192 "$W/k.img" | md5sum)" "$(head -c 8192 "$MNT/$name/nvmem" | md5sum)"
	# The chip stops answering while its driver stays bound: the kernel's
	# at24 times out, and a reader must get EIO from a device that stays
	# served (not the driver's errno, not an unplug), and the right bytes
	# once the chip answers again. Offsets not read before: nothing cached.
	kill -USR1 "$kpid"
	err=$(dd if="$MNT/$name/nvmem" of=/dev/null bs=4096 skip=4 count=1 2>&1 >/dev/null)
	case $err in
	*"Input/output error"*) pass "a silent chip: the read fails with EIO" ;;
	*) fail "a silent chip: expected Input/output error, got '$err'" ;;
	esac
	check "a silent chip: the device stays served" test -e "$MNT/$name/nvmem"
	check_eq "a silent chip: its status counts and names the error" "1 EIO" \
		"$(sed -n 's/^errors: //p; s/^last-error: \([A-Z]*\) .*/\1/p' "$MNT/$name/status" | tr '\n' ' ' | sed 's/ $//')"
	kill -USR1 "$kpid"
	check_eq "the chip answers again: the right bytes" \
		"$(dd if="$W/k.img" bs=4096 skip=4 count=1 status=none | md5sum)" \
		"$(dd if="$MNT/$name/nvmem" bs=4096 skip=4 count=1 status=none | md5sum)"
	# Lost events: the daemon, held stopped, misses the removal of the
	# kernel device among more uevents than its socket holds. Starting
	# over, it must drop the device it still serves, and serve the one
	# the kernel makes next.
	local n0
	n0=$(overflows)
	kill -STOP "$DAEMON_PID"
	flood "/sys/bus/nvmem/devices/$name/uevent"
	echo 0x50 >"/sys/bus/i2c/devices/i2c-$bus/delete_device"
	kill -CONT "$DAEMON_PID"
	check "events lost: the daemon says so" wait_for 10 eval "[ \$(overflows) -gt $n0 ]"
	check "events lost: the removed kernel device is gone" \
		wait_for 10 eval "! test -e '$MNT/$name'"
	echo "24c512 0x50" >"/sys/bus/i2c/devices/i2c-$bus/new_device"
	wait_for 10 kernel_nvmem_name "$bus" >/dev/null
	name=$(kernel_nvmem_name "$bus") || { fail "no kernel nvmem device again"; return; }
	check "the kernel's next device is served" wait_for 10 test -e "$MNT/$name/nvmem"
	check_eq "the kernel's next device reads its bytes" \
		"$(head -c 4096 "$W/k.img" | md5sum)" "$(head -c 4096 "$MNT/$name/nvmem" | md5sum)"
	local others
	others=$(ls "$MNT" | grep -vx "$name" | head -1)
	err=$(dd_err "$MNT/$name/nvmem")
	echo "    dd: $err"
	case $err in
	*"No such device"*) pass "unplug mid-read: dd fails with No such device" ;;
	*) fail "unplug mid-read: expected No such device, got '$err'" ;;
	esac
	# A read that failed before the unplug byte leaves the bridge
	# plugged: pull it, so that a failure costs seconds, not the guest.
	check "the bridge unplugged itself mid-read" wait_for 10 eval "! kill -0 $kpid 2>/dev/null"
	kill "$kpid" 2>/dev/null || true
	wait "$kpid" 2>/dev/null
	check "the device directory is gone" wait_for 5 eval "! test -e '$MNT/$name'"
	if [ -n "$others" ]; then
		check "another kernel device ($others) keeps serving" \
			cmp -s "/sys/bus/nvmem/devices/$others/nvmem" "$MNT/$others/nvmem"
	fi
	cleanup
	check_kernel_log "scenario 3"
}

# s9_conf FILE MODE: the CP2112 KDRV's 24c512 as provider at24.
s9_conf() {
	cat >"$1" <<CONF
[nvmemfs]
kernel-devices = yes
[device board]
provider = at24
usb-serial = KDRV
address = 0x50
chip = 24c512
kernel-driver = $2
[cell board/head]
offset = 0x10
size = 8
format = hex
CONF
}

scenario_9() {
	echo "--- scenario 9: provider at24 beside the kernel's at24 driver"
	image "$W/kd.img" 10
	cp "$W/kd.img" "$W/kd.orig"
	plug KDRV "$W/kd.img" || return
	local kpid=$PLUGGED bus name client out err head
	bus=$(cp2112_bus KDRV)
	client=$bus-0050
	head=$(hexof "$W/kd.orig" 16 8)
	s9_conf "$W/s9.conf" use
	s9_conf "$W/s9r.conf" refuse

	# No client yet: the chip is driven over /dev/i2c-N.
	start_daemon "$W/s9.conf" || return
	check "no client: served" wait_for 10 test -e "$MNT/board/nvmem"
	check_eq "no client: a cell over i2c-dev" "$head" "$(cat "$MNT/board/cells/head")"
	# --probe through hid-cp2112: a 16-bit part, as configured, and not
	# one byte written (the emulator logs every data write).
	local writes
	writes=$(grep -c '^W [0-9]' "$W/emul-KDRV.log")
	out=$("$NVMEMFS" --check-config --probe -c "$W/s9.conf" 2>&1)
	check_eq "probe: exit status" 0 "$?"
	case $out in
	*"probe at24: answers like a 16-bit addressed part (two-byte word addresses 0x0000 and 0x0040 read different bytes"*"): as configured"*)
		pass "probe: a 16-bit part through hid-cp2112" ;;
	*) fail "probe: 16-bit part: '$out'" ;;
	esac
	case $out in
	*"probe at24: 1 consecutive address answers from 0x50 (0x50-0x50); chip 24c512 occupies 1"*)
		pass "probe: one address answers" ;;
	*) fail "probe: addresses: '$out'" ;;
	esac
	check_eq "probe: no data written on the bus" "$writes" "$(grep -c '^W [0-9]' "$W/emul-KDRV.log")"
	check "probe: the chip's bytes unchanged" cmp -s "$W/kd.orig" "$W/kd.img"
	# An 8-bit part configured as a 24c32.
	head -c 256 "$W/kd.orig" >"$W/kd8.img"
	cp "$W/kd8.img" "$W/kd8.orig"
	plug KDRV8 "$W/kd8.img" --width 8 --size 256 --page 8 || return
	local kpid8=$PLUGGED
	sed 's/^usb-serial = KDRV$/usb-serial = KDRV8/; s/^chip = 24c512$/chip = 24c32/; /^\[cell/,$d' \
		"$W/s9.conf" >"$W/s9p.conf"
	out=$("$NVMEMFS" --check-config --probe -c "$W/s9p.conf" 2>&1)
	case $out in
	*"probe at24: answers like an 8-bit addressed part"*"set chip to an 8-bit part (24c01 to 24c16) or address-width = 8"*)
		pass "probe: an 8-bit part configured as 24c32, through hid-cp2112" ;;
	*) fail "probe: 8-bit part: '$out'" ;;
	esac
	check "probe: the 8-bit chip's bytes unchanged" cmp -s "$W/kd8.orig" "$W/kd8.img"
	check_eq "probe: no data written to the 8-bit chip" 0 "$(grep -c '^W [0-9]' "$W/emul-KDRV8.log")"
	unplug "$kpid8"
	# The kernel's at24 binds the address while the daemon has the chip.
	echo "24c512 0x50" >"/sys/bus/i2c/devices/i2c-$bus/new_device"
	wait_for 10 kernel_nvmem_name "$bus" >/dev/null
	name=$(kernel_nvmem_name "$bus") || { fail "no kernel nvmem device"; return; }
	echo "    kernel client $client, nvmem device $name"
	check "bound later: the daemon names the client" \
		wait_for 10 grep -q "board: $client (at24) is bound to the kernel's driver: served through its nvmem device $name" "$LOG"
	check "bound later: served again" wait_for 10 test -e "$MNT/board/nvmem"
	check_eq "bound later: the cell through the kernel's nvmem" "$head" "$(cat "$MNT/board/cells/head")"
	check "bound later: not served twice (no $name beside board)" test ! -e "$MNT/$name"
	stop_daemon

	# Started with the client there.
	start_daemon "$W/s9.conf" || return
	check "use: served" wait_for 10 test -e "$MNT/board/nvmem"
	check "use: not served twice" test ! -e "$MNT/$name"
	check_eq "use: the kernel attribute's mode and owner" \
		"$(stat -c '%a %u %g' "/sys/bus/nvmem/devices/$name/nvmem")" \
		"$(stat -c '%a %u %g' "$MNT/board/nvmem")"
	check_eq "use: size" 65536 "$(stat -c %s "$MNT/board/nvmem")"
	check_eq "use: 16 KiB equal to the kernel's nvmem file" \
		"$(head -c 16384 "/sys/bus/nvmem/devices/$name/nvmem" | md5sum)" \
		"$(head -c 16384 "$MNT/board/nvmem" | md5sum)"
	check_eq "use: ... and to the chip" \
		"$(head -c 16384 "$W/kd.orig" | md5sum)" "$(head -c 16384 "$MNT/board/nvmem" | md5sum)"
	printf 'KDRV' >"$W/kd.w"
	dd if="$W/kd.w" of="$MNT/board/nvmem" bs=4 seek=1000 oflag=seek_bytes conv=notrunc status=none
	check_eq "use: a write goes through the kernel's at24" "$(xxd -p "$W/kd.w")" "$(hexof "$W/kd.img" 1000 4)"
	out=$("$NVMEMFS" --check-config -c "$W/s9.conf" 2>&1)
	check_eq "use: --check-config exit status" 0 "$?"
	case $out in
	*"present: kernel at24 client $client, nvmem device $name"*) pass "use: --check-config reports the client" ;;
	*) fail "use: --check-config: '$out'" ;;
	esac
	stop_daemon

	# refuse: the same message from --check-config and the daemon.
	out=$("$NVMEMFS" --check-config -c "$W/s9r.conf" 2>&1)
	check_eq "refuse: --check-config exit status" 1 "$?"
	case $out in
	*"[device board] address: $client (at24) is bound to a kernel driver; unbind it with 'echo $client > /sys/bus/i2c/drivers/at24/unbind'"*)
		pass "refuse: --check-config names the client and the unbind command" ;;
	*) fail "refuse: --check-config: '$out'" ;;
	esac
	start_daemon "$W/s9r.conf" || return
	check "refuse: the daemon says why" wait_for 10 grep -q "echo $client > /sys/bus/i2c/drivers/at24/unbind" "$LOG"
	check "refuse: not served" test ! -e "$MNT/board"
	check "refuse: the kernel's device is served under its name" wait_for 10 test -e "$MNT/$name/nvmem"
	echo "$client" >/sys/bus/i2c/drivers/at24/unbind
	check "refuse: once unbound, the daemon takes the chip" wait_for 10 test -e "$MNT/board/nvmem"
	check "refuse: ... over i2c-dev, reading it right" cmp -s -n 8192 "$W/kd.img" "$MNT/board/nvmem"
	echo "$client" >/sys/bus/i2c/drivers/at24/bind
	check "refuse: bound again, the device goes" wait_for 10 eval "! test -e '$MNT/board'"
	stop_daemon

	# use: a second bridge pulled out during a whole read, after 30000
	# bytes (at24's probe at bind reads one).
	plug KDRV2 "$W/kd.orig" --unplug-at 30000 || return
	local kpid2=$PLUGGED bus2
	bus2=$(cp2112_bus KDRV2)
	echo "24c512 0x50" >"/sys/bus/i2c/devices/i2c-$bus2/new_device"
	wait_for 10 kernel_nvmem_name "$bus2" >/dev/null
	sed 's/^usb-serial = KDRV$/usb-serial = KDRV2/' "$W/s9.conf" >"$W/s9u.conf"
	start_daemon "$W/s9u.conf" || return
	check "unplug: served" wait_for 10 test -e "$MNT/board/nvmem"
	check "unplug: through the kernel's client" \
		grep -q "board: $bus2-0050 (at24) is bound" "$LOG"
	err=$(dd_err "$MNT/board/nvmem")
	echo "    dd: $err"
	case $err in
	*"No such device"*) pass "unplug mid-read (use): No such device" ;;
	*) fail "unplug mid-read (use): expected No such device, got '$err'" ;;
	esac
	check "unplug: the bridge unplugged itself mid-read" wait_for 10 eval "! kill -0 $kpid2 2>/dev/null"
	kill "$kpid2" 2>/dev/null || true
	wait "$kpid2" 2>/dev/null
	check "unplug: the directory is gone" wait_for 5 eval "! test -e '$MNT/board'"
	check "unplug: the daemon lives" kill -0 "$DAEMON_PID"
	cleanup
	check_kernel_log "scenario 9"
}
