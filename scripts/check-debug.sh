#!/usr/bin/env bash
# make check-debug: the whole suite on the sanitizer kernel (KASAN, lockdep,
# kmemleak, UBSAN, list and object debugging, panic_on_warn), plus KUnit,
# fault injection on every error path, stress (torture, load/unload races,
# stress-ng) and a final kmemleak scan; then each detector proven armed by
# the canary module, one throwaway boot per bug, and a control boot with
# no bug that must stay clean; then trinity in a boot of
# its own; then module signing, enforced; then gdb, attached through QEMU's
# gdbstub, stopping in echo_write_iter (gdb-session.sh).
# The kernel is built once and cached.
#   GUEST_TIMEOUT=1800   seconds before a guest counts as hung
#   ACCEL=kvm|tcg        skip the KVM probe
source "$(dirname "$0")/lib/init.sh"

GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800}

# Each bug the canary commits, the function that commits it, and the
# report that must follow, naming that function in its trace.
DETECTORS=(
	"kasan:out_of_bounds:BUG: KASAN: slab-out-of-bounds"
	"lockdep:lock_order_inversion:WARNING: possible circular locking dependency detected"
	"kmemleak:leak:unreferenced object"
	"atomic_sleep:sleep_in_atomic:BUG: sleeping function called from invalid context"
	"ubsan:shift_out_of_bounds:UBSAN: shift-out-of-bounds"
)

# canary_boot BUG: boot with the canary committing BUG; the log and the
# console in one file, whose name it prints.
canary_boot() {
	local log=$out/canary-$1.log
	KERNEL_CMDLINE="$DEBUG_KERNEL_CMDLINE ktest.bug=$1" \
		run_vm "$KERNEL_IMAGE" "$out/initramfs.gz" canary 600 \
		"$out/canary-$1.console" >"$log" || true
	cat "$out/canary-$1.console" >>"$log"
	echo "$log"
}

detectors_suite() {
	local number=$1 failed_before=$failed i=0 spec bug func report log
	out=$BUILD_ROOT/$KVER
	subtest "detectors" "$((${#DETECTORS[@]} + 1))"
	for spec in "${DETECTORS[@]}"; do
		i=$((i + 1))
		IFS=: read -r bug func report <<<"$spec"
		log=$(canary_boot "$bug")
		# The report, and the canary's function within its block (not
		# grep -q: with pipefail, its early exit would fail the pipe).
		if grep -A 60 -F "$report" "$log" | grep "$func+0x" >/dev/null; then
			result ok "$i" "$bug # reported: $report, in $func"
		else
			tail -n 20 "$log" | sed 's/^/    # /'
			result "not ok" "$i" "$bug # no '$report' naming $func"
		fi
	done
	# The control: the same boot with no bug reports nothing.
	log=$(canary_boot none)
	if grep -q '^canary: loaded with bug=none$' "$log" && ! console_problems "$log" | grep .; then
		result ok $((i + 1)) "control # no bug, no report"
	else
		result "not ok" $((i + 1)) "control # a report without a bug"
	fi
	subtest_result "$number" "detectors" "$failed_before"
}

# trinity with the echo device as a victim file, in a boot of its own.
fuzz_suite() {
	local number=$1 out=$BUILD_ROOT/$KVER log syscalls
	log=$out/fuzz.log
	subtest "fuzz" "1"
	KERNEL_CMDLINE="$DEBUG_KERNEL_CMDLINE" run_vm "$KERNEL_IMAGE" \
		"$out/initramfs.gz" fuzz 600 "$out/fuzz.console" >"$log" || true
	syscalls=$(sed -n 's/^fuzz: \([1-9][0-9]*\) syscalls.*/\1/p' "$log")
	grep '^fuzz:' "$log" | sed 's/^/    # /'
	if [ -n "$syscalls" ] && grep -q '^fuzz: no kernel reports$' "$log" &&
		grep -q '^fuzz: echo unloaded$' "$log" &&
		grep -q '^fuzz: /dev/echo still works: alive$' "$log" &&
		[ -z "$(console_problems "$out/fuzz.console")" ]; then
		result ok 1 "trinity # ${syscalls:-?} syscalls, no kernel reports"
		echo "ok $number fuzz"
	else
		tail -n 30 "$log" "$out/fuzz.console" | sed 's/^/    # /'
		result "not ok" 1 trinity
		echo "not ok $number fuzz"
	fi
}

# The module signing check: `make sign` with the test key that the kernel
# trusts, and with another key (its passphrase in KBUILD_SIGN_PIN); booted
# with module.sig_enforce=1, the kernel loads only the first
# (tests/guest/t_signing.sh).
signing_suite() {
	local number=$1 failed_before=$failed dir log
	out=$BUILD_ROOT/$KVER-signing
	log=$out/sign.log
	dir=$(chroot_work_dir signing "$out")
	rm -rf "$out" "$BUILD_CHROOT$dir"
	mkdir -p "$out"
	tree_copy "$BUILD_CHROOT$dir/src"
	subtest "signing" "2"
	echo "    # make sign, with the trusted key and with another (log: $log)"
	if in_chroot "$BUILD_CHROOT" sh -ec "
		cd $dir/src
		make modules KDIR=$KDIR
		mkdir -p $dir/root/root/signed $dir/root/root/other
		cp modules/echo.ko $dir/root/root/echo.ko
		make sign KDIR=$KDIR KEY=$DEBUG_SIGNING_KEY CERT=$DEBUG_SIGNING_CERT
		mv modules/echo.ko $dir/root/root/signed/
		cp $dir/root/root/echo.ko modules/echo.ko
		openssl req -new -x509 -newkey rsa:2048 -sha256 -days 1 -batch \
			-subj '/CN=another key/' -passout pass:lesson4 -keyout other.key -out other.crt
		KBUILD_SIGN_PIN=lesson4 make sign KDIR=$KDIR KEY=other.key CERT=other.crt
		mv modules/echo.ko $dir/root/root/other/" >"$log" 2>&1; then
		result ok 1 make_sign
	else
		tail -n 20 "$log" | sed 's/^/    # /'
		result "not ok" 1 make_sign
	fi
	GUEST_EXTRA_ROOT=$BUILD_CHROOT$dir/root GUEST_PROGRAMS=/usr/bin/kmod \
		GUEST_PROGRAMS_PACKAGES=kmod make_initramfs "$out/initramfs.gz" "$KVER" "$out"
	KERNEL_CMDLINE="$DEBUG_KERNEL_CMDLINE module.sig_enforce=1" \
		boot_suite 2 guest_sig_enforce "$out/console.log" "ktest.suites=signing"
	subtest_result "$number" "signing" "$failed_before"
}

ensure_deps
GUEST_PROGRAMS_PACKAGES=$STRESS_PACKAGES
start=$SECONDS
debug_kernel
export KVER KERNEL_IMAGE KDIR MODULES_DIR BUILD_CHROOT
GUEST_PROGRAMS="/usr/bin/stress-ng /usr/bin/trinity"
KERNEL_CMDLINE="$DEBUG_KERNEL_CMDLINE ktest.debug=1"
echo "KTAP version 1"
echo "1..5"
check_kernel "debug-$KVER" 1
KERNEL_CMDLINE=
detectors_suite 2
fuzz_suite 3
signing_suite 4
gdb_suite 5
note "$((SECONDS - start))s"
summary
