#!/bin/bash
# SPDX-License-Identifier: MIT
# U-Boot's .flags and boolean redundant flags through the mount.
#
# .flags: environments made by mkenvimage, each with one .flags entry
# (libubootenv 0.3.2 applies only the first entry of .flags, and keeps
# only that one when it rewrites an environment), written by nvmemfs and
# by Debian's fw_setenv: nvmemfs refuses what fw_setenv refuses, for the
# same variables, and a refused write leaves the old value. fw_setenv
# exits 0 when it refuses, so its refusals are seen in the value.
#
# Boolean flags (parallel NOR): images built here from U-Boot's format;
# what nvmemfs writes is read back by U-Boot's rule (env/flash.c),
# implemented below in the shell, and by fw_printenv where its counter
# rule agrees. libubootenv uses boolean flags only on NOR MTD devices,
# which this machine has none of: no fw_setenv in that direction.
. "$(dirname "$0")/lib.sh"

need_tools mkenvimage fw_printenv fw_setenv

GRP=nvt-env-$$
MEMBER=nvt-envm-$$
new_group "$GRP"
new_user "$MEMBER" "$GRP"

# A device per case: NAME FLAGS-ENTRY OLD-VALUE, plus a free variable.
CASES="ro:ro:sr:1 wo:wo:so:x num:num:da:7 hex:hex:xa:0x10 flag:flag:ba:1 ip:ip:ia:10.0.0.1 addr:addr:ma:00:11:22:33:44:55 cd:cd:sc:5"
{
	echo "[nvmemfs]"
	echo "kernel-devices = no"
} > "$T/flags.conf"
for c in $CASES; do
	IFS=: read -r dev name attr old <<<"$c"
	printf '%s=%s\nfree=f\n.flags=%s:%s\n' "$name" "$old" "$name" "$attr" > "$T/$dev.txt"
	mkenvimage -s 4096 -o "$T/$dev.img" "$T/$dev.txt"
	printf '%s 0x0 0x1000\n' "$T/$dev.img" > "$T/$dev.cfg"
	cat >> "$T/flags.conf" <<CONF
[device $dev]
provider = file
path = $T/$dev.img
layout = u-boot-env
mode = 0664
group = $GRP
CONF
done
fwp() { fw_printenv -c "$T/$1.cfg" -n "$2"; }
# fw_printenv keeps .flags to itself: read it from the image.
flagsof() { tail -c +5 "$T/$1.img" | tr '\0' '\n' | sed -n 's/^\.flags=//p'; }
fws() { local d=$1; shift; fw_setenv -c "$T/$d.cfg" "$@"; }
start_daemon "$T/flags.conf" -o allow_other

perm() { stat -c '%A' "$1"; }
# try USER PATH VALUE: ok or the errno a writer meets, at open or at
# close (where a cell's value is stored or refused; shells ignore it).
try() {
	local u=$1 path=$2 hex out
	hex=$(printf %s "$3" | xxd -p | tr -d '\n')
	if [ "$u" = root ]; then
		out=$("$FSPROBE" pwrite "$path" 0 "$hex")
	else
		out=$(as "$u" "$FSPROBE" pwrite "$path" 0 "$hex")
	fi
	[ "$out" = "${#3}" ] && echo ok || echo "$out"
}

# Read-only and write-once: no write bits; root's write is EROFS, a
# member of the group that may write the other variables meets the
# missing write bits (EACCES, the kernel's answer); fw_setenv refuses
# both an overwrite and a delete, also once nvmemfs has rewritten the
# environment (it keeps .flags as it is).
for v in ro wo; do
	[ $v = ro ] && attr=sr || attr=so
	f=$MNT/$v/cells/$v
	old=$(cat "$f")
	check_eq "$v: no write bits" "-r--r--r--" "$(perm "$f")"
	check_eq "$v: a free variable beside it keeps them" "-rw-rw-r--" "$(perm "$MNT/$v/cells/free")"
	check_eq "$v: root's write: EROFS" EROFS "$(try root "$f" changed)"
	check_eq "$v: the group member's write: EACCES" EACCES "$(try "$MEMBER" "$f" changed)"
	check_eq "$v: the group member writes the free variable" ok "$(try "$MEMBER" "$MNT/$v/cells/free" g)"
	check_eq "$v: the old value stays" "$old" "$(cat "$f")"
	fws "$v" "$v" changed
	check_eq "$v: fw_setenv refuses the same overwrite" "$old" "$(fwp "$v" "$v")"
	fws "$v" "$v"
	check_eq "$v: ... and a delete" "$old" "$(fwp "$v" "$v")"
	check_eq "$v: fw_printenv reads the free variable nvmemfs wrote" g "$(fwp "$v" free)"
	check_eq "$v: ... and the .flags nvmemfs kept" "$v:$attr" "$(flagsof "$v")"
done

# Types as U-Boot checks them: a bad value is EINVAL at close and the
# old value stays; a good one is stored.
bad() {	# DEV VAR VALUE
	local before
	before=$(cat "$MNT/$1/cells/$2")
	check_eq "$1: '$3' is not of the type: EINVAL" EINVAL "$(try root "$MNT/$1/cells/$2" "$3")"
	check_eq "$1: ... the old value stays" "$before" "$(cat "$MNT/$1/cells/$2")"
	check_eq "$1: ... on the device too" "$before" "$(fwp "$1" "$2")"
}
good() { # DEV VAR VALUE
	check_eq "$1: '$3' is of the type" ok "$(try root "$MNT/$1/cells/$2" "$3")"
	check_eq "$1: ... and stored" "$3" "$(fwp "$1" "$2")"
}
bad num num 12a
good num num 8
bad hex hex zz
bad hex hex 0x
good hex hex 0xff
good hex hex 1f
bad flag flag yes
good flag flag n
bad ip ip 10.0.0
bad ip ip host.example
good ip ip 192.168.1.2
bad addr addr 00:11:22:33:44
good addr addr 02:00:5e:00:00:01
# fw_setenv refuses a bad value of these types as well (libubootenv
# 0.3.2 in fact refuses every value of a decimal or hex variable).
fws num num x
check_eq "num: fw_setenv refuses a non-number too" 8 "$(fwp num num)"
fws hex hex zz
check_eq "hex: fw_setenv refuses a non-hex value too" 1f "$(fwp hex hex)"

# Change-default: nvmemfs cannot know U-Boot's built-in default, so it
# lets an overwrite through, as fw_setenv does.
check_eq "cd: writable" "-rw-rw-r--" "$(perm "$MNT/cd/cells/cd")"
check_eq "cd: overwritten" ok "$(try "$MEMBER" "$MNT/cd/cells/cd" 6)"
check_eq "cd: ... and stored" 6 "$(fwp cd cd)"

# The other way round: fw_setenv rewrites an environment (keeping its
# one .flags entry), and nvmemfs still refuses without a remount.
fws ro free byfw
check_eq "after fw_setenv: nvmemfs reads its value" byfw "$(cat "$MNT/ro/cells/free")"
check_eq "after fw_setenv: ro still EROFS" EROFS "$(try root "$MNT/ro/cells/ro" 9)"

# (.flags itself is no file: names starting with a dot are not served.)

# .flags added behind nvmemfs's back (fw_setenv creates it when there is
# none): the variable's file still has its write bits, but the write is
# refused at close, EROFS, for root and for the member alike.
stop_daemon
printf 'late=1\n' > "$T/late.txt"
mkenvimage -s 4096 -o "$T/ro.img" "$T/late.txt"
start_daemon "$T/flags.conf" -o allow_other
fws ro .flags late:sr
check_eq "late .flags: fw_setenv stored it" "late:sr" "$(flagsof ro)"
check_eq "late .flags: the file kept its write bits" "-rw-rw-r--" "$(perm "$MNT/ro/cells/late")"
check_eq "late .flags: the member's write: EROFS" EROFS "$(try "$MEMBER" "$MNT/ro/cells/late" 2)"
check_eq "late .flags: root's write: EROFS" EROFS "$(try root "$MNT/ro/cells/late" 2)"
check_eq "late .flags: the value stays" 1 "$(fwp ro late)"
stop_daemon

# ---- boolean redundant flags ----
SIZE=4096
# copy FILE FLAG VARS...: one copy of SIZE bytes: CRC-32 (le), the flags
# byte, NUL-ended name=value strings, an empty one, zero padding.
copy() {
	local out=$1 flag=$2 crc; shift 2
	: > "$T/data"
	for v in "$@"; do printf '%s\0' "$v" >> "$T/data"; done
	printf '\0' >> "$T/data"
	truncate -s $((SIZE - 5)) "$T/data"
	crc=$("$FSPROBE" crc32 "$T/data" 0 $((SIZE - 5)))
	printf "\\x${crc:6:2}\\x${crc:4:2}\\x${crc:2:2}\\x${crc:0:2}\\x$(printf %02x "$flag")" > "$out"
	cat "$T/data" >> "$out"
}
# Which copy U-Boot's env/flash.c takes: a CRC decides first, then the
# flags (active 1 beats obsolete 0; equal: the first; else 0xff wins).
crc_ok() { [ "$(hexof "$1" $(($2 * SIZE)) 4)" = "$(le32 "$("$FSPROBE" crc32 "$1" $(($2 * SIZE + 5)) $((SIZE - 5)))")" ]; }
le32() { echo "${1:6:2}${1:4:2}${1:2:2}${1:0:2}"; }
flag() { echo $((16#$(hexof "$1" $(($2 * SIZE + 4)) 1))); }
uboot_active() {
	local img=$1 f0 f1
	crc_ok "$img" 0 || { crc_ok "$img" 1 && echo 1 || echo none; return; }
	crc_ok "$img" 1 || { echo 0; return; }
	f0=$(flag "$img" 0); f1=$(flag "$img" 1)
	if [ "$f0" = 1 ] && [ "$f1" = 0 ]; then echo 0
	elif [ "$f0" = 0 ] && [ "$f1" = 1 ]; then echo 1
	elif [ "$f0" = "$f1" ] || [ "$f0" = 255 ]; then echo 0
	elif [ "$f1" = 255 ]; then echo 1
	else echo undecided; fi
}
var_in() {	# IMG COPY NAME
	dd if="$1" bs=$SIZE skip="$2" count=1 status=none | tail -c +6 |
		tr '\0' '\n' | sed -n "s/^$3=//p"
}

copy "$T/c0" 255 which=erased board=nor
copy "$T/c1" 0 which=obsolete board=nor
cat "$T/c0" "$T/c1" > "$T/nor.img"
cp "$T/nor.img" "$T/count.img"
cat > "$T/nor.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device nor]
provider = file
path = $T/nor.img
layout = u-boot-env
env-size = $SIZE
env-redundant-offset = $SIZE
env-redundant-flags = bool
[device count]
provider = file
path = $T/count.img
layout = u-boot-env
env-size = $SIZE
env-redundant-offset = $SIZE
CONF
start_daemon "$T/nor.conf"
check_eq "bool: U-Boot's rule takes the erased copy over the obsolete one" 0 "$(uboot_active "$T/nor.img")"
check_eq "bool: so does nvmemfs" erased "$(cat "$MNT/nor/cells/which")"
check_eq "count: the same image read as a counter (0 follows 255)" obsolete "$(cat "$MNT/count/cells/which")"

# Writes: the new copy, active, into the other slot; the old one marked
# obsolete, its CRC still good. Twice, to come back to the first slot.
echo -n first > "$MNT/nor/cells/which"
check_eq "bool write 1: copy 1 is whole" ok "$(crc_ok "$T/nor.img" 1 && echo ok)"
check_eq "bool write 1: copy 1 active" 1 "$(flag "$T/nor.img" 1)"
check_eq "bool write 1: copy 0 marked obsolete" 0 "$(flag "$T/nor.img" 0)"
check_eq "bool write 1: copy 0 still whole (the flags byte is outside the CRC)" ok "$(crc_ok "$T/nor.img" 0 && echo ok)"
check_eq "bool write 1: copy 0 keeps the old environment" erased "$(var_in "$T/nor.img" 0 which)"
check_eq "bool write 1: U-Boot reads copy 1" 1 "$(uboot_active "$T/nor.img")"
check_eq "bool write 1: with the new value" first "$(var_in "$T/nor.img" 1 which)"
check_eq "bool write 1: and the rest" nor "$(var_in "$T/nor.img" 1 board)"
check_eq "bool write 1: nvmemfs reads it back" first "$(cat "$MNT/nor/cells/which")"
echo -n second > "$MNT/nor/cells/which"
check_eq "bool write 2: flags" "1 0" "$(flag "$T/nor.img" 0) $(flag "$T/nor.img" 1)"
check_eq "bool write 2: U-Boot reads copy 0" 0 "$(uboot_active "$T/nor.img")"
check_eq "bool write 2: with the new value" second "$(var_in "$T/nor.img" 0 which)"
check_eq "bool write 2: copy 1 keeps the previous one" first "$(var_in "$T/nor.img" 1 which)"
printf '%s 0x0 0x%x\n%s 0x%x 0x%x\n' "$T/nor.img" $SIZE "$T/nor.img" $SIZE $SIZE > "$T/nor.cfg"
check_eq "bool write 2: fw_printenv (counter rule, agreeing on 1 over 0) reads it" \
	second "$(fw_printenv -c "$T/nor.cfg" -n which)"
stop_daemon

# A write cut between the new copy and the obsolete mark leaves both
# active: U-Boot takes the first copy, and so does nvmemfs.
copy "$T/c0" 1 which=cut-new
copy "$T/c1" 1 which=cut-old
cat "$T/c0" "$T/c1" > "$T/nor.img"
start_daemon "$T/nor.conf"
check_eq "both active: U-Boot's choice" 0 "$(uboot_active "$T/nor.img")"
check_eq "both active: nvmemfs's" cut-new "$(cat "$MNT/nor/cells/which")"
