# Kernels the suite runs on. resolve_kernel NAME sets:
#   KVER          the kernel release (uname -r in the guest)
#   KERNEL_IMAGE  the bzImage to boot
#   KDIR          the build tree to compile modules against
#   MODULES_DIR   the kernel's module tree (/lib/modules/KVER)
# Set KERNEL_IMAGE and KDIR yourself to run on any other kernel.
# shellcheck shell=bash

KNOWN_KERNELS="6.1"

default_kernels() {
	echo "$KNOWN_KERNELS"
}

# The release that a Debian metapackage (linux-image-amd64) points at.
debian_release_of() {
	dpkg-query -W -f='${Depends}' "$1" | sed -n 's/^linux-image-\([^ ,]*\).*/\1/p'
}

resolve_kernel() {
	local name=$1
	if [ -n "${KERNEL_IMAGE:-}" ]; then
		[ -n "${KDIR:-}" ] || die "KERNEL_IMAGE needs KDIR as well"
		KVER=${KVER:-$(make -s -C "$KDIR" kernelrelease)}
	else
		case $name in
		6.1) KVER=$(debian_release_of linux-image-amd64) ;;
		*) die "unknown kernel '$name' (known: $KNOWN_KERNELS; or set KERNEL_IMAGE and KDIR)" ;;
		esac
		KDIR=/usr/src/linux-headers-$KVER
		KERNEL_IMAGE=/boot/vmlinuz-$KVER
	fi
	MODULES_DIR=${MODULES_DIR:-/lib/modules/$KVER}
	[ -r "$KERNEL_IMAGE" ] || die "no kernel image at $KERNEL_IMAGE"
	[ -d "$KDIR" ] || die "no kernel build tree at $KDIR"
}
