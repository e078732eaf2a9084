#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwevent_failslab.sh - make the driver's allocations fail (failslab) and
# check that it fails cleanly: the right errno, nothing leaked, nothing
# signalled, and the module working again once injection is off.
#
# Needs root, /dev/hwevent, CONFIG_FAULT_INJECTION, CONFIG_FAILSLAB and
# CONFIG_FAULT_INJECTION_DEBUG_FS (the debug kernel of make check-debug;
# not Debian's), debugfs at /sys/kernel/debug, and hwevent_failslab_helper
# beside this script ($HWEVENT_FAILSLAB_HELPER overrides). Otherwise it
# skips (exit 4). POSIX sh (busybox ash or bash). Prints TAP; exits 0 if
# every test passed, 1 if one failed.
#
# failslab is set to fail every slab allocation (probability 100, interval
# 1, times -1, space 0), but only in tasks that ask for it (task-filter Y,
# /proc/<pid>/make-it-fail), including sleeping GFP_KERNEL ones
# (ignore-gfp-wait N), without messages (verbose 0, also for the other
# fail* attributes, which the fail-nth sweeps may trigger); the helper
# sets make-it-fail around the one call under test. Every setting is
# restored at the end, also on a signal.

set -u

# shellcheck source=selftests/hwevent_lib.sh
. "$(dirname "$0")/hwevent_lib.sh"

DEV=/dev/hwevent
DEBUGFS=/sys/kernel/debug
FAILSLAB=$DEBUGFS/failslab
STATS=$DEBUGFS/hwevent/stats
REFCNT=/sys/module/hwevent/refcnt
HELPER=${HWEVENT_FAILSLAB_HELPER:-$(dirname "$0")/hwevent_failslab_helper}
SETTINGS="task-filter probability interval times space verbose ignore-gfp-wait cache-filter"
PLAN=8
SAVED=""

[ "$(id -u)" -eq 0 ] || skip_all "must be run as root"
[ -c "$DEV" ] || skip_all "no $DEV: load hwevent.ko"
[ -d "$FAILSLAB" ] ||
	skip_all "no $FAILSLAB: needs CONFIG_FAILSLAB and CONFIG_FAULT_INJECTION_DEBUG_FS (and debugfs mounted)"
[ -e /proc/self/make-it-fail ] ||
	skip_all "no /proc/self/make-it-fail: needs CONFIG_FAULT_INJECTION"
[ -r "$STATS" ] || skip_all "cannot read $STATS"
[ -r "$REFCNT" ] || skip_all "cannot read $REFCNT: hwevent is not a loadable module"
[ -x "$HELPER" ] || skip_all "no $HELPER"

# "name value" from the driver's debugfs counters.
counter() {
	awk -v n="$1" '$1 == n { print $2 }' "$STATS"
}

# The counters that must not move across a failed call.
snapshot() {
	echo "live=$(counter live) eventfd_refs=$(counter eventfd_refs) armed=$(counter armed) refcnt=$(cat "$REFCNT")"
}

# Every fail* attribute directory's verbose, and failslab's settings, as
# "path=value" words; restore() writes them back.
save() {
	for f in "$DEBUGFS"/fail*/verbose; do
		[ -w "$f" ] && SAVED="$SAVED $f=$(cat "$f")"
	done
	for s in $SETTINGS; do
		[ -w "$FAILSLAB/$s" ] && SAVED="$SAVED $FAILSLAB/$s=$(cat "$FAILSLAB/$s")"
	done
}

restore() {
	# Injection off first: probability 0 stops it whatever the rest says.
	[ -w "$FAILSLAB/probability" ] && echo 0 >"$FAILSLAB/probability"
	for kv in $SAVED; do
		echo "${kv#*=}" >"${kv%%=*}" 2>/dev/null ||
			diag "could not restore ${kv%%=*}"
	done
}

restored() {
	for kv in $SAVED; do
		[ "$(cat "${kv%%=*}")" = "${kv#*=}" ] || {
			diag "${kv%%=*} is '$(cat "${kv%%=*}")', was '${kv#*=}'"
			return 1
		}
	done
}

set_failslab() {
	echo "$2" >"$FAILSLAB/$1" 2>/dev/null || {
		diag "cannot set $FAILSLAB/$1 to $2"
		return 1
	}
}

save
trap 'restore; exit 130' INT TERM
trap restore EXIT

tap_plan

setup_ok=1
for f in "$DEBUGFS"/fail*/verbose; do
	[ -w "$f" ] && echo 0 >"$f"
done
set_failslab task-filter Y || setup_ok=0
set_failslab ignore-gfp-wait N || setup_ok=0
set_failslab interval 1 || setup_ok=0
set_failslab times -1 || setup_ok=0
set_failslab space 0 || setup_ok=0
set_failslab verbose 0 || setup_ok=0
[ ! -w "$FAILSLAB/cache-filter" ] || set_failslab cache-filter N || setup_ok=0
set_failslab probability 100 || setup_ok=0
[ $setup_ok -eq 1 ] || diag "failslab could not be set up: the tests below will fail"

# 1, 2: the registration's kmem_cache_zalloc() fails; the eventfd
# reference, taken after it, must not be left behind.
for mode in eventfd pending; do
	before=$(snapshot)
	"$HELPER" register "$mode"
	rc=$?
	after=$(snapshot)
	if [ "$before" != "$after" ]; then
		diag "before: $before"
		diag "after:  $after"
		rc=1
	fi
	result $rc "register ($mode) fails with ENOMEM; nothing armed, kept or signalled"
done

# 3: open() fails (some allocation on its way, perhaps not the driver's);
# the module reference open took must be put back.
before=$(snapshot)
"$HELPER" open
rc=$?
after=$(snapshot)
if [ "$before" != "$after" ]; then
	diag "before: $before"
	diag "after:  $after"
	rc=1
fi
result $rc "open fails with ENOMEM; the module reference is put back"

# 4-6: fail each fault point in turn (fail-nth): one of open()'s is the
# driver's kzalloc(), one of the ioctl's its kmem_cache_zalloc().
out=$("$HELPER" sweep-open)
rc=$?
printf '%s\n' "$out" | grep -v '^# point [0-9]* failed: ' | grep '^#'
open_points=$(printf '%s\n' "$out" | sed -n 's/^# open: \([0-9]*\) fault points.*/\1/p')
result $rc "every fault point of open(): ENOMEM or EFAULT, refcount and counters unchanged (${open_points:-?} points)"

reg_points=""
for mode in eventfd pending; do
	out=$("$HELPER" sweep-register "$mode")
	rc=$?
	printf '%s\n' "$out" | grep -v '^# point [0-9]* failed: ' | grep '^#'
	points=$(printf '%s\n' "$out" | sed -n 's/^# register: \([0-9]*\) fault points.*/\1/p')
	reg_points="$reg_points${reg_points:+,}${points:-?}"
	result $rc "every fault point of REGISTER ($mode): ENOMEM or EFAULT, nothing kept or signalled (${points:-?} points)"
done

# 7: injection off, everything works again.
restore
"$HELPER" fire
result $? "with injection off, registrations fire again"

# 8
restored
result $? "failslab settings restored"

diag "figures: open_points=${open_points:-?} register_points=$reg_points"

tap_exit
