#!/bin/bash
# SPDX-License-Identifier: MIT
# Stress through the mount on a cell the kernel keeps in its page cache
# (fs/pages.c): one writer stores a counter through the cell while
# readers open+read+close it and others pread a descriptor they keep;
# no read may return a value older than one whose close() had returned
# before the read began. Readers of the raw file at the cell's offset
# too, which the kernel keeps for the cached device (fs/pages.c). On an
# uncached device and on a cached one;
# under ASan/TSan the daemon must end with no report (stop_daemon).
. "$(dirname "$0")/lib.sh"
: "${STRESSCELL:?}"
SECONDS_EACH=${NVMEMFS_STRESS_SECONDS:-4}

image "$T/a.img" 4096 4
image "$T/b.img" 4096 5
cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device plain]
provider = file
path = $T/a.img
[cell plain/mac]
offset = 16
size = 6
format = mac
[device cached]
provider = file
path = $T/b.img
cache = yes
[cell cached/mac]
offset = 16
size = 6
format = mac
CONF
start_daemon "$T/nvmemfs.conf"
for d in plain cached; do
	echo 02:00:00:00:00:00 > "$MNT/$d/cells/mac"
	if "$STRESSCELL" "$MNT/$d/cells/mac" "$SECONDS_EACH" "$MNT/$d/nvmem" 16 \
		> "$T/$d.out" 2>&1; then
		pass "$d: no stale or malformed value ($(tail -1 "$T/$d.out"))"
	else
		fail "$d: $(tail -5 "$T/$d.out")"
	fi
	read -r _ writes _ reads _ < <(tail -1 "$T/$d.out")
	[ "${writes:-0}" -gt 10 ] && [ "${reads:-0}" -gt 100 ] &&
		pass "$d: $writes writes and $reads reads raced" ||
		fail "$d: too little happened: $(tail -1 "$T/$d.out")"
done
stop_daemon
