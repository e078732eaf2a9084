#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the benchmark VM (make bench): load hwevent.ko, measure the
# machine's own timer wake-up latency with cyclictest, run hwevent-bench
# with $HWEVENT_BENCH_ARGS, then its latency section once per bottom half
# the module takes here (bh-<kind>.json), and print every result file on the console
# between "hwevent-bench-file: NAME" and "hwevent-bench-end" lines, for
# scripts/bench.sh to collect. Exits with hwevent-bench's status.

KO=${HWEVENT_KO:-/hwevent/hwevent.ko}
OUT=/tmp/bench
SECS=${HWEVENT_CYCLICTEST_SECONDS:-10}
BHP=/sys/module/hwevent/parameters/bottom_half

emit() {
	echo "hwevent-bench-file: $(basename "$1")"
	cat "$1"
	echo "hwevent-bench-end"
}

mkdir -p "$OUT/data" || exit 1
insmod "$KO" || exit 1

# One measuring thread per CPU, at the same interval, SCHED_FIFO 80, memory
# locked: the latency of an hrtimer waking a real-time thread, here.
echo "hwevent-bench: cyclictest for $SECS s"
cyclictest -q -m -a -d 0 -i 1000 -p 80 -t "$(grep -c ^processor /proc/cpuinfo)" \
	-D "$SECS" --json="$OUT/cyclictest.json" >"$OUT/cyclictest.txt" 2>&1
echo "cyclictest exit $?" >>"$OUT/cyclictest.txt"

echo "hwevent-bench: hwevent-bench $HWEVENT_BENCH_ARGS"
# shellcheck disable=SC2086 # the arguments, one word each
hwevent-bench $HWEVENT_BENCH_ARGS --json "$OUT/bench.json" \
	--markdown "$OUT/bench.md" --data "$OUT/data"
rc=$?

# The three bottom halves side by side: the paths that deliver (pending,
# eventfd read, queue read) with each bottom half the module takes on this
# kernel, each run beside its own timerfd-read, the paths in turns. Files
# opened after bottom_half is written get that bottom half.
for bh in tasklet bh_work thread; do
	if ! (echo "$bh" >"$BHP") 2>/dev/null; then
		echo "hwevent-bench: bottom_half=$bh: not on this kernel"
		continue
	fi
	echo "hwevent-bench: latency with bottom_half=$bh"
	hwevent-bench --only latency --paths pending,eventfd-read,queue-read \
		--samples "${HWEVENT_BENCH_BH_SAMPLES:-1000}" \
		--json "$OUT/bh-$bh.json" >/dev/null || rc=1
done
echo tasklet >"$BHP" || rc=1

uname -r >"$OUT/kernel.txt"
for f in "$OUT"/*.json "$OUT"/*.md "$OUT"/*.txt "$OUT"/data/*; do
	[ -f "$f" ] && emit "$f"
done
rmmod hwevent || rc=1
exit $rc
