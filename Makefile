# SPDX-License-Identifier: GPL-2.0
#
#   make             build every module against KDIR
#   make check       boot a kernel under QEMU and run the test suite in it
#   make demo        boot a kernel under QEMU and replay the lesson's sessions
#   make check-debug the suite, KUnit, fault injection, detector, module
#                    signing and gdb checks on a sanitizer kernel (built
#                    once, and cached)
#   make lint        checkpatch, sparse, coccicheck, clang-format, shellcheck;
#                    the lesson's snippets, the docs' links, the module list
#   make prove       Frama-C proves the echo arithmetic (modules/echo_arith.h)
#   make gdb         boot the sanitizer kernel with QEMU's gdbstub and a
#                    shell, and attach gdb with the kernel's lx- helpers
#   make check-mutants  plant each bug of tests/mutants/ and expect the
#                    suite to fail (MUTANTS_SET=ci: the cheap ones)
#   make bench       time echo against /dev/zero, /dev/null, tmpfs and a
#                    pipe on each kernel, with fio too: docs/bench/bench.md
#                    (BENCH_SHORT=1: a quick run that only shows it works;
#                    PROFILE=1: each case's top symbols too, from perf)
#   make check-install  make install and uninstall, DKMS on each kernel, the
#                    .deb, and a Debian 13 host, each proven in a booted kernel
#   make install     the modules (into /lib/modules/KVER/updates), their
#                    header, a udev rule and examples; DESTDIR, PREFIX, KDIR
#   make uninstall   remove exactly what make install put there
#   make sign KEY=signing.key CERT=signing.crt
#                    sign the built modules (passphrase: KBUILD_SIGN_PIN)
#   make dist        build/lesson4-c-VERSION.tar.gz, a DKMS source tree
#   make debug-kernel  build the sanitizer kernel now, into the cache
#   make herd7       build herd7 (make prove's memory-model checker) now,
#                    into the cache, where it is not on PATH
#   make fetch       download all that the checks take from Debian, side by
#                    side, into the cache (CI runs it in the background)
#   make lesson-update [DEMO=FILE]  rewrite docs/lesson.md's snippets from
#                    the source, and its sessions from make demo's output
#   make help        this list
#   make clean

# The running kernel's build tree; where it has none (as in a container),
# the newest installed Debian headers.
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d "$$d" ]; then echo "$$d"; \
	else ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; fi)

MODULES_SRC := $(CURDIR)/modules
# The modules that install, DKMS and the package ship; echo_buffer_kunit
# builds only where the kernel has KUnit.
MODULES := $(shell sed -n 's/^obj-.* += \([a-z_]*\)\.o$$/\1/p' modules/Kbuild)
# The release that KDIR builds for (`make kernelrelease` is wrong in
# Debian's headers).
KVER = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$(KDIR)/include/generated/utsrelease.h")
VERSION = $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog 2>/dev/null)

# Where make install puts things: DESTDIR is a staging root (packagers),
# PREFIX the header's and the examples'. udev reads only /etc and /usr/lib.
PREFIX ?= /usr/local
UDEV_RULES_DIR ?= /etc/udev/rules.d
# The group that the udev rule gives /dev/echo* to, mode 0660.
ECHO_GROUP ?= echo
MODULE_DIR = $(DESTDIR)/lib/modules/$(KVER)/updates
INSTALLED_FILES = $(PREFIX)/include/lesson4/echo.h \
	$(UDEV_RULES_DIR)/60-lesson4-echo.rules \
	$(PREFIX)/share/doc/lesson4-c/examples/modprobe.d-lesson4-c.conf \
	$(PREFIX)/share/doc/lesson4-c/examples/modules-load.d-lesson4-c.conf

.PHONY: all modules clean check check-debug check-mutants check-install demo \
	lint prove gdb bench install uninstall sign dist fetch debug-kernel herd7 \
	lesson-update help

all: modules

modules:
	@test -n "$(KDIR)" || { echo "No kernel headers: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(MODULES_SRC)" modules

# Debian's kernels would sign at modules_install with a key that only
# Debian's build machines have: "SSL error ... certs/signing_key.pem".
# CONFIG_MODULE_SIG_ALL= skips that; `make sign` signs with yours. With
# distribution headers, Kbuild also warns "missing 'System.map' file.
# Skipping depmod": depmod runs below instead.
install: modules
	$(MAKE) -C "$(KDIR)" M="$(MODULES_SRC)" INSTALL_MOD_PATH="$(DESTDIR)" \
		INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= DEPMOD=true modules_install
	install -D -m 0644 include/uapi/lesson4/echo.h "$(DESTDIR)$(PREFIX)/include/lesson4/echo.h"
	sed 's/GROUP="echo"/GROUP="$(ECHO_GROUP)"/' packaging/60-lesson4-echo.rules | \
		install -D -m 0644 /dev/stdin "$(DESTDIR)$(UDEV_RULES_DIR)/60-lesson4-echo.rules"
	install -D -m 0644 -t "$(DESTDIR)$(PREFIX)/share/doc/lesson4-c/examples" \
		packaging/modprobe.d-lesson4-c.conf packaging/modules-load.d-lesson4-c.conf
ifeq ($(DESTDIR),)
	depmod -a "$(KVER)"
	getent group "$(ECHO_GROUP)" >/dev/null || groupadd --system "$(ECHO_GROUP)"
	! command -v udevadm >/dev/null || udevadm control --reload || true
	@echo "Installed for $(KVER): modprobe echo. /dev/echo is for the group $(ECHO_GROUP):"
	@echo "  usermod -aG $(ECHO_GROUP) USER, then log in again. Unsigned: see make sign."
endif

uninstall:
	rm -f $(foreach m,$(MODULES),$(foreach z,.ko .ko.gz .ko.xz .ko.zst,"$(MODULE_DIR)/$(m)$(z)")) \
		$(foreach f,$(INSTALLED_FILES),"$(DESTDIR)$(f)")
	-rmdir "$(MODULE_DIR)" "$(DESTDIR)$(PREFIX)/include/lesson4" \
		"$(DESTDIR)$(PREFIX)/share/doc/lesson4-c/examples" \
		"$(DESTDIR)$(PREFIX)/share/doc/lesson4-c" 2>/dev/null
ifeq ($(DESTDIR),)
	depmod -a "$(KVER)"
	@echo "The group $(ECHO_GROUP) stays (groupdel $(ECHO_GROUP) removes it)."
endif

# Sign with the kernel's own sign-file; a module signed already is left
# alone, since a second signature would cover the first and not verify.
sign: modules
	@test -n "$(KEY)" && test -n "$(CERT)" || \
		{ echo "usage: make sign KEY=signing.key CERT=signing.crt [KBUILD_SIGN_PIN=passphrase]" >&2; exit 1; }
	@for ko in $(MODULES_SRC)/*.ko; do \
		if tail -c 28 "$$ko" | grep -q '~Module signature appended~'; then \
			echo "  $${ko##*/} is signed already (make clean to sign again)"; \
		else \
			echo "  SIGN    $${ko##*/}"; \
			"$(KDIR)/scripts/sign-file" sha256 "$(KEY)" "$(CERT)" "$$ko" || exit; \
		fi; \
	done

# A DKMS source tree: dkms.conf with the version filled in, the modules
# and their header.
dist:
	@test -n "$(VERSION)" || { echo "no version in debian/changelog" >&2; exit 1; }
	rm -rf build/dist && mkdir -p build/dist/lesson4-c-$(VERSION)/modules \
		build/dist/lesson4-c-$(VERSION)/include
	cp modules/Kbuild modules/*.c modules/*.h build/dist/lesson4-c-$(VERSION)/modules/
	cp -r include/uapi build/dist/lesson4-c-$(VERSION)/include/
	sed 's/#MODULE_VERSION#/$(VERSION)/' dkms.conf >build/dist/lesson4-c-$(VERSION)/dkms.conf
	tar -C build/dist -czf build/lesson4-c-$(VERSION).tar.gz lesson4-c-$(VERSION)
	@echo "build/lesson4-c-$(VERSION).tar.gz: tar -C /usr/src -xf it, then dkms install lesson4-c/$(VERSION)"

clean:
	$(MAKE) -C "$(KDIR)" M="$(MODULES_SRC)" clean

check:
	scripts/check.sh

check-debug:
	scripts/check-debug.sh

check-mutants:
	scripts/check-mutants.sh

check-install:
	scripts/check-install.sh

demo:
	scripts/demo.sh

lint:
	scripts/lint.sh

prove:
	scripts/prove.sh

gdb:
	scripts/gdb.sh

fetch:
	scripts/fetch.sh

debug-kernel:
	scripts/debug-kernel.sh

herd7:
	scripts/herd7.sh

bench:
	scripts/bench.sh

lesson-update:
	scripts/lesson-update.sh $(DEMO)

# The list at the top of this file.
help:
	@sed -n '/^#   make/,/^$$/s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))
