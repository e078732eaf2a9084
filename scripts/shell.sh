#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make shell: build as make check does, boot the same VM with the module
# loaded and /hwevent/bin on PATH, and give a shell on this terminal.
set -euo pipefail

# shellcheck source=scripts/lib/stage.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/stage.sh"

klog=$ROOT/build/shell/kernel.log

"$ROOT/scripts/deps.sh"
stage_pick_kernel
stage_build
stage_tree

mkdir -p "$(dirname "$klog")"
echo "hwevent: kernel log: $klog (tail -f it from another terminal); Ctrl-A X kills the VM"
# The setup runs first, then the shell; a failed insmod still gives the
# shell, to look around.
# shellcheck disable=SC2016 # expanded by the guest's shell
stage_vm_run --interactive --kernel-log "$klog" -- sh -c \
	'insmod "$HWEVENT_KO" && echo "hwevent: module loaded; try: hwevent 1 0   (or: hwevent 1 1, hwevent --help)"'
