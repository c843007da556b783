# herd7, the simulator that runs the Linux-kernel memory model
# (tools/memory-model/ of the kernel source) over litmus tests: from PATH
# if there is one (opam install herdtools7), else built once from the
# herdtools7 source into the toolchain chroot of the cache. The source is
# HERDTOOLS_TARBALL, by default the workplace's shared/tools copy beside the
# clone.
# herd7_setup sets HERD7 (a command line, an array) and HERD7_ROOT, where
# herd7 sees the toolchain chroot: "" if it runs there, else the chroot's
# path.
# shellcheck shell=bash

HERDTOOLS_VERSION=7.57

herdtools_tarball() {
	local t
	for t in "${HERDTOOLS_TARBALL:-}" "$ROOT/../shared/tools/herdtools7-$HERDTOOLS_VERSION.tar.xz" \
		"/work/shared/tools/herdtools7-$HERDTOOLS_VERSION.tar.xz"; do
		[ -n "$t" ] && [ -r "$t" ] && { echo "$t"; return; }
	done
	die "no herd7 on PATH, and no herdtools7-$HERDTOOLS_VERSION.tar.xz to build it from: set HERDTOOLS_TARBALL, or opam install herdtools7"
}

# build_herd7 TC DIR: build herd7 from the tarball in DIR of the chroot TC.
build_herd7() (
	tc=$1 dir=$2 log=$CACHE_DIR/herd7-$HERDTOOLS_VERSION.log
	tarball=$(herdtools_tarball)
	# shellcheck disable=SC2086
	chroot_install "$tc" $HERD_PACKAGES
	note "building herd7 $HERDTOOLS_VERSION from $tarball (about 7 minutes on 2 cores); log: $log" >&2
	rm -rf "$tc$dir"
	mkdir -p "$tc$dir"
	tar -xJf "$tarball" -C "$tc$dir" --strip-components=1 || die "cannot unpack $tarball"
	in_chroot "$tc" sh -c "cd $dir && sh ./version-gen.sh $dir &&
		dune build -j $(nproc) --profile release herd/herd.exe" >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "building herd7 failed (log: $log)"; }
	touch "$tc$dir/.built"
)

# shellcheck disable=SC2034 # HERD7 and HERD7_ROOT are for litmus.sh
herd7_setup() {
	local tc dir
	tc=$(toolchain_chroot)
	if command -v herd7 >/dev/null; then
		HERD7=(herd7)
		HERD7_ROOT=$tc
		return
	fi
	dir=/lesson4/herdtools7-$HERDTOOLS_VERSION
	(
		cache_lock "herd7-$HERDTOOLS_VERSION"
		[ -e "$tc$dir/.built" ] || build_herd7 "$tc" "$dir"
	) || return
	# In the chroot, whose libraries it links against.
	HERD7=(in_chroot "$tc" "$dir/_build/default/herd/herd.exe" -set-libdir "$dir/herd/libdir")
	HERD7_ROOT=
}

