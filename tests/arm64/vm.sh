#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Run a script inside a QEMU arm64 "virt" board (software emulation) with
# the kernel of Debian's next release, whose device tree has an
# nvmem-rmem region with fixed-layout cells (tests/arm64/rmem.dtsi), so
# that nvmemfs meets the kernel's own device-tree cells, and the CP2112
# scenario the arm64 hid-cp2112, i2c-dev and at24, where boards run.
#
#   tests/arm64/vm.sh SCRIPT [ARGS...]
#
# SCRIPT (bash) runs as root in the guest, as tests/kernel/vm.sh runs its
# own: this machine's root file system read-only over virtio-9p, tmpfs on
# /tmp, /run and /mnt. That root is amd64; what runs there must be arm64:
# nvmemfs cross-built (tests/arm64/aarch64-linux-gnu.cmake) against the
# arm64 libraries installed next to the host's (multiarch), and the
# guest's PATH holds only arm64 tools: busybox, bash and openssl unpacked
# from Debian 12's arm64 packages, in /run/arm64/bin. The guest finds the
# image of the nvmem-rmem region in $NVMEMFS_RMEM_IMAGE. The exit status
# of SCRIPT becomes ours; everything the guest prints goes to stdout.
#
# Downloads and generated files are cached in $NVMEMFS_VM_CACHE (default
# /var/cache/nvmemfs-vm-arm64), never in the source tree: the kernel
# package from Debian trixie through an apt configuration of its own
# there (nothing is installed), and the arm64 busybox-static, bash and
# openssl packages through this machine's apt. Needs qemu-system-arm,
# device-tree-compiler, cpio, kmod, xz-utils, openssl and the arm64
# architecture added to dpkg (scripts/test, stage "arm64", sets it up).
set -euo pipefail

CACHE=${NVMEMFS_VM_CACHE:-/var/cache/nvmemfs-vm-arm64}
MEM=${NVMEMFS_VM_MEM:-1024}
TIMEOUT=${NVMEMFS_VM_TIMEOUT:-900}
SUITE=${NVMEMFS_VM_SUITE:-trixie}
MIRROR=${NVMEMFS_VM_MIRROR:-http://deb.debian.org/debian}
# The machine: QEMU's device tree is dumped for exactly these options.
# cortex-a72 rather than "max": no pointer authentication or SVE to
# emulate, which makes TCG markedly slower.
MACHINE="-M virt -cpu cortex-a72 -smp 2 -m $MEM"

# Loaded at boot, with their dependencies (virtio-pci, fuse and the nvmem
# core are built in).
MODULES="9pnet_virtio 9p uhid hid-cp2112 i2c-dev at24 nvmem-rmem"

here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=tests/kernel/guest.sh
. "$here/../kernel/guest.sh"

[ $# -ge 1 ] || { echo "usage: $0 SCRIPT [ARGS...]" >&2; exit 2; }
script=$(readlink -f "$1")
shift

mkdir -p "$CACHE"

# apt for arm64 packages of $SUITE, with its lists and state here.
APTDIR=$CACHE/apt-$SUITE
aptx() {
	local cmd=$1; shift
	"$cmd" -o Dir::Etc="$APTDIR/etc" -o Dir::State="$APTDIR/state" \
		-o Dir::Cache="$APTDIR/cache" -o Dir::State::status="$APTDIR/status" \
		-o APT::Architecture=arm64 -o APT::Architectures::=arm64 \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}

kernel_pkg() {
	aptx apt-cache depends linux-image-arm64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

# The kernel: the package linux-image-arm64 of $SUITE points at, unpacked
# here and never installed.
fetch_kernel() {
	local pkg deb
	if [ ! -f "$APTDIR/ok" ]; then
		rm -rf "$APTDIR"
		mkdir -p "$APTDIR"/etc/{apt.conf.d,preferences.d,sources.list.d} \
			"$APTDIR"/state/lists/partial "$APTDIR"/cache/archives/partial
		: >"$APTDIR/status"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $SUITE main" \
			>"$APTDIR/etc/sources.list"
		touch "$APTDIR/ok"
	fi
	pkg=$(kernel_pkg)
	if [ -z "$pkg" ]; then
		aptx apt-get update >/dev/null
		pkg=$(kernel_pkg)
	fi
	[ -n "$pkg" ] || { echo "vm: no linux-image package in $SUITE" >&2; return 1; }
	if [ -f "$CACHE/$pkg/ok" ]; then
		echo "$CACHE/$pkg"
		return
	fi
	echo "vm: downloading $pkg ($SUITE, arm64)" >&2
	rm -rf "$CACHE/$pkg"
	mkdir -p "$CACHE/$pkg"
	(cd "$CACHE/$pkg" && aptx apt-get download "$pkg" >&2)
	deb=$(ls "$CACHE/$pkg"/*.deb)
	dpkg -x "$deb" "$CACHE/$pkg/root"
	rm -f "$deb"
	# Merged /usr: depmod and modprobe -d look in ROOT/lib/modules.
	[ -e "$CACHE/$pkg/root/lib" ] || ln -s usr/lib "$CACHE/$pkg/root/lib"
	depmod -b "$CACHE/$pkg/root" "$(ls "$CACHE/$pkg/root/lib/modules")"
	touch "$CACHE/$pkg/ok"
	echo "$CACHE/$pkg"
}

# The guest's tools: Debian 12's arm64 busybox-static, bash and openssl
# (bash and openssl run on the arm64 libraries installed here), which
# cannot be installed next to the host's own.
TOOLS="busybox-static bash openssl"
fetch_tools() {
	local dir=$CACHE/tools-$(for p in $TOOLS; do apt-cache policy "$p:arm64" |
		awk '/Candidate:/ { print $2 }'; done | md5sum | cut -c1-8)
	if [ ! -f "$dir/ok" ]; then
		echo "vm: downloading $TOOLS (arm64)" >&2
		rm -rf "$dir"
		mkdir -p "$dir/debs"
		(cd "$dir/debs" && apt-get download -o APT::Sandbox::User=root \
			$(for p in $TOOLS; do echo "$p:arm64"; done) >&2)
		for deb in "$dir"/debs/*.deb; do dpkg -x "$deb" "$dir/root"; done
		rm -rf "$dir/debs"
		touch "$dir/ok"
	fi
	echo "$dir/root"
}

kdir=$(fetch_kernel)
kver=$(ls "$kdir/root/lib/modules")
kernel=$kdir/root/boot/vmlinuz-$kver
tools=$(fetch_tools)

# The device tree: QEMU's own for $MACHINE, with rmem.dtsi added.
dtb=$CACHE/virt-$(echo "$MACHINE" | md5sum | cut -c1-8).dtb
if [ ! -f "$dtb" ] || [ "$here/rmem.dtsi" -nt "$dtb" ]; then
	# shellcheck disable=SC2086
	qemu-system-aarch64 $MACHINE -machine dumpdtb="$dtb.qemu" -display none >/dev/null
	{ dtc -q -I dtb -O dts "$dtb.qemu"; cat "$here/rmem.dtsi"; } >"$dtb.dts"
	dtc -q -I dts -O dtb -o "$dtb.tmp" "$dtb.dts"
	rm -f "$dtb.qemu" "$dtb.dts"
	mv "$dtb.tmp" "$dtb"
fi
rmem_addr=$(sed -n 's/.*nvmem@\([0-9a-f]*\) {.*/0x\1/p' "$here/rmem.dtsi")
rmem=$CACHE/rmem.bin
if [ ! -f "$rmem" ] || [ "$here/rmem.sh" -nt "$rmem" ]; then
	"$here/rmem.sh" "$rmem"
fi

# The initramfs: busybox, bash, openssl, the modules in load order
# (decompressed: busybox's insmod takes plain .ko files) and /init.
build_initramfs() {
	local out=$1 tmp
	tmp=$(mktemp -d)
	mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,host,lib/modules,arm64/bin}
	cp "$tools/bin/busybox" "$tmp/bin/busybox"
	cp "$tools/bin/busybox" "$tools/bin/bash" "$tools/usr/bin/openssl" "$tmp/arm64/bin/"
	# What busybox lacks that the scenarios use.
	cat >"$tmp/arm64/bin/mountpoint" <<'EOF'
#!/run/arm64/bin/bash
# mountpoint [-q] DIR, as util-linux's: is DIR a mount point?
[ "$1" = -q ] && shift
d=$(readlink -f "$1") || exit 1
awk -v d="$d" '$5 == d { found = 1 } END { exit !found }' /proc/self/mountinfo
EOF
	cat >"$tmp/arm64/bin/date" <<'EOF'
#!/run/arm64/bin/bash
# busybox date has no %N: the nanoseconds the scenarios time with.
if [ "$*" = "+%s%N" ]; then
	echo "${EPOCHREALTIME/./}000"
else
	exec /run/arm64/bin/busybox date "$@"
fi
EOF
	chmod +x "$tmp/arm64/bin/"*
	# shellcheck disable=SC2086
	guest_modules "$kdir/root" "$kver" "$tmp" $MODULES
	{
		guest_init_start
		cat <<'EOF'
# What udev would make and bash's <(...) needs.
ln -s /proc/self/fd /dev/fd
EOF
		guest_init_root
		cat <<'EOF'
# The arm64 tools, and busybox's applets where nothing else has the name.
for a in $(/arm64/bin/busybox --list); do
	[ -e "/arm64/bin/$a" ] || ln -s busybox "/arm64/bin/$a"
done
mkdir -p /newroot/run/arm64 && mount --bind /arm64 /newroot/run/arm64
EOF
		guest_init_enter /run/arm64/bin/sh
	} >"$tmp/init"
	chmod +x "$tmp/init"
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$tmp"
}

initrd=$kdir/initramfs-$(echo "$MODULES $tools" | md5sum | cut -c1-8).gz
if [ ! -f "$initrd" ] || [ "$0" -nt "$initrd" ] || [ "$here/../kernel/guest.sh" -nt "$initrd" ]; then
	build_initramfs "$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
fi

# The command for the guest (guest.sh). Every program in the root is
# amd64: PATH has the arm64 tools alone, and SCRIPT runs with their bash,
# not its #! line.
guest_command "$(printf 'export PATH=/run/arm64/bin HOME=/root TMPDIR=/tmp NVMEMFS_RMEM_IMAGE=%q;' "$rmem")" \
	bash "$script" "$@"
keep=$(guest_keep "$script")

# shellcheck disable=SC2086
guest_run qemu-system-aarch64 $MACHINE -accel tcg,thread=multi \
	-kernel "$kernel" -initrd "$initrd" -dtb "$dtb" \
	-device loader,file="$rmem",addr="$rmem_addr",force-raw=on \
	-append "console=ttyAMA0 panic=-1 quiet loglevel=4 nvmemfs.cmd=${cmdfile#/} nvmemfs.keep=$keep"
