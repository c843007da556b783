# Building the modules, the test modules and the guest's programs.
# shellcheck shell=bash

# installed_modules: the modules that install, in order: modules/Kbuild's
# obj-m lines, the one list of them (the guest gets it as /tests/modules).
installed_modules() {
	sed -n 's/^obj-m += \([a-z_]*\)\.o$/\1/p' "$ROOT/modules/Kbuild"
}

# chroot_work_dir NAME KEY: a directory under a chroot's /build for NAME,
# one per KEY (an output path), so that runs side by side keep apart.
chroot_work_dir() {
	echo "/build/$1-$(printf '%s' "$2" | md5sum | cut -c 1-8)"
}

# tree_copy DIR: the project's files (tracked, or new and not ignored; all
# but build/ outside git).
tree_copy() {
	local f
	rm -rf "$1"
	mkdir -p "$1"
	(cd "$ROOT" && { git ls-files -co --exclude-standard 2>/dev/null ||
		find . -path ./build -prune -o -type f -print | sed 's|^\./||'; }) |
		while read -r f; do
			[ -e "$ROOT/$f" ] || continue
			mkdir -p "$1/$(dirname "$f")"
			cp -p "$ROOT/$f" "$1/$f"
		done
}

# kbuild OUT DIR [MODULE.ko...]: build the Kbuild directory DIR (modules,
# tests/kmods) of the tree, or just the named modules of it, for the
# resolved kernel, with W=1, and put the .ko files in OUT/modules.
# Out-of-tree Kbuild writes next to the sources, so each kernel gets a copy
# of them. A kernel of another Debian suite builds in that suite's chroot,
# with its compiler.
kbuild() {
	local out=$1 dir=$2 build=$1/build targets=("${@:3}") inside
	if [ -n "$BUILD_CHROOT" ]; then
		# In a copy that the chroot can see, one per OUT so that runs
		# side by side (make check, make bench) keep apart; the modules
		# come back out.
		inside=$(chroot_work_dir "$KVER" "$out")
		build=$BUILD_CHROOT$inside
	fi
	rm -rf "$build"
	mkdir -p "$build/tests" "$out/modules"
	cp -r "$ROOT/modules" "$ROOT/include" "$build/"
	cp -r "$ROOT/tests/kmods" "$build/tests/"
	if [ -n "$BUILD_CHROOT" ]; then
		in_chroot "$BUILD_CHROOT" make -C "$KDIR" M="$inside/$dir" W=1 \
			"${targets[@]:-modules}"
	else
		make -C "$KDIR" M="$build/$dir" W=1 "${targets[@]:-modules}"
	fi || return
	cp "$build/$dir"/*.ko "$out/modules/"
}

# build_progs OUT: the guest's test programs, static, into OUT/progs,
# built in the toolchain chroot.
build_progs() {
	local out=$1 tc ksrc dir prog cflags
	tc=$(toolchain_chroot)
	# shellcheck disable=SC2086
	chroot_install "$tc" $PROGS_PACKAGES
	ksrc=$(kernel_source)
	dir=$(chroot_work_dir progs "$out")
	rm -rf "$tc$dir" "$out/progs"
	mkdir -p "$tc$dir/bin" "$out/progs"
	cp -r "$ROOT/tests/progs" "$ROOT/include" "$tc$dir/"
	# The kselftest harness needs the two -Wno-.
	cflags=(-static -O2 -Wall -Wextra -Werror -Wno-sign-compare -Wno-unused-parameter
		-pthread -I"$dir/include/uapi" -I"$ksrc/tools/testing/selftests")
	for prog in "$ROOT"/tests/progs/*.c; do
		prog=$(basename "$prog" .c)
		in_chroot "$tc" gcc "${cflags[@]}" -o "$dir/bin/$prog" \
			"$dir/progs/$prog.c" -luring || return
	done
	# The ioctl tests again as a 32-bit program, for compat_ioctl.
	in_chroot "$tc" gcc -m32 "${cflags[@]}" -o "$dir/bin/echo-test-32" \
		"$dir/progs/echo-test.c" || return
	cp "$tc$dir"/bin/* "$out/progs/"
}

# Build the modules, the test-only modules and the guest's test programs
# for the resolved kernel (kernels.sh) into $1.
build_for_kernel() {
	local out=$1
	rm -rf "$out/modules"
	kbuild "$out" modules || return
	kbuild "$out" tests/kmods || return
	build_progs "$out"
}

# A compiler's or Kbuild's complaint, as counted by the W=1 gate.
build_problems() {
	grep -E 'warning:|error:|Error [0-9]' "$1" || true
}
