#!/usr/bin/env bash
# make gdb: boot the sanitizer kernel (make check-debug builds it once)
# under QEMU with its gdbstub on the loopback, and attach gdb with the
# kernel's lx- helpers, in a tmux window of two panes: the guest's shell
# above, gdb below. lx-symbols loads each module's symbols as it is
# inserted, and a breakpoint on echo_write_iter is set: type
# "insmod echo.ko; echo hi > /dev/echo" above, and gdb stops below.
# Quitting gdb, or exit in the guest's shell, powers the guest off.
#   scripts/gdb.sh --test   the batch test of make check-debug, alone
source "$(dirname "$0")/lib/init.sh"

[ "${1:-}" = --test ] || { [ -t 0 ] && [ -t 1 ]; } ||
	die "make gdb needs a terminal (scripts/gdb.sh --test runs gdb in batch mode)"
ensure_deps
debug_kernel
if [ "${1:-}" = --test ]; then
	echo "KTAP version 1"
	echo "1..1"
	gdb_suite 1
	summary
	exit
fi

out=$BUILD_ROOT/$KVER-gdb
GDB_EXTRA_PACKAGES="tmux socat"
gdb_prepare "$out" || die "cannot build the modules for $KVER"
port=$(gdb_port)
shell_socket=$GDB_DIR/shell.sock
gdb_attach_commands "$port" >"$BUILD_CHROOT$GDB_DIR/attach.gdb"
echo continue >>"$BUILD_CHROOT$GDB_DIR/attach.gdb"
QEMU_EXTRA_ARGS="-chardev socket,id=shell,path=$BUILD_CHROOT$shell_socket,server=on,wait=off -serial chardev:shell" \
	gdb_boot "$out" "$port" shell 86400 || die "QEMU did not start (console: $out/console.log)"
trap 'kill "$QEMU_PID" 2>/dev/null' EXIT HUP INT TERM
note "kernel $KVER, gdbstub on 127.0.0.1:$port, console log: $out/console.log"
# tmux needs the host's terminals in the chroot.
unshare -m --propagation private sh -c '
	mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" &&
	exec chroot "$0" env TERM="${TERM:-xterm}" tmux new-session \
		"socat -,raw,echo=0 UNIX-CONNECT:$1; tmux kill-session" \; \
		split-window -v "$2; tmux kill-session"' \
	"$BUILD_CHROOT" "$shell_socket" "$(gdb_command -x "$GDB_DIR/attach.gdb")"
