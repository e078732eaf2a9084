#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwevent_bench.sh - the benchmark program in its short mode: it runs every
# section (latency of each path against timerfd, throughput, scale,
# fan-out) and its numbers are sane: positive, percentiles in order,
# ratios computed, every registration fired. It asserts no timing target:
# make bench measures; this only proves the measuring works. A path the
# kernel lacks (uring-cmd, io_uring commands, before 5.19) is a "# SKIP"
# line with the reason: never a pass (check.sh fails a skipped check;
# make matrix explains it on a kernel whose module has no uring.o).
#
# The program is $HWEVENT_BENCH if set, else hwevent-bench on $PATH. Needs
# root and the module loaded. hwevent-bench --check prints the TAP; exits
# 4 (skip) without the program or the device.

KSFT_SKIP=4

BENCH=${HWEVENT_BENCH:-$(command -v hwevent-bench)}
if [ -z "$BENCH" ] || [ ! -x "$BENCH" ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP no hwevent-bench: put it on PATH or set HWEVENT_BENCH"
	exit $KSFT_SKIP
fi
if [ ! -c /dev/hwevent ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP no /dev/hwevent: load hwevent.ko"
	exit $KSFT_SKIP
fi
exec "$BENCH" --short --check
