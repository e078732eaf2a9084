#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The static checks a drivers/misc maintainer would run on the module: a
# W=1 build with zero warnings, sparse (C=2: every file, even if built),
# and checkpatch.pl --strict on the module, its uAPI headers and the
# samples. Prints one
# "ok - <check>" or "not ok - <check>" line per check, findings after each
# failure, and fails if any check failed. A build that fails (make's exit
# status), a finding in any case ("warning", "ERROR: modpost: ..."), a
# kernel tree that is not there and a missing sparse are findings too.
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

# build [ARGS...]: the module built with W=1 (and ARGS); print the
# findings: every line naming a warning or an error, whatever its case,
# and, if make failed without one, its status and last lines.
build() {
	local out status=0 found
	out=$(make -C "$kdir" M="$root/module" W=1 "$@" modules 2>&1) || status=$?
	found=$(grep -iE '\b(warning|error)s?\b' <<<"$out" || true)
	if [[ -n $found ]]; then
		printf '%s\n' "$found"
	elif ((status != 0)); then
		echo "make exited with status $status:"
		tail -n 10 <<<"$out"
	fi
}

if [[ -z $kdir || ! -e $kdir/Makefile ]]; then
	report "module builds with W=1 and no warnings (${kdir:-no KDIR})" \
		"no kernel build tree at '${kdir}' (set KDIR, or install linux-headers-amd64)"
	report "sparse (C=2) reports nothing" "not run: no kernel build tree"
else
	# Rebuild from clean so that every warning is seen, not only new ones.
	make -s -C "$kdir" M="$root/module" clean >/dev/null 2>&1 || true
	report "module builds with W=1 and no warnings ($kdir)" "$(build)"
	if command -v sparse >/dev/null; then
		report "sparse (C=2) reports nothing" "$(build C=2)"
	else
		report "sparse (C=2) reports nothing" "sparse is not installed (Debian: sparse; scripts/deps.sh installs it)"
	fi
fi
findings=""
status=0
out=$("$root/scripts/checkpatch.sh" 2>&1) || status=$?
if ((status != 0)); then
	findings=${out:-checkpatch.sh exited with status $status and printed nothing}
fi
report "checkpatch.pl --strict reports nothing" "$findings"
exit $rc
