#!/bin/bash
# SPDX-License-Identifier: MIT
# An ONIE TlvInfo EEPROM as something to edit, like onie-syseeprom -s:
# fields written in the form they read, created by creating their file,
# removed with rm; every result checked by an independent reader of the
# spec (onie_check.py, python's zlib CRC): CRC valid, records in their
# order, unknown types and vendor extensions untouched, 2048 bytes at
# most; refused edits change nothing; changes made elsewhere show.
. "$(dirname "$0")/lib.sh"

ONIE="python3 $(dirname "$0")/onie_check.py"
USR=nvt-onie-$$
useradd -M -N -g users -s /usr/sbin/nologin "$USR"
cleanup_hooks+=("userdel $USR")
as() { local u=$1; shift; setpriv --reuid="$u" --regid=users --init-groups -- "$@"; }
chmod 755 "$T"

h() { printf %s "$1" | xxd -p | tr -d '\n'; }
ls_cells() { ls "$MNT/onie/cells" | tr '\n' ' ' | sed 's/ $//'; }
errno_of() { "$@" 2>&1 | grep -oE 'E[A-Z]+' | head -1; }
IMG=$T/onie.img

# product-name, an unknown type, serial-number, a vendor extension with
# NUL and 0xff in it, MAC, date, device-version, num-macs, country-code.
UNK="7e:$(h 'kept as is')"
VEXT="fd:0000a67f00ff0102"
$ONIE build "$IMG" 4096 "21:$(h Demo-Board)" "$UNK" "23:$(h SN0042)" "$VEXT" \
	"24:02005e005301" "25:$(h '01/02/2024 03:04:05')" "26:03" "2a:0008" "2c:$(h US)"
chmod 644 "$IMG"
cat > "$T/onie.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device onie]
provider = file
path = $IMG
layout = onie-tlv
[device ro]
provider = file
path = $T/ro.img
layout = onie-tlv
read-only = yes
CONF
cp "$IMG" "$T/ro.img"
start_daemon "$T/onie.conf" -o allow_other

# --- Names and values as they read ---
check_eq "cells named as Linux's onie-tlv layout names them" \
	"country-code crc32 device-version mac-address manufacture-date num-macs product-name serial-number vendor-extension" \
	"$(ls_cells)"
check_eq "device-version reads in decimal" "3" "$(cat "$MNT/onie/cells/device-version")"
check_eq "num-macs reads in decimal" "8" "$(cat "$MNT/onie/cells/num-macs")"
check_eq "manufacture-date" "01/02/2024 03:04:05" "$(cat "$MNT/onie/cells/manufacture-date")"
check_eq "crc32 is the stored CRC" "$(xxd -s $(( $($ONIE total "$IMG") - 4 )) -l 4 -p "$IMG")" \
	"$(cat "$MNT/onie/cells/crc32")"
check_eq "crc32 has no write bits" "444" "$(stat -c %a "$MNT/onie/cells/crc32")"
check_eq "vendor-extension has no write bits" "444" "$(stat -c %a "$MNT/onie/cells/vendor-extension")"
check_eq "fields are writable by who may write the device" "644" "$(stat -c %a "$MNT/onie/cells/serial-number")"

# --- Writing fields ---
want() { check_eq "$1" "$2" "$($ONIE dump "$IMG" 2>&1)"; }
echo "SN-2024-000123" > "$MNT/onie/cells/serial-number"
want "a longer serial number: replaced in place, CRC valid, the rest kept" \
	"21:$(h Demo-Board) $UNK 23:$(h SN-2024-000123) $VEXT 24:02005e005301 25:$(h '01/02/2024 03:04:05') 26:03 2a:0008 2c:$(h US)"
check_eq "... reads back" "SN-2024-000123" "$(cat "$MNT/onie/cells/serial-number")"
check_eq "... past the TlvInfo the device is untouched" \
	"$(head -c 4096 /dev/zero | tr '\0' '\377' | tail -c +$(( $($ONIE total "$IMG") + 1 )) | md5sum)" \
	"$(tail -c +$(( $($ONIE total "$IMG") + 1 )) "$IMG" | md5sum)"
echo "X" > "$MNT/onie/cells/product-name"
echo "02:00:5e:00:53:99" > "$MNT/onie/cells/mac-address"
echo "12/31/2025 23:59:58" > "$MNT/onie/cells/manufacture-date"
echo 255 > "$MNT/onie/cells/device-version"
echo 300 > "$MNT/onie/cells/num-macs"
echo DE > "$MNT/onie/cells/country-code"
want "text, MAC, date, decimal (1 and 2 bytes big-endian), country written in the spec's form" \
	"21:$(h X) $UNK 23:$(h SN-2024-000123) $VEXT 24:02005e005399 25:$(h '12/31/2025 23:59:58') 26:ff 2a:012c 2c:$(h DE)"
check_eq "the MAC reads back" "02:00:5e:00:53:99" "$(cat "$MNT/onie/cells/mac-address")"
check_eq "num-macs reads back" "300" "$(cat "$MNT/onie/cells/num-macs")"
check_eq "crc32 follows" "$(xxd -s $(( $($ONIE total "$IMG") - 4 )) -l 4 -p "$IMG")" \
	"$(cat "$MNT/onie/cells/crc32")"

# --- Refused values change nothing ---
before=$(md5sum < "$IMG")
bad() {	# bad FIELD VALUE ERRNO WHAT
	check_eq "$4: $3" "$3" "$(errno_of "$FSPROBE" writefile "$MNT/onie/cells/$1" <(printf '%s\n' "$2"))"
}
bad manufacture-date "13/01/2024 00:00:00" EINVAL "month 13"
bad manufacture-date "02/29/2023 00:00:00" EINVAL "29 February of a common year"
bad manufacture-date "2024-01-02 03:04:05" EINVAL "another date format"
bad manufacture-date "01/02/2024 03:04" EINVAL "a date without seconds"
bad mac-address "02:00:5e:00:53" EINVAL "a MAC of 5 bytes"
bad mac-address "zz:00:5e:00:53:01" EINVAL "a MAC that is not hex"
bad device-version 256 EINVAL "device-version past 255"
bad num-macs 65536 EINVAL "num-macs past 65535"
bad num-macs -1 EINVAL "a negative num-macs"
bad country-code USA EINVAL "a country code of 3 letters"
bad product-name "" EINVAL "an empty value (rm removes a field)"
bad product-name "$(head -c 256 /dev/zero | tr '\0' p)" ENOSPC "a value longer than a record holds"
check_eq "after all those, the image is unchanged" "$before" "$(md5sum < "$IMG")"
check_eq "crc32 cannot be written" "EACCES" "$(as "$USR" "$FSPROBE" open "$MNT/onie/cells/crc32" wronly)"
check_eq "... not even by root" "EROFS" "$("$FSPROBE" open "$MNT/onie/cells/crc32" wronly)"

# --- Creating and removing fields ---
echo "ACME Networks" > "$MNT/onie/cells/vendor"
want "a file created in cells/ adds the field before the CRC record" \
	"21:$(h X) $UNK 23:$(h SN-2024-000123) $VEXT 24:02005e005399 25:$(h '12/31/2025 23:59:58') 26:ff 2a:012c 2c:$(h DE) 2d:$(h 'ACME Networks')"
check_eq "... listed" "yes" "$(ls "$MNT/onie/cells" | grep -qx vendor && echo yes)"
rm "$MNT/onie/cells/country-code"
want "rm removes the field, the others keep their order" \
	"21:$(h X) $UNK 23:$(h SN-2024-000123) $VEXT 24:02005e005399 25:$(h '12/31/2025 23:59:58') 26:ff 2a:012c 2d:$(h 'ACME Networks')"
check_eq "... and its file" "" "$(ls "$MNT/onie/cells" | grep -x country-code)"
before=$(md5sum < "$IMG")
check_eq "a name that is no ONIE field: EINVAL" "EINVAL" "$(errno_of "$FSPROBE" create "$MNT/onie/cells/colour" blue)"
check_eq "a second serial number: EINVAL" "EINVAL" "$(errno_of "$FSPROBE" create "$MNT/onie/cells/serial-number-1" x)"
check_eq "crc32 cannot be removed" "EPERM" "$(rm "$MNT/onie/cells/crc32" 2>&1 | grep -o 'not permitted' | sed 's/not permitted/EPERM/')"
check_eq "vendor extensions are not removed" "EPERM" \
	"$(rm "$MNT/onie/cells/vendor-extension" 2>&1 | grep -o 'not permitted' | sed 's/not permitted/EPERM/')"
check_eq "a vendor extension cannot be created" "EPERM" "$(errno_of "$FSPROBE" create "$MNT/onie/cells/vendor-extension-1" x)"
touch "$MNT/onie/cells/service-tag"
check_eq "a create that writes nothing adds nothing" "" "$(ls "$MNT/onie/cells" | grep -x service-tag)"
check_eq "... and nothing changed" "$before" "$(md5sum < "$IMG")"

# --- 2048 bytes at most ---
n=0
for f in part-number label-revision platform-name onie-version manufacturer diag-version service-tag product-name; do
	if [ "$("$FSPROBE" create "$MNT/onie/cells/$f" "$(head -c 250 /dev/zero | tr '\0' v)" 2>&1)" != ok ]; then
		break
	fi
	n=$((n + 1))
done
total=$($ONIE total "$IMG")
check_eq "fields fill the TlvInfo up to 2048 bytes, then stop" "yes" \
	"$([ "$n" -ge 5 ] && [ "$n" -lt 8 ] && [ "$total" -le 2048 ] && echo yes || echo "no: $n fields, $total bytes")"
before=$(md5sum < "$IMG")
check_eq "one more that would pass 2048: ENOSPC" "ENOSPC" \
	"$(errno_of "$FSPROBE" create "$MNT/onie/cells/product-name" "$(head -c 250 /dev/zero | tr '\0' w)")"
check_eq "... the image is unchanged and valid" "$before" "$(md5sum < "$IMG")"
rm "$MNT/onie/cells/part-number"
check_eq "rm makes room again" "yes" "$([ "$($ONIE total "$IMG")" -lt "$total" ] && echo yes)"

# --- Who may ---
check_eq "cells/ of a 0644 root device: 0755" "755" "$(stat -c %a "$MNT/onie/cells")"
check_eq "a user who may not write the device cannot write a field" "EACCES" \
	"$(as "$USR" "$FSPROBE" open "$MNT/onie/cells/serial-number" wronly)"
check_eq "... nor create one" "EACCES" "$(errno_of as "$USR" "$FSPROBE" create "$MNT/onie/cells/country-code" US)"
check_eq "... nor remove one" "EACCES" \
	"$(as "$USR" rm -f "$MNT/onie/cells/vendor" 2>&1 | grep -o 'Permission denied' | sed 's/Permission denied/EACCES/')"
check_eq "... but reads them" "SN-2024-000123" "$(as "$USR" cat "$MNT/onie/cells/serial-number")"

check_eq "a read-only device: no field is written" "EROFS" "$("$FSPROBE" open "$MNT/ro/cells/serial-number" wronly)"
check_eq "... cells/ is 0555" "555" "$(stat -c %a "$MNT/ro/cells")"
check_eq "... nothing is created" "EROFS" "$(errno_of "$FSPROBE" create "$MNT/ro/cells/vendor" x)"

# --- Changes made elsewhere ---
$ONIE build "$T/other.img" 4096 "23:$(h OTHER)" "$VEXT" "$VEXT"
dd if="$T/other.img" of="$MNT/onie/nvmem" conv=notrunc status=none
check_eq "a TlvInfo written raw through nvmem is followed" "crc32 serial-number vendor-extension vendor-extension-1" "$(ls_cells)"
check_eq "... and reads" "OTHER" "$(cat "$MNT/onie/cells/serial-number")"
# A byte of a record changed: the CRC no longer matches what is read.
printf '\x00' | dd of="$IMG" bs=1 seek=14 conv=notrunc status=none
check_eq "a field of a TlvInfo whose CRC does not match: EIO" "EIO" \
	"$(errno_of "$FSPROBE" pread "$MNT/onie/cells/serial-number" 0 10)"
# The CRC changed too (as any new TlvInfo changes it): the fields go.
printf '\x00' | dd of="$IMG" bs=1 seek=$(( $($ONIE total "$T/other.img") - 1 )) conv=notrunc status=none
ls "$MNT/onie/cells" > /dev/null
check_eq "a bad CRC hides the fields" "" "$(ls_cells)"
check_eq "... logged" "1" "$(grep -c 'onie: onie-tlv layout no longer valid: .*CRC' "$LOG")"
before=$(md5sum < "$IMG")
check_eq "... a field written meanwhile fails" "EIO" \
	"$(errno_of "$FSPROBE" create "$MNT/onie/cells/serial-number" x)"
check_eq "... and nothing is written over the bad TlvInfo" "$before" "$(md5sum < "$IMG")"
dd if="$T/other.img" of="$IMG" conv=notrunc status=none
check_eq "valid again, the fields are back" "crc32 serial-number vendor-extension vendor-extension-1" "$(ls_cells)"
stop_daemon || fail "daemon exit"
