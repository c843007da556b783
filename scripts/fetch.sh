#!/usr/bin/env bash
# make fetch: all that the checks take from Debian, fetched ahead and side
# by side: each suite's chroot with its kernel and DKMS, the Debian 13 host,
# the toolchain chroot with every package lib/packages.sh lists, the linters'
# kernel source, and herd7 (built, where it is not on PATH). .ci/run starts
# it in the background; a check that needs a part meanwhile waits for it
# (cache_lock), and then finds it done.
#   KERNEL="6.1 7.2"   the kernels to fetch (default: all known)
source "$(dirname "$0")/lib/init.sh"

ensure_deps
# The toolchain chroot and make check's packages first, alone: make check
# waits for them, and debootstraps side by side slow each other down.
tc=$(toolchain_chroot)
# shellcheck disable=SC2086
chroot_install "$tc" $GUEST_PACKAGES $PROGS_PACKAGES $LINT_PACKAGES
pids=()
for name in ${KERNEL:-$(default_kernels)}; do
	# shellcheck disable=SC2086
	(resolve_kernel "$name" && chroot_install "$BUILD_CHROOT" $DKMS_PACKAGES) &
	pids+=($!)
done
debian13_host_base >/dev/null &
pids+=($!)
kernel_source >/dev/null
# shellcheck disable=SC2086
chroot_install "$tc" $PROVE_PACKAGES $HERD_PACKAGES $MODPROBE_PACKAGES $DEB_PACKAGES \
	$DEBUG_KERNEL_PACKAGES $STRESS_PACKAGES $GDB_PACKAGES $BENCH_PACKAGES
# herd7 is built, not downloaded: beside the rest, at nice 19 as the
# sanitizer kernel is, so that the checks' guests keep their time.
nice -n 19 "$ROOT/scripts/herd7.sh" >/dev/null &
pids+=($!)
status=0
for pid in "${pids[@]}"; do
	wait "$pid" || status=1
done
[ "$status" = 0 ] || die "some downloads failed: see the messages above"
echo "# fetched: the chroots, kernels and packages in $CACHE_DIR"
