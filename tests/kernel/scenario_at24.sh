# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Scenarios 1 and 6 of tests/kernel/scenarios.sh (sourced by it): provider
# at24 on the kernel's own I2C adapters. Scenario 1 through hid-cp2112 on
# our emulated CP2112 (cells, nvmem, page writes, found by adapter name
# and by bus number); scenario 6 on i2c-stub, an adapter with SMBus only.

scenario_1() {
	echo "--- scenario 1: provider at24 on the kernel's hid-cp2112 (adapter = CP2112*)"
	board_image "$W/s1.img" 1
	cp "$W/s1.img" "$W/s1.orig"
	plug S1 "$W/s1.img" || return
	cat >"$W/s1.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device eeprom]
provider = at24
adapter = CP2112*
address = 0x50
chip = 24c512
[cell eeprom/mac-address]
offset = 0x100
size = 6
format = mac
[cell eeprom/serial-number]
offset = 0x10
size = 8
format = string
CONF
	start_daemon "$W/s1.conf" || return
	wait_for 10 test -e "$MNT/eeprom/nvmem"
	check_eq "mac cell through hid-cp2112" "02:00:5e:10:20:30" "$(cat "$MNT/eeprom/cells/mac-address")"
	check_eq "string cell" "SN4711" "$(cat "$MNT/eeprom/cells/serial-number")"
	check_eq "size of nvmem" 65536 "$(stat -c %s "$MNT/eeprom/nvmem")"
	check "whole 24c512 read with cmp" cmp -s "$W/s1.orig" "$MNT/eeprom/nvmem"
	check_eq "dd skip/count" "$(hexof "$W/s1.orig" 1000 300)" \
		"$(dd if="$MNT/eeprom/nvmem" bs=100 skip=10 count=3 status=none | xxd -p | tr -d '\n')"

	# 1000 bytes at an odd offset: 9 pages, none written across its end.
	head -c 1000 /dev/urandom >"$W/s1.w"
	: >"$W/emul-S1.log.w"
	grep -c '^W [0-9]' "$W/emul-S1.log" >"$W/s1.before" || true
	dd if="$W/s1.w" of="$MNT/eeprom/nvmem" bs=1000 oflag=seek_bytes seek=333 \
		conv=notrunc status=none
	check_eq "dd write exit status" 0 "$?"
	check_eq "written bytes are in the emulator's image" "$(xxd -p "$W/s1.w" | tr -d '\n')" \
		"$(hexof "$W/s1.img" 333 1000)"
	check "the image before the write is untouched" \
		cmp -n 333 "$W/s1.orig" "$W/s1.img"
	check "... and after it" cmp -i 1333 "$W/s1.orig" "$W/s1.img"
	check_eq "read back through nvmemfs" "$(xxd -p "$W/s1.w" | tr -d '\n')" \
		"$(dd if="$MNT/eeprom/nvmem" bs=1 skip=333 count=1000 status=none | xxd -p | tr -d '\n')"
	# From the emulator's log: every data write inside one 128-byte page,
	# in reports of at most 59 data bytes (61 less the word address).
	awk -v skip="$(cat "$W/s1.before")" '/^W [0-9]/ && ++n > skip {
		w++; if ($2 % 128 + $3 > 128) bad++; if ($3 > 59) big++; sum += $3 }
		END { printf "%d %d %d %d\n", w, bad + 0, big + 0, sum }' \
		"$W/emul-S1.log" >"$W/s1.writes"
	read -r nw nbad nbig nsum <"$W/s1.writes"
	echo "    the write took $nw bus writes"
	check_eq "no bus write crosses a page" 0 "$nbad"
	check_eq "no bus write over the CP2112's report" 0 "$nbig"
	check_eq "bytes written on the bus" 1000 "$nsum"
	check "the write cycle was polled (the chip NACKed meanwhile)" \
		grep -q '^W nack' "$W/emul-S1.log"
	check_eq "a cell write" "" "$(echo 02:11:22:33:44:55 >"$MNT/eeprom/cells/mac-address" 2>&1)"
	check_eq "the cell write in the image" 021122334455 "$(hexof "$W/s1.img" 256 6)"

	# The same EEPROM by bus number.
	local bus
	bus=$(cp2112_bus S1)
	stop_daemon
	sed "s/^adapter = .*/bus = $bus/" "$W/s1.conf" >"$W/s1b.conf"
	start_daemon "$W/s1b.conf" || return
	wait_for 10 test -e "$MNT/eeprom/nvmem"
	check_eq "found by bus = $bus" "02:11:22:33:44:55" "$(cat "$MNT/eeprom/cells/mac-address")"
	cleanup
	check_kernel_log "scenario 1"
}

scenario_6() {
	echo "--- scenario 6: the at24 SMBus fallback on i2c-stub (no plain I2C)"
	vm_insmod i2c-stub chip_addr=0x50 || { fail "i2c-stub"; return; }
	local a bus=
	for a in /sys/bus/i2c/devices/i2c-*; do
		case $(cat "$a/name") in "SMBus stub"*) bus=${a##*/i2c-} ;; esac
	done
	[ -n "$bus" ] || { fail "no i2c-stub adapter"; return; }
	# Fill the stub's 256 registers, 32 bytes per SMBus block write.
	image "$W/stub.img" 7
	head -c 256 "$W/stub.img" >"$W/stub.256"
	local off
	for off in $(seq 0 32 224); do
		# shellcheck disable=SC2046
		i2cset -y "$bus" 0x50 "$off" $(dd if="$W/stub.256" bs=1 skip="$off" count=32 \
			status=none | xxd -p -c1 | sed 's/^/0x/') i || fail "i2cset"
	done
	cat >"$W/s6.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device stub]
provider = at24
adapter = SMBus stub*
address = 0x50
chip = 24c02
CONF
	start_daemon "$W/s6.conf" || return
	wait_for 10 test -e "$MNT/stub/nvmem"
	# The /dev/i2c-N node's mode, without its write bits.
	check_eq "served read-only (no plain I2C, no writes)" \
		"$(printf '%o' $((0$(stat -c %a "/dev/i2c-$bus") & 0444)))" \
		"$(stat -c %a "$MNT/stub/nvmem")"
	check "read with SMBus I2C-block reads" cmp -s "$W/stub.256" "$MNT/stub/nvmem"
	check_eq "a write is refused" 1 "$(echo x 2>/dev/null >"$MNT/stub/nvmem"; echo $?)"
	cleanup
	rmmod i2c-stub
	check_kernel_log "scenario 6"
}
