# The sanitizer kernel: Debian's linux-source, allnoconfig plus
# debug-kernel.config, built once in the toolchain chroot and cached there
# by source version and config. It also trusts a test signing key, made with
# it and kept with it (never committed), for the module signing test, and
# has the debug info and gdb scripts that `make gdb` uses.
# shellcheck shell=bash
# The scripts that source this use its variables:
# shellcheck disable=SC2034
# debug_kernel sets KVER, KERNEL_IMAGE, KDIR, MODULES_DIR and BUILD_CHROOT;
# DEBUG_SIGNING_KEY and DEBUG_SIGNING_CERT are the test key, in the chroot.

# Kernel command line: panic on any warning, print the whole log at a
# panic (the fault sweeps keep their traces off the console), and syzbot's
# emulator timeouts.
DEBUG_KERNEL_CMDLINE="panic_on_warn=1 panic_print=0x20 smp.csd_lock_timeout=300000
	watchdog_thresh=165 workqueue.watchdog_thresh=420"

# make_signing_key CHROOT KEY CERT: a key and its self-signed certificate,
# as `make sign` takes them, made in the chroot (paths there).
make_signing_key() {
	in_chroot "$1" openssl req -new -x509 -newkey rsa:2048 -sha256 -nodes \
		-days 36500 -batch -subj "/CN=lesson4-c test signing key/" \
		-addext "extendedKeyUsage=codeSigning" -outform PEM -keyout "$2" -out "$3"
}

# build_debug_kernel TC TARBALL SRC DIR LOG: unpack TARBALL into SRC and
# build the kernel in DIR (paths in the chroot TC), logging to LOG.
build_debug_kernel() {
	local tc=$1 tarball=$2 src=$3 dir=$4 log=$5 pid
	if [ ! -e "$tc$src/.unpacked" ]; then
		note "unpacking $tarball"
		rm -rf "$tc$src"
		mkdir -p "$tc$src"
		in_chroot "$tc" tar -xJf "$tarball" -C "$src" --strip-components=1 ||
			die "cannot unpack $tarball"
		touch "$tc$src/.unpacked"
	fi
	note "building the sanitizer kernel in $tc$dir (6 to 15 minutes); log: $log"
	rm -rf "$tc$dir"
	mkdir -p "$tc$dir"
	cp "$ROOT/scripts/lib/debug-kernel.config" "$tc/lesson4/"
	{
		make_signing_key "$tc" "$dir/test-signing.key" "$dir/test-signing.crt" &&
			in_chroot "$tc" make -C "$src" O="$dir" allnoconfig &&
			in_chroot "$tc" "$src/scripts/kconfig/merge_config.sh" -m -O "$dir" \
				"$dir/.config" "/lesson4/debug-kernel.config" &&
			in_chroot "$tc" make -C "$src" O="$dir" olddefconfig
	} >"$log" 2>&1 ||
		{ tail -n 20 "$log"; die "configuring the kernel failed"; }
	debug_config_problems "$tc$dir/.config" >"$tc$dir/config-problems"
	if [ -s "$tc$dir/config-problems" ]; then
		cat "$tc$dir/config-problems"
		die "the kernel config lacks options of debug-kernel.config"
	fi
	in_chroot "$tc" make -C "$src" O="$dir" -j"$(($(nproc) + 1))" >>"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 60
		note "still building: $(grep -c '^  CC ' "$log") files compiled"
	done
	wait "$pid" || { tail -n 20 "$log"; die "building the kernel failed"; }
	touch "$tc$dir/.built"
}

debug_kernel() {
	local tc tarball version key dir src log
	tc=$(toolchain_chroot)
	# shellcheck disable=SC2086
	chroot_install "$tc" $DEBUG_KERNEL_PACKAGES
	read -r tarball version < <(linux_source_tarball "$tc")
	# The cache key: the config and how it is applied (allnoconfig, then
	# the fragment); bump the recipe number when the build steps change.
	key=$( (echo "recipe 2"; cat "$ROOT/scripts/lib/debug-kernel.config") |
		sha256sum | cut -c1-12)
	dir=/lesson4/debug-kernel/$version-$key
	src=/lesson4/debug-kernel/src-$version
	log=$CACHE_DIR/debug-kernel-$version-$key.log

	# One build at a time: a run that finds it building waits for it.
	(
		cache_lock "debug-kernel-$version-$key"
		[ -e "$tc$dir/.built" ] || build_debug_kernel "$tc" "$tarball" "$src" "$dir" "$log"
	) || exit 1
	BUILD_CHROOT=$tc
	KDIR=$dir
	KVER=$(cat "$tc$dir/include/config/kernel.release")
	KERNEL_IMAGE=$tc$dir/arch/x86/boot/bzImage
	MODULES_DIR=$tc$dir
	DEBUG_SIGNING_KEY=$dir/test-signing.key
	DEBUG_SIGNING_CERT=$dir/test-signing.crt
}

# The options of debug-kernel.config that did not end up in CONFIG as asked.
debug_config_problems() {
	local line
	grep -E '^(CONFIG_|# CONFIG_)' "$ROOT/scripts/lib/debug-kernel.config" |
		while read -r line; do
			grep -qxF "$line" "$1" || echo "wanted '$line', got '$(grep -E "${line#\# }\b|${line%%=*}[= ]" "$1" | head -n 1)'"
		done
}

