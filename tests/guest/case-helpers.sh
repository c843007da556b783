# Helpers for the guest test cases (busybox sh).
# shellcheck shell=sh
# The cases that source this use its variables (MODULES, OUT), and
# busybox's sh has RANDOM:
# shellcheck disable=SC2034,SC3028
# A case is a shell function test_NAME in a t_*.sh file. It fails by exiting
# non-zero (skip exits 4); what it prints becomes the diagnostics of its
# result line.

# modules/Kbuild's, in its order (vm.sh).
MODULES=$(cat /tests/modules)

fail() {
	echo "FAIL: $*"
	exit 1
}

# skip REASON: the case cannot run on this kernel (the runner's status 4).
skip() {
	echo "SKIP: $*"
	exit 4
}

# assert_at_most WHAT VALUE BOUND UNIT, assert_at_least ...: a timing
# bound that a loaded host could break by chance. The "timing:" line lets
# check-mutants' control run report how close each came to its bound.
assert_at_most() {
	echo "timing: $1: $2 of at most $3 $4"
	[ "$2" -le "$3" ] || fail "$1: $2 $4, over the bound of $3 $4"
}

assert_at_least() {
	echo "timing: $1: $2 of at least $3 $4"
	[ "$2" -ge "$3" ] || fail "$1: $2 $4, under the bound of $3 $4"
}

# Start a new section of the kernel log; log_since_mark shows only it.
mark_log() {
	LOG_MARK="ktest-mark-$$-$(date +%s)-${RANDOM:-0}"
	echo "<6>$LOG_MARK" >/dev/kmsg
}

log_since_mark() {
	dmesg | sed -n "/$LOG_MARK\$/,\$p" | sed 1d
}

# assert_log TEXT...: each TEXT is a kernel log line (after the timestamp)
# logged since the mark, in this order.
assert_log() {
	log_since_mark | sed 's/^\[[^]]*\] //' >/tmp/log_since_mark
	for line in "$@"; do
		rest=$(awk -v want="$line" 'found { print; next }
			$0 == want { found = 1 }
			END { exit !found }' /tmp/log_since_mark) ||
			{ echo "kernel log since mark:"; cat /tmp/log_since_mark
			  fail "kernel log lacks, in order: '$line'"; }
		printf '%s\n' "$rest" >/tmp/log_since_mark
	done
}

assert_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# assert_fails CMD...: CMD must fail; its output is left in $OUT.
assert_fails() {
	if OUT=$("$@" 2>&1); then
		fail "'$*' succeeded, expected failure"
	fi
}

is_loaded() {
	grep -q "^$1 " /proc/modules
}

# assert_gone MODULE [DEVNODE]: nothing of MODULE is left registered.
assert_gone() {
	! is_loaded "$1" || fail "$1 is still in /proc/modules"
	[ ! -e "/sys/module/$1" ] || fail "/sys/module/$1 is left behind"
	[ -z "$2" ] || [ ! -e "$2" ] || fail "$2 is left behind"
}

# The value logged as "... PREFIX<number>..." since the mark.
logged_number() {
	log_since_mark | sed -n "s/.*$1\([0-9][0-9]*\).*/\1/p" | tail -n 1
}

# use_kmod_tools: kmod's depmod, modprobe and modinfo (copied into the guest
# where a test needs them) instead of busybox's, as on a Debian system.
# Functions, since busybox's sh runs its own applets before any in PATH.
use_kmod_tools() {
	mkdir -p /tmp/kmod
	for tool in depmod modprobe modinfo; do
		ln -sf /bin/kmod "/tmp/kmod/$tool"
	done
	depmod() { /tmp/kmod/depmod "$@"; }
	modprobe() { /tmp/kmod/modprobe "$@"; }
	modinfo() { /tmp/kmod/modinfo "$@"; }
}
