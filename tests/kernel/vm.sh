#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Run a script inside a small QEMU guest with Debian 12's own kernel, so
# that nvmemfs meets the real uhid, hid-cp2112, i2c-dev, at24 and nvmem
# code instead of our emulated transport.
#
#   tests/kernel/vm.sh SCRIPT [ARGS...]
#   NVMEMFS_VM_INIT=systemd tests/kernel/vm.sh SCRIPT [ARGS...]
#
# The guest sees this machine's root file system read-only over virtio-9p
# (so the build tree and the host's tools work unchanged) with tmpfs on
# /tmp, /run and /mnt, and runs SCRIPT as root in it. The exit status of
# SCRIPT becomes ours; everything the guest prints goes to stdout.
#
# With NVMEMFS_VM_INIT=systemd the guest boots this machine's systemd as
# PID 1 instead, on an overlay of the 9p root with a tmpfs on top, so that
# everything may be written (and is forgotten at power-off). Before the
# boot, SCRIPT runs chrooted in that root with NVMEMFS_VM_PHASE=setup
# (to install units, a package, an fstab line); then systemd boots the
# vendor default units only (this machine's own enabled units, fstab and
# getty on the console are left out) up to multi-user.target, after which
# a service runs SCRIPT again with NVMEMFS_VM_PHASE=test.
#
# Downloads (the kernel package) and the generated initramfs are cached
# in $NVMEMFS_VM_CACHE (default /var/cache/nvmemfs-vm), never in the
# source tree. Needs qemu-system-x86, busybox-static, cpio and kmod.
set -euo pipefail

CACHE=${NVMEMFS_VM_CACHE:-/var/cache/nvmemfs-vm}
MEM=${NVMEMFS_VM_MEM:-1024}
TIMEOUT=${NVMEMFS_VM_TIMEOUT:-600}

# Everything the scenarios need, with their dependencies added below:
# loaded at boot, and loaded by the scenarios with their own parameters
# (from /run/vm-modules: NAME.deps lists the files in load order).
MODULES="virtio_pci 9pnet_virtio 9p overlay fuse uhid hid-cp2112 i2c-dev at24"
EXTRA_MODULES="mtdram nandsim i2c-stub"

here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=tests/kernel/guest.sh
. "$here/guest.sh"

[ $# -ge 1 ] || { echo "usage: $0 SCRIPT [ARGS...]" >&2; exit 2; }
script=$(readlink -f "$1")
shift

mkdir -p "$CACHE"

# The kernel: the package linux-image-amd64 points at, unpacked here and
# never installed on this machine.
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

fetch_kernel() {
	local pkg deb
	pkg=$(kernel_pkg)
	if [ -z "$pkg" ]; then
		apt-get update >/dev/null
		pkg=$(kernel_pkg)
	fi
	[ -n "$pkg" ] || { echo "vm: no linux-image package found" >&2; return 1; }
	if [ -f "$CACHE/$pkg/ok" ]; then
		echo "$CACHE/$pkg"
		return
	fi
	echo "vm: downloading $pkg" >&2
	rm -rf "$CACHE/$pkg"
	mkdir -p "$CACHE/$pkg"
	# apt's sandbox user may not write here; the download is the same.
	(cd "$CACHE/$pkg" && apt-get download -o APT::Sandbox::User=root "$pkg" >&2)
	deb=$(ls "$CACHE/$pkg"/*.deb)
	dpkg -x "$deb" "$CACHE/$pkg/root"
	rm -f "$deb"
	depmod -b "$CACHE/$pkg/root" "$(ls "$CACHE/$pkg/root/lib/modules")"
	touch "$CACHE/$pkg/ok"
	echo "$CACHE/$pkg"
}

kdir=$(fetch_kernel)
kver=$(ls "$kdir/root/lib/modules")
vmlinuz=$kdir/root/boot/vmlinuz-$kver

# The initramfs: busybox, the modules in load order and /init.
build_initramfs() {
	local out=$1 tmp m
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,host,lib/modules}
	cp /bin/busybox "$tmp/bin/busybox"
	# shellcheck disable=SC2086
	guest_modules "$kdir/root" "$kver" "$tmp" $MODULES
	for m in $EXTRA_MODULES; do
		modprobe -d "$kdir/root" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }' | while read -r f; do
			cp -n "$f" "$tmp/lib/modules/"
			basename "$f" >>"$tmp/lib/modules/$m.deps"
		done
	done
	{
		guest_init_start
		cat <<'EOF'
if grep -q 'nvmemfs.init=systemd' /proc/cmdline; then
	mkdir -p /host /rw
	mount -t 9p -o $opts hostroot /host || { echo "vm: no 9p root"; poweroff -f; }
	mount -t tmpfs -o mode=0755 tmpfs /rw
	mkdir -p /rw/upper /rw/work
	mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work \
		overlay /newroot || { echo "vm: no overlay root"; poweroff -f; }
	# A /run of its own: dpkg's maintainer scripts must not see this
	# machine's /run/systemd, and systemd keeps a /run it finds mounted.
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /newroot/run
	mkdir -p /newroot/run/vm-modules && mount --bind /lib/modules /newroot/run/vm-modules
	mount --move /dev /newroot/dev
	mount -t proc proc /newroot/proc
	mount -t sysfs sys /newroot/sys
	# Only the vendor default units: not what this machine enables, not
	# its disks, not a getty on the serial console we read.
	rm -rf /newroot/etc/systemd/system/*.wants /newroot/etc/crypttab
	# Nor the marks of a container this machine may be: systemd would
	# believe it runs in one and leave / unshared (no mount propagation
	# into services), and policy-rc.d would keep dpkg from starting units.
	rm -f /newroot/.dockerenv /newroot/usr/sbin/policy-rc.d
	# Keep /tmp as it is here (the build tree may live there): no clean-up.
	mkdir -p /newroot/etc/tmpfiles.d && ln -sf /dev/null /newroot/etc/tmpfiles.d/tmp.conf
	: >/newroot/etc/fstab
	for u in serial-getty@ttyS0 getty@tty1 console-getty; do
		ln -sf /dev/null "/newroot/etc/systemd/system/$u.service"
	done
	chroot /newroot /bin/sh -c "cd /tmp && export NVMEMFS_VM_PHASE=setup && $(cat $cmdfile)"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "vm: setup failed"
		echo "NVMEMFS-VM-EXIT=$rc"
		poweroff -f
	fi
	{
		echo '#!/bin/sh'
		echo 'cd /tmp && export NVMEMFS_VM_PHASE=test'
		cat "$cmdfile"
		echo 'echo "NVMEMFS-VM-EXIT=$?"'
		echo 'exec systemctl poweroff --force --force'
	} >/newroot/run/vm-test
	chmod +x /newroot/run/vm-test
	cat >/newroot/etc/systemd/system/nvmemfs-vm.service <<UNIT
[Unit]
Description=nvmemfs guest test
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/run/vm-test
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/ttyS0
TTYReset=no
TTYVHangup=no
UNIT
	cat >/newroot/etc/systemd/system/nvmemfs-vm.target <<UNIT
[Unit]
Description=multi-user.target, then the nvmemfs guest test
Requires=multi-user.target
After=multi-user.target
Wants=nvmemfs-vm.service
UNIT
	umount /newroot/proc /newroot/sys
	exec switch_root /newroot /lib/systemd/systemd
fi
EOF
		guest_init_root
		echo 'mkdir -p /newroot/run/vm-modules && mount --bind /lib/modules /newroot/run/vm-modules'
		guest_init_enter /bin/sh
	} >"$tmp/init"
	chmod +x "$tmp/init"
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$tmp"
}

initrd=$kdir/initramfs-$(echo "$MODULES $EXTRA_MODULES" | md5sum | cut -c1-8).gz
if [ ! -f "$initrd" ] || [ "$0" -nt "$initrd" ] || [ "$here/guest.sh" -nt "$initrd" ]; then
	build_initramfs "$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
fi

# The command for the guest, and what it must see under its tmpfs mounts
# (guest.sh).
guest_command 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TMPDIR=/tmp;' \
	"$script" "$@"
keep=$(guest_keep "$script")

accel="-accel tcg,thread=multi -cpu max"
# KVM only where it really works (some hosts refuse the guest's MSRs).
if [ -w /dev/kvm ] && [ "${NVMEMFS_VM_KVM:-auto}" != no ]; then
	# A guest that panics at once (no root) exits cleanly under KVM.
	if timeout 60 qemu-system-x86_64 -accel kvm -cpu host -m 256 -display none \
		-no-reboot -serial none -kernel "$vmlinuz" -append panic=-1 \
		>/dev/null 2>&1 ||
	   [ "${NVMEMFS_VM_KVM:-auto}" = yes ]; then
		accel="-accel kvm -cpu host"
	fi
fi

init=
if [ "${NVMEMFS_VM_INIT:-}" = systemd ]; then
	init=" nvmemfs.init=systemd systemd.unit=nvmemfs-vm.target"
	init="$init systemd.show_status=${NVMEMFS_VM_SHOW_STATUS:-error}"
fi

# shellcheck disable=SC2086
guest_run qemu-system-x86_64 $accel -smp 2 -m "$MEM" \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet loglevel=4 nvmemfs.cmd=${cmdfile#/} nvmemfs.keep=$keep$init"
