# The test VM: a busybox initramfs booted directly by QEMU.
# shellcheck shell=bash

# chroot_real CHROOT PATH: where PATH of CHROOT is, seen from the host; a
# link is resolved in the chroot (systemd-udevd -> /bin/udevadm), as the
# host may lack its target.
chroot_real() {
	echo "$1$(chroot "$1" readlink -f "$2")"
}

# program_libraries CHROOT PATH: the libraries that the program PATH of
# CHROOT loads, and their loader, as paths in the chroot.
program_libraries() {
	chroot "$1" ldd "$2" | grep -o '/[^ ]*'
}

# copy_program CHROOT PATH ROOT: a program of CHROOT into ROOT's /bin, with
# its libraries.
copy_program() {
	local tc=$1 path=$2 root=$3 lib
	cp "$(chroot_real "$tc" "$path")" "$root/bin/$(basename "$path")"
	program_libraries "$tc" "$path" | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp "$(chroot_real "$tc" "$lib")" "$root$lib"
	done
}

# copy_program_apart CHROOT PATH ROOT: the same, but with its libraries and
# their loader in a directory of its own, /opt/NAME, and a /bin/NAME that
# runs it with them: a program of another Debian suite needs its own C
# library, which must not replace the one of the other programs.
copy_program_apart() {
	local tc=$1 path=$2 root=$3 name lib dir
	name=$(basename "$path")
	dir=/opt/$name
	mkdir -p "$root$dir/lib"
	cp "$(chroot_real "$tc" "$path")" "$root$dir/$name"
	program_libraries "$tc" "$path" | while read -r lib; do
		cp "$(chroot_real "$tc" "$lib")" "$root$dir/lib/$(basename "$lib")"
	done
	printf '#!/bin/sh\nexec %s/lib/ld-linux-x86-64.so.2 --library-path %s/lib %s/%s "$@"\n' \
		"$dir" "$dir" "$dir" "$name" >"$root/bin/$name"
	chmod 755 "$root/bin/$name"
}

# make_initramfs OUT KVER BUILD: busybox, the guest scripts, the modules
# and the test programs of BUILD (if it has them), the kernel's module
# indexes, the programs named in GUEST_PROGRAMS (paths in the toolchain
# chroot, installed there from GUEST_PROGRAMS_PACKAGES) and in
# GUEST_KERNEL_PROGRAMS (from the kernel's own suite, BUILD_CHROOT, as
# linux-perf must be, each apart with its libraries; installed from
# GUEST_KERNEL_PROGRAMS_PACKAGES), and the tree GUEST_EXTRA_ROOT.
make_initramfs() {
	local out=$1 kver=$2 build=$3 root applet f tc
	tc=$(toolchain_chroot)
	# shellcheck disable=SC2086
	chroot_install "$tc" $GUEST_PACKAGES ${GUEST_PROGRAMS_PACKAGES:-}
	root=$(mktemp -d)
	chmod 755 "$root" # mktemp's 0700 would lock every other user out
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,root,tests,etc} \
		"$root/lib/modules/$kver"
	cp "$tc/bin/busybox" "$root/bin/busybox"
	for applet in $(chroot "$tc" /bin/busybox --list); do
		[ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
	done
	printf '%s\n' root:x:0:0:root:/root:/bin/sh user:x:1000:1000:user:/tmp:/bin/sh \
		nobody:x:65534:65534:nobody:/nonexistent:/bin/sh >"$root/etc/passwd"
	printf '%s\n' root:x:0: user:x:1000: nogroup:x:65534: >"$root/etc/group"
	cp "$ROOT"/tests/guest/*.sh "$ROOT"/tests/guest/*.awk \
		"$ROOT/tests/guest/skips" "$root/tests/"
	installed_modules >"$root/tests/modules"
	cp "$ROOT/tests/guest/init" "$root/init"
	# The demo's commands are the lesson's.
	awk -v mode=sessions -f "$ROOT/scripts/tools/lesson.awk" "$ROOT/docs/lesson.md" \
		>"$root/tests/lesson-sessions"
	[ ! -d "$build/modules" ] || cp "$build"/modules/*.ko "$root/root/"
	[ ! -d "$build/progs" ] || cp "$build"/progs/* "$root/bin/"
	for f in ${GUEST_PROGRAMS:-}; do
		copy_program "$tc" "$f" "$root"
	done
	if [ -n "${GUEST_KERNEL_PROGRAMS:-}" ]; then
		# shellcheck disable=SC2086
		chroot_install "${BUILD_CHROOT:-$tc}" ${GUEST_KERNEL_PROGRAMS_PACKAGES:-}
		for f in $GUEST_KERNEL_PROGRAMS; do
			copy_program_apart "${BUILD_CHROOT:-$tc}" "$f" "$root"
		done
	fi
	# A tree laid over the root, as `make install` or DKMS left it.
	[ -z "${GUEST_EXTRA_ROOT:-}" ] || cp -a "$GUEST_EXTRA_ROOT"/. "$root/"
	for f in "$MODULES_DIR"/modules.builtin "$MODULES_DIR"/modules.builtin.modinfo \
		"$MODULES_DIR"/modules.order; do
		[ ! -r "$f" ] || cp "$f" "$root/lib/modules/$kver/"
	done
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$root"
}

# KVM where it works, else TCG. Here /dev/kvm exists but QEMU aborts on it
# ("failed to set MSR") or hangs, so probe once per host boot: a working KVM
# boots the kernel to its "no root" panic and exits within seconds.
pick_accel() {
	local image=$1 probe
	if [ -n "${ACCEL:-}" ]; then
		echo "$ACCEL"
		return
	fi
	[ -w /dev/kvm ] || { echo tcg; return; }
	probe=$CACHE_DIR/accel-$(cat /proc/sys/kernel/random/boot_id)
	if [ ! -s "$probe" ]; then
		mkdir -p "$CACHE_DIR"
		if timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 \
			-nodefaults -display none -no-reboot -kernel "$image" \
			-append "panic=-1 init=/probe-only" </dev/null >/dev/null 2>&1; then
			echo kvm >"$probe"
		else
			echo tcg >"$probe"
		fi
	fi
	cat "$probe"
}

# run_vm IMAGE INITRD RUN TIMEOUT CONSOLE_LOG: boot, run the guest's
# /tests/RUN.sh, and stream what it prints (second serial port) to stdout.
# The console (first serial port) goes to CONSOLE_LOG. KERNEL_CMDLINE adds
# to the kernel command line, QEMU_EXTRA_ARGS to QEMU's (split on spaces:
# a gdbstub, a third serial port). The log buffer holds the whole run, so that
# the guest can check all of it. Returns QEMU's status; 124 means the guest
# did not finish within TIMEOUT seconds.
run_vm() {
	local image=$1 initrd=$2 run=$3 timeout=$4 console=$5 accel cpu=()
	# shellcheck disable=SC2206
	local extra=(${QEMU_EXTRA_ARGS:-})
	accel=$(pick_accel "$image")
	[ "$accel" != kvm ] || cpu=(-cpu host)
	timeout -k 5 "$timeout" qemu-system-x86_64 -accel "$accel" "${cpu[@]}" \
		-smp 2 -m 1024 -nodefaults -display none -no-reboot \
		-kernel "$image" -initrd "$initrd" \
		-append "console=ttyS0 loglevel=5 oops=panic panic=-1 log_buf_len=32M ktest.run=$run ${KERNEL_CMDLINE:-}" \
		-serial "file:$console" -serial file:/dev/stdout "${extra[@]}" </dev/null |
		tr -d '\r'
	return "${PIPESTATUS[0]}"
}
