#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the check VM (busybox sh): load hwevent.ko, run the kselftests
# the way the kernel's run_kselftest.sh does, unload the module. Host-side
# checks are printed as "hwevent-check: ok - <what>" / "hwevent-check: not
# ok - <what>" lines, which scripts/check.sh counts with the KTAP results.

# shellcheck disable=SC2317 # functions run through check "$@"

KO=${HWEVENT_KO:-/hwevent/hwevent.ko}
KSFT=/kselftest
rc=0

check() {
	what=$1
	shift
	if "$@"; then
		echo "hwevent-check: ok - $what"
	else
		echo "hwevent-check: not ok - $what"
		rc=1
	fi
}

loaded() {
	grep -q '^hwevent ' /proc/modules
}

# The module tests reload it: it must still be there, and leave cleanly.
unload() {
	loaded && rmmod hwevent && ! loaded && [ ! -e /dev/hwevent ]
}

kmsg() {
	[ -w /dev/kmsg ] && echo "hwevent-check: $*" >/dev/kmsg
}

kmsg "loading $KO"
check "module loads ($KO)" insmod "$KO"

# As run_kselftest.sh: source the runner from the install root, then run each
# collection's tests from its directory.
cd "$KSFT" || exit 1
BASE_DIR=$KSFT
export BASE_DIR
# shellcheck source=/dev/null # the kernel's, staged by scripts/lib/stage.sh
. ./kselftest/runner.sh
available=$(cat kselftest-list.txt)
for collection in $(echo "$available" | cut -d: -f1 | uniq); do
	tests=$(echo "$available" | grep "^$collection:" | cut -d: -f2)
	kmsg "running tests in $collection"
	# shellcheck disable=SC2086 # one word per test
	(cd "$collection" && run_many $tests)
done
cd /

kmsg "unloading hwevent"
check "module unloads at the end" unload
kmsg "done"
exit $rc
