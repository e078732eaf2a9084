#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building and testing hwevent need.
# Idempotent: apt is only touched when something is missing, so a warm
# machine pays nothing and needs no network.
#
#   scripts/deps.sh [debug] [rt] [matrix] [deb] [bench]
#
# "debug" adds what building the debug kernel of make check-debug needs,
# "rt" the PREEMPT_RT kernel and headers of make check-rt, "deb" what
# make deb and make deb-check need to build and check the Debian packages,
# "bench" gnuplot for make bench. The rt kernel is a separate
# set because installing a second kernel image adds a boot entry
# to a developer's machine; plain make check must not do that.
set -euo pipefail

packages=(
	build-essential		# gcc, make: the module, the CLI, the selftests
	linux-image-amd64	# the kernel booted in QEMU
	linux-headers-amd64	# ... and its headers, to build the module against
	linux-source-6.1	# kselftest harness, lib.mk and checkpatch.pl
	qemu-system-x86		# the VM (the host kernel cannot load modules)
	busybox-static		# the guest userland
	kmod			# modinfo/depmod for the kernel build
	cpio gzip		# the initramfs
	xz-utils		# unpacking linux-source
	rsync			# lib.mk's install target
	sparse			# make C=1
	gcc-multilib libc6-dev-i386	# 32-bit test programs (compat ioctl)
	liburing-dev		# hwevent_uring_test: io_uring reads of the queue
	perl			# checkpatch.pl, kselftest prefix.pl
	dkms			# make dkms-check
	rt-tests		# cyclictest: the timer wake-up latency beside
				# selftests/hwevent_load.c (make check), and make bench
)
packages_debug=(
	flex bison		# the kernel's Kconfig and dtc parsers
	bc			# kernel/time constants
	libelf-dev		# objtool (the ORC unwinder)
	util-linux		# flock: one debug kernel build at a time
)
packages_rt=(
	linux-image-rt-amd64	# the PREEMPT_RT kernel booted by make check-rt
	linux-headers-rt-amd64	# ... and its headers
)

packages_bench=(
	gnuplot-nox		# make bench's plots (cyclictest is in the base set)
)
packages_matrix=(
	debootstrap		# a chroot per suite, with the compiler its kernels need
)
# No fakeroot: debian/control says Rules-Requires-Root: no, so
# dpkg-buildpackage runs no target as (fake) root.
packages_deb=(
	dpkg-dev		# dpkg-buildpackage
	debhelper		# dh, debhelper-compat 13
	dh-dkms			# dh_dkms: hwevent-dkms's dkms.conf and maintainer scripts
	lintian			# make deb-check lints the built packages
)

for set in "$@"; do
	case $set in
	debug) packages+=("${packages_debug[@]}") ;;
	rt) packages+=("${packages_rt[@]}") ;;
	matrix) packages+=("${packages_matrix[@]}") ;;
	deb) packages+=("${packages_deb[@]}") ;;
	bench) packages+=("${packages_bench[@]}") ;;
	*)
		echo "usage: $0 [debug] [rt] [matrix] [deb] [bench]" >&2
		exit 2
		;;
	esac
done

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	echo "hwevent: all ${#packages[@]} needed packages are installed"
	exit 0
fi

sudo=()
if ((EUID != 0)); then
	command -v sudo >/dev/null || {
		echo "hwevent: need root (or sudo) to install: ${missing[*]}" >&2
		exit 1
	}
	sudo=(sudo)
fi

echo "hwevent: installing ${missing[*]}"
"${sudo[@]}" apt-get -o Acquire::Retries=3 update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${missing[@]}"
