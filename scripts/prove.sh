#!/usr/bin/env bash
# make prove: Frama-C's WP proves the contracts of modules/echo_arith.h
# and the piece walk of tests/prove/, runtime errors and unsigned
# wrap-around included, with Debian's provers in the toolchain chroot;
# herd7 proves the lock-free ordering (litmus.sh).
# KTAP: one result per function, then one per mutant of tests/mutants/
# that changes the arithmetic, which must make the proof fail, then one
# per litmus test and per twin of it without a barrier.
#   PROVE_TIMEOUT=10   seconds per goal and prover
source "$(dirname "$0")/lib/init.sh"

PROVE_TIMEOUT=${PROVE_TIMEOUT:-10}
ARITH=modules/echo_arith.h
HARNESS=tests/prove/echo_arith_proof.c

chroot=$(toolchain_chroot)
# shellcheck disable=SC2086
chroot_install "$chroot" $PROVE_PACKAGES
work=$(chroot_work_dir prove "$BUILD_ROOT")
log_dir=$BUILD_ROOT/prove
mkdir -p "$log_dir"

# ACSL takes "@", not the kernel's "*", at the start of a comment's lines.
acsl_copy() {
	mkdir -p "$(dirname "$2")"
	sed -e 's/^\([[:space:]]*\)\*\([[:space:]]\)/\1@\2/' -e 's/^\([[:space:]]*\)\*$/\1@/' "$1" >"$2"
}

# prove TREE NAME [WP_OPTION...]: run WP on TREE's copy in the chroot; the
# status of each property goes to $log_dir/NAME.csv (function, kind,
# status), the log to $log_dir/NAME.log.
prove() {
	local tree=$1 name=$2 f
	rm -rf "${chroot:?}$work"
	for f in $ARITH $HARNESS; do
		acsl_copy "$tree/$f" "$chroot$work/$f"
	done
	in_chroot "$chroot" sh -c "cd $work &&
		{ [ -e /root/.why3.conf ] || why3 config detect >/dev/null; } &&
		frama-c -pp-annot -machdep x86_64 -warn-unsigned-overflow \
			-warn-signed-downcast -warn-unsigned-downcast \
			-wp -wp-rte -wp-prover cvc4,z3 -wp-timeout $PROVE_TIMEOUT \
			${*:3} $HARNESS -then -report-csv report.csv" >"$log_dir/$name.log" 2>&1 || true
	cut -f 4-6 "$chroot$work/report.csv" 2>/dev/null | tail -n +2 >"$log_dir/$name.csv"
}

# refuted_goals LOG: the goals that WP failed and that a prover answered
# (Unknown or Invalid) within its time: a goal that only timed out proves
# nothing either way.
refuted_goals() {
	awk '/^\[wp\] \[Failed\] Goal / { goal = $4; next }
		/^\[/ { goal = "" }
		goal && /: (Unknown|Invalid)( |$)/ && !/Unknown error/ { print goal }' "$1" | sort -u
}

# functions FILE...: the functions defined in the files, in order.
functions() {
	sed -n 's/^\(static inline \)\?[a-z_]\+ \(echo_[a-z_]\+\)(.*/\2/p' "$@"
}

# changed_function MUTANT: the function of the header that holds the
# mutant's first removed line; only it needs proving again.
changed_function() {
	local removed line
	removed=$(sed -n 's/^-//p' "$1" | head -n 1)
	line=$(grep -nxF -- "$removed" "$ROOT/$ARITH" | cut -d: -f1)
	head -n "$line" "$ROOT/$ARITH" | functions - | tail -n 1
}

echo "KTAP version 1"
echo "1..3"

mapfile -t fns < <(functions "$ROOT/$ARITH" "$ROOT/$HARNESS")
failed_before=$failed
subtest proof $((${#fns[@]} + 1))
# Nothing may be taken on trust: no axiom, lemma, admit or check-only clause.
if grep -nwE 'axiom|axiomatic|lemma|admit|check' "$ROOT/$ARITH" "$ROOT/$HARNESS"; then
	result "not ok" 1 nothing_assumed
else
	result ok 1 nothing_assumed
fi
echo "    # frama-c -wp -wp-rte on $ARITH and $HARNESS (log: $log_dir/proof.log)"
prove "$ROOT" proof
i=1
for fn in "${fns[@]}"; do
	i=$((i + 1))
	total=$(awk -F '\t' -v f="$fn" '$1 == f' "$log_dir/proof.csv" | wc -l)
	unproved=$(awk -F '\t' -v f="$fn" '$1 == f && $3 != "Valid"' "$log_dir/proof.csv")
	if [ "$total" -gt 0 ] && [ -z "$unproved" ]; then
		echo "    # $fn: $total properties valid"
		result ok "$i" "$fn"
	else
		echo "    # $fn: $total properties, not proved:"
		printf '%s\n' "${unproved:-none found}" | sed 's/^/    #   /'
		result "not ok" "$i" "$fn"
	fi
done
subtest_result 1 proof "$failed_before"

# The mutants that change the arithmetic: each must break the proof.
mapfile -t mutants < <(grep -l "^file: $ARITH" "$ROOT"/tests/mutants/*.mutant)
failed_before=$failed
subtest mutants_fail_the_proof "${#mutants[@]}"
i=0
for m in "${mutants[@]}"; do
	i=$((i + 1))
	name=$(basename "$m" .mutant)
	tree=$log_dir/$name
	rm -rf "$tree"
	mkdir -p "$tree/modules" "$tree/tests/prove"
	cp "$ROOT/$ARITH" "$tree/$ARITH"
	cp "$ROOT/$HARNESS" "$tree/$HARNESS"
	python3 "$ROOT/scripts/tools/mutate.py" "$m" apply "$tree" >/dev/null
	fn=$(changed_function "$m")
	echo "    # $name changes $fn"
	prove "$tree" "mutant-$name" -wp-fct "$fn"
	refuted=$(refuted_goals "$log_dir/mutant-$name.log")
	if [ -n "$refuted" ]; then
		printf '%s\n' "$refuted" | sed 's/^/    # not proved, a prover answered: /'
		result ok "$i" "$name"
	elif awk -F '\t' '$3 != "Valid" { found = 1 } END { exit !found }' \
		"$log_dir/mutant-$name.csv"; then
		result "not ok" "$i" "$name" "only prover timeouts (log: $log_dir/mutant-$name.log)"
	else
		result "not ok" "$i" "$name" "the proof still holds (log: $log_dir/mutant-$name.log)"
	fi
done
subtest_result 2 mutants_fail_the_proof "$failed_before"
litmus_suite 3
summary
