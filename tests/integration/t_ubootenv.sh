#!/bin/bash
# SPDX-License-Identifier: MIT
# U-Boot environments against the tools nobody on the project wrote:
# images made by mkenvimage (u-boot-tools), read and written by Debian's
# fw_printenv and fw_setenv (libubootenv-tool) while nvmemfs serves them,
# in both directions and at the same time, sharing their lock.
. "$(dirname "$0")/lib.sh"

need_tools mkenvimage fw_printenv fw_setenv

printf 'counter=0\nboard=demo\nbootcmd=run distro\n' > "$T/vars.txt"
mkenvimage -s 16384 -o "$T/env.img" "$T/vars.txt"
printf '%s 0x0 0x4000\n' "$T/env.img" > "$T/fw_env.config"
fw() { "$@" -c "$T/fw_env.config"; }
cat > "$T/env.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device env]
provider = file
path = $T/env.img
layout = u-boot-env
CONF
start_daemon "$T/env.conf"

check_eq "a mkenvimage image is served" "run distro" "$(cat "$MNT/env/cells/bootcmd")"
echo "run nvmemfs" > "$MNT/env/cells/bootcmd"
check_eq "fw_printenv reads what nvmemfs wrote" "bootcmd=run nvmemfs" "$(fw fw_printenv bootcmd)"
fw fw_setenv board fw
check_eq "nvmemfs reads what fw_setenv wrote, without a remount" "fw" "$(cat "$MNT/env/cells/board")"

# Both at once, many times. Without a shared lock each side's
# read-modify-write loses some of the other's updates, and fw_printenv
# can read a copy halfway through being rewritten (a bad CRC, exit 243).
N=150
(for i in $(seq 1 $N); do fw fw_setenv "f$i" "$i" || echo "fw_setenv $i: $?"; done) > "$T/a.out" 2>&1 &
A=$!
(for i in $(seq 1 $N); do echo "$i" > "$MNT/env/cells/counter" || echo "write $i failed"; done) > "$T/b.out" 2>&1 &
B=$!
(for i in $(seq 1 $N); do fw fw_printenv counter > /dev/null || echo "fw_printenv $i: $?"; done) > "$T/c.out" 2>&1 &
C=$!
(for i in $(seq 1 $N); do cat "$MNT/env/cells/board" > /dev/null || echo "read $i failed"; done) > "$T/d.out" 2>&1 &
D=$!
wait $A $B $C $D
check_eq "every fw_setenv succeeded" "" "$(cat "$T/a.out")"
check_eq "every nvmemfs write succeeded" "" "$(cat "$T/b.out")"
check_eq "no fw_setenv update lost" "$N" "$(fw fw_printenv | grep -c '^f[0-9]*=')"
check_eq "no nvmemfs update lost" "counter=$N" "$(fw fw_printenv counter)"
check_eq "fw_printenv never read a torn environment" "" "$(cat "$T/c.out")"
check_eq "nvmemfs never read a torn environment" "" "$(cat "$T/d.out")"
check_eq "the environment is whole" "board=fw" "$(fw fw_printenv board)"
stop_daemon

# Parsed as U-Boot does: an entry without name=value is skipped (one
# warning), not the reason to drop every variable; 0xff in a value is
# data; a value larger than the whole environment is ENOSPC.
printf 'garbage\nv=a\377b\nbootcmd=run distro\n' > "$T/odd.txt"
mkenvimage -s 16384 -o "$T/env.img" "$T/odd.txt"
: > "$LOG"
start_daemon "$T/env.conf"
check_eq "an entry without = is skipped, the rest served" "bootcmd v" \
	"$(ls "$MNT/env/cells" | tr '\n' ' ' | sed 's/ $//')"
grep -q "env: 1 U-Boot environment entries without name=value skipped" "$LOG" &&
	pass "... with one warning" || fail "log: $(cat "$LOG")"
check_eq "0xff inside a value is data" "61ff620a" "$(xxd -p "$MNT/env/cells/v")"
check_eq "fw_printenv agrees" "$(printf 'a\377b' | xxd -p)" "$(fw fw_printenv -n v | head -c 3 | xxd -p)"
check_eq "a value larger than the environment: ENOSPC" "ENOSPC" \
	"$("$FSPROBE" pwrite "$MNT/env/cells/v" 0 "$(head -c 20000 /dev/zero | tr '\0' x | xxd -p | tr -d '\n')")"
check_eq "... and the old value stays" "61ff620a" "$(xxd -p "$MNT/env/cells/v")"
