# SPDX-License-Identifier: MIT
# The checks of the scripts that run inside a QEMU guest (tests/kernel
# scenarios.sh and systemd.sh, tests/arm64/scenarios.sh): each prints
# "ok: WHAT" or "FAIL: WHAT ..." and is counted; the script ends with
# the counts and fails if any check did. Sourced, never run.
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); CHECKS=$((CHECKS + 1)); }
pass() { echo "ok: $*"; CHECKS=$((CHECKS + 1)); }
check_eq() {	# check_eq WHAT EXPECTED ACTUAL
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
check() {	# check WHAT COMMAND...
	local what=$1; shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local end=$((SECONDS + $1)); shift
	while [ $SECONDS -le "$end" ]; do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}
