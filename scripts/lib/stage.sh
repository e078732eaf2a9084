# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by check.sh, demo.sh and shell.sh: pick the kernel to boot, build
# everything against its headers, stage the guest's files under
# build/stage/, and boot it with scripts/vm-run.
#
#   stage_pick_kernel [rt]
#                       set KVER, KIMAGE, KDIR: the newest /boot/vmlinuz-<ver>
#                       with /lib/modules/<ver>/build, leaving out PREEMPT_RT
#                       (-rt-) kernels; with "rt", only those.
#                       HWEVENT_KERNEL_VERSION (HWEVENT_RT_KERNEL_VERSION
#                       with "rt") overrides
#   stage_use_tree DIR  set KVER, KIMAGE, KDIR for a built kernel tree (the
#                       debug kernel of scripts/debug-kernel.sh)
#   stage_build         make KDIR=$KDIR all
#   stage_tree [PHASES] fill $STAGE (see below)
#   stage_vm_run ARGS   scripts/vm-run with the kernel, the staged tree and
#                       the guest environment, plus ARGS
#
# The guest tree ($STAGE):
#   /hwevent/hwevent.ko                    the module ($HWEVENT_KO; taken from
#                                          $HWEVENT_KO_FILE if set, else
#                                          module/hwevent.ko)
#   /hwevent/bin/hwevent                   the CLI (on PATH)
#   /hwevent/bin/hwecho                    the echo device's CLI (on PATH)
#   /hwevent/bin/hwevent-bench             the benchmark (make bench, and
#                                          its short run in the selftests)
#   /hwevent/samples/                      the programs of samples/
#                                          (selftests/hwevent_samples.sh,
#                                          $HWEVENT_SAMPLES)
#   /hwevent/*.sh                          scripts/guest/*
#   /hwevent/phases                        the PHASES file, if given
#   /kselftest/kselftest/runner.sh         the kernel's kselftest runner
#   /kselftest/kselftest-list.txt          collection:test, as run_kselftest.sh
#   /kselftest/drivers/misc/hwevent/       the tests (lib.mk's install)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STAGE=$ROOT/build/stage
# Where the tests sit in a kernel tree: their kselftest collection.
KSFT_COLLECTION=drivers/misc/hwevent
GUEST_KO=/hwevent/hwevent.ko
GUEST_PATH=/hwevent/bin:/usr/sbin:/usr/bin:/sbin:/bin

# shellcheck disable=SC2120 # the argument is optional
stage_pick_kernel() {
	local flavour=${1:-} v rt want_rt=0 kind=""
	if [[ $flavour == rt ]]; then
		want_rt=1
		kind="PREEMPT_RT "
		KVER=${HWEVENT_RT_KERNEL_VERSION:-}
	else
		KVER=${HWEVENT_KERNEL_VERSION:-}
	fi
	if [[ -z $KVER ]]; then
		# Newest first; only kernels we can also build the module for. The
		# installed rt kernel must not change what plain make check boots.
		while read -r v; do
			rt=0
			[[ $v == *-rt-* ]] && rt=1
			if ((rt == want_rt)) && [[ -e /lib/modules/$v/build/Makefile ]]; then
				KVER=$v
				break
			fi
		done < <(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' |
			sed 's/^vmlinuz-//' | sort -rV)
	fi
	if [[ -z $KVER ]]; then
		echo "hwevent: no ${kind}/boot/vmlinuz-<ver> with /lib/modules/<ver>/build: run scripts/deps.sh $flavour" >&2
		return 1
	fi
	KIMAGE=/boot/vmlinuz-$KVER
	KDIR=/lib/modules/$KVER/build
	if [[ ! -r $KIMAGE || ! -e $KDIR/Makefile ]]; then
		echo "hwevent: kernel $KVER needs $KIMAGE and $KDIR (linux-image/linux-headers)" >&2
		return 1
	fi
	echo "hwevent: guest kernel $KVER ($KIMAGE)"
}

stage_use_tree() {
	KDIR=$1
	KIMAGE=$KDIR/arch/x86/boot/bzImage
	KVER=$(cat "$KDIR/include/config/kernel.release")
	echo "hwevent: guest kernel $KVER ($KIMAGE)"
}

stage_build() {
	make -C "$ROOT" KDIR="$KDIR" all
}

# shellcheck disable=SC2120 # the argument is optional
stage_tree() {
	local phases=${1:-} ksft make_args
	ksft=$("$ROOT/scripts/ksft.sh")
	make_args=(-C "$ROOT/selftests" KSFT_DIR="$ksft" OUTPUT="$ROOT/selftests"
		HWEVENT_CFLAGS=-I"$ROOT/include/uapi")

	# From scratch every time: a stale file must never pass for a new one.
	rm -rf "$STAGE"
	mkdir -p "$STAGE/hwevent/bin" "$STAGE/kselftest/kselftest"
	cp "${HWEVENT_KO_FILE:-$ROOT/module/hwevent.ko}" "$STAGE/hwevent/hwevent.ko"
	cp "$ROOT/user/hwevent" "$ROOT/user/hwecho" "$ROOT/user/hwevent-bench" \
		"$STAGE/hwevent/bin/"
	mkdir "$STAGE/hwevent/samples"
	# Each program of samples/, built from its .c (samples/Makefile).
	for c in "$ROOT"/samples/*.c; do
		cp "${c%.c}" "$STAGE/hwevent/samples/"
	done
	cp "$ROOT"/scripts/guest/*.sh "$STAGE/hwevent/"
	[[ -z $phases ]] || cp "$phases" "$STAGE/hwevent/phases"
	cp "$ksft/kselftest/runner.sh" "$ksft/kselftest/prefix.pl" "$STAGE/kselftest/kselftest/"

	make -s "${make_args[@]}" install INSTALL_PATH="$STAGE/kselftest/$KSFT_COLLECTION"
	# lib.mk's emit_tests lists TEST_GEN_PROGS and TEST_PROGS (not the
	# _EXTENDED helpers), exactly what run_kselftest.sh would run.
	make -s --no-print-directory "${make_args[@]}" emit_tests \
		COLLECTION="$KSFT_COLLECTION" >"$STAGE/kselftest/kselftest-list.txt"
	if [[ ! -s $STAGE/kselftest/kselftest-list.txt ]]; then
		echo "hwevent: selftests/ lists no tests (emit_tests is empty)" >&2
		return 1
	fi
}

# coreutils' timeout: the kselftest runner uses /usr/bin/timeout, if there
# is one, to hold each test to its "settings" timeout (busybox's lacks the
# --foreground option the runner passes). cyclictest (rt-tests, installed by
# scripts/deps.sh): the timer wake-up latency that selftests/hwevent_load
# measures beside its load, and make bench. Every guest has QEMU's edu PCI
# device, which hwevent binds (module/edu.c).
stage_vm_run() {
	"$ROOT/scripts/vm-run" --kernel "$KIMAGE" --device edu \
		--add "$STAGE/hwevent:/hwevent" --add "$STAGE/kselftest:/kselftest" \
		--add /usr/bin/timeout:/usr/bin/timeout \
		--add /usr/bin/cyclictest:/usr/bin/cyclictest \
		--env PATH="$GUEST_PATH" --env HWEVENT_KO="$GUEST_KO" \
		--env HWEVENT_SAMPLES=/hwevent/samples \
		--env HWEVENT_TESTS="/kselftest/$KSFT_COLLECTION" "$@"
}
