#!/bin/sh
# The guest side of the gdb test of make check-debug: gdb, attached through
# QEMU's gdbstub, stops the write below in echo_write_iter, prints its
# count and detaches; the write then completes.
echo "KTAP version 1"
echo "1..1"
insmod echo.ko
echo hi >/dev/echo
got=$(cat /dev/echo)
if [ "$got" = hi ]; then
	echo "ok 1 write_completes_after_detach"
else
	echo "not ok 1 write_completes_after_detach # read back '$got'"
fi
rmmod echo
