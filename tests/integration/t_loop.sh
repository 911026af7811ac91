#!/bin/bash
# SPDX-License-Identifier: MIT
# The request loop (src/fs/loop.c): one thread reads /dev/fuse and serves
# requests inline, and another takes over the reading only when a
# request keeps it busy.
#  1. 2000 sequential open+read+close of a cell run on the one worker:
#     the daemon starts no thread for them (one, on a loaded machine).
#  2. While a reader is stuck for seconds in a 64 KiB read of an AT24 at
#     100 kHz, a cell of another device and a listing of the mount are
#     served at once (bound 0.5 s; ~2 ms expected).
#  3. An idle daemon's supervisor does not wake up.
. "$(dirname "$0")/lib.sh"
BOUND=0.5

image "$T/slow.img" 65536 21
image "$T/fast.img" 4096 22
cat > "$T/nvmemfs.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device slow]
provider = at24
emulate = $T/slow.img
emulate-clock = 100000
address = 0x50
chip = 24c512
[device fast]
provider = file
path = $T/fast.img
[cell fast/mac]
offset = 0
size = 6
format = mac
CONF
start_daemon "$T/nvmemfs.conf"
mac=$(cat "$MNT/fast/cells/mac")

# threads: the daemon's; with no fork, not to steal the CPU it samples.
# The file is taken in one read: bash's line-by-line read seeks back
# after each line, and /proc regenerates the text at every read, so a
# line before "Threads:" that changed length ("S (sleeping)" became
# "R (running)") shifted it and the line was missed.
threads() {
	local s=
	read -r -d '' s < "/proc/$DAEMON_PID/status" || true
	[[ $s =~ Threads:[[:space:]]+([0-9]+) ]] ||
		{ echo "no Threads: line in /proc/$DAEMON_PID/status" >&2; return 1; }
	echo "${BASH_REMATCH[1]}"
}
# switches [TASK]: voluntary + involuntary context switches of the
# daemon's thread TASK, or of all its threads
switches() {
	local task=${1:-*}
	# shellcheck disable=SC2086 # the * is a glob
	cat /proc/"$DAEMON_PID"/task/$task/status 2>/dev/null |
		awk '/ctxt_switches/ { n += $2 } END { print n }'
}
# timed NAME CMD...: run CMD, its output to $T/NAME, the seconds it took
# to $T/NAME.t
timed() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	"$@" > "$T/$name" 2>&1 || true
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc > "$T/$name.t"
}
within() { [ "$(echo "$1 < $BOUND" | bc)" = 1 ]; }

# 1. Threads: the count once a first request is served (the loop's one
# worker, and the daemon's other threads) must not grow while one client
# opens, reads and closes a cell 2000 times: each of those requests is
# read by the thread that served the one before. One more is allowed: a
# worker held off its CPU for a millisecond (a loaded machine) has the
# supervisor start another. libfuse's pool grows by two or more here.
cat "$MNT/fast/cells/mac" > /dev/null
before=$(threads)
"$FSPROBE" cycles "$MNT/fast/cells/mac" 2000 > "$T/cycles.out" &
CYC=$!
max=$before
while kill -0 $CYC 2>/dev/null; do
	n=$(threads)
	[ "$n" -gt "$max" ] && max=$n
	sleep 0.02
done
wait $CYC || true
n=$(threads)
[ "$n" -gt "$max" ] && max=$n
echo "threads: $before before, at most $max during 2000 open+read+close"
check_eq "2000 open+read+close" ok "$(cat "$T/cycles.out")"
[ "$max" -le $((before + 1)) ] && pass "at most one thread started for them" ||
	fail "threads grew from $before to $max"

# 2. The whole 24c512 at 100 kHz: ~6 s of bus time in one READ request.
dd if="$MNT/slow/nvmem" of="$T/slow.out" bs=64k count=1 iflag=direct 2>/dev/null &
DD=$!
sleep 0.3
# All three at once: each must be served while the slow read holds its
# thread, not after it.
timed cat cat "$MNT/fast/cells/mac" & P1=$!
timed ls ls "$MNT" & P2=$!
timed stat stat -c %s "$MNT/fast/nvmem" & P3=$!
wait $P1 $P2 $P3
kill -0 $DD 2>/dev/null && busy=yes || busy=no
t_cat=$(cat "$T/cat.t") t_ls=$(cat "$T/ls.t") t_stat=$(cat "$T/stat.t")
out_cat=$(cat "$T/cat")
out_ls=$(tr '\n' ' ' < "$T/ls")
echo "during the slow read: cat ${t_cat} s, ls ${t_ls} s, stat ${t_stat} s"
echo "BENCH loop_cat_beside_slow_read_s=$t_cat"
check_eq "the slow read was still in flight" yes "$busy"
check_eq "cat of a cell on another device" "$mac" "$out_cat"
within "$t_cat" && pass "cat within ${BOUND} s" || fail "cat took ${t_cat} s"
check_eq "ls of the mount" "fast slow " "$out_ls"
within "$t_ls" && pass "ls within ${BOUND} s" || fail "ls took ${t_ls} s"
within "$t_stat" && pass "stat within ${BOUND} s" || fail "stat took ${t_stat} s"
wait $DD && pass "the slow read completes" || fail "the slow read failed"
cmp -s "$T/slow.img" "$T/slow.out" && pass "the slow read's bytes" || fail "the slow read's bytes differ"

# 3. Idle: no periodic wake-up once the supervisor's ~100 ms of ticking
# after the last request is over. The supervisor is the main thread; it
# ticks every millisecond while requests arrive, so that a tick left
# running would show as some 2000 switches in 2 s. (The other threads
# are counted for the record only: the uevent thread wakes for every
# uevent of the machine, such as other tests' loop devices.)
sleep 0.3
m0=$(switches "$DAEMON_PID")
s0=$(switches)
sleep 2
m1=$(switches "$DAEMON_PID")
s1=$(switches)
echo "idle 2 s: the supervisor switched $((m1 - m0)) times, all threads $((s1 - s0))"
[ $((m1 - m0)) -lt 5 ] && pass "idle supervisor does not tick" ||
	fail "the supervisor switched $((m1 - m0)) times in 2 s of idling"
