#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that dkms accepts dkms.conf: add, build and install hwevent for
# every kernel whose headers are installed, then remove it and check that
# nothing is left behind. Needs root; changes /usr/src, /var/lib/dkms and
# /lib/modules only for the duration of the check.
#
# Every step is a check (it builds and installs; the tests are make
# check's): "ok - ..." or "not ok - ..." each, a step that dies without
# one counts as failed, and the last two lines are
#   dkms-check: checks: K ok, L failed
#   dkms-check: 0 passed, 0 failed           (tests: none here)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/module-src.sh
. "$top/scripts/lib/module-src.sh"
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$top/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/$name-$version
checks_ok=0
checks_failed=0
done=0

ok() { echo "ok - $*"; checks_ok=$((checks_ok + 1)); }
not_ok() { echo "not ok - $*"; checks_failed=$((checks_failed + 1)); }

summary() {
	local rc=$?
	# Whatever stopped the script before its end is a failed check.
	((done)) || not_ok "dkms-check ran to its end (stopped with status $rc)"
	echo "dkms-check: checks: $checks_ok ok, $checks_failed failed"
	echo "dkms-check: 0 passed, 0 failed"
	((checks_failed == 0)) || exit 1
}

cleanup() {
	local rc=$?
	dkms remove -m "$name" -v "$version" --all >/dev/null 2>&1 || true
	rm -rf "$src"
	(exit $rc)
	summary
}

if [ -e "$src" ] || dkms status -m "$name" | grep -q .; then
	echo "dkms-check: $name/$version is already known to dkms; remove it first" >&2
	trap summary EXIT
	exit 1
fi
trap cleanup EXIT

# Only the sources DKMS needs, not build products of the work tree.
module_src_copy "$top" "$src"
cp "$top/dkms.conf" "$src/"

if dkms add -m "$name" -v "$version" >/dev/null; then
	ok "dkms add"
else
	not_ok "dkms add (status $?)"
fi

shopt -s nullglob
builds=(/lib/modules/*/build)
shopt -u nullglob
((${#builds[@]} > 0)) || not_ok "kernel headers to build for (no /lib/modules/*/build)"
for build in "${builds[@]}"; do
	kver=$(basename "$(dirname "$build")")
	if dkms build -m "$name" -v "$version" -k "$kver" >/dev/null &&
	   dkms install -m "$name" -v "$version" -k "$kver" >/dev/null; then
		ok "dkms build and install for $kver"
	else
		not_ok "dkms build and install for $kver"
		continue
	fi
	ko=$(modinfo -k "$kver" -n "$name" 2>/dev/null || true)
	if [ -n "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$kver "; then
		ok "modinfo finds $ko built for $kver"
	else
		not_ok "modinfo does not find $name for $kver"
	fi
done

if dkms remove -m "$name" -v "$version" --all >/dev/null; then
	ok "dkms remove"
else
	not_ok "dkms remove (status $?)"
fi
rm -rf "$src"
left=$(find /var/lib/dkms/"$name" /lib/modules/*/updates/dkms/"$name".ko* \
	    /lib/modules/*/extra/"$name".ko* 2>/dev/null || true)
if [ -z "$left" ]; then
	ok "nothing left behind"
else
	not_ok "left behind: $left"
fi
done=1
