#!/usr/bin/env bash
# make check: for each kernel, build everything with W=1, boot the kernel
# under QEMU, run the guest suite, and check the console. Prints KTAP, ends
# with "N passed, N failed", exits non-zero on any failure.
#   KERNEL="6.1 7.2"   the kernels to run (default: all known)
#   LINT=0             skip the static analysis (make lint)
#   GUEST_TIMEOUT=300  seconds before a guest counts as hung
#   ACCEL=kvm|tcg      skip the KVM probe
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/kernels.sh"
source "$ROOT/scripts/vm.sh"
source "$ROOT/scripts/lint.sh"
source "$ROOT/scripts/suite.sh"

GUEST_TIMEOUT=${GUEST_TIMEOUT:-300}

ensure_deps
read -r -a kernels <<<"${KERNEL:-$(default_kernels)}"
lint=${LINT:-1}
[ "$lint" = 0 ] || lint=1
echo "KTAP version 1"
echo "1..$((${#kernels[@]} + lint))"
start=$SECONDS
[ "$lint" = 0 ] || lint_suite 1
for i in "${!kernels[@]}"; do
	check_kernel "${kernels[$i]}" $((i + 1 + lint))
done
note "$((SECONDS - start))s for$([ "$lint" = 0 ] || echo " lint and") ${kernels[*]}"
summary
