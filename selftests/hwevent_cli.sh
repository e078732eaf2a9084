#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwevent_cli.sh - the hwevent command-line program against /dev/hwevent.
#
# The program is $HWEVENT_CLI if set, else hwevent on $PATH. Needs
# /dev/hwevent, so root and the module loaded; POSIX sh (busybox ash or
# bash). Prints TAP and exits 0 if every test passed, 1 if one failed,
# 4 (skip) without the program or the device.

set -u

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

DEV=/dev/hwevent
# Bounds a run that should take a fraction of a second.
LIMIT=60
PLAN=6

nr=0
failed=0

ok() {
	nr=$((nr + 1))
	echo "ok $nr $1"
}

not_ok() {
	nr=$((nr + 1))
	echo "not ok $nr $1"
	failed=1
}

diag() {
	echo "# $*"
}

skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $1"
	exit $KSFT_SKIP
}

CLI=${HWEVENT_CLI:-$(command -v hwevent)}
if [ -z "$CLI" ] || [ ! -x "$CLI" ]; then
	skip_all "no hwevent program: put it on PATH or set HWEVENT_CLI"
fi
[ -c "$DEV" ] || skip_all "no $DEV: load hwevent.ko (CONFIG_HWEVENT)"
if [ ! -r "$DEV" ] || [ ! -w "$DEV" ]; then
	skip_all "$DEV is mode 0600: run as root"
fi

tmp=$(mktemp -d) || exit $KSFT_FAIL
trap 'rm -rf "$tmp"' EXIT

# run ARGS...: runs the program, stdin from /dev/null, output in
# $tmp/out and $tmp/err; sets $rc.
run() {
	if command -v timeout >/dev/null; then
		timeout "$LIMIT" "$CLI" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	else
		"$CLI" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
}

show_output() {
	sed 's/^/# stdout: /' "$tmp/out"
	sed 's/^/# stderr: /' "$tmp/err"
}

# events MODE: three events 50 ms apart in MODE; exactly three reported.
events() {
	desc="hwevent 0.05 $1 -n 3: exit 0, events 1 to 3 and no more"
	run 0.05 "$1" -n 3
	if [ $rc -eq 0 ] &&
	   grep -q '^event 1:' "$tmp/out" &&
	   grep -q '^event 2:' "$tmp/out" &&
	   grep -q '^event 3:' "$tmp/out" &&
	   ! grep -q '^event 4:' "$tmp/out"; then
		ok "$desc"
	else
		diag "exit status $rc"
		show_output
		not_ok "$desc"
	fi
}

# bad DESC ARGS...: bad usage fails, with a message on stderr.
bad() {
	desc="$1: exit non-zero, message on stderr"
	shift
	run "$@"
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ -s "$tmp/err" ]; then
		ok "$desc"
	else
		diag "exit status $rc"
		show_output
		not_ok "$desc"
	fi
}

echo "TAP version 13"
echo "1..$PLAN"

events 0
events 1
bad "no arguments"
bad "hwevent x 0 (delay not a number)" x 0
bad "hwevent 1 7 (unknown mode)" 1 7
bad "hwevent -- -1 0 (negative delay)" -- -1 0

[ $nr -eq $PLAN ] || { diag "ran $nr tests of $PLAN"; failed=1; }
[ $failed -eq 0 ] && exit $KSFT_PASS
exit $KSFT_FAIL
