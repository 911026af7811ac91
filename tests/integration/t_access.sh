#!/bin/bash
# SPDX-License-Identifier: MIT
# Access control as users meet it: unprivileged users through an
# allow_other mount (and without it), each provider kind that runs here,
# the backing's modes and owners and the configured ones; the errno of
# every refused change to the tree; timestamps.
. "$(dirname "$0")/lib.sh"

# Users of a board: a member of the group allowed to write the EEPROM,
# and someone else. Made here, removed on exit.
GRP=nvt-eeprom-$$
MEMBER=nvt-mem-$$
OTHER=nvt-oth-$$
new_group "$GRP"
new_user "$MEMBER" "$GRP"
new_user "$OTHER"

image "$T/secret.bin" 1024 1;  chmod 600 "$T/secret.bin"
image "$T/public.bin" 1024 2;  chmod 644 "$T/public.bin"
image "$T/group.bin" 1024 3;   chmod 644 "$T/group.bin"
image "$T/owned.bin" 1024 4;   chmod 644 "$T/owned.bin"
image "$T/ro.bin" 1024 5;      chmod 666 "$T/ro.bin"
image "$T/chip.bin" 4096 6;    chmod 640 "$T/chip.bin"; chgrp "$GRP" "$T/chip.bin"
image "$T/blk.img" 8192 7
loop_attach "$T/blk.img"

cat > "$T/access.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device secret]
provider = file
path = $T/secret.bin
[cell secret/mac]
offset = 0
size = 6
format = mac

[device public]
provider = file
path = $T/public.bin
[cell public/mac]
offset = 0
size = 6
format = mac
[cell public/fixed]
offset = 8
size = 2
read-only = yes
[cell public/hidden]
offset = 16
size = 4
format = hex
mode = 0400

[device group]
provider = file
path = $T/group.bin
mode = 0664
group = $GRP
[cell group/mac]
offset = 0
size = 6
format = mac

[device owned]
provider = file
path = $T/owned.bin
owner = $OTHER

[device ro]
provider = file
path = $T/ro.bin
read-only = yes

[device chip]
provider = at24
emulate = $T/chip.bin
chip = 24c32
address = 0x50

[device blk]
provider = file
path = $LOOP
CONF

start_daemon "$T/access.conf" -o allow_other

grep -q " $MNT fuse.nvmemfs .*default_permissions" /proc/mounts &&
	pass "mounted with default_permissions" || fail "mount options: $(grep " $MNT " /proc/mounts)"

# perm PATH: mode and owner as ls shows them.
perm() { stat -c '%A %U %G' "$1"; }
# try USER read|write PATH: ok or the error, as a user meets it.
try() {
	local u=$1 op=$2 path=$3 out
	if [ "$op" = read ]; then
		out=$(as "$u" cat "$path" 2>&1 >/dev/null) && { echo ok; return; }
	else
		out=$(as "$u" dd of="$path" conv=notrunc status=none 2>&1 <<<"02:00:5e:00:00:01") &&
			{ echo ok; return; }
	fi
	case $out in
	*"Permission denied"*) echo EACCES ;;
	*"Read-only file system"*) echo EROFS ;;
	*) echo "other: $out" ;;
	esac
}

# A 0600 root image stays 0600 root: nobody else reads or writes it.
check_eq "0600 backing: nvmem mode" "-rw------- root root" "$(perm "$MNT/secret/nvmem")"
check_eq "0600 backing: cell mode" "-rw------- root root" "$(perm "$MNT/secret/cells/mac")"
check_eq "0600 backing: type readable by the owner only" "-r-------- root root" "$(perm "$MNT/secret/type")"
for u in "$MEMBER" "$OTHER"; do
	check_eq "0600 backing: $u cannot read nvmem" EACCES "$(try "$u" read "$MNT/secret/nvmem")"
	check_eq "0600 backing: $u cannot read a cell" EACCES "$(try "$u" read "$MNT/secret/cells/mac")"
	check_eq "0600 backing: $u cannot read type" EACCES "$(try "$u" read "$MNT/secret/type")"
	check_eq "0600 backing: $u cannot write a cell" EACCES "$(try "$u" write "$MNT/secret/cells/mac")"
done
check_eq "0600 backing: root reads" "$(hexof "$T/secret.bin" 0 16)" \
	"$(dd if="$MNT/secret/nvmem" bs=16 count=1 status=none | xxd -p)"

# A 0644 image: everyone reads, only root writes; read-only cells have no
# write bits; a configured mode narrows one cell.
check_eq "0644 backing: nvmem mode" "-rw-r--r-- root root" "$(perm "$MNT/public/nvmem")"
check_eq "0644 backing: writable cell" "-rw-r--r-- root root" "$(perm "$MNT/public/cells/mac")"
check_eq "0644 backing: read-only cell" "-r--r--r-- root root" "$(perm "$MNT/public/cells/fixed")"
check_eq "0644 backing: cell with mode = 0400" "-r-------- root root" "$(perm "$MNT/public/cells/hidden")"
check_eq "0644 backing: type" "-r--r--r-- root root" "$(perm "$MNT/public/type")"
check_eq "0644 backing: a user reads nvmem" ok "$(try "$OTHER" read "$MNT/public/nvmem")"
check_eq "0644 backing: a user reads a cell" ok "$(try "$OTHER" read "$MNT/public/cells/mac")"
check_eq "0644 backing: a user reads type" ok "$(try "$OTHER" read "$MNT/public/type")"
check_eq "0644 backing: a user cannot read the 0400 cell" EACCES "$(try "$OTHER" read "$MNT/public/cells/hidden")"
before=$(hexof "$T/public.bin" 0 1024)
check_eq "0644 backing: a user cannot write a cell" EACCES "$(try "$OTHER" write "$MNT/public/cells/mac")"
check_eq "0644 backing: a user cannot write nvmem" EACCES "$(try "$MEMBER" write "$MNT/public/nvmem")"
check_eq "0644 backing: nothing changed" "$before" "$(hexof "$T/public.bin" 0 1024)"
echo 02:00:5e:00:00:0a > "$MNT/public/cells/mac" && pass "root writes a cell" || fail "root cannot write a cell"
check_eq "root's write landed" "02005e00000a" "$(hexof "$T/public.bin" 0 6)"
check_eq "root writing a read-only cell: EROFS" EROFS "$(try root write "$MNT/public/cells/fixed")"

# mode = 0664, group = GRP: members write, others read.
check_eq "configured group: nvmem" "-rw-rw-r-- root $GRP" "$(perm "$MNT/group/nvmem")"
check_eq "configured group: cell inherits" "-rw-rw-r-- root $GRP" "$(perm "$MNT/group/cells/mac")"
check_eq "configured group: directory owner" "dr-xr-xr-x root $GRP" "$(perm "$MNT/group")"
check_eq "configured group: a member writes the cell" ok "$(try "$MEMBER" write "$MNT/group/cells/mac")"
check_eq "configured group: the member's value is stored" "02005e000001" "$(hexof "$T/group.bin" 0 6)"
check_eq "configured group: others cannot write" EACCES "$(try "$OTHER" write "$MNT/group/cells/mac")"
check_eq "configured group: others read" ok "$(try "$OTHER" read "$MNT/group/cells/mac")"

# owner = USER by name: that user writes, as the owner of a 0644 file.
check_eq "configured owner" "-rw-r--r-- $OTHER root" "$(perm "$MNT/owned/nvmem")"
check_eq "configured owner writes" ok "$(try "$OTHER" write "$MNT/owned/nvmem")"
check_eq "someone else does not" EACCES "$(try "$MEMBER" write "$MNT/owned/nvmem")"

# read-only = yes on a 0666 backing: no write bits for anyone.
check_eq "read-only device of a 0666 backing" "-r--r--r-- root root" "$(perm "$MNT/ro/nvmem")"
check_eq "read-only device: a user cannot write" EACCES "$(try "$OTHER" write "$MNT/ro/nvmem")"

# provider = at24 (emulated): the chip's image stands for /dev/i2c-N.
check_eq "at24: the image's mode, owner and group" "-rw-r----- root $GRP" "$(perm "$MNT/chip/nvmem")"
check_eq "at24: a group member reads" ok "$(try "$MEMBER" read "$MNT/chip/nvmem")"
check_eq "at24: others cannot" EACCES "$(try "$OTHER" read "$MNT/chip/nvmem")"

# A block device: udev's (or devtmpfs') mode and group, as ls -l /dev shows.
check_eq "block device: the node's mode and owner" "$(stat -c '%A %U %G' "$LOOP" | sed 's/^b/-/')" \
	"$(perm "$MNT/blk/nvmem")"
check_eq "block device: a user outside its group cannot read" EACCES "$(try "$OTHER" read "$MNT/blk/nvmem")"

# Directories list for everyone, as sysfs does.
check_eq "a user lists a 0600 device's cells" "mac" "$(as "$OTHER" ls "$MNT/secret/cells")"

# Changes to the tree: EPERM for root (users are stopped earlier by the
# directory modes), never ENOSYS.
errof() { local out; out=$("$@" 2>&1) && echo ok || case $out in
	*"Operation not permitted"*) echo EPERM ;; *"Read-only file system"*) echo EROFS ;;
	*"Permission denied"*) echo EACCES ;;
	*"Function not implemented"*) echo ENOSYS ;; *) echo "other: $out" ;; esac; }
refusals() {
	check_eq "$1: create" "$2" "$(errof touch "$MNT/public/cells/new")"
	check_eq "$1: unlink" "$2" "$(errof rm -f "$MNT/public/type")"
	check_eq "$1: mkdir" "$2" "$(errof mkdir "$MNT/public/cells/dir")"
	check_eq "$1: rmdir" "$2" "$(errof rmdir "$MNT/public/cells")"
	check_eq "$1: rename" "$2" "$(errof mv "$MNT/public/type" "$MNT/public/type2")"
	check_eq "$1: symlink" "$2" "$(errof ln -s x "$MNT/public/cells/link")"
	check_eq "$1: link" "$2" "$(errof ln "$MNT/public/type" "$MNT/public/cells/hard")"
	check_eq "$1: mknod" "$2" "$(errof mknod "$MNT/public/cells/fifo" p)"
	check_eq "$1: chmod" "$2" "$(errof chmod 666 "$MNT/public/nvmem")"
	check_eq "$1: chown" "$2" "$(errof chown "$OTHER" "$MNT/public/nvmem")"
}
refusals "root, writable mount" EPERM
check_eq "a user's create: the directory mode refuses" EACCES \
	"$(try_create() { as "$OTHER" touch "$MNT/public/cells/new"; }; errof try_create)"
before=$(hexof "$T/public.bin" 0 16)
truncate -s 0 "$MNT/public/nvmem" && pass "truncate is accepted" || fail "truncate refused"
check_eq "... and ignored" "$before" "$(hexof "$T/public.bin" 0 16)"

# Timestamps: the registration, not 1970; a write moves mtime and ctime
# of what it changed, and only of that.
now=$(date +%s)
t_type=$(stat -c %Y "$MNT/public/type")
[ "$t_type" -gt $((now - 600)) ] && [ "$t_type" -le "$now" ] &&
	pass "files carry the registration time" || fail "type mtime $t_type, now $now"
sleep 1.1
t0=$(date +%s)
echo 02:00:5e:00:00:0b > "$MNT/public/cells/mac"
check_eq "a cell write moves the cell's mtime" 1 "$([ "$(stat -c %Y "$MNT/public/cells/mac")" -ge "$t0" ] && echo 1)"
check_eq "... and its ctime" 1 "$([ "$(stat -c %Z "$MNT/public/cells/mac")" -ge "$t0" ] && echo 1)"
check_eq "... and nvmem's, at once" 1 "$([ "$(stat -c %Y "$MNT/public/nvmem")" -ge "$t0" ] && echo 1)"
check_eq "... but not an untouched cell's" 1 "$([ "$(stat -c %Y "$MNT/public/cells/hidden")" -lt "$t0" ] && echo 1)"
sleep 1.1
t1=$(date +%s)
printf '\x12\x34\x56\x78' | dd of="$MNT/public/nvmem" bs=4 seek=4 conv=notrunc status=none
check_eq "a raw write moves the mtime of the cells it covers" 1 \
	"$([ "$(stat -c %Y "$MNT/public/cells/hidden")" -ge "$t1" ] && echo 1)"
check_eq "... not of the others" 1 "$([ "$(stat -c %Y "$MNT/public/cells/mac")" -lt "$t1" ] && echo 1)"

# A shared mapping of a direct-I/O file: the kernel's FUSE refuses it
# with ENODEV itself (documented); a private one reads the bytes.
check_eq "mmap MAP_SHARED: the kernel's ENODEV" ENODEV "$("$FSPROBE" mmap "$MNT/public/nvmem" shared 16)"
check_eq "mmap MAP_PRIVATE reads" "16 $(hexof "$T/public.bin" 0 16)" "$("$FSPROBE" mmap "$MNT/public/nvmem" private 16)"
stop_daemon

# A read-only mount: the kernel answers EROFS for every change.
start_daemon "$T/access.conf" -o allow_other,ro
refusals "root, read-only mount" EROFS
stop_daemon

# Without allow_other only the user who mounted gets in, whatever the modes.
start_daemon "$T/access.conf"
check_eq "no allow_other: a user cannot read a 0644 device" EACCES "$(try "$OTHER" read "$MNT/public/nvmem")"
check_eq "no allow_other: nor list the mount" "" "$(as "$OTHER" ls "$MNT" 2>/dev/null)"
check_eq "no allow_other: root reads the 0600 one" "$(hexof "$T/secret.bin" 0 16)" \
	"$(dd if="$MNT/secret/nvmem" bs=16 count=1 status=none | xxd -p)"
stop_daemon
