#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of a cached tools/testing/selftests directory (the kselftest
# harness, runner and lib.mk from Debian's linux-source-6.1), unpacking it on
# first use. stdout carries only that path: `KSFT_DIR=$(scripts/ksft.sh)`.
set -euo pipefail

# shellcheck source=scripts/lib/linux-source.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/linux-source.sh"

dir=$(linux_source_dir)/tools/testing/selftests
for f in kselftest_harness.h kselftest.h lib.mk kselftest/runner.sh kselftest/prefix.pl; do
	if [[ ! -e $dir/$f ]]; then
		echo "hwevent: $dir/$f is missing from the linux-source cache; remove $(dirname "$(dirname "$(dirname "$dir")")") and retry" >&2
		exit 1
	fi
done
printf '%s\n' "$dir"
