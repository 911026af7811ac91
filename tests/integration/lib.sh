# SPDX-License-Identifier: MIT
# Shared by the integration tests: a private mount of the real daemon,
# assertions, and a cleanup that fails the test on any sanitizer report.
set -euo pipefail

: "${NVMEMFS:?path of the nvmemfs binary}"
: "${FSPROBE:?path of fsprobe}"

T=$(mktemp -d /tmp/nvmemfs-test.XXXXXX)
MNT=$T/mnt
LOG=$T/daemon.log
DAEMON_PID=
FAILS=0
CHECKS=0
mkdir -p "$MNT"

cleanup_hooks=()
on_exit() {
	local rc=$?
	stop_daemon || rc=1
	for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
	if [ "$rc" -ne 0 ] || [ "$FAILS" -ne 0 ]; then
		echo "--- daemon log ($LOG)"; cat "$LOG" 2>/dev/null | tail -50
		rc=1
	else
		rm -rf "$T"
	fi
	echo "$((CHECKS - FAILS)) passed, $FAILS failed"
	exit $rc
}
trap on_exit EXIT

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); CHECKS=$((CHECKS + 1)); }
pass() { echo "ok: $*"; CHECKS=$((CHECKS + 1)); }

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}

# start_daemon CONFIG [extra args...]: mount at $MNT, in the foreground
# (backgrounded by the shell) so that its exit status can be checked.
# $DAEMON_WRAP, when set, is a command (with arguments) that runs it.
start_daemon() {
	local conf=$1; shift
	${DAEMON_WRAP:-} "$NVMEMFS" -f -c "$conf" "$@" "$MNT" >>"$LOG" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 1 200); do
		if mountpoint -q "$MNT"; then return 0; fi
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			wait "$DAEMON_PID" || true
			DAEMON_PID=
			echo "daemon exited before mounting" >&2
			return 1
		fi
		sleep 0.05
	done
	echo "mount did not appear" >&2
	return 1
}

# stop_daemon: unmount, wait for a clean exit, scan the log for sanitizer
# reports. Returns non-zero if anything went wrong.
stop_daemon() {
	local rc=0
	[ -n "$DAEMON_PID" ] || return 0
	fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	for _ in $(seq 1 200); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$DAEMON_PID" 2>/dev/null; then
		echo "daemon did not exit after unmount" >&2
		kill -9 "$DAEMON_PID"; rc=1
	fi
	wait "$DAEMON_PID" || { echo "daemon exit status $?" >&2; rc=1; }
	DAEMON_PID=
	if grep -qE 'ERROR: AddressSanitizer|WARNING: ThreadSanitizer|runtime error:|ERROR: LeakSanitizer' "$LOG"; then
		echo "sanitizer report in the daemon log" >&2; rc=1
	fi
	[ $rc -eq 0 ] || FAILS=$((FAILS + 1))
	return $rc
}

# image FILE SIZE [SEED]: a file of SIZE bytes with a recognisable pattern.
image() { "$FSPROBE" mkimage "$1" "$2" "${3:-1}"; }

# hexof FILE OFF LEN: bytes of a plain file as hex, to compare with the mount.
hexof() { dd if="$1" bs=1 skip=$(($2)) count=$(($3)) status=none | xxd -p | tr -d "\n"; }

# loop_attach IMAGE: a loop device over IMAGE in $LOOP, detached at exit,
# and in $UEVENT the file whose "add"/"remove" make the kernel send real
# uevents for it (a plug and an unplug the daemon hears).
loop_attach() {
	LOOP=$(losetup -f --show "$1")
	cleanup_hooks+=("losetup -d $LOOP")
	UEVENT=/sys/devices/virtual/block/$(basename "$LOOP")/uevent
	[ -w "$UEVENT" ] || { fail "cannot write $UEVENT (tests need root and sysfs)"; exit 1; }
}

# requests OPCODE: how many the daemon received so far (with -d, libfuse
# logs every request).
requests() { grep -ac "opcode: $1 " "$LOG" || true; }

# wait_opened OUT...: wait, 10 s at most, until the output OUT of every
# fsprobe started in the background says its file is open.
wait_opened() {
	local f
	for _ in $(seq 1 200); do
		for f in "$@"; do
			grep -q opened "$f" 2>/dev/null || { sleep 0.05; continue 2; }
		done
		return 0
	done
}

# check_held_unplug FILE DIR OFF: a descriptor of FILE that has read it
# reads again (64 bytes at OFF) the moment DIR, its device's directory,
# is gone after the loop device's remove uevent: ENODEV, never what the
# kernel kept. The device stays unplugged.
check_held_unplug() {
	local pid
	cat "$1" > /dev/null
	"$FSPROBE" vanish "$1" "$2" "$3" 64 > "$T/vanish.out" &
	pid=$!
	wait_opened "$T/vanish.out"
	echo remove > "$UEVENT"
	wait $pid || true
	if [ ! -e "$2" ]; then pass "directory goes on remove"; else fail "directory still there"; fi
	check_eq "held descriptor after the unplug: ENODEV" ENODEV "$(tail -1 "$T/vanish.out")"
}

# check_reads_each_time WHAT N FILE: N cats of FILE send the daemon at
# least N READs (the file is not kept in the kernel's page cache).
check_reads_each_time() {
	local r0 r i
	r0=$(requests READ)
	for ((i = 0; i < $2; i++)); do cat "$3" > /dev/null; done
	r=$(($(requests READ) - r0))
	if [ "$r" -ge "$2" ]; then pass "$1 is read by the daemon at every cat ($r READs)"
	else fail "$1 was served from the page cache ($r READs for $2 cats)"; fi
}

# need_tools TOOL...: a missing tool fails the test, never skips it
# (scripts/test installs every one of them).
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
			{ fail "$t missing (scripts/test installs it)"; exit 1; }
	done
}

# Users of a board, made for the test and removed at exit:
# new_group NAME; new_user NAME [GROUP]; as USER CMD... runs CMD as USER
# (group users, plus USER's own groups). The test directory is opened
# to them, or mktemp's 0700 would stop them before the mount.
new_group() { groupadd "$1"; cleanup_hooks+=("groupdel $1"); }
new_user() {
	useradd -M -N -g users ${2:+-G "$2"} -s /usr/sbin/nologin "$1"
	cleanup_hooks=("userdel $1" "${cleanup_hooks[@]}")
	chmod 755 "$T"
}
as() { local u=$1; shift; setpriv --reuid="$u" --regid=users --init-groups -- "$@"; }
