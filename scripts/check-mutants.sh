#!/usr/bin/env bash
# make check-mutants: mutation testing. Each tests/mutants/*.mutant plants
# one plausible bug in modules/. For each, apply it to a copy of the
# modules, build the module it changes with W=1 (a warning is an error:
# the bug must look like real code), boot it with everything else
# unchanged, run the suite that the mutant names, and expect it to fail. Prints KTAP, "ok" for
# a killed mutant and "not ok" for a survivor, the time of each, then the
# mutation score and the usual closing line.
#   MUTANTS="a b"   only these mutants (file names without .mutant)
#   MUTANTS_SET=ci  only those marked "ci: yes" (the cheap ones CI runs)
#
# A mutant's header:
#   suite: check   the fast suite on Debian's 6.1 kernel, or
#   suite: debug   the suite on the sanitizer kernel (make check-debug), or
#   suite: litmus  the tie of the code's barriers to make prove's litmus
#                  tests (litmus.sh): no boot
#   cases: REGEX   the cases to run (ktest.cases); default all of them
#   cmdline: ...   more for the kernel command line (debugfs=off ...)
#   ci: yes        cheap enough for CI
# The guest stops at the first failure (ktest.stop_on_fail), so a killed
# mutant costs a boot and the cases up to its killer.
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/kernels.sh"
source "$ROOT/scripts/vm.sh"
source "$ROOT/scripts/suite.sh"
source "$ROOT/scripts/debug-kernel.sh"
source "$ROOT/scripts/litmus.sh"

MUTANTS_DIR=$ROOT/tests/mutants
WORK=$BUILD_ROOT/mutants

field() {
	python3 "$ROOT/scripts/mutate.py" "$1" field "$2"
}

selected_mutants() {
	local m name
	for m in "$MUTANTS_DIR"/*.mutant; do
		name=$(basename "$m" .mutant)
		if [ -n "${MUTANTS:-}" ]; then
			[[ " $MUTANTS " == *" $name "* ]] || continue
		elif [ "${MUTANTS_SET:-}" = ci ]; then
			[ "$(field "$m" ci)" = yes ] || continue
		fi
		echo "$m"
	done
}

# use_kernel SUITE: resolve the kernel of a suite (check: 6.1, debug: the
# sanitizer kernel), and build the unchanged tree for it once a run: its
# test programs serve every mutant.
declare -A base_built
use_kernel() {
	if [ "$1" = debug ]; then
		debug_kernel >&2
		GUEST_PROGRAMS_PACKAGES=$STRESS_PACKAGES
		SUITE_CMDLINE="$DEBUG_KERNEL_CMDLINE ktest.debug=1"
		GUEST_PROGRAMS="/usr/bin/stress-ng /usr/bin/trinity"
		GUEST_TIMEOUT=1800
	else
		# resolve_kernel keeps a kernel already chosen: the debug one.
		unset KERNEL_IMAGE KDIR KVER MODULES_DIR
		resolve_kernel 6.1
		SUITE_CMDLINE=
		GUEST_PROGRAMS= GUEST_PROGRAMS_PACKAGES=
		GUEST_TIMEOUT=300
	fi
	BASE=$WORK/base-$1
	if [ -z "${base_built[$1]:-}" ]; then
		mkdir -p "$BASE"
		build_for_kernel "$BASE" >"$BASE/build.log" 2>&1 ||
			die "the unchanged tree does not build: $BASE/build.log"
		base_built[$1]=1
	fi
}

# The modules a mutant changes: echo for echo_*.c, else the file's name.
# The KUnit module compiles echo_buffer.c in too; only the sanitizer kernel
# has KUnit to build it.
mutated_modules() {
	sed -n 's|^file: modules/\([a-z_]*\)\.[ch]$|\1|p' "$1" |
		awk -v kunit="$([ "$(field "$1" suite)" = debug ] && echo 1)" '
			$0 == "echo_buffer" && kunit { print "echo_buffer_kunit" }
			{ sub(/^echo_.*/, "echo"); print }' |
		sort -u | sed 's/$/.ko/'
}

# overlay_initramfs OUT: the base's initramfs with OUT's modules laid over
# it, in a second archive that replaces their files in /root.
overlay_initramfs() {
	local out=$1 root
	root=$(mktemp -d)
	mkdir -p "$root/root"
	cp "$out"/modules/*.ko "$root/root/"
	chmod 755 "$root/root"
	(cd "$root" && find root | cpio -o -H newc --quiet | gzip -1) |
		cat "$BASE/initramfs.gz" - >"$out/initramfs.gz"
	rm -rf "$root"
}

# boot_tree OUT CASES [CMDLINE]: boot OUT's initramfs; the guest's KTAP
# goes to OUT/guest.log. Succeeds if every case passed.
boot_tree() {
	local out=$1 cases=$2 cmdline=${3:-} rc=0
	KERNEL_CMDLINE="$SUITE_CMDLINE $cmdline ktest.stop_on_fail=1${cases:+ ktest.cases=$cases}" \
		run_vm "$KERNEL_IMAGE" "$out/initramfs.gz" check "$GUEST_TIMEOUT" \
		"$out/console.log" | relay_guest "$out/tally" >"$out/guest.log" || rc=$?
	read -r planned seen gpass gfail gskip finished <"$out/tally"
	[ "$rc" = 0 ] && [ "$finished" = 1 ] && [ "$seen" -eq "$planned" ] &&
		[ "$gfail" -eq 0 ] && [ -z "$(console_problems "$out/console.log")" ]
}

# The case that failed first (a kselftest case rather than its program),
# or what else ended the run.
killer() {
	local out=$1 case
	case=$(sed -n 's/^ *not ok [0-9]* \([a-z0-9_.]*\).*/\1/p' "$out/guest.log" | head -n 1)
	if [ -n "$case" ]; then
		echo "$case"
	elif [ -n "$(console_problems "$out/console.log")" ]; then
		echo "a kernel report: $(console_problems "$out/console.log" | head -n 1 | cut -c1-80)"
	else
		echo "the guest stopped (crash or timeout)"
	fi
}

install_packages python3
mapfile -t mutants < <(selected_mutants)
[ ${#mutants[@]} -gt 0 ] || die "no mutants selected"
mkdir -p "$WORK"
echo "KTAP version 1"
echo "1..$((${#mutants[@]} + 3))"
start=$SECONDS
n=0 killed=0 survived=0 baseline_failed=0
n=$((n + 1))
problems=$(litmus_tag_problems "$ROOT")
if [ -z "$problems" ]; then
	result ok "$n" baseline_litmus
else
	baseline_failed=1
	result "not ok" "$n" "baseline_litmus # $(head -n 1 <<<"$problems")"
fi
for suite in check debug; do
	n=$((n + 1))
	# The unchanged tree must pass what the mutants will run: the union
	# of their cases, or everything if one of them runs everything.
	needed= cases=
	for m in "${mutants[@]}"; do
		[ "$(field "$m" suite)" = "$suite" ] || continue
		needed=1
		c=$(field "$m" cases)
		[ -n "$c" ] && [ "$cases" != all ] && cases=${cases:+$cases|}$c || cases=all
	done
	if [ -z "$needed" ]; then
		result ok "$n" "baseline_$suite" "SKIP no mutant needs it"
		continue
	fi
	[ "$cases" != all ] || cases=
	use_kernel "$suite"
	t=$SECONDS
	make_initramfs "$BASE/initramfs.gz" "$KVER" "$BASE"
	if boot_tree "$BASE" "$cases"; then
		result ok "$n" "baseline_$suite # the unchanged modules pass, $((SECONDS - t)) s"
	else
		baseline_failed=1
		result "not ok" "$n" "baseline_$suite # the unchanged modules fail $(killer "$BASE")"
	fi
done
[ "$baseline_failed" = 0 ] || { summary; exit 1; }

for m in "${mutants[@]}"; do
	n=$((n + 1))
	name=$(basename "$m" .mutant)
	suite=$(field "$m" suite)
	out=$WORK/$name
	rm -rf "$out"
	mkdir -p "$out/tree/tests"
	cp -r "$ROOT/modules" "$ROOT/include" "$out/tree/"
	cp -r "$ROOT/tests/kmods" "$ROOT/tests/litmus" "$out/tree/tests/"
	t=$SECONDS
	if ! python3 "$ROOT/scripts/mutate.py" "$m" apply "$out/tree" >"$out/apply.log" 2>&1; then
		sed 's/^/# /' "$out/apply.log"
		result "not ok" "$n" "$name # ERROR does not apply"
		continue
	fi
	if [ "$suite" = litmus ]; then
		problems=$(litmus_tag_problems "$out/tree")
		if [ -n "$problems" ]; then
			killed=$((killed + 1))
			result ok "$n" "$name # killed by barriers_tagged_in_code_and_tests: $(head -n 1 <<<"$problems")"
		else
			survived=$((survived + 1))
			result "not ok" "$n" "$name # SURVIVED the litmus tie"
		fi
		continue
	fi
	use_kernel "$suite" >/dev/null
	mapfile -t kos < <(mutated_modules "$m")
	if ! (ROOT=$out/tree kbuild "$out" modules "${kos[@]}") >"$out/build.log" 2>&1 ||
		[ -n "$(build_problems "$out/build.log")" ]; then
		build_problems "$out/build.log" | head -n 5 | sed 's/^/# /'
		result "not ok" "$n" "$name # ERROR does not build W=1-clean"
		continue
	fi
	overlay_initramfs "$out"
	if boot_tree "$out" "$(field "$m" cases)" "$(field "$m" cmdline)"; then
		survived=$((survived + 1))
		result "not ok" "$n" "$name # SURVIVED the $suite suite in $((SECONDS - t)) s"
	else
		killed=$((killed + 1))
		result ok "$n" "$name # killed by $(killer "$out") ($suite, $((SECONDS - t)) s)"
	fi
done
note "mutation score: $killed of $((killed + survived)) killed ($((killed * 100 / (killed + survived > 0 ? killed + survived : 1)))%) in $((SECONDS - start)) s"
summary
