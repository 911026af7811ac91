#!/bin/bash
# SPDX-License-Identifier: MIT
# A U-Boot environment as something to edit, against Debian's own
# fw_printenv/fw_setenv and mkenvimage: variables that fw_setenv adds or
# removes show in cells/ at once (and so do raw rewrites through nvmem);
# files created in cells/ are new variables and rm removes one; the
# <device>/environment file reads as fw_printenv prints and replaces
# every variable in one store; users who may not write the device may
# not create or remove either.
. "$(dirname "$0")/lib.sh"

need_tools mkenvimage fw_printenv fw_setenv

USR=nvt-envu-$$
new_user "$USR"

ls_cells() { ls "$MNT/$1/cells" | tr '\n' ' ' | sed 's/ $//'; }

# Two environments: a single copy, and a redundant one (two 8 KiB copies
# in one file, as fw_env.config describes it with two lines).
printf 'board=demo\nbootcmd=run distro\nethaddr=02:00:5e:10:20:30\n' > "$T/vars.txt"
mkenvimage -s 16384 -o "$T/env.img" "$T/vars.txt"
mkenvimage -r -s 8192 -o "$T/r0.img" "$T/vars.txt"
cat "$T/r0.img" "$T/r0.img" > "$T/renv.img"
chmod 644 "$T/env.img" "$T/renv.img"
printf '%s 0x0 0x4000\n' "$T/env.img" > "$T/fw_env.config"
printf '%s 0x0 0x2000\n%s 0x2000 0x2000\n' "$T/renv.img" "$T/renv.img" > "$T/fw_renv.config"
fw() { "$@" -c "$T/fw_env.config"; }
fwr() { "$@" -c "$T/fw_renv.config"; }
image "$T/plain.bin" 1024 1
cat > "$T/env.conf" <<CONF
[nvmemfs]
kernel-devices = no
[device env]
provider = file
path = $T/env.img
layout = u-boot-env
[device renv]
provider = file
path = $T/renv.img
layout = u-boot-env
env-size = 8192
env-redundant-offset = 8192
[device plain]
provider = file
path = $T/plain.bin
[cell plain/serial]
offset = 0
size = 4
CONF
start_daemon "$T/env.conf" -o allow_other

# --- Following changes made elsewhere ---
check_eq "the variables are listed" "board bootcmd ethaddr" "$(ls_cells env)"
fw fw_setenv added yes
check_eq "a variable fw_setenv adds is listed at once" "added board bootcmd ethaddr" \
	"$(ls_cells env | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "... and reads" "yes" "$(cat "$MNT/env/cells/added")"
fw fw_setenv board
check_eq "a variable fw_setenv removes is gone" "added bootcmd ethaddr" \
	"$(ls_cells env | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
check_eq "... and its lookup fails" "ENOENT" "$("$FSPROBE" stat "$MNT/env/cells/board" 2>&1 | grep -o ENOENT)"
fw fw_setenv board again
check_eq "re-created by fw_setenv, it is back" "again" "$(cat "$MNT/env/cells/board")"

# A new environment written raw through nvmem is followed too.
printf 'only=raw\n' > "$T/raw.txt"
mkenvimage -s 16384 -o "$T/raw.img" "$T/raw.txt"
dd if="$T/raw.img" of="$MNT/env/nvmem" conv=notrunc status=none
check_eq "a raw rewrite through nvmem is followed" "only" "$(ls_cells env)"

# A bad CRC after start: logged once, variables hidden, raw readable;
# valid again, they are back.
printf '\x00\x00\x00\x00' | dd of="$T/env.img" conv=notrunc status=none
ls "$MNT/env/cells" > /dev/null; ls "$MNT/env/cells" > /dev/null
check_eq "a bad CRC after start hides the variables" "" "$(ls_cells env)"
check_eq "... logged once" "1" "$(grep -c 'env: U-Boot environment no longer valid' "$LOG")"
check_eq "... the raw device stays readable" "16384" "$(cat "$MNT/env/nvmem" | wc -c)"
dd if="$T/raw.img" of="$T/env.img" conv=notrunc status=none
check_eq "valid again, the variables are back" "only" "$(ls_cells env)"
grep -q 'env: U-Boot environment valid again' "$LOG" && pass "... and that is logged" ||
	fail "no 'valid again' line: $(tail -3 "$LOG")"

# --- Creating and removing variables ---
echo "hello world" > "$MNT/env/cells/greeting"
check_eq "a file created in cells/ is a new variable" "greeting=hello world" "$(fw fw_printenv greeting)"
check_eq "... listed" "greeting only" "$(ls_cells env | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')"
rm "$MNT/env/cells/greeting"
check_eq "rm removes the variable" "" "$(fw fw_printenv | grep '^greeting=')"
check_eq "... and its file" "only" "$(ls_cells env)"
touch "$MNT/env/cells/empty"
check_eq "a create that writes nothing makes no variable" "" "$(fw fw_printenv | grep '^empty=')"
check_eq "... and no file" "only" "$(ls_cells env)"
check_eq "a name with '=' cannot be a variable" "EINVAL" \
	"$("$FSPROBE" create "$MNT/env/cells/a=b" 2>&1 | grep -o EINVAL)"
check_eq "rm of a variable that is not there: ENOENT" "ENOENT" \
	"$(rm "$MNT/env/cells/nothere" 2>&1 | grep -o 'No such file' | sed 's/No such file/ENOENT/')"
check_eq "a new variable whose value is too big: ENOSPC at close" "ENOSPC" \
	"$("$FSPROBE" create "$MNT/env/cells/huge" "$(head -c 20000 /dev/zero | tr '\0' x)" 2>&1 | grep -o ENOSPC)"
check_eq "... and no variable" "" "$(fw fw_printenv | grep '^huge=')"

# Elsewhere the tree stays as it is.
check_eq "no new files in cells/ without a layout that has variables" "EPERM" \
	"$("$FSPROBE" create "$MNT/plain/cells/new" 2>&1 | grep -o EPERM)"
check_eq "no rm of a fixed cell" "EPERM" \
	"$(rm "$MNT/plain/cells/serial" 2>&1 | grep -o 'not permitted' | sed 's/not permitted/EPERM/')"
check_eq "no new file beside nvmem" "EPERM" \
	"$("$FSPROBE" create "$MNT/env/newfile" 2>&1 | grep -o EPERM)"

# Who may: cells/ is writable by those who may write the device.
check_eq "cells/ of a 0644 root environment: 0755" "755" "$(stat -c %a "$MNT/env/cells")"
check_eq "cells/ without a layout: 0555" "555" "$(stat -c %a "$MNT/plain/cells")"
check_eq "a user who may not write the device cannot create" "EACCES" \
	"$(as "$USR" "$FSPROBE" create "$MNT/env/cells/intruder" 2>&1 | grep -o EACCES)"
check_eq "... nor remove" "EACCES" \
	"$(as "$USR" rm -f "$MNT/env/cells/only" 2>&1 | grep -o 'Permission denied' | sed 's/Permission denied/EACCES/')"
check_eq "... and the variable is still there" "only=raw" "$(fw fw_printenv only)"

# --- The environment file ---
fwr fw_setenv second two
check_eq "environment reads as fw_printenv prints" "$(fwr fw_printenv)" "$(cat "$MNT/renv/environment")"
{
	echo "# written through nvmemfs"
	echo "board=replaced"
	echo
	for i in $(seq 1 300); do echo "v$i=$(head -c 20 /dev/zero | tr '\0' "$((i % 10))")"; done
} > "$T/new.txt"
# Many write(2)s: stdio of cat writes 128 KiB at a time, dd bs=100 more.
dd if="$T/new.txt" of="$MNT/renv/environment" bs=100 status=none
check_eq "writing environment replaces every variable" \
	"$(grep -v '^#' "$T/new.txt" | grep . | LC_ALL=C sort)" "$(fwr fw_printenv | LC_ALL=C sort)"
check_eq "... and reads back as fw_printenv prints it" "$(fwr fw_printenv)" "$(cat "$MNT/renv/environment")"
check_eq "... ethaddr and bootcmd are gone" "" "$(fwr fw_printenv | grep -E '^(ethaddr|bootcmd)=')"
check_eq "... and cells/ lists what it holds" "301" "$(ls "$MNT/renv/cells" | wc -l)"
before=$(md5sum < "$T/renv.img")
printf 'good=1\nbad line\n' > "$T/bad.txt"
check_eq "a line without name=value: EINVAL at close" "EINVAL" \
	"$("$FSPROBE" writefile "$MNT/renv/environment" "$T/bad.txt" 2>&1 | grep -o EINVAL)"
check_eq "... and nothing changed" "$before" "$(md5sum < "$T/renv.img")"
# In the inactive copy of a redundant environment: the copy U-Boot
# reads until the store is complete is never touched.
active_before=$(fwr fw_printenv board)
printf 'board=last\n' | dd of="$MNT/renv/environment" status=none
check_eq "a redundant environment is replaced in one store" "board=last" "$(fwr fw_printenv)"
check_eq "... the other copy still holds the one before" "$active_before" \
	"$(dd if="$T/renv.img" bs=8192 skip=$(( $(xxd -s 4 -l 1 -p "$T/renv.img") > $(xxd -s 8196 -l 1 -p "$T/renv.img") ? 1 : 0 )) count=1 status=none |
	   tail -c +6 | tr '\0' '\n' | grep '^board=')"
check_eq "an unprivileged user cannot write environment" "EACCES" \
	"$(as "$USR" "$FSPROBE" writefile "$MNT/renv/environment" "$T/bad.txt" 2>&1 | grep -o EACCES)"
check_eq "... but can read it (0644)" "board=last" "$(as "$USR" cat "$MNT/renv/environment")"
stop_daemon || fail "daemon exit"

