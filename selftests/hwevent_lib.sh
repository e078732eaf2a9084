# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# hwevent_lib.sh - what the shell tests share. Not a test: each sources it
# from its own directory, where lib.mk installs it (TEST_FILES):
#
#   . "$(dirname "$0")/hwevent_lib.sh"
#
# POSIX sh (busybox ash or bash), as the tests.
#
# TAP and kselftest's exit codes: ok, not_ok, skip, diag, check, result;
# skip_all before the plan; tap_plan prints it ($PLAN tests), tap_exit
# ends the test.
#
# Running a command-line program ($CLI: need_cli) on its device
# (need_device) with its output in $tmp/out and $tmp/err, as
# hwevent_cli.sh and hwecho_cli.sh do: run, run_bg and reap, send_q,
# quit_input and quit_reap, wait_until, verdict, show_output, lines,
# has_lines, every; the cases both have (help_names, bad); the driver's
# debugfs counters (stat_value, grew_by) and the time (uptime_cs, quick).
# They use the test's $CLI, $tmp and $LIMIT.

# Set here, used by the tests; set by the tests, used here.
# shellcheck disable=SC2034,SC2154
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

# Results so far, and whether one failed.
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

# skip DESC REASON: a case this kernel cannot run.
skip() {
	nr=$((nr + 1))
	echo "ok $nr $1 # SKIP $2"
}

diag() {
	echo "# $*"
}

# check DESC COMMAND...: one result from the command's status.
check() {
	what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what"
	fi
}

# result STATUS DESC: ok if STATUS is 0.
result() {
	if [ "$1" -eq 0 ]; then
		ok "$2"
	else
		not_ok "$2"
	fi
}

# skip_all REASON: the test cannot run here: an empty plan, exit 4.
skip_all() {
	echo "TAP version 13"
	echo "1..0 # SKIP $1"
	exit $KSFT_SKIP
}

# tap_plan: the TAP header, for $PLAN tests.
tap_plan() {
	echo "TAP version 13"
	echo "1..$PLAN"
}

# tap_exit: exit 0 if all $PLAN tests ran and passed, else 1.
tap_exit() {
	[ $nr -eq "$PLAN" ] || { diag "ran $nr tests of $PLAN"; failed=1; }
	[ $failed -eq 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

# ---- Running a command-line program ----

# need_cli PROGRAM VAR: CLI is $VAR if set, else PROGRAM on $PATH;
# without it, the test skips.
need_cli() {
	eval "CLI=\${$2:-}"
	[ -n "$CLI" ] || CLI=$(command -v "$1")
	if [ -z "$CLI" ] || [ ! -x "$CLI" ]; then
		skip_all "no $1 program: put it on PATH or set $2"
	fi
}

# need_device DEV WHAT: DEV is there, and ours to read and write; else
# the test skips, saying to load WHAT.
need_device() {
	[ -c "$1" ] || skip_all "no $1: load $2"
	if [ ! -r "$1" ] || [ ! -w "$1" ]; then
		skip_all "$1 is mode 0600: run as root"
	fi
}

# run ARGS...: runs the program, stdin from $input (default /dev/null),
# output in $tmp/out and $tmp/err; sets $rc.
run() {
	if command -v timeout >/dev/null; then
		timeout "$LIMIT" "$CLI" "$@" <"${input:-/dev/null}" \
			>"$tmp/out" 2>"$tmp/err"
	else
		"$CLI" "$@" <"${input:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
}

# run_bg ARGS...: starts the program as run does, in the background: its
# $pid, killed after $LIMIT s should it hang, unless reap comes first.
run_bg() {
	"$CLI" "$@" <"${input:-/dev/null}" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	{ sleep "$LIMIT"; kill -KILL "$pid"; } >/dev/null 2>&1 &
	watchdog=$!
}

# reap: waits for the program run_bg started; sets $rc.
reap() {
	wait "$pid"
	rc=$?
	kill "$watchdog" 2>/dev/null
}

# send_q: $tmp/in, a FIFO on which q comes after 1 s, from $writer.
# Fails if the FIFO cannot be made.
send_q() {
	rm -f "$tmp/in"
	mkfifo "$tmp/in" || return
	{ sleep 1; echo q; } >"$tmp/in" &
	writer=$!
}

# quit_input HOW: the program is to be stopped by HOW, q or SIGINT:
# $reason, as its summary says it, and for q, $input (see run): send_q's
# FIFO. Fails if the FIFO cannot be made.
quit_input() {
	input=
	if [ "$1" = q ]; then
		reason="key pressed"
		send_q && input=$tmp/in
	else
		reason=SIGINT
	fi
}

# quit_reap HOW: stops the program run_bg started, as quit_input set up:
# q comes on its stdin, or SIGINT now; reaps it, $start and $end the
# time from the stop to its exit (uptime_cs).
quit_reap() {
	if [ "$1" = q ]; then
		wait "$writer"
	else
		kill -INT "$pid"
	fi
	start=$(uptime_cs)
	reap
	end=$(uptime_cs)
}

# wait_until TRIES SECONDS COMMAND...: runs COMMAND until it succeeds,
# SECONDS apart, at most TRIES + 1 times; $tries: the pauses it took.
wait_until() {
	max=$1
	pause=$2
	shift 2
	tries=0
	until "$@" || [ $tries -ge "$max" ]; do
		sleep "$pause"
		tries=$((tries + 1))
	done
}

show_output() {
	sed 's/^/# stdout: /' "$tmp/out"
	sed 's/^/# stderr: /' "$tmp/err"
}

# verdict DESC GOOD: ok if GOOD is 1, else the exit status, the output
# and not ok.
verdict() {
	if [ "$2" = 1 ]; then
		ok "$1"
	else
		diag "exit status $rc"
		show_output
		not_ok "$1"
	fi
}

lines() {
	wc -l <"$tmp/out"
}

# has_lines N: $tmp/out has N lines or more.
has_lines() {
	[ "$(lines)" -ge "$1" ]
}

# every PATTERN: each line of $tmp/out holds PATTERN (grep -E).
every() {
	! grep -Evq -e "$1" "$tmp/out"
}

# help_names PROGRAM OPTION...: PROGRAM --help exits 0 and names every
# OPTION, each at the start of its line of the list.
help_names() {
	desc="$1 --help: exit 0, names every option"
	shift
	run --help
	good=0
	[ $rc -eq 0 ] && good=1
	for opt in "$@"; do
		grep -qF -e "  $opt " "$tmp/out" ||
			{ diag "no $opt"; good=0; }
	done
	verdict "$desc" $good
}

# bad DESC PATTERN ARGS...: bad usage exits 2, with a message on stderr
# that matches PATTERN (grep -E), and nothing on stdout.
bad() {
	desc="$1: exit 2, message on stderr"
	pattern=$2
	shift 2
	run "$@"
	good=0
	[ $rc -eq 2 ] && grep -Eq -e "$pattern" "$tmp/err" &&
		[ ! -s "$tmp/out" ] && good=1
	verdict "$desc" $good
}

# The driver's debugfs counter NAME, or nothing without debugfs.
STATS=/sys/kernel/debug/hwevent/stats
stat_value() {
	[ -r "$STATS" ] && awk -v n="$1" '$1 == n { print $2 }' "$STATS"
}

# grew_by NAME N: the counter NAME is N more than $before, its value
# before (true without debugfs, where $before is empty).
grew_by() {
	[ -z "$before" ] || [ "$(stat_value "$1")" = $((before + $2)) ]
}

# The time since boot in hundredths of a second.
uptime_cs() {
	awk '{ printf "%d\n", $1 * 100 }' /proc/uptime
}

# quick CS WHAT: the program ended ($end) within CS hundredths of a second
# of WHAT ($start); if not, says when it did.
quick() {
	[ $((end - start)) -lt "$1" ] && return
	diag "exit $((end - start))0 ms after the $2"
	false
}
