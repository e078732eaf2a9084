#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make matrix: build hwevent for each Debian kernel a user can install and
# run the selftests on it, booted in QEMU; then print a table.
#
#   scripts/matrix.sh [NAME...]      the kernels named (default: all)
#   scripts/matrix.sh --list         the names
#   scripts/matrix.sh --build-only [NAME...]
#                                    build only, boot nothing
#
# MATRIX_BOTTOM_HALVES="tasklet bh_work" (environment or make variable):
# run the suite only with those of the named bottom halves each kernel has
# (default: every one it has). CI uses it to leave out the thread pass,
# which make check and make check-debug run.
#
# Per kernel: the kernel image and its headers come from that kernel's
# suite through apt, inside a debootstrap chroot of the suite whose
# compiler built the kernel (bullseye: gcc-10, bookworm: gcc-12, sid: the
# newest). The module is built there with W=1 (warnings counted); the CLI
# and the tests, which are ordinary programs, are built once here. Then
# scripts/check.sh boots the image with that module and runs the suite.
#
# The chroots, with the kernels installed in them, are cached per machine
# as ${HWEVENT_CACHE:-~/.cache/hwevent}/chroot-<suite>; the machine's own
# apt state is never touched. The mirror is the one the
# machine's apt sources name.
#
# The last two lines are the sums: "hwevent-matrix: checks: K ok, L failed"
# (per kernel: its setup, its build, a W=1 build without warnings, and its
# test run's checks: VM, kernel log, module load, ...) and "hwevent-matrix:
# N passed, M failed[, K skipped]", the test cases of every kernel's run. A
# kernel whose setup or build fails, or whose run ends without a summary,
# is a failed check; the other kernels still run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/apt-mirror.sh
. "$ROOT/scripts/lib/apt-mirror.sh"
# shellcheck source=scripts/lib/linux-source.sh
. "$ROOT/scripts/lib/linux-source.sh"
# shellcheck source=scripts/lib/module-src.sh
. "$ROOT/scripts/lib/module-src.sh"

# name  chroot  suites (the first is the one the kernel comes from)  flavour
KERNELS="
5.10      bullseye  bullseye                   -
6.1       bookworm  bookworm                   -
6.1-rt    bookworm  bookworm                   rt
6.12      bookworm  bookworm-backports         -
6.12-rt   bookworm  bookworm-backports         rt
7.2       sid       sid                        -
7.2-rt    sid       sid                        rt
7.3-rc    sid       experimental               -
"

say() {
	echo "hwevent-matrix: $*" >&2
}

# expected_skips BUILD-LOG CHECK-LOG NAME: how many of the run's skipped
# cases the kernel explains, each said. The module's own feature detection
# decides: without ->uring_cmd (before 5.19) it builds no uring.o, and the
# io_uring command cases skip: FIXTURE(ucmd) and FIXTURE(edu_uring) (the
# device's commands, hwevent_edu_test), and the CLI's --uring cases
# (hwevent_cli.sh, "# SKIP no io_uring commands"). Any other skip, or these
# on a kernel with uring.o, stays unexplained and fails the matrix.
expected_skips() {
	local build_log=$1 check_log=$2 name=$3 n=0
	if ! grep -q 'uring\.o' "$build_log"; then
		n=$(grep -cE "^hwevent-$name: SKIP: .*: [0-9]+ (ucmd\.|edu_uring\.|.*# SKIP no io_uring commands)" "$check_log" || true)
		((n == 0)) || say "$name: $n case(s) skipped as expected: no io_uring commands (->uring_cmd) before 5.19"
	fi
	echo "$n"
}

# expected_check_skips BUILD-LOG CHECK-LOG NAME: the same for checks, which
# check.sh counts as failed when skipped: without uring.o, hwevent-bench
# reports its uring-cmd checks (latency, fan-out) unavailable, each a
# "# SKIP unavailable: <why>" of selftests/hwevent_bench.sh.
expected_check_skips() {
	local build_log=$1 check_log=$2 name=$3 n=0
	if ! grep -q 'uring\.o' "$build_log"; then
		n=$(grep -cE "^hwevent-$name: FAIL: check skipped: .*hwevent_bench\.sh: [0-9]+ - [^#]*uring-cmd # SKIP unavailable: " "$check_log" || true)
		((n == 0)) || say "$name: $n hwevent-bench check(s) skipped as expected: uring-cmd unavailable, no io_uring commands (->uring_cmd) before 5.19"
	fi
	echo "$n"
}

# chroot_ready SUITE: a minimal chroot of SUITE with make, cached; echo it.
chroot_ready() {
	local suite=$1 dir tmp mirror
	dir=$(hwevent_cache)/chroot-$suite
	if [[ ! -e $dir/.hwevent-ready ]]; then
		mirror=$(apt_mirror) || return 1
		tmp=$dir.tmp
		rm -rf "$tmp" || return 1
		say "debootstrap $suite into $dir (once per machine)"
		debootstrap --variant=minbase --include=make,ca-certificates \
			--keyring="$APT_KEYRING" "$suite" "$tmp" "$mirror" >"$tmp.log" 2>&1 || {
			tail -n 20 "$tmp.log" >&2
			return 1
		}
		rm -rf "$dir" &&
			mv "$tmp" "$dir" &&
			mv "$tmp.log" "$dir/debootstrap.log" &&
			touch "$dir/.hwevent-ready" || return 1
	fi
	echo "$dir"
}

# in_chroot DIR CMD...: run CMD in the chroot, without the host's locale,
# with /proc mounted (objtool and dpkg want it) in a mount namespace of its
# own, so that nothing stays mounted when it ends. Where this script itself
# runs in a chroot whose / is no mount point (../shared/tools/fresh-machine.sh),
# unshare cannot make / private: then the namespace is left out, and the
# /proc mounted for CMD is unmounted after it either way.
in_chroot() {
	local ns=(unshare --mount --propagation private)

	unshare --mount --propagation private true 2>/dev/null || ns=()
	# shellcheck disable=SC2016 # expanded by the inner sh
	LC_ALL=C DEBIAN_FRONTEND=noninteractive "${ns[@]}" \
		sh -c 'mount -t proc proc "$1/proc" || exit
			chroot "$@"
			rc=$?
			umount "$1/proc" || rc=1
			exit $rc' sh "$@"
}

# chroot_suites DIR ROOT: the chroot's apt also sees the other suites that
# kernels of KERNELS built in chroot ROOT come from; its lists are
# refreshed at most once a day. (Called in an if: set -e is off there, so
# every step says "|| return 1" itself.)
chroot_suites() {
	local dir=$1 root=$2 suite mirror
	mirror=$(apt_mirror) || return 1
	awk -v r="$root" '$2 == r && $3 != r { print $3 }' <<<"$KERNELS" | sort -u |
		while read -r suite; do
			echo "deb $mirror $suite main"
		done >"$dir/etc/apt/sources.list.d/hwevent.list" || return 1
	# The mirror may be a snapshot whose Release files are past their
	# Valid-Until; the signatures are still checked.
	echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99hwevent" || return 1
	if [[ -z $(find "$dir/.hwevent-updated" -mmin -1440 2>/dev/null) ]]; then
		in_chroot "$dir" apt-get -qq -o Acquire::Retries=3 -o APT::Update::Error-Mode=any \
			update >&2 || return 1
		touch "$dir/.hwevent-updated" || return 1
	fi
}

# install_kernel DIR SUITE FLAVOUR: install that kernel, its headers and
# what its Kbuild runs into the chroot; set KVER, KIMAGE (on the host) and
# KHEADERS (the headers' path in the chroot). Called in an if, where set -e
# is off: every step that can fail says "|| return 1".
install_kernel() {
	local dir=$1 suite=$2 flavour=$3 meta cand pkgs
	meta=linux-headers-amd64
	[[ $flavour != rt ]] || meta=linux-headers-rt-amd64
	# The versioned package the meta-package stands for today.
	cand=$(in_chroot "$dir" apt-cache -t "$suite" policy "$meta" |
		awk '/Candidate:/ { print $2 }') || return 1
	if [[ -z $cand || $cand == "(none)" ]]; then
		say "$suite: no candidate for $meta"
		return 1
	fi
	KHEADERS=$(in_chroot "$dir" apt-cache show "$meta=$cand" 2>/dev/null |
		sed -n 's/^Depends: //p' | grep -oE 'linux-headers-[0-9][^ ,]*-amd64' | head -n 1)
	if [[ -z $KHEADERS ]]; then
		say "$suite: no $meta to install"
		return 1
	fi
	KVER=${KHEADERS#linux-headers-}
	# perl: W=1 runs kernel-doc; dwarves: pahole, for BTF, where Kbuild
	# wants it. The image comes along (the headers depend on it) and is
	# only unpacked: nothing boots it here but QEMU.
	pkgs=("$KHEADERS" "linux-image-$KVER" make perl)
	in_chroot "$dir" apt-cache show dwarves >/dev/null 2>&1 && pkgs+=(dwarves)
	if ! in_chroot "$dir" apt-get -qq -t "$suite" install -y --no-install-recommends \
		"${pkgs[@]}" >&2; then
		say "$suite: apt-get install ${pkgs[*]} failed"
		return 1
	fi
	KHEADERS=/usr/src/$KHEADERS
	KIMAGE=$dir/boot/vmlinuz-$KVER
	# From 7.x the image lives with the modules.
	[[ -e $KIMAGE ]] || KIMAGE=$dir/usr/lib/modules/$KVER/vmlinuz
	if [[ ! -r $KIMAGE ]]; then
		say "$KVER: no vmlinuz in the chroot's /boot or /usr/lib/modules/$KVER"
		return 1
	fi
}

# build_module DIR LOG: build module/ in the chroot against $KHEADERS, W=1;
# the module ends up in $BUILT_KO.
build_module() {
	local dir=$1 log=$2 src=/tmp/hwevent-src
	: >"$log"
	rm -rf "${dir:?}$src" || return 1
	module_src_copy "$ROOT" "$dir$src" || return 1
	in_chroot "$dir" make -C "$KHEADERS" M="$src/module" W=1 modules >"$log" 2>&1 || return 1
	BUILT_KO=$(dirname "$log")/hwevent.ko
	cp "$dir$src/module/hwevent.ko" "$BUILT_KO" || return 1
}

if [[ ${1:-} == --list ]]; then
	awk 'NF { print $1 }' <<<"$KERNELS"
	exit 0
fi
build_only=0
if [[ ${1:-} == --build-only ]]; then
	build_only=1
	shift
fi
wanted=("$@")
if ((${#wanted[@]} == 0)); then
	mapfile -t wanted < <(awk 'NF { print $1 }' <<<"$KERNELS")
fi

"$ROOT/scripts/deps.sh" matrix
out=$ROOT/build/matrix
rm -rf "$out"
mkdir -p "$out"
# Tests (the kernels' test cases) and checks, counted apart.
passed=0
failed=0
skipped=0
# Skips a kernel explains (expected_skips), apart from the rest.
skipped_expected=0
checks_ok=0
checks_failed=0
check_ok() { checks_ok=$((checks_ok + 1)); }
check_failed() {
	checks_failed=$((checks_failed + 1))
	say "FAIL: check: $*"
}
rows=()
start=$SECONDS

for want in "${wanted[@]}"; do
	read -r name root suite flavour < <(awk -v n="$want" '$1 == n' <<<"$KERNELS") || true
	if [[ -z ${name:-} ]]; then
		say "unknown kernel '$want' (--list names them)"
		exit 2
	fi
	mkdir -p "$out/$name"
	log=$out/$name/build.log
	kver="?" build=fail warnings=- tests=- reports=-
	t0=$SECONDS
	say "=== $name: $suite"
	# apt's and debootstrap's chatter goes to the kernel's setup.log.
	if { dir=$(chroot_ready "$root") &&
		chroot_suites "$dir" "$root" &&
		install_kernel "$dir" "$suite" "$flavour"; } 2>"$out/$name/setup.log"; then
		kver=$KVER
		check_ok
		if build_module "$dir" "$log"; then
			build=ok
			check_ok
			warnings=$(grep -ciE '\bwarning\b' "$log" || true)
			if ((warnings == 0)); then
				check_ok
			else
				check_failed "$name: the W=1 build has $warnings warning(s)"
				grep -iE '\bwarning\b' "$log" | head -n 10 >&2 || true
			fi
			if ((build_only)); then
				rows+=("$(printf '| %-8s | %-28s | %-5s | %-8s | %-11s | %-7s | %4d s |' \
					"$name" "$kver" "$build" "$warnings" - - $((SECONDS - t0)))")
				continue
			fi
			# The whole suite, booted; check.sh counts it.
			check_rc=0
			HWEVENT_KIMAGE=$KIMAGE HWEVENT_KVER=$KVER HWEVENT_KO_FILE=$BUILT_KO \
				HWEVENT_CHECK_NAME=hwevent-$name \
				"$ROOT/scripts/check.sh" image >"$out/$name/check.log" 2>&1 || check_rc=$?
			# A run that died without its summary is a failed check, and
			# the next kernel still runs.
			summary=$(grep -E "^hwevent-$name: [0-9]+ passed" "$out/$name/check.log" | tail -n 1 || true)
			checks=$(grep -E "^hwevent-$name: checks: " "$out/$name/check.log" | tail -n 1 || true)
			if [[ $summary =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]]; then
				p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
				tests="$p/$((p + f + s))"
				passed=$((passed + p))
				failed=$((failed + f))
				skipped=$((skipped + s))
				if ((s > 0)); then
					e=$(expected_skips "$log" "$out/$name/check.log" "$name")
					# ... and those check.sh explained (said in its log).
					x=$(sed -n "s/^hwevent-$name: \([0-9]*\) skip(s) explained: .*/\1/p" "$out/$name/check.log" | tail -n 1)
					skipped_expected=$((skipped_expected + e + ${x:-0}))
				fi
			else
				check_failed "$name: scripts/check.sh image printed no summary (status $check_rc; see $out/$name/check.log)"
				tail -n 20 "$out/$name/check.log" >&2 || true
			fi
			if [[ $checks =~ checks:\ ([0-9]+)\ ok,\ ([0-9]+)\ failed ]]; then
				checks_ok=$((checks_ok + BASH_REMATCH[1]))
				cf=${BASH_REMATCH[2]}
				# Skipped checks the kernel explains: not passed, not failed.
				((cf == 0)) || cf=$((cf - $(expected_check_skips "$log" "$out/$name/check.log" "$name")))
				checks_failed=$((checks_failed + cf))
			elif [[ -n $summary ]]; then
				check_failed "$name: scripts/check.sh image printed no checks line"
			fi
			if grep -q "^hwevent-$name: FAIL: check: kernel log clean" "$out/$name/check.log"; then
				reports=yes
			elif [[ -n $summary ]]; then
				reports=none
			fi
			# Failures first: a long list of explained skips must not hide one.
			{
				grep -E "^hwevent-$name: FAIL" "$out/$name/check.log" || true
				grep -E "^hwevent-$name: SKIP" "$out/$name/check.log" || true
			} | head -n 30 >&2
			if ((check_rc != 0)) && [[ -n $summary && $summary =~ \ 0\ failed$ && $checks =~ \ 0\ failed$ ]]; then
				check_failed "$name: scripts/check.sh image exits 0 (status $check_rc)"
			fi
		else
			check_failed "$name: the module builds (see $log)"
			tail -n 30 "$log" >&2 || true
		fi
	else
		check_failed "$name: the kernel and its headers are installed in a $root chroot (see $out/$name/setup.log)"
		tail -n 20 "$out/$name/setup.log" >&2 || true
	fi
	rows+=("$(printf '| %-8s | %-28s | %-5s | %-8s | %-11s | %-7s | %4d s |' \
		"$name" "$kver" "$build" "$warnings" "$tests" "$reports" $((SECONDS - t0)))")
done

{
	echo
	echo "| kernel   | version                      | build | warnings | tests       | reports | time   |"
	echo "| -------- | ---------------------------- | ----- | -------- | ----------- | ------- | ------ |"
	printf '%s\n' "${rows[@]}"
	echo
} | tee "$out/table.md"
echo "hwevent-matrix: logs in $out; took $((SECONDS - start)) s"
echo "hwevent-matrix: checks: $checks_ok ok, $checks_failed failed"
summary="hwevent-matrix: $passed passed, $failed failed"
((skipped == 0)) || summary+=", $skipped skipped"
echo "$summary"
# A skip is never a pass; one the kernel explains is not a failure either.
((failed == 0 && skipped == skipped_expected && checks_failed == 0))
