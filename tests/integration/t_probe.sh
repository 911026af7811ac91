#!/bin/bash
# SPDX-License-Identifier: MIT
# nvmemfs --check-config --probe: U-Boot environments made by Debian's
# mkenvimage, configured with the wrong env-size or without their
# redundant copy, must be found at their real size and place; ONIE
# TlvInfo headers at offset 0, corrupted, or elsewhere; emulated AT24
# parts configured as the other address width, or spread over more
# addresses, must be told apart, and their bytes left as they were.
. "$(dirname "$0")/lib.sh"

SRC=${NVMEMFS_SRC:?source tree}

# probe CONF: the probe's output (stdout and stderr), exit status in $rc.
probe() {
	out=$("$NVMEMFS" --check-config --probe -c "$1" 2>&1) && rc=0 || rc=$?
}

# has WHAT TEXT: the last probe's output contains TEXT.
has() {
	if grep -qF -- "$2" <<<"$out"; then pass "$1"; else fail "$1: no '$2' in: $out"; fi
}

# blank FILE SIZE: an erased device image.
blank() { head -c "$2" /dev/zero | tr '\0' '\377' >"$1"; }

printf 'bootdelay=3\nethaddr=02:00:5e:00:00:01\nbootcmd=run distro_bootcmd\n' >"$T/env.txt"

# --- a single 4 KiB environment at 0 of a 64 KiB device, said to be 8 KiB
mkenvimage -s 0x1000 -o "$T/env4k.bin" "$T/env.txt"
blank "$T/env.img" 65536
dd if="$T/env4k.bin" of="$T/env.img" conv=notrunc status=none
cat >"$T/env.conf" <<CONF
[device env]
provider = file
path = $T/env.img
read-only = yes
layout = u-boot-env
env-size = 0x2000
CONF
probe "$T/env.conf"
check_eq "wrong env-size: the probe exits 0" 0 "$rc"
check_eq "wrong env-size: the layout's warning is logged once" 1 \
	"$(grep -c 'U-Boot environment not applied' <<<"$out")"
has "wrong env-size: the configured copy's CRC does not match" \
	"probe u-boot-env: copy 0 at 0x0, 0x2000 bytes (env-offset, env-size): CRC-32 mismatch"
has "wrong env-size: the right one is found, with the keys to set" \
	"probe u-boot-env: CRC-32 matches for a single copy at 0x0, 0x1000 bytes: env-offset = 0x0, env-size = 0x1000"
sed -i 's/^env-size = .*/env-size = 0x1000/' "$T/env.conf"
probe "$T/env.conf"
has "right env-size: the configured copy matches" \
	"probe u-boot-env: copy 0 at 0x0, 0x1000 bytes (env-offset, env-size): CRC-32 matches"

# --- the same at 0x3000 of the device, configured at 0
blank "$T/env.img" 65536
dd if="$T/env4k.bin" of="$T/env.img" bs=4096 seek=3 conv=notrunc status=none
probe "$T/env.conf"
has "wrong env-offset: found at 0x3000" \
	"CRC-32 matches for a single copy at 0x3000, 0x1000 bytes: env-offset = 0x3000, env-size = 0x1000"

# --- a redundant pair of 2 KiB copies at 0 and 0x4000, configured single
mkenvimage -r -s 0x800 -o "$T/envr.bin" "$T/env.txt"
blank "$T/envr.img" 65536
dd if="$T/envr.bin" of="$T/envr.img" conv=notrunc status=none
dd if="$T/envr.bin" of="$T/envr.img" bs=1024 seek=16 conv=notrunc status=none
cat >"$T/envr.conf" <<CONF
[device envr]
provider = file
path = $T/envr.img
read-only = yes
layout = u-boot-env
CONF
probe "$T/envr.conf"
has "redundant pair: the configured single copy does not match" \
	"copy 0 at 0x0, 0x10000 bytes (env-offset, env-size): CRC-32 mismatch"
has "redundant pair: found, with env-redundant-offset" \
	"CRC-32 matches for a redundant copy at 0x0, 0x800 bytes: env-offset = 0x0, env-size = 0x800, env-redundant-offset = 0x4000 (the other copy)"
cat >>"$T/envr.conf" <<CONF
env-size = 0x800
env-redundant-offset = 0x4000
CONF
probe "$T/envr.conf"
has "redundant pair configured: copy 0 matches" \
	"copy 0 at 0x0, 0x800 bytes (env-offset, env-size): CRC-32 matches"
has "redundant pair configured: copy 1 matches" \
	"copy 1 at 0x4000, 0x800 bytes (env-redundant-offset, env-size): CRC-32 matches"
# What the probe says is what the layout then serves.
cat >"$T/envr.mnt.conf" <<CONF
[nvmemfs]
kernel-devices = no
$(cat "$T/envr.conf")
CONF
start_daemon "$T/envr.mnt.conf"
check_eq "the keys the probe gave serve the variables" "3" "$(cat "$MNT/envr/cells/bootdelay")"
stop_daemon

# --- ONIE TlvInfo: intact at 0, corrupted, and at 0x100
blank "$T/onie.img" 4096
dd if="$SRC/tests/fuzz/corpus/onie_tlv/full.bin" of="$T/onie.img" conv=notrunc status=none
cat >"$T/onie.conf" <<CONF
[device board]
provider = file
path = $T/onie.img
read-only = yes
layout = onie-tlv
CONF
probe "$T/onie.conf"
has "ONIE: header and CRC" "probe onie-tlv: TlvInfo header at offset 0, version 1, TLV area of 137 bytes, CRC-32 matches"
printf 'X' | dd of="$T/onie.img" bs=1 seek=20 conv=notrunc status=none
probe "$T/onie.conf"
has "ONIE: a corrupted field fails the CRC" "TLV area of 137 bytes, but CRC-32 is 0x"
blank "$T/onie.img" 4096
dd if="$SRC/tests/fuzz/corpus/onie_tlv/full.bin" of="$T/onie.img" bs=256 seek=1 conv=notrunc status=none
probe "$T/onie.conf"
has "ONIE: found elsewhere" "probe onie-tlv: a TlvInfo header at offset 0x100, not 0"
sed -i 's/^layout = .*/layout = fixed/' "$T/onie.conf"
blank "$T/onie.img" 4096
dd if="$SRC/tests/fuzz/corpus/onie_tlv/full.bin" of="$T/onie.img" conv=notrunc status=none
probe "$T/onie.conf"
has "ONIE without the layout: the key that would serve it" "CRC-32 matches (17 fields): layout = onie-tlv would serve them"

# --- AT24 on the emulated bus: the part against the configuration
image "$T/chip.img" 65536 21
at24_conf() {	# at24_conf CONFIGURED EMULATED
	cat >"$T/at24.conf" <<CONF
[device chip]
provider = at24
emulate = $T/chip.img
emulate-chip = $2
address = 0x50
chip = $1
CONF
}
at24_conf 24c02 24c32
probe "$T/at24.conf"
has "a 16-bit part configured as 24c02" \
	"probe at24: answers like a 16-bit addressed part (two-byte word addresses 0x0000 and 0x0040 read different bytes"
has "... with the key to change" "set chip to a 16-bit part (24c32 and larger) or address-width = 16"
at24_conf 24c32 24c02
probe "$T/at24.conf"
has "an 8-bit part configured as 24c32" \
	"probe at24: answers like an 8-bit addressed part (two-byte word addresses 0x0000 and 0x0040 both read what the one-byte address 0x01 reads"
has "... with the key to change" "set chip to an 8-bit part (24c01 to 24c16) or address-width = 8"
at24_conf 24c02 24c16
probe "$T/at24.conf"
has "a 24c16 configured as 24c02: eight addresses answer" \
	"probe at24: 8 consecutive addresses answer from 0x50 (0x50-0x57); chip 24c02 occupies 1"
at24_conf 24c08 24c08
probe "$T/at24.conf"
has "a 24c08 as configured: width" "8-bit addressed part"
has "a 24c08 as configured: four addresses" "4 consecutive addresses answer from 0x50 (0x50-0x53); chip 24c08 occupies 4"

# --probe alone is refused.
"$NVMEMFS" --probe -c "$T/at24.conf" >/dev/null 2>&1 && rc=0 || rc=$?
check_eq "--probe without --check-config is refused" 1 "$rc"
