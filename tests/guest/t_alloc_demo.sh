# alloc_demo: the lesson's MyDriver.

test_alloc_demo_logs_allocation_and_free() {
	mark_log
	insmod alloc_demo.ko
	assert_log "alloc_demo: Allocated 4096 bytes for my_driver_instance"
	mark_log
	rmmod alloc_demo
	assert_log "alloc_demo: Freeing resources for my_driver_instance"
	assert_gone alloc_demo
}
