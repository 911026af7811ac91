# SPDX-License-Identifier: MIT
# Scenario "pages" of tests/kernel/scenarios.sh (sourced by it): kept cell
# text (src/fs/pages.c) on the guest's kernel, Debian 12's 6.1, whose
# FUSE must honour what the host's newer one does: a page kept across
# opens only while an open proves it current, dropped by a write through
# nvmemfs before the writer is answered, and a descriptor held open
# that never reads a value older than one whose close() returned.

scenario_pages() {
	echo "--- scenario pages: kept cell text on $(uname -r)"
	local M=$MNT/img/cells/mac hex
	image "$W/p.img" 5
	cat >"$W/p.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device img]
provider = file
path = $W/p.img
[cell img/mac]
offset = 16
size = 6
format = mac
CONF
	start_daemon "$W/p.conf" || return
	echo 02:00:5e:00:00:01 >"$M"
	check_eq "written through nvmemfs, read again" 02:00:5e:00:00:01 "$(cat "$M")"
	check_eq "... and again (the kept page)" 02:00:5e:00:00:01 "$(cat "$M")"
	printf '\x02\x00\x5e\x00\x00\x02' |
		dd of="$W/p.img" bs=1 seek=16 conv=notrunc status=none
	check_eq "changed around nvmemfs: the next cat" 02:00:5e:00:00:02 "$(cat "$M")"
	rm -f "$W/go"
	hex=$(printf '02:00:5e:00:00:03\n' | xxd -p)
	"$FSPROBE" until "$M" "$W/go" 0 64 "$hex" >"$W/held.out" &
	local held=$!
	wait_for 10 grep -q opened "$W/held.out"
	echo 02:00:5e:00:00:03 >"$M"
	touch "$W/go"
	wait "$held"
	check_eq "a descriptor held open reads a write through nvmemfs at once" \
		"18 $hex 0 ms" "$(sed -n '3p;4p' "$W/held.out" | tr '\n' ' ' | sed 's/ $//')"
	if "$B/tests/integration/stresscell" "$M" 3 >"$W/stress.out" 2>&1; then
		pass "a writer against readers: no stale value ($(tail -1 "$W/stress.out"))"
	else
		fail "a writer against readers: $(tail -3 "$W/stress.out")"
	fi
	stop_daemon
}
