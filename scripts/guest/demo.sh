#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo VM: load hwevent.ko, run the CLI in both modes (a
# pending request, then an eventfd), unload. Fails if anything does.

KO=${HWEVENT_KO:-/hwevent/hwevent.ko}
rc=0

echo "\$ insmod $KO"
insmod "$KO" || exit 1
for mode in 0 1; do
	echo
	echo "\$ hwevent 0.5 $mode -n 3"
	hwevent 0.5 "$mode" -n 3
	status=$?
	if [ "$status" != 0 ]; then
		echo "hwevent-demo: 'hwevent 0.5 $mode -n 3' exited $status"
		rc=1
	fi
done
echo
echo "\$ rmmod hwevent"
rmmod hwevent || rc=1
exit $rc
