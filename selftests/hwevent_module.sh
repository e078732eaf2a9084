#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwevent_module.sh - load and unload hwevent.ko around open files and
# events in flight, with /dev/hwevent and /dev/hwecho.
#
# The module is $HWEVENT_KO (the path of hwevent.ko) if set, else what
# `modprobe hwevent` finds. Needs root; POSIX sh (busybox ash or bash).
# Prints TAP and exits 0 if every test passed, 1 if one failed, 4 (skip)
# without root or a module to load. Starts by unloading the module if it is
# loaded, and leaves it loaded at the end for the tests that follow. It loads
# the module with the parameters in $HWEVENT_MODULE_PARAMS (the test runner's
# bottom_half=...), but for the defaults' tests.

# shellcheck disable=SC2317 # refused (and refcnt) run through check

set -u

# shellcheck source=selftests/hwevent_lib.sh
. "$(dirname "$0")/hwevent_lib.sh"

MODULE=hwevent
DEV=/dev/hwevent
ECHO=/dev/hwecho
PARAM=/sys/module/$MODULE/parameters/max_pending
PARAMS=/sys/module/$MODULE/parameters
BURST=${HWEVENT_BURST:-$(dirname "$0")/hwevent_burst}
CLI=${HWEVENT_CLI:-$(command -v hwevent)}
ROUNDS=20
PLAN=17
# Kernel log lines that mean something went wrong.
TROUBLE='BUG:|kernel BUG|WARNING:|Oops|general protection|Call Trace:|UBSAN|KASAN|list_(add|del) corruption|refcount_t:|kmemleak'

loaded() {
	grep -q "^$MODULE " /proc/modules
}

# The module's reference count, from /proc/modules.
refcnt() {
	awk -v m="$MODULE" '$1 == m { print $3 }' /proc/modules
}

# Waits up to 5 s for the node to appear (udev may be slower than devtmpfs).
node_appears() {
	i=0
	while [ ! -c "$DEV" ]; do
		[ $i -lt 50 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

node_disappears() {
	i=0
	while [ -e "$DEV" ]; do
		[ $i -lt 50 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# load [PARAMS]: with PARAMS, else with $HWEVENT_MODULE_PARAMS.
load() {
	# shellcheck disable=SC2086 # name=value words
	if [ -n "${HWEVENT_KO:-}" ]; then
		out=$(insmod "$HWEVENT_KO" ${1-${HWEVENT_MODULE_PARAMS:-}} 2>&1)
	else
		out=$(modprobe "$MODULE" ${1-${HWEVENT_MODULE_PARAMS:-}} 2>&1)
	fi
	rc=$?
	[ -z "$out" ] || diag "$out"
	[ $rc -eq 0 ] && node_appears
}

unload() {
	out=$(rmmod "$MODULE" 2>&1)
	rc=$?
	[ -z "$out" ] || diag "$out"
	return $rc
}

MARK="hwevent_module.sh: start $$"

# The kernel log since MARK; fails if MARK cannot be found.
log_since_mark() {
	log=$(dmesg 2>/dev/null) || return 1
	printf '%s\n' "$log" | grep -q "$MARK" || return 1
	printf '%s\n' "$log" | sed -n "/$MARK/,\$p"
}

[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
[ -r /proc/modules ] || skip_all "kernel without module support"
if [ -d /sys/module/$MODULE ] && ! loaded; then
	skip_all "$MODULE is built in: nothing to unload"
fi
if [ -n "${HWEVENT_KO:-}" ]; then
	[ -r "$HWEVENT_KO" ] || skip_all "HWEVENT_KO=$HWEVENT_KO: no such file"
elif ! loaded && ! modprobe -D "$MODULE" >/dev/null 2>&1; then
	skip_all "no $MODULE module: set HWEVENT_KO or install hwevent.ko (CONFIG_HWEVENT)"
fi
if loaded && ! rmmod "$MODULE" 2>/dev/null; then
	skip_all "$MODULE is in use: cannot start from an unloaded module"
fi

tap_plan
echo "$MARK" >/dev/kmsg 2>/dev/null

# 1
desc="load: $DEV appears, a character device of mode 0600"
if load && [ "$(stat -c %a "$DEV")" = 600 ]; then
	ok "$desc"
else
	not_ok "$desc"
fi

# 1b: the second device of the module, the KMDF echo sample's. Its data
# outlives every file: after a fresh load there is none, and a read (one
# tick, 100 ms by default) returns 0 bytes.
desc="load: $ECHO appears too, mode 0600; a read before any write returns 0 bytes"
if [ -c "$ECHO" ] && [ "$(stat -c %a "$ECHO")" = 600 ] &&
   n=$(head -c 16 "$ECHO" | wc -c) && [ "$n" -eq 0 ]; then
	ok "$desc"
else
	diag "$ECHO: $(ls -l "$ECHO" 2>&1); read ${n:-nothing}"
	not_ok "$desc"
fi

# 2
desc="max_pending is 1024 after load"
val=$(cat "$PARAM" 2>/dev/null)
if [ "$val" = 1024 ]; then
	ok "$desc"
else
	diag "$PARAM: '$val'"
	not_ok "$desc"
fi

# refused NODE: with NODE open, the module has a reference (the file's
# fops.owner), rmmod is refused, and the module and NODE stay.
refused() {
	(
		exec 3<>"$1" || exit 1
		n=$(refcnt)
		[ "${n:-0}" -ge 1 ] || { diag "refcnt '$n' with $1 open"; exit 1; }
		if rmmod "$MODULE" 2>/dev/null; then
			diag "rmmod succeeded"
			exit 1
		fi
		loaded && [ -c "$1" ]
	)
}

# 3: the open file holds a reference to the module (fops.owner).
check "rmmod is refused while $DEV is open" refused "$DEV"
# Should it have been unloaded anyway, the tests below still need it.
loaded || load

# 3b: the same through /dev/hwecho, whose fops.owner is the module too.
check "rmmod is refused while $ECHO is open" refused "$ECHO"
loaded || load

# 4
desc="rmmod succeeds once $DEV is closed; $DEV and $ECHO go away"
if unload && ! loaded && node_disappears && [ ! -e "$ECHO" ]; then
	ok "$desc"
else
	not_ok "$desc"
fi

# 5
desc="reload"
if load; then
	ok "$desc"
else
	not_ok "$desc"
fi

# 6: timers and bottom halves still running when the last file is closed
# must be gone by the time release returns, or rmmod frees their code.
desc="rmmod right after a burst of registrations, $ROUNDS times"
if [ ! -x "$BURST" ]; then
	skip "$desc" "no $BURST"
else
	round=0
	while [ $round -lt $ROUNDS ]; do
		round=$((round + 1))
		loaded || load || break
		if ! "$BURST" 200; then
			diag "round $round: hwevent_burst failed"
			break
		fi
		if ! unload; then
			diag "round $round: rmmod failed"
			break
		fi
		if ! load; then
			diag "round $round: insmod failed"
			break
		fi
		round_ok=$round
	done
	if [ "${round_ok:-0}" -eq $ROUNDS ]; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
fi

# 7: event.exe installed and started event.sys through the SCM when it
# could not open the device, and removed it at exit; so does the CLI.
desc="the CLI loads the module when $DEV is missing and unloads it at exit"
if [ -z "${HWEVENT_KO:-}" ] || [ -z "$CLI" ]; then
	skip "$desc" "needs HWEVENT_KO and the hwevent program"
else
	loaded && unload
	out=$("$CLI" --module "$HWEVENT_KO" -n 1 0 0 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && ! loaded && [ ! -e "$DEV" ] &&
	   printf '%s\n' "$out" | grep -q "loaded $HWEVENT_KO; it will be unloaded at exit" &&
	   printf '%s\n' "$out" | grep -q '^event 1: ' &&
	   printf '%s\n' "$out" | grep -q "unloaded module $MODULE"; then
		ok "$desc"
	else
		diag "exit $rc, module $(loaded && echo loaded || echo not loaded); output:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		not_ok "$desc"
	fi
	loaded || load
fi

# 8: the header's default, a queue of 64 records per open file, checked
# on a fresh load: the tests before may have changed the parameters.
desc="queue_size is 64 after load"
loaded && unload
if load && val=$(cat "$PARAMS/queue_size") && [ "$val" = 64 ]; then
	ok "$desc"
else
	diag "$PARAMS/queue_size: '${val:-}'"
	not_ok "$desc"
fi

# params_are DESC VALUES NAME...: the module's parameters NAME..., read in
# turn, hold VALUES (each followed by a space).
params_are() {
	desc=$1
	want=$2
	shift 2
	val=$(cd "$PARAMS" 2>/dev/null && cat "$@" 2>/dev/null | tr '\n' ' ')
	if [ "$val" = "$want" ]; then
		ok "$desc"
	else
		diag "$(echo "$*" | sed 's/ /, /g'): '$val'"
		not_ok "$desc"
	fi
}

# 8b: /dev/hwecho's parameters, the defaults the uAPI header names.
params_are "echo_period_us is 100000 and echo_max_write 40960 after load" \
	"100000 40960 " echo_period_us echo_max_write

# 9: the test-only parameters change nothing at their defaults.
params_are "test_bh_delay_us is 0 and test_count_unit 1 after load" \
	"0 1 " test_bh_delay_us test_count_unit

# 10: the bottom half by default is the tasklet (a DPC), on every kernel.
desc="bottom_half is tasklet after a load without parameters"
loaded && unload
if load "" && val=$(cat "$PARAMS/bottom_half") && [ "$val" = tasklet ]; then
	ok "$desc"
else
	diag "$PARAMS/bottom_half: '${val:-}'"
	not_ok "$desc"
fi

# param_write VALUE: write bottom_half; its status, and the shell's
# complaint in $err.
param_write() {
	err=$( (echo "$1" >"$PARAMS/bottom_half") 2>&1)
}

# 11
desc="bottom_half: an unknown value is refused with EINVAL and changes nothing"
if ! param_write dpc && case $err in *"Invalid argument"*) true ;; *) false ;; esac &&
   [ "$(cat "$PARAMS/bottom_half")" = tasklet ]; then
	ok "$desc"
else
	diag "writing dpc: '$err'; bottom_half now '$(cat "$PARAMS/bottom_half")'"
	not_ok "$desc"
fi

# 12: thread on every kernel; bh_work where the kernel has BH workqueues
# (system_bh_wq, 6.9), else refused with EINVAL and a message. Whether the
# kernel has them: its symbols, or without kallsyms its version.
have_bh_wq() {
	if grep -q . /proc/kallsyms 2>/dev/null; then
		grep -qE ' (__ksymtab_)?system_bh_wq$' /proc/kallsyms
		return
	fi
	v=$(uname -r)
	major=${v%%.*}
	minor=${v#*.}
	minor=${minor%%[!0-9]*}
	[ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 9 ]; }
}
if have_bh_wq; then
	desc="bottom_half: thread and bh_work are accepted (the kernel has system_bh_wq)"
	if param_write thread && [ "$(cat "$PARAMS/bottom_half")" = thread ] &&
	   param_write bh_work && [ "$(cat "$PARAMS/bottom_half")" = bh_work ]; then
		ok "$desc"
	else
		diag "bottom_half now '$(cat "$PARAMS/bottom_half")'; last write: '$err'"
		not_ok "$desc"
	fi
else
	desc="bottom_half: thread is accepted; bh_work is refused with EINVAL and a message (no system_bh_wq)"
	mark="hwevent_module.sh: bh_work $$"
	echo "$mark" >/dev/kmsg 2>/dev/null
	if param_write thread && [ "$(cat "$PARAMS/bottom_half")" = thread ] &&
	   ! param_write bh_work && case $err in *"Invalid argument"*) true ;; *) false ;; esac &&
	   [ "$(cat "$PARAMS/bottom_half")" = thread ] &&
	   dmesg | sed -n "/$mark/,\$p" | grep -q 'bottom_half=bh_work needs BH workqueues'; then
		ok "$desc"
	else
		diag "bottom_half now '$(cat "$PARAMS/bottom_half")'; last write: '$err'"
		dmesg | tail -n 5 | sed 's/^/# /'
		not_ok "$desc"
	fi
fi

# 13
desc="insmod with an unknown bottom_half fails, and loads nothing"
if [ -z "${HWEVENT_KO:-}" ]; then
	skip "$desc" "needs HWEVENT_KO"
else
	loaded && unload
	if ! insmod "$HWEVENT_KO" bottom_half=dpc 2>/dev/null && ! loaded; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
	loaded || load
fi

# 14
desc="no kernel warnings"
if ! log=$(log_since_mark); then
	skip "$desc" "cannot read the kernel log"
elif printf '%s\n' "$log" | grep -qE "$TROUBLE"; then
	printf '%s\n' "$log" | tail -n 60 | sed 's/^/# /'
	not_ok "$desc"
else
	ok "$desc"
fi

# Leave the module loaded for the tests that follow.
loaded || load || diag "could not reload $MODULE"

tap_exit
