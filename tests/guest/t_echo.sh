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
	# head stops a cat that never reaches the end, at once, where the
	# case's timeout would take minutes.
	assert_eq "Hello from userspace" "$(cat /dev/echo | head -c 4096)" "cat /dev/echo"
	rmmod echo
	assert_log "echo: Initializing echo device" \
		"misc echo: Device opened" \
		"misc echo: Wrote 21 bytes to device" \
		"misc echo: Device opened" \
		"echo: Echo device unloaded"
	assert_gone echo /dev/echo
}

test_echo_node_is_root_only() {
	insmod echo.ko
	echo secret >/dev/echo
	assert_eq "600 0 0" "$(stat -c '%a %u %g' /dev/echo)" "mode, owner, group"
	assert_fails run-as 1000 1000 cat /dev/echo
	case $OUT in
	"cat: can't open '/dev/echo': Permission denied") ;;
	*) fail "read as uid 1000: $OUT" ;;
	esac
	assert_fails run-as 1000 1000 sh -c 'echo x >/dev/echo'
	case $OUT in
	*"can't create /dev/echo: Permission denied") ;;
	*) fail "write as uid 1000: $OUT" ;;
	esac
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
	assert_eq 16 "$(cat /sys/class/misc/echo/capacity)" "sysfs capacity"
	assert_eq 16 "$(printf '0123456789abcdefXYZ' | write-once -t /dev/echo)" \
		"a 19-byte write into 16 bytes"
	assert_eq 0123456789abcdef "$(cat /dev/echo)" "contents"
}

test_echo_invalid_parameters_are_refused() {
	for param in capacity=0 capacity=16777217 capacity=-1 capacity=abc \
		capacity=0x10 devices=0 devices=65 mode=01000 mode=0x10000 mode=rw \
		mode=0 mode=8 mode=0o mode=0o8; do
		assert_fails insmod echo.ko "$param"
		case $OUT in
		*"Invalid argument"*) ;;
		*) fail "insmod $param: $OUT" ;;
		esac
		assert_gone echo /dev/echo
	done
	mark_log
	assert_fails insmod echo.ko capacity=0
	assert_log "echo: capacity=0 is invalid: expected 1..16777216"
	assert_fails insmod echo.ko devices=65
	assert_log "echo: devices=65 is invalid: expected 1..64"
	assert_fails insmod echo.ko mode=01000
	assert_log "echo: mode=01000 is invalid: expected 01..0777"
	# misc would turn mode 0 into 0600 quietly.
	assert_fails insmod echo.ko mode=0
	assert_log "echo: mode=0 is invalid: expected 01..0777"
	insmod echo.ko capacity=16777216 devices=64 mode=0777
	is_loaded echo || fail "the largest values were refused"
	assert_eq 0777 "$(cat /sys/module/echo/parameters/mode)" "mode=0777"
	[ -c /dev/echo63 ] || fail "/dev/echo63 is missing with devices=64"
	rmmod echo
	# And the smallest: one byte, one device, mode 01.
	insmod echo.ko capacity=1 devices=1 mode=1 ||
		fail "capacity=1 devices=1 mode=1 were refused"
	assert_eq "1 0 0" "$(stat -c '%a %u %g' /dev/echo)" "mode=1"
	[ ! -e /dev/echo1 ] || fail "/dev/echo1 exists with devices=1"
	assert_eq 1 "$(printf ab | write-once -t /dev/echo)" "a 2-byte write into 1 byte"
	assert_eq a "$(cat /dev/echo)" "contents"
}

# With no parameters: one device, of 4096 bytes, for root only.
test_echo_defaults() {
	insmod echo.ko
	[ -c /dev/echo ] || fail "/dev/echo is missing"
	[ ! -e /dev/echo1 ] || fail "/dev/echo1 exists with no devices= given"
	assert_eq 4096 "$(cat /sys/class/misc/echo/capacity)" "capacity"
	assert_eq "600 0 0" "$(stat -c '%a %u %g' /dev/echo)" "mode, owner, group"
}

# memory counts the pages held, not those the length spans: a byte written
# far out leaves a hole that holds none, and so does growing the length.
test_echo_memory_counts_the_pages_held() {
	insmod echo.ko capacity=1048576
	printf x | dd of=/dev/echo bs=1 seek=524288 conv=notrunc 2>/dev/null ||
		fail "the write at 512 KiB failed"
	assert_eq 524289 "$(cat /sys/class/misc/echo/length)" "the length"
	assert_eq 4096 "$(cat /sys/class/misc/echo/memory)" "the memory held"
}

test_echo_devices_parameter_names_the_nodes() {
	insmod echo.ko devices=3
	for node in echo echo1 echo2; do
		[ -c /dev/$node ] || fail "/dev/$node is missing"
		echo "$node" >/dev/$node
	done
	[ ! -e /dev/echo3 ] || fail "/dev/echo3 exists with devices=3"
	for node in echo echo1 echo2; do
		assert_eq "$node" "$(cat /dev/$node)" "/dev/$node holds its own data"
	done
	rmmod echo
	[ ! -e /dev/echo1 ] || fail "/dev/echo1 is left behind"
}

test_echo_mode_parameter_opens_the_node() {
	insmod echo.ko mode=0666
	assert_eq 0666 "$(cat /sys/module/echo/parameters/mode)" "mode parameter"
	assert_eq "666 0 0" "$(stat -c '%a %u %g' /dev/echo)" "mode, owner, group"
	OUT=$(run-as 1000 1000 sh -c 'echo shared >/dev/echo' 2>&1) ||
		fail "uid 1000 cannot write: $OUT"
	assert_eq shared "$(run-as 1000 1000 cat /dev/echo)" "read as uid 1000"
}

# As chmod reads it: 644, 0644 and 0o644 are all rw-r--r--.
test_echo_mode_is_octal() {
	for value in 644 0644 0o644 444; do
		insmod echo.ko mode=$value
		want=${value#0o}
		want=${want#0}
		assert_eq "$want 0 0" "$(stat -c '%a %u %g' /dev/echo)" "mode=$value"
		assert_eq "0$want" "$(cat /sys/module/echo/parameters/mode)" \
			"mode=$value in sysfs"
		rmmod echo
	done
}

# Each device's lines name it.
test_echo_log_lines_name_the_device() {
	insmod echo.ko devices=2
	mark_log
	echo two >/dev/echo1
	assert_log "misc echo1: Device opened" "misc echo1: Wrote 4 bytes to device"
}

# ktest_hooks holds poll(2) in poll_wait() for 2 s: a write in that
# window must still end the poll as soon as it is released.
test_echo_poll_sees_a_write_made_while_it_registers() {
	insmod echo.ko
	insmod ktest_hooks.ko hook=pollwait comm=poll-wait delay_ms=2000
	poll-wait /dev/echo in 20000 >/tmp/poll.out &
	poller=$!
	until read -r hits </sys/module/ktest_hooks/parameters/hits &&
		[ "$hits" -ge 1 ]; do :; done
	echo data >>/dev/echo
	read -r ends </sys/module/ktest_hooks/parameters/ends
	[ "$ends" = 0 ] || fail "the write landed after poll_wait() was released"
	wait $poller || fail "poll-wait failed"
	result=$(cat /tmp/poll.out)
	echo "$result"
	# Released after 2 s, it must see the data then, not at its timeout.
	waited=${result#revents=in after }
	[ "$waited" != "$result" ] || fail "the poll missed the write"
	assert_at_most "the poll" "${waited% ms}" 10000 ms
}

# ktest_hooks holds the second device's registration for a second, while
# another process opens /dev/echo, then fails it with EBUSY (as when the
# dynamic minors run out). Init unwinds: no file may stay open on it.
test_echo_failed_init_leaves_no_file_open() {
	insmod ktest_hooks.ko hook=misc_register comm=insmod delay_ms=1000
	rm -f /tmp/init-failed
	(
		until read -r hits </sys/module/ktest_hooks/parameters/hits &&
			[ "$hits" -ge 1 ]; do :; done
		# A file open when init fails would be read on freed memory.
		sh -c 'exec 3<>/dev/echo && echo "opened during init" &&
			until [ -e /tmp/init-failed ]; do sleep 0.1; done &&
			cat <&3' 2>/tmp/open.err || echo "open refused"
	) >/tmp/opener.log &
	opener=$!
	mark_log
	insmod echo.ko devices=2 && loaded=1 || loaded=
	touch /tmp/init-failed
	wait $opener
	cat /tmp/opener.log
	[ -z "$loaded" ] || { log_since_mark; fail "the load did not fail"; }
	assert_eq "open refused" "$(cat /tmp/opener.log)" "the opener"
	# ENODEV: the opener reached the node while init ran (the ready flag
	# refused it), not after init had removed it (ENOENT).
	grep -q 'No such device$' /tmp/open.err ||
		fail "the open did not race init: $(cat /tmp/open.err)"
	# EBUSY, or EINVAL where a newer kernel (7.2 here) refuses a fixed
	# minor in the dynamic range.
	log_since_mark | grep -E 'echo: cannot register /dev/echo1: -(16|22)$' ||
		fail "the failed registration was not logged"
	assert_gone echo /dev/echo
	[ ! -e /dev/echo1 ] && [ ! -e /sys/class/misc/echo ] &&
		[ ! -e /sys/class/misc/echo1 ] || fail "a node is left behind"
}

test_echo_log_lines_are_rate_limited() {
	insmod echo.ko
	mark_log
	i=0
	while [ $i -lt 200 ]; do
		echo $i >>/dev/echo
		i=$((i + 1))
	done
	opened=$(log_since_mark | grep -c 'misc echo: Device opened$')
	wrote=$(log_since_mark | grep -c 'misc echo: Wrote [0-9]* bytes to device$')
	echo "200 opens and writes logged $opened and $wrote lines"
	[ "$opened" -ge 1 ] && [ "$wrote" -ge 1 ] || fail "the log lines are gone"
	[ "$opened" -le 20 ] && [ "$wrote" -le 20 ] || fail "the log is flooded"
}

# Free memory in KiB, with the pages waiting in per-CPU lists.
free_kib() {
	awk '/pages free/ { n += $3 } /count:/ { n += $2 } END { print n * 4 }' \
		/proc/zoneinfo
}

# rmmod gives back the memory of the data stored.
test_echo_unload_frees_the_data() {
	insmod echo.ko capacity=16777216
	before=$(free_kib)
	head -c 16777216 /dev/zero | write-once /dev/echo >/dev/null
	stored=$(free_kib)
	rmmod echo
	after=$(free_kib)
	echo "free: $before KiB, $stored KiB with 16 MiB stored, $after KiB after rmmod"
	[ $((before - stored)) -ge 15360 ] || fail "16 MiB stored took no memory"
	[ $((after - stored)) -ge 15360 ] || fail "rmmod did not free the data"
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

# Random calls on up to four descriptors, each checked against a model of
# the device (tests/progs/echo-fuzz.c), on capacities at and around the
# edges: a page less and more, a part used page (10000), a whole number of
# pages (8192), one byte, and the largest (16 MiB, whose content checks
# are slow: fewer calls). Then two devices at once, each with its own
# model: neither may see the other's calls.
test_echo_model_fuzz() {
	for run in 10000:1:20000 10000:2:20000 10000:3:20000 8192:4:20000 \
		4095:5:20000 4097:6:20000 1:7:5000 16777216:8:2000; do
		capacity=${run%%:*} seed=${run#*:} steps=${seed#*:} seed=${seed%:*}
		insmod echo.ko capacity=$capacity
		echo-fuzz -c $capacity /dev/echo $seed $steps ||
			fail "echo-fuzz seed $seed, capacity $capacity"
		rmmod echo
	done
	insmod echo.ko capacity=4097 devices=2
	echo-fuzz -c 4097 /dev/echo1 9 20000 >/tmp/fuzz-echo1.log 2>&1 &
	other=$!
	echo-fuzz -c 4097 /dev/echo 10 20000 || fail "echo-fuzz seed 10 on /dev/echo"
	wait $other || { cat /tmp/fuzz-echo1.log; fail "echo-fuzz seed 9 on /dev/echo1"; }
	cat /tmp/fuzz-echo1.log
}

test_echo_concurrent_writes_never_torn() {
	insmod echo.ko
	# 3 readers, 2 writers, 2 seekers, 2 ioctl callers for 5 s.
	echo-torture /dev/echo 5 3 2 2 2 4096 || fail "torn reads or errors"
}

# Records of 200 bytes take the small paths: writes stored in place, and
# lockless reads that must retry when a write came in between.
test_echo_concurrent_small_writes_never_torn() {
	insmod echo.ko
	echo-torture /dev/echo 5 3 2 2 2 200 || fail "torn reads or errors"
}

# The chunks are charged to the writer's memory cgroup, as a pipe's or a
# tmpfs file's pages are: a user cannot pin memory outside its limits.
test_echo_memory_is_charged_to_the_writer() {
	cg=/sys/fs/cgroup
	[ -d $cg ] || skip "the kernel has no cgroups"
	grep -q " $cg cgroup2 " /proc/mounts || mount -t cgroup2 none $cg
	grep -qw memory $cg/cgroup.controllers ||
		skip "the kernel has no memory cgroup controller"
	echo +memory >$cg/cgroup.subtree_control
	mkdir -p $cg/echo-writer
	insmod echo.ko capacity=16777216
	before=$(cat $cg/echo-writer/memory.current)
	# The writer's own 16 MiB buffer is uncharged when it exits.
	sh -c "echo \$\$ >$cg/echo-writer/cgroup.procs &&
		head -c 16777216 /dev/zero | write-once /dev/echo" >/dev/null
	charged=$(cat $cg/echo-writer/memory.current)
	echo "memory.current of the writer's cgroup: $before, then $charged with 16 MiB stored"
	rmmod echo
	rmdir $cg/echo-writer
	[ $((charged - before)) -ge $((15 * 1024 * 1024)) ] ||
		fail "the 16 MiB stored were not charged to the writer"
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

# sendfile, splice and io_uring (tests/progs/echo-io.c).
subtest_echo_io() {
	insmod echo.ko capacity=16777216
	echo-io
}

# Every pair of operations at once on one device, each read checked by an
# oracle, and truncations against reads of the whole 16 MiB
# (tests/progs/echo-race.c).
subtest_echo_race() {
	insmod echo.ko capacity=16777216
	echo-race
}
