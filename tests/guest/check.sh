#!/bin/sh
# The guest test runner: runs every test_* and subtest_* function of the
# t_SUITE.sh files, each in its own shell with a timeout, and prints KTAP.
# A test_* case's output becomes the diagnostic lines before its result; a
# subtest_* case prints KTAP itself (a kselftest program), nested one level.
. /tests/lib.sh

CASE_TIMEOUT=${CASE_TIMEOUT:-180}
SUITES="hello alloc_demo echo locking_demo interop_demo all"
# The sanitizer kernel adds KUnit, fault injection and kmemleak.
grep -q 'ktest.debug=1' /proc/cmdline && SUITES="$SUITES debug"

cases_of() {
	grep -o '^\(sub\)\{0,1\}test_[a-z0-9_]*' "/tests/t_$1.sh"
}

echo "KTAP version 1"
echo "1..$(($(for s in $SUITES; do cases_of "$s"; done | wc -l) + 1))"
n=0
for suite in $SUITES; do
	for case in $(cases_of "$suite"); do
		n=$((n + 1))
		timeout -s KILL "$CASE_TIMEOUT" \
			sh -c ". /tests/lib.sh; . /tests/t_$suite.sh; set -e; $case" \
			>/tmp/case.log 2>&1
		rc=$?
		case $case in
		subtest_*) sed 's/^/    /' /tmp/case.log ;;
		*) sed 's/^/# /' /tmp/case.log ;;
		esac
		name=${case#*test_}
		if [ $rc -eq 0 ]; then
			echo "ok $n $name"
		elif [ $rc -eq 137 ]; then
			echo "not ok $n $name # TIMEOUT ${CASE_TIMEOUT}s"
		else
			echo "not ok $n $name"
		fi
		# Isolation: no case inherits another's modules.
		for m in $MODULES; do rmmod "$m" 2>/dev/null; done
	done
done

# Last: whatever ran above, the kernel must not have complained, and on
# the sanitizer kernel kmemleak must find nothing either.
n=$((n + 1))
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/tmp/bad.log
fi
if dmesg | grep -E "$KERNEL_REPORTS|Call Trace" >>/tmp/bad.log ||
	[ -s /tmp/bad.log ]; then
	head -n 60 /tmp/bad.log | sed 's/^/# /'
	echo "not ok $n kernel_log_clean"
else
	echo "ok $n kernel_log_clean"
fi
