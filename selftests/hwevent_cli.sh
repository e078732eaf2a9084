#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwevent_cli.sh - the hwevent command-line program against /dev/hwevent.
#
# The program is $HWEVENT_CLI if set, else hwevent on $PATH. Needs
# /dev/hwevent, so root and the module loaded; POSIX sh (busybox ash or
# bash). Prints TAP and exits 0 if every test passed, 1 if one failed,
# 4 (skip) without the program or the device. The --uring cases skip, each
# saying why, when the module has no io_uring commands (before 5.19).

set -u

# shellcheck source=selftests/hwevent_lib.sh
. "$(dirname "$0")/hwevent_lib.sh"

DEV=/dev/hwevent
# Bounds a run that should take a second or two.
LIMIT=60
PLAN=55

need_cli hwevent HWEVENT_CLI
need_device "$DEV" "hwevent.ko (CONFIG_HWEVENT)"

tmp=$(mktemp -d) || exit $KSFT_FAIL
trap 'rm -rf "$tmp"' EXIT

# field KEY: the numbers after "KEY": in $tmp/out, one a line.
field() {
	sed -n "s/.*\"$1\":\([0-9-]*\).*/\1/p" "$tmp/out"
}

# none_live: no registration is left on the device (true without
# debugfs).
none_live() {
	live=$(stat_value live)
	[ -z "$live" ] || [ "$live" -eq 0 ] || { diag "live registrations: $live"; false; }
}

# increasing: the numbers on stdin, one a line, grow strictly.
increasing() {
	awk 'NR > 1 && $1 <= prev { bad = 1 } { prev = $1 } END { exit bad }'
}

# events MODE [ARGS...]: three events 50 ms apart in MODE; exactly three
# reported; with --poll or --epoll, the banner names it.
events() {
	mode=$1
	shift
	desc="hwevent 0.05 $mode -n 3${*:+ $*}: exit 0, events 1 to 3 and no more"
	run 0.05 "$mode" -n 3 "$@"
	good=0
	case " $* " in
	*" --poll "*) method="poll(2)" ;;
	*" --epoll "*) method="epoll_wait(2)" ;;
	*) method="" ;;
	esac
	if [ $rc -eq 0 ] &&
	   grep -q '^event 1:' "$tmp/out" &&
	   grep -q '^event 2:' "$tmp/out" &&
	   grep -q '^event 3:' "$tmp/out" &&
	   ! grep -q '^event 4:' "$tmp/out" &&
	   { [ -z "$method" ] ||
	     grep -qF "waiting in $method" "$tmp/out"; }; then
		good=1
	fi
	verdict "$desc" $good
}

# key_quits OPTION MODE: with --poll or --epoll, q on stdin ends a 30 s
# wait at once (a blocking read would see it only after the event).
key_quits() {
	desc="hwevent 30 $2 $1, q on stdin after 1 s: exit 0 before the event"
	send_q || { not_ok "$desc: mkfifo"; return; }
	input=$tmp/in
	run 30 "$2" "$1"
	input=
	wait
	good=0
	[ $rc -eq 0 ] &&
		grep -q 'done after 0 events (key pressed)' "$tmp/out" &&
		good=1
	verdict "$desc" $good
}

# periodic MODE: one registration, three events a period apart (in mode 2
# the records' due times; in both modes at least delay + 2 periods in
# all), then cancelled.
periodic() {
	desc="hwevent 0.05 $1 --period 0.2 -n 3 --json: 3 events of one registration a period apart, then cancelled"
	before=$(stat_value cancelled)
	start=$(uptime_cs)
	run 0.05 "$1" --period 0.2 -n 3 --json
	end=$(uptime_cs)
	good=0
	# /proc/uptime counts in 10 ms: 0.45 s may show as 0.44.
	if [ $rc -eq 0 ] && [ "$(lines)" -eq 3 ] &&
	   [ $((end - start)) -ge 44 ] &&
	   [ "$(field id | sort -u | wc -l)" -eq 1 ] &&
	   every '"flags":\[[^]]*"periodic"' &&
	   { [ "$1" != 2 ] || field due_ns | awk -v p=200000000 '
		NR > 1 && $1 - prev < p { bad = 1 }
		{ prev = $1 }
		END { exit bad }'; } &&
	   grew_by cancelled 1; then
		good=1
	fi
	[ -n "$before" ] || diag "no $STATS: the cancel is not checked"
	verdict "$desc" $good
}

# sigterm_ends_read: SIGTERM ends a blocking read(2) at once, exit 0, and
# the periodic registration is cancelled.
sigterm_ends_read() {
	desc="hwevent 3600 2 --period 1, SIGTERM while it reads: exit 0 at once, registration cancelled"
	before=$(stat_value cancelled)
	run_bg 3600 2 --period 1
	wait_until 30 1 grep -q '^hwevent: queue mode' "$tmp/out"
	sleep 1		# into the read
	kill -TERM "$pid"
	reap
	good=0
	[ $rc -eq 0 ] && grep -q 'done after 0 events (SIGTERM)' "$tmp/out" &&
		grew_by cancelled 1 && good=1
	verdict "$desc" $good
}

# stop_cont_pending: SIGSTOP, then SIGCONT (Ctrl-Z, then fg) while mode 0
# waits do not end the wait: it resumes, one event, no "registering
# again", nothing counted interrupted. The state T read while stopped shows
# that the stop came while the program waited.
stop_cont_pending() {
	desc="hwevent 2 0 -n 1, SIGSTOP then SIGCONT while it waits: the wait resumes, one event, nothing interrupted"
	before=$(stat_value interrupted)
	run_bg 2 0 -n 1 --json
	wait_until 300 0.1 grep -q 'pending-request mode' "$tmp/err"
	sleep 0.3	# into the ioctl
	kill -STOP "$pid"
	sleep 0.5
	state=$(sed 's/.*) //' "/proc/$pid/stat" | cut -c1)
	kill -CONT "$pid"
	reap
	good=0
	[ $rc -eq 0 ] && [ "$state" = T ] && [ "$(lines)" -eq 1 ] &&
		! grep -q 'interrupted' "$tmp/err" && grew_by interrupted 0 &&
		good=1
	[ "$state" = T ] || diag "state while stopped: '$state'"
	verdict "$desc" $good
}

# cookie_json MODE: the largest cookie, given in hex, comes back whole.
cookie_json() {
	desc="hwevent 0.05 $1 -n 2 --json --cookie 0xffffffffffffffff: echoed in every event"
	run 0.05 "$1" -n 2 --json --cookie 0xffffffffffffffff
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 2 ] &&
		every '"cookie":18446744073709551615[,}]' && good=1
	verdict "$desc" $good
}

cookie_text() {
	desc="hwevent 0.05 2 -n 1 --cookie 12345: the event line shows it"
	run 0.05 2 -n 1 --cookie 12345
	good=0
	[ $rc -eq 0 ] && grep -q '^event 1:.*, cookie 12345$' "$tmp/out" &&
		good=1
	verdict "$desc" $good
}

# What --json may print: an object of numbers, names and lists of names.
JSON_VALUE='(-?[0-9]+|"[a-z]+"|\[("[a-z0-9]+"(,"[a-z0-9]+")*)?\])'
JSON_LINE="^\{\"[a-z_]+\":$JSON_VALUE(,\"[a-z_]+\":$JSON_VALUE)*\}\$"

# json MODE NAME KEYS...: two lines on stdout, each a JSON object of mode
# NAME holding every KEY.
json() {
	mode=$1
	name=$2
	shift 2
	desc="hwevent 0.05 $mode -n 2 --json: two JSON objects and nothing else on stdout, with $*"
	run 0.05 "$mode" -n 2 --json
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 2 ] && every "$JSON_LINE" &&
		every "\"mode\":\"$name\"" && good=1
	for key; do
		every "[{,]\"$key\":" || { diag "no key $key"; good=0; }
	done
	verdict "$desc" $good
}

# trigger MODE: --trigger fires a one-hour registration at once.
trigger() {
	desc="hwevent 3600 $1 --trigger -n 1 --json: one triggered event, at once"
	run 3600 "$1" --trigger -n 1 --json
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 1 ] &&
		every '"flags":\[[^]]*"triggered"' && good=1
	verdict "$desc" $good
}

# edu MODE: --edu, the interrupt from the edu PCI device that every VM of
# the project has: the record says so (mode 1 has no record: one event).
edu() {
	desc="hwevent 0.05 $1 --edu -n 1 --json: one event, from the device"
	run 0.05 "$1" --edu -n 1 --json
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 1 ] && good=1
	if [ "$1" != 1 ] && ! every '"flags":\["device"\]'; then
		diag "no \"device\" flag"
		good=0
	fi
	verdict "$desc" $good
}

edu_text() {
	desc="hwevent 0.05 0 --edu -n 1: the event line says where it came from"
	run 0.05 0 --edu -n 1
	good=0
	[ $rc -eq 0 ] && grep -q '^event 1:.*, from the edu device$' "$tmp/out" &&
		good=1
	verdict "$desc" $good
}

# dma: --dma brings a word of the device's memory with each event.
dma() {
	desc="hwevent 0 2 --dma -n 2 --json: two events, each with the device's word"
	run 0 2 --dma -n 2 --json
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 2 ] &&
		every '"flags":\["device","dma"\]' && every '"data":[0-9]+' &&
		good=1
	verdict "$desc" $good
}

# The module takes io_uring commands (->uring_cmd, 5.19 and later) if it
# was built with uring.o, whose hwevent_uring_cmd is then in kallsyms.
# scripts/matrix.sh accepts these skips from a kernel without uring.o.
URING_SKIP="no io_uring commands: hwevent.ko has no hwevent_uring_cmd (no ->uring_cmd before 5.19)"
if grep -qw hwevent_uring_cmd /proc/kallsyms 2>/dev/null; then
	has_uring=1
else
	has_uring=0
fi
URING_KEYS="event mode command cookie seqno due_ns irq_ns wake_ns latency_ns flags"

# uring_support: --uring works where the module has io_uring commands,
# and elsewhere exits 1 saying so.
uring_support() {
	run 0 0 --uring 1 -n 1
	good=0
	if [ $has_uring = 1 ]; then
		desc="hwevent 0 0 --uring 1 -n 1, the module has io_uring commands: exit 0, one event"
		[ $rc -eq 0 ] && [ "$(grep -c '^event ' "$tmp/out")" -eq 1 ] &&
			good=1
	else
		desc="hwevent 0 0 --uring 1 -n 1, the module has no io_uring commands: exit 1, saying so"
		[ $rc -eq 1 ] && grep -q 'no io_uring commands' "$tmp/err" &&
			good=1
	fi
	verdict "$desc" $good
}

# uring_events: 8 completions of 4 commands in flight, each reported once,
# in seqno order, none early (no part of the lateness negative), none left.
uring_events() {
	desc="hwevent 0.05 0 --uring 4 -n 8: events 1 to 8, seq increasing, none early, no registration left"
	[ $has_uring = 1 ] || { skip "$desc" "$URING_SKIP"; return; }
	run 0.05 0 --uring 4 -n 8
	good=0
	if [ $rc -eq 0 ] &&
	   grep -q '4 at once as io_uring commands' "$tmp/out" &&
	   [ "$(grep -c '^event ' "$tmp/out")" -eq 8 ] &&
	   [ "$(grep '^event ' "$tmp/out" | cut -d: -f1 | uniq | wc -l)" -eq 8 ] &&
	   grep -q '^event 8: ' "$tmp/out" &&
	   grep '^event ' "$tmp/out" |
		sed 's/.*: seq \([0-9]*\),.*/\1/' | increasing &&
	   ! grep -Eq -e '-[0-9]+\.[0-9]+ ms' "$tmp/out" &&
	   grep -q 'done after 8 events (count reached); latency' "$tmp/out" &&
	   ! grep -q 'cancelled' "$tmp/out" && none_live; then
		good=1
	fi
	verdict "$desc" $good
}

# uring_json: the same as JSON objects of the mode's keys; latency_ns and
# irq_ns - due_ns never negative.
uring_json() {
	desc="hwevent 0.05 0 --uring 4 -n 8 --json: 8 JSON objects, mode uring, with $URING_KEYS; seqno increasing, none early"
	[ $has_uring = 1 ] || { skip "$desc" "$URING_SKIP"; return; }
	run 0.05 0 --uring 4 -n 8 --json
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 8 ] && every "$JSON_LINE" &&
		every '"mode":"uring"' && field seqno | increasing &&
		field latency_ns | awk '$1 < 0 { bad = 1 } END { exit bad }' &&
		sed 's/.*"due_ns":\([0-9]*\),"irq_ns":\([0-9]*\),.*/\1 \2/' \
			"$tmp/out" | awk '$2 < $1 { bad = 1 } END { exit bad }' &&
		none_live && good=1
	for key in $URING_KEYS; do
		every "[{,]\"$key\":" || { diag "no key $key"; good=0; }
	done
	verdict "$desc" $good
}

# uring_edu: --uring with --edu: each command fired by the device's
# interrupt (HWEVENT_URING_CMD_WAIT_DEVICE), none early.
uring_edu() {
	desc="hwevent 0.05 0 --uring 2 --edu -n 4 --json: 4 events, mode uring, from the device, none early"
	[ $has_uring = 1 ] || { skip "$desc" "$URING_SKIP"; return; }
	run 0.05 0 --uring 2 --edu -n 4 --json
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 4 ] && every '"mode":"uring"' &&
		every '"flags":\["device"\]' &&
		field latency_ns | awk '$1 < 0 { bad = 1 } END { exit bad }' &&
		none_live && good=1
	verdict "$desc" $good
}

# uring_stops HOW: SIGINT, or q on stdin, 1 s into a 10 s wait of 4
# commands: exit 0 at once, the 4 cancelled and counted, none left.
uring_stops() {
	how=$1
	desc="hwevent 10 0 --uring 4 --json, $how after 1 s: exit 0 at once, cancelled 4 pending, none left"
	[ $has_uring = 1 ] || { skip "$desc" "$URING_SKIP"; return; }
	before=$(stat_value cancelled)
	quit_input "$how" || { not_ok "$desc: mkfifo"; return; }
	run_bg 10 0 --uring 4 --json
	input=
	wait_until 300 0.1 grep -q 'io_uring commands' "$tmp/err"
	[ "$how" = q ] || sleep 1	# into the wait
	quit_reap "$how"
	quick 500 "$how"
	fast=$?
	good=0
	[ $rc -eq 0 ] && [ "$(lines)" -eq 0 ] &&
		grep -q "done after 0 events ($reason); cancelled 4 pending\$" "$tmp/err" &&
		[ $fast -eq 0 ] && grew_by cancelled 4 && none_live && good=1
	[ -n "$before" ] || diag "no $STATS: the cancel is not counted"
	verdict "$desc" $good
}

MODE0_KEYS="event id cookie seqno due_ns irq_ns bh_ns wake_ns latency_ns flags lost overruns"

tap_plan

events 0
events 1
events 2
events 1 --poll
events 2 --poll
events 1 --epoll
events 2 --epoll
key_quits --poll 1
key_quits --poll 2
key_quits --epoll 1
key_quits --epoll 2
periodic 1
periodic 2
sigterm_ends_read
stop_cont_pending
cookie_json 0
cookie_json 1
cookie_json 2
cookie_text
# shellcheck disable=SC2086 # a list of keys
json 0 pending $MODE0_KEYS
# shellcheck disable=SC2086
json 2 queue $MODE0_KEYS
json 1 eventfd event id cookie count due_ns wake_ns latency_ns flags
trigger 1
trigger 2
edu 0
edu 1
edu 2
edu_text
dma
uring_support
uring_events
uring_json
uring_edu
uring_stops SIGINT
uring_stops q
help_names hwevent '-n, --count' --period --cookie --poll --epoll --trigger \
	--edu --dma --uring --json '-m, --module' '-d, --device' '-h, --help'
bad "no arguments" 'missing'
bad "hwevent x 0 (delay not a number)" 'not a number' x 0
bad "hwevent 1 7 (unknown mode)" 'unknown notification type' 1 7
bad "hwevent -- -1 0 (negative delay)" 'negative' -- -1 0
bad "hwevent 1 0 --period 1 (no period in mode 0)" \
	'--period needs mode 1 or 2' 1 0 --period 1
bad "hwevent 1 0 --poll (nothing to poll in mode 0)" \
	'--poll needs mode 1 or 2' 1 0 --poll
bad "hwevent 1 0 --epoll (nothing to poll in mode 0)" \
	'--epoll needs mode 1 or 2' 1 0 --epoll
bad "hwevent 1 0 --trigger (mode 0 blocks)" \
	'--trigger needs mode 1 or 2' 1 0 --trigger
bad "hwevent 1 1 --poll --epoll" 'exclude each other' 1 1 --poll --epoll
bad "hwevent 1 2 --period 0.00001 (below 100 us)" \
	"period '0.00001' is too short" 1 2 --period 0.00001
bad "hwevent 1 2 --cookie -1" "cookie '-1'" 1 2 --cookie -1
bad "hwevent 1 2 --cookie 0x (no digits)" "cookie '0x'" 1 2 --cookie 0x
bad "hwevent 1 0 --uring 0" "--uring '0'.*from 1 to" 1 0 --uring 0
bad "hwevent 1 0 --uring 1025 (above the driver's max_pending)" \
	"--uring '1025'.*from 1 to 1024" 1 0 --uring 1025
bad "hwevent 1 2 --uring 4 (mode 0 only)" '--uring needs mode 0' \
	1 2 --uring 4
bad "hwevent 11 0 --uring 4 (a command waits at most 10 s)" \
	"delay '11' is too long for --uring" 11 0 --uring 4
bad "hwevent 1 0 --uring 4 --trigger" '--trigger does not go with --uring' \
	1 0 --uring 4 --trigger
bad "hwevent 1 0 --uring 4 --dma" '--dma does not go with --uring' \
	1 0 --uring 4 --dma
bad "hwevent 1 2 --edu --period 1" '--period does not go with --edu' \
	1 2 --edu --period 1

tap_exit
