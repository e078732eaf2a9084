#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwecho_cli.sh - the hwecho command-line program against /dev/hwecho.
#
# The program is $HWECHO_CLI if set, else hwecho on $PATH. Needs
# /dev/hwecho, so root and the module loaded; POSIX sh (busybox ash or
# bash). Sets the module parameter echo_period_us to 5 ms for the tests
# (and echo_max_write for one), and restores both at the end. Prints TAP
# and exits 0 if every test passed, 1 if one failed, 4 (skip) without the
# program or the device.

set -u

# shellcheck source=selftests/hwevent_lib.sh
. "$(dirname "$0")/hwevent_lib.sh"

DEV=/dev/hwecho
PARAMS=/sys/module/hwevent/parameters
# The tick period for the tests, in us: 40 requests take about 0.2 s.
PERIOD_US=5000
# Bounds a run that should take a second or two.
LIMIT=60
PLAN=21

need_cli hwecho HWECHO_CLI
need_device "$DEV" "hwevent.ko (CONFIG_HWEVENT), a version with the echo device"
if [ ! -w "$PARAMS/echo_period_us" ] || [ ! -w "$PARAMS/echo_max_write" ]; then
	skip_all "cannot set $PARAMS/echo_period_us and echo_max_write: run as root"
fi

tmp=$(mktemp -d) || exit $KSFT_FAIL
saved_period=$(cat "$PARAMS/echo_period_us")
saved_max=$(cat "$PARAMS/echo_max_write")
# shellcheck disable=SC2317 # run by the EXIT trap
restore() {
	echo "$saved_period" >"$PARAMS/echo_period_us"
	echo "$saved_max" >"$PARAMS/echo_max_write"
	rm -rf "$tmp"
}
trap restore EXIT
echo "$PERIOD_US" >"$PARAMS/echo_period_us" || exit $KSFT_FAIL

# count PATTERN: the lines of $tmp/out that match PATTERN (grep -E).
count() {
	grep -Ec -e "$1" "$tmp/out"
}

# none_queued: no request is left in the device's queue (true without
# debugfs), within a second: a file io_uring held may be released just
# after the program exits.
none_queued() {
	tries=0
	while :; do
		queued=$(stat_value echo_queued)
		[ -z "$queued" ] || [ "$queued" -eq 0 ] && return 0
		[ $tries -ge 20 ] && break
		sleep 0.05
		tries=$((tries + 1))
	done
	diag "requests still queued: $queued"
	false
}

# What --json may print: an object of numbers and names.
JSON_VALUE='(-?[0-9]+|"[a-z]+")'
JSON_LINE="^\{\"[a-z_]+\":$JSON_VALUE(,\"[a-z_]+\":$JSON_VALUE)*\}\$"

# sync_text: echoapp without arguments: both sizes written, read back and
# verified, each step with its time.
sync_text() {
	desc="hwecho: 512 and 30720 pattern bytes written, read and verified, exit 0"
	run
	good=0
	if [ $rc -eq 0 ] &&
	   grep -Eq '^512 pattern bytes written in [0-9]+\.[0-9]{3} ms$' "$tmp/out" &&
	   grep -Eq '^512 pattern bytes read in [0-9]+\.[0-9]{3} ms$' "$tmp/out" &&
	   grep -Eq '^30720 pattern bytes written in [0-9.]+ ms$' "$tmp/out" &&
	   grep -Eq '^30720 pattern bytes read in [0-9.]+ ms$' "$tmp/out" &&
	   [ "$(count '^pattern verified$')" -eq 2 ] &&
	   grep -q '^hwecho: done: 512 and 30720 bytes written, read back and verified' "$tmp/out" &&
	   [ ! -s "$tmp/err" ] && none_queued; then
		good=1
	fi
	verdict "$desc" $good
}

# sync_json: the same steps as JSON objects, and nothing else on stdout.
sync_json() {
	desc="hwecho --json: six JSON objects on stdout, write, read, verify for each size, both verified"
	run --json
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 6 ] && every "$JSON_LINE" &&
		[ "$(count '"step":"write","size":512,"bytes":512,"time_ns":[0-9]+,')" -eq 1 ] &&
		[ "$(count '"step":"read","size":30720,"bytes":30720,"time_ns":[0-9]+,')" -eq 1 ] &&
		[ "$(count '"step":"verify",.*"result":"verified"')" -eq 2 ] &&
		grep -q '^hwecho: done' "$tmp/err" && good=1
	verdict "$desc" $good
}

# sync_too_large: a write above echo_max_write fails at once (EMSGSIZE).
sync_too_large() {
	desc="hwecho with echo_max_write 100: exit 1, the 512-byte write refused (EMSGSIZE)"
	echo 100 >"$PARAMS/echo_max_write"
	run
	echo "$saved_max" >"$PARAMS/echo_max_write"
	good=0
	[ $rc -eq 1 ] && grep -q 'write of 512 bytes failed: .*echo_max_write (100 bytes' "$tmp/err" &&
		! grep -q 'pattern bytes written' "$tmp/out" && none_queued &&
		good=1
	verdict "$desc" $good
}

# sync_sigint: Ctrl-C during a write that waits for a 3 s tick: exit 1 at
# once, the request taken out of the queue.
sync_sigint() {
	desc="hwecho, period 3 s, SIGINT during the first write: exit 1 at once, interrupted, nothing queued"
	before=$(stat_value echo_interrupted)
	echo 3000000 >"$PARAMS/echo_period_us"
	run_bg
	sleep 1		# into the write
	start=$(uptime_cs)
	kill -INT "$pid"
	reap
	end=$(uptime_cs)
	echo "$PERIOD_US" >"$PARAMS/echo_period_us"
	quick 100 SIGINT
	fast=$?
	good=0
	[ $rc -eq 1 ] && grep -q 'interrupted by SIGINT before the test ended' "$tmp/err" &&
		! grep -q 'pattern bytes written' "$tmp/out" && [ $fast -eq 0 ] &&
		grew_by echo_interrupted 1 && none_queued && good=1
	verdict "$desc" $good
}

# async_count: echoapp -Async 20 with a count: 40 completions, 20 writes
# and 20 reads, every read verified (each follows a write in the queue),
# at least a tick each, nothing left in the queue.
async_count() {
	desc="hwecho --async 20 -n 40: exit 0, 20 writes and 20 reads, all verified, summary counts, a tick each"
	run --async 20 -n 40
	good=0
	summary='^hwecho: done after 40 requests \(count reached\): 20 writes of [0-9]+ bytes, 20 reads of [0-9]+ bytes \(20 verified\), 0 errors in [0-9.]+ ms'
	if [ $rc -eq 0 ] &&
	   grep -q '20 writes and 20 reads in flight at once' "$tmp/out" &&
	   [ "$(count '^write [0-9]+: [0-9]+ bytes written in [0-9.]+ ms$')" -eq 20 ] &&
	   [ "$(count "^read [0-9]+: [0-9]+ bytes, write [0-9]+'s, verified, in [0-9.]+ ms\$")" -eq 20 ] &&
	   [ "$(grep '^write ' "$tmp/out" | cut -d: -f1 | sort -u | wc -l)" -eq 20 ] &&
	   grep -Eq "$summary" "$tmp/out" &&
	   ! grep -q cancelled "$tmp/out" && [ ! -s "$tmp/err" ] &&
	   none_queued; then
		good=1
	fi
	# With debugfs: the ticks the summary counts, one at least per request.
	ticks=$(sed -n 's/.* \([0-9]*\) ticks (echo_ticks)$/\1/p' "$tmp/out")
	if [ -r "$STATS" ] && { [ -z "$ticks" ] || [ "$ticks" -lt 40 ]; }; then
		diag "ticks: '$ticks', fewer than the 40 requests"
		good=0
	fi
	verdict "$desc" $good
}

# async_json: one JSON object per completion, and nothing else on stdout;
# each read names the write whose data it returned.
async_json() {
	desc="hwecho --async 4 -n 8 --json: 8 JSON objects, 4 writes and 4 verified reads, each read naming its write"
	run --async 4 -n 8 --json
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 8 ] && every "$JSON_LINE" &&
		[ "$(count '^\{"request":[1-8],"op":"write","number":[1-4],"bytes":[0-9]+,"latency_ns":[0-9]+,"result":"written"\}$')" -eq 4 ] &&
		[ "$(count '^\{"request":[1-8],"op":"read","number":[1-4],"bytes":[0-9]+,"latency_ns":[0-9]+,"result":"verified","write":[1-4]\}$')" -eq 4 ] &&
		[ "$(sed 's/{"request":\([0-9]*\),.*/\1/' "$tmp/out" | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 " ] &&
		grep -q 'done after 8 requests (count reached)' "$tmp/err" &&
		none_queued && good=1
	verdict "$desc" $good
}

# async_small_writes: the writes shrink to echo_max_write.
async_small_writes() {
	desc="hwecho --async 2 -n 6 with echo_max_write 1000: writes of 500 to 1000 bytes, reads verified"
	echo 1000 >"$PARAMS/echo_max_write"
	run --async 2 -n 6 --json
	echo "$saved_max" >"$PARAMS/echo_max_write"
	good=0
	[ $rc -eq 0 ] && grep -q 'writes of 500 to 1000 bytes' "$tmp/err" &&
		[ "$(count '"op":"read",.*"result":"verified"')" -eq 3 ] &&
		sed -n 's/.*"op":"write",.*"bytes":\([0-9]*\),.*/\1/p' "$tmp/out" |
			awk '$1 < 500 || $1 > 1000 { bad = 1 } END { exit bad || NR != 3 }' &&
		good=1
	verdict "$desc" $good
}

# async_stops HOW: SIGINT, or q on stdin, during --async 10 (no count):
# exit 0 at once, the 20 requests in flight cancelled and counted, nothing
# left in the queue.
async_stops() {
	how=$1
	desc="hwecho --async 10 --json, $how once it runs: exit 0 at once, the requests in flight cancelled and counted"
	quit_input "$how" || { not_ok "$desc: mkfifo"; return; }
	run_bg --async 10 --json
	input=
	wait_until 300 0.1 has_lines 10
	quit_reap "$how"
	quick 200 "$how"
	fast=$?
	good=0
	cancelled=$(sed -n 's/.*; cancelled \([0-9]*\) in flight$/\1/p' "$tmp/err")
	[ $rc -eq 0 ] && [ "$(lines)" -ge 10 ] && every "$JSON_LINE" &&
		grep -q "done after [0-9]* requests ($reason): .*, 0 errors in " "$tmp/err" &&
		[ -n "$cancelled" ] && [ "$cancelled" -ge 1 ] &&
		[ "$cancelled" -le 20 ] && [ $fast -eq 0 ] &&
		none_queued && good=1
	verdict "$desc" $good
}

# after_write: the last completion hwecho printed is a write's, and (with
# debugfs) the next write is already queued behind the read: two requests.
# shellcheck disable=SC2317 # called through wait_until
after_write() {
	tail -n 1 "$tmp/out" | grep -q '^write [0-9]*: ' &&
		{ [ ! -r "$STATS" ] || [ "$(stat_value echo_queued)" = 2 ]; }
}

# async_foreign: another program's write lands between one of ours and the
# read behind it: the read returns data no write of this run holds, and the
# program stops at once with exit 1, cancelling what is in flight. With
# --async 1, once a write completes the queue is [read, next write]; a
# write appended then sits between that next write and the next read. A
# tick of 1 s leaves time to see that state and append to it; each try
# waits for its foreign write and one more tick.
async_foreign() {
	desc="hwecho --async 1 while another program writes: exit 1, the foreign data caught, the rest cancelled"
	echo 1000000 >"$PARAMS/echo_period_us"
	run_bg --async 1
	writes=0
	while kill -0 "$pid" 2>/dev/null && [ $writes -lt 3 ]; do
		wait_until 250 0.02 after_write || break
		printf 'not hwecho data' >"$DEV"
		writes=$((writes + 1))
		sleep 1.5	# the read that returns it
	done
	kill -INT "$pid" 2>/dev/null	# never caught: it exits 0
	reap
	echo "$PERIOD_US" >"$PARAMS/echo_period_us"
	good=0
	[ $rc -eq 1 ] &&
		grep -q '^hwecho: read [0-9]*: 15 bytes that no write of this run holds' "$tmp/err" &&
		grep -q 'done after [0-9]* requests (error): .*, 1 error in ' "$tmp/out" &&
		none_queued && good=1
	diag "$writes foreign write(s)"
	verdict "$desc" $good
}

# missing_device: a device that is not there: exit 1, saying which.
missing_device() {
	desc="hwecho -d $tmp/none: exit 1, the missing device named"
	run -d "$tmp/none"
	good=0
	[ $rc -eq 1 ] && grep -qF "$tmp/none" "$tmp/err" && good=1
	verdict "$desc" $good
}

tap_plan

sync_text
sync_json
sync_too_large
sync_sigint
async_count
async_json
async_small_writes
async_stops SIGINT
async_stops q
async_foreign
help_names hwecho '--async [N]' '-n, --count' --json '-m, --module' \
	'-d, --device' '-h, --help'
missing_device
bad "hwecho --async 0" "--async '0'.*from 1 to 256" --async 0
bad "hwecho --async 257" "--async '257'.*from 1 to 256" --async 257
bad "hwecho --async=x" "--async 'x'" --async=x
bad "hwecho -n 5 (no --async)" '-n needs --async' -n 5
bad "hwecho --async -n 0" 'count must be at least 1' --async -n 0
bad "hwecho --async -n -1" "count '-1'" --async -n -1
bad "hwecho 512 (an argument)" "unexpected argument '512'" 512
bad "hwecho --bogus" "unrecognized option '--bogus'" --bogus
bad "hwecho -d (no path)" "option '-d' needs an argument" -d

tap_exit
