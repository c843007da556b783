# Run in a boot of its own with debugfs=off: the modules must not need it.

test_locking_demo_works_without_debugfs() {
	! grep -q ' debugfs ' /proc/mounts || fail "debugfs is mounted: boot with debugfs=off"
	mark_log
	insmod locking_demo.ko
	sleep 1
	rmmod locking_demo
	ticks=$(logged_number "ticks=")
	len=$(logged_number "vec_len=")
	echo "without debugfs: ticks=$ticks vec_len=$len after 1 s"
	[ -n "$ticks" ] && [ "$ticks" -ge 10 ] || fail "the timer did not run"
	[ -n "$len" ] && [ "$len" -ge 2 ] || fail "the work did not run"
}
