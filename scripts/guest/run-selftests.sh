#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the check VM (busybox sh): load hwevent.ko, run the lab's
# commands ($HWEVENT_LAB, make check only: see scripts/lab.sh), the kselftests
# the way the kernel's run_kselftest.sh does, once per bottom half (below),
# then the phases (below), unload the module, and, with HWEVENT_KMEMLEAK=1,
# have kmemleak scan for leaks.
#
# Bottom halves: the suite runs once for each bottom half the module takes
# on this kernel (tasklet, bh_work where the kernel has system_bh_wq,
# thread: the module parameter bottom_half), or for those named in
# $HWEVENT_BOTTOM_HALVES. Each pass reloads the module with bottom_half=B and
# exports HWEVENT_MODULE_PARAMS=bottom_half=B, which the tests that reload
# the module load it with; its results are told apart by their collection,
# "bottom_half=B/drivers/misc/hwevent" (the runner names the collection
# after the directory it runs in: /kselftest/bottom_half=B is a link to
# /kselftest), and each pass's cases count. The 32-bit programs (*_32)
# run in the first pass only: the compat path they test is the same
# whatever the bottom half. The phases run once per bottom
# half in $HWEVENT_PHASE_BOTTOM_HALVES (default tasklet), as
# "selftests: phases (bottom_half=B): <command>".
# Host-side checks are printed as "hwevent-check: ok - <what>" /
# "hwevent-check: not ok - <what>" lines, which scripts/check.sh counts with
# the KTAP results.
#
# Phases (make check-debug, make check-rt): $HWEVENT_PHASES names a file of
# commands, one a line, run in order by sh in $HWEVENT_TESTS (the installed
# tests, also put first on PATH) with the module loaded. A line may start
# with "bottom_half=B" (run only in the phases' pass with bottom half B),
# then "timeout=SECS" (default 900); "#" lines
# and blank lines are ignored. The output is the kselftest runner's: each
# command's output prefixed with "# " under "# selftests: phases: <command>",
# then "ok N selftests: phases: <command>" (exit 0), "... # SKIP" (exit 4, or
# the program is not installed) or "not ok N ..." (other exit, or timeout).

# shellcheck disable=SC2317 # functions run through check "$@"

KO=${HWEVENT_KO:-/hwevent/hwevent.ko}
KSFT=/kselftest
TESTS=${HWEVENT_TESTS:-$KSFT/drivers/misc/hwevent}
KMEMLEAK=/sys/kernel/debug/kmemleak
BHP=/sys/module/hwevent/parameters/bottom_half
TIMEOUT=timeout
[ -x /usr/bin/timeout ] && TIMEOUT=/usr/bin/timeout
rc=0

check() {
	what=$1
	shift
	if "$@"; then
		echo "hwevent-check: ok - $what"
	else
		echo "hwevent-check: not ok - $what"
		rc=1
	fi
}

loaded() {
	grep -q '^hwevent ' /proc/modules
}

# The module tests reload it: it must still be there, and leave cleanly.
unload() {
	loaded && rmmod hwevent && ! loaded && [ ! -e /dev/hwevent ]
}

kmsg() {
	[ -w /dev/kmsg ] && echo "hwevent-check: $*" >/dev/kmsg
}

# run_phases FILE BOTTOM-HALF
run_phases() {
	list=/tmp/hwevent-phases
	# "bottom_half=B" first: only in the pass of bottom half B.
	grep -Ev '^[[:space:]]*(#|$)' "$1" |
		sed -E -e "s/^bottom_half=$2[[:space:]]+//" -e '/^bottom_half=/d' >"$list"
	echo "TAP version 13"
	echo "1..$(grep -c . "$list")"
	n=0
	while read -r first rest <&3; do
		n=$((n + 1))
		secs=900
		case $first in
		timeout=*)
			secs=${first#timeout=}
			cmd=$rest
			;;
		*) cmd="$first${rest:+ $rest}" ;;
		esac
		hdr="selftests: phases (bottom_half=$2): $cmd"
		echo "# $hdr"
		prog=${cmd%% *}
		if ! PATH=$TESTS:$PATH command -v "$prog" >/dev/null; then
			echo "ok $n $hdr # SKIP $prog is not installed"
			continue
		fi
		kmsg "phase $n (bottom_half=$2): $cmd"
		# As the kselftest runner: coreutils' timeout by its path (busybox
		# sh prefers its own applet, which exits 143, not 124), the exit
		# status through a file, the output prefixed.
		# No status file from an earlier phase may stand in for this
		# one's: a phase whose shell died without writing one failed.
		rcfile=/tmp/hwevent-phase.rc
		rm -f "$rcfile"
		(
			cd "$TESTS" || exit 1
			PATH=$TESTS:$PATH $TIMEOUT -k 10 "$secs" sh -c "$cmd" </dev/null 2>&1
			echo $? >"$rcfile"
		) | sed 's/^/# /'
		prc=$(cat "$rcfile" 2>/dev/null)
		case $prc in
		0) echo "ok $n $hdr" ;;
		4) echo "ok $n $hdr # SKIP" ;;
		124 | 137) echo "not ok $n $hdr # TIMEOUT $secs seconds" ;;
		"") echo "not ok $n $hdr # no exit status (the phase's shell died)" ;;
		*) echo "not ok $n $hdr # exit=$prc" ;;
		esac
	done 3<"$list"
}

# Two scans, as Documentation/dev-tools/kmemleak.rst advises (an object is
# reported once it is older than 5 s and unreferenced); every object left is
# printed and fails the check.
kmemleak_scan() {
	echo scan >"$KMEMLEAK" || return 1
	sleep 6
	echo scan >"$KMEMLEAK" || return 1
	leaks=$(cat "$KMEMLEAK")
	[ -z "$leaks" ] && return 0
	echo "# kmemleak: $(echo "$leaks" | grep -c '^unreferenced object') unreferenced object(s):"
	echo "$leaks" | sed 's/^/#   /'
	return 1
}

# What kmemleak would report from before the tests (the boot) is not the
# module's: shown, then cleared, so that the final scan judges the run.
kmemleak_baseline() {
	echo scan >"$KMEMLEAK" || return 1
	before=$(grep -c '^unreferenced object' "$KMEMLEAK")
	echo "# kmemleak: $before object(s) suspected before hwevent was loaded (cleared)"
	[ "$before" = 0 ] || sed 's/^/#   /' "$KMEMLEAK"
	echo clear >"$KMEMLEAK"
}

if [ "${HWEVENT_KMEMLEAK:-0}" = 1 ]; then
	kmsg "kmemleak: baseline scan"
	check "kmemleak is on ($KMEMLEAK)" kmemleak_baseline
fi

kmsg "loading $KO"
check "module loads ($KO)" insmod "$KO"

# The lab (make check): its commands, in one shell, as make shell leaves
# the guest; the host compares what they print with docs/lab.md.
if [ -n "${HWEVENT_LAB:-}" ]; then
	kmsg "running the lab, $HWEVENT_LAB"
	(cd / && sh "$HWEVENT_LAB" </dev/null 2>&1) | sed 's/^/hwevent-lab: /'
	cd / || exit 1
fi

# The bottom halves this module takes on this kernel: those it accepts.
# (hwevent_module.sh checks that it accepts bh_work exactly where the kernel
# has system_bh_wq.)
# $HWEVENT_BOTTOM_HALVES names them outright (each must load);
# $HWEVENT_BOTTOM_HALVES_AMONG keeps the detection but looks only among
# those named (CI's matrix: "tasklet bh_work", said below).
bottom_halves=${HWEVENT_BOTTOM_HALVES:-}
among=${HWEVENT_BOTTOM_HALVES_AMONG:-tasklet bh_work thread}
if [ -z "$bottom_halves" ]; then
	for bh in $among; do
		if (echo "$bh" >"$BHP") 2>/dev/null; then
			bottom_halves="$bottom_halves $bh"
		fi
	done
	echo tasklet >"$BHP"
fi
echo "# bottom halves: $bottom_halves${HWEVENT_BOTTOM_HALVES_AMONG:+ (looked only among: $among)}"

# with_bottom_half BH: reload the module with bottom_half=BH, for a pass.
with_bottom_half() {
	HWEVENT_MODULE_PARAMS="bottom_half=$1"
	export HWEVENT_MODULE_PARAMS
	kmsg "reloading with $HWEVENT_MODULE_PARAMS"
	{ ! loaded || rmmod hwevent; } && insmod "$KO" "$HWEVENT_MODULE_PARAMS" &&
		[ "$(cat "$BHP")" = "$1" ]
}

# As run_kselftest.sh: source the runner from the install root, then run each
# collection's tests from its directory, here once per bottom half, from
# /kselftest/bottom_half=B/<collection>.
cd "$KSFT" || exit 1
BASE_DIR=$KSFT
export BASE_DIR
# shellcheck source=/dev/null # the kernel's, staged by scripts/lib/stage.sh
. ./kselftest/runner.sh
available=$(cat kselftest-list.txt)
first_bh=
for bh in $bottom_halves; do
	check "module loads with bottom_half=$bh" with_bottom_half "$bh"
	ln -sfn . "bottom_half=$bh"
	for collection in $(echo "$available" | cut -d: -f1 | uniq); do
		tests=$(echo "$available" | grep "^$collection:" | cut -d: -f2)
		# The 32-bit programs test the compat ioctl path, which no
		# bottom half changes: the first pass runs them, once per
		# kernel image (CI's time, issue 14).
		if [ -n "$first_bh" ]; then
			echo "# $(echo "$tests" | grep '_32$' | tr '\n' ' ')ran in the bottom_half=$first_bh pass only"
			tests=$(echo "$tests" | grep -v '_32$')
		fi
		kmsg "running tests in $collection, bottom_half=$bh"
		# shellcheck disable=SC2086 # one word per test
		(cd "bottom_half=$bh/$collection" && run_many $tests)
	done
	first_bh=${first_bh:-$bh}
done
cd /

if [ -n "${HWEVENT_PHASES:-}" ]; then
	for bh in ${HWEVENT_PHASE_BOTTOM_HALVES:-tasklet}; do
		check "module loads with bottom_half=$bh for the phases" with_bottom_half "$bh"
		kmsg "running the phases in $HWEVENT_PHASES, bottom_half=$bh"
		run_phases "$HWEVENT_PHASES" "$bh"
	done
fi

kmsg "unloading hwevent"
check "module unloads at the end" unload

# Loading an out-of-tree (O, 4096), unsigned (E, 8192) module taints the
# kernel; any other taint (W after a warning, D after an oops, ...) is a
# bug, even one whose message the kernel log check would miss.
taint_only_module() {
	taint=$(cat /proc/sys/kernel/tainted) || return 1
	echo "# kernel taint: $taint"
	[ $((taint & ~(4096 | 8192))) = 0 ]
}
check "kernel taint is only the out-of-tree module's" taint_only_module
if [ "${HWEVENT_KMEMLEAK:-0}" = 1 ]; then
	kmsg "kmemleak: scanning after rmmod"
	check "kmemleak finds no unreferenced object after rmmod" kmemleak_scan
fi
kmsg "done"
exit $rc
