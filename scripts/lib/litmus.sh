# The lock-free ordering of the echo device, proved with herd7 and the
# Linux-kernel memory model: tests/litmus/*.litmus model each protocol of
# modules/, and herd7 must find their bad outcome Never. The barriers they
# rely on carry a tag, litmus:NAME, on the same line in both: in the code a
# comment on the barrier's line or on the line above it. Each tag gives a
# twin of the test without that barrier (its lines deleted, or an
# rcu_assign_pointer() made a WRITE_ONCE()), which must say Sometimes: the
# proof is shown to fail without it. Used by prove.sh and check-mutants.sh.
# shellcheck shell=bash

LITMUS_DIR=tests/litmus
# What a tag in the code may guard: the ordering primitives.
LITMUS_PRIMITIVES='smp_mb|smp_rmb|smp_wmb|smp_mb__after_atomic|read_seqbegin|read_seqretry|write_seqlock|write_sequnlock|rcu_assign_pointer|call_rcu|rcu_read_lock|rcu_read_unlock|wq_has_sleeper'

# code_tags TREE: "TAG FILE:LINE GUARDED-LINE" for each tag in TREE's
# modules/*.c; the guarded line is the tag's own if it holds code, else the
# next line that is not a comment.
code_tags() {
	awk '
		waiting { if ($0 ~ /^[[:space:]]*(\/\*|\*)/) next
			for (t in pending) print t, pending[t], $0
			split("", pending); waiting = 0 }
		match($0, /litmus:[a-z0-9-]+/) {
			tag = substr($0, RSTART + 7, RLENGTH - 7)
			where = FILENAME ":" FNR
			if ($0 ~ /^[[:space:]]*(\/\*|\*)/) { pending[tag] = where; waiting = 1 }
			else print tag, where, $0
		}' "$1"/modules/*.c
}

# litmus_tags FILE...: the tags that litmus tests name, one a line.
litmus_tags() {
	grep -oh 'litmus:[a-z0-9-]*' "$@" | cut -d: -f2 | sort -u
}

# litmus_tag_problems TREE: what ties the code to the tests and is broken:
# a tag of the tests that the code lacks, one of the code that no test
# names, or a tag that guards no barrier. Prints nothing if all is well.
litmus_tag_problems() {
	local tree=$1 tag where line
	code_tags "$tree" | while read -r tag where line; do
		grep -qE "\\b($LITMUS_PRIMITIVES)\\(" <<<"$line" ||
			echo "$where: litmus:$tag guards no barrier: $line"
	done
	comm -23 <(litmus_tags "$tree/$LITMUS_DIR"/*.litmus) \
		<(code_tags "$tree" | cut -d' ' -f1 | sort -u) |
		sed 's/^/the tests rely on litmus:/; s/$/, which no line of modules\/ carries/'
	comm -13 <(litmus_tags "$tree/$LITMUS_DIR"/*.litmus) \
		<(code_tags "$tree" | cut -d' ' -f1 | sort -u) |
		sed 's/^/modules\/ tags litmus:/; s/$/, which no test names/'
}

# litmus_twin TEST TAG: TEST without the barrier TAG, named TEST+no-TAG.
litmus_twin() {
	sed -e "1s/\$/+no-$2/" \
		-e "/litmus:$2\\b/{/rcu_assign_pointer/{s/rcu_assign_pointer/WRITE_ONCE/;b};d}" "$1"
}

# litmus_suite NUMBER: the subtest of make prove. The tests and their twins
# run in one herd7 (herd7.sh), each result read from its Observation line:
# herd7 prints none, and may exit 0, when the model is incomplete.
litmus_suite() {
	# shellcheck disable=SC2154 # failed: ktap.sh's count, in the caller
	local number=$1 failed_before=$failed work=$BUILD_ROOT/litmus tc ksrc dir
	local tests=() files=() t tag name want got problems i=1 plan=1
	herd7_setup || { echo "    # no herd7: every litmus test fails"; HERD7=(false); }
	tc=$(toolchain_chroot)
	ksrc=$(kernel_source)
	mapfile -t tests < <(cd "$ROOT" && ls "$LITMUS_DIR"/*.litmus)
	for t in "${tests[@]}"; do
		plan=$((plan + 1 + $(litmus_tags "$ROOT/$t" | wc -l)))
	done
	subtest litmus "$plan"
	# In the chroot, where herd7 may have to run.
	dir=$(chroot_work_dir litmus "$work")
	rm -rf "${tc:?}$dir" "$work"
	mkdir -p "$tc$dir" "$work"
	for t in "${tests[@]}"; do
		cp "$ROOT/$t" "$tc$dir/"
		for tag in $(litmus_tags "$ROOT/$t"); do
			litmus_twin "$ROOT/$t" "$tag" >"$tc$dir/$(basename "$t" .litmus)+no-$tag.litmus"
		done
	done
	(cd "$tc$dir" && ls) | sed "s|^|$HERD7_ROOT$dir/|" >"$work/files"
	mapfile -t files <"$work/files"
	"${HERD7[@]}" -I "$HERD7_ROOT$ksrc/tools/memory-model" -conf linux-kernel.cfg \
		"${files[@]}" >"$work/herd7.log" 2>&1 || true
	echo "    # herd7 with $ksrc/tools/memory-model on $LITMUS_DIR and their twins (log: $work/herd7.log)"
	problems=$(litmus_tag_problems "$ROOT")
	if [ -z "$problems" ]; then
		result ok 1 barriers_tagged_in_code_and_tests
	else
		sed 's/^/    # /' <<<"$problems"
		result "not ok" 1 barriers_tagged_in_code_and_tests
	fi
	for t in "${tests[@]}"; do
		t=$(basename "$t" .litmus)
		for name in "$t" $(litmus_tags "$ROOT/$LITMUS_DIR/$t.litmus" | sed "s/^/$t+no-/"); do
			i=$((i + 1))
			[ "$name" = "$t" ] && want=Never || want=Sometimes
			got=$(awk -v t="$name" '$1 == "Observation" && $2 == t { print $3 }' "$work/herd7.log")
			if [ "$got" = "$want" ]; then
				echo "    # $name: $want"
				result ok "$i" "$name"
			else
				result "not ok" "$i" "$name" "expected $want, herd7 said '${got:-nothing}'"
			fi
		done
	done
	subtest_result "$number" litmus "$failed_before"
}
