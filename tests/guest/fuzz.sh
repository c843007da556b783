#!/bin/sh
# The guest side of the fuzz boot (make check-debug): trinity with the echo
# device among its victim files, for a bounded number of system calls, in a
# boot of its own, because it renames, unlinks and kills at random.
. /tests/case-helpers.sh
insmod echo.ko mode=0666
# trinity gets a node of its own to play with (it may replace /dev/echo).
node() {
	rm -rf "$1"
	# shellcheck disable=SC2046 # "MAJOR:MINOR" split into two arguments
	mknod -m 0666 "$1" c $(tr ':' ' ' </sys/class/misc/echo/dev)
}
mkdir -p /tmp/victims
for i in 0 1 2 3 4 5 6 7; do node /tmp/victims/echo$i; done
echo "fuzz: trinity starting"
# No sockets: the VM has no network, and trinity would spend its time
# failing to make them. mount() is left out: any caller can make it log a
# "WARNING:" about an old mount option. It runs as root (--dangerous): the
# VM is thrown away after.
cd /tmp && timeout -s KILL 300 trinity -q -l off -C 2 -N 3000 -V /tmp/victims \
	--disable-fds=sockets -x mount --dangerous --stats >/tmp/trinity.log 2>&1
echo "fuzz: trinity exit status $?"
grep -E 'Ran [0-9]+ syscalls|Successes' /tmp/trinity.log
echo "fuzz: $(sed -n 's/.*(attempted:\([0-9]*\)\..*/\1/p' /tmp/trinity.log |
	awk '{ n += $1 } END { print n + 0 }') syscalls in trinity's statistics"
echo "fuzz: device opens during the run: $(cat /sys/class/misc/echo/opens)"
node /tmp/check
echo "fuzz: /dev/echo still works: $(echo alive >/tmp/check && cat /tmp/check)"
rmmod echo && echo "fuzz: echo unloaded"
dmesg | awk -f /tests/log-problems.awk | grep . &&
	echo "fuzz: kernel reports found" || echo "fuzz: no kernel reports"
