#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The documents must not name what is not there: make check runs this so
# that docs/ and README.md fail CI when the code moves under them.
#
#   scripts/docs-check.sh [FILE.md...]   default: docs/*.md README.md
#   scripts/docs-check.sh --self-test    each kind of bad reference caught
#
# Checked, in inline code spans outside fenced blocks:
#   `module/pending.c`             a path in the repository exists
#   `module/pending.c:hwevent_wait()`
#                                  the function (C or shell) is defined
#                                  there: a line starting with its type or
#                                  its name, not a declaration
#   `selftests/hwevent_test.c:signal_races_fire`
#                                  the word occurs in that file
#   `hwevent_wait()`, `HWEVENT_IOC_CANCEL`
#                                  a hwevent_/HWEVENT_ name occurs in
#                                  module/, include/, user/, selftests/ or
#                                  scripts/ (with "()", a function defined
#                                  there)
# and every relative link [text](path) leads to a file that exists.
# Prints "ok - docs: FILE: N references resolve" or "not ok - ..." with
# each broken one; fails if any is broken.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
code_dirs=(module include user selftests scripts)

# Source files a name is looked for in (not build products, nor this
# script, whose self-test names what does not exist).
code_files() {
	find "${code_dirs[@]/#/$root/}" -type f \
		\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.1' \) \
		! -name '*.mod.c' ! -path "$root/scripts/docs-check.sh"
}

# Is function $2 defined in file(s) $1...? A C definition starts a line
# with its type (or the name) and does not end in ";"; a shell one is
# "name() {".
defined_in() {
	local name=$1
	shift
	grep -qE "^(([A-Za-z_][A-Za-z0-9_ *]*[ *])?$name\(.*[^;]\$|$name\(\) *\{|$name\(\)\$|#define $name\()" "$@"
}

# Print "span<TAB>line" for every inline code span outside fenced blocks,
# then "link<TAB>target<TAB>line" for every relative link.
refs() {
	awk '
	/^[ \t]*```/ { fenced = !fenced; next }
	fenced { next }
	{
		line = $0
		while (match(line, /`[^`]+`/)) {
			printf "span\t%s\t%d\n", substr(line, RSTART + 1, RLENGTH - 2), FNR
			line = substr(line, RSTART + RLENGTH)
		}
		line = $0
		while (match(line, /\]\([^)]+\)/)) {
			target = substr(line, RSTART + 2, RLENGTH - 3)
			line = substr(line, RSTART + RLENGTH)
			if (target ~ /^[a-z]+:/ || target ~ /^#/)
				continue
			sub(/#.*/, "", target)
			printf "link\t%s\t%d\n", target, FNR
		}
	}' "$1"
}

# Check one reference; print why it is broken, if it is, or "-" if the
# span names nothing of ours (a command, a kernel API).
check_ref() {
	local doc=$1 kind=$2 ref=$3 path sym
	if [[ $kind == link ]]; then
		[[ -e $(dirname "$doc")/$ref ]] || echo "link ($ref): no such file"
		return
	fi
	if [[ $ref =~ ^((module|user|selftests|include|scripts|docs|debian|dist|\.ci)/[^\ :]*|Makefile|Kconfig|dkms\.conf|README\.md)(:([A-Za-z_][A-Za-z0-9_]*)(\(\))?)?$ ]]; then
		path=${BASH_REMATCH[1]} sym=${BASH_REMATCH[4]}
		# shellcheck disable=SC2206 # a path may be a glob: module/*.h
		local files=($root/$path)
		if [[ ! -e ${files[0]} ]]; then
			echo "\`$ref\`: no such file $path"
		elif [[ -n $sym && -n ${BASH_REMATCH[5]} ]]; then
			defined_in "$sym" "${files[@]}" || echo "\`$ref\`: $path defines no function $sym()"
		elif [[ -n $sym ]]; then
			grep -qw -- "$sym" "${files[@]}" || echo "\`$ref\`: $path never says $sym"
		fi
	elif [[ $ref =~ ^((hwevent|HWEVENT)_[A-Za-z0-9_]*)(\(\))?$ ]]; then
		sym=${BASH_REMATCH[1]}
		local all
		mapfile -t all < <(code_files)
		if [[ -n ${BASH_REMATCH[3]} ]]; then
			defined_in "$sym" "${all[@]}" || echo "\`$ref\`: no function $sym() in ${code_dirs[*]}"
		else
			grep -qw -- "$sym" "${all[@]}" || echo "\`$ref\`: $sym is nowhere in ${code_dirs[*]}"
		fi
	else
		echo "-"
	fi
}

check_doc() {
	local doc=$1 n=0 kind ref lineno why broken=""
	while IFS=$'\t' read -r kind ref lineno; do
		why=$(check_ref "$doc" "$kind" "$ref")
		[[ $why != - ]] || continue
		n=$((n + 1))
		[[ -z $why ]] || broken+="${doc#"$root"/}:$lineno: $why"$'\n'
	done < <(refs "$doc")
	if [[ -z $broken ]]; then
		echo "ok - docs: ${doc#"$root"/}: $n references resolve"
	else
		echo "not ok - docs: ${doc#"$root"/}: broken references"
		printf '%s' "$broken" | sed 's/^/#   /'
		return 1
	fi
}

# A document with one bad reference of each kind beside good ones: each
# must be reported, and the good ones not.
self_test() {
	local dir doc out rc=0 bad
	dir=$(mktemp -d "$root/docs/.docs-check.XXXXXX")
	doc=$dir/t.md
	cat >"$doc" <<-'EOF'
		Good: `module/pending.c`, `module/pending.c:hwevent_wait()`,
		`selftests/hwevent_test.c:signal_races_fire`, `hwevent_wait()`,
		`HWEVENT_IOC_CANCEL`, [up](../lab.md), `hrtimer_cancel()`.
		Bad: `module/nosuch.c`, `module/pending.c:hwevent_nosuch()`,
		`module/queue.c:hwevent_wait()`, `selftests/hwevent_test.c:no_such_test`,
		`hwevent_nosuch()`, `HWEVENT_NOSUCH`, [gone](nosuch.md).
		```
		`module/inside_a_fence.c`
		```
	EOF
	out=$(check_doc "$doc" || true)
	rm -rf "$dir"
	# shellcheck disable=SC2016 # backquotes, literally
	for bad in module/nosuch.c 'hwevent_nosuch()`: no function' \
		'queue.c defines no function hwevent_wait' no_such_test \
		'`hwevent_nosuch()`' HWEVENT_NOSUCH nosuch.md; do
		if grep -qF -- "$bad" <<<"$out"; then
			echo "ok - docs-check catches $bad"
		else
			echo "not ok - docs-check catches $bad"
			rc=1
		fi
	done
	if [[ $(grep -c '^#   ' <<<"$out") == 7 ]]; then
		echo "ok - docs-check reports only the 7 bad references"
	else
		echo "not ok - docs-check reports only the 7 bad references:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		rc=1
	fi
	return $rc
}

if [[ ${1:-} == --self-test ]]; then
	self_test
	exit
fi
if (($# == 0)); then
	set -- "$root"/docs/*.md "$root/README.md"
fi
rc=0
for doc in "$@"; do
	check_doc "$(realpath "$doc")" || rc=1
done
exit $rc
