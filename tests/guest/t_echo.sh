# echo: the lesson's echo device at /dev/echo.

test_echo_lesson_shell_session() {
	mark_log
	insmod echo.ko
	listing=$(ls -la /dev/echo)
	echo "\$ ls -la /dev/echo"
	echo "$listing"
	case $listing in
	"crw-------"*" root "*" root "*/dev/echo) ;;
	*) fail "/dev/echo is not a root-only character device" ;;
	esac
	echo "Hello from userspace" >/dev/echo
	assert_eq "Hello from userspace" "$(cat /dev/echo)" "cat /dev/echo"
	rmmod echo
	assert_log "echo: Initializing echo device" \
		"echo: Device opened" \
		"echo: Wrote 21 bytes to device" \
		"echo: Device opened" \
		"echo: Echo device unloaded"
	assert_gone echo /dev/echo
}

test_echo_node_is_root_only() {
	insmod echo.ko
	echo secret >/dev/echo
	assert_eq "600 0 0" "$(stat -c '%a %u %g' /dev/echo)" "mode, owner, group"
	assert_fails run-as 1000 1000 cat /dev/echo
	case $OUT in *"Permission denied"*) ;; *) fail "read as uid 1000: $OUT" ;; esac
	assert_fails run-as 1000 1000 sh -c 'echo x >/dev/echo'
	case $OUT in *"Permission denied"*) ;; *) fail "write as uid 1000: $OUT" ;; esac
	assert_eq secret "$(cat /dev/echo)" "contents after the refused write"
}

test_echo_one_buffer_shared_by_all_openers() {
	insmod echo.ko
	exec 3</dev/echo
	sh -c 'echo "from another process" >/dev/echo'
	assert_eq "from another process" "$(cat <&3)" "read on an fd opened earlier"
	exec 3<&-
}

test_echo_bytewise_read_reassembles() {
	insmod echo.ko
	seq 1 100 >/tmp/in
	size=$(wc -c </tmp/in)
	cat /tmp/in >/dev/echo
	dd if=/dev/echo of=/tmp/out bs=1 2>/tmp/dd.err
	cmp /tmp/in /tmp/out || fail "dd bs=1 did not reassemble the data"
	grep -q "^$size+0 records in" /tmp/dd.err ||
		fail "expected $size one-byte reads: $(cat /tmp/dd.err)"
}

test_echo_read_ends_with_eof() {
	insmod echo.ko
	assert_eq 0 "$(wc -c </dev/echo)" "bytes in a new device"
	printf hello >/dev/echo
	# Reads of 2 bytes: 2, 2, 1, then 0 (EOF) ends dd.
	assert_eq hello "$(dd if=/dev/echo bs=2 2>/tmp/dd.err)" "dd bs=2"
	grep -q '^2+1 records in' /tmp/dd.err ||
		fail "expected reads of 2, 2 and 1 bytes: $(cat /tmp/dd.err)"
}

test_echo_truncate_and_append() {
	insmod echo.ko
	echo first >/dev/echo
	echo second >/dev/echo
	assert_eq second "$(cat /dev/echo)" "'>' replaces"
	echo third >>/dev/echo
	assert_eq "second
third" "$(cat /dev/echo)" "'>>' appends"
}

test_echo_write_over_capacity_is_short_then_enospc() {
	insmod echo.ko
	head -c 5000 /dev/urandom >/tmp/big
	assert_eq 4096 "$(write-once -t /dev/echo </tmp/big)" "one 5000-byte write"
	assert_eq ENOSPC "$(echo more | write-once -a /dev/echo)" "a write when full"
	head -c 4096 /tmp/big >/tmp/expected
	cmp /tmp/expected /dev/echo || fail "device does not hold the first 4096 bytes"
	# The shell's tools retry the short write and so report the error.
	assert_fails sh -c 'cat /tmp/big >/dev/echo'
	case $OUT in *"No space left on device"*) ;; *) fail "cat: $OUT" ;; esac
	cmp /tmp/expected /dev/echo || fail "cat did not store the first 4096 bytes"
}

test_echo_capacity_parameter() {
	insmod echo.ko capacity=16
	assert_eq 16 "$(cat /sys/module/echo/parameters/capacity)" "parameter"
	assert_eq 16 "$(printf '0123456789abcdefXYZ' | write-once -t /dev/echo)" \
		"a 19-byte write into 16 bytes"
	assert_eq 0123456789abcdef "$(cat /dev/echo)" "contents"
}

test_echo_invalid_capacity_is_refused() {
	for value in 0 16777217 -1 abc; do
		mark_log
		assert_fails insmod echo.ko capacity=$value
		case $OUT in
		*"Invalid argument"*) ;;
		*) fail "insmod capacity=$value: $OUT" ;;
		esac
		assert_gone echo /dev/echo
	done
	mark_log
	assert_fails insmod echo.ko capacity=0
	assert_log "echo: capacity=0 is out of range 1..16777216"
	insmod echo.ko capacity=16777216
	is_loaded echo || fail "the largest capacity was refused"
}

test_echo_rmmod_while_open_fails() {
	insmod echo.ko
	echo kept >/dev/echo
	exec 3</dev/echo
	assert_fails rmmod echo
	echo "rmmod while open: $OUT"
	is_loaded echo || fail "echo was unloaded while open"
	assert_eq 1 "$(cat /sys/module/echo/refcnt)" "refcnt while open"
	assert_eq kept "$(cat <&3)" "read after the failed rmmod"
	exec 3<&-
	rmmod echo
	assert_gone echo /dev/echo
}

test_echo_concurrent_writes_never_torn() {
	insmod echo.ko
	torn-check /dev/echo 3 2 2 4096 || fail "torn reads or errors"
}

# The kselftest programs need the largest capacity and a second device.
subtest_echo_abi() {
	insmod echo.ko capacity=16777216 devices=2
	echo-test
}

subtest_echo_abi_32bit_compat() {
	insmod echo.ko capacity=16777216 devices=2
	echo-test-32
}
