#!/usr/bin/env bash
# make demo: boot a kernel under QEMU and replay the lesson's shell sessions
# for every module, showing each command, its output and the kernel log.
#   KERNEL=6.1   the kernel to boot (see scripts/lib/kernels.sh)
source "$(dirname "$0")/lib/init.sh"

ensure_deps
resolve_kernel "${KERNEL:-6.1}"
out=$BUILD_ROOT/$KVER
mkdir -p "$out"
note "building the modules for $KVER"
rm -rf "$out/modules" "$out/progs"
kbuild "$out" modules >"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log"; die "build failed (log: $out/build.log)"; }
make_initramfs "$out/initramfs.gz" "$KVER" "$out"
note "booting $KVER under QEMU ($(pick_accel "$KERNEL_IMAGE")); the guest is a root shell with the modules in its working directory"
rc=0
run_vm "$KERNEL_IMAGE" "$out/initramfs.gz" replay-lesson "${GUEST_TIMEOUT:-300}" \
	"$out/console.log" | grep -v '^ktest: guest done$' || rc=$?
[ "$rc" -eq 0 ] || die "the VM failed (status $rc); console: $out/console.log"
