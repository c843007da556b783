# The kernels the suite runs on: Debian's stock kernels, one per suite.
# resolve_kernel NAME sets:
#   KVER          the kernel release (uname -r in the guest)
#   KERNEL_IMAGE  the bzImage to boot
#   KDIR          the build tree to compile modules against
#   MODULES_DIR   the kernel's module tree
#   BUILD_CHROOT  the Debian chroot that KDIR lives in ("" for the host)
# Set KERNEL_IMAGE and KDIR yourself to run on any other kernel.
#
# The host's own suite uses the host's packages. Any other suite gets a
# debootstrap chroot in the cache with that suite's headers and compiler,
# and its kernel image unpacked from the suite's package. Both are refreshed
# once a day (KERNEL_REFRESH=1: now), so they follow Debian's updates; the
# host's apt sources are never touched.
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

# The Debian mirror the host's apt already uses.
host_mirror() {
	apt-cache policy | awk '$3 ~ /^[a-z]+\/main$/ && $2 ~ /^http/ { print $2; exit }'
}

# in_chroot DIR CMD...: run CMD in the chroot DIR, with /proc mounted for
# the time of the command (objtool needs it).
in_chroot() {
	local dir=$1 rc=0 mounted=
	shift
	if ! mountpoint -q "$dir/proc"; then
		mount -t proc proc "$dir/proc" || return
		mounted=1
	fi
	chroot "$dir" "$@" || rc=$?
	[ -z "$mounted" ] || umount "$dir/proc"
	return $rc
}

# debian_chroot SUITE: create or refresh the suite's build chroot; prints its path.
debian_chroot() {
	local suite=$1 dir=$CACHE_DIR/chroot-$1 stamp tmp
	stamp=$dir/.refreshed
	if [ ! -e "$stamp" ]; then
		echo "# creating a $suite chroot with its kernel headers (about a minute; log: $CACHE_DIR/chroot-$suite.log)" >&2
		tmp=$dir.tmp
		rm -rf "$tmp"
		mkdir -p "$CACHE_DIR"
		debootstrap --variant=minbase \
			--include=linux-headers-amd64,make,perl \
			"$suite" "$tmp" "$(host_mirror)" >"$CACHE_DIR/chroot-$suite.log" 2>&1 ||
			{ tail -n 20 "$CACHE_DIR/chroot-$suite.log" >&2; die "debootstrap $suite failed"; }
		rm -rf "$dir"
		mv "$tmp" "$dir"
		touch "$stamp"
	elif [ -n "${KERNEL_REFRESH:-}" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
		echo "# refreshing the $suite chroot from Debian" >&2
		chroot "$dir" sh -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends linux-headers-amd64 &&
			apt-get autoremove -y -q && apt-get clean' \
			>>"$CACHE_DIR/chroot-$suite.log" 2>&1 ||
			{ tail -n 20 "$CACHE_DIR/chroot-$suite.log" >&2; die "refreshing $suite failed"; }
		touch "$stamp"
	fi
	echo "$dir"
}

# debian_kernel_package CHROOT KVER: unpack the suite's kernel package for
# KVER into the cache, keyed by its version; prints where.
# The image is in linux-binary-KVER on newer suites, linux-image-KVER before.
debian_kernel_package() {
	local root=$1 kver=$2 pkg version dir
	for pkg in "linux-binary-$kver" "linux-image-$kver"; do
		version=$(chroot "$root" apt-cache show --no-all-versions "$pkg" 2>/dev/null |
			sed -n 's/^Version: //p')
		[ -z "$version" ] || break
	done
	[ -n "$version" ] || die "no kernel package for $kver"
	dir=$CACHE_DIR/kernels/${pkg}_$version
	if [ ! -e "$dir/.unpacked" ]; then
		echo "# downloading $pkg $version" >&2
		rm -rf "$dir" "$root/tmp/debs"
		mkdir -p "$dir" "$root/tmp/debs"
		chroot "$root" sh -c "cd /tmp/debs && apt-get download -q -o APT::Sandbox::User=root '$pkg=$version'" \
			>>"$CACHE_DIR/chroot-download.log" 2>&1 ||
			die "cannot download $pkg"
		dpkg-deb -x "$root"/tmp/debs/*.deb "$dir"
		rm -rf "$root/tmp/debs"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

resolve_kernel() {
	local name=$1 suite unpacked
	BUILD_CHROOT=
	if [ -n "${KERNEL_IMAGE:-}" ]; then
		[ -n "${KDIR:-}" ] || die "KERNEL_IMAGE needs KDIR as well"
		KVER=${KVER:-$(make -s -C "$KDIR" kernelrelease)}
		MODULES_DIR=${MODULES_DIR:-/lib/modules/$KVER}
	else
		suite=$(suite_of "$name") ||
			die "unknown kernel '$name' (known: $KNOWN_KERNELS; or set KERNEL_IMAGE and KDIR)"
		# shellcheck source=/dev/null
		if [ "$suite" = "$(. /etc/os-release && echo "$VERSION_CODENAME")" ]; then
			KVER=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | release_of_metapackage)
			KERNEL_IMAGE=/boot/vmlinuz-$KVER
			MODULES_DIR=/lib/modules/$KVER
		else
			BUILD_CHROOT=$(debian_chroot "$suite") || return
			KVER=$(chroot "$BUILD_CHROOT" dpkg-query -W -f='${Depends}' linux-headers-amd64 |
				release_of_metapackage)
			[ -n "$KVER" ] || die "no linux-headers-amd64 in the $suite chroot"
			unpacked=$(debian_kernel_package "$BUILD_CHROOT" "$KVER") || return
			KERNEL_IMAGE=$(find "$unpacked" -name "vmlinuz*" -type f | head -n 1)
			MODULES_DIR=$(find "$unpacked" -type d -path "*/lib/modules/$KVER" | head -n 1)
		fi
		KDIR=/usr/src/linux-headers-$KVER
	fi
	[ -r "$KERNEL_IMAGE" ] || die "no kernel image at $KERNEL_IMAGE"
	[ -d "$BUILD_CHROOT$KDIR" ] || die "no kernel build tree at $BUILD_CHROOT$KDIR"
}
