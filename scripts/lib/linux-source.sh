# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced helper: the few files hwevent uses from Debian's linux-source-6.1
# (the kselftest harness and runner, lib.mk, checkpatch.pl), unpacked once
# into a per-machine cache outside the clone. No kernel code is copied into
# the repository.
#
#   linux_source_dir   print the cache directory (it holds
#                      tools/testing/selftests/ and scripts/checkpatch.pl),
#                      unpacking the tarball first if needed
#   linux_source_check fail, saying what to install, if the tarball is missing
#   linux_source_version
#                      print the package version (the caches' key)
#   hwevent_cache      print the per-machine cache directory

LINUX_SOURCE_PKG=linux-source-6.1
LINUX_SOURCE_TARBALL=${LINUX_SOURCE_TARBALL:-/usr/src/$LINUX_SOURCE_PKG.tar.xz}

# Everything anyone needs, in one pass: decompressing the 130 MB tarball
# dominates (~8 s), so one extraction serves both ksft.sh and checkpatch.sh.
LINUX_SOURCE_MEMBERS=(
	tools/testing/selftests/kselftest
	'tools/testing/selftests/kselftest*.h'
	'tools/testing/selftests/kselftest*.sh'
	tools/testing/selftests/lib.mk
	tools/testing/selftests/run_kselftest.sh
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
)

linux_source_check() {
	if [[ ! -r $LINUX_SOURCE_TARBALL ]]; then
		echo "hwevent: $LINUX_SOURCE_TARBALL is missing: run scripts/deps.sh (package $LINUX_SOURCE_PKG)" >&2
		return 1
	fi
}

# Caches are keyed by the package version, so a source update re-extracts.
linux_source_version() {
	local version
	version=$(dpkg-query -W -f='${Version}' "$LINUX_SOURCE_PKG" 2>/dev/null || true)
	[[ -n $version ]] || version=unpackaged-$(stat -c %s-%Y "$LINUX_SOURCE_TARBALL")
	printf '%s\n' "$version"
}

hwevent_cache() {
	printf '%s\n' "${HWEVENT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hwevent}"
}

linux_source_dir() {
	local tarball=$LINUX_SOURCE_TARBALL version cache dir tmp top
	linux_source_check || return 1
	version=$(linux_source_version)
	cache=$(hwevent_cache)
	dir=$cache/ksft-$version
	if [[ ! -d $dir ]]; then
		mkdir -p "$cache"
		top=$(basename "$tarball" .tar.xz)
		tmp=$(mktemp -d "$cache/.ksft-$version.XXXXXX")
		echo "hwevent: unpacking kselftest and checkpatch from $tarball into $dir" >&2
		if ! tar -xJf "$tarball" -C "$tmp" --strip-components=1 --wildcards \
			"${LINUX_SOURCE_MEMBERS[@]/#/$top/}"; then
			rm -rf "$tmp"
			echo "hwevent: could not unpack $tarball" >&2
			return 1
		fi
		# Publish atomically; if a concurrent run won the race, use its copy.
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	fi
	printf '%s\n' "$dir"
}
