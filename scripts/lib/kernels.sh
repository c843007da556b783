# The kernels the suite runs on: Debian's stock kernels, one per suite.
# resolve_kernel NAME sets:
#   KVER          the kernel release (uname -r in the guest)
#   KERNEL_IMAGE  the bzImage to boot
#   KDIR          the build tree to compile modules against
#   MODULES_DIR   the kernel's module tree
#   BUILD_CHROOT  the Debian chroot that KDIR lives in ("" for the host)
# Set KERNEL_IMAGE and KDIR yourself to run on any other kernel.
#
# Each suite gets a debootstrap chroot in the cache with that suite's
# headers and compiler, and its kernel image unpacked from the suite's
# package, the host's own suite included: the host gets no kernel, and its
# apt sources are never touched. Both are refreshed once a day
# (KERNEL_REFRESH=1: now), so they follow Debian's updates.
# shellcheck shell=bash

# NAME:SUITE pairs. KERNEL= takes either; NAME is what the reports show.
KNOWN_KERNELS="6.1:bookworm 6.12:trixie 7.2:sid"

default_kernels() {
	local k names=()
	for k in $KNOWN_KERNELS; do names+=("${k%%:*}"); done
	echo "${names[*]}"
}

suite_of() {
	local k
	for k in $KNOWN_KERNELS; do
		if [ "${k%%:*}" = "$1" ] || [ "${k#*:}" = "$1" ]; then
			echo "${k#*:}"
			return
		fi
	done
	return 1
}

# The release that a Debian metapackage (linux-headers-amd64) points at.
release_of_metapackage() {
	tr ',' '\n' | sed -n 's/^ *linux-\(image\|headers\)-\([0-9][^ ]*\).*/\2/p' | head -n 1
}

# chroot_kernel_release CHROOT: the release of the chroot's
# linux-headers-amd64.
chroot_kernel_release() {
	chroot "$1" dpkg-query -W -f='${Depends}' linux-headers-amd64 | release_of_metapackage
}

# The Debian mirrors: DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR, else those
# the host's apt uses, else deb.debian.org.
host_apt_uri() {
	command -v apt-cache >/dev/null &&
		apt-cache policy 2>/dev/null | awk -v want="$1" '$3 ~ want && $2 ~ /^http/ { print $2; exit }'
}
debian_mirror() {
	local uri=${DEBIAN_MIRROR:-$(host_apt_uri '^[a-z]+/main$')}
	echo "${uri:-http://deb.debian.org/debian}"
}
debian_security_mirror() {
	local uri=${DEBIAN_SECURITY_MIRROR:-$(host_apt_uri '^[a-z]+-security/main$')}
	echo "${uri:-http://deb.debian.org/debian-security}"
}

# in_chroot DIR CMD...: run CMD in the chroot DIR with its own /proc
# (objtool needs it), mounted in a private namespace: nothing is left
# mounted, and runs side by side do not unmount each other's.
in_chroot() {
	unshare -m --propagation private sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$@"
}

# The chroot's apt sources: the suite with its updates and security fixes,
# so that a suite names the same kernel on every host.
chroot_sources() {
	local suite=$1
	echo "deb $(debian_mirror) $suite main"
	[ "$suite" = sid ] && return
	echo "deb $(debian_mirror) $suite-updates main"
	echo "deb $(debian_security_mirror) $suite-security main"
}

# chroot_apt CHROOT SUITE SCRIPT: run an apt script in the chroot, logged.
# A Release file that expired is accepted (its signature is still checked):
# sid's expire within a week, and a mirror that is a snapshot serves them
# long after.
chroot_apt() {
	local log=$CACHE_DIR/chroot-$2.log
	echo 'Acquire::Check-Valid-Until "false";' >"$1/etc/apt/apt.conf.d/99lesson4-c"
	in_chroot "$1" sh -c "export DEBIAN_FRONTEND=noninteractive; $3" >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "apt in the $2 chroot failed (log: $log)"; }
}

# debian_chroot SUITE: create or refresh the suite's chroot, with its
# kernel headers and compiler; prints its path.
debian_chroot() (
	suite=$1 dir=$CACHE_DIR/chroot-$1
	stamp=$dir/.refreshed
	cache_lock "chroot-$suite"
	if [ ! -e "$stamp" ]; then
		echo "# creating a $suite chroot with its kernel headers (about two minutes; log: $CACHE_DIR/chroot-$suite.log)" >&2
		tmp=$dir.tmp
		rm -rf "$tmp"
		debootstrap --variant=minbase --include=make,perl \
			"$suite" "$tmp" "$(debian_mirror)" >"$CACHE_DIR/chroot-$suite.log" 2>&1 ||
			{ tail -n 20 "$CACHE_DIR/chroot-$suite.log" >&2; die "debootstrap $suite failed"; }
		chroot_sources "$suite" >"$tmp/etc/apt/sources.list"
		chroot_apt "$tmp" "$suite" 'apt-get update -q && apt-get dist-upgrade -y -q &&
			apt-get install -y -q --no-install-recommends linux-headers-amd64 && apt-get clean'
		rm -rf "$dir"
		mv "$tmp" "$dir"
		touch "$stamp"
	elif [ -n "${KERNEL_REFRESH:-}" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
		echo "# refreshing the $suite chroot from Debian" >&2
		chroot_apt "$dir" "$suite" 'apt-get update -q && apt-get dist-upgrade -y -q &&
			apt-get install -y -q --no-install-recommends linux-headers-amd64 &&
			apt-get autoremove -y -q && apt-get clean'
		touch "$stamp"
	fi
	echo "$dir"
)

# chroot_install CHROOT PKG...: install in the chroot what it lacks.
chroot_install() (
	dir=$1 missing=()
	shift
	cache_lock "$(basename "$dir")"
	for pkg in "$@"; do
		chroot "$dir" dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && exit
	echo "# installing ${missing[*]} in $dir" >&2
	chroot_apt "$dir" "$(basename "$dir" | sed 's/^chroot-//')" \
		"apt-get update -q && apt-get install -y -q --no-install-recommends ${missing[*]} && apt-get clean"
)

# Everything that is not a suite's module build (the test programs, the
# linters, the sanitizer kernel, the guest's busybox) comes from one
# chroot, of the oldest suite tested, so that it is the same on any host.
TOOLCHAIN_SUITE=bookworm
toolchain_chroot() {
	debian_chroot "$TOOLCHAIN_SUITE"
}

# A Debian 13 host, as a new user has it: trixie with make, gcc and git.
# Debootstrapped once into the cache; each run gets a fresh copy.
debian13_host_base() (
	base=$CACHE_DIR/host-trixie
	cache_lock host-trixie
	if [ ! -e "$base/.made" ]; then
		note "creating a Debian 13 host chroot (log: $CACHE_DIR/host-trixie.log)" >&2
		rm -rf "$base.tmp"
		debootstrap --variant=minbase --include=make,gcc,libc6-dev,git,ca-certificates \
			trixie "$base.tmp" "$(debian_mirror)" >"$CACHE_DIR/host-trixie.log" 2>&1 ||
			{ tail -n 20 "$CACHE_DIR/host-trixie.log" >&2; die "debootstrap trixie failed"; }
		chroot_sources trixie >"$base.tmp/etc/apt/sources.list"
		# As in the suite chroots (kernels.sh), for a mirror that is a snapshot.
		echo 'Acquire::Check-Valid-Until "false";' >"$base.tmp/etc/apt/apt.conf.d/99lesson4-c"
		rm -rf "$base"
		mv "$base.tmp" "$base"
		touch "$base/.made"
	fi
	echo "$base"
)

# debian_kernel_package CHROOT KVER: unpack the suite's kernel package for
# KVER into the cache, keyed by its version; prints where.
# The image is in linux-binary-KVER on newer suites, linux-image-KVER before.
debian_kernel_package() (
	root=$1 kver=$2
	for pkg in "linux-binary-$kver" "linux-image-$kver"; do
		version=$(chroot "$root" apt-cache show --no-all-versions "$pkg" 2>/dev/null |
			sed -n 's/^Version: //p')
		[ -z "$version" ] || break
	done
	[ -n "$version" ] || die "no kernel package for $kver"
	dir=$CACHE_DIR/kernels/${pkg}_$version
	# The chroot's lock: its apt lists must not change under apt-get download.
	cache_lock "$(basename "$root")"
	if [ ! -e "$dir/.unpacked" ]; then
		echo "# downloading $pkg $version" >&2
		rm -rf "$dir" "$root/tmp/debs"
		mkdir -p "$dir" "$root/tmp/debs"
		chroot "$root" sh -c "cd /tmp/debs && apt-get download -q -o APT::Sandbox::User=root '$pkg=$version'" \
			>>"$CACHE_DIR/chroot-download.log" 2>&1 ||
			die "cannot download $pkg"
		chroot "$root" sh -c 'dpkg-deb -x /tmp/debs/*.deb /tmp/debs/x' ||
			die "cannot unpack $pkg"
		mv "$root"/tmp/debs/x/* "$dir/"
		rm -rf "$root/tmp/debs"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
)

resolve_kernel() {
	local name=$1 suite unpacked
	if [ -n "${KERNEL_IMAGE:-}" ]; then
		# A kernel given by hand, or the sanitizer kernel: KDIR is in
		# BUILD_CHROOT if that is set, else on the host.
		BUILD_CHROOT=${BUILD_CHROOT:-}
		[ -n "${KDIR:-}" ] || die "KERNEL_IMAGE needs KDIR as well"
		KVER=${KVER:-$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
			"$BUILD_CHROOT$KDIR/include/generated/utsrelease.h")}
		MODULES_DIR=${MODULES_DIR:-/lib/modules/$KVER}
	else
		suite=$(suite_of "$name") ||
			die "unknown kernel '$name' (known: $KNOWN_KERNELS; or set KERNEL_IMAGE and KDIR)"
		BUILD_CHROOT=$(debian_chroot "$suite") || return
		KVER=$(chroot_kernel_release "$BUILD_CHROOT")
		[ -n "$KVER" ] || die "no linux-headers-amd64 in the $suite chroot"
		unpacked=$(debian_kernel_package "$BUILD_CHROOT" "$KVER") || return
		KERNEL_IMAGE=$(find "$unpacked" -name "vmlinuz*" -type f | head -n 1)
		MODULES_DIR=$(find "$unpacked" -type d -path "*/lib/modules/$KVER" | head -n 1)
		# Newer suites ship the module lists (modules.order, .builtin)
		# in linux-base-KVER, which the headers bring into the chroot.
		[ -e "$MODULES_DIR/modules.order" ] || MODULES_DIR=$BUILD_CHROOT/usr/lib/modules/$KVER
		KDIR=/usr/src/linux-headers-$KVER
	fi
	[ -r "$KERNEL_IMAGE" ] || die "no kernel image at $KERNEL_IMAGE"
	[ -d "$BUILD_CHROOT$KDIR" ] || die "no kernel build tree at $BUILD_CHROOT$KDIR"
}

# resolved_kernel NAME: resolve_kernel in a subshell, so that a kernel that
# cannot be had fails only its caller's part, printing its variables as
# declarations to source (in a function they become the function's locals).
resolved_kernel() {
	(resolve_kernel "$1" && declare -p KVER KERNEL_IMAGE KDIR MODULES_DIR BUILD_CHROOT)
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
