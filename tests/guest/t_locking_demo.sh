# locking_demo: a mutex in process context, a spinlock in softirq context.

demo_value() {
	cat /sys/kernel/debug/locking_demo/"$1"
}

test_locking_demo_counters_advance() {
	insmod locking_demo.ko
	ticks1=$(demo_value ticks)
	len1=$(demo_value vec_len)
	sleep 1
	ticks2=$(demo_value ticks)
	len2=$(demo_value vec_len)
	echo "ticks $ticks1 -> $ticks2, vec_len $len1 -> $len2 in 1 s"
	# Nominal rates are 100 and 20 per second; TCG may run slower.
	assert_at_least "timer ticks in 1 s" $((ticks2 - ticks1)) 10 ticks
	assert_at_least "work pushes in 1 s" $((len2 - len1)) 2 bytes
	mark_log
	rmmod locking_demo
	ticks3=$(logged_number "ticks=")
	len3=$(logged_number "vec_len=")
	[ -n "$ticks3" ] && [ "$ticks3" -ge "$ticks2" ] ||
		fail "unload logged ticks='$ticks3', below $ticks2"
	[ -n "$len3" ] && [ "$len3" -ge "$len2" ] ||
		fail "unload logged vec_len='$len3', below $len2"
	[ ! -e /sys/kernel/debug/locking_demo ] || fail "debugfs directory left behind"
}
