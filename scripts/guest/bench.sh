#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the benchmark VM (make bench): load hwevent.ko, measure the
# machine's own timer wake-up latency with cyclictest, run hwevent-bench
# with $HWEVENT_BENCH_ARGS, and print every result file on the console
# between "hwevent-bench-file: NAME" and "hwevent-bench-end" lines, for
# scripts/bench.sh to collect. Exits with hwevent-bench's status.

KO=${HWEVENT_KO:-/hwevent/hwevent.ko}
OUT=/tmp/bench
SECS=${HWEVENT_CYCLICTEST_SECONDS:-10}

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

uname -r >"$OUT/kernel.txt"
for f in "$OUT"/*.json "$OUT"/*.md "$OUT"/*.txt "$OUT"/data/*; do
	[ -f "$f" ] && emit "$f"
done
rmmod hwevent || rc=1
exit $rc
