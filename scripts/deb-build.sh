#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build the Debian packages hwevent-dkms and hwevent-utils into
# build/deb/ with dpkg-buildpackage -us -uc -b. Needs no root and no kernel
# headers (the CLI is all that is compiled; DKMS builds the module on the
# machine the package is installed on).
#
# dpkg-buildpackage writes its results beside the source tree and leaves
# build products and debian/<package>/ in it, so the build runs in a copy,
# build/deb/hwevent-<version>/: the packages land in build/deb/ and the work
# tree stays as it was.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$top/build/deb

"$top/scripts/deps.sh" deb

version=$(cd "$top" && dpkg-parsechangelog -S Version)
upstream=${version%-*}
tree=$out/hwevent-$upstream

# From scratch: a package left from an older build must never be installed
# by make deb-check's ./build/deb/*.deb.
rm -rf "$out"
mkdir -p "$tree"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# What git would commit, untracked files included, build products not.
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[[ -e $f || -L $f ]] && printf '%s\0' "$f"
		done | tar --null -T - -cf -) | tar -xf - -C "$tree"
else
	(cd "$top" && tar --exclude=./build --exclude=./.git -cf - .) | tar -xf - -C "$tree"
fi

echo "hwevent: building hwevent $version in $tree"
(cd "$tree" && dpkg-buildpackage -us -uc -b)
rm -rf "$tree"

echo "hwevent: packages in $out:"
ls -1 "$out"
