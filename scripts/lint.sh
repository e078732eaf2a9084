#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The static checks a drivers/misc maintainer would run on the module: a
# W=1 build with zero warnings, sparse (C=2: every file, even if built),
# and checkpatch.pl --strict on the module and its uAPI header. Prints one
# "ok - <check>" or "not ok - <check>" line per check, findings after each
# failure, and fails if any check failed.
#
#   scripts/lint.sh [KDIR]     (default: the KDIR the top-level Makefile picks)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kdir=${1:-$(make -s -C "$root" --no-print-directory print-kdir)}
rc=0

report() {
	local what=$1 findings=$2
	if [[ -z $findings ]]; then
		echo "ok - $what"
	else
		echo "not ok - $what"
		printf '%s\n' "$findings" | sed 's/^/#   /'
		rc=1
	fi
}

build() {
	make -C "$kdir" M="$root/module" W=1 "$@" modules 2>&1 |
		grep -E 'warning:|error:|\bwarning\b' || true
}

# Rebuild from clean so that every warning is seen, not only new ones.
make -s -C "$kdir" M="$root/module" clean >/dev/null 2>&1
report "module builds with W=1 and no warnings ($kdir)" "$(build)"
report "sparse (C=2) reports nothing" "$(build C=2)"
findings=""
out=$("$root/scripts/checkpatch.sh" 2>&1) || findings=$out
report "checkpatch.pl --strict reports nothing" "$findings"
exit $rc
