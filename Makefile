# SPDX-License-Identifier: GPL-2.0
#
# hwevent: top-level build. `make` builds the module, the CLI, the samples
# and the selftests; `make check` tests them in a QEMU guest (see README.md).

# The kernel to build the module against: KDIR wins; else the running
# kernel's headers; else the newest installed /lib/modules/*/build (by
# version), PREEMPT_RT (-rt-) headers only when there are no others: the rt
# headers that make check-rt installs must not change what `make` builds for.
KVER_RUNNING := $(shell uname -r)
ifeq ($(KDIR),)
ifneq ($(wildcard /lib/modules/$(KVER_RUNNING)/build/Makefile),)
KDIR := /lib/modules/$(KVER_RUNNING)/build
else
KDIR := $(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | \
	awk '/-rt-/ { rt = $$0; next } { kdir = $$0 } END { print (kdir != "" ? kdir : rt) }')
endif
endif

# Where the kselftest harness (from Debian's linux-source) is cached.
HWEVENT_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/hwevent
export HWEVENT_CACHE

UAPI := $(CURDIR)/include/uapi

.PHONY: all module user samples selftests check check-debug check-rt matrix bench demo shell deps checkpatch lint docs-check dkms-check intree-check deb deb-check print-kdir clean help

all: module user samples selftests

module:
	@if [ -z "$(KDIR)" ] || [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "hwevent: no kernel headers found (set KDIR=, or install linux-headers-amd64)" >&2; \
		exit 1; \
	fi
	@echo "hwevent: building the module against $(KDIR)"
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module W=1 modules

user:
	$(MAKE) -C user UAPI=$(UAPI) all

# One small program per way of being notified (samples/README.md).
samples:
	$(MAKE) -C samples UAPI=$(UAPI) all

selftests:
	@KSFT_DIR=$$(scripts/ksft.sh) && \
	$(MAKE) -C selftests KSFT_DIR=$$KSFT_DIR OUTPUT=$(CURDIR)/selftests \
		HWEVENT_CFLAGS=-I$(UAPI)

deps:
	scripts/deps.sh

check:
	scripts/check.sh

check-debug:
	scripts/check.sh debug

check-rt:
	scripts/check.sh rt

# MATRIX="5.10 7.2" picks kernels; scripts/matrix.sh --list names them all.
# MATRIX_BOTTOM_HALVES="tasklet bh_work" limits the passes (scripts/matrix.sh).
matrix:
	scripts/matrix.sh $(MATRIX)

# hwevent's notification paths against timerfd, in the VM (docs/performance.md).
bench:
	scripts/bench.sh

demo:
	scripts/demo.sh

shell:
	scripts/shell.sh

checkpatch:
	scripts/checkpatch.sh

lint:
	scripts/lint.sh $(KDIR)

# Every file, function and test the documents name exists (make check too).
docs-check:
	scripts/docs-check.sh

print-kdir:
	@echo $(KDIR)

dkms-check:
	scripts/dkms-check.sh

# The Debian packages hwevent-dkms and hwevent-utils, into build/deb/.
deb:
	scripts/deb-build.sh

deb-check:
	scripts/deb-check.sh

intree-check:
	scripts/intree-check.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/module clean
	$(MAKE) -C user clean
	$(MAKE) -C samples clean
	# The test programs are the ones selftests/.gitignore names.
	rm -f $(addprefix selftests/,$(shell grep -v '^\#' selftests/.gitignore))
	rm -rf build

help:
	@echo "make            build module/hwevent.ko, user/hwevent, user/hwecho, user/hwevent-bench"
	@echo "                samples/ and selftests/"
	@echo "make check      boot a Debian kernel in QEMU and run the selftests"
	@echo "make check-debug  the same, then stress/race/fuzz/failslab and kmemleak, on a"
	@echo "                KASAN/lockdep/kmemleak kernel built once and cached (~5 min)"
	@echo "make check-rt   the selftests and stress/race/fuzz on Debian's PREEMPT_RT kernel"
	@echo "make matrix     build and test on every Debian kernel, 5.10 to 7.3-rc (MATRIX=...)"
	@echo "make bench      measure latency, throughput, scale and fan-out against timerfd"
	@echo "                in the VM, with tables and plots (docs/performance.md)"
	@echo "make demo       boot the VM and run the CLI in its modes"
	@echo "make shell      boot the VM to a shell with the module loaded (docs/lab.md)"
	@echo "make checkpatch run checkpatch.pl --strict on the module, headers and samples"
	@echo "make lint       W=1 build, sparse and checkpatch --strict; any finding fails"
	@echo "make docs-check every file, function and test docs/ and README.md name exists"
	@echo "make dkms-check dkms add/build/install/remove for every installed kernel (root)"
	@echo "make deb        build the Debian packages hwevent-dkms and hwevent-utils into build/deb/"
	@echo "make deb-check  build, lint, install them, test the DKMS-built module in QEMU, purge (root)"
	@echo "make intree-check  build module and selftests inside linux-source-6.1, as"
	@echo "                drivers/misc/hwevent and its kselftests (~3 min)"
	@echo "make deps       install the Debian packages the above need"
