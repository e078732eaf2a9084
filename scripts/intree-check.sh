#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that hwevent builds inside a kernel tree, as it would upstream:
# unpack Debian's linux-source-6.1 into a temporary directory, copy
#   module/                        to drivers/misc/hwevent/
#   include/uapi/linux/hwevent.h   to include/uapi/linux/ (and hwecho.h)
#   selftests/                     to tools/testing/selftests/drivers/misc/hwevent/
# add one line each to drivers/misc/Kconfig and drivers/misc/Makefile,
# configure a tinyconfig kernel with CONFIG_HWEVENT=m, build vmlinux, then
# the module with the tree's own Kbuild (no M=) and W=1; then the same built
# in (CONFIG_HWEVENT=y) and linked into vmlinux; then the selftests with the
# tree's lib.mk, and install them.
#
# Every step prints "ok - ..." or "not ok - ..."; each is a check (a build,
# an unpack, an install: the tests are make check's), and the last lines are
#   intree-check: checks: K ok, L failed
#   intree-check: 0 passed, 0 failed           (tests: none here)
# The tree is removed at the end; the logs stay in build/intree-check/.
# About 7 minutes on 2 cores from a cold cache (410 s measured), most of it vmlinux.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=scripts/lib/linux-source.sh
. "$here/lib/linux-source.sh"

# Settings of an outer make (make intree-check M=... or W=...) or of the
# caller's shell would leak into the kernel's and lib.mk's makes.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES KBUILD_OUTPUT O M W OUTPUT \
	ARCH CROSS_COMPILE KCFLAGS INSTALL_PATH
# modinfo lives in /sbin.
PATH=$PATH:/usr/sbin:/sbin
jobs=$(nproc)

logs=$top/build/intree-check
rm -rf "$logs"
mkdir -p "$logs"

checks_ok=0
failed=0
start=$SECONDS
ok() { echo "ok - $*"; checks_ok=$((checks_ok + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
say() { echo "# $*"; }

work=
finish() {
	local rc=$?
	[[ -z $work ]] || rm -rf "$work"
	# A step that died without a verdict (set -e) still counts.
	((rc == 0 || failed > 0)) || not_ok "aborted (exit status $rc; logs in $logs)"
	say "took $((SECONDS - start)) s"
	echo "intree-check: checks: $checks_ok ok, $failed failed"
	echo "intree-check: 0 passed, 0 failed"
	((failed == 0)) || exit 1
	exit "$rc"
}
trap finish EXIT
# So that an interrupted run still removes its tree.
trap 'exit 130' INT
trap 'exit 143' TERM

# Run "$@" with its output in $logs/NAME.log; on failure show its tail.
logged() {
	local name=$1
	shift
	if "$@" >"$logs/$name.log" 2>&1; then
		return 0
	fi
	tail -n 20 "$logs/$name.log" | sed 's/^/#   /'
	return 1
}

# The named file's count of warnings (compiler and modpost).
warnings() {
	grep -ciE 'warning' "$logs/$1.log" || true
}

linux_source_check
cache=$(hwevent_cache)
mkdir -p "$cache"
# A run killed outright leaves its tree behind; its pid names it.
for old in "$cache"/intree.*; do
	[[ -d $old ]] || continue
	pid=${old#"$cache"/intree.}
	pid=${pid%%.*}
	kill -0 "$pid" 2>/dev/null || rm -rf "$old"
done
work=$(mktemp -d "$cache/intree.$$.XXXXXX")
tree=$work/linux
mkdir "$tree"

# --- the tree, with hwevent in it -------------------------------------------

say "unpacking $LINUX_SOURCE_TARBALL into $tree"
t=$SECONDS
if ! tar -xJf "$LINUX_SOURCE_TARBALL" -C "$tree" --strip-components=1; then
	not_ok "unpack $LINUX_SOURCE_TARBALL"
	exit 1
fi
ok "unpacked linux-source $(linux_source_version) ($((SECONDS - t)) s)"

mkdir "$tree/drivers/misc/hwevent"
cp "$top"/module/{Kbuild,Kconfig,*.c,*.h} "$tree/drivers/misc/hwevent/"
cp "$top"/include/uapi/linux/{hwevent,hwecho}.h "$tree/include/uapi/linux/"
tdir=$tree/tools/testing/selftests/drivers/misc/hwevent
mkdir -p "$tdir"
cp "$top"/selftests/{.gitignore,*} "$tdir/"
# The sources only: test programs a `make` at the top built (the ones
# .gitignore names) would look up to date to lib.mk and not be rebuilt.
(cd "$tdir" && grep -v '^#' .gitignore | xargs -r rm -f)

# The one line each: the Kconfig source before the menu's end, the Makefile
# line at its end. Then check that nothing else changed.
kconfig=$tree/drivers/misc/Kconfig
makefile=$tree/drivers/misc/Makefile
cp "$kconfig" "$work/Kconfig.orig"
cp "$makefile" "$work/Makefile.orig"
sed -i '$ { /^endmenu$/ i source "drivers/misc/hwevent/Kconfig"
}' "$kconfig"
# shellcheck disable=SC2016 # a make variable
echo 'obj-$(CONFIG_HWEVENT)		+= hwevent/' >>"$makefile"
added() { diff "$1" "$2" | grep -c '^[<>]' || true; }
if [[ $(added "$work/Kconfig.orig" "$kconfig") == 1 &&
      $(added "$work/Makefile.orig" "$makefile") == 1 ]] &&
   grep -qx 'source "drivers/misc/hwevent/Kconfig"' "$kconfig"; then
	ok "one line each added to drivers/misc/Kconfig and drivers/misc/Makefile"
else
	not_ok "adding one line each to drivers/misc/Kconfig and drivers/misc/Makefile (does Kconfig still end with endmenu?)"
	exit 1
fi

# --- configuration ----------------------------------------------------------

# tinyconfig has EXPERT, so EVENTFD can be chosen. UAPI_HEADER_TEST makes
# the vmlinux build compile every uAPI header, hwevent.h and hwecho.h with
# them, as C90.
# No HIGH_RES_TIMERS: hwevent's Kconfig does not need it.
options=(64BIT MODULES MODULE_UNLOAD EVENTFD HEADERS_INSTALL UAPI_HEADER_TEST)
configure() {
	local o args=()
	make -C "$tree" tinyconfig || return
	for o in "${options[@]}"; do
		args+=(-e "$o")
	done
	"$tree/scripts/config" --file "$tree/.config" "${args[@]}" -m HWEVENT || return
	make -C "$tree" olddefconfig
}
if ! logged config configure; then
	not_ok "make tinyconfig, scripts/config, make olddefconfig"
	exit 1
fi
missing=()
for o in "${options[@]}"; do
	grep -qx "CONFIG_$o=y" "$tree/.config" || missing+=("CONFIG_$o")
done
grep -qx 'CONFIG_HWEVENT=m' "$tree/.config" || missing+=("CONFIG_HWEVENT=m")
if ((${#missing[@]} == 0)); then
	ok "tinyconfig + ${options[*]}: CONFIG_HWEVENT=m survived olddefconfig"
else
	not_ok "olddefconfig dropped ${missing[*]} ($(grep -E '^(# )?CONFIG_HWEVENT[= ]' "$tree/.config" || echo 'CONFIG_HWEVENT absent'))"
	exit 1
fi

# --- the module -------------------------------------------------------------

# vmlinux first: without vmlinux.o modpost cannot resolve the module's
# symbols and warns about every one. W=1 is for the module only: the
# kernel's own warnings are not ours to count.
say "building vmlinux (tinyconfig; about 2 minutes on 2 cores)"
t=$SECONDS
vmlinux=0
if logged vmlinux make -C "$tree" -j"$jobs" vmlinux; then
	vmlinux=1
	ok "vmlinux built ($((SECONDS - t)) s)"
else
	not_ok "vmlinux build (log: $logs/vmlinux.log)"
fi

for h in hwevent hwecho; do
	if [[ -e $tree/usr/include/linux/$h.hdrtest ]]; then
		ok "include/uapi/linux/$h.h passes the tree's uAPI header test (C90, included twice)"
	else
		not_ok "no usr/include/linux/$h.hdrtest: the uAPI header test did not run or failed (log: $logs/vmlinux.log)"
	fi
done

if ((vmlinux)); then
	t=$SECONDS
	ko=$tree/drivers/misc/hwevent/hwevent.ko
	if logged module make -C "$tree" -j"$jobs" W=1 modules; then
		n=$(warnings module)
		if [[ -e $ko ]] && ((n == 0)); then
			ok "hwevent.ko built by the tree's Kbuild, make W=1 modules without M=: 0 warnings ($((SECONDS - t)) s)"
		else
			grep -iE 'warning' "$logs/module.log" | head -n 20 | sed 's/^/#   /'
			not_ok "make W=1 modules: $n warnings, hwevent.ko $([[ -e $ko ]] && echo built || echo missing) (log: $logs/module.log)"
		fi
	else
		not_ok "make W=1 modules (log: $logs/module.log)"
	fi

	# modpost marks modules built as part of the tree intree=Y.
	release=$(cat "$tree/include/config/kernel.release")
	if [[ -e $ko ]] &&
	   [[ $(modinfo -F intree "$ko") == Y ]] &&
	   [[ $(modinfo -F vermagic "$ko") == "$release "* ]] &&
	   grep -qx 'drivers/misc/hwevent/hwevent.ko' "$tree/modules.order"; then
		ok "modinfo: intree Y, vermagic $release; modules.order names drivers/misc/hwevent/hwevent.ko"
	else
		not_ok "hwevent.ko is not an in-tree module of $release (intree '$(modinfo -F intree "$ko" 2>/dev/null || true)', vermagic '$(modinfo -F vermagic "$ko" 2>/dev/null || true)')"
	fi

	# Built in, which the tristate offers too: the same sources with W=1
	# and no module around them, linked into vmlinux, where modpost checks
	# that nothing outside .init refers to __init code or data.
	builtin() {
		"$tree/scripts/config" --file "$tree/.config" -e HWEVENT &&
		make -C "$tree" olddefconfig &&
		grep -qx 'CONFIG_HWEVENT=y' "$tree/.config" &&
		make -C "$tree" -j"$jobs" W=1 drivers/misc/hwevent/ &&
		make -C "$tree" -j"$jobs" vmlinux
	}
	t=$SECONDS
	if logged builtin builtin; then
		n=$(grep -iE 'warning' "$logs/builtin.log" | grep -ciE 'hwevent' || true)
		if ((n == 0)) && grep -qw hwevent_init "$tree/System.map"; then
			ok "CONFIG_HWEVENT=y: built in with W=1 and linked into vmlinux, 0 warnings ($((SECONDS - t)) s)"
		else
			grep -iE 'warning' "$logs/builtin.log" | grep -iE 'hwevent' | head -n 20 | sed 's/^/#   /'
			not_ok "CONFIG_HWEVENT=y: $n warnings naming hwevent, hwevent_init $(grep -qw hwevent_init "$tree/System.map" && echo in || echo not in) System.map (log: $logs/builtin.log)"
		fi
	else
		not_ok "CONFIG_HWEVENT=y: make W=1 drivers/misc/hwevent/ and vmlinux (log: $logs/builtin.log)"
	fi
else
	not_ok "make W=1 modules: not run without vmlinux"
	not_ok "modinfo of hwevent.ko: not run without vmlinux"
	not_ok "CONFIG_HWEVENT=y: not run without vmlinux"
fi

# --- the selftests ----------------------------------------------------------

# lib.mk of 6.1 looks for the uAPI in usr/include (KHDR_INCLUDES) but no
# longer installs it: `make headers` is the documented first step.
ksft=$tree/tools/testing/selftests
if logged headers make -C "$tree" -j"$jobs" headers &&
   [[ -e $tree/usr/include/linux/hwevent.h ]]; then
	ok "make headers installed usr/include/linux/hwevent.h"
else
	not_ok "make headers: no usr/include/linux/hwevent.h (log: $logs/headers.log)"
fi

# The file names in the Makefile's variables "$@", as lib.mk sees them.
# shellcheck disable=SC2016 # make's $(VAR), not the shell's
listed() {
	make -s --no-print-directory -C "$tdir" \
		--eval "hwevent-list: ; @echo \$(notdir $(printf '$(%s) ' "$@"))" hwevent-list
}
t=$SECONDS
if logged selftests make -C "$ksft" -j"$jobs" TARGETS=drivers/misc/hwevent; then
	read -ra progs <<<"$(listed TEST_GEN_PROGS TEST_GEN_PROGS_EXTENDED)"
	absent=()
	for p in "${progs[@]}"; do
		[[ -x $tdir/$p ]] || absent+=("$p")
	done
	# EI_CLASS: 1 for 32-bit ELF, in both 32-bit programs.
	class=$(for p in hwevent_test_32 hwevent_queue_test_32; do
		od -An -tu1 -j4 -N1 "$tdir/$p" 2>/dev/null | tr -d ' ' || true
	done | sort -u | tr '\n' ' ')
	class=${class% }
	n=$(warnings selftests)
	if ((${#progs[@]} > 0 && ${#absent[@]} == 0 && n == 0)) && [[ $class == 1 ]]; then
		ok "selftests built with the tree's lib.mk: ${#progs[@]} programs (hwevent_test_32 and hwevent_queue_test_32 32-bit, hwevent_uring_test with liburing), 0 warnings ($((SECONDS - t)) s)"
	else
		grep -iE 'warning' "$logs/selftests.log" | head -n 20 | sed 's/^/#   /'
		not_ok "selftests: ${#progs[@]} programs, missing: ${absent[*]:-none}, $n warnings, hwevent_test_32 and hwevent_queue_test_32 ELF classes '${class:-none}' (log: $logs/selftests.log)"
	fi
else
	not_ok "make -C tools/testing/selftests TARGETS=drivers/misc/hwevent (log: $logs/selftests.log)"
fi

inst=$ksft/kselftest_install
if logged install make -C "$ksft" TARGETS=drivers/misc/hwevent install; then
	read -ra tests <<<"$(listed TEST_GEN_PROGS TEST_PROGS)"
	want=$(printf 'drivers/misc/hwevent:%s\n' "${tests[@]}" | sort)
	got=$("$inst/run_kselftest.sh" -l 2>/dev/null | sort || true)
	absent=()
	for p in "${tests[@]}"; do
		[[ -x $inst/drivers/misc/hwevent/$p ]] || absent+=("$p")
	done
	if ((${#tests[@]} > 0 && ${#absent[@]} == 0)) && [[ -f $inst/kselftest-list.txt && $got == "$want" ]]; then
		ok "selftests install: run_kselftest.sh and kselftest-list.txt name the ${#tests[@]} hwevent tests"
	else
		diff <(echo "$want") <(echo "$got") | sed 's/^/#   /' || true
		not_ok "selftests install: the list differs from the Makefile's tests (< wanted, > listed) or files are missing: ${absent[*]:-none}"
	fi
else
	not_ok "make -C tools/testing/selftests TARGETS=drivers/misc/hwevent install (log: $logs/install.log)"
fi
