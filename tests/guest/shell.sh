#!/bin/sh
# The guest side of make gdb: a shell on the third serial port, in /root
# with the modules, until it exits; the guest then powers off.
cat >/dev/ttyS2 <<'TEXT'

The modules are in /root; try: insmod echo.ko; echo hi > /dev/echo
gdb (the other pane) stops in echo_write_iter. Type exit to power off.

TEXT
# The port becomes the shell's controlling terminal (Ctrl-C works) as the
# new session's leader opens it; cttyhack would pick the console instead.
setsid sh -c 'exec sh -l </dev/ttyS2 >/dev/ttyS2 2>&1'
