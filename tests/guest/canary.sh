#!/bin/sh
# The guest side of a detector check (make check-debug): commit the bug
# that the kernel command line names (ktest.bug=...), then show what the
# kernel said. Each bug gets a boot of its own; some end in a panic.
# ktest.bug=none is the control: nothing committed, nothing reported.
bug=$(sed -n 's/.*ktest\.bug=\([a-z_]*\).*/\1/p' /proc/cmdline)
insmod canary.ko bug="$bug" && echo "canary: loaded with bug=$bug"
if [ "$bug" = kmemleak ] || [ "$bug" = none ]; then
	# kmemleak reports objects at least 5 s old.
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
fi
dmesg
