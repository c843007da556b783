# hello: the lesson's minimal module.

test_hello_load_logs_greeting() {
	mark_log
	insmod hello.ko
	is_loaded hello || fail "hello is not in /proc/modules"
	assert_log "hello: Hello from C in the kernel!" \
		"hello: Module loaded successfully"
}

test_hello_unload_logs_goodbye() {
	insmod hello.ko
	mark_log
	rmmod hello
	assert_log "hello: Goodbye from C! Module unloading"
	assert_gone hello
}
