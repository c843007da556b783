# Shared by the harness scripts: paths, dependencies, kernels, builds.
# shellcheck shell=bash
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Per-kernel builds, initramfs images and logs; never committed.
BUILD_ROOT=${BUILD_ROOT:-$ROOT/build}
# Slow, reusable downloads and builds live outside the repo.
CACHE_DIR=${CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/lesson4-c}

# Host packages the harness needs. busybox-static is the guest's userspace.
# linux-source brings the kselftest harness, gcc-multilib the 32-bit build,
# liburing-dev the io_uring test.
HOST_PACKAGES="qemu-system-x86 linux-image-amd64 linux-headers-amd64
	busybox-static cpio gzip gcc gcc-multilib libc6-dev make kmod debootstrap
	linux-source liburing-dev"

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

# The closing line; the status is non-zero if anything failed.
summary() {
	echo "$passed passed, $failed failed$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")"
	[ "$failed" -eq 0 ]
}

# install_packages PKG...: apt-get install what is not installed yet.
install_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return
	[ "$(id -u)" = 0 ] || die "missing packages, install as root: apt-get install ${missing[*]}"
	note "installing ${missing[*]} (log: $CACHE_DIR/apt.log)"
	mkdir -p "$CACHE_DIR"
	{
		apt-get update &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y \
				--no-install-recommends "${missing[@]}"
	} >>"$CACHE_DIR/apt.log" 2>&1 ||
		{ tail -n 20 "$CACHE_DIR/apt.log" >&2; die "apt-get install failed"; }
}

ensure_deps() {
	# shellcheck disable=SC2086
	install_packages $HOST_PACKAGES
}

# The host suite's linux-source tarball and its package version.
linux_source_tarball() {
	local tarball
	tarball=$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)
	echo "$tarball $(dpkg -S "$tarball" | cut -d: -f1 | xargs dpkg-query -W -f='${Version}')"
}

# The host suite's kernel source, unpacked once per package version with
# just what the linters and the kselftest harness need.
kernel_source() {
	local tarball version dir top
	read -r tarball version < <(linux_source_tarball)
	top=$(basename "$tarball" .tar.xz)
	dir=$CACHE_DIR/linux-source-$version
	if [ ! -e "$dir/.unpacked-2" ]; then
		echo "# unpacking the linters and kselftest from $tarball" >&2
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -xJf "$tarball" -C "$dir" --strip-components=1 --wildcards \
			"$top/Makefile" "$top/.clang-format" "$top/scripts/*" "$top/include/*" \
			"$top/arch/x86/*" "$top/tools/testing/selftests/kselftest*.h" ||
			die "cannot unpack $tarball"
		touch "$dir/.unpacked-2"
	fi
	echo "$dir"
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
		inside=/build/$KVER-$(printf '%s' "$out" | md5sum | cut -c 1-8)
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

# Build the modules, the test-only modules and the guest's test programs
# for the resolved kernel (kernels.sh) into $1.
build_for_kernel() {
	local out=$1 prog cflags
	rm -rf "$out/modules" "$out/progs"
	mkdir -p "$out/progs"
	kbuild "$out" modules || return
	kbuild "$out" tests/kmods || return
	# The kselftest harness needs the two -Wno-.
	cflags=(-static -O2 -Wall -Wextra -Werror -Wno-sign-compare -Wno-unused-parameter
		-pthread -I"$ROOT/include/uapi"
		-I"$(kernel_source)/tools/testing/selftests")
	for prog in "$ROOT"/tests/progs/*.c; do
		gcc "${cflags[@]}" -o "$out/progs/$(basename "$prog" .c)" "$prog" \
			-luring || return
	done
	# The ioctl tests again as a 32-bit program, for compat_ioctl.
	gcc -m32 "${cflags[@]}" -o "$out/progs/echo-test-32" \
		"$ROOT/tests/progs/echo-test.c" || return
}

# A compiler's or Kbuild's complaint, as counted by the W=1 gate.
build_problems() {
	grep -E 'warning:|error:|Error [0-9]' "$1" || true
}
