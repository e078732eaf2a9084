#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build as make check does, boot the same VM, load the module and
# run the CLI in its modes (scripts/guest/demo.sh says which).
# Fails if any run exits non-zero or the kernel log shows a kernel bug.
set -euo pipefail

# shellcheck source=scripts/lib/stage.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/stage.sh"

klog=$ROOT/build/demo/kernel.log

"$ROOT/scripts/deps.sh"
stage_pick_kernel
stage_build
stage_tree

mkdir -p "$(dirname "$klog")"
rc=0
stage_vm_run --kernel-log "$klog" --timeout "${HWEVENT_DEMO_TIMEOUT:-300}" \
	-- /hwevent/demo.sh || rc=$?
"$ROOT/scripts/klog-check" "$klog" || rc=1
echo "hwevent: kernel log: $klog"
if ((rc != 0)); then
	echo "hwevent: demo failed" >&2
	exit 1
fi
echo "hwevent: demo ok"
