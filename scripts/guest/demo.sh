#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo VM: load hwevent.ko, run the CLI in its three modes
# (a pending request, an eventfd, the read() queue), then a periodic
# registration waited for with epoll, with JSON output; unload. Fails if
# anything does.

KO=${HWEVENT_KO:-/hwevent/hwevent.ko}
rc=0

run() {
	echo
	echo "\$ hwevent $*"
	hwevent "$@"
	status=$?
	if [ "$status" != 0 ]; then
		echo "hwevent-demo: 'hwevent $*' exited $status"
		rc=1
	fi
}

echo "\$ insmod $KO"
insmod "$KO" || exit 1
for mode in 0 1 2; do
	run 0.5 "$mode" -n 3
done
run 0.2 2 --period 0.1 --epoll -n 5 --json
echo
echo "\$ rmmod hwevent"
rmmod hwevent || rc=1
exit $rc
