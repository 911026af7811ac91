#!/bin/bash
# SPDX-License-Identifier: MIT
#
# nvmemfs.service under a real systemd, run by tests/kernel/vm.sh:
#
#   NVMEMFS_VM_INIT=systemd vm.sh tests/kernel/systemd.sh BUILD_DIR DEB
#
# BUILD_DIR is a cmake build tree of this checkout (for cmake --install
# and cp2112-emul), DEB the package that dpkg-buildpackage made of it.
#
# Before the boot (NVMEMFS_VM_PHASE=setup, chrooted, no systemd running)
# the package is installed as on a board image, /etc/nvmemfs.conf is
# replaced by one serving an image file on tmpfs, and the README's fstab
# line is added (at /mnt/fstab: the service has /mnt/nvmem). Then systemd
# boots, and (NVMEMFS_VM_PHASE=test) this proves that:
#   1  the enabled unit is active at boot, hardened, with the mount live,
#      and a consumer unit ordered After=nvmemfs.service read a cell;
#   2  the fstab line mounted at boot;
#   3  the mount is seen by a login shell of another user and, through
#      mount propagation, by a service with a mount namespace of its own
#      made before the mount;
#   4  an I2C adapter plugged in later (a CP2112 on uhid) is served
#      through the hardened unit;
#   5  "systemctl start" returns with the mount live (READY=1), "stop"
#      unmounts, everywhere;
#   6  after kill -9 Restart=on-failure brings the mount back, with the
#      dead one detached, not stacked;
#   7  a fresh package installation under systemd starts the unit with the
#      packaged /etc/nvmemfs.conf, and "systemctl enable --now" keeps it;
#   8  "cmake --install" alone gives a unit that starts, with a default
#      /etc/nvmemfs.conf that a second install does not overwrite, and
#      starts without one too.
set -uo pipefail

B=$(readlink -f "${1:?build directory}")
DEB=$(readlink -f "${2:?package}")
W=/var/lib/nvmemfs-test		# on the guest's tmpfs upper layer
MNT=/mnt/nvmem
FSTAB_MNT=/mnt/fstab
SERIAL=NVM-SYSTEMD-0042

. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/checks.sh"

prop() { systemctl show -P "$2" "$1"; }

# The nvmemfs mounts at $1, counted in the mount table.
nvmemfs_mounts() {
	awk -v m="$1" '$5 == m && $0 ~ / - fuse\.nvmemfs / { n++ } END { print n + 0 }' \
		/proc/self/mountinfo
}

# live DIR: a live nvmemfs mount at DIR that serves the test cell.
live() {
	mountpoint -q "$1" &&
		[ "$(cat "$1/board/cells/serial-number" 2>/dev/null)" == "$SERIAL" ]
}

config() {
	cat <<EOF
[nvmemfs]
kernel-devices = yes

[device board]
provider = file
path = $W/board.img

[cell board/serial-number]
offset = 0x10
size = 16
format = string

[device hot]
provider = at24
adapter = CP2112*
address = 0x50
chip = 24c512
EOF
}

setup() {
	mkdir -p "$W"
	# As a board image would have it: installed, not started (no systemd
	# runs here, so the maintainer scripts only enable the unit).
	dpkg -i "$DEB" || return 1
	head -c 4096 /dev/zero >"$W/board.img"
	printf '%s\0' "$SERIAL" | dd of="$W/board.img" bs=1 seek=16 conv=notrunc status=none
	chmod 0644 "$W/board.img"
	config >/etc/nvmemfs.conf
	# README § Installing, with another mount point.
	mkdir -p "$FSTAB_MNT"
	echo "/etc/nvmemfs.conf  $FSTAB_MNT  fuse.nvmemfs  allow_other,nofail  0  0" >>/etc/fstab
	# A consumer with a mount namespace of its own, reading at boot.
	cat >/etc/systemd/system/nvmemfs-consumer.service <<EOF
[Unit]
Description=reads a cell at boot
Wants=nvmemfs.service
After=nvmemfs.service
[Service]
Type=oneshot
ExecStart=/bin/cat $MNT/board/cells/serial-number
StandardOutput=file:/run/nvmemfs-consumer.out
PrivateTmp=yes
ProtectSystem=strict
[Install]
WantedBy=multi-user.target
EOF
	# A service whose mount namespace is made before the mount is.
	cat >/etc/systemd/system/nvmemfs-watcher.service <<EOF
[Unit]
Description=a namespaced service started before nvmemfs
Before=nvmemfs.service
[Service]
ExecStart=/bin/sleep infinity
PrivateTmp=yes
ProtectSystem=strict
[Install]
WantedBy=multi-user.target
EOF
	systemctl enable nvmemfs-consumer.service nvmemfs-watcher.service
}

# The mount as the watcher sees it, in its mount namespace.
watcher_live() {
	local pid
	pid=$(prop nvmemfs-watcher MainPID)
	nsenter -t "$pid" -m bash -c "$(declare -f live); SERIAL=$SERIAL; live $MNT" && return 0
	echo "propagation of / here and in the watcher ($pid):"
	findmnt -n -o TARGET,PROPAGATION /
	nsenter -t "$pid" -m findmnt -n -o TARGET,PROPAGATION,FSTYPE -R /mnt
	return 1
}
watcher_unmounted() { ! nsenter -t "$(prop nvmemfs-watcher MainPID)" -m mountpoint -q "$MNT"; }

at_boot() {
	local pid status ready consumer

	echo "--- 1: the enabled unit at boot, a consumer after it"
	check_eq "nvmemfs.service enabled by the package" enabled "$(systemctl is-enabled nvmemfs)"
	check_eq "nvmemfs.service active at boot" active "$(systemctl is-active nvmemfs)"
	check_eq "Type=notify" notify "$(prop nvmemfs Type)"
	check "/mnt/nvmem is a live nvmemfs mount" live "$MNT"
	check_eq "one nvmemfs mount at /mnt/nvmem" 1 "$(nvmemfs_mounts "$MNT")"
	pid=$(prop nvmemfs MainPID)
	status=$(cat "/proc/$pid/status")
	check "the daemon runs under a seccomp filter" grep -qP '^Seccomp:\t2$' <<<"$status"
	check "the daemon has no_new_privs" grep -qP '^NoNewPrivs:\t1$' <<<"$status"
	check "the daemon has CAP_SYS_ADMIN, DAC_OVERRIDE, DAC_READ_SEARCH only" \
		grep -qP '^CapBnd:\t0000000000200006$' <<<"$status"
	check_eq "consumer unit succeeded" success "$(prop nvmemfs-consumer Result)"
	check_eq "consumer read the cell at boot" "$SERIAL" "$(cat /run/nvmemfs-consumer.out 2>&1)"
	ready=$(prop nvmemfs ActiveEnterTimestampMonotonic)
	consumer=$(prop nvmemfs-consumer ExecMainStartTimestampMonotonic)
	check "consumer started after nvmemfs became active ($consumer >= $ready)" \
		test "$consumer" -ge "$ready" -a "$ready" -gt 0

	echo "--- 2: the fstab line"
	check_eq "mnt-fstab.mount active" active "$(systemctl is-active mnt-fstab.mount)"
	check "/mnt/fstab is a live nvmemfs mount" live "$FSTAB_MNT"

	echo "--- 3: seen by a login shell and by a namespaced service"
	check_eq "a login shell of nobody reads the cell" "$SERIAL" \
		"$(runuser -l nobody -s /bin/sh -c "cat $MNT/board/cells/serial-number" 2>"$W/runuser.err")"
	check "the watcher has a mount namespace of its own" test \
		"$(readlink "/proc/$(prop nvmemfs-watcher MainPID)/ns/mnt")" != "$(readlink /proc/1/ns/mnt)"
	check "the watcher started before the mount" test \
		"$(prop nvmemfs-watcher ActiveEnterTimestampMonotonic)" -lt "$ready"
	check "the watcher sees the mount (propagated)" watcher_live
}

hotplug() {
	local emul

	echo "--- 4: an I2C adapter that appears later"
	openssl enc -aes-128-ctr -nosalt -pass pass:systemd -pbkdf2 \
		</dev/zero 2>/dev/null | head -c 65536 >"$W/hot.img"
	"$B/tests/kernel/cp2112-emul" --serial 0001SYSD "$W/hot.img" >"$W/emul.log" 2>&1 &
	emul=$!
	if wait_for 20 test -e "$MNT/hot/nvmem"; then
		pass "the CP2112 EEPROM appeared under /mnt/nvmem/hot"
		check "its first 4 KiB read right through the hardened unit" \
			cmp -n 4096 "$MNT/hot/nvmem" "$W/hot.img"
	else
		fail "the CP2112 EEPROM did not appear within 20 s"
		journalctl -u nvmemfs -o cat --no-pager | tail -20
	fi
	kill "$emul"
	wait "$emul" 2>/dev/null
	check "unplugged, /mnt/nvmem/hot goes" wait_for 20 test ! -e "$MNT/hot"
}

start_stop() {
	echo "--- 5: stop unmounts, start returns with the mount live"
	systemctl stop nvmemfs
	check_eq "stopped" inactive "$(systemctl is-active nvmemfs)"
	check "stop unmounted /mnt/nvmem" test "$(nvmemfs_mounts "$MNT")" -eq 0
	check "stop unmounted it in the watcher's namespace too" watcher_unmounted
	systemctl start nvmemfs
	# No waiting: Type=notify makes start return on READY=1 only.
	check "start returned with the mount live" live "$MNT"
	check_eq "active" active "$(systemctl is-active nvmemfs)"
	check "a mount made after the watcher's namespace reaches it" watcher_live
}

# active_with_new_pid OLD: the unit is active again with another main pid.
active_with_new_pid() {
	local pid
	[ "$(systemctl is-active nvmemfs)" == active ] || return 1
	pid=$(prop nvmemfs MainPID)
	[ "$pid" != 0 ] && [ "$pid" != "$1" ]
}

crash() {
	local pid restarts

	echo "--- 6: kill -9, Restart=on-failure"
	pid=$(prop nvmemfs MainPID)
	restarts=$(prop nvmemfs NRestarts)
	kill -9 "$pid"
	if wait_for 60 active_with_new_pid "$pid"; then
		pass "active again with a new daemon"
		check "the restarted daemon serves /mnt/nvmem" live "$MNT"
		check_eq "one nvmemfs mount at /mnt/nvmem (the dead one detached)" \
			1 "$(nvmemfs_mounts "$MNT")"
		check_eq "one restart" $((restarts + 1)) "$(prop nvmemfs NRestarts)"
		check "the watcher sees the new mount" watcher_live
	else
		fail "not active again within 60 s after kill -9"
		systemctl status nvmemfs --no-pager
	fi
}

package() {
	echo "--- 7: a fresh package installation"
	dpkg --purge nvmemfs >/dev/null
	check_eq "purged: unit gone" "" "$(systemctl list-unit-files --no-legend nvmemfs.service)"
	check "purged: /mnt/nvmem unmounted" test "$(nvmemfs_mounts "$MNT")" -eq 0
	check "purged: /etc/nvmemfs.conf gone" test ! -e /etc/nvmemfs.conf
	dpkg -i "$DEB" >/dev/null
	check_eq "installed: enabled" enabled "$(systemctl is-enabled nvmemfs)"
	check_eq "installed: active" active "$(systemctl is-active nvmemfs)"
	check "installed: /mnt/nvmem mounted" mountpoint -q "$MNT"
	check "installed: the packaged /etc/nvmemfs.conf" \
		cmp /etc/nvmemfs.conf "$(dirname "$0")/../../systemd/nvmemfs.conf"
	check "systemctl enable --now nvmemfs" systemctl enable --now nvmemfs
	check "still mounted" mountpoint -q "$MNT"
}

cmake_install() {
	echo "--- 8: cmake --install alone"
	dpkg --purge nvmemfs >/dev/null
	# The build tree is on the guest's overlay: install_manifest.txt may
	# be written there without touching this machine's.
	cmake --install "$B" >"$W/install.log" || { fail "cmake --install"; return; }
	check "a default /etc/nvmemfs.conf was installed" \
		cmp /etc/nvmemfs.conf "$(dirname "$0")/../../systemd/nvmemfs.conf"
	systemctl daemon-reload
	check "systemctl enable --now nvmemfs" systemctl enable --now nvmemfs
	check_eq "active" active "$(systemctl is-active nvmemfs)"
	check "/mnt/nvmem mounted" mountpoint -q "$MNT"
	check "the unit runs the installed daemon" \
		grep -q "^ExecStart=$(grep -o '^CMAKE_INSTALL_PREFIX:PATH=.*' "$B/CMakeCache.txt" | cut -d= -f2)/bin/nvmemfs " \
		"$(prop nvmemfs FragmentPath)"
	echo "# changed by the administrator" >>/etc/nvmemfs.conf
	cmake --install "$B" >"$W/install.log"
	check "a second cmake --install keeps /etc/nvmemfs.conf" \
		grep -q "changed by the administrator" /etc/nvmemfs.conf
	rm /etc/nvmemfs.conf
	systemctl restart nvmemfs
	check "without /etc/nvmemfs.conf the unit starts and mounts" \
		test "$(systemctl is-active nvmemfs)" == active -a "$(nvmemfs_mounts "$MNT")" -eq 1
	systemctl disable --now nvmemfs
}

case ${NVMEMFS_VM_PHASE:-} in
setup)
	setup
	exit
	;;
test)
	;;
*)
	echo "$0: run by tests/kernel/vm.sh with NVMEMFS_VM_INIT=systemd" >&2
	exit 2
	;;
esac

start=$SECONDS
at_boot
hotplug
start_stop
crash
package
cmake_install
echo "systemd scenarios: $CHECKS checks, $FAILS failed ($((SECONDS - start)) s)"
if [ "$FAILS" -ne 0 ]; then
	echo "--- journal of nvmemfs.service"
	journalctl -u nvmemfs -o short-monotonic --no-pager | tail -40
fi
[ "$FAILS" -eq 0 ]
