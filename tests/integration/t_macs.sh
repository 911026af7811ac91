#!/bin/bash
# SPDX-License-Identifier: MIT
# Derived MAC addresses (mac-base, mac-index), as the kernel's mac-base
# cells give them: one base address in the EEPROM, one per interface,
# carried over all 48 bits; from a fixed cell, an ONIE field and a U-Boot
# variable; ONIE's num-macs bounds the index.
. "$(dirname "$0")/lib.sh"

be16() { printf "\\x${1:0:2}\\x${1:2:2}"; }
be32() { printf "\\x${1:0:2}\\x${1:2:2}\\x${1:4:2}\\x${1:6:2}"; }
le32() { printf "\\x${1:6:2}\\x${1:4:2}\\x${1:2:2}\\x${1:0:2}"; }
crc() { "$FSPROBE" crc32 "$1" "$2" "$3"; }

# ONIE: mac-address 02:00:5e:10:20:ff, num-macs 4, then the CRC record.
{
	printf 'TlvInfo\0\x01\x00\x12'
	printf '\x24\x06\x02\x00\x5e\x10\x20\xff'
	printf '\x2a\x02'; be16 0004
	printf '\xfe\x04'
} > "$T/onie.img"
be32 "$(crc "$T/onie.img" 0 "$(stat -c %s "$T/onie.img")")" >> "$T/onie.img"
head -c 256 /dev/zero >> "$T/onie.img"
# U-Boot, with ethaddr.
{ printf 'ethaddr=00:11:22:33:44:fe\0\0'; } > "$T/envdata"
truncate -s 4092 "$T/envdata"
{ le32 "$(crc "$T/envdata" 0 4092)"; cat "$T/envdata"; } > "$T/env.img"
image "$T/board.bin" 1024
printf '\x02\x00\x5e\xff\xff\xfe' | dd of="$T/board.bin" bs=1 seek=256 conv=notrunc status=none

cat > "$T/macs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device onie]
provider = file
path = $T/onie.img
layout = onie-tlv
[cell onie/eth1]
mac-base = mac-address
mac-index = 1
[cell onie/eth3]
mac-base = mac-address
mac-index = 3

[device env]
provider = file
path = $T/env.img
layout = u-boot-env
[cell env/wan]
mac-base = ethaddr
mac-index = 2

[device board]
provider = file
path = $T/board.bin
[cell board/mac]
offset = 0x100
size = 6
format = mac
[cell board/wlan]
mac-base = mac
mac-index = 3
CONF
out=$("$NVMEMFS" --check-config -c "$T/macs.conf" 2>&1) && rc=0 || rc=$?
check_eq "--check-config accepts derived addresses" 0 "$rc"
grep -Eq "wlan +- .*mac +ro +\(mac \+ 3\)" <<<"$out" && pass "--check-config shows base and index" || fail "output: $out"
start_daemon "$T/macs.conf"

check_eq "ONIE base + 1, carried into the next byte" "02:00:5e:10:21:00" "$(cat "$MNT/onie/cells/eth1")"
check_eq "ONIE base + 3" "02:00:5e:10:21:02" "$(cat "$MNT/onie/cells/eth3")"
check_eq "U-Boot ethaddr + 2" "00:11:22:33:45:00" "$(cat "$MNT/env/cells/wan")"
check_eq "fixed cell + 3, carried over three bytes" "02:00:5f:00:00:01" "$(cat "$MNT/board/cells/wlan")"
check_eq "a derived address is read-only" "-r--r--r--" "$(stat -c %A "$MNT/board/cells/wlan")"
check_eq "... and refuses writes" "EROFS" "$("$FSPROBE" open "$MNT/board/cells/wlan" wronly)"
echo 02:00:5e:00:00:10 > "$MNT/board/cells/mac"
check_eq "it follows its base" "02:00:5e:00:00:13" "$(cat "$MNT/board/cells/wlan")"
echo 00:11:22:33:44:00 > "$MNT/env/cells/ethaddr"
check_eq "... also a U-Boot variable" "00:11:22:33:44:02" "$(cat "$MNT/env/cells/wan")"
stop_daemon

# Mistakes, refused by the daemon and --check-config alike.
refused() {	# refused WHAT CONF EXPECTED-MESSAGE
	local out out2 rc
	out=$(timeout 10 "$NVMEMFS" -f -c "$2" "$MNT" 2>&1) && rc=0 || rc=$?
	check_eq "$1: the daemon refuses" 1 "$rc"
	grep -q "$3" <<<"$out" && pass "$1: $3" || fail "$1: $out"
	out2=$("$NVMEMFS" --check-config -c "$2" 2>&1) && rc=0 || rc=$?
	check_eq "$1: so does --check-config" 1 "$rc"
}
sed 's/^mac-index = 3$/mac-index = 4/' "$T/macs.conf" > "$T/past.conf"
refused "an index past num-macs" "$T/past.conf" \
	"past.conf:12: \[cell onie/eth3\] mac-index: 4 is past the 4 addresses of the device's num-macs"
sed 's/^mac-base = mac$/mac-base = nosuch/' "$T/macs.conf" > "$T/nobase.conf"
refused "no such base" "$T/nobase.conf" \
	"nobase.conf:30: \[cell board/wlan\] mac-base: 'nosuch' is no MAC address cell of the device"
printf '[device b]\nprovider = file\npath = %s\n[cell b/x]\nmac-base = y\noffset = 0\nmac-index = 1\n' "$T/board.bin" > "$T/own.conf"
refused "bytes of its own" "$T/own.conf" \
	"own.conf:6: \[cell b/x\] offset: a derived MAC address (mac-base) has no bytes of its own"
