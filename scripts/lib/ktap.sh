# KTAP output of the harness: results, subtests and the closing line.
# shellcheck shell=bash

die() {
	echo "error: $*" >&2
	exit 1
}

# Diagnostics go to stdout as KTAP comments, so they never break the output.
note() {
	echo "# $*"
}

# KTAP leaf results, counted for the closing "N passed, N failed" line.
passed=0 failed=0 skipped=0

# result OK_OR_NOT NUMBER NAME [DIRECTIVE]: a leaf result one level deep.
result() {
	echo "    $1 $2 $3${4:+ # $4}"
	case $1/${4:-} in
	*/SKIP*) skipped=$((skipped + 1)) ;;
	ok/*) passed=$((passed + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
}

# subtest NAME PLAN: open a KTAP subtest, one level deep.
subtest() {
	printf '    KTAP version 1\n    # Subtest: %s\n    1..%s\n' "$1" "$2"
}

# subtest_result NUMBER NAME FAILED_BEFORE: the subtest's own result line,
# "not ok" if any leaf failed since FAILED_BEFORE.
subtest_result() {
	[ "$failed" -eq "$3" ] && echo "ok $1 $2" || echo "not ok $1 $2"
}

# The closing line; the status is non-zero if anything failed.
summary() {
	echo "$passed passed, $failed failed$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")"
	[ "$failed" -eq 0 ]
}
