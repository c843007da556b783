#!/usr/bin/env bash
# make check-debug: the whole suite on the sanitizer kernel (KASAN, lockdep,
# kmemleak, UBSAN, list and object debugging, panic_on_warn), plus KUnit,
# fault injection on every error path, stress (torture, load/unload races,
# stress-ng) and a final kmemleak scan; then each detector proven armed by
# the canary module, one throwaway boot per bug; then trinity in a boot of
# its own.
# The kernel is built once (about half an hour on 2 cores) and cached.
#   GUEST_TIMEOUT=1800   seconds before a guest counts as hung
#   ACCEL=kvm|tcg        skip the KVM probe
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/kernels.sh"
source "$ROOT/scripts/vm.sh"
source "$ROOT/scripts/suite.sh"
source "$ROOT/scripts/debug-kernel.sh"

GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800}

# Each bug the canary commits, and the report that must follow.
DETECTORS=(
	"kasan:BUG: KASAN: slab-out-of-bounds"
	"lockdep:WARNING: possible circular locking dependency detected"
	"kmemleak:unreferenced object"
	"atomic_sleep:BUG: sleeping function called from invalid context"
	"ubsan:UBSAN: shift-out-of-bounds"
)

detectors_suite() {
	local number=$1 failed_before=$failed i=0 spec bug report log out
	out=$BUILD_ROOT/$KVER
	echo "    KTAP version 1"
	echo "    # Subtest: detectors"
	echo "    1..${#DETECTORS[@]}"
	for spec in "${DETECTORS[@]}"; do
		i=$((i + 1))
		bug=${spec%%:*}
		report=${spec#*:}
		log=$out/canary-$bug.log
		KERNEL_CMDLINE="$DEBUG_KERNEL_CMDLINE ktest.bug=$bug" \
			run_vm "$KERNEL_IMAGE" "$out/initramfs.gz" canary 600 \
			"$out/canary-$bug.console" >"$log" || true
		cat "$out/canary-$bug.console" >>"$log"
		if grep -qF "$report" "$log" && grep -q canary "$log"; then
			result ok "$i" "$bug # reported: $report"
		else
			tail -n 20 "$log" | sed 's/^/    # /'
			result "not ok" "$i" "$bug"
		fi
	done
	[ "$failed" -eq "$failed_before" ] && echo "ok $number detectors" ||
		echo "not ok $number detectors"
}

# trinity with the echo device as a victim file, in a boot of its own.
fuzz_suite() {
	local number=$1 out=$BUILD_ROOT/$KVER log syscalls
	log=$out/fuzz.log
	echo "    KTAP version 1"
	echo "    # Subtest: fuzz"
	echo "    1..1"
	KERNEL_CMDLINE="$DEBUG_KERNEL_CMDLINE" run_vm "$KERNEL_IMAGE" \
		"$out/initramfs.gz" fuzz 600 "$out/fuzz.console" >"$log" || true
	syscalls=$(sed -n 's/^fuzz: \([1-9][0-9]*\) syscalls.*/\1/p' "$log")
	grep '^fuzz:' "$log" | sed 's/^/    # /'
	if [ -n "$syscalls" ] && grep -q '^fuzz: no kernel reports$' "$log" &&
		grep -q '^fuzz: echo unloaded$' "$log" &&
		grep -q '^fuzz: /dev/echo still works: alive$' "$log" &&
		! grep -qE "$CONSOLE_REPORTS" "$out/fuzz.console"; then
		result ok 1 "trinity # ${syscalls:-?} syscalls, no kernel reports"
		echo "ok $number fuzz"
	else
		tail -n 30 "$log" "$out/fuzz.console" | sed 's/^/    # /'
		result "not ok" 1 trinity
		echo "not ok $number fuzz"
	fi
}

ensure_deps
install_packages stress-ng trinity
start=$SECONDS
debug_kernel
export KVER KERNEL_IMAGE KDIR MODULES_DIR
BUILD_CANARY=1
GUEST_PROGRAMS="/usr/bin/stress-ng /usr/bin/trinity"
KERNEL_CMDLINE="$DEBUG_KERNEL_CMDLINE ktest.debug=1"
echo "KTAP version 1"
echo "1..3"
check_kernel "debug-$KVER" 1
KERNEL_CMDLINE=
detectors_suite 2
fuzz_suite 3
note "$((SECONDS - start))s"
summary
