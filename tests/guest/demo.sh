#!/bin/sh
# The guest side of `make demo`: replay the lesson's shell sessions, showing
# each command and what it printed, including the kernel log.

# run CMD: show the command as typed at a root prompt, then run it.
run() {
	echo "# $*"
	sh -c "$*" 2>&1
}

section() {
	echo
	echo "=== $* ==="
}

section "hello: the minimal module"
run "insmod hello.ko"
run "dmesg | tail -2"
run "rmmod hello"
run "dmesg | tail -1"
run "modinfo hello"

section "alloc_demo: fallible allocation"
run "insmod alloc_demo.ko"
run "dmesg | tail -1"
run "rmmod alloc_demo"
run "dmesg | tail -1"

section "echo: a character device"
run "insmod echo.ko"
run "ls -la /dev/echo"
run 'echo "Hello from userspace" > /dev/echo'
run "cat /dev/echo"
run 'echo "Appended line" >> /dev/echo'
run "cat /dev/echo"
run "head -c 5000 /dev/zero > /dev/echo   # more than the 4096-byte capacity"
run "wc -c < /dev/echo"
run "cat /sys/class/misc/echo/length /sys/class/misc/echo/memory /sys/class/misc/echo/writes"
run "rmmod echo"
run "dmesg | tail -9"
run "insmod echo.ko capacity=0   # parameters are validated"
run "dmesg | tail -2"
run "ls /dev/echo"

section "locking_demo: mutex and spinlock"
run "insmod locking_demo.ko"
run "sleep 1; cat /sys/kernel/debug/locking_demo/ticks /sys/kernel/debug/locking_demo/vec_len"
run "sleep 1; cat /sys/kernel/debug/locking_demo/ticks /sys/kernel/debug/locking_demo/vec_len"
run "rmmod locking_demo"
run "dmesg | tail -2"

section "interop_demo: jiffies, HZ and sleeping"
run "insmod interop_demo.ko"
run "dmesg | tail -3"
run "cat /proc/uptime"
run "rmmod interop_demo"
