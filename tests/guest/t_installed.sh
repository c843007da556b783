# The modules as a user installs them (make check-install): placed in
# /lib/modules by `make install` or DKMS, found by name with kmod's own
# depmod, modprobe and modinfo, as on a Debian system, and configured by
# the installed examples.

# Where the modules were installed, under /lib/modules/RELEASE/, and the
# installed examples.
INSTALLED_DIR=updates
[ ! -d "/lib/modules/$(uname -r)/updates/dkms" ] || INSTALLED_DIR=updates/dkms
EXAMPLES=/usr/local/share/doc/lesson4-c/examples

# kmod's tools, and its module index of what is installed; depmod is
# silent on a whole module tree, as on a real system.
use_kmod() {
	use_kmod_tools
	complaints=$(depmod -a 2>&1) || fail "depmod -a failed: $complaints"
	[ -z "$complaints" ] || fail "depmod -a: $complaints"
}

test_installed_modules_are_found_by_name() {
	use_kmod
	for m in $MODULES; do
		file=$(modinfo -F filename "$m") || fail "modinfo finds no $m"
		case $file in
		"/lib/modules/$(uname -r)/$INSTALLED_DIR/$m.ko"*) ;;
		*) fail "$m is $file, not in $INSTALLED_DIR/" ;;
		esac
	done
}

# DKMS 3 signs what it builds with its own key, /var/lib/dkms/mok.key.
test_installed_dkms_signed_the_modules() {
	[ "$INSTALLED_DIR" = updates/dkms ] || skip "not installed by DKMS"
	use_kmod
	for m in $MODULES; do
		[ -n "$(modinfo -F signer "$m")" ] || fail "DKMS did not sign $m"
	done
}

test_installed_modinfo_shows_the_parameters() {
	use_kmod
	parms=$(modinfo -F parm echo)
	for p in capacity devices mode; do
		echo "$parms" | grep -q "^$p:" || fail "modinfo echo shows no $p: $parms"
	done
}

test_installed_modprobe_runs_the_session() {
	use_kmod
	modprobe echo || fail "modprobe echo failed"
	assert_eq "crw-------" "$(ls -l /dev/echo | cut -c 1-10)" "/dev/echo's mode"
	echo "Hello from userspace" >/dev/echo
	assert_eq "Hello from userspace" "$(cat /dev/echo)" "what /dev/echo gives back"
	echo "Appended line" >>/dev/echo
	assert_eq "2" "$(wc -l </dev/echo)" "lines after appending"
	modprobe -r echo || fail "modprobe -r echo failed"
	assert_gone echo /dev/echo
	for m in $MODULES; do
		[ "$m" != echo ] || continue # above
		modprobe "$m" || fail "modprobe $m failed"
		is_loaded "$m" || fail "$m is not loaded"
		modprobe -r "$m" || fail "modprobe -r $m failed"
		assert_gone "$m"
	done
}

test_installed_modprobe_d_example_sets_parameters() {
	use_kmod
	mkdir -p /etc/modprobe.d
	sed 's/^#options /options /' "$EXAMPLES/modprobe.d-lesson4-c.conf" \
		>/etc/modprobe.d/lesson4-c.conf
	modprobe echo || fail "modprobe echo failed"
	rm /etc/modprobe.d/lesson4-c.conf
	assert_eq 65536 "$(cat /sys/module/echo/parameters/capacity)" "capacity"
	[ -c /dev/echo1 ] || fail "devices=2 made no /dev/echo1"
	modprobe -r echo
}

test_installed_modules_load_d_example_names_modules() {
	use_kmod
	names=$(sed -n 's/^#\([a-z_]*\)$/\1/p' "$EXAMPLES/modules-load.d-lesson4-c.conf")
	assert_eq echo "$names" "the modules the example loads"
	for m in $names; do
		modprobe "$m" || fail "modprobe $m failed"
		modprobe -r "$m"
	done
}

# Last, since udevd outlives the case until it is told to exit.
test_installed_udev_rule_gives_the_group_read_write() {
	use_kmod
	grep -q '^echo:' /etc/group || echo "echo:x:990:" >>/etc/group
	mkdir -p /run
	grep -q ' /run ' /proc/mounts || mount -t tmpfs tmpfs /run
	systemd-udevd --daemon || fail "systemd-udevd did not start"
	modprobe echo devices=2 || fail "modprobe echo failed"
	udevadm settle --timeout=60 || fail "udev did not settle"
	for node in /dev/echo /dev/echo1; do
		assert_eq "crw-rw---- echo" "$(ls -l "$node" | awk '{ print $1, $4 }')" \
			"$node's mode and group"
	done
	modprobe -r echo
	udevadm control --exit
}
