#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb-check: build the Debian packages (scripts/deb-build.sh), lint
# them, install them with apt the way a user would, check that DKMS built
# hwevent.ko for every installed kernel and that hwevent-utils put its files
# in place (its examples, the samples, build from a copy), boot the standard (non-rt) kernel in QEMU with the installed
# CLI, kmod and exactly the module DKMS installed, and check there that the
# installed CLI loads that module with modprobe and unloads it at exit
# (scripts/guest/deb-check.sh; the kselftests are make check's, on the same
# kernel), then purge both packages and check that nothing is left behind.
#
# Needs root (CI is). It refuses to start when hwevent is already installed
# or known to dkms, so that everything it finds and removes is its own; a
# trap purges the packages again on any exit, and removes the group hwevent
# if this run created it (the package keeps the group on purge, as Debian
# packages keep system groups, but the check leaves the host as it found it).
#
# Prints "ok - ..." / "not ok - ..." lines and ends with the time it took,
#   deb-check: checks: K ok, L failed
#   deb-check: N passed, M failed
# The guest's lines (marked "(guest)": the installed CLI and module at work)
# are the tests; building, linting, installing, the files in place, the VM
# run itself and the purge are checks. Either kind failing fails the run.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
debs=$top/build/deb
logs=$top/build/deb-check
name=hwevent
packages=(hwevent-dkms hwevent-utils)
passed=0
failed=0
checks_ok=0
checks_failed=0
start=$SECONDS

ok() { echo "ok - $*"; checks_ok=$((checks_ok + 1)); }
not_ok() { echo "not ok - $*"; checks_failed=$((checks_failed + 1)); }
# Where the time went: "what N s" for each part done, in order.
times=()
mark=$SECONDS
timed() {
	times+=("$1 $((SECONDS - mark)) s")
	mark=$SECONDS
}
summary() {
	local parts=""
	((${#times[@]} == 0)) || parts=$(printf '%s, ' "${times[@]}")
	echo "deb-check: took $((SECONDS - start)) s${parts:+ (${parts%, })}"
	echo "deb-check: checks: $checks_ok ok, $checks_failed failed"
	echo "deb-check: $passed passed, $failed failed"
	exit $((failed + checks_failed > 0))
}
# A failed step whose log says why: its last lines, then where the rest is.
show_log() {
	tail -n 20 "$1" | sed 's/^/  | /'
	echo "  (all of it in $1)"
}

if ((EUID != 0)); then
	echo "deb-check: needs root: it installs and purges packages" >&2
	exit 1
fi

for pkg in "${packages[@]}"; do
	if [[ -n $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -v not-installed || true) ]]; then
		echo "deb-check: $pkg is installed (or not purged); apt-get purge it first" >&2
		exit 1
	fi
done
if compgen -G "/usr/src/$name-*" >/dev/null || [[ -e /var/lib/dkms/$name ]]; then
	echo "deb-check: $name is already known to dkms (/usr/src/$name-*, /var/lib/dkms/$name); remove it first" >&2
	exit 1
fi

"$top/scripts/deps.sh" deb

group_created=0
getent group "$name" >/dev/null || group_created=1

# apt and dpkg wait for a lock another apt holds (another checkout's
# scripts/deps.sh, say) rather than fail at once.
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

purge() {
	apt_get purge -y "${packages[@]}"
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local pkg
	for pkg in "${packages[@]}"; do
		if [[ -n $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -v not-installed || true) ]]; then
			purge >>"$logs/cleanup.log" 2>&1 || dpkg --purge "${packages[@]}" >>"$logs/cleanup.log" 2>&1 || true
			break
		fi
	done
	if ((group_created)) && getent group "$name" >/dev/null; then
		delgroup --system --quiet "$name" >/dev/null 2>&1 || groupdel "$name" || true
	fi
}
trap cleanup EXIT
# The EXIT trap runs on signals too, and CI's timeout sends TERM.
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$logs"
mkdir -p "$logs"

# --- build and lint -------------------------------------------------------

if "$top/scripts/deb-build.sh" >"$logs/build.log" 2>&1; then
	ok "make deb builds the packages ($(cd "$debs" && echo *.deb))"
else
	not_ok "make deb builds the packages"
	show_log "$logs/build.log"
	summary
fi
version=$(cd "$top" && dpkg-parsechangelog -S Version)
upstream=${version%-*}

# Errors fail (lintian's default --fail-on); warnings are shown, not counted.
lintian_rc=0
lintian "$debs"/*.changes >"$logs/lintian.log" 2>&1 || lintian_rc=$?
sed 's/^/  lintian: /' "$logs/lintian.log"
if ((lintian_rc == 0)); then
	ok "lintian finds no errors"
else
	not_ok "lintian finds no errors (status $lintian_rc)"
fi

timed "build and lintian"

# --- install --------------------------------------------------------------

# The build made exactly the two packages, so this is what a user types.
if (cd "$top" && apt_get install -y ./build/deb/*.deb) >"$logs/install.log" 2>&1; then
	ok "apt-get install ./build/deb/*.deb"
else
	not_ok "apt-get install ./build/deb/*.deb"
	show_log "$logs/install.log"
	summary
fi

conf=/usr/src/$name-$upstream/dkms.conf
if grep -qx "PACKAGE_VERSION=\"$upstream\"" "$conf" 2>/dev/null; then
	ok "$conf has PACKAGE_VERSION=\"$upstream\" (dh_dkms -V)"
else
	not_ok "$conf has PACKAGE_VERSION=\"$upstream\" (dh_dkms -V)"
fi

# Every kernel with headers: the postinst builds for all of them on a first
# install when the running kernel is not one of them (as here: the host's
# kernel has no modules).
std_kver=""
std_ko=""
kernels=0
for build in /lib/modules/*/build; do
	[[ -e $build/Makefile ]] || continue
	kver=$(basename "$(dirname "$build")")
	kernels=$((kernels + 1))
	if dkms status -m "$name" -v "$upstream" -k "$kver" | grep -q ': installed'; then
		ok "dkms status: $name/$upstream installed for $kver"
	else
		not_ok "dkms status: $name/$upstream installed for $kver ($(dkms status -m "$name" -k "$kver" | tr '\n' ' '))"
		log=/var/lib/dkms/$name/$upstream/build/make.log
		[[ ! -r $log ]] || show_log "$log"
		continue
	fi
	ko=$(modinfo -k "$kver" -n "$name" 2>/dev/null || true)
	magic=$( [[ -z $ko ]] || modinfo -F vermagic "$ko")
	if [[ $magic == "$kver "* ]]; then
		ok "modinfo: $ko, vermagic $kver"
	else
		not_ok "modinfo: $name for $kver (found '${ko:-nothing}', vermagic '$magic')"
		continue
	fi
	# The newest standard kernel is the one booted below (check.sh's
	# choice too); PREEMPT_RT has make check-rt.
	if [[ $kver != *-rt-* ]] && { [[ -z $std_kver ]] ||
	   [[ $(printf '%s\n' "$std_kver" "$kver" | sort -V | tail -n 1) == "$kver" ]]; }; then
		std_kver=$kver
		std_ko=$ko
	fi
done
((kernels > 0)) || not_ok "a kernel with headers is installed (/lib/modules/*/build)"

timed "install (DKMS builds)"

# --- hwevent-utils' files -------------------------------------------------

# lintian's test of a man page: groff's warnings while formatting it.
for prog in hwevent hwecho hwevent-bench; do
	if [[ -x /usr/bin/$prog ]] && "/usr/bin/$prog" --help >/dev/null; then
		ok "/usr/bin/$prog runs (--help)"
	else
		not_ok "/usr/bin/$prog runs (--help)"
	fi
	man1=/usr/share/man/man1/$prog.1.gz
	if [[ $(man -w "$prog" 2>/dev/null) == "$man1" ]] &&
	   LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$man1" 2>&1 >/dev/null |
		{ ! grep -q .; }; then
		ok "man page $prog(1) installed, no groff warnings"
	else
		not_ok "man page $prog(1) installed, no groff warnings"
	fi
done
# There is no dbgsym package (debian/rules): no debug files either.
debug_files=$(dpkg -L hwevent-utils | grep '^/usr/lib/debug' || true)
if [[ -z $debug_files ]]; then
	ok "hwevent-utils ships nothing under /usr/lib/debug"
else
	not_ok "hwevent-utils ships debug files: $(echo "$debug_files" | tr '\n' ' ')"
fi
rule=/usr/lib/udev/rules.d/70-hwevent.rules
for node in hwevent hwecho; do
	if grep -q "^SUBSYSTEM==\"misc\", KERNEL==\"$node\", GROUP=\"hwevent\", MODE=\"0660\"\$" "$rule" 2>/dev/null; then
		ok "udev rule $rule: /dev/$node group hwevent, mode 0660"
	else
		not_ok "udev rule $rule: /dev/$node group hwevent, mode 0660"
	fi
done
gid=$(getent group "$name" | cut -d: -f3 || true)
# Debian's system gids: 100-999 (adduser.conf FIRST_SYSTEM_GID..LAST_SYSTEM_GID).
if [[ -n $gid ]] && ((gid >= 100 && gid < 1000)); then
	ok "system group $name exists (gid $gid)"
else
	not_ok "system group $name exists (gid '${gid}')"
fi
example=/usr/share/doc/hwevent-utils/examples/modules-load.d/hwevent.conf
if grep -qx "$name" "$example" 2>/dev/null; then
	ok "modules-load.d example $example"
else
	not_ok "modules-load.d example $example"
fi

# The samples, as examples: built from a copy of them, as a user would,
# against the uAPI headers hwevent-dkms installed; the VM runs them.
examples=/usr/share/doc/hwevent-utils/examples/samples
samples=(pending eventfd queue_read queue_epoll uring_cmd echo edu)
missing=()
for f in "${samples[@]/%/.c}" Makefile README.md; do
	[[ -r $examples/$f ]] || missing+=("$f")
done
if ((${#missing[@]} == 0)); then
	ok "examples $examples: the ${#samples[@]} samples, their Makefile and README.md"
else
	not_ok "examples $examples: missing ${missing[*]}"
fi
uapi=/usr/src/$name-$upstream/include/uapi
sample_dir=$logs/samples
rm -rf "$sample_dir"
cp -R "$examples" "$sample_dir"
if make -C "$sample_dir" >"$logs/samples.log" 2>&1 &&
   grep -qF -- "-I$uapi " "$logs/samples.log" &&
   ! grep -qiw warning "$logs/samples.log"; then
	ok "the examples build from a copy with their Makefile, against $uapi, no warnings"
else
	not_ok "the examples build from a copy with their Makefile, against $uapi, no warnings"
	show_log "$logs/samples.log"
fi

timed "files"

# --- the installed CLI and the DKMS-built module in the VM -----------------

# Not the kselftest suite: make check runs it on this same kernel image,
# from the same sources. Here the guest gets what the packages installed:
# /usr/bin/hwevent, kmod, the module DKMS built for the kernel and the
# module index DKMS's depmod wrote, and scripts/guest/deb-check.sh checks
# that the installed CLI loads that module through modprobe, unloads it at
# exit, and fails clearly when it cannot, and that the examples built
# above run against that module (its plan: "guest-plan N").
if [[ -z $std_kver ]]; then
	not_ok "a standard (non-rt) kernel with the DKMS-built module to boot"
else
	vm_args=(
		--kernel "/boot/vmlinuz-$std_kver" --kernel-log "$logs/kernel.log"
		--timeout 600
		--add "$top/scripts/guest/deb-check.sh:/deb-check.sh"
		--add /usr/bin/hwevent --add /bin/kmod
		--add "$std_ko" --add "$sample_dir:/samples"
		--env "HWEVENT_KVER=$std_kver" --env "HWEVENT_KO=$std_ko"
		--env HWEVENT_SAMPLES=/samples
	)
	for f in "/lib/modules/$std_kver"/modules.*; do
		vm_args+=(--add "$f")
	done
	# The lock only around the VM: other checkouts boot VMs on this machine.
	echo "deb-check: booting $std_kver with $std_ko (waits while /tmp/hwevent-vm.lock is held)"
	vm_start=$SECONDS
	vm_rc=0
	flock /tmp/hwevent-vm.lock "$top/scripts/vm-run" "${vm_args[@]}" -- /deb-check.sh \
		>"$logs/guest.log" 2>&1 || vm_rc=$?
	vm_secs=$((SECONDS - vm_start))
	# The guest's check lines count as they are; the rest is evidence.
	guest_ok=0
	guest_not_ok=0
	while IFS= read -r line; do
		case $line in
		"ok - "*)
			echo "$line (guest)"
			passed=$((passed + 1))
			guest_ok=$((guest_ok + 1))
			;;
		"not ok - "*)
			echo "$line (guest)"
			failed=$((failed + 1))
			guest_not_ok=$((guest_not_ok + 1))
			;;
		"  | "*) echo "$line" ;;
		esac
	done < <(tr -d '\r' <"$logs/guest.log")
	plan=$(sed -n 's/^guest-plan \([0-9]*\)\r*$/\1/p' "$logs/guest.log" | head -n 1)
	if [[ -n $plan ]] && ((guest_ok + guest_not_ok == plan)); then
		ok "the guest reported all its $plan checks (VM ran ${vm_secs}s)"
	else
		not_ok "the guest reported all its ${plan:-?} checks (got $((guest_ok + guest_not_ok)); scripts/vm-run status $vm_rc)"
		show_log "$logs/guest.log"
	fi
	if ((vm_rc == 0)); then
		ok "VM exited cleanly"
	else
		not_ok "VM exited cleanly (scripts/vm-run status $vm_rc)"
	fi
	if "$top/scripts/klog-check" "$logs/kernel.log" >"$logs/klog-check.log" 2>&1; then
		ok "kernel log clean ($logs/kernel.log)"
	else
		not_ok "kernel log clean"
		head -n 40 "$logs/klog-check.log"
	fi
fi

timed "the VM"

# --- purge ------------------------------------------------------------------

if purge >"$logs/purge.log" 2>&1; then
	ok "apt-get purge -y ${packages[*]}"
else
	not_ok "apt-get purge -y ${packages[*]}"
	show_log "$logs/purge.log"
fi
left=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ -z $status || $status == *not-installed ]] || left+=("dpkg: $pkg $status")
done
while IFS= read -r f; do
	left+=("$f")
done < <(find /usr/src -maxdepth 1 -name "$name-*"
	find /var/lib/dkms -maxdepth 1 -name "$name"
	find /lib/modules/ -name "$name.ko*"
	find /usr/lib/udev/rules.d /lib/udev/rules.d /etc/udev/rules.d -name '*hwevent*' 2>/dev/null
	find /usr/bin /usr/share/man/man1 -name 'hwevent*'
	find /usr/share/doc -maxdepth 1 -name 'hwevent-*')
if ((${#left[@]} == 0)); then
	ok "nothing left behind after purge"
else
	not_ok "left behind after purge: ${left[*]}"
fi
timed "purge"
# Kept on purge on purpose (see debian/hwevent-utils.postinst); the trap
# removes it when this run created it.
if getent group "$name" >/dev/null; then
	ok "group $name kept after purge (a system group outlives the package)"
else
	not_ok "group $name kept after purge (a system group outlives the package)"
fi

summary
