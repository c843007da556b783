# Only on the sanitizer kernel (make check-debug): KUnit, fault injection
# on every error path, and kmemleak.

KMEMLEAK=/sys/kernel/debug/kmemleak

# Make the N-th allocation or user copy of a task fail on request
# (fail-nth), GFP_KERNEL and single pages included, with a report and a
# stack trace per injected fault and no random failures. The traces stay
# off the slow serial console; the log buffer keeps them, and a panic
# prints everything (panic_print).
setup_fault_injection() {
	dmesg -n 1
	for attr in failslab fail_page_alloc fail_usercopy; do
		dir=/sys/kernel/debug/$attr
		echo 0 >$dir/probability
		echo Y >$dir/task-filter
		echo 2 >$dir/verbose
		# Every report, or fault-sweep cannot tell where a fault hit:
		# by default only 10 in 5 s get one.
		echo 0 >$dir/verbose_ratelimit_interval_ms
	done
	echo N >/sys/kernel/debug/failslab/ignore-gfp-wait
	echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait
	echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
	echo 0 >/sys/kernel/debug/fail_page_alloc/min-order
}

# Failed allocations log reports with stack traces, which is expected
# here; anything else in the whole log is not (log-problems.awk).
assert_only_allocation_failures_logged() {
	dmesg -n 5
	dmesg | awk -f /tests/log-problems.awk >/tmp/reports
	if [ -s /tmp/reports ]; then
		head -n 40 /tmp/reports
		fail "the kernel reported a problem under fault injection"
	fi
}

# kmemleak reports objects at least 5 s old: wait, scan twice, read.
assert_no_leaks() {
	sleep 6
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	if [ -n "$(cat $KMEMLEAK)" ]; then
		head -n 40 $KMEMLEAK
		fail "kmemleak found leaks"
	fi
}

subtest_kunit_echo_buffer() {
	results=/sys/kernel/debug/kunit/echo_buffer/results
	insmod echo_buffer_kunit.ko
	# The cases, one level down, as this suite's subtests: KUnit's own plan
	# (the cases the module declares), each result, and each failure's
	# lines as diagnostics.
	echo "KTAP version 1"
	awk '/^    1\.\.[0-9]+$/ { sub(/^ */, ""); print; body = 1; next }
		body && /^    (not )?ok / { sub(/^ */, ""); print; next }
		body && /^    / { sub(/^ *(# )?/, "# "); print }' $results
	planned=$(sed -n 's/^    1\.\.\([0-9]*\)$/\1/p' $results)
	reported=$(grep -c '^    \(not \)\{0,1\}ok ' $results)
	[ -n "$planned" ] && [ "$reported" -eq "$planned" ] ||
		{ echo "# $reported results for ${planned:-no} planned cases"; return 1; }
	grep -q '^ok ' $results
}

test_fault_injection_in_every_module_init() {
	setup_fault_injection
	echo clear >$KMEMLEAK
	# Each load with the faults it must reach in the module's own code
	# (the loader's own points vary from load to load, so fault-sweep
	# sweeps again until they add up), and every path it makes.
	fault-sweep load hello.ko hello "" || fail "hello"
	fault-sweep -m 2 load alloc_demo.ko alloc_demo "" || fail "alloc_demo"
	fault-sweep -m 6 load echo.ko echo "devices=2" /dev/echo /dev/echo1 \
		/sys/class/misc/echo /sys/class/misc/echo1 || fail "echo"
	# debugfs is optional: the demo loads without it.
	fault-sweep -m 3 load locking_demo.ko locking_demo "" \
		?/sys/kernel/debug/locking_demo || fail "locking_demo"
	fault-sweep load interop_demo.ko interop_demo "" || fail "interop_demo"
	fault-sweep load echo_simple.ko echo_simple "" /dev/echo_simple \
		/sys/class/misc/echo_simple || fail "echo_simple"
	assert_only_allocation_failures_logged
	assert_no_leaks
}

test_fault_injection_in_every_echo_call() {
	setup_fault_injection
	echo clear >$KMEMLEAK
	# Room for a write that reaches a second page, and for a read that
	# pins more chunks than the stack holds.
	insmod echo.ko capacity=131072
	fault-sweep ops /dev/echo || fail "a call under fault injection went wrong"
	assert_only_allocation_failures_logged
	assert_no_leaks
}

# The model-based fuzzer for longer, under the sanitizers: bounded by time
# (-t), with time left for a reduction (-T) within the case's timeout.
test_model_fuzz_long() {
	insmod echo.ko capacity=10000
	for seed in 101 102; do
		echo-fuzz -c 10000 -t 50 -T 30 /dev/echo $seed 100000000 ||
			fail "echo-fuzz seed $seed"
	done
}

# Stress, bounded in time, on the VM's 2 vCPUs: the operations each part
# ran are printed.

test_stress_torture_for_30s() {
	insmod echo.ko
	echo-torture /dev/echo 30 3 2 2 2 4096 || fail "torn reads or errors"
}

# Load and unload while other processes keep opening the device and
# reading the module's files: opens race with registration and removal.
# The race must have happened: at least one unload found a file open.
# Quick opens alone rarely meet an unload, so the opener also holds one
# of the module's files open for a moment in every round.
test_stress_load_unload_while_opening() {
	for m in echo locking_demo; do
		held=/dev/echo
		[ "$m" = echo ] || held=/sys/kernel/debug/locking_demo/ticks
		(while :; do
			cat /dev/echo /sys/kernel/debug/locking_demo/* \
				/sys/class/misc/echo/length >/dev/null 2>&1 || :
			{ sleep 0.01; } 2>/dev/null <"$held" || :
		done) &
		opener=$!
		loads=0 busy=0
		while [ $loads -lt 50 ] || { [ $busy -eq 0 ] && [ $loads -lt 500 ]; }; do
			insmod "$m.ko" || fail "$m: load $loads failed"
			# An opener may hold the device: rmmod then waits for it.
			until rmmod "$m" 2>/dev/null; do busy=$((busy + 1)); done
			loads=$((loads + 1))
		done
		kill $opener
		wait $opener 2>/dev/null || : # killed: a non-zero status
		echo "$m: $loads loads and unloads under concurrent opens ($busy unloads refused while open)"
		[ $busy -gt 0 ] || fail "$m: no unload met an open file"
		assert_gone "$m" /dev/echo
	done
}

test_stress_ng_dev() {
	insmod echo.ko capacity=65536
	stress-ng --dev 2 --dev-file /dev/echo --timeout 20s --metrics-brief \
		>/tmp/stress-ng.log 2>&1 || { cat /tmp/stress-ng.log; fail "stress-ng failed"; }
	# Before 0.21, stress-ng reports success even for a skipped stressor:
	# require the dev stressor's own count of operations.
	ops=$(sed -n 's/.*\] *dev  *\([0-9][0-9]*\) .*/\1/p' /tmp/stress-ng.log)
	echo "stress-ng: the dev stressor ran ${ops:-no} bogo operations"
	[ "${ops:-0}" -gt 0 ] && ! grep -qiE 'skipped: *[1-9]|skipping' /tmp/stress-ng.log ||
		{ cat /tmp/stress-ng.log; fail "stress-ng's dev stressor did not run"; }
	# The device still works afterwards.
	echo ok >/dev/echo
	assert_eq ok "$(cat /dev/echo)" "after stress-ng"
}

# The race test for longer, under KASAN, lockdep and PROVE_RCU.
subtest_echo_race_long() {
	insmod echo.ko capacity=16777216
	ECHO_RACE_SECONDS=120 echo-race
}
