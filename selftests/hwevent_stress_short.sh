#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hwevent_stress_short.sh - a short hwevent_stress run for the default
# kselftest list (make check): every mechanism at once for a few seconds
# ($HWEVENT_STRESS_SECONDS, default 5), the books balanced at the end, the
# module unloaded and loaded again ($HWEVENT_KO). The long runs call
# hwevent_stress directly. Exits as hwevent_stress does (0, 1, or 4 to
# skip without /dev/hwevent).

exec "$(dirname "$0")/hwevent_stress" --seconds "${HWEVENT_STRESS_SECONDS:-5}"
