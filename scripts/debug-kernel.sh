#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of the debug kernel tree of `make check-debug`, building it
# on first use: Debian's linux-source-6.1, `make tinyconfig`, the fragment
# scripts/kconfig/debug.config, `make olddefconfig`, a check that every
# option of the fragment survived, then `make bzImage modules` (which writes
# Module.symvers, so out-of-tree modules build with `make -C <tree> M=...`).
#
# The tree (source and build, about 3 GB) is cached once per machine in
#   ${HWEVENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hwevent}/
#     kernel-debug-<linux-source-6.1 version>-<hash of the fragment's options>/
# It is built under a temporary name and renamed when complete, so an
# interrupted build is never taken for a cached one; a new key removes the
# other kernel-debug-* trees. Progress goes to stderr; stdout carries only
# the path: `KDIR=$(scripts/debug-kernel.sh)`.
#
#   scripts/debug-kernel.sh              build if needed, print the tree
#   scripts/debug-kernel.sh --verify DIR check DIR/.config against the fragment
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib/linux-source.sh
. "$here/lib/linux-source.sh"

FRAGMENT=${HWEVENT_DEBUG_CONFIG:-$here/kconfig/debug.config}
# Part of the cache key with the fragment: change it when the recipe below
# changes what ends up in the tree.
RECIPE="tinyconfig + fragment + olddefconfig; bzImage modules"

say() {
	echo "hwevent: $*" >&2
}

# Every "CONFIG_X=v" of the fragment must be in .config as written, and
# every "# CONFIG_X is not set" must not be set: Kconfig silently drops an
# option whose dependencies are missing.
verify_config() {
	local fragment=$1 config=$2 line sym got bad=0
	while IFS= read -r line; do
		if [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			sym=${BASH_REMATCH[1]}
			got=$(grep -E "^$sym=" "$config" || true)
			[[ -z $got ]] && continue
		elif [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)= ]]; then
			sym=${BASH_REMATCH[1]}
			grep -qxF -- "$line" "$config" && continue
			got=$(grep -E "^$sym=|^# $sym is not set" "$config" || true)
			[[ -n $got ]] || got="(absent: a dependency is missing)"
		else
			continue
		fi
		say "debug kernel config: wanted '$line', got '$got'"
		bad=1
	done <"$fragment"
	if ((bad)); then
		say "debug kernel config: $config lacks options of $fragment (see above); fix the fragment"
		return 1
	fi
	say "debug kernel config: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$fragment") options of $(basename "$fragment") verified"
}

if [[ ${1:-} == --verify ]]; then
	(($# == 2)) || { echo "usage: $0 [--verify TREE]" >&2; exit 2; }
	verify_config "$FRAGMENT" "$2/.config"
	exit
fi
(($# == 0)) || { echo "usage: $0 [--verify TREE]" >&2; exit 2; }

[[ -r $FRAGMENT ]] || { say "no config fragment $FRAGMENT"; exit 1; }
linux_source_check
cache=$(hwevent_cache)
# Only the option lines count: editing a comment does not cost a rebuild.
hash=$({ grep -E '^(CONFIG_|# CONFIG_.* is not set)' "$FRAGMENT"; echo "$RECIPE"; } |
	sha256sum | cut -c1-12)
name=kernel-debug-$(linux_source_version)-$hash
dir=$cache/$name
mkdir -p "$cache"

# One builder at a time per machine; a second run waits and then finds the
# tree built.
exec 9>"$cache/.kernel-debug.lock"
if ! flock -n 9; then
	say "another debug kernel build holds $cache/.kernel-debug.lock; waiting"
	flock 9
fi

if [[ ! -e $dir/.config ]]; then
	# Under the lock, a temporary tree is a dead build's (interrupted or
	# failed: kept for its log until now).
	rm -rf "$cache"/.kernel-debug-*.tmp
	tmp=$cache/.$name.tmp
	mkdir "$tmp"
	log=$tmp/hwevent-build.log
	start=$SECONDS
	say "building the debug kernel into $dir (once per machine; about 10 minutes on 2 cores; log: $log, then in $dir)"
	tar -xJf "$LINUX_SOURCE_TARBALL" -C "$tmp" --strip-components=1
	cp "$FRAGMENT" "$tmp/hwevent-debug.config"
	{
		make -C "$tmp" tinyconfig &&
			"$tmp/scripts/kconfig/merge_config.sh" -m -O "$tmp" "$tmp/.config" "$tmp/hwevent-debug.config" &&
			make -C "$tmp" olddefconfig
	} >"$log" 2>&1 || { tail -n 30 "$log" >&2; say "configuring the debug kernel failed"; exit 1; }
	verify_config "$FRAGMENT" "$tmp/.config"

	# A line a minute, so a long quiet build does not look hung.
	# (Its sleep is killed with it: a left-over one would hold stdout open.)
	(
		trap 'kill "$nap" 2>/dev/null; exit 0' TERM
		while :; do
			sleep 60 &
			nap=$!
			wait "$nap"
			say "... building the debug kernel: $((SECONDS - start)) s, $(grep -c '^  CC' "$log") files compiled"
		done
	) >/dev/null &
	ticker=$!
	rc=0
	make -C "$tmp" -j"$(nproc)" bzImage modules >>"$log" 2>&1 || rc=$?
	kill "$ticker" 2>/dev/null || true
	wait "$ticker" 2>/dev/null || true
	if ((rc != 0)); then
		tail -n 40 "$log" >&2
		say "building the debug kernel failed (log: $log)"
		exit 1
	fi
	for f in arch/x86/boot/bzImage Module.symvers include/config/kernel.release; do
		[[ -s $tmp/$f ]] || { say "the debug kernel build left no $f (log: $log)"; exit 1; }
	done
	echo $((SECONDS - start)) >"$tmp/hwevent-build-seconds"
	mv -T "$tmp" "$dir"
	say "built the debug kernel $(cat "$dir/include/config/kernel.release") in $((SECONDS - start)) s"

	# Only the current key is kept: the trees are big.
	for old in "$cache"/kernel-debug-*; do
		[[ $old == "$dir" || ! -d $old ]] && continue
		say "removing the old debug kernel tree $old"
		rm -rf "$old"
	done
fi
printf '%s\n' "$dir"
