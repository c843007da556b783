# The suite on one kernel, as a KTAP subtest: build with W=1, boot under
# QEMU, relay the guest's results, check the console. Used by check.sh and
# check-debug.sh.
# shellcheck shell=bash

# Indent the guest's KTAP one level deeper and tally its results into
# $1: "planned seen passed failed skipped finished". Leaves are counted: the
# results nested under a subtest, not the subtest's own line, unless it
# failed with no failing leaf (a program that crashed, say). A subtest that
# reports fewer results than its own plan fails the missing ones.
relay_guest() {
	awk -v tally="$1" '
		function count(line) {
			if (line ~ /# SKIP/) skip++
			else if (line ~ /^ *ok /) pass++
			else { fail++; nested_fail++ }
		}
		/^ktest: guest done$/ { done = 1; next }
		{ print "        " $0; fflush() }
		/^1\.\.[0-9]+$/ { planned = substr($0, 4) }
		/^    1\.\.[0-9]+$/ { nested_planned = substr($0, 8) }
		/^    (not )?ok [0-9]+/ { nested++; count($0); next }
		/^(not )?ok [0-9]+/ {
			seen++
			missing = nested_planned - nested
			if (missing > 0) {
				print "        # " missing " of its " nested_planned " planned results are missing"
				fail += missing
			} else if (!nested) count($0)
			else if ($1 == "not" && !nested_fail) fail++
			nested = nested_fail = nested_planned = 0
		}
		END { print planned + 0, seen + 0, pass + 0, fail + 0, skip + 0, done + 0 > tally }'
}

# tcg_text_patch_crash CONSOLE: the kernel died of an int3 trap in its own
# code (not a module's). Under TCG, the kernel's own text patching (jump
# labels, static calls) can do that at a patched site, at boot or later:
# QEMU's race, not ours.
# Not while ktest_hooks is loaded: its kprobes are int3 traps in the
# kernel's own code, and a fault of theirs is ours.
tcg_text_patch_crash() {
	local rip
	rip=$(awk '/Oops: int3/ { oops = 1 }
		oops && /RIP: 0010:/ && rip == "" { rip = $0 }
		oops && /Modules linked in:/ { if (/ktest_hooks/) rip = ""; exit }
		END { print rip }' "$1")
	# A module's symbol ends in "[module]".
	[ -n "$rip" ] && [[ ${rip#*RIP: 0010:} != *"["* ]]
}

# boot_guest CONSOLE KTAP [CMDLINE]: boot the resolved kernel with the
# initramfs of $out and run the guest suite (narrowed by CMDLINE, see
# tests/guest/run-suites.sh); its KTAP, relayed, goes to KTAP, its tally to
# $out/tally, QEMU's status to $out/status. A kernel that crashes or hangs
# before the suite starts (under TCG, one can stop for good a second into
# its boot), or that dies of TCG's text patching race, boots once more;
# only the last boot's results count.
boot_guest() {
	local console=$1 ktap=$2 cmdline=${3:-} rc attempt
	local planned seen gpass gfail gskip finished
	for attempt in 1 2; do
		rc=0
		KERNEL_CMDLINE="${KERNEL_CMDLINE:-} $cmdline" run_vm "$KERNEL_IMAGE" \
			"$out/initramfs.gz" run-suites "$GUEST_TIMEOUT" "$console" |
			relay_guest "$out/tally" >"$ktap" || rc=$?
		echo "$rc" >"$out/status"
		read -r planned seen gpass gfail gskip finished <"$out/tally"
		[ $attempt = 1 ] && [ "$finished" != 1 ] &&
			{ [ "$planned" -eq 0 ] ||
				{ [ "$rc" != 124 ] && tcg_text_patch_crash "$console"; }; } || break
		cp "$console" "${console%.log}-crash.log"
		echo "    # the kernel $([ "$rc" = 124 ] && echo "hung (timed out after ${GUEST_TIMEOUT}s)" || echo crashed) after $seen of $planned cases (console kept in ${console%.log}-crash.log); booting again:"
		grep -m 3 -E 'Oops|BUG:|panic|RIP: 0010' "$console" | sed 's/^/    # /'
	done
}

# boot_suite NUMBER NAME CONSOLE [CMDLINE]: boot_guest, then print its KTAP,
# count its results and print the result line NUMBER.
boot_suite() {
	local number=$1 name=$2 console=$3 cmdline=${4:-} rc
	local planned seen gpass gfail gskip finished
	boot_guest "$console" "$out/guest.ktap" "$cmdline"
	rc=$(cat "$out/status")
	read -r planned seen gpass gfail gskip finished <"$out/tally"
	cat "$out/guest.ktap"
	passed=$((passed + gpass))
	failed=$((failed + gfail))
	skipped=$((skipped + gskip))

	if [ "$finished" = 1 ] && [ "$seen" -eq "$planned" ] && [ "$planned" -gt 0 ]; then
		[ "$gfail" -eq 0 ] && echo "    ok $number $name" || echo "    not ok $number $name"
	else
		# Cases that never reported count as failed; at least one does.
		local missing=$((planned > seen ? planned - seen : 1))
		failed=$((failed + missing))
		echo "    # guest stopped after $seen of $planned cases (QEMU status $rc$([ "$rc" = 124 ] && echo ", timed out after ${GUEST_TIMEOUT}s")); console tail:"
		tail -n 40 "$console" | sed 's/^/    # /'
		echo "    not ok $number $name # $([ "$rc" = 124 ] && echo TIMEOUT || echo ERROR) $missing cases did not report"
	fi
}

# console_problems CONSOLE...: what the kernel reported on these consoles.
console_problems() {
	awk -f "$ROOT/tests/guest/log-problems.awk" "$@"
}

check_kernel() {
	local name=$1 number=$2 failed_before=$failed out log resolved

	echo "    KTAP version 1"
	echo "    # Subtest: $name"
	echo "    1..4"

	# A kernel that cannot be had fails its own tests, not the run.
	resolved=$BUILD_ROOT/resolved-$name
	mkdir -p "$BUILD_ROOT"
	if resolved_kernel "$name" >"$resolved"; then
		source "$resolved"
	else
		result "not ok" 1 build_w1_warning_free "ERROR cannot get kernel $name"
		result ok 2 guest "SKIP no kernel"
		result ok 3 guest_without_debugfs "SKIP no kernel"
		result ok 4 console_clean "SKIP no kernel"
		echo "not ok $number $name"
		return
	fi
	out=$BUILD_ROOT/$KVER
	mkdir -p "$out"
	log=$out/build.log
	echo "    # kernel $KVER: image $KERNEL_IMAGE, headers ${BUILD_CHROOT:+(chroot) }$BUILD_CHROOT$KDIR"

	echo "    # building modules and test programs (log: $log)"
	if build_for_kernel "$out" >"$log" 2>&1 &&
		[ -z "$(build_problems "$log")" ]; then
		result ok 1 build_w1_warning_free
	else
		{ build_problems "$log" | grep . || tail -n 10 "$log"; } |
			head -n 20 | sed 's/^/    # /'
		result "not ok" 1 build_w1_warning_free
		result ok 2 guest "SKIP build failed"
		result ok 3 guest_without_debugfs "SKIP build failed"
		result ok 4 console_clean "SKIP build failed"
		echo "not ok $number $name"
		return
	fi

	make_initramfs "$out/initramfs.gz" "$KVER" "$out"
	echo "    # booting under QEMU ($(pick_accel "$KERNEL_IMAGE")), up to ${GUEST_TIMEOUT}s (console: $out/console.log)"
	boot_suite 2 guest "$out/console.log"
	echo "    # booting again with debugfs=off (console: $out/console-nodebugfs.log)"
	boot_suite 3 guest_without_debugfs "$out/console-nodebugfs.log" \
		"debugfs=off ktest.suites=nodebugfs"

	if console_problems "$out/console.log" "$out/console-nodebugfs.log" \
		>"$out/console-problems" && [ -s "$out/console-problems" ]; then
		head -n 20 "$out/console-problems" | sed 's/^/    # /'
		result "not ok" 4 console_clean
	else
		result ok 4 console_clean
	fi

	[ "$failed" -eq "$failed_before" ] && echo "ok $number $name" || echo "not ok $number $name"
}
