#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check, make check-debug, make check-rt:
#
#   scripts/check.sh           the Debian kernel (make check)
#   scripts/check.sh debug     the debug kernel of scripts/debug-kernel.sh
#                              (KASAN, lockdep, kmemleak, ...), built and
#                              cached on first use (make check-debug)
#   scripts/check.sh rt        Debian's PREEMPT_RT kernel (make check-rt)
#   scripts/check.sh image     the kernel image $HWEVENT_KIMAGE with the
#                              module $HWEVENT_KO_FILE built elsewhere, the
#                              results named $HWEVENT_CHECK_NAME (make matrix)
#
# Install what is missing, build, boot the kernel in QEMU, load hwevent.ko,
# run the kselftests with the kernel's runner, then (debug, rt) the phases of
# scripts/guest/<flavour>.phases (HWEVENT_PHASES=FILE runs another list),
# unload, (debug) have kmemleak scan, and count (scripts/lib/ktap-count.awk).
# Tests, each counted once: every test case a program reports (a program
# that reports none, or fails after its cases passed, counts as one), each
# phase's cases, and each lab step that promises output. Checks, counted
# apart: the module loads and unloads, the VM exits cleanly, the kernel log
# is clean, (debug) kmemleak, the benchmark's sanity lines, and, for make
# check, the W=1, sparse and checkpatch runs of scripts/lint.sh, the
# documents' references (scripts/docs-check.sh), the lab's matcher and its
# steps that promise no output (scripts/lab.sh). A script among those that
# exits non-zero without a "not ok" line is a failed check. A skip is not a
# pass: every test must run, except where the booted kernel lacks what the
# test needs and something other than the test says so (the skip is then
# counted, said, and does not fail the run). A failed check fails the run
# as a failed test does. The last two lines:
#   <name>: checks: K ok, L failed
#   <name>: N passed, M failed[, K skipped]      (tests only)
# name being hwevent, hwevent-debug or hwevent-rt.
set -euo pipefail

# shellcheck source=scripts/lib/stage.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/stage.sh"

flavour=${1:-}
phases=""
# Guest memory, VM time limit, more scripts/vm-run options.
mem=512
limit=${HWEVENT_CHECK_TIMEOUT:-900}
vm_args=()
# The bottom halves the suite runs with (HWEVENT_BOTTOM_HALVES); empty:
# each the kernel has.
bottom_halves=
# The passes the run must show: every kernel has tasklet and thread.
required="tasklet thread"
case $flavour in
"") name=hwevent ;;
debug)
	name=hwevent-debug
	# KASAN takes an eighth of the memory for its shadow and keeps freed
	# objects in quarantine; everything runs far slower under emulation.
	mem=${HWEVENT_DEBUG_MEM:-2048}
	# The suite once, the phases in two passes: 60 min at most.
	limit=${HWEVENT_CHECK_TIMEOUT:-3600}
	# Every KASAN report, not only the first; SLUB's own consistency
	# checks, red zones and poisoning on top of KASAN's.
	# acpi=noirq: PCI interrupts routed from the MP table, not ACPI's
	# _PRT, whose loop the AML interpreter aborts after 30 s under KASAN
	# and TCG (AE_AML_LOOP_TIMEOUT): every probe of the edu device waited
	# that long and then had no INTx.
	vm_args=(--append "kasan_multi_shot slub_debug=FZP acpi=noirq" --env HWEVENT_KMEMLEAK=1)
	# The suite with the default bottom half only: make check runs it with
	# each, and here the phases take both (tasklet and thread; the races
	# run with thread, scripts/guest/debug.phases says which takes which),
	# so lockdep and KASAN watch both. The suite's second pass cost about
	# 300 s of CI's time.
	bottom_halves=tasklet
	vm_args+=(--env HWEVENT_PHASE_BOTTOM_HALVES="tasklet thread")
	;;
rt)
	name=hwevent-rt
	mem=1024
	# The suite, then the phases: 1219 s measured on 2026-12-06 with the
	# suite twice and 1200 s, which cut the last phases short.
	limit=${HWEVENT_CHECK_TIMEOUT:-1800}
	# The suite and the phases with the default bottom half only: on
	# PREEMPT_RT the tasklet already runs in a thread (softirqs are
	# threaded), so thread adds little here; check, check-debug and the
	# matrix run it. A second pass cost about 190 s of CI's time.
	bottom_halves=tasklet
	vm_args+=(--env HWEVENT_PHASE_BOTTOM_HALVES=tasklet)
	;;
image)
	name=${HWEVENT_CHECK_NAME:-hwevent-image}
	mem=1024
	# The suite up to three times (tasklet, bh_work, thread), or with those
	# of $MATRIX_BOTTOM_HALVES the kernel has (scripts/matrix.sh).
	limit=${HWEVENT_CHECK_TIMEOUT:-1800}
	if [[ -n ${MATRIX_BOTTOM_HALVES:-} ]]; then
		vm_args+=(--env HWEVENT_BOTTOM_HALVES_AMONG="$MATRIX_BOTTOM_HALVES")
		# Of the two every kernel has, those named.
		named=
		for bh in $required; do
			[[ " $MATRIX_BOTTOM_HALVES " != *" $bh "* ]] || named+=" $bh"
		done
		required=$named
	fi
	;;
*)
	echo "usage: $0 [debug|rt]" >&2
	exit 2
	;;
esac
if [[ -n $bottom_halves ]]; then
	vm_args+=(--env HWEVENT_BOTTOM_HALVES="$bottom_halves")
	required=$bottom_halves
fi
if [[ -n $flavour && $flavour != image ]]; then
	phases=${HWEVENT_PHASES:-$ROOT/scripts/guest/$flavour.phases}
	[[ -r $phases ]] || { echo "$name: no phase list $phases" >&2; exit 1; }
	vm_args+=(--env HWEVENT_PHASES=/hwevent/phases)
fi

out=$ROOT/build/check${flavour:+-$flavour}
[[ $flavour != image ]] || out=$ROOT/build/$name
console=$out/console.log
klog=$out/kernel.log
lint=$out/lint.log
results=$out/results.tsv
start=$SECONDS

# shellcheck disable=SC2086 # no flavour: no argument
"$ROOT/scripts/deps.sh" ${flavour/image/}
case $flavour in
image)
	KIMAGE=${HWEVENT_KIMAGE:?} KVER=${HWEVENT_KVER:?} KDIR=""
	export HWEVENT_KO_FILE=${HWEVENT_KO_FILE:?}
	echo "hwevent: guest kernel $KVER ($KIMAGE), module $HWEVENT_KO_FILE"
	;;
debug)
	kernel_start=$(date +%s)
	if ! tree=$("$ROOT/scripts/debug-kernel.sh"); then
		echo "$name: FAIL: the debug kernel builds (see above)"
		echo "$name: 0 passed, 1 failed"
		exit 1
	fi
	stage_use_tree "$tree"
	;;
*) stage_pick_kernel "$flavour" ;;
esac
build_start=$SECONDS
if [[ $flavour == image ]]; then
	# The module was built for that kernel elsewhere; the programs here.
	make -C "$ROOT" user samples selftests
else
	stage_build
fi
stage_tree "$phases"
# Programs for ad-hoc phases (say, stand-ins for tests not written yet):
# HWEVENT_PHASE_BIN=DIR puts DIR's files on the guest's PATH.
[[ -z ${HWEVENT_PHASE_BIN:-} ]] || cp -R "$HWEVENT_PHASE_BIN/." "$STAGE/hwevent/bin/"
build_secs=$((SECONDS - build_start))

mkdir -p "$out"
rm -f "$console" "$klog" "$results" "$lint" "$out/lab-expected" "$out/vm-run.log"
# The static checks first: a W=1 warning or a checkpatch finding fails too.
# They do not depend on the kernel booted: make check runs them, and the
# lab, whose commands the guest runs before the tests.
# static NAME CMD...: run a script that prints "ok - " / "not ok - " lines,
# into $lint; if it exits non-zero without a "not ok", that is one more.
static() {
	local what=$1 status=0 tmp
	shift
	tmp=$(mktemp)
	"$@" 2>&1 | tee "$tmp" || status=$?
	cat "$tmp" >>"$lint"
	if ((status != 0)) && ! grep -q '^not ok - ' "$tmp"; then
		echo "not ok - $what exits 0 (status $status, and no \"not ok\" line)" | tee -a "$lint"
	fi
	rm -f "$tmp"
}
if [[ -z $flavour ]]; then
	touch "$lint"
	static "scripts/lint.sh" "$ROOT/scripts/lint.sh" "$KDIR"
	static "scripts/docs-check.sh" "$ROOT/scripts/docs-check.sh"
	static "scripts/docs-check.sh --self-test" "$ROOT/scripts/docs-check.sh" --self-test
	static "scripts/lab.sh self-test" "$ROOT/scripts/lab.sh" self-test
	static "scripts/klog-check --self-test" "$ROOT/scripts/klog-check" --self-test
	if "$ROOT/scripts/lab.sh" extract "$ROOT/docs/lab.md" \
		"$STAGE/hwevent/lab-steps.sh" "$out/lab-expected"; then
		vm_args+=(--env HWEVENT_LAB=/hwevent/lab-steps.sh)
	else
		echo "not ok - the lab's commands are read from docs/lab.md" | tee -a "$lint"
	fi
fi
echo "$name: booting $KVER in QEMU; guest output follows (also in $console)"
vm_start=$SECONDS
set +e
# vm-run's own messages (a stall, a boot retry) are kept for counting. The
# tee is started here, not inside the pipeline (whose subshell would own
# it: $! unset here, "unbound variable" under set -u), so that it can be
# waited for before vm-run.log is read.
exec 3> >(tee "$out/vm-run.log" >&2)
tee_pid=$!
stage_vm_run --kernel-log "$klog" --timeout "$limit" --mem "$mem" "${vm_args[@]}" \
	-- /hwevent/run-selftests.sh 2>&3 | tee "$console"
vm_rc=${PIPESTATUS[0]}
exec 3>&-
wait "$tee_pid" 2>/dev/null
set -e
vm_secs=$((SECONDS - vm_start))

# --- counting -------------------------------------------------------------

# $results: "test|check<TAB>pass|fail|skip<TAB>what", one line each.
awk -f "$ROOT/scripts/lib/ktap-count.awk" "$console" >"$results"
if [[ -s $out/lab-expected ]]; then
	static "scripts/lab.sh compare" "$ROOT/scripts/lab.sh" compare "$out/lab-expected" "$console"
fi
result() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results"
}

# The static checks, the lab's matcher and (make check) the lab: checks,
# except the lab steps that promise output, which test the module.
[[ ! -e $lint ]] || sed -n -e 's/^ok - /pass\t/p' -e 's/^not ok - /fail\t/p' "$lint" |
	awk -F '\t' -v OFS='\t' '{
		kind = ($2 ~ /^lab step [0-9]+: / && $2 !~ /\(promises no output/) ? "test" : "check"
		print kind, $0
	}' >>"$results"

# The guest script exits 0 or 1 (its own checks, counted below).
case $vm_rc in
0 | 1) result check pass "VM exited cleanly" ;;
123) result check fail "VM exited cleanly (the guest made no progress for ${HWEVENT_VM_STALL:-300}s: hung; see above)" ;;
124) result check fail "VM finished within ${limit}s (timed out)" ;;
125) result check fail "VM exited cleanly (no exit status: kernel panic or oops?)" ;;
*) result check fail "VM exited cleanly (scripts/vm-run status $vm_rc)" ;;
esac
# The guest script's own checks must all have reported.
expected=("module loads" "module unloads at the end" "kernel taint is only the out-of-tree module's")
[[ $flavour != debug ]] || expected+=("kmemleak is on" "kmemleak finds no unreferenced object")
for what in "${expected[@]}"; do
	grep -q "^check	[a-z]*	$what" "$results" || result check fail "$what (never reported)"
done
# Once per bottom half (scripts/guest/run-selftests.sh): every kernel has
# tasklet and thread; bh_work's pass is there where the kernel has
# system_bh_wq, which selftests/hwevent_module.sh checks. A flavour that
# names its bottom halves (debug, rt) must have run those.
for bh in $required; do
	grep -qE "^(not )?ok [0-9]+ selftests: bottom_half=$bh/$KSFT_COLLECTION: " "$console" ||
		result check fail "selftests ran with bottom_half=$bh (no test program reported)"
done
if [[ -n $phases ]] && ! grep -qE "^(not )?ok [0-9]+ selftests: phases \(bottom_half=[a-z_]+\): " "$console"; then
	result check fail "phases ran (no phase reported)"
fi

klog_rc=0
klog_out=$("$ROOT/scripts/klog-check" "$klog" 2>&1) || klog_rc=$?
if ((klog_rc == 0)); then
	result check pass "kernel log clean"
else
	result check fail "kernel log clean"
fi

count() {
	grep -c "^$1	$2	" "$results" || true
}
passed=$(count test pass)
failed=$(count test fail)
skipped=$(count test skip)
checks_ok=$(count check pass)
# A check that skipped did not check: it failed.
checks_failed=$(($(count check fail) + $(count check skip)))

# Test skips the booted kernel explains (said below); any other skip fails.
# hwevent_uring_test's disabled.* cases need the sysctl
# kernel.io_uring_disabled (6.6 and later): the kernel's System.map says
# whether it has one.
explained=0
sysmap=$KDIR/System.map
[[ -r $sysmap ]] || sysmap=$(dirname "$KIMAGE")/System.map-$KVER
if [[ -r $sysmap ]] && ! grep -q ' sysctl_io_uring_disabled$' "$sysmap"; then
	explained=$(grep -cE '^test	skip	.*# SKIP no /proc/sys/kernel/io_uring_disabled' "$results" || true)
fi

echo
if ((failed + skipped + checks_failed > 0)); then
	grep -E '^[a-z]+	(fail|skip)	' "$results" |
		sed -E "s/^test\tfail\t/$name: FAIL: /; s/^test\tskip\t/$name: SKIP: /;
			s/^check\tfail\t/$name: FAIL: check: /; s/^check\tskip\t/$name: FAIL: check skipped: /"
fi
((explained == 0)) || echo "$name: $explained skip(s) explained: this kernel has no sysctl kernel.io_uring_disabled (${sysmap##*/})"
if ((klog_rc != 0)); then
	# The first lines say what happened; a flood says nothing more.
	head -n 60 <<<"$klog_out"
	(($(wc -l <<<"$klog_out") <= 60)) || echo "  (more in $klog)"
fi
if [[ -n $phases ]]; then
	awk -f "$ROOT/scripts/lib/figures.awk" "$console" | sed "s/^/$name: figures: /"
	reports=0
	((klog_rc != 1)) || reports=$(grep -c '^  | ' <<<"$klog_out" || true)
	echo "$name: figures: kernel log: $reports report line(s)"
fi
# A boot retried after an early-boot hang (QEMU's, before any hwevent
# code ran) is not a failure, but it is never silent.
retries=$(sed -n 's/^vm-run: boot retries: //p' "$out/vm-run.log" | tail -n 1)
echo "$name: VM boot retries: ${retries:-0}"
echo "$name: kernel log: $klog"
echo "$name: console log: $console (counted: $results)"
if [[ $flavour == debug ]]; then
	cold=$(cat "$tree/hwevent-build-seconds")
	if (($(stat -c %Y "$tree/hwevent-build-seconds") >= kernel_start)); then
		echo "$name: debug kernel: built in $cold s ($tree)"
	else
		echo "$name: debug kernel: cached in $tree (its build took $cold s)"
	fi
fi
echo "$name: took $((SECONDS - start)) s (module, CLI and tests built in $build_secs s; VM ran $vm_secs s)"
echo "$name: checks: $checks_ok ok, $checks_failed failed"
summary="$name: $passed passed, $failed failed"
((skipped == 0)) || summary+=", $skipped skipped"
echo "$summary"
((failed == 0 && skipped == explained && checks_failed == 0))
