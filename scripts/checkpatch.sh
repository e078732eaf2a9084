#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the kernel's checkpatch.pl (from Debian's linux-source-6.1, cached
# outside the clone) in --strict mode on the module, its uAPI headers and
# the samples.
# Fails, printing the findings, if checkpatch reports anything at all.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/linux-source.sh
. "$root/scripts/lib/linux-source.sh"

checkpatch=$(linux_source_dir)/scripts/checkpatch.pl

cd "$root"
shopt -s nullglob
files=()
for f in module/*.c module/*.h include/uapi/linux/*.h samples/*.c; do
	# Skip kbuild's generated module/hwevent.mod.c.
	[[ $f == *.mod.c ]] || files+=("$f")
done
shopt -u nullglob
if ((${#files[@]} == 0)); then
	echo "hwevent: checkpatch: no files to check" >&2
	exit 1
fi

# --no-tree: we are not in a kernel tree. --quiet hides the per-file
# "total: 0 errors" lines of clean files, so any output is a finding.
# spelling.txt and const_structs.checkpatch are found next to checkpatch.pl.
# checkpatch leaves a CamelCase cache (.checkpatch-camelcase.*) in the
# current directory; it is not ours to keep in the clone.
trap 'rm -f "$root"/.checkpatch-camelcase.*' EXIT
rc=0
out=$(perl "$checkpatch" --strict --no-tree --quiet --show-types --color=never \
	-f "${files[@]}" 2>&1) || rc=$?
if [[ -n $out ]]; then
	printf '%s\n' "$out"
fi
if ((rc != 0)) || [[ -n $out ]]; then
	echo "hwevent: checkpatch --strict: findings above (${files[*]})" >&2
	exit 1
fi
echo "hwevent: checkpatch --strict: clean (${files[*]})"
