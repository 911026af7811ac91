#!/bin/bash
# SPDX-License-Identifier: MIT
# poll(2) on the mount's files, as on sysfs attributes: POLLPRI|POLLERR
# once the value changed through nvmemfs (by any path: raw nvmem, a
# cell, an overlapping cell, a U-Boot variable, the environment file, a
# variable created or removed), nothing when nothing changed, and
# POLLERR|POLLHUP when the device goes (reads then fail with ENODEV).
# Every wait is bounded; the bound is a hang guard, the assertion is
# which files woke.
. "$(dirname "$0")/lib.sh"

POLLWAIT=${POLLWAIT:-$(dirname "$FSPROBE")/pollwait}
command -v mkenvimage >/dev/null ||
	{ fail "mkenvimage missing (scripts/test installs u-boot-tools)"; exit 1; }

image "$T/plain.img" 1024 1
image "$T/hot.img" 4096 2
loop_attach "$T/hot.img"
printf 'board=demo\nbootcmd=run distro\n' > "$T/vars.txt"
mkenvimage -r -s 4096 -o "$T/r0.img" "$T/vars.txt"
cat "$T/r0.img" "$T/r0.img" > "$T/env.img"

cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device plain]
provider = file
path = $T/plain.img
[cell plain/a]
offset = 0
size = 4
format = hex
[cell plain/b]
offset = 16
size = 4
format = hex
[cell plain/lo]
offset = 32
bits = 0:4
format = hex
[cell plain/hi]
offset = 32
bits = 4:4
format = hex
[device env]
provider = file
path = $T/env.img
layout = u-boot-env
env-size = 4096
env-redundant-offset = 4096
[cell env/crc]
offset = 0
size = 4
format = hex
[cell env/crc2]
offset = 4096
size = 4
format = hex
[device hot]
provider = file
path = $LOOP
[cell hot/id]
offset = 8
size = 4
CONF
start_daemon "$T/nvmemfs.conf" --uevent-source=kernel

# watch OUT PATH...: a poller in the background, armed when this returns.
watch() {
	local out=$1; shift
	rm -f "$T/ready"
	"$POLLWAIT" 5000 "$T/ready" "$@" > "$out" 2>&1 &
	WATCHER=$!
	for _ in $(seq 1 200); do [ -e "$T/ready" ] && return 0; sleep 0.02; done
	fail "poller not armed: $(cat "$out")"
}
# check_poll WHAT EXPECTED OUT: once the poller is done, its lines joined
# ("woke PRI|ERR - read ok - ...": what poll said, then each file's
# read and what poll says after it).
check_poll() {
	wait "$WATCHER" || true
	check_eq "$1" "$2" "$(tr '\n' ' ' < "$3" | sed 's/ $//')"
}

P=$MNT/plain
# --- raw write: nvmem and the cells it covers, not the others ---
watch "$T/o1" "$P/nvmem" "$P/cells/a" "$P/cells/lo" "$P/cells/b"
"$FSPROBE" pwrite "$P/nvmem" 2 a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbe > /dev/null
check_poll "a raw write wakes nvmem and the cells over its bytes, not the others; a read consumes it" \
	"woke PRI|ERR PRI|ERR - PRI|ERR read ok - read ok - read ok - read ok -" "$T/o1"

# --- cell write: the cell, nvmem and an overlapping cell ---
watch "$T/o2" "$P/nvmem" "$P/cells/a" "$P/cells/lo" "$P/cells/b"
printf 'b1b2b3b4' > "$P/cells/b"
check_poll "a cell write wakes that cell and nvmem only" \
	"woke PRI|ERR - - PRI|ERR read ok - read ok - read ok - read ok -" "$T/o2"
watch "$T/o3" "$P/cells/a" "$P/cells/lo" "$P/cells/hi"
printf '05' > "$P/cells/lo"
check_poll "... and a bit field sharing its byte" \
	"woke - PRI|ERR PRI|ERR read ok - read ok - read ok -" "$T/o3"

# --- nothing changed: no wake; a read is not a change ---
rm -f "$T/ready"
"$POLLWAIT" 700 "$T/ready" "$P/nvmem" "$P/cells/a" "$P/cells/b" > "$T/o4" 2>&1 &
WATCHER=$!
cat "$P/nvmem" "$P/cells/a" > /dev/null
ls -l "$P" > /dev/null
check_poll "no change, no wake (a bounded wait times out)" \
	"timeout - - - read ok - read ok - read ok -" "$T/o4"

# --- a change made before the poll: seen at once ---
rm -f "$T/ready" "$T/go"
"$POLLWAIT" -g "$T/go" 0 "$T/ready" "$P/cells/b" "$P/cells/a" > "$T/o4b" 2>&1 &
WATCHER=$!
for _ in $(seq 1 200); do [ -e "$T/ready" ] && break; sleep 0.02; done
printf 'c1c2c3c4' > "$P/cells/b"
touch "$T/go"
check_poll "a change since the open (or last read) is reported without waiting" \
	"woke PRI|ERR - read ok - read ok -" "$T/o4b"

# --- U-Boot environment: variables, the file, create, remove ---
E=$MNT/env
ls "$E/cells" > /dev/null
# The store writes one of the two copies: the configured cell over that
# copy's CRC wakes, the one over the other copy's CRC stays asleep.
watch "$T/o5" "$E/nvmem" "$E/environment" "$E/cells/board" "$E/cells/bootcmd" "$E/cells/crc" "$E/cells/crc2"
echo other > "$E/cells/board"
wait "$WATCHER" || true
got=$(tr '\n' ' ' < "$T/o5" | sed 's/ $//')
all="PRI|ERR PRI|ERR PRI|ERR PRI|ERR"
reads="read ok - read ok - read ok - read ok - read ok - read ok -"
if [ "$got" = "woke $all PRI|ERR - $reads" ] || [ "$got" = "woke $all - PRI|ERR $reads" ]; then
	pass "a variable write wakes every variable, the environment file, nvmem and the configured cell over the copy written, not the other"
else
	fail "variable write: got '$got'"
fi
watch "$T/o6" "$E/cells/board" "$E/environment"
printf 'board=fromfile\nbootcmd=run distro\n' > "$E/environment"
check_poll "an environment file write wakes the variables" \
	"woke PRI|ERR PRI|ERR read ok - read ok -" "$T/o6"
check_eq "... which read the new value" "fromfile" "$(cat "$E/cells/board")"
watch "$T/o7" "$E/cells/board" "$E/environment"
echo yes > "$E/cells/added"
check_poll "creating a variable wakes the others" \
	"woke PRI|ERR PRI|ERR read ok - read ok -" "$T/o7"
watch "$T/o8" "$E/cells/board" "$E/environment"
rm "$E/cells/added"
check_poll "removing one too" \
	"woke PRI|ERR PRI|ERR read ok - read ok -" "$T/o8"
watch "$T/o9" "$P/nvmem" "$P/cells/b" "$E/cells/board"
echo again > "$E/cells/bootcmd"
check_poll "a write to one device wakes nothing of another" \
	"woke - - PRI|ERR read ok - read ok - read ok -" "$T/o9"

# --- inotify: the kernel's own events only ---
# A write(2) through the mount makes IN_MODIFY on the file written (the
# VFS does that); a file changed through another (a cell by a raw write)
# gets none: FUSE has no way for the daemon to raise inotify events, and
# telling the kernel to drop its cached attributes raises none either
# (nvmemfs(8) says so). Fails if a kernel starts to: update the page.
rm -f "$T/ready"
"$POLLWAIT" -i 700 "$T/ready" "$P/nvmem" "$P/cells/a" "$P/cells/b" > "$T/o11" 2>&1 &
WATCHER=$!
for _ in $(seq 1 200); do [ -e "$T/ready" ] && break; sleep 0.02; done
"$FSPROBE" pwrite "$P/nvmem" 0 0102 > /dev/null
check_poll "inotify: IN_MODIFY on the file written, nothing on a cell it changed" \
	"MODIFY - -" "$T/o11"

# --- unplug: every handle wakes with POLLERR|POLLHUP, reads say ENODEV ---
watch "$T/o10" "$MNT/hot/nvmem" "$MNT/hot/cells/id"
echo remove > "$UEVENT"
check_poll "an unplug wakes every poller with POLLERR|POLLHUP; reads fail with ENODEV" \
	"woke PRI|ERR|HUP PRI|ERR|HUP read ENODEV PRI|ERR|HUP read ENODEV PRI|ERR|HUP" "$T/o10"
