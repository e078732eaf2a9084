#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: hwevent's notification paths against the kernel's timerfd,
# measured in the test VM (the same kernel and runner as make check).
#
#   scripts/bench.sh [--publish]
#
# Builds as make check does, boots the VM with hwevent-bench and Debian's
# cyclictest (rt-tests), runs cyclictest (the machine's own timer wake-up
# latency, HWEVENT_CYCLICTEST_SECONDS, default 10) and hwevent-bench with
# $HWEVENT_BENCH_ARGS (default: its full run), and collects, under
# build/bench/<date>/ (build/bench/latest links the newest):
#   bench.json, bench.md   hwevent-bench's results (see hwevent-bench --help)
#   bh-<kind>.json         its latency section again with each bottom half
#                          the kernel has (tasklet, bh_work, thread)
#   cyclictest.txt/.json   cyclictest's summary
#   results.md             where and when, cyclictest, and bench.md
#   latency-cdf.png/.svg   latency CDFs per path, timerfd dashed
#   throughput.png/.svg    delivered and missed per rate
#   data/                  the plots' data
#   console.log, kernel.log
# Fails if the run fails, a result file is missing or the guest kernel log
# shows a report (a soft lockup included).
#
# --publish copies results.md, bench.json and the plots to docs/perf/ and
# puts the tables into docs/performance.md, between its markers.
set -euo pipefail

# shellcheck source=scripts/lib/stage.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/stage.sh"

publish=0
case ${1:-} in
"") ;;
--publish) publish=1 ;;
*)
	echo "usage: $0 [--publish]" >&2
	exit 2
	;;
esac

"$ROOT/scripts/deps.sh" bench
stage_pick_kernel
stage_build
stage_tree

stamp=$(date -u +%Y%m%d-%H%M%S)
out=$ROOT/build/bench/$stamp
mkdir -p "$out/data"
ln -sfn "$stamp" "$ROOT/build/bench/latest"
mem=${HWEVENT_BENCH_MEM:-1024}
cpus=2

echo "hwevent-bench: results in $out"
rc=0
stage_vm_run --kernel-log "$out/kernel.log" --mem "$mem" --smp "$cpus" \
	--timeout "${HWEVENT_BENCH_TIMEOUT:-2400}" \
	--env HWEVENT_BENCH_ARGS="${HWEVENT_BENCH_ARGS:-}" \
	--env HWEVENT_CYCLICTEST_SECONDS="${HWEVENT_CYCLICTEST_SECONDS:-10}" \
	-- /hwevent/bench.sh | tee "$out/console.log" || rc=$?

# The files the guest printed between its markers.
awk -v out="$out" '
	{ sub(/\r$/, "") }
	/^hwevent-bench-file: / {
		name = $2
		file = out "/" (name ~ /^(latency-.*|throughput)\.dat$/ ? "data/" : "") name
		printf "" >file
		next
	}
	/^hwevent-bench-end$/ { close(file); file = ""; next }
	file != "" { print >file }
' "$out/console.log"

"$ROOT/scripts/klog-check" "$out/kernel.log" || rc=1
for f in bench.json bench.md cyclictest.txt data/throughput.dat bh-tasklet.json bh-thread.json; do
	if [[ ! -s $out/$f ]]; then
		echo "hwevent-bench: no $f from the guest" >&2
		rc=1
	fi
done
if ((rc != 0)); then
	echo "hwevent-bench: failed (console: $out/console.log, kernel log: $out/kernel.log)" >&2
	exit 1
fi

# The bottom halves side by side, from bh-<kind>.json: one row per path and
# bottom half, with that run's own timerfd-read.
bottom_halves_table() {
	local kind f
	echo
	echo "# The three bottom halves side by side"
	echo
	echo "The latency section again, once per bottom half the kernel has (module parameter"
	echo "\`bottom_half\`, set before the files are opened), ${HWEVENT_BENCH_BH_SAMPLES:-1000} samples per path,"
	echo "the paths in turns with that run's own timerfd-read; in µs. due→delivery is how"
	echo "late the program woke (the *latency* above), irq→bh the records' interrupt to"
	echo "bottom half (the eventfd path has no record)."
	echo
	echo "| bottom half | runs in | path | due→delivery p50 | p99 | p50 ratio to timerfd-read | irq→bh p50 |"
	echo "| --- | --- | --- | --: | --: | --: | --: |"
	for kind in tasklet bh_work thread; do
		f=$out/bh-$kind.json
		[[ -s $f ]] || continue
		awk -v kind="$kind" '
			function num(key,    v) {
				if (!match($0, "\"" key "\":[-0-9.]+"))
					return ""
				v = substr($0, RSTART, RLENGTH)
				sub(/^[^:]*:/, "", v)
				return v
			}
			function us(v) { return v == "" ? "-" : sprintf("%.1f", v / 1000) }
			/"path":"/ {
				path = $0
				sub(/.*"path":"/, "", path)
				sub(/".*/, "", path)
				ratio = num("ratio_p50")
				printf "| %s | %s | %s | %s | %s | %s | %s |\n", kind,
					(kind == "thread" ? "kworker (process)" : "softirq"), path,
					us(num("p50_ns")), us(num("p99_ns")),
					(ratio == "" ? "-" : sprintf("%.2f", ratio)), us(num("bh_p50_ns"))
			}' "$f"
	done
}

kernel=$(cat "$out/kernel.txt")
host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
gnuplot -e "datadir='$out/data'; outdir='$out'; subtitle='$kernel, QEMU TCG $cpus vCPUs on $host_cpu'" \
	"$ROOT/scripts/lib/bench.gp"

{
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`make bench\` (\`scripts/bench.sh\`):"
	echo "Debian kernel $kernel in QEMU, software emulation (TCG), $cpus vCPUs, $mem MiB,"
	echo "on a host with $(nproc) CPUs ($host_cpu)."
	echo "hwevent-bench ${HWEVENT_BENCH_ARGS:-(full run)}."
	echo
	echo "# The machine's own timer wake-up latency: cyclictest"
	echo
	echo "One SCHED_FIFO thread per vCPU, 1 ms interval, ${HWEVENT_CYCLICTEST_SECONDS:-10} s (\`cyclictest -q -m -a -d 0 -i 1000 -p 80\`):"
	echo
	echo "| thread | cycles | min (us) | avg (us) | max (us) |"
	echo "| --- | --- | --- | --- | --- |"
	awk '/^T:/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "C:") c = $(i + 1)
			if ($i == "Min:") mn = $(i + 1)
			if ($i == "Avg:") av = $(i + 1)
			if ($i == "Max:") mx = $(i + 1)
		}
		printf "| %s | %s | %s | %s | %s |\n", $2, c, mn, av, mx
	}' "$out/cyclictest.txt"
	echo
	cat "$out/bench.md"
	bottom_halves_table
} >"$out/results.md"
echo "hwevent-bench: $out/results.md"

if ((publish)); then
	dest=$ROOT/docs/perf
	doc=$ROOT/docs/performance.md
	mkdir -p "$dest"
	cp "$out"/{results.md,bench.json,latency-cdf.png,latency-cdf.svg,throughput.png,throughput.svg} "$dest/"
	# The tables go between the document's markers, its headings one
	# level down; the text around them is written by hand.
	awk -v results="$dest/results.md" '
		/^<!-- bench results: begin/ {
			print
			while ((getline line <results) > 0) {
				if (line ~ /^#/)
					line = "##" line
				print line
			}
			skip = 1
			next
		}
		/^<!-- bench results: end/ { skip = 0 }
		!skip
	' "$doc" >"$doc.new"
	mv "$doc.new" "$doc"
	echo "hwevent-bench: published to $dest and $doc"
fi
