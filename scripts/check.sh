#!/usr/bin/env bash
# make check: for each kernel, build everything with W=1, boot the kernel
# under QEMU, run the guest suite, and check the console; then replay the
# lesson's sessions on 6.1 and compare them with docs/lesson.md. Prints
# KTAP, ends with "N passed, N failed", exits non-zero on any failure.
#   KERNEL="6.1 7.2"   the kernels to run (default: all known)
#   LINT=0             skip the static analysis (make lint)
#   GUEST_TIMEOUT=300  seconds before a guest counts as hung
#   ACCEL=kvm|tcg      skip the KVM probe
source "$(dirname "$0")/lib/init.sh"

GUEST_TIMEOUT=${GUEST_TIMEOUT:-300}

# lesson_suite NUMBER: make demo's guest, on 6.1 as make check built it,
# ends well and prints what docs/lesson.md shows for each session (log
# timestamps, uptimes and the like aside, see lesson.awk); and a session
# whose output drifted by one digit that counts, or that is missing, is
# caught, for every session.
lesson_suite() {
	local number=$1 failed_before=$failed out=$BUILD_ROOT/lesson drift rc=0
	local session sessions missed=
	subtest lesson 3
	if [[ " ${kernels[*]} " != *" 6.1 "* ]]; then
		result ok 1 demo_finished "SKIP 6.1 not run"
		result ok 2 sessions_print_what_the_lesson_shows "SKIP 6.1 not run"
		result ok 3 a_drifted_session_is_caught "SKIP 6.1 not run"
		echo "ok $number lesson"
		return
	fi
	mkdir -p "$out"
	(
		source "$BUILD_ROOT/resolved-6.1"
		run_vm "$KERNEL_IMAGE" "$BUILD_ROOT/$KVER/initramfs.gz" replay-lesson \
			"$GUEST_TIMEOUT" "$out/console.log"
	) >"$out/demo.out" 2>&1 || rc=$?
	echo "    # make demo's sessions on 6.1 (output: $out/demo.out)"
	if [ "$rc" = 0 ] && grep -qx 'ktest: guest done' "$out/demo.out"; then
		result ok 1 demo_finished
	else
		result "not ok" 1 demo_finished "status $rc (console: $out/console.log)"
	fi
	drift=$(lesson_drift "$ROOT/docs/lesson.md" "$ROOT" "$out/demo.out")
	if [ -z "$drift" ]; then
		result ok 2 sessions_print_what_the_lesson_shows
	else
		sed 's/^/    # drifted: /; s/$/ (make lesson-update DEMO=OUTPUT)/' <<<"$drift"
		result "not ok" 2 sessions_print_what_the_lesson_shows
	fi
	sessions=$(awk -v mode=sessions -f "$ROOT/scripts/tools/lesson.awk" "$ROOT/docs/lesson.md" |
		sed -n 's/^session //p')
	for session in $sessions; do
		awk -v mode=perturb -v session="$session" -f "$ROOT/scripts/tools/lesson.awk" \
			"$out/demo.out" >"$out/demo-drifted.out"
		drift=$(lesson_drift "$ROOT/docs/lesson.md" "$ROOT" "$out/demo-drifted.out")
		[ "$drift" = "session $session" ] ||
			missed="$missed $session (drift: '$drift')"
	done
	# The last session missing, as when the demo stops early.
	sed "/^=== $session ===\$/,\$d" "$out/demo.out" >"$out/demo-drifted.out"
	drift=$(lesson_drift "$ROOT/docs/lesson.md" "$ROOT" "$out/demo-drifted.out")
	[ "$drift" = "session $session" ] || missed="$missed missing $session (drift: '$drift')"
	if [ -n "$sessions" ] && [ -z "$missed" ]; then
		result ok 3 a_drifted_session_is_caught
	else
		result "not ok" 3 a_drifted_session_is_caught "not caught:${missed:- no sessions}"
	fi
	subtest_result "$number" lesson "$failed_before"
}

ensure_deps
read -r -a kernels <<<"${KERNEL:-$(default_kernels)}"
lint=${LINT:-1}
[ "$lint" = 0 ] || lint=1
echo "KTAP version 1"
echo "1..$((${#kernels[@]} + lint + 1))"
start=$SECONDS
[ "$lint" = 0 ] || lint_suite 1
for i in "${!kernels[@]}"; do
	check_kernel "${kernels[$i]}" $((i + 1 + lint))
done
lesson_suite $((${#kernels[@]} + lint + 1))
note "$((SECONDS - start))s for$([ "$lint" = 0 ] || echo " lint and") ${kernels[*]}"
summary
