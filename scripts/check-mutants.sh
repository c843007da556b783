#!/usr/bin/env bash
# make check-mutants: mutation testing. Each tests/mutants/*.mutant plants
# one plausible bug in modules/. For each, apply it to a copy of the
# modules, build the module it changes with W=1 (a warning is an error:
# the bug must look like real code), boot it with everything else
# unchanged, run the suite that the mutant names, and expect the case it
# names to fail. Prints KTAP, "ok" for a mutant killed as it says, "not
# ok" for a survivor or one killed by anything else, the time of each,
# then the mutation score and the usual closing line.
#   MUTANTS="a b"   only these mutants (file names without .mutant)
#   MUTANTS_SET=ci  only those marked "ci: yes" (the cheap ones CI runs)
#
# A mutant's header:
#   suite: check   the fast suite on Debian's 6.1 kernel, or
#   suite: debug   the suite on the sanitizer kernel (make check-debug), or
#   suite: litmus  the tie of the code's barriers to make prove's litmus
#                  tests (litmus.sh): no boot, or
#   suite: control the null mutant, which must survive (see below)
#   kills: CASE... the cases that must fail first (a leaf's name, as the
#                  result line has it), or "crash" (the kernel reports a
#                  problem, or the guest dies) or "timeout" (it hangs),
#                  where that is the mutant's point
#   cases: REGEX   the cases to run (ktest.cases); default all of them
#   cmdline: ...   more for the kernel command line (debugfs=off ...)
#   ci: yes        cheap enough for CI
# The guest stops at the first failure (ktest.stop_on_fail), so a killed
# mutant costs a boot and the cases up to its killer.
#
# The control run: before the mutants of a suite, the null mutant (a
# comment changed) goes their whole way, rebuilt and laid over the
# initramfs, through every case of the suite, once per command line that
# the mutants use; it must survive. It reports the timing cases closest
# to their bounds ("timing:" lines).
source "$(dirname "$0")/lib/init.sh"

MUTANTS_DIR=$ROOT/tests/mutants
WORK=$BUILD_ROOT/mutants

field() {
	python3 "$ROOT/scripts/tools/mutate.py" "$1" field "$2"
}

selected_mutants() {
	local m name
	for m in "$MUTANTS_DIR"/*.mutant; do
		name=$(basename "$m" .mutant)
		[ "$(field "$m" suite)" != control ] || continue
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
		GUEST_PROGRAMS='' GUEST_PROGRAMS_PACKAGES=
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

# mutated_modules MUTANT SUITE: the modules it changes: echo for the
# files of echo.ko (echo_main.c, echo_buffer.c, echo_arith.h), else the
# file's name. The KUnit module compiles echo_buffer.c (and so
# echo_arith.h) in too; only the sanitizer kernel has KUnit to build it.
mutated_modules() {
	sed -n 's|^file: modules/\([a-z_]*\)\.[ch]$|\1|p' "$1" |
		awk -v kunit="$([ "$2" = debug ] && echo 1)" '
			/^echo_(buffer|arith)$/ && kunit { print "echo_buffer_kunit" }
			{ sub(/^echo_(main|buffer|arith)$/, "echo"); print }' |
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

# boot_tree OUT CASES [CMDLINE]: boot OUT's initramfs (boot_guest); the
# guest's KTAP goes to OUT/guest.log, QEMU's status to OUT/status, the
# tally to OUT/tally. Succeeds if the guest planned cases and every one
# passed.
boot_tree() {
	local out=$1 cases=$2 cmdline=${3:-} planned seen gfail finished
	KERNEL_CMDLINE=$SUITE_CMDLINE boot_guest "$out/console.log" "$out/guest.log" \
		"$cmdline ktest.stop_on_fail=1${cases:+ ktest.cases=$cases}"
	read -r planned seen _ gfail _ finished <"$out/tally"
	[ "$(cat "$out/status")" = 0 ] && [ "$finished" = 1 ] && [ "$planned" -gt 0 ] &&
		[ "$seen" -eq "$planned" ] && [ "$gfail" -eq 0 ] &&
		[ -z "$(console_problems "$out/console.log")" ]
}

# killer OUT: the case that failed first (a kselftest case rather than
# its program), else "crash" (a kernel report, or a guest that stopped),
# "timeout", or nothing: the run passed.
killer() {
	local out=$1 case planned seen finished
	case=$(sed -n 's/^ *not ok [0-9]* \([a-z0-9_.]*\).*/\1/p' "$out/guest.log" | head -n 1)
	read -r planned seen _ _ _ finished <"$out/tally"
	if [ -n "$case" ]; then
		echo "$case"
	elif [ "$(cat "$out/status")" = 124 ]; then
		echo timeout
	elif [ -n "$(console_problems "$out/console.log")" ] ||
		[ "$finished" != 1 ] || [ "$planned" = 0 ] || [ "$seen" != "$planned" ]; then
		echo crash
	fi
}

# why OUT KILLER: what the killer said: the failed case's first failed
# assertion (and the message after it), else its last diagnostic line; or
# the kernel's first report.
why() {
	case $2 in
	crash | timeout)
		console_problems "$1/console.log" | head -n 1 | cut -c1-120 ;;
	*)
		awk '/^ *(not )?ok [0-9]+ / {
				if (/^ *not ok/) { print first ? first : last; exit }
				first = last = ""
				next
			}
			/^ *# / {
				line = $0
				sub(/^ *# */, "", line)
				sub(/^[^ ]*\.c:[0-9]+:[a-z0-9_]+:/, "", line)
				if (line ~ /^FAIL  |Test failed at step/) next
				if (then) { first = first " / " line; then = 0 }
				else if (!first && line ~ /Expected|FAIL:|EXPECTATION FAILED|MISMATCH/) {
					first = line
					then = 1
				}
				last = line
			}' "$1/guest.log" | cut -c1-120 ;;
	esac
}

# try_mutant MUTANT SUITE OUT CASES CMDLINE: apply MUTANT to a copy of the
# tree in OUT, build the modules it changes, boot them. Sets verdict:
# "apply", "build" (it did not), "passed" or "failed".
try_mutant() {
	local m=$1 suite=$2 out=$3 kos
	verdict=
	rm -rf "$out"
	mkdir -p "$out/tree/tests"
	cp -r "$ROOT/modules" "$ROOT/include" "$out/tree/"
	cp -r "$ROOT/tests/kmods" "$ROOT/tests/litmus" "$out/tree/tests/"
	if ! python3 "$ROOT/scripts/tools/mutate.py" "$m" apply "$out/tree" >"$out/apply.log" 2>&1; then
		sed 's/^/# /' "$out/apply.log"
		verdict=apply
		return
	fi
	[ "$suite" != litmus ] || return 0
	mapfile -t kos < <(mutated_modules "$m" "$suite")
	if ! (ROOT=$out/tree kbuild "$out" modules "${kos[@]}") >"$out/build.log" 2>&1 ||
		[ -n "$(build_problems "$out/build.log")" ]; then
		build_problems "$out/build.log" | head -n 5 | sed 's/^/# /'
		verdict=build
		return
	fi
	overlay_initramfs "$out"
	if boot_tree "$out" "$4" "$5"; then verdict=passed; else verdict=failed; fi
}

# closest_to_bounds GUEST_LOG: the three timing cases nearest their bounds.
closest_to_bounds() {
	sed -n 's/.*timing: \(.*\)/\1/p' "$1" | awk '
		{ n = split($0, w, " "); bound = w[n - 1]; value = w[n - 5]
		  r = $0 ~ / of at most / ? value / bound : (value > 0 ? bound / value : 99)
		  printf "%d%% %s\n", r * 100, $0 }' | sort -rn | head -n 3
}

install_packages python3
mapfile -t mutants < <(selected_mutants)
[ ${#mutants[@]} -gt 0 ] || die "no mutants selected"
null=$(grep -l '^suite: control$' "$MUTANTS_DIR"/*.mutant | head -n 1)
[ -n "$null" ] || die "no null mutant (suite: control) in $MUTANTS_DIR"
# The control runs: a suite and a command line that the mutants use.
controls=()
declare -A control_seen
for m in "${mutants[@]}"; do
	suite=$(field "$m" suite)
	[ "$suite" != litmus ] || continue
	control="$suite $(field "$m" cmdline)"
	[ -n "${control_seen[$control]:-}" ] || controls+=("$control")
	control_seen[$control]=1
done
mkdir -p "$WORK"
echo "KTAP version 1"
echo "1..$((${#mutants[@]} + ${#controls[@]} + 1))"
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
built_initramfs=
for control in "${controls[@]}"; do
	n=$((n + 1))
	suite=${control%% *} cmdline=${control#* }
	use_kernel "$suite"
	if [[ " $built_initramfs " != *" $suite "* ]]; then
		make_initramfs "$BASE/initramfs.gz" "$KVER" "$BASE"
		built_initramfs="$built_initramfs $suite"
	fi
	name="control_$suite${cmdline:+ (${cmdline})}"
	out=$WORK/control-$suite-$(tr -c 'a-z0-9\n' - <<<"$cmdline")
	t=$SECONDS
	try_mutant "$null" "$suite" "$out" "" "$cmdline"
	closest_to_bounds "$out/guest.log" | sed 's/^/# closest to its bound: /'
	if [ "$verdict" = passed ]; then
		result ok "$n" "$name # the null mutant passes every case, $((SECONDS - t)) s"
	else
		baseline_failed=1
		k=$(killer "$out")
		result "not ok" "$n" "$name # the null mutant: $verdict${k:+, by $k: $(why "$out" "$k")}"
	fi
done
[ "$baseline_failed" = 0 ] || { summary; exit 1; }

for m in "${mutants[@]}"; do
	n=$((n + 1))
	name=$(basename "$m" .mutant)
	suite=$(field "$m" suite)
	kills=$(field "$m" kills)
	out=$WORK/$name
	t=$SECONDS
	[ "$suite" = litmus ] || use_kernel "$suite" >/dev/null
	try_mutant "$m" "$suite" "$out" "$(field "$m" cases)" "$(field "$m" cmdline)"
	case ${verdict:-} in
	apply) result "not ok" "$n" "$name # ERROR does not apply"; continue ;;
	build) result "not ok" "$n" "$name # ERROR does not build W=1-clean"; continue ;;
	esac
	if [ "$suite" = litmus ]; then
		problems=$(litmus_tag_problems "$out/tree")
		if [ -n "$problems" ]; then
			k=barriers_tagged_in_code_and_tests
		else
			k=
		fi
		reason=$(head -n 1 <<<"$problems")
	else
		k=$(killer "$out")
		reason=$(why "$out" "$k")
	fi
	if [ -z "$k" ]; then
		survived=$((survived + 1))
		result "not ok" "$n" "$name # SURVIVED the $suite suite in $((SECONDS - t)) s"
	elif [[ " $kills " == *" $k "* ]]; then
		killed=$((killed + 1))
		result ok "$n" "$name # killed by $k: $reason ($suite, $((SECONDS - t)) s)"
	else
		survived=$((survived + 1))
		result "not ok" "$n" "$name # killed by $k, not by ${kills:-a case it names}: $reason ($suite, $((SECONDS - t)) s)"
	fi
done
note "mutation score: $killed of $((killed + survived)) killed as they say ($((killed * 100 / (killed + survived > 0 ? killed + survived : 1)))%) in $((SECONDS - start)) s"
summary
