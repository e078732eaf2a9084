# SPDX-License-Identifier: GPL-2.0
#
# Plots of one hwevent-bench run (scripts/bench.sh):
#
#   gnuplot -e "datadir='DIR'; outdir='DIR'; subtitle='TEXT'" bench.gp
#
# reads DIR/latency-<path>.dat (each path's latencies in us, sorted) and
# DIR/throughput.dat (rate_hz, then delivered per second and missed for
# queue, eventfd and timerfd), and writes latency-cdf and throughput, each
# as PNG and SVG. timerfd, the baseline, is drawn dashed.

all = "pending eventfd-read eventfd-epoll queue-read queue-epoll uring-read uring-cmd timerfd-read timerfd-epoll"
latency(p) = sprintf("%s/latency-%s.dat", datadir, p)
# The paths this run measured: hwevent's solid, timerfd's dashed.
paths = ""
baselines = ""
do for [p in all] {
	if (system(sprintf("test -s '%s' && echo 1 || echo 0", latency(p))) + 0) {
		if (strstrt(p, "timerfd")) {
			baselines = baselines . " " . p
		} else {
			paths = paths . " " . p
		}
	}
}

set key bottom right
set grid
set logscale x
set xlabel "lateness: wake-up minus due time (us, log scale)"
set ylabel "fraction of samples"
set yrange [0:1]
set title "Notification latency, cumulative (timerfd dashed)\n" . subtitle

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size 1000,650 noenhanced
	} else {
		set terminal svg size 1000,650 noenhanced dynamic
	}
	set output sprintf("%s/latency-cdf.%s", outdir, fmt)
	plot for [p in paths] latency(p) using 1:(1) smooth cnormal \
		with lines lw 2 title p, \
	     for [p in baselines] latency(p) using 1:(1) smooth cnormal \
		with lines lw 2 dt 2 title p
	unset output
}

# Throughput: delivered per second against the rate asked for, and what
# went missing.
unset logscale x
unset title
set logscale xy
set autoscale xfix
set key top left
set xlabel "rate asked for (Hz)"
unset yrange
tp = datadir . "/throughput.dat"
do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size 1000,900 noenhanced
	} else {
		set terminal svg size 1000,900 noenhanced dynamic
	}
	set output sprintf("%s/throughput.%s", outdir, fmt)
	set multiplot layout 2,1 title "Periodic events: delivered and missed\n" . subtitle
	set ylabel "events delivered per second"
	plot tp using 1:2 with linespoints lw 2 title "queue (read, batched)", \
	     tp using 1:3 with linespoints lw 2 title "eventfd (counting)", \
	     tp using 1:4 with linespoints lw 2 dt 2 title "timerfd", \
	     tp using 1:1 with lines lc "gray" title "rate asked for"
	unset logscale y
	set yrange [0:*]
	set ylabel "events missed in the run"
	plot tp using 1:5 with linespoints lw 2 title "queue", \
	     tp using 1:6 with linespoints lw 2 title "eventfd", \
	     tp using 1:7 with linespoints lw 2 dt 2 title "timerfd"
	unset multiplot
	set logscale y
	unset yrange
	unset output
}
