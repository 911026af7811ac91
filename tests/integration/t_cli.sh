#!/bin/bash
# SPDX-License-Identifier: MIT
# Command line, configuration errors, start-up, mount.fuse3, background.
. "$(dirname "$0")/lib.sh"

image "$T/board.bin" 1024
cat > "$T/good.conf" <<CONF
[nvmemfs]
kernel-devices = no   # only what is configured

[device board]
provider = file
path = $T/board.bin

[cell board/mac-address]
offset = 0x100
size = 6
format = mac

[cell board/rev]
offset = 0x10
bits = 4:12
format = u16le
CONF

out=$("$NVMEMFS" --check-config -c "$T/good.conf" 2>&1) && rc=0 || rc=$?
check_eq "--check-config on a good file exits 0" "0" "$rc"
echo "$out"
grep -q "device board" <<<"$out" && pass "--check-config lists the device" || fail "no device in: $out"
grep -Eq "mac-address +0x100 +6 .*mac" <<<"$out" && pass "--check-config shows offset, size, format" || fail "cell row missing: $out"
grep -Eq "rev +0x10 .*4:12 +u16le" <<<"$out" && pass "--check-config shows bit fields" || fail "bit cell row missing"
mountpoint -q "$MNT" && fail "--check-config mounted something" || pass "--check-config mounts nothing"

# A configuration error: named file, line and key; exit 1; no mount.
cat > "$T/bad.conf" <<CONF
[device board]
provider = file
path = $T/board.bin

[cell board/mac]
offset = 0x100
size = six
CONF
out=$("$NVMEMFS" -f -c "$T/bad.conf" "$MNT" 2>&1) && rc=0 || rc=$?
check_eq "bad number: exit 1" "1" "$rc"
grep -q "bad.conf:7: \[cell board/mac\] size" <<<"$out" && pass "error names file, line, section and key" || fail "message: $out"
grep -q '^<3>' <<<"$out" && pass "errors carry the <3> priority prefix" || fail "no <3> prefix: $out"
mountpoint -q "$MNT" && fail "mounted despite a bad configuration" || pass "nothing mounted on a bad configuration"
out=$("$NVMEMFS" --check-config -c "$T/bad.conf" 2>&1) && rc=0 || rc=$?
check_eq "--check-config on a bad file exits 1" "1" "$rc"

# A cell beyond the end of a present device fails the start.
cat > "$T/range.conf" <<CONF
[device board]
provider = file
path = $T/board.bin
[cell board/far]
offset = 1020
size = 8
CONF
out=$("$NVMEMFS" -f -c "$T/range.conf" "$MNT" 2>&1) && rc=0 || rc=$?
check_eq "cell beyond the device: exit 1" "1" "$rc"
grep -q "range.conf:5: \[cell board/far\] offset" <<<"$out" && pass "range error names the cell's offset line" || fail "message: $out"
mountpoint -q "$MNT" && fail "mounted half-configured" || pass "not started half-configured"
out2=$("$NVMEMFS" --check-config -c "$T/range.conf" 2>&1) && rc=0 || rc=$?
check_eq "--check-config refuses the cell beyond the device" "1" "$rc"
check_eq "... with the daemon's message" "$(grep '<3>' <<<"$out" | head -1)" "$(grep '<3>' <<<"$out2" | head -1)"

# An image file must be there at start (only /dev nodes may come later),
# and --check-config says so the same way.
printf '[device board]\nprovider = file\npath = %s/absent.bin\n' "$T" > "$T/absent.conf"
out=$(timeout 10 "$NVMEMFS" -f -c "$T/absent.conf" "$MNT" 2>&1) && rc=0 || rc=$?
check_eq "missing image file: exit 1" "1" "$rc"
grep -q "absent.conf:3: \[device board\] path: .*No such file or directory" <<<"$out" &&
	pass "missing image file: error names the path line" || fail "message: $out"
out2=$("$NVMEMFS" --check-config -c "$T/absent.conf" 2>&1) && rc=0 || rc=$?
check_eq "--check-config refuses a missing image file" "1" "$rc"
check_eq "... with the daemon's message" "$(grep '<3>' <<<"$out" | head -1)" "$(grep '<3>' <<<"$out2" | head -1)"
printf '[device board]\nprovider = file\npath = /dev/nvmemfs-absent-%s\n' "$$" > "$T/later.conf"
out=$("$NVMEMFS" --check-config -c "$T/later.conf" 2>&1) && rc=0 || rc=$?
check_eq "--check-config accepts an absent /dev node" "0" "$rc"
grep -q "absent (registered when udev reports it)" <<<"$out" && pass "... and says it waits for it" || fail "output: $out"

# A backing whose driver is gone (a stale /dev/mtdN answers ENODEV; an
# unregistered misc minor does the same) is a start error, not a device
# that went away while it was set up.
mknod "$T/stale" c 10 249
printf '[device board]\nprovider = file\npath = %s/stale\n' "$T" > "$T/stale.conf"
# (timeout: a daemon that wrongly starts stays in the foreground)
out=$(timeout 10 "$NVMEMFS" -f -c "$T/stale.conf" "$MNT" 2>&1) && rc=0 || rc=$?
check_eq "backing without a driver: exit 1" "1" "$rc"
grep -q "stale.conf:3: \[device board\] path: .*No such device" <<<"$out" &&
	pass "backing without a driver: error names the path line" || fail "message: $out"
mountpoint -q "$MNT" && fail "mounted without the device" || pass "backing without a driver: nothing mounted"

out=$("$NVMEMFS" -f -c "$T/missing.conf" "$MNT" 2>&1) && rc=0 || rc=$?
check_eq "missing configuration: exit 1" "1" "$rc"
grep -q "missing.conf" <<<"$out" && pass "missing file is named" || fail "message: $out"

out=$("$NVMEMFS" --uevent-source=bogus -c "$T/good.conf" "$MNT" 2>&1) && rc=0 || rc=$?
check_eq "bad --uevent-source: exit non-zero" "1" "$([ $rc -ne 0 ] && echo 1 || echo 0)"
"$NVMEMFS" -V | grep -q '^nvmemfs [0-9]' && pass "-V prints the version" || fail "-V"
"$NVMEMFS" --help | grep -q -- '--check-config' && pass "--help lists the options" || fail "--help"

# systemd: READY=1 on $NOTIFY_SOCKET, only once the mount is live.
"$FSPROBE" notify "$T/notify.sock" 20 > "$T/notify.out" &
NPID=$!
for _ in $(seq 1 100); do grep -q listening "$T/notify.out" 2>/dev/null && break; sleep 0.05; done
NOTIFY_SOCKET="$T/notify.sock" "$NVMEMFS" -f -c "$T/good.conf" "$MNT" 2>>"$LOG" &
DAEMON_PID=$!
wait $NPID || true
check_eq "READY=1 sent to systemd" "READY=1" "$(tail -1 "$T/notify.out")"
mountpoint -q "$MNT" && pass "the mount is live when READY=1 arrives" || fail "READY=1 before the mount"
stop_daemon

# Background mode returns once the mount is live.
"$NVMEMFS" -c "$T/good.conf" "$MNT" 2>>"$LOG"
mountpoint -q "$MNT" && pass "background start: mounted when it returns" || fail "not mounted when the background start returned"
check_eq "background daemon serves" "$(hexof "$T/board.bin" 256 6 | sed 's/../&:/g;s/:$//')" "$(cat "$MNT/board/cells/mac-address")"
fusermount3 -u "$MNT"
sleep 0.2
rc=0
pgrep -f "nvmemfs -c $T/good.conf" >/dev/null || rc=$?
case $rc in
0) fail "daemon still running after unmount" ;;
1) pass "daemon exits on unmount" ;;
*) fail "pgrep failed ($rc): cannot tell whether the daemon exited" ;;
esac

# After a crash the mount point answers ENOTCONN: a restart detaches the
# dead mount and serves; a second daemon on a live mount refuses.
"$NVMEMFS" -c "$T/good.conf" "$MNT" 2>>"$LOG"
first=$(pgrep -f "nvmemfs -c $T/good.conf")
"$NVMEMFS" -c "$T/good.conf" "$MNT" 2>"$T/second.err" && rc=0 || rc=$?
check_eq "a second daemon on a live mount: exit 1" "1" "$rc"
grep -q "an nvmemfs is already serving there" "$T/second.err" && pass "... says why" || fail "message: $(cat "$T/second.err")"
check_eq "... and stacks nothing" "1" "$(grep -c " $MNT fuse.nvmemfs " /proc/mounts)"
check_eq "... the first one still serves" "$(hexof "$T/board.bin" 256 6 | sed 's/../&:/g;s/:$//')" "$(cat "$MNT/board/cells/mac-address")"
kill -9 $first
for _ in $(seq 1 100); do kill -0 "$first" 2>/dev/null || break; sleep 0.05; done
check_eq "a crashed daemon leaves a dead mount" "ENOTCONN" "$("$FSPROBE" open "$MNT/board/nvmem" rdonly)"
"$NVMEMFS" -c "$T/good.conf" "$MNT" 2>"$T/restart.err" && rc=0 || rc=$?
check_eq "a restart over the dead mount: exit 0" "0" "$rc"
grep -q "^<5>.*detached the mount of an nvmemfs that is gone" "$T/restart.err" && pass "... logs that it detached it" || fail "message: $(cat "$T/restart.err")"
check_eq "... serves" "$(hexof "$T/board.bin" 256 6 | sed 's/../&:/g;s/:$//')" "$(cat "$MNT/board/cells/mac-address")"
check_eq "... on one mount" "1" "$(grep -c " $MNT fuse.nvmemfs " /proc/mounts)"
fusermount3 -u "$MNT"
for _ in $(seq 1 100); do pgrep -f "nvmemfs -c $T/good.conf" >/dev/null || break; sleep 0.05; done
# Someone else's dead FUSE mount is not ours to detach.
"$SLOWFS" "$T/board.bin" "$MNT" 0 -f 2>/dev/null &
SLOW=$!
for _ in $(seq 1 100); do mountpoint -q "$MNT" && break; sleep 0.05; done
kill -9 $SLOW; wait $SLOW 2>/dev/null || true
out=$("$NVMEMFS" -c "$T/good.conf" "$MNT" 2>&1) && rc=0 || rc=$?
check_eq "another file system's dead mount: exit 1" "1" "$rc"
grep -q "whose daemon is gone is in the way; run fusermount3 -u" <<<"$out" && pass "... says what to run" || fail "message: $out"
umount -l "$MNT"

# As mount(8) runs it for "mount -t fuse.nvmemfs -o ro CONF DIR": through
# mount.fuse3, which starts "nvmemfs CONF DIR -o ro" from PATH. mount(8)
# resets PATH, so call mount.fuse3 the same way directly.
mkdir -p "$T/bin"
ln -sf "$NVMEMFS" "$T/bin/nvmemfs"
PATH="$T/bin:$PATH" mount.fuse3 "$T/good.conf" "$MNT" -t nvmemfs -o ro 2>>"$LOG" && pass "mount.fuse3 -t nvmemfs works" || fail "mount.fuse3 -t nvmemfs failed"
check_eq "mounted through mount.fuse3 serves" "$(hexof "$T/board.bin" 256 6 | sed 's/../&:/g;s/:$//')" "$(cat "$MNT/board/cells/mac-address")"
grep -q " $MNT fuse.nvmemfs .*ro" /proc/mounts && pass "ro option reached the mount" || fail "mount options: $(grep "$MNT" /proc/mounts)"
umount "$MNT"

# Run by an unprivileged user (a board's "nvmem" service user), through
# the setuid fusermount3: it mounts, its files belong to that user, and
# the bytes are right.
# The setuid fusermount3 opens /dev/fuse as the user: udev's default rules
# make it 0666 on a board, but without udevd (CI) devtmpfs leaves it 0600.
fuse_mode=$(stat -c %a /dev/fuse)
if [ "$fuse_mode" != 666 ]; then
	chmod 0666 /dev/fuse
	cleanup_hooks+=("chmod $fuse_mode /dev/fuse")
fi
U=$(mktemp -d /tmp/nvmemfs-user.XXXXXX)
cleanup_hooks+=("fusermount3 -u $U/mnt 2>/dev/null; rm -rf $U")
mkdir "$U/mnt"
cp "$T/board.bin" "$U/board.bin"
# A copy of the binary: the user may not be able to reach the build tree.
cp "$NVMEMFS" "$U/nvmemfs"
printf '[nvmemfs]\nkernel-devices = no\n[device board]\nprovider = file\npath = %s/board.bin\n' "$U" > "$U/user.conf"
chown -R 65534:65534 "$U"
chmod 755 "$U"
as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
as_user "$U/nvmemfs" -c "$U/user.conf" "$U/mnt" 2>>"$LOG" &&
	pass "an unprivileged user mounts" || fail "an unprivileged user cannot mount"
check_eq "files belong to the user running the daemon" "65534:65534 65534:65534" \
	"$(as_user stat -c %u:%g "$U/mnt/board/nvmem" "$U/mnt/board" | tr '\n' ' ' | sed 's/ $//')"
as_user cmp -s "$U/board.bin" "$U/mnt/board/nvmem" &&
	pass "the user reads the device" || fail "the user reads other bytes"
as_user fusermount3 -u "$U/mnt" && pass "the user unmounts" || fail "the user cannot unmount"
