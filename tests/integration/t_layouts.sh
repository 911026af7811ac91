#!/bin/bash
# SPDX-License-Identifier: MIT
# Layouts through the mount: ONIE TlvInfo cells, U-Boot variables read
# and written (single and redundant environments), bad data leaving the
# raw device served.
. "$(dirname "$0")/lib.sh"

crc() { "$FSPROBE" crc32 "$@"; }
be32() { printf "\\x${1:0:2}\\x${1:2:2}\\x${1:4:2}\\x${1:6:2}"; }
le32() { printf "\\x${1:6:2}\\x${1:4:2}\\x${1:2:2}\\x${1:0:2}"; }

# ONIE: header, product-name, serial-number, mac-address, CRC record.
{
	printf 'TlvInfo\0\x01\x00\x22'
	printf '\x21\x0aDemo-Board'
	printf '\x23\x06SN0042'
	printf '\x24\x06\x02\x00\x5e\x00\x53\x01'
	printf '\xfe\x04'
} > "$T/onie.img"
be32 "$(crc "$T/onie.img" 0 "$(stat -c %s "$T/onie.img")")" >> "$T/onie.img"
head -c 512 /dev/zero >> "$T/onie.img"
cp "$T/onie.img" "$T/onie-bad.img"
printf 'X' | dd of="$T/onie-bad.img" bs=1 seek=15 conv=notrunc status=none

# U-Boot, single copy of 4 KiB.
{ printf 'bootcmd=run distro\0ethaddr=00:11:22:33:44:55\0board=demo\0\0'; } > "$T/envdata"
truncate -s 4092 "$T/envdata"
{ le32 "$(crc "$T/envdata" 0 4092)"; cat "$T/envdata"; } > "$T/env.img"

# U-Boot, redundant: copy 0 (flags 1) active, copy 1 (flags 0) older.
truncate -s 4091 "$T/envdata"
{ le32 "$(crc "$T/envdata" 0 4091)"; printf '\x01'; cat "$T/envdata"; } > "$T/renv.img"
printf 'bootcmd=old\0\0' > "$T/olddata"; truncate -s 4091 "$T/olddata"
{ le32 "$(crc "$T/olddata" 0 4091)"; printf '\x00'; cat "$T/olddata"; } >> "$T/renv.img"

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device onie]
provider = file
path = $T/onie.img
layout = onie-tlv
[device bad]
provider = file
path = $T/onie-bad.img
layout = onie-tlv
[device env]
provider = file
path = $T/env.img
layout = u-boot-env
[device renv]
provider = file
path = $T/renv.img
layout = u-boot-env
env-size = 4096
env-redundant-offset = 4096
CONF
start_daemon "$T/nvmemfs.conf"

check_eq "ONIE product-name" "Demo-Board" "$(cat "$MNT/onie/cells/product-name")"
check_eq "ONIE serial-number" "SN0042" "$(cat "$MNT/onie/cells/serial-number")"
check_eq "ONIE mac-address" "02:00:5e:00:53:01" "$(cat "$MNT/onie/cells/mac-address")"
check_eq "ONIE crc32 is read-only" "EROFS" "$("$FSPROBE" open "$MNT/onie/cells/crc32" wronly)"
check_eq "bad CRC: no layout cells" "" "$(ls "$MNT/bad/cells")"
if cmp -s "$T/onie-bad.img" "$MNT/bad/nvmem"; then pass "bad CRC: raw device still served"; else fail "raw device of the bad image"; fi
grep -q "bad: onie-tlv layout not applied: .*CRC" "$LOG" && pass "bad CRC: one warning naming device and reason" || fail "no warning: $(grep bad: "$LOG")"

check_eq "U-Boot variable" "run distro" "$(cat "$MNT/env/cells/bootcmd")"
check_eq "U-Boot ethaddr as mac" "00:11:22:33:44:55" "$(cat "$MNT/env/cells/ethaddr")"
echo "run my_boot" > "$MNT/env/cells/bootcmd"
echo 02:00:00:00:00:0a > "$MNT/env/cells/ethaddr"
check_eq "written variable reads back" "run my_boot" "$(cat "$MNT/env/cells/bootcmd")"
# A long value in pieces, as stdio writes it (its buffer, then the rest):
# one value, stored whole at close.
long=$(head -c 3000 /dev/zero | tr '\0' 'x')
{ printf '%s' "${long:0:2048}"; printf '%s\n' "${long:2048}"; } > "$MNT/env/cells/board" &&
	pass "a 3000-byte value in two writes" || fail "a long value refused"
check_eq "... reads back whole" "$long" "$(cat "$MNT/env/cells/board")"
echo demo > "$MNT/env/cells/board"
check_eq "other variables kept" "demo" "$(cat "$MNT/env/cells/board")"
check_eq "single env: CRC valid after the write" "$(crc "$T/env.img" 4 4092)" \
	"$(dd if="$T/env.img" bs=1 count=4 status=none | xxd -p | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')"

check_eq "redundant env: the newer copy is active" "run distro" "$(cat "$MNT/renv/cells/bootcmd")"
echo "run new" > "$MNT/renv/cells/bootcmd"
for copy in 0 1; do
	off=$((copy * 4096))
	check_eq "redundant env: copy $copy CRC valid" "$(crc "$T/renv.img" $((off + 5)) 4091)" \
		"$(dd if="$T/renv.img" bs=1 skip=$off count=4 status=none | xxd -p | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')"
done
check_eq "redundant env: copy 1 flags 2 (newer)" "02" "$(dd if="$T/renv.img" bs=1 skip=4100 count=1 status=none | xxd -p)"
check_eq "redundant env: copy 0 untouched" "01" "$(dd if="$T/renv.img" bs=1 skip=4 count=1 status=none | xxd -p)"

# A fresh daemon reads what was written.
stop_daemon
start_daemon "$T/nvmemfs.conf"
check_eq "fresh daemon: single env value" "run my_boot" "$(cat "$MNT/env/cells/bootcmd")"
check_eq "fresh daemon: mac value" "02:00:00:00:00:0a" "$(cat "$MNT/env/cells/ethaddr")"
check_eq "fresh daemon: redundant env value" "run new" "$(cat "$MNT/renv/cells/bootcmd")"

# A configured cell with a layout cell's name: the data may change any
# day (fw_setenv), so it must not take the device down. The configured
# cell wins, the layout's is skipped with a warning, the rest is served.
stop_daemon
long=$(printf 'v%.0s' $(seq 1 300))
{ printf 'board=demo\0%s=1\0serial=x\0empty=\0\0' "$long"; } > "$T/longdata"
truncate -s 4092 "$T/longdata"
{ le32 "$(crc "$T/longdata" 0 4092)"; cat "$T/longdata"; } > "$T/long.img"
cat > "$T/clash.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device onie]
provider = file
path = $T/onie.img
layout = onie-tlv
[cell onie/serial-number]
offset = 0x100
size = 4
format = hex
[device long]
provider = file
path = $T/long.img
layout = u-boot-env
[device far]
provider = file
path = $T/env.img
layout = u-boot-env
env-offset = 0x800
env-size = 0x8000000000000010
CONF
: > "$LOG"
start_daemon "$T/clash.conf"
check_eq "name clash: the configured cell wins" "00000000" "$(cat "$MNT/onie/cells/serial-number")"
check_eq "name clash: other layout cells served" "Demo-Board" "$(cat "$MNT/onie/cells/product-name")"
grep -q "onie: layout cell 'serial-number' not served: a configured cell has that name" "$LOG" \
	&& pass "the clash is named" || fail "log: $(cat "$LOG")"
# A name longer than a file name is skipped; cutting it would make
# writes add a second variable.
check_eq "overlong variable skipped, others served" "board empty serial" "$(ls "$MNT/long/cells" | tr '\n' ' ' | sed 's/ $//')"
grep -q "long: layout cell 'v*' not served: File name too long" "$LOG" \
	&& pass "the overlong name is logged" || fail "log: $(grep long: "$LOG")"
# An empty value ("name=", as mkenvimage writes it) reads as an empty
# line, and writing an empty line empties a variable.
# (cat's output is empty on failure too: its status is what tells.)
out=$(cat "$MNT/long/cells/empty") && check_eq "empty variable reads empty" "" "$out" ||
	fail "reading an empty variable failed"
printf '\n' > "$MNT/long/cells/serial" && pass "an empty line written" || fail "writing an empty line"
out=$(cat "$MNT/long/cells/serial") && check_eq "emptied variable reads empty" "" "$out" ||
	fail "reading an emptied variable failed"
check_eq "emptied variable stays in the environment" "serial=" "$(tr '\0' '\n' < "$T/long.img" | grep -a '^serial')"
# An environment past the end of the device (a size that doubles to 32
# bytes, once a heap overflow): raw device served, no cells.
check_eq "env beyond the device: no cells" "" "$(ls "$MNT/far/cells")"
cmp -s "$T/env.img" "$MNT/far/nvmem" && pass "env beyond the device: raw device served" || fail "raw device of far"
grep -q "far: u-boot-env layout not applied: copy 0 (0x800 + .* bytes) lies beyond the device (4096 bytes)" "$LOG" \
	&& pass "env beyond the device: one warning" || fail "log: $(grep far: "$LOG")"
