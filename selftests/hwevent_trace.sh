#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwevent_trace.sh - the module's trace events (module/trace.h), read from
# tracefs while the hwevent program makes registrations end each way:
# fired (pending mode), triggered, cancelled, interrupted by a signal, and
# dropped when a killed program's file is released; the path of an event
# whose interrupt comes from the edu PCI device; and that an open file
# keeps the bottom half (module parameter bottom_half) it was opened with.
#
# Needs root, the module loaded, tracefs and the hwevent program
# ($HWEVENT_CLI, else on $PATH). Prints TAP; exits 0 if every test passed,
# 1 if one failed, 4 (skip) without what it needs.

# shellcheck disable=SC2317 # functions run through trap and check

set -u

# shellcheck source=selftests/hwevent_lib.sh
. "$(dirname "$0")/hwevent_lib.sh"

PLAN=14

need_cli hwevent HWEVENT_CLI
[ -c /dev/hwevent ] || skip_all "no /dev/hwevent: load hwevent.ko"
T=/sys/kernel/tracing
[ -d "$T"/events ] || T=/sys/kernel/debug/tracing
[ -d "$T"/events/hwevent ] || skip_all "no hwevent trace events in tracefs (CONFIG_TRACING?)"
command -v timeout >/dev/null || skip_all "no timeout program"

tmp=$(mktemp -d) || exit $KSFT_FAIL
# Timestamps in order across CPUs. They are not the timer's clock
# (under emulation they can be milliseconds apart): never early is judged
# by the driver's own late_ns, from the clock the timer runs on.
clock=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$T"/trace_clock)
record_cmd=$(cat "$T"/options/record-cmd 2>/dev/null)
tracing_on=$(cat "$T"/tracing_on)
restore() {
	echo 0 >"$T"/events/hwevent/enable
	echo "$tracing_on" >"$T"/tracing_on
	echo "$clock" >"$T"/trace_clock
	[ -z "$record_cmd" ] || echo "$record_cmd" >"$T"/options/record-cmd
	[ -z "${bh_kind:-}" ] || echo "$bh_kind" >"$BHP"
	rm -rf "$tmp"
}
trap restore EXIT
echo global >"$T"/trace_clock || skip_all "no global trace clock"

# The events go on once, and record-cmd off first: with it, turning the
# first event on or the last off also hooks or unhooks sched_switch, which
# live-patches a jump in __schedule() while the other CPU runs through it.
# Under QEMU TCG (6.1 guest) that once left a vCPU looping on the
# breakpoint text_poke_bp() plants there. The test needs no task names.
[ -z "$record_cmd" ] || echo 0 >"$T"/options/record-cmd
echo 0 >"$T"/tracing_on
echo 1 >"$T"/events/hwevent/enable

# On PREEMPT_RT the timer callback runs in a softirq thread. The kernel's
# version string says PREEMPT_RT on every kernel; /sys/kernel/realtime is
# only there where the out-of-tree RT patches are (not on 7.x).
# And the edu device's handler in its interrupt thread (forced threading).
irq_ctx=hardirq
edu_ctx=hardirq
case " $(uname -v) " in
*" PREEMPT_RT "*)
	irq_ctx=softirq
	edu_ctx=task
	;;
esac

# The bottom half the files opened now get, and the context it runs in:
# softirq for tasklet and bh_work, a kworker (task) for thread.
BHP=/sys/module/hwevent/parameters/bottom_half
bh_kind=$(cat "$BHP" 2>/dev/null) || skip_all "no $BHP"
case $bh_kind in
thread) bh_ctx=task ;;
*) bh_ctx=softirq ;;
esac

# trace CLI-ARGS...: run the program with only the hwevent events on, and
# keep what they logged as "timestamp event: fields" lines in $tmp/trace.
trace() {
	echo >"$T"/trace
	echo 1 >"$T"/tracing_on
	"$@" </dev/null >"$tmp/out" 2>&1
	echo 0 >"$T"/tracing_on
	sed -n 's/.* \([0-9]*\.[0-9]*\): \(hwevent_[a-z_]*: .*\)/\1 \2/p' "$T"/trace >"$tmp/trace"
}

# has EVENT FIELDS-ERE: some line of the last trace is EVENT with fields
# matching the extended regular expression.
has() {
	grep -Eq "^[0-9.]+ $1: .*$2" "$tmp/trace"
}

# events: the event names of the last trace, in order, on one line.
events() {
	awk '{ sub(/:$/, "", $2); printf "%s%s", sep, $2; sep = " " }' "$tmp/trace"
}

# stamp EVENT: the timestamp of the first EVENT of the last trace.
stamp() {
	awk -v e="$1:" '$2 == e { print $1; exit }' "$tmp/trace"
}

tap_plan

trace "$CLI" -n 1 0.2 0
if [ "$(events)" = "hwevent_register hwevent_irq hwevent_bh hwevent_release" ]; then
	ok "pending: register, irq, bh, release, in that order"
else
	not_ok "pending: register, irq, bh, release, in that order (got: $(events))"
	sed 's/^/# /' "$tmp/trace"
fi
check "pending: register names mode, delay and period" \
	has hwevent_register "id=1 mode=pending delay_ns=200000000 period_ns=0 "
check "pending: irq ran in $irq_ctx context, not early" \
	has hwevent_irq "id=1 seqno=[0-9]+ ctx=$irq_ctx late_ns=[0-9]+ flags=\$"
check "pending: bh ran as bottom_half=$bh_kind, in $bh_ctx context" \
	has hwevent_bh "id=1 seqno=[0-9]+ mode=pending bh=$bh_kind ctx=$bh_ctx bh_delay_ns=[0-9]+\$"
# The delay shows between register and irq (loosely: see the clock).
reg=$(stamp hwevent_register)
irq=$(stamp hwevent_irq)
bh=$(stamp hwevent_bh)
if awk -v r="$reg" -v i="$irq" -v b="$bh" 'BEGIN { exit !(i - r >= 0.15 && b >= i) }'; then
	ok "pending: irq about 0.2 s after register, bh after irq"
else
	not_ok "pending: irq about 0.2 s after register, bh after irq (register $reg, irq $irq, bh $bh)"
fi

trace "$CLI" -n 1 --edu 0.1 0
if [ "$(events)" = "hwevent_register hwevent_edu_raise hwevent_edu_irq hwevent_irq hwevent_bh hwevent_release" ]; then
	ok "edu: register, raise, the device's interrupt, irq, bh, release, in that order"
else
	not_ok "edu: register, raise, the device's interrupt, irq, bh, release, in that order (got: $(events))"
	sed 's/^/# /' "$tmp/trace"
fi
edu_contexts() {
	has hwevent_edu_raise "id=1 dma=0 ctx=$irq_ctx\$" &&
		has hwevent_edu_irq "status=0x10000 ctx=$edu_ctx\$"
}
check "edu: raised from the timer ($irq_ctx), the device's handler in $edu_ctx context" \
	edu_contexts
check "edu: irq says the device fired it, not early" \
	has hwevent_irq "id=1 seqno=[0-9]+ ctx=$bh_ctx late_ns=[0-9]+ flags=device\$"

trace "$CLI" -n 1 --trigger 5 2
check "trigger: irq in the ioctl (task context), before it was due" \
	has hwevent_irq "ctx=task late_ns=-[0-9]+ flags=triggered\$"

trace "$CLI" -n 2 --period 0.05 0.05 2
check "periodic: ended by HWEVENT_IOC_CANCEL (how=cancelled)" \
	has hwevent_cancel "id=1 mode=queue how=cancelled\$"

trace timeout -s INT 1 "$CLI" 10 0
check "SIGINT in a pending wait: how=interrupted" \
	has hwevent_cancel "id=1 mode=pending how=interrupted\$"

trace timeout -s KILL 1 "$CLI" 10 1
check "SIGKILL with a registration armed: how=dropped" \
	has hwevent_cancel "id=1 mode=eventfd how=dropped\$"
check "SIGKILL: the release dropped that one" \
	has hwevent_release "dropped=1\$"

# A file opened while bottom_half was A still runs A after it is set to B:
# it is read at open. The CLI registers (pending, 1 s); once the trace
# shows the registration, the parameter changes; the event then comes.
other=thread
[ "$bh_kind" != thread ] || other=tasklet
desc="a file keeps bottom_half=$bh_kind it was opened with after it is set to $other"
echo >"$T"/trace
echo 1 >"$T"/tracing_on
"$CLI" -n 1 1 0 </dev/null >"$tmp/out" 2>&1 &
cli=$!
wait_until 100 0.05 grep -q 'hwevent_register:' "$T"/trace
echo "$other" >"$BHP"
wait $cli
cli_rc=$?
echo 0 >"$T"/tracing_on
echo "$bh_kind" >"$BHP"
sed -n 's/.* \([0-9]*\.[0-9]*\): \(hwevent_[a-z_]*: .*\)/\1 \2/p' "$T"/trace >"$tmp/trace"
if [ $cli_rc = 0 ] && [ $tries -lt 100 ] &&
   has hwevent_bh "id=1 seqno=[0-9]+ mode=pending bh=$bh_kind ctx=$bh_ctx "; then
	ok "$desc"
else
	not_ok "$desc (CLI exit $cli_rc, waited $tries x 50 ms for the registration)"
	sed 's/^/# /' "$tmp/trace" "$tmp/out"
fi

tap_exit
