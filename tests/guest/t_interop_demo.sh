# interop_demo: jiffies, HZ and msleep().

test_interop_demo_uptime_matches_proc_uptime() {
	mark_log
	# Up to the uptime after the load, which can take seconds on a loaded
	# host. jiffies start a little after the boot clock and, under TCG on
	# the sanitizer kernel, fall seconds behind it: 5 s of slack.
	before=$(cut -d. -f1 /proc/uptime)
	insmod interop_demo.ko
	after=$(cut -d. -f1 /proc/uptime)
	logged=$(logged_number "System uptime: ")
	echo "logged $logged s, /proc/uptime $before s before the load, $after s after"
	[ -n "$logged" ] || fail "no uptime line"
	[ "$logged" -le "$after" ] ||
		fail "logged uptime $logged s, after /proc/uptime's $after s"
	assert_at_most "jiffies' uptime behind /proc/uptime" $((before - logged)) 5 s
}

test_interop_demo_sleeps_at_least_100ms() {
	mark_log
	insmod interop_demo.ko
	slept=$(logged_number "Slept 100 ms, measured ")
	echo "measured $slept ms"
	[ -n "$slept" ] || fail "no sleep line"
	[ "$slept" -ge 100 ] || fail "slept only $slept ms"
	assert_at_most "msleep(100)" "$slept" 5000 ms
}
