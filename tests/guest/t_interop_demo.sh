# interop_demo: jiffies, HZ and msleep().

test_interop_demo_uptime_matches_proc_uptime() {
	mark_log
	insmod interop_demo.ko
	uptime=$(cut -d. -f1 /proc/uptime)
	logged=$(logged_number "System uptime: ")
	echo "logged $logged s, /proc/uptime $uptime s"
	[ -n "$logged" ] || fail "no uptime line"
	[ $((uptime - logged)) -ge 0 ] && [ $((uptime - logged)) -le 2 ] ||
		fail "logged uptime $logged s, /proc/uptime says $uptime s"
}

test_interop_demo_sleeps_at_least_100ms() {
	mark_log
	insmod interop_demo.ko
	slept=$(logged_number "Slept 100 ms, measured ")
	echo "measured $slept ms"
	[ -n "$slept" ] || fail "no sleep line"
	[ "$slept" -ge 100 ] || fail "slept only $slept ms"
	[ "$slept" -lt 5000 ] || fail "slept $slept ms, far too long"
}
