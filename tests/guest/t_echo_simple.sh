# echo_simple: the seed's echo_rust in C, at /dev/echo_simple.

# The seed's session, and its log lines.
test_echo_simple_seed_session() {
	mark_log
	insmod echo_simple.ko
	case $(ls -la /dev/echo_simple) in
	"crw-------"*" root "*" root "*/dev/echo_simple) ;;
	*) fail "/dev/echo_simple is not a root-only character device" ;;
	esac
	echo "Hello from userspace" >/dev/echo_simple
	assert_eq "Hello from userspace" "$(head -c 4096 /dev/echo_simple)" \
		"cat /dev/echo_simple"
	# The shell drops NUL bytes: count what a read returns, too.
	assert_eq 21 "$(wc -c </dev/echo_simple)" "bytes read back"
	rmmod echo_simple
	assert_log "echo_simple: Initializing echo device" \
		"echo_simple: Device opened" \
		"echo_simple: Wrote 21 bytes to device" \
		"echo_simple: Device opened" \
		"echo_simple: Echo device unloaded"
	assert_gone echo_simple /dev/echo_simple
}

# A write replaces what was there; a read returns it from the position on.
test_echo_simple_write_replaces_read_advances() {
	insmod echo_simple.ko
	printf abcdef >/dev/echo_simple
	printf xy >/dev/echo_simple
	assert_eq xy "$(cat /dev/echo_simple)" "after two writes"
	printf 12345 >/dev/echo_simple
	assert_eq 12345 "$(dd if=/dev/echo_simple bs=1 2>/dev/null)" "read a byte at a time"
}

# One write takes at most the 4096 bytes the buffer holds.
test_echo_simple_write_is_cut_at_4096() {
	insmod echo_simple.ko
	assert_eq 4096 "$(head -c 5000 /dev/zero | write-once /dev/echo_simple)" \
		"a 5000-byte write"
	assert_eq 4096 "$(wc -c </dev/echo_simple)" "bytes held"
}

# A read held in a page fault holds no lock: a write goes through.
test_echo_simple_stalled_reader_stalls_no_writer() {
	insmod echo_simple.ko
	echo data >/dev/echo_simple
	out=$(stall-read /dev/echo_simple) || { echo "$out"; fail "stall-read failed"; }
	echo "$out"
	took=$(echo "$out" | sed -n 's/^a write beside a stalled reader: \([0-9]*\) ms$/\1/p')
	assert_at_most "a write beside a stalled reader" "$took" 3000 ms
}
