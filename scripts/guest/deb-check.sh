#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM of make deb-check (busybox sh), on the standard kernel
# $HWEVENT_KVER, with what the Debian packages installed on the host: the
# CLI /usr/bin/hwevent, kmod (/bin/kmod, linked below as Debian links it),
# and the module DKMS built, $HWEVENT_KO (/lib/modules/<kernel>/updates/dkms/),
# with the host's module index (modules.dep.bin, ...) that DKMS's depmod
# wrote. There is no hwevent.ko beside the program: the installed CLI must
# find the module through modprobe, load it, and unload it at exit, as
# event.exe did. $HWEVENT_SAMPLES: the samples hwevent-utils installs as
# examples, built on the host against the header hwevent-dkms installed;
# each must run against that module and print its result.
#
# Prints "guest-plan N", then one "ok - <what>" / "not ok - <what>" line per
# check, N of them (scripts/deb-check.sh counts them, and fails a run that
# reported fewer), the evidence of a failure as "  | " lines. busybox sh
# runs its own applets for modprobe, depmod and modinfo: kmod's are called
# by path.

KVER=${HWEVENT_KVER:?}
KO=${HWEVENT_KO:?}
SAMPLES=${HWEVENT_SAMPLES:?}
CLI=/usr/bin/hwevent
MOD=/sys/module/hwevent
DEV=/dev/hwevent
OUT=/tmp/cli.out
PLAN=22
rc=0

echo "guest-plan $PLAN"

# kmod as Debian installs it: one program, its commands links to it. The
# guest has no /sbin of its own (vm-run puts busybox's applets in /bin).
mkdir -p /sbin /usr/sbin
for cmd in modprobe depmod modinfo insmod rmmod lsmod; do
	ln -sf /bin/kmod /sbin/$cmd
done
ln -sf /bin/kmod /usr/sbin/modprobe

check() {
	what=$1
	shift
	if "$@"; then
		echo "ok - $what"
	else
		echo "not ok - $what"
		# The last CLI run's output, as evidence.
		[ -s $OUT ] && sed 's/^/  | /' $OUT
		echo "  | ($MOD: $(loaded && echo present || echo absent))"
	fi
}

loaded() {
	[ -e $MOD ]
}

said() {
	grep -qF -- "$1" $OUT
}

# No module, no device.
gone() {
	! loaded && [ ! -e $DEV ]
}

# The last run ($rc) exited 0 and reported event 1.
exited_with_event() {
	[ "$rc" = 0 ] && grep -q '^event 1: ' $OUT
}

unloaded_and_said() {
	gone && said "unloaded module hwevent"
}

# It ran with the module someone else loaded (the device there: it loads
# nothing), and left it loaded.
left_loaded() {
	exited_with_event && ! said "loaded module" &&
		! said "unloaded module" && loaded
}

# The last run exited 1, loaded nothing, and said each of "$@".
failed_saying() {
	[ "$rc" = 1 ] && ! loaded || return 1
	for text in "$@"; do
		said "$text" || return 1
	done
}

# Run the CLI ("$@" after $1) with the module not loaded; $1: the modprobe
# it must use. Checks: exit 0 with the event, the loading message, the
# module loaded and the device open while it ran, the module unloaded (and
# the CLI saying so) after.
run_cli() {
	modprobe=$1
	shift
	desc="hwevent $*"
	"$CLI" "$@" >$OUT 2>&1 &
	pid=$!
	# Until the module is there and the CLI holds the device open.
	during=no
	i=0
	while [ $i -lt 200 ]; do
		if [ "$(cat $MOD/refcnt 2>/dev/null || echo 0)" -ge 1 ] && [ -c $DEV ]; then
			during=yes
			break
		fi
		kill -0 $pid 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	wait $pid
	rc=$?
	check "$desc: exits 0 and prints its event (exit $rc)" \
		exited_with_event
	check "$desc: loads the DKMS-built module with $modprobe" \
		said "loaded module hwevent with \`$modprobe hwevent\`; it will be unloaded at exit"
	check "$desc: the module is loaded and the device open while it runs" \
		[ $during = yes ]
	check "$desc: unloads the module at exit, and says so" \
		unloaded_and_said
}

# 1-3: the DKMS-built module is what kmod finds, and nothing is loaded yet.
uname -r >$OUT
check "guest boots $KVER" [ "$(cat $OUT)" = "$KVER" ]
/sbin/modinfo -n hwevent >$OUT 2>&1
check "modinfo -n hwevent in the guest: $KO (DKMS's depmod index)" \
	[ "$(cat $OUT)" = "$KO" ]
: >$OUT
check "module hwevent not loaded before the CLI runs (no $MOD, no $DEV)" gone

# 4-7: `sudo hwevent 2 0` as a user of the packages types it; -n 1 ends it.
run_cli /sbin/modprobe -n 1 2 0

# 8-11: queue mode, with /usr/sbin/modprobe when /sbin has none.
rm -f /sbin/modprobe
run_cli /usr/sbin/modprobe -n 3 0.5 2 --period 0.5
ln -s /bin/kmod /sbin/modprobe

# 12: eventfd mode; a module loaded before is left alone.
/sbin/modprobe hwevent >$OUT 2>&1
"$CLI" -n 1 0.2 1 >>$OUT 2>&1
rc=$?
check "hwevent -n 1 0.2 1 after modprobe hwevent: exit 0, its event, the module left loaded (exit $rc)" \
	left_loaded

# sample NAME N PATTERN: the sample exits 0 and prints N lines that
# match PATTERN (grep -E), and nothing on stderr.
sample() {
	"$SAMPLES/$1" >$OUT 2>/tmp/sample.err
	rc=$?
	cat /tmp/sample.err >>$OUT
	[ "$rc" = 0 ] && [ ! -s /tmp/sample.err ] &&
		[ "$(grep -Ec -e "$3" $OUT)" = "$2" ]
}

# 13-18: the installed samples, with the module modprobe loaded.
check "example samples/pending: the ioctl returns the event, cookie 42" \
	sample pending 1 '^pending: event [0-9]+, id 1, cookie 42, [0-9]+ us late$'
check "example samples/eventfd: the eventfd is signalled, count 1" \
	sample eventfd 1 '^eventfd: registration 1 signalled the eventfd, count 1, after [0-9]+ ms$'
check "example samples/queue_read: 3 records read" \
	sample queue_read 1 '^queue_read: 3 records read$'
check "example samples/queue_epoll: 5 records, then cancelled" \
	sample queue_epoll 1 '^queue_epoll: 5 records, registration 1 cancelled$'
check "example samples/uring_cmd: 3 io_uring commands completed" \
	sample uring_cmd 3 '^uring_cmd: request [123] completed: event [0-9]+$'
check "example samples/echo: the write read back from /dev/hwecho" \
	sample echo 1 '^echo: wrote 13 bytes, read back "Hello, hwecho"$'

# 19: this VM has no edu PCI device: --edu says so, the rest works.
"$CLI" -n 1 --edu 0 0 >$OUT 2>&1
rc=$?
check "hwevent --edu without an edu device: exit 1, ENODEV explained (exit $rc)" \
	sh -c "[ $rc = 1 ] && grep -q 'no edu PCI device is bound to hwevent' $OUT"

# 20: unloaded.
/sbin/modprobe -r hwevent >>$OUT 2>&1
check "modprobe -r hwevent unloads it" gone

# 21-22: nothing to load: clear errors, exit 1, nothing loaded.
rm -f "$KO"
/sbin/depmod -a "$KVER" >$OUT 2>&1
"$CLI" -n 1 0 0 >$OUT 2>&1
rc=$?
check "without the module installed: exit 1, modprobe's message and how to install it (exit $rc)" \
	failed_saying "Module hwevent not found" \
	"cannot load module hwevent: \`/sbin/modprobe hwevent\` failed" \
	"package hwevent-dkms"
rm -f /sbin/modprobe /usr/sbin/modprobe
"$CLI" -n 1 0 0 >$OUT 2>&1
rc=$?
check "without modprobe: exit 1 and a message naming what is missing (exit $rc)" \
	failed_saying "there is no /sbin/modprobe or /usr/sbin/modprobe" \
	"install kmod"
