#!/bin/sh
# The guest test runner: runs every test_* and subtest_* function of the
# t_SUITE.sh files, each in its own shell with a timeout, and prints KTAP.
# A test_* case's output becomes the diagnostic lines before its result; a
# subtest_* case prints KTAP itself (a kselftest program), nested one level.
# The kernel command line may narrow the run: ktest.suites=a,b runs those
# suites, ktest.cases=REGEX the cases whose names match, and
# ktest.stop_on_fail=1 ends the run at the first failure (make
# check-mutants).
. /tests/case-helpers.sh

CASE_TIMEOUT=180
# A t_NAME.sh per module, and what every module must do.
SUITES="$MODULES all"
# The sanitizer kernel adds KUnit, fault injection and kmemleak, and is
# slower: the fault sweeps of every module's load take minutes.
if grep -q 'ktest.debug=1' /proc/cmdline; then
	SUITES="$SUITES debug"
	CASE_TIMEOUT=900
fi
cases=. stop_on_fail=
for arg in $(cat /proc/cmdline); do
	case $arg in
	ktest.suites=*) SUITES=$(echo "${arg#*=}" | tr , ' ') ;;
	ktest.cases=*) cases=${arg#*=} ;;
	ktest.stop_on_fail=1) stop_on_fail=1 ;;
	esac
done
# The kernel as tests/guest/skips names it: "debug", or "6.1".
KERNEL_TAG=$(uname -r | cut -d. -f1,2)
grep -q 'ktest.debug=1' /proc/cmdline && KERNEL_TAG=debug

# declared_skip CASE REASON: tests/guest/skips expects this skip here.
declared_skip() {
	awk -v c="$1" -v k="$KERNEL_TAG" -v r="$2" '
		!/^#/ && $1 == c && ($2 == k || $2 == "*") {
			$1 = $2 = ""
			sub(/^ +/, "")
			if ($0 == r) found = 1
		}
		END { exit !found }' /tests/skips
}

# What a case may leave loaded for the runner to unload.
UNLOAD="$MODULES echo_buffer_kunit ktest_hooks canary"

cases_of() {
	grep -o '^\(sub\)\{0,1\}test_[a-z0-9_]*' "/tests/t_$1.sh" |
		grep -E "$cases"
}

echo "KTAP version 1"
echo "1..$(($(for s in $SUITES; do cases_of "$s"; done | wc -l) + 1))"
n=0
for suite in $SUITES; do
	for case in $(cases_of "$suite"); do
		n=$((n + 1))
		timeout -s KILL "$CASE_TIMEOUT" \
			sh -c ". /tests/case-helpers.sh; . /tests/t_$suite.sh; set -e; $case" \
			>/tmp/case.log 2>&1
		rc=$?
		# Isolation: no case inherits another's modules, and a module
		# that cannot be unloaded (a leaked reference) fails the case.
		for m in $UNLOAD; do
			is_loaded "$m" || continue
			rmmod "$m" >>/tmp/case.log 2>&1 ||
				{ echo "FAIL: $m cannot be unloaded after the case" >>/tmp/case.log
				  [ $rc -ne 0 ] && [ $rc -ne 4 ] || rc=1; }
		done
		case $case in
		subtest_*) sed 's/^/    /' /tmp/case.log ;;
		*) sed 's/^/# /' /tmp/case.log ;;
		esac
		name=${case#*test_}
		if [ $rc -eq 0 ]; then
			echo "ok $n $name"
			continue
		elif [ $rc -eq 4 ]; then
			reason=$(sed -n 's/^SKIP: //p' /tmp/case.log)
			if declared_skip "$name" "$reason"; then
				echo "ok $n $name # SKIP $reason"
				continue
			fi
			echo "# the skip is not one of tests/guest/skips for $KERNEL_TAG"
			echo "not ok $n $name"
		elif [ $rc -eq 137 ]; then
			echo "not ok $n $name # TIMEOUT ${CASE_TIMEOUT}s"
		else
			echo "not ok $n $name"
		fi
		[ -z "$stop_on_fail" ] || exit 1
	done
done

# Last: whatever ran above, the kernel must not have complained, and on
# the sanitizer kernel kmemleak must find nothing either. The whole log is
# checked: the kernel boots with a log buffer large enough to hold it.
n=$((n + 1))
: >/tmp/bad.log
if [ -e /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/tmp/bad.log
fi
dmesg | head -n 1 | grep -q 'Linux version' ||
	echo "the kernel log wrapped: its start is lost" >>/tmp/bad.log
dmesg | awk -f /tests/log-problems.awk >>/tmp/bad.log
if [ -s /tmp/bad.log ]; then
	head -n 60 /tmp/bad.log | sed 's/^/# /'
	echo "not ok $n kernel_log_clean"
else
	echo "ok $n kernel_log_clean"
fi
