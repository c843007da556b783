# Shared by the harness scripts: paths, dependencies, kernels, builds.
# shellcheck shell=bash
# The scripts that source this use its variables:
# shellcheck disable=SC2034
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Per-kernel builds, initramfs images and logs; never committed.
BUILD_ROOT=${BUILD_ROOT:-$ROOT/build}
# Slow, reusable downloads and builds live outside the repo.
CACHE_DIR=${CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/lesson4-c}

# installed_modules: the modules that install, in order: modules/Kbuild's
# obj-m lines, the one list of them (the guest gets it as /tests/modules).
installed_modules() {
	sed -n 's/^obj-m += \([a-z_]*\)\.o$/\1/p' "$ROOT/modules/Kbuild"
}

# What the host needs: QEMU, and debootstrap for the chroots that every
# compiler, header and kernel comes from (kernels.sh). It gets no kernel.
HOST_PACKAGES="qemu-system-x86 debootstrap cpio gzip"
# What each step installs from Debian in the toolchain chroot (kernels.sh);
# make fetch installs them all ahead.
# The guest's userspace.
GUEST_PACKAGES="busybox-static"
# The test programs: linux-source for the kselftest harness, gcc-multilib
# for the 32-bit build, liburing-dev for the io_uring test.
PROGS_PACKAGES="gcc libc6-dev gcc-multilib liburing-dev linux-source"
# make lint. Coccinelle runs two of the kernel's scripts in OCaml and some
# in Python, which it loads from libpython3.x.so (in the -dev package).
LINT_PACKAGES="sparse coccinelle ocaml-nox libpython3-dev clang-format gcc shellcheck"
# make prove.
PROVE_PACKAGES="frama-c-base why3 z3 cvc4"
# herd7's build, for make prove's litmus tests, where herd7 is not on PATH
# (herd7.sh).
HERD_PACKAGES="ocaml-nox dune menhir libmenhir-ocaml-dev libzarith-ocaml-dev ocaml-findlib"
# The sanitizer kernel's build, and the programs its guest runs.
DEBUG_KERNEL_PACKAGES="linux-source gcc bc bison flex libelf-dev libssl-dev
	openssl dwarves python3 rsync xz-utils"
STRESS_PACKAGES="stress-ng trinity"
GDB_PACKAGES="gdb"
# make check-install: the installed tree's guest, DKMS (also in each
# suite's chroot; openssl, a Recommends, lets it make its signing key) and
# the .deb.
MODPROBE_PACKAGES="kmod udev"
DKMS_PACKAGES="dkms openssl"
DEB_PACKAGES="build-essential dpkg-dev debhelper dh-dkms dkms lintian"
# make bench: fio in the guest, gnuplot for the chart.
BENCH_PACKAGES="fio gnuplot-nox"

die() {
	echo "error: $*" >&2
	exit 1
}

# Diagnostics go to stdout as KTAP comments, so they never break the output.
note() {
	echo "# $*"
}

# KTAP leaf results, counted for the closing "N passed, N failed" line.
passed=0 failed=0 skipped=0

# result OK_OR_NOT NUMBER NAME [DIRECTIVE]: a leaf result one level deep.
result() {
	echo "    $1 $2 $3${4:+ # $4}"
	case $1/${4:-} in
	*/SKIP*) skipped=$((skipped + 1)) ;;
	ok/*) passed=$((passed + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
}

# subtest NAME PLAN: open a KTAP subtest, one level deep.
subtest() {
	printf '    KTAP version 1\n    # Subtest: %s\n    1..%s\n' "$1" "$2"
}

# subtest_result NUMBER NAME FAILED_BEFORE: the subtest's own result line,
# "not ok" if any leaf failed since FAILED_BEFORE.
subtest_result() {
	[ "$failed" -eq "$3" ] && echo "ok $1 $2" || echo "not ok $1 $2"
}

# The closing line; the status is non-zero if anything failed.
summary() {
	echo "$passed passed, $failed failed$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")"
	[ "$failed" -eq 0 ]
}

# cache_lock NAME: hold the cache's lock NAME until the calling subshell
# exits, so that make fetch or make debug-kernel in the background and a
# check that needs the same part take turns (the second finds it done).
cache_lock() {
	mkdir -p "$CACHE_DIR/locks"
	exec 9>>"$CACHE_DIR/locks/$1"
	flock -n 9 && return
	echo "# waiting for $1, which another run is making" >&2
	flock -w 3600 9 || die "waited an hour for $CACHE_DIR/locks/$1"
}

# install_packages PKG...: apt-get install what is not installed yet.
install_packages() (
	missing=()
	cache_lock host-apt
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && exit
	[ "$(id -u)" = 0 ] || die "missing packages, install as root: apt-get install ${missing[*]}"
	note "installing ${missing[*]} (log: $CACHE_DIR/apt.log)"
	{
		apt-get update &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y \
				--no-install-recommends "${missing[@]}"
	} >>"$CACHE_DIR/apt.log" 2>&1 ||
		{ tail -n 20 "$CACHE_DIR/apt.log" >&2; die "apt-get install failed"; }
)

ensure_deps() {
	# shellcheck disable=SC2086
	install_packages $HOST_PACKAGES
}

# The toolchain suite's linux-source tarball, in the toolchain chroot, and
# its package version.
linux_source_tarball() {
	local tc=$1 tarball
	chroot_install "$tc" linux-source
	tarball=$(cd "$tc" && ls usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)
	echo "/$tarball $(chroot "$tc" dpkg -S "/$tarball" | cut -d: -f1 |
		xargs chroot "$tc" dpkg-query -W -f='${Version}')"
}

# The kernel source with just what the linters, the kselftest harness and
# the memory model (make prove's litmus tests) need, unpacked once per
# version in the toolchain chroot; prints its path there.
kernel_source() (
	tc=$(toolchain_chroot)
	read -r tarball version < <(linux_source_tarball "$tc")
	top=$(basename "$tarball" .tar.xz)
	dir=/lesson4/linux-source-$version
	cache_lock "linux-source-$version"
	if [ ! -e "$tc$dir/.unpacked-lkmm" ]; then
		echo "# unpacking the linters and kselftest from $tarball" >&2
		rm -rf "$tc$dir"
		mkdir -p "$tc$dir"
		in_chroot "$tc" tar -xJf "$tarball" -C "$dir" --strip-components=1 --wildcards \
			"$top/Makefile" "$top/.clang-format" "$top/scripts/*" "$top/include/*" \
			"$top/arch/x86/*" "$top/tools/testing/selftests/kselftest*.h" "$top/tools/memory-model/*" ||
			die "cannot unpack $tarball"
		touch "$tc$dir/.unpacked-lkmm"
	fi
	echo "$dir"
)

# chroot_work_dir NAME KEY: a directory under a chroot's /build for NAME,
# one per KEY (an output path), so that runs side by side keep apart.
chroot_work_dir() {
	echo "/build/$1-$(printf '%s' "$2" | md5sum | cut -c 1-8)"
}

# tree_copy DIR: the project's files (tracked, or new and not ignored; all
# but build/ outside git).
tree_copy() {
	local f
	rm -rf "$1"
	mkdir -p "$1"
	(cd "$ROOT" && { git ls-files -co --exclude-standard 2>/dev/null ||
		find . -path ./build -prune -o -type f -print | sed 's|^\./||'; }) |
		while read -r f; do
			[ -e "$ROOT/$f" ] || continue
			mkdir -p "$1/$(dirname "$f")"
			cp -p "$ROOT/$f" "$1/$f"
		done
}

# kbuild OUT DIR [MODULE.ko...]: build the Kbuild directory DIR (modules,
# tests/kmods) of the tree, or just the named modules of it, for the
# resolved kernel, with W=1, and put the .ko files in OUT/modules.
# Out-of-tree Kbuild writes next to the sources, so each kernel gets a copy
# of them. A kernel of another Debian suite builds in that suite's chroot,
# with its compiler.
kbuild() {
	local out=$1 dir=$2 build=$1/build targets=("${@:3}") inside
	if [ -n "$BUILD_CHROOT" ]; then
		# In a copy that the chroot can see, one per OUT so that runs
		# side by side (make check, make bench) keep apart; the modules
		# come back out.
		inside=$(chroot_work_dir "$KVER" "$out")
		build=$BUILD_CHROOT$inside
	fi
	rm -rf "$build"
	mkdir -p "$build/tests" "$out/modules"
	cp -r "$ROOT/modules" "$ROOT/include" "$build/"
	cp -r "$ROOT/tests/kmods" "$build/tests/"
	if [ -n "$BUILD_CHROOT" ]; then
		in_chroot "$BUILD_CHROOT" make -C "$KDIR" M="$inside/$dir" W=1 \
			"${targets[@]:-modules}"
	else
		make -C "$KDIR" M="$build/$dir" W=1 "${targets[@]:-modules}"
	fi || return
	cp "$build/$dir"/*.ko "$out/modules/"
}

# build_progs OUT: the guest's test programs, static, into OUT/progs,
# built in the toolchain chroot.
build_progs() {
	local out=$1 tc ksrc dir prog cflags
	tc=$(toolchain_chroot)
	# shellcheck disable=SC2086
	chroot_install "$tc" $PROGS_PACKAGES
	ksrc=$(kernel_source)
	dir=$(chroot_work_dir progs "$out")
	rm -rf "$tc$dir" "$out/progs"
	mkdir -p "$tc$dir/bin" "$out/progs"
	cp -r "$ROOT/tests/progs" "$ROOT/include" "$tc$dir/"
	# The kselftest harness needs the two -Wno-.
	cflags=(-static -O2 -Wall -Wextra -Werror -Wno-sign-compare -Wno-unused-parameter
		-pthread -I"$dir/include/uapi" -I"$ksrc/tools/testing/selftests")
	for prog in "$ROOT"/tests/progs/*.c; do
		prog=$(basename "$prog" .c)
		in_chroot "$tc" gcc "${cflags[@]}" -o "$dir/bin/$prog" \
			"$dir/progs/$prog.c" -luring || return
	done
	# The ioctl tests again as a 32-bit program, for compat_ioctl.
	in_chroot "$tc" gcc -m32 "${cflags[@]}" -o "$dir/bin/echo-test-32" \
		"$dir/progs/echo-test.c" || return
	cp "$tc$dir"/bin/* "$out/progs/"
}

# Build the modules, the test-only modules and the guest's test programs
# for the resolved kernel (kernels.sh) into $1.
build_for_kernel() {
	local out=$1
	rm -rf "$out/modules"
	kbuild "$out" modules || return
	kbuild "$out" tests/kmods || return
	build_progs "$out"
}

# A compiler's or Kbuild's complaint, as counted by the W=1 gate.
build_problems() {
	grep -E 'warning:|error:|Error [0-9]' "$1" || true
}
