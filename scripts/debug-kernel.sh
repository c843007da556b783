# The sanitizer kernel: Debian's linux-source, allnoconfig plus
# debug-kernel.config, built once and cached by source version and config.
# debug_kernel sets KVER, KERNEL_IMAGE, KDIR, MODULES_DIR and BUILD_CHROOT.
# shellcheck shell=bash

DEBUG_KERNEL_PACKAGES="linux-source bc bison flex libelf-dev libssl-dev
	dwarves python3 rsync xz-utils"

# Kernel command line: panic on any warning, print the whole log at a
# panic (the fault sweeps keep their traces off the console), and syzbot's
# emulator timeouts.
DEBUG_KERNEL_CMDLINE="panic_on_warn=1 panic_print=0x20 smp.csd_lock_timeout=300000
	watchdog_thresh=165 workqueue.watchdog_thresh=420"

debug_kernel() {
	local tarball version key dir src log pid
	# shellcheck disable=SC2086
	install_packages $DEBUG_KERNEL_PACKAGES
	read -r tarball version < <(linux_source_tarball)
	# The cache key: the config and how it is applied (allnoconfig, then
	# the fragment); bump the recipe number when the build steps change.
	key=$( (echo "recipe 1"; cat "$ROOT/scripts/debug-kernel.config") |
		sha256sum | cut -c1-12)
	dir=$CACHE_DIR/debug-kernel/$version-$key
	src=$CACHE_DIR/debug-kernel/src-$version
	log=$CACHE_DIR/debug-kernel/build-$version-$key.log

	if [ ! -e "$dir/.built" ]; then
		mkdir -p "$CACHE_DIR/debug-kernel"
		if [ ! -e "$src/.unpacked" ]; then
			note "unpacking $tarball"
			rm -rf "$src"
			mkdir -p "$src"
			tar -xJf "$tarball" -C "$src" --strip-components=1 ||
				die "cannot unpack $tarball"
			touch "$src/.unpacked"
		fi
		note "building the sanitizer kernel $version ($key) in $dir; log: $log"
		rm -rf "$dir"
		mkdir -p "$dir"
		{
			make -C "$src" O="$dir" allnoconfig &&
				"$src/scripts/kconfig/merge_config.sh" -m -O "$dir" \
					"$dir/.config" "$ROOT/scripts/debug-kernel.config" &&
				make -C "$src" O="$dir" olddefconfig
		} >"$log" 2>&1 || { tail -n 20 "$log"; die "configuring the kernel failed"; }
		debug_config_problems "$dir/.config" >"$dir/config-problems"
		if [ -s "$dir/config-problems" ]; then
			cat "$dir/config-problems"
			die "the kernel config lacks options of debug-kernel.config"
		fi
		make -C "$src" O="$dir" -j"$(nproc)" >>"$log" 2>&1 &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			sleep 60
			note "still building: $(grep -c '^  CC ' "$log") files compiled"
		done
		wait "$pid" || { tail -n 20 "$log"; die "building the kernel failed"; }
		touch "$dir/.built"
	fi
	KDIR=$dir
	KVER=$(cat "$dir/include/config/kernel.release")
	KERNEL_IMAGE=$dir/arch/x86/boot/bzImage
	MODULES_DIR=$dir
	BUILD_CHROOT=
}

# The options of debug-kernel.config that did not end up in CONFIG as asked.
debug_config_problems() {
	local line
	grep -E '^(CONFIG_|# CONFIG_)' "$ROOT/scripts/debug-kernel.config" |
		while read -r line; do
			grep -qxF "$line" "$1" || echo "wanted '$line', got '$(grep -E "${line#\# }\b|${line%%=*}[= ]" "$1" | head -n 1)'"
		done
}
