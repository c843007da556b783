# gdb on the sanitizer kernel (debug info, scripts/gdb), through QEMU's
# gdbstub on the loopback: the setup that make gdb and the batch test of
# make check-debug share. gdb runs in the toolchain chroot, where the
# kernel was built, with its lx- commands; lx-symbols loads each module's
# symbols as the guest inserts it.
# shellcheck shell=bash

# gdb_prepare OUT: the modules for the sanitizer kernel (debug_kernel has
# run) and an initramfs with them in OUT, and a copy of the modules in the
# chroot for lx-symbols; sets GDB_DIR, the chroot's work directory.
gdb_prepare() {
	local out=$1
	# shellcheck disable=SC2086
	chroot_install "$BUILD_CHROOT" $GDB_PACKAGES ${GDB_EXTRA_PACKAGES:-}
	rm -rf "$out"
	mkdir -p "$out"
	kbuild "$out" modules >"$out/build.log" 2>&1 ||
		{ tail -n 20 "$out/build.log"; return 1; }
	make_initramfs "$out/initramfs.gz" "$KVER" "$out"
	GDB_DIR=$(chroot_work_dir gdb "$out")
	rm -rf "${BUILD_CHROOT:?}$GDB_DIR"
	mkdir -p "$BUILD_CHROOT$GDB_DIR/modules"
	cp "$out"/modules/*.ko "$BUILD_CHROOT$GDB_DIR/modules/"
}

# gdb_port: a TCP port that nothing listens on, on the loopback.
gdb_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 20000))
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
	done
	echo "$port"
}

# gdb_wait_port PORT PID: wait until QEMU (PID) listens on PORT.
gdb_wait_port() {
	local _
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# gdb_boot OUT PORT RUN TIMEOUT: boot the sanitizer kernel, stopped before
# its first instruction (-S) until gdb continues it, with the gdbstub on
# 127.0.0.1:PORT only, running the guest's /tests/RUN.sh; its output goes
# to OUT/guest.out. Sets QEMU_PID, and returns once the stub listens.
gdb_boot() {
	local out=$1 port=$2 run=$3 timeout=$4
	QEMU_EXTRA_ARGS="-S -gdb tcp:127.0.0.1:$port ${QEMU_EXTRA_ARGS:-}" \
		KERNEL_CMDLINE="nokaslr" run_vm "$KERNEL_IMAGE" "$out/initramfs.gz" \
		"$run" "$timeout" "$out/console.log" >"$out/guest.out" 2>&1 &
	QEMU_PID=$!
	gdb_wait_port "$port" "$QEMU_PID"
}

# The commands that attach gdb and arm lx-symbols. The kernel is not
# mapped yet at QEMU's first instruction, so a hardware breakpoint takes it
# to start_kernel first: software breakpoints need its text mapped.
gdb_attach_commands() {
	cat <<EOF
set pagination off
set confirm off
target remote 127.0.0.1:$1
hbreak start_kernel
continue
delete
lx-symbols $GDB_DIR/modules
set breakpoint pending on
break echo_write_iter
EOF
}

# gdb_command ARGS...: the shell command that runs gdb on the kernel's
# vmlinux in its build directory, whose vmlinux-gdb.py it loads (the lx-
# commands).
gdb_command() {
	echo "cd $KDIR && exec ${GDB_WRAPPER:-} gdb -q -nx -iex 'add-auto-load-safe-path $KDIR' $* vmlinux"
}

# gdb_suite NUMBER: gdb in batch mode stops in echo_write_iter when the
# guest writes "hi" to /dev/echo, prints the count, 3, and detaches; the
# guest then finishes its session.
gdb_suite() {
	# shellcheck disable=SC2154 # failed: ktap.sh's count, in the caller
	local number=$1 failed_before=$failed out port log start elapsed
	local timeout=600
	out=$BUILD_ROOT/$KVER-gdb
	log=$out/gdb.log
	subtest gdb 5
	if ! gdb_prepare "$out"; then
		result "not ok" 1 "prepare # ERROR building the modules"
		echo "not ok $number gdb"
		return
	fi
	port=$(gdb_port)
	echo "    # gdb in batch mode on 127.0.0.1:$port (log: $log, console: $out/console.log)"
	{
		gdb_attach_commands "$port"
		printf '%s\n' continue "print from->count" "backtrace 2" detach
	} >"$BUILD_CHROOT$GDB_DIR/batch.gdb"
	start=$SECONDS
	if gdb_boot "$out" "$port" gdb_batch "$timeout"; then
		GDB_WRAPPER="timeout $timeout" in_chroot "$BUILD_CHROOT" \
			sh -c "$(gdb_command -batch -x "$GDB_DIR/batch.gdb")" \
			>"$log" 2>&1 || true
	fi
	wait "$QEMU_PID" || true
	elapsed=$((SECONDS - start))
	if grep -q "^loading @0x[0-9a-f]*: .*/echo.ko" "$log"; then
		result ok 1 lx_symbols_loaded_echo_on_insmod
	else
		tail -n 20 "$log" | sed 's/^/    # /'
		result "not ok" 1 lx_symbols_loaded_echo_on_insmod
	fi
	if grep -q "Breakpoint [0-9]*, echo_write_iter (" "$log"; then
		result ok 2 stopped_in_echo_write_iter
	else
		result "not ok" 2 stopped_in_echo_write_iter
	fi
	if grep -qx '\$1 = 3' "$log"; then
		result ok 3 printed_the_count_3
	else
		grep '^\$1 = ' "$log" | sed 's/^/    # /' || true
		result "not ok" 3 printed_the_count_3
	fi
	if grep -q "^\[Inferior 1 (process 1) detached\]" "$log"; then
		result ok 4 detached
	else
		result "not ok" 4 detached
	fi
	sed 's/^/    # guest: /' "$out/guest.out"
	# The session ends well before the timeout, or it only ended by it.
	if grep -q "^ok 1 write_completes_after_detach" "$out/guest.out" &&
		grep -q "^ktest: guest done" "$out/guest.out" && [ $elapsed -lt $((timeout / 2)) ]; then
		result ok 5 "guest_finished_after_detach # in ${elapsed}s"
	else
		result "not ok" 5 "guest_finished_after_detach # after ${elapsed}s of ${timeout}s"
	fi
	subtest_result "$number" gdb "$failed_before"
}
