#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that dkms accepts dkms.conf: add, build and install hwevent for
# every kernel whose headers are installed, then remove it and check that
# nothing is left behind. Needs root; changes /usr/src, /var/lib/dkms and
# /lib/modules only for the duration of the check.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/module-src.sh
. "$top/scripts/lib/module-src.sh"
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$top/dkms.conf")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/$name-$version
passed=0
failed=0

ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }

if [ -e "$src" ] || dkms status -m "$name" | grep -q .; then
	echo "dkms-check: $name/$version is already known to dkms; remove it first" >&2
	exit 1
fi

cleanup() {
	dkms remove -m "$name" -v "$version" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
trap cleanup EXIT

# Only the sources DKMS needs, not build products of the work tree.
module_src_copy "$top" "$src"
cp "$top/dkms.conf" "$src/"

dkms add -m "$name" -v "$version" >/dev/null && ok "dkms add"

for build in /lib/modules/*/build; do
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

dkms remove -m "$name" -v "$version" --all >/dev/null && ok "dkms remove"
rm -rf "$src"
left=$(find /var/lib/dkms/"$name" /lib/modules/*/updates/dkms/"$name".ko* \
	    /lib/modules/*/extra/"$name".ko* 2>/dev/null || true)
if [ -z "$left" ]; then
	ok "nothing left behind"
else
	not_ok "left behind: $left"
fi

echo "dkms-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
