#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The documents must not name what is not there: make check runs this so
# that docs/ and README.md fail CI when the code moves under them.
#
#   scripts/docs-check.sh [FILE.md...]   default: docs/*.md README.md samples/README.md
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
#                                  module/, include/, user/, samples/, selftests/ or
#                                  scripts/ (with "()", a function defined
#                                  there)
# and every relative link [text](path) leads to a file that exists.
#
# An excerpt is a fenced block right after a marker line naming its file:
#   <!-- excerpt: module/queue.c -->
#   ```c
#   void hwevent_queue_wake(struct hwevent_queue *q, unsigned int nr)
#   ...
#   		kill_fasync(&q->fasync, SIGIO, POLL_IN);
#   ```
# Its lines, each trimmed of leading and trailing blanks, must occur in
# that file in order and contiguous; a line "..." stands for lines left
# out. One that does not is reported with the source file it is now in,
# if any, so that an excerpt that moved with its code is easy to fix.
# A function that is no longer defined where a reference says is
# reported with the files that define it now, for the same reason.
# Prints "ok - docs: FILE: N references resolve" or "not ok - ..." with
# each broken one; fails if any is broken.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
code_dirs=(module include user samples selftests scripts)

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

# Write the excerpts of document $1 to directory $2: N.ref holds
# "path<TAB>line" of the marker, N.txt the block's lines; bad.ref the
# markers not followed at once by a fenced block.
excerpts() {
	awk -v dir="$2" '
	inside && /^[ \t]*```/ { inside = 0; close(dir "/" n ".txt"); next }
	inside { print > (dir "/" n ".txt"); next }
	want && /^[ \t]*```/ {
		n++
		printf "%s\t%d\n", path, at > (dir "/" n ".ref")
		close(dir "/" n ".ref")
		printf "" > (dir "/" n ".txt")
		inside = 1
		want = 0
		next
	}
	want { printf "%s\t%d\n", path, at > (dir "/bad.ref"); want = 0 }
	/^[ \t]*<!-- excerpt: [^ ]+ -->[ \t]*$/ { path = $3; at = FNR; want = 1 }
	END { if (want) printf "%s\t%d\n", path, at > (dir "/bad.ref") }
	' "$1"
}

# Do the lines of excerpt $1 occur in file $2: trimmed, in order, each
# run between "..." lines contiguous?
excerpt_in() {
	awk -v ex="$1" '
	function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
	BEGIN { while ((getline l < ex) > 0) e[++n] = trim(l) }
	{ s[++m] = trim($0) }
	END {
		pos = 1
		for (i = 1; i <= n; i = j) {
			if (e[i] == "...") { j = i + 1; continue }
			for (j = i; j <= n && e[j] != "..."; j++)
				;
			len = j - i
			for (p = pos; p + len - 1 <= m; p++) {
				for (k = 0; k < len && s[p + k] == e[i + k]; k++)
					;
				if (k == len)
					break
			}
			if (k != len || p + len - 1 > m)
				exit 1
			pos = p + len
		}
		exit (n == 0)
	}' "$2"
}

# Check the excerpts of document $1; print "line<TAB>why" for each broken
# one and "ok" for each good one.
check_excerpts() {
	local doc=$1 dir ref path at txt f where all
	dir=$(mktemp -d)
	excerpts "$doc" "$dir"
	if [[ -e $dir/bad.ref ]]; then
		while IFS=$'\t' read -r path at; do
			printf '%s\t%s\n' "$at" "excerpt ($path): the marker is not followed by a fenced block"
		done <"$dir/bad.ref"
	fi
	for ref in "$dir"/[0-9]*.ref; do
		[[ -e $ref ]] || break
		IFS=$'\t' read -r path at <"$ref"
		txt=${ref%.ref}.txt
		if [[ ! -f $root/$path ]]; then
			printf '%s\t%s\n' "$at" "excerpt ($path): no such file"
		elif excerpt_in "$txt" "$root/$path"; then
			echo ok
		else
			where=""
			mapfile -t all < <(code_files)
			for f in "${all[@]}"; do
				[[ $f != "$root/$path" ]] || continue
				if excerpt_in "$txt" "$f"; then
					where+=" ${f#"$root"/}"
				fi
			done
			if [[ -n $where ]]; then
				printf '%s\t%s\n' "$at" "excerpt ($path): not in $path; now in$where"
			else
				printf '%s\t%s\n' "$at" "excerpt ($path): not in $path nor in any source file: the code changed"
			fi
		fi
	done
	rm -rf "$dir"
}

# "; defined in FILE..." for the source files that define function $1
# now, if any: the function moved.
defined_where() {
	local f all where=""
	mapfile -t all < <(code_files)
	for f in "${all[@]}"; do
		! defined_in "$1" "$f" || where+=" ${f#"$root"/}"
	done
	[[ -z $where ]] || echo "; defined in$where"
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
	if [[ $ref =~ ^((module|user|samples|selftests|include|scripts|docs|debian|dist|\.ci)/[^\ :]*|Makefile|Kconfig|dkms\.conf|README\.md)(:([A-Za-z_][A-Za-z0-9_]*)(\(\))?)?$ ]]; then
		path=${BASH_REMATCH[1]} sym=${BASH_REMATCH[4]}
		# shellcheck disable=SC2206 # a path may be a glob: module/*.h
		local files=($root/$path)
		if [[ ! -e ${files[0]} ]]; then
			echo "\`$ref\`: no such file $path"
		elif [[ -n $sym && -n ${BASH_REMATCH[5]} ]]; then
			defined_in "$sym" "${files[@]}" ||
				echo "\`$ref\`: $path defines no function $sym()$(defined_where "$sym")"
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
	while IFS=$'\t' read -r lineno why; do
		n=$((n + 1))
		[[ $lineno == ok ]] || broken+="${doc#"$root"/}:$lineno: $why"$'\n'
	done < <(check_excerpts "$doc")
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
	local dir doc out rc=0 bad rel
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
	# Excerpts: one good (with a line left out), one whose code changed,
	# one whose code moved to another file, one marker with no block.
	rel=${dir#"$root"/}
	printf '%s\n' 'int f(int x)' '{' '	int y = x + 1;' '' '	y *= 2;' \
		'	return y;' '}' >"$dir/src.c"
	printf '%s\n' 'int g(void)' '{' '	return 7;' '}' >"$dir/moved.c"
	cat >>"$doc" <<-EOF
		<!-- excerpt: $rel/src.c -->
		\`\`\`c
		int f(int x)
		...
		    y *= 2;
		    return y;
		\`\`\`
		<!-- excerpt: $rel/src.c -->
		\`\`\`c
		int f(int x)
		{
		    return x;
		\`\`\`
		<!-- excerpt: $rel/src.c -->
		\`\`\`c
		int g(void)
		...
		    return 7;
		\`\`\`
		<!-- excerpt: $rel/src.c -->
		Not a block.
	EOF
	code_dirs+=("$rel")
	out=$(check_doc "$doc" || true)
	rm -rf "$dir"
	# shellcheck disable=SC2016 # backquotes, literally
	for bad in module/nosuch.c 'hwevent_nosuch()`: no function' \
		'queue.c defines no function hwevent_wait(); defined in module/' \
		no_such_test \
		'`hwevent_nosuch()`' HWEVENT_NOSUCH nosuch.md \
		'nor in any source file' "now in $rel/moved.c" \
		'not followed by a fenced block'; do
		if grep -qF -- "$bad" <<<"$out"; then
			echo "ok - docs-check catches $bad"
		else
			echo "not ok - docs-check catches $bad"
			rc=1
		fi
	done
	if [[ $(grep -c '^#   ' <<<"$out") == 10 ]]; then
		echo "ok - docs-check reports only the 10 bad references"
	else
		echo "not ok - docs-check reports only the 10 bad references:"
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
	set -- "$root"/docs/*.md "$root/README.md" "$root/samples/README.md"
fi
rc=0
for doc in "$@"; do
	check_doc "$(realpath "$doc")" || rc=1
done
exit $rc
