#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwevent_samples.sh - the programs of samples/, one test case each: each
# runs against /dev/hwevent or /dev/hwecho, exits 0, prints nothing on
# stderr and on stdout the result it promises.
#
# The samples are in the directory $HWEVENT_SAMPLES (make check stages
# them in /hwevent/samples and sets it); without it the test skips, but a
# sample missing from it fails its case. Needs root and the module loaded;
# POSIX sh (busybox ash or bash). Prints TAP and exits 0 if every case
# passed, 1 if one failed, 4 (skip) without the directory or the devices.

set -u

# shellcheck source=selftests/hwevent_lib.sh
. "$(dirname "$0")/hwevent_lib.sh"

# Bounds a sample that takes a second at most.
LIMIT=30
PLAN=7

SAMPLES=${HWEVENT_SAMPLES:-}
[ -n "$SAMPLES" ] || skip_all "HWEVENT_SAMPLES is not set: the directory of the built samples/"
need_device /dev/hwevent "hwevent.ko (CONFIG_HWEVENT)"
need_device /dev/hwecho "hwevent.ko (CONFIG_HWEVENT), a version with the echo device"

tmp=$(mktemp -d) || exit $KSFT_FAIL
trap 'rm -rf "$tmp"' EXIT
tap_plan

# sample NAME DESC: runs $SAMPLES/NAME (run: $tmp/out, $rc); false, with a
# not ok, if the program is not there.
sample() {
	CLI=$SAMPLES/$1
	if [ ! -x "$CLI" ]; then
		not_ok "$2 (no program $CLI)"
		return 1
	fi
	run
}

# done_ok DESC GOOD: GOOD (1) only with exit 0 and nothing on stderr.
done_ok() {
	good=$2
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] || good=0
	verdict "$1" "$good"
}

# once PATTERN: exactly one line of $tmp/out matches PATTERN (grep -E).
once() {
	[ "$(grep -Ec -e "$1" "$tmp/out")" -eq 1 ]
}

desc="samples/pending: the ioctl returns the event's record: id 1, cookie 42"
if sample pending "$desc"; then
	good=0
	[ "$(lines)" -eq 1 ] &&
		once '^pending: event [0-9]+, id 1, cookie 42, [0-9]+ us late$' && good=1
	done_ok "$desc" $good
fi

desc="samples/eventfd: the eventfd is signalled once (count 1), not before the 100 ms delay"
if sample eventfd "$desc"; then
	good=0
	ms=$(sed -En 's/^eventfd: registration 1 signalled the eventfd, count 1, after ([0-9]+) ms$/\1/p' "$tmp/out")
	[ "$(lines)" -eq 1 ] && [ -n "$ms" ] && [ "$ms" -ge 100 ] && good=1
	done_ok "$desc" $good
fi

desc="samples/queue_read: read(2) returns the records of registrations 1, 2 and 3, with their cookies"
if sample queue_read "$desc"; then
	good=0
	[ "$(lines)" -eq 4 ] &&
		once '^queue_read: event [0-9]+, id 1, cookie 10, [0-9]+ us late$' &&
		once '^queue_read: event [0-9]+, id 2, cookie 20, [0-9]+ us late$' &&
		once '^queue_read: event [0-9]+, id 3, cookie 30, [0-9]+ us late$' &&
		once '^queue_read: 3 records read$' && good=1
	done_ok "$desc" $good
fi

desc="samples/queue_epoll: epoll, then 5 records of a periodic registration, seqno increasing; cancelled"
if sample queue_epoll "$desc"; then
	good=0
	[ "$(lines)" -eq 6 ] &&
		[ "$(grep -Ec '^queue_epoll: event [0-9]+, overruns [0-9]+$' "$tmp/out")" -eq 5 ] &&
		awk '/^queue_epoll: event/ { s = $3 + 0; if (s <= last) exit 1; last = s }' "$tmp/out" &&
		once '^queue_epoll: 5 records, registration 1 cancelled$' && good=1
	done_ok "$desc" $good
fi

# As in hwevent_cli.sh: io_uring commands need a module with uring.o
# (5.19 and later); scripts/matrix.sh accepts this skip there.
desc="samples/uring_cmd: 3 io_uring commands, completed on the ring in the order of their events: 3, 2, 1"
if ! grep -qw hwevent_uring_cmd /proc/kallsyms 2>/dev/null; then
	skip "$desc" "no io_uring commands: hwevent.ko has no hwevent_uring_cmd (no ->uring_cmd before 5.19)"
elif sample uring_cmd "$desc"; then
	good=0
	[ "$(lines)" -eq 3 ] &&
		once '^uring_cmd: request 1 completed: event [0-9]+$' &&
		once '^uring_cmd: request 2 completed: event [0-9]+$' &&
		once '^uring_cmd: request 3 completed: event [0-9]+$' &&
		[ "$(sed -n 's/^uring_cmd: request \([0-9]\) .*/\1/p' "$tmp/out" | tr -d '\n')" = 321 ] &&
		good=1
	done_ok "$desc" $good
fi

desc="samples/edu: an event from the edu PCI device, with its DMA word"
if sample edu "$desc"; then
	good=0
	[ "$(lines)" -eq 1 ] &&
		once '^edu: event [0-9]+ from the device, DMA word 0xed[0-9a-f]{6}, handler [0-9]+ us after due$' &&
		good=1
	done_ok "$desc" $good
fi

desc="samples/echo: one write to /dev/hwecho, one read returns the same 13 bytes"
if sample echo "$desc"; then
	good=0
	[ "$(lines)" -eq 1 ] &&
		once '^echo: wrote 13 bytes, read back "Hello, hwecho"$' && good=1
	done_ok "$desc" $good
fi

tap_exit
