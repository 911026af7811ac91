# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Scenario wp of tests/kernel/scenarios.sh (sourced by it): wp-gpio on
# the GPIO chip of the kernel's hid-cp2112, with our emulated CP2112's
# GPIO.3 wired to the EEPROM's WP input (cp2112-emul --wp-gpio).

# wp_order LOG: from the emulator's log of a bridge whose GPIO drives the
# EEPROM's WP, "DATA IGNORED EARLY RELEASES": data writes, those ignored,
# WP asserted again before the write cycle's poll ACKed, and releases.
wp_order() {
	awk '
	/^G wp 0/ { wp = 0; pending = 0; acked = 0; rel++; next }
	/^G wp 1/ { if (pending && !acked) early++; wp = 1; pending = 0; next }
	/^W [0-9]+ [0-9]+ ignored/ { ign++; next }
	/^W [0-9]+ [0-9]+$/ { data++; pending = 1; acked = 0; next }
	/^W probe/ { if (pending) acked = 1; next }
	END { printf "%d %d %d %d\n", data, ign + 0, early + 0, rel + 0 }' "$1"
}

# The value of nvmemfs's GPIO line as gpiolib reads it from the chip
# (debugfs asks hid-cp2112, which asks the bridge): "hi" or "lo".
wp_level() {
	grep 'nvmemfs' /sys/kernel/debug/gpio | awk '{ print $NF }' | head -1
}

# GPIO file descriptors the daemon holds (the chip's and the line's).
gpio_fds() {
	ls -l "/proc/$DAEMON_PID/fd" 2>/dev/null | grep -c -E 'gpiochip|gpioline|gpio'
}

# wp_run LOW: a bridge whose GPIO.3 is WP, next to a decoy bridge whose
# GPIO chip carries the same label; with LOW the board inverts the pin
# and the configuration says wp-gpio-active = low.
wp_run() {
	local low=$1 sfx inv=() active=high asserted=hi
	sfx=$([ "$low" = 1 ] && echo L || echo H)
	if [ "$low" = 1 ]; then inv=(--wp-inverted); active=low; asserted=lo; fi
	image "$W/wp$sfx.img" 11
	cp "$W/wp$sfx.img" "$W/wp$sfx.orig"
	image "$W/decoy$sfx.img" 12
	plug DECOY$sfx "$W/decoy$sfx.img" --wp-gpio 3 || return
	plug WP$sfx "$W/wp$sfx.img" --wp-gpio 3 "${inv[@]}" || return
	local bus
	bus=$(cp2112_bus WP$sfx)
	cat >"$W/wp$sfx.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device wp]
provider = at24
usb-serial = WP$sfx
address = 0x50
chip = 24c512
wp-gpio = cp2112_gpio 3
wp-gpio-active = $active
CONF
	start_daemon "$W/wp$sfx.conf" || return
	check "wp-gpio active $active: the device is served" wait_for 10 test -e "$MNT/wp/nvmem"
	echo "    $(gpioinfo 2>/dev/null | grep -i nvmemfs | head -1)"
	check_eq "wp-gpio active $active: the line reads asserted" "$asserted" "$(wp_level)"
	check "wp-gpio active $active: the decoy bridge's pin was never driven" \
		eval "! grep -q '^G wp' '$W/emul-DECOY$sfx.log'"

	# hid-cp2112 makes a pin an output before it sets its level: a
	# latch still high from power-on shows for one report.
	echo "    WP at the request: $(grep '^G wp' "$W/emul-WP$sfx.log" | cut -c1-6 | tr '\n' ' ')"
	local n0
	n0=$(wc -l <"$W/emul-WP$sfx.log")

	# 1000 bytes at an odd offset, through nvmemfs: they land.
	head -c 1000 /dev/urandom >"$W/wp.w"
	dd if="$W/wp.w" of="$MNT/wp/nvmem" bs=1000 oflag=seek_bytes seek=333 \
		conv=notrunc status=none
	check_eq "wp-gpio active $active: dd write exit status" 0 "$?"
	check_eq "wp-gpio active $active: the bytes are in the EEPROM" \
		"$(xxd -p "$W/wp.w" | tr -d '\n')" "$(hexof "$W/wp$sfx.img" 333 1000)"
	check "wp-gpio active $active: nothing else changed" eval \
		"cmp -n 333 '$W/wp$sfx.orig' '$W/wp$sfx.img' && cmp -i 1333 '$W/wp$sfx.orig' '$W/wp$sfx.img'"
	tail -n +$((n0 + 1)) "$W/emul-WP$sfx.log" >"$W/wp.part"
	read -r data ign early rel <<<"$(wp_order "$W/wp.part")"
	echo "    $data data writes, $rel releases of WP, $ign ignored, $early early"
	check_eq "wp-gpio active $active: no write of nvmemfs ignored" 0 "$ign"
	check "wp-gpio active $active: WP released around every page ($rel for $data)" \
		test "$rel" -ge 9 -a "$rel" -le "$data"
	check_eq "wp-gpio active $active: WP asserted only after the write cycle's poll" 0 "$early"
	check_eq "wp-gpio active $active: asserted again after the write" "$asserted" "$(wp_level)"

	# Anything else on the bus meanwhile: ACKed by the chip, ignored.
	cp "$W/wp$sfx.img" "$W/wp$sfx.before"
	check "wp-gpio active $active: a raw i2ctransfer is ACKed" \
		i2ctransfer -f -y "$bus" w4@0x50 0x01 0x00 0xde 0xad
	check "wp-gpio active $active: ... and ignored by the protected EEPROM" \
		cmp -s "$W/wp$sfx.before" "$W/wp$sfx.img"
	check "wp-gpio active $active: ... the emulator saw it while WP was high" \
		grep -q '^W 256 2 ignored (WP)' "$W/emul-WP$sfx.log"
	check_eq "wp-gpio active $active: a cell-sized write" "" \
		"$(printf '\x42\x43' | dd of="$MNT/wp/nvmem" bs=2 seek=128 conv=notrunc status=none 2>&1)"
	check_eq "wp-gpio active $active: ... landed" 4243 "$(hexof "$W/wp$sfx.img" 256 2)"
	stop_daemon
	check_eq "wp-gpio active $active: the line is let go at exit" "" \
		"$(grep nvmemfs /sys/kernel/debug/gpio)"
	check_eq "wp-gpio active $active: ... and WP stays high" "G wp 1" \
		"$(grep '^G wp' "$W/emul-WP$sfx.log" | tail -1 | cut -c1-6)"
	cleanup
}

scenario_wp() {
	echo "--- scenario wp: the write-protect GPIO on hid-cp2112's gpio_chip"
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	wp_run 0
	wp_run 1

	# Mistakes: no such chip, no such line; the device is not served.
	image "$W/wpe.img" 13
	plug WPE "$W/wpe.img" --wp-gpio 3 || return
	cat >"$W/wpe.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device nochip]
provider = at24
usb-serial = WPE
address = 0x50
chip = 24c512
wp-gpio = no_such_gpio 3
CONF
	start_daemon "$W/wpe.conf" || return
	check "wp-gpio: a chip that is not there is named" \
		wait_for 10 grep -q "wpe.conf:8: \[device nochip\] wp-gpio: no GPIO chip 'no_such_gpio'" "$LOG"
	check "wp-gpio: ... and the device is not served" eval "! test -e '$MNT/nochip'"
	stop_daemon
	sed -i 's/^wp-gpio = .*/wp-gpio = cp2112_gpio 8/' "$W/wpe.conf"
	start_daemon "$W/wpe.conf" || return
	check "wp-gpio: a line past the chip's is named" \
		wait_for 10 grep -q "wpe.conf:8: \[device nochip\] wp-gpio: gpiochip[0-9]* (cp2112_gpio) has lines 0 to 7, not 8" "$LOG"
	stop_daemon
	cleanup

	# Pulled out in the middle of a long write: the writer gets ENODEV,
	# the daemon lives on and holds no GPIO any more; plugged back in,
	# the line is requested asserted again.
	image "$W/wpu.img" 14
	plug WPU "$W/wpu.img" --wp-gpio 3 || return
	local pid=$PLUGGED err
	cat >"$W/wpu.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device wpu]
provider = at24
usb-serial = WPU
address = 0x50
chip = 24c512
wp-gpio = cp2112_gpio 3
CONF
	start_daemon "$W/wpu.conf" || return
	check "unplug mid-write: the device is served" wait_for 10 test -e "$MNT/wpu/nvmem"
	check "unplug mid-write: the daemon holds the line" test "$(gpio_fds)" -ge 1
	head -c 32768 /dev/urandom >"$W/wpu.w"
	dd if="$W/wpu.w" of="$MNT/wpu/nvmem" bs=32k conv=notrunc 2>"$W/wpu.err" &
	local dd_pid=$!
	wait_for 20 eval "[ \$(grep -c '^W [0-9]* [0-9]*\$' '$W/emul-WPU.log') -gt 20 ]"
	unplug "$pid"
	wait "$dd_pid"
	err=$(head -1 "$W/wpu.err")
	case $err in
	*"No such device"*) pass "unplug mid-write: dd fails with No such device" ;;
	*) fail "unplug mid-write: expected No such device, got '$err'" ;;
	esac
	check "unplug mid-write: the directory is gone" wait_for 10 eval "! test -e '$MNT/wpu'"
	check "unplug mid-write: the daemon lives on" kill -0 "$DAEMON_PID"
	check_eq "unplug mid-write: no GPIO left held by the daemon" 0 "$(gpio_fds)"
	read -r data ign early rel <<<"$(wp_order "$W/emul-WPU.log")"
	echo "    $data data writes before the unplug, $rel releases, $ign ignored"
	check_eq "unplug mid-write: no write of nvmemfs was ignored" 0 "$ign"
	check_eq "unplug mid-write: never asserted before a poll ACKed" 0 "$early"
	check_kernel_log "scenario wp, after the unplug mid-write"
	plug WPU "$W/wpu.img" --wp-gpio 3 || return
	check "re-plugged: the device is back" wait_for 10 test -e "$MNT/wpu/nvmem"
	check_eq "re-plugged: the new chip's line is asserted" hi "$(wp_level)"
	check "re-plugged: the daemon holds a line again" test "$(gpio_fds)" -ge 1
	check "re-plugged: reads right" cmp -s "$W/wpu.img" "$MNT/wpu/nvmem"
	cleanup
	check_kernel_log "scenario wp"
}
