# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# The end of the daemon the scripts that run inside a QEMU guest started
# (tests/kernel/scenarios.sh, tests/arm64/scenarios.sh): each starts
# nvmemfs on $MNT in its own start_daemon (how long a mount may take and
# where uevents come from differ), which sets $DAEMON_PID; stop_daemon
# unmounts it and checks that it exits 0. Sourced, never run.

stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	umount "$MNT" 2>/dev/null || umount -l "$MNT"
	if ! wait_for 10 eval "! kill -0 $DAEMON_PID 2>/dev/null"; then
		fail "nvmemfs did not exit after unmount"
		kill -9 "$DAEMON_PID"
	fi
	wait "$DAEMON_PID"
	check_eq "nvmemfs exit status" 0 "$?"
	DAEMON_PID=
}
