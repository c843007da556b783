# SPDX-License-Identifier: GPL-2.0
#
#   make             build every module against KDIR
#   make check       boot a kernel under QEMU and run the test suite in it
#   make demo        boot a kernel under QEMU and replay the lesson's sessions
#   make check-debug the suite, KUnit, fault injection and detector checks
#                    on a sanitizer kernel (built once, about 30 min)
#   make lint        checkpatch, sparse, coccicheck, clang-format
#   make check-mutants  plant each bug of tests/mutants/ and expect the
#                    suite to fail (MUTANTS_SET=ci: the cheap ones)
#   make bench       time echo against /dev/zero, /dev/null, tmpfs and a
#                    pipe on each kernel, with fio too: docs/bench.md
#                    (BENCH_SHORT=1: a quick run that only shows it works)
#   make clean

# The running kernel's build tree; where it has none (as in a container),
# the newest installed Debian headers.
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d "$$d" ]; then echo "$$d"; \
	else ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; fi)

MODULES_SRC := $(CURDIR)/modules

.PHONY: all modules clean check check-debug check-mutants demo lint bench

all: modules

modules:
	@test -n "$(KDIR)" || { echo "No kernel headers: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(MODULES_SRC)" modules

clean:
	$(MAKE) -C "$(KDIR)" M="$(MODULES_SRC)" clean

check:
	scripts/check.sh

check-debug:
	scripts/check-debug.sh

check-mutants:
	scripts/check-mutants.sh

demo:
	scripts/demo.sh

lint:
	scripts/run-lint.sh

bench:
	scripts/bench.sh
