#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: install what is missing, build, boot the Debian kernel in QEMU,
# load hwevent.ko, run the kselftests with the kernel's runner, unload, and
# count. Every leaf kselftest result counts, plus each test program's result
# and the host-side checks (module loads, module unloads, VM exits cleanly,
# kernel log clean, and the W=1, sparse and checkpatch runs of scripts/lint.sh).
# A skip is not a pass: make check wants every test run.
# The last line is the summary: "hwevent: N passed, M failed[, K skipped]".
set -euo pipefail

# shellcheck source=scripts/lib/stage.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/stage.sh"

out=$ROOT/build/check
console=$out/console.log
klog=$out/kernel.log
lint=$out/lint.log
results=$out/results.tsv
start=$SECONDS

"$ROOT/scripts/deps.sh"
stage_pick_kernel
stage_build
stage_tree

mkdir -p "$out"
rm -f "$console" "$klog" "$results" "$lint"
# The static checks first: a W=1 warning or a checkpatch finding fails too.
"$ROOT/scripts/lint.sh" "$KDIR" | tee "$lint" || true
echo "hwevent: booting $KVER in QEMU; guest output follows (also in $console)"
set +e
stage_vm_run --kernel-log "$klog" --timeout "${HWEVENT_CHECK_TIMEOUT:-900}" \
	-- /hwevent/run-selftests.sh | tee "$console"
vm_rc=${PIPESTATUS[0]}
set -e

# --- counting -------------------------------------------------------------

awk -f "$ROOT/scripts/lib/ktap-count.awk" "$console" >"$results"
result() {
	printf '%s\t%s\n' "$1" "$2" >>"$results"
}

sed -n -e 's/^ok - /pass\t/p' -e 's/^not ok - /fail\t/p' "$lint" >>"$results"

# The guest script exits 0 or 1 (its own checks, counted below).
case $vm_rc in
0 | 1) result pass "VM exited cleanly" ;;
124) result fail "VM finished within ${HWEVENT_CHECK_TIMEOUT:-900}s (timed out)" ;;
125) result fail "VM exited cleanly (no exit status: kernel panic or oops?)" ;;
*) result fail "VM exited cleanly (scripts/vm-run status $vm_rc)" ;;
esac
# The guest script's own checks must all have reported.
for what in "module loads" "module unloads at the end"; do
	grep -q "^[a-z]*	$what" "$results" || result fail "$what (never reported)"
done
grep -q "^[a-z]*	[0-9]* selftests: " "$results" || result fail "selftests ran (no test program reported)"

klog_rc=0
klog_out=$("$ROOT/scripts/klog-check" "$klog" 2>&1) || klog_rc=$?
if ((klog_rc == 0)); then
	result pass "kernel log clean"
else
	result fail "kernel log clean"
fi

passed=$(grep -c '^pass' "$results" || true)
failed=$(grep -c '^fail' "$results" || true)
skipped=$(grep -c '^skip' "$results" || true)

echo
if ((failed + skipped > 0)); then
	grep -E '^(fail|skip)' "$results" | sed -E 's/^fail\t/hwevent: FAIL: /; s/^skip\t/hwevent: SKIP: /'
fi
if ((klog_rc != 0)); then
	# The first lines say what happened; a flood says nothing more.
	head -n 60 <<<"$klog_out"
	(($(wc -l <<<"$klog_out") <= 60)) || echo "  (more in $klog)"
fi
echo "hwevent: kernel log: $klog"
echo "hwevent: console log: $console (counted: $results)"
echo "hwevent: took $((SECONDS - start)) s"
summary="hwevent: $passed passed, $failed failed"
((skipped == 0)) || summary+=", $skipped skipped"
echo "$summary"
((failed == 0 && skipped == 0))
