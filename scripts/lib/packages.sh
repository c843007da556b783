# What the harness installs from Debian, and the cache's locks.
# shellcheck shell=bash
# The scripts that source this use its variables:
# shellcheck disable=SC2034

# What the host needs: QEMU, and debootstrap for the chroots that every
# compiler, header and kernel comes from (kernels.sh). It gets no kernel.
HOST_PACKAGES="qemu-system-x86 debootstrap cpio gzip"
# What each step installs from Debian in the toolchain chroot (kernels.sh);
# make fetch installs them all ahead.
# The guest's userspace.
GUEST_PACKAGES="busybox-static"
# The test programs: linux-source for the kselftest harness, gcc-multilib
# for the 32-bit build, liburing-dev for the io_uring test.
PROGS_PACKAGES="gcc libc6-dev gcc-multilib liburing-dev linux-source"
# make lint. Coccinelle runs two of the kernel's scripts in OCaml and some
# in Python, which it loads from libpython3.x.so (in the -dev package).
LINT_PACKAGES="sparse coccinelle ocaml-nox libpython3-dev clang-format gcc shellcheck"
# make prove.
PROVE_PACKAGES="frama-c-base why3 z3 cvc4"
# herd7's build, for make prove's litmus tests, where herd7 is not on PATH
# (herd7.sh).
HERD_PACKAGES="ocaml-nox dune menhir libmenhir-ocaml-dev libzarith-ocaml-dev ocaml-findlib"
# The sanitizer kernel's build, and the programs its guest runs.
DEBUG_KERNEL_PACKAGES="linux-source gcc bc bison flex libelf-dev libssl-dev
	openssl dwarves python3 rsync xz-utils"
STRESS_PACKAGES="stress-ng trinity"
GDB_PACKAGES="gdb"
# make check-install: the installed tree's guest, DKMS (also in each
# suite's chroot; openssl, a Recommends, lets it make its signing key) and
# the .deb.
MODPROBE_PACKAGES="kmod udev"
DKMS_PACKAGES="dkms openssl"
DEB_PACKAGES="build-essential dpkg-dev debhelper dh-dkms dkms lintian"
# make bench: fio in the guest, gnuplot for the chart.
BENCH_PACKAGES="fio gnuplot-nox"

# cache_lock NAME: hold the cache's lock NAME until the calling subshell
# exits, so that make fetch or make debug-kernel in the background and a
# check that needs the same part take turns (the second finds it done).
cache_lock() {
	mkdir -p "$CACHE_DIR/locks"
	exec 9>>"$CACHE_DIR/locks/$1"
	flock -n 9 && return
	echo "# waiting for $1, which another run is making" >&2
	flock -w 3600 9 || die "waited an hour for $CACHE_DIR/locks/$1"
}

# install_packages PKG...: apt-get install what is not installed yet.
install_packages() (
	missing=()
	cache_lock host-apt
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && exit
	[ "$(id -u)" = 0 ] || die "missing packages, install as root: apt-get install ${missing[*]}"
	note "installing ${missing[*]} (log: $CACHE_DIR/apt.log)"
	{
		apt-get update &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y \
				--no-install-recommends "${missing[@]}"
	} >>"$CACHE_DIR/apt.log" 2>&1 ||
		{ tail -n 20 "$CACHE_DIR/apt.log" >&2; die "apt-get install failed"; }
)

ensure_deps() {
	# shellcheck disable=SC2086
	install_packages $HOST_PACKAGES
}
