#!/usr/bin/env bash
# make check-install: the modules installed the ways users install them,
# each proven in a booted kernel. Prints KTAP, ends with "N passed, N
# failed", exits non-zero on any failure.
#   install        make install into a scratch DESTDIR (the files, PREFIX,
#                  ECHO_GROUP), make uninstall (nothing left); then the
#                  installed tree booted on 6.1, loaded with kmod's modprobe
#                  (tests/guest/t_installed.sh)
#   dkms-KERNEL    dkms add, build and install in the kernel's suite chroot,
#                  then the DKMS-built modules booted the same way
#   deb            the Debian package: built from a clean copy, lintian,
#                  installed in the bookworm chroot (DKMS builds for its
#                  headers), purged (nothing left)
#   debian13_host  a Debian 13 host (a fresh trixie chroot with make, gcc
#                  and git): make demo, then make check KERNEL=6.12 LINT=0;
#                  the host gets no kernel. The suite chroots are shared.
#   KERNEL="6.1 7.2"  the kernels for DKMS (default: all known)
#   HOSTS=0           skip debian13_host
source "$(dirname "$0")/lib/init.sh"

GUEST_TIMEOUT=${GUEST_TIMEOUT:-300}
VERSION=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
WORK=$BUILD_ROOT/install
# The modules that install (not the KUnit one: Debian has no KUnit).
INSTALLED_MODULES=$(installed_modules | tr '\n' ' ')

# check NUMBER NAME CMD...: a leaf result from a command; its output
# becomes the diagnostics if it fails.
check() {
	local number=$1 name=$2 log
	shift 2
	if log=$("$@" 2>&1); then
		result ok "$number" "$name"
	else
		tail -n 20 <<<"$log" | sed 's/^/    # /'
		result "not ok" "$number" "$name"
	fi
}

# files_under DIR: the files and links under DIR, relative, sorted.
files_under() {
	(cd "$1" && find . ! -type d | sed 's|^\./||' | sort)
}

# expect_files DIR EXPECTED...: DIR holds exactly these files.
expect_files() {
	local dir=$1 got want
	shift
	got=$(files_under "$dir")
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	[ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got"); return 1; }
}

# module_files DIR: the modules that install, as files of DIR.
module_files() {
	local m
	for m in $INSTALLED_MODULES; do
		echo "$1/$m.ko"
	done
}

# stage_examples STAGE: the udev rule and the examples where make install
# puts them, for the guest's t_installed.sh.
stage_examples() {
	mkdir -p "$1/usr/local/share/doc/lesson4-c/examples" "$1/etc/udev/rules.d"
	cp "$ROOT"/packaging/*.conf "$1/usr/local/share/doc/lesson4-c/examples/"
	cp "$ROOT"/packaging/*.rules "$1/etc/udev/rules.d/"
}

# boot_installed NUMBER STAGE: boot the resolved kernel with STAGE laid over
# the guest's root, and kmod and udev in it; run t_installed.sh.
boot_installed() {
	local number=$1
	out=$2.vm
	rm -rf "$out"
	mkdir -p "$out"
	GUEST_EXTRA_ROOT=$2 GUEST_PROGRAMS_PACKAGES=$MODPROBE_PACKAGES \
		GUEST_PROGRAMS="/usr/bin/kmod /lib/systemd/systemd-udevd /usr/bin/udevadm" \
		make_initramfs "$out/initramfs.gz" "$KVER" "$out"
	boot_suite "$number" booted_modprobe "$out/console.log" "ktest.suites=installed"
}

install_suite() {
	local number=$1 failed_before=$failed tc dir log
	subtest "install" "5"
	resolved_kernel 6.1 >"$WORK/resolved-install" || die "cannot get kernel 6.1"
	source "$WORK/resolved-install"
	tc=$BUILD_CHROOT
	dir=$(chroot_work_dir install "$WORK")
	tree_copy "$tc$dir/src"
	rm -rf "$tc$dir/stage" "$tc$dir/stage2"
	log=$WORK/install.log
	echo "    # make install DESTDIR=$tc$dir/stage KDIR=$KDIR (log: $log)"
	check 1 install_puts_the_files_in_destdir eval "
		in_chroot '$tc' make -C '$dir/src' install DESTDIR='$dir/stage' KDIR='$KDIR' >'$log' 2>&1 &&
		! grep -E 'SSL error|signing_key' '$log' &&
		expect_files '$tc$dir/stage' $(module_files "lib/modules/$KVER/updates" | tr '\n' ' ') \
			usr/local/include/lesson4/echo.h etc/udev/rules.d/60-lesson4-echo.rules \
			usr/local/share/doc/lesson4-c/examples/modprobe.d-lesson4-c.conf \
			usr/local/share/doc/lesson4-c/examples/modules-load.d-lesson4-c.conf &&
		grep -q 'GROUP=\"echo\", MODE=\"0660\"' '$tc$dir/stage/etc/udev/rules.d/60-lesson4-echo.rules'"
	check 2 prefix_and_group_are_honoured eval "
		in_chroot '$tc' make -C '$dir/src' install DESTDIR='$dir/stage2' PREFIX=/usr \
			ECHO_GROUP=lesson4 KDIR='$KDIR' >>'$log' 2>&1 &&
		[ -f '$tc$dir/stage2/usr/include/lesson4/echo.h' ] &&
		grep -q 'GROUP=\"lesson4\"' '$tc$dir/stage2/etc/udev/rules.d/60-lesson4-echo.rules'"
	check 3 uninstall_leaves_nothing eval "
		in_chroot '$tc' make -C '$dir/src' uninstall DESTDIR='$dir/stage2' PREFIX=/usr \
			KDIR='$KDIR' >>'$log' 2>&1 &&
		expect_files '$tc$dir/stage2'"
	check 4 installed_headers_compile eval "
		echo '#include <lesson4/echo.h>
int main(void) { return ECHO_IOC_GET_CAPACITY == 0; }' >'$tc$dir/uapi.c' &&
		in_chroot '$tc' gcc -I'$dir/stage/usr/local/include' -o /dev/null '$dir/uapi.c'"
	# The first stage, booted: modprobe finds what make install put there.
	boot_installed 5 "$tc$dir/stage"
	subtest_result "$number" "install" "$failed_before"
}

# dkms_suite NUMBER KERNEL: DKMS in the kernel's suite chroot, then a boot.
dkms_suite() {
	local number=$1 name=$2 failed_before=$failed stage log src
	subtest "dkms-$name" "3"
	if ! resolved_kernel "$name" >"$WORK/resolved-$name"; then
		result "not ok" 1 dkms_install "ERROR cannot get kernel $name"
		echo "not ok $number dkms-$name"
		return
	fi
	source "$WORK/resolved-$name"
	# shellcheck disable=SC2086
	chroot_install "$BUILD_CHROOT" $DKMS_PACKAGES
	log=$WORK/dkms-$name.log
	src=/usr/src/lesson4-c-$VERSION
	# The source tree that make dist made, where DKMS looks for it.
	in_chroot "$BUILD_CHROOT" sh -c "dkms remove lesson4-c/$VERSION --all; rm -rf $src" >/dev/null 2>&1
	tar -xzf "$DIST" -C "$BUILD_CHROOT/usr/src"
	echo "    # dkms add, build, install lesson4-c/$VERSION for $KVER (log: $log)"
	check 1 dkms_add_build_install in_chroot "$BUILD_CHROOT" sh -ec "
		{ dkms add lesson4-c/$VERSION
		dkms build -k $KVER lesson4-c/$VERSION
		dkms install -k $KVER lesson4-c/$VERSION; } >/tmp/lesson4-dkms.log 2>&1 ||
			{ tail -n 30 /tmp/lesson4-dkms.log; exit 1; }
		dkms status lesson4-c/$VERSION -k $KVER | grep ': installed'"
	cp "$BUILD_CHROOT/tmp/lesson4-dkms.log" "$log"
	stage=$WORK/dkms-$name-stage
	rm -rf "$stage"
	mkdir -p "$stage/lib/modules/$KVER/updates"
	cp -r "$BUILD_CHROOT/lib/modules/$KVER/updates/dkms" "$stage/lib/modules/$KVER/updates/" 2>>"$log"
	stage_examples "$stage"
	check 2 dkms_built_every_module eval "(
		cd '$stage/lib/modules/$KVER/updates/dkms' &&
		for m in $INSTALLED_MODULES; do ls \$m.ko* || exit 1; done)"
	in_chroot "$BUILD_CHROOT" sh -c "dkms remove lesson4-c/$VERSION --all; rm -rf $src" >>"$log" 2>&1
	boot_installed 3 "$stage"
	subtest_result "$number" "dkms-$name" "$failed_before"
}

# The Debian package, built from a clean copy in the toolchain chroot,
# linted, installed there (DKMS builds for its headers), purged.
deb_suite() {
	local number=$1 failed_before=$failed tc dir log kver
	subtest "deb" "4"
	tc=$(toolchain_chroot)
	# shellcheck disable=SC2086
	chroot_install "$tc" $DEB_PACKAGES
	kver=$(chroot_kernel_release "$tc")
	dir=$(chroot_work_dir deb "$WORK")
	rm -rf "${tc:?}$dir"
	tree_copy "$tc$dir/lesson4-c"
	log=$WORK/deb.log
	echo "    # dpkg-buildpackage, lintian, apt-get install and purge in $tc (log: $log)"
	check 1 dpkg_buildpackage in_chroot "$tc" sh -c \
		"cd $dir/lesson4-c && dpkg-buildpackage -us -uc >$dir/build.log 2>&1 || { tail -n 30 $dir/build.log; exit 1; }"
	check 2 lintian_clean in_chroot "$tc" lintian -i -I --pedantic \
		--fail-on error,warning,info,pedantic "$dir/lesson4-c_${VERSION}_amd64.changes"
	check 3 install_builds_with_dkms in_chroot "$tc" sh -ec "
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $dir/lesson4-c-dkms_${VERSION}_all.deb
		dkms status lesson4-c/$VERSION -k $kver | grep ': installed'
		cd /lib/modules/$kver/updates/dkms
		ls $(module_files . | tr '\n' ' ')
		getent group echo
		test -f /usr/lib/udev/rules.d/60-lesson4-echo.rules"
	check 4 purge_leaves_nothing in_chroot "$tc" sh -ec "
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q lesson4-c-dkms
		test -z \"\$(dkms status lesson4-c)\"
		for left in /usr/src/lesson4-c-$VERSION /usr/include/lesson4 \
			/lib/modules/$kver/updates/dkms/echo.ko; do
			if [ -e \$left ]; then echo \$left is left; exit 1; fi
		done"
	subtest_result "$number" "deb" "$failed_before"
}

# on_host HOST CMD: run CMD in the project's copy on HOST, as root, with
# /dev, /proc and /sys, and the cache of suite chroots and kernels shared.
# HOST's root is made a mount point, as a real root is, for the harness's
# own mount namespaces.
on_host() {
	unshare -m --propagation private sh -c '
		mount --bind "$0" "$0" && mount --rbind /dev "$0/dev" && mount -t proc proc "$0/proc" &&
		mount -t sysfs sysfs "$0/sys" && mkdir -p "$0/root/.cache/lesson4-c" &&
		mount --bind "$1" "$0/root/.cache/lesson4-c" &&
		exec chroot "$0" sh -c "cd /work/lesson4-c && $2"' "$1" "$CACHE_DIR" "$2"
}

# no_kernel_on ROOT: nothing in ROOT's /boot, no kernel package.
no_kernel_on() {
	[ -z "$(ls -A "$1/boot")" ] || { ls -A "$1/boot"; return 1; }
	! chroot "$1" dpkg-query -W -f='${Package} ${Status}\n' 'linux-image*' \
		'linux-headers*' 2>/dev/null | grep 'ok installed'
}

host_suite() {
	local number=$1 failed_before=$failed base host log t
	subtest "debian13_host" "3"
	base=$(debian13_host_base)
	host=$WORK/host-trixie
	rm -rf "$host"
	cp -a "$base" "$host"
	tree_copy "$host/work/lesson4-c"
	log=$WORK/host-trixie-demo.log
	t=$SECONDS
	echo "    # make demo on a fresh Debian 13 host (log: $log)"
	check 1 make_demo eval "on_host '$host' 'make demo' >'$log' 2>&1 &&
		grep 'interop_demo: Slept 100 ms' '$log'"
	echo "    # make demo took $((SECONDS - t)) s, the host's packages included"
	check 2 host_got_no_kernel no_kernel_on "$host"
	log=$WORK/host-trixie-check.log
	# The linters run in the bookworm chroot, the same on any host.
	echo "    # make check KERNEL=6.12 LINT=0 on it (log: $log)"
	check 3 make_check_one_kernel eval "on_host '$host' 'make check KERNEL=6.12 LINT=0' >'$log' 2>&1"
	subtest_result "$number" "debian13_host" "$failed_before"
}

ensure_deps
read -r -a kernels <<<"${KERNEL:-$(default_kernels)}"
hosts=${HOSTS:-1}
[ "$hosts" = 0 ] || hosts=1
[ -n "$VERSION" ] || die "no version in debian/changelog"
mkdir -p "$WORK"
echo "KTAP version 1"
echo "1..$((2 + ${#kernels[@]} + hosts))"
start=$SECONDS
install_suite 1
# One DKMS source tree, made by make dist, for every kernel.
tree_copy "$WORK/dist-src"
make -s -C "$WORK/dist-src" dist >/dev/null
DIST=$WORK/dist-src/build/lesson4-c-$VERSION.tar.gz
for i in "${!kernels[@]}"; do
	dkms_suite $((i + 2)) "${kernels[$i]}"
done
deb_suite $((${#kernels[@]} + 2))
[ "$hosts" = 0 ] || host_suite $((${#kernels[@]} + 3))
note "$((SECONDS - start))s"
summary
