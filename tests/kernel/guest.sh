# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# What tests/kernel/vm.sh and tests/arm64/vm.sh share (sourced by both,
# never run): the modules of the initramfs, the parts of the guest's
# /init that put this machine's root under the script and run it there,
# the command file the guest reads, and QEMU run to the script's exit
# status. What is each one's own (the kernel, the tools, the machine,
# systemd as PID 1) stays in its vm.sh.

# guest_modules ROOT KVER DIR MODULE...: the modules and their
# dependencies from the kernel unpacked in ROOT, once each, into
# DIR/lib/modules (decompressed: busybox's insmod takes plain .ko files)
# and their names in load order into DIR/modules.order.
guest_modules() {
	local root=$1 kver=$2 dir=$3 m
	shift 3
	: >"$dir/modules.order"
	for m in "$@"; do
		modprobe -d "$root" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r m; do
		case $m in
		*.xz) xz -dc "$m" >"$dir/lib/modules/$(basename "${m%.xz}")" ;;
		*) cp "$m" "$dir/lib/modules/" ;;
		esac
		basename "${m%.xz}" >>"$dir/modules.order"
	done
}

# The guest's /init is made of these three and what each vm.sh puts
# between them. guest_init_start: /proc, /sys and /dev, the modules of
# modules.order, and where the command is ($cmdfile, once the 9p root is
# on /host).
guest_init_start() {
	cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules.order); do
	insmod "/lib/modules/$m" || echo "vm: insmod $m failed"
done
opts=trans=virtio,version=9p2000.L,ro,msize=262144
cmdfile=/host/$(sed -n 's/.*nvmemfs.cmd=\([^ ]*\).*/\1/p' /proc/cmdline)
EOF
}

# guest_init_root: this machine's root read-only on /newroot (and /host),
# tmpfs on its /tmp, /run and /mnt, and the paths of nvmemfs.keep=
# (guest_keep) from the host under them.
guest_init_root() {
	cat <<'EOF'
mount -t 9p -o $opts hostroot /newroot || { echo "vm: no 9p root"; poweroff -f; }
# A second view of the root, without the tmpfs mounts put on top below.
mount --bind /newroot /host
for d in tmp run mnt; do mount -t tmpfs -o mode=1777 tmpfs /newroot/$d; done
# The host paths we must still see under the new tmpfs mounts.
for p in $(sed -n 's/.*nvmemfs.keep=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' '); do
	[ "$p" = none ] && continue
	mkdir -p "/newroot$p" && mount --bind "/host$p" "/newroot$p"
done
EOF
}

# guest_init_enter SHELL: /dev, /proc, /sys and /dev/pts in /newroot, the
# command run there by SHELL in /tmp, its exit status on the console for
# guest_run, and power-off.
guest_init_enter() {
	cat <<'EOF'
mount --move /dev /newroot/dev
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mkdir -p /newroot/dev/pts && mount -t devpts devpts /newroot/dev/pts
cmd=$(cat "$cmdfile")
EOF
	# shellcheck disable=SC2016 # $cmd is the guest's
	printf 'chroot /newroot %s -c "cd /tmp && $cmd"\n' "$1"
	cat <<'EOF'
echo "NVMEMFS-VM-EXIT=$?"
poweroff -f
EOF
}

# guest_command ENV WORD...: the command for the guest, in a file it
# reads through 9p: ENV ("export ...;") and the WORDs quoted. Sets
# cmdfile, in $CACHE; it goes at exit.
guest_command() {
	cmdfile=$(mktemp "$CACHE/cmd.XXXXXX")
	trap 'rm -f "$cmdfile"' EXIT
	{
		printf '%s' "$1"
		shift
		printf ' %q' "$@"
		printf '\n'
	} >"$cmdfile"
}

# guest_keep SCRIPT: the paths under the guest's tmpfs mounts that SCRIPT
# needs, for nvmemfs.keep=: its own directory and the current one (a
# build tree in /tmp, say), and those of $NVMEMFS_VM_KEEP; "none" if none.
guest_keep() {
	local keep='' p
	# shellcheck disable=SC2086 # NVMEMFS_VM_KEEP is a list
	for p in "$(dirname "$1")" "$PWD" ${NVMEMFS_VM_KEEP:-}; do
		case $p in /tmp/* | /run/* | /mnt/*) keep=$keep${keep:+,}$p ;; esac
	done
	echo "${keep:-none}"
}

# guest_run QEMU ARG...: the guest, with this machine's root over
# virtio-9p and its console on our stdout (without the terminal's
# escapes), given $TIMEOUT seconds. Exits with the status of the guest's
# command, or 1 if the guest did not finish.
guest_run() {
	local qrc rc
	out=$(mktemp)
	trap 'rm -f "$cmdfile" "$out"' EXIT
	set +e
	timeout "$TIMEOUT" "$@" \
		-nographic -no-reboot -monitor none -serial stdio -nic none \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		</dev/null | sed -u 's/\x1b[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g; s/\r$//' | tee "$out"
	qrc=${PIPESTATUS[0]}
	set -e
	rc=$(sed -n 's/^NVMEMFS-VM-EXIT=\([0-9]*\).*/\1/p' "$out" | tr -d '\r' | tail -1)
	if [ -z "$rc" ]; then
		echo "vm: the guest did not finish (qemu exit $qrc)" >&2
		exit 1
	fi
	exit "$rc"
}
