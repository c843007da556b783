#!/usr/bin/env bash
# make bench: for each kernel, build the modules and echo-bench, boot the
# kernel under QEMU with fio in the guest, run tests/guest/time-devices.sh, and
# write what echo costs against its baselines, measured in the same boot,
# to docs/bench/bench.md (tables, and the goals met or not), docs/bench/bench.png
# (a chart) and docs/bench/bench.raw (the guests' output, to rebuild them).
#   KERNEL="6.1 7.2"   the kernels to run (default: all known)
#   BENCH_SHORT=1      a quick run that only shows that the bench works (CI):
#                      its report goes to the build directory, not docs/bench/
#   BENCH_OUTPUT=DIR   where the report goes instead
#   BENCH_NAME=bench   the report's file names, NAME.md, NAME.png, NAME.raw
#   BENCH_REPORT=RAW   no run: rebuild the report from an earlier NAME.raw
#   PROFILE=1          also run each profiled case alone under perf, and
#                      write the top symbols to NAME-profile.md
#   GUEST_TIMEOUT=1200 seconds before a guest counts as hung (short: 300)
#   ACCEL=kvm|tcg      skip the KVM probe
# Ends with "N passed, N failed", a kernel failing if it could not be built
# or booted, its guest timed out, failed or left out a result line, or the
# kernel reported a problem; exits non-zero if any failed. io_uring that
# fails is reported, not counted as a failure. Goals that echo misses are
# the report's business, not failures.
source "$(dirname "$0")/lib/init.sh"

case ${BENCH_SHORT:-0} in 0 | "") short=0 ;; *) short=1 ;; esac
if [ "$short" = 1 ]; then
	output=${BENCH_OUTPUT:-$BUILD_ROOT/bench}
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-300}
else
	output=${BENCH_OUTPUT:-$ROOT/docs/bench}
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-1200}
fi
name=${BENCH_NAME:-bench}
case ${PROFILE:-0} in 0 | "") profile= ;; *) profile=1 ;; esac
SIZES="1 64 4096 65536 1048576"

# The lines that a complete guest run prints, by their leading words.
expected_lines() {
	local s e rw bs t
	for s in $SIZES; do
		printf 'ratio %s\n' "read_${s}_vs_zero" "read_${s}_vs_tmpfs" \
			"write_${s}_vs_null" "write_${s}_vs_tmpfs" "roundtrip_${s}_vs_pipe"
	done
	printf 'ratio %s\n' speedup_echo speedup_zero speedup_echo_vs_zero \
		read_while_writing_echo read_while_writing_tmpfs \
		read_while_writing_echo_vs_tmpfs read_end_vs_start \
		write_end_vs_start memory_full memory_sparse
	for e in psync io_uring; do
		for bs in 4k 64k; do
			for rw in read write; do
				for t in echo "$([ $rw = read ] && echo zero || echo null)" tmpfs; do
					echo "fio $e $rw $bs $t"
				done
			done
		done
	done
	echo "bench done"
}

# check_output FILE: print what is wrong with a guest's output, if anything.
check_output() {
	local want
	expected_lines | while read -r want; do
		# The 1 MiB pipe case is skipped where the pipe cannot grow.
		[ "$want" != "ratio roundtrip_1048576_vs_pipe" ] ||
			! grep -q '^info roundtrip_1048576_pipe skipped' "$1" || continue
		grep -qE "^$want( |\$)" "$1" || echo "missing: $want"
	done
	grep -E '^error:|^fio psync .* error:' "$1" || true
	[ -z "$profile" ] || [ "$(grep -c '^loop ' "$1")" = 18 ] ||
		echo "missing: the 18 profiled loops"
}

# bench_kernel NAME: build for the kernel, boot it, run the bench; append
# its section to $raw. Fails if anything went wrong.
bench_kernel() {
	local kname=$1 resolved out rc attempt start problems accel boot
	start=$SECONDS
	resolved=$BUILD_ROOT/bench/resolved-$kname
	resolved_kernel "$kname" >"$resolved" ||
		{ echo "kernel $kname - status=no-kernel" >>"$raw"; return 1; }
	# shellcheck source=/dev/null
	source "$resolved"
	out=$BUILD_ROOT/$KVER-bench
	mkdir -p "$out"
	# The last build is reused while none of its sources changed since.
	if [ -e "$out/.built" ] && [ -z "$(find "$ROOT/modules" "$ROOT/include" \
		"$ROOT/tests/kmods" "$ROOT/tests/progs" "$ROOT/scripts/lib/kbuild.sh" \
		-newer "$out/.built" -print -quit)" ]; then
		note "$kname: reusing the build for $KVER in $out"
	else
		rm -f "$out/.built"
		note "$kname: building for $KVER (log: $out/build.log)"
		if ! build_for_kernel "$out" >"$out/build.log" 2>&1; then
			tail -n 10 "$out/build.log" | sed 's/^/# /'
			echo "kernel $kname $KVER status=build-failed" >>"$raw"
			return 1
		fi
		touch "$out/.built"
	fi
	GUEST_PROGRAMS=/usr/bin/fio GUEST_PROGRAMS_PACKAGES=fio \
		GUEST_KERNEL_PROGRAMS=${profile:+/usr/bin/perf} \
		GUEST_KERNEL_PROGRAMS_PACKAGES=${profile:+linux-perf} \
		make_initramfs "$out/initramfs.gz" "$KVER" "$out"
	accel=$(pick_accel "$KERNEL_IMAGE")
	boot=$SECONDS
	for attempt in 1 2; do
		note "$kname: running the bench under QEMU ($accel), up to ${GUEST_TIMEOUT}s (console: $out/console.log)"
		rc=0
		KERNEL_CMDLINE="${KERNEL_CMDLINE:-} ktest.short=$short ktest.profile=${profile:-0}" run_vm \
			"$KERNEL_IMAGE" "$out/initramfs.gz" time-devices "$GUEST_TIMEOUT" \
			"$out/console.log" >"$out/bench.out" || rc=$?
		# Under TCG, a kernel can crash at boot, in no code of ours
		# (see lib/suite.sh): boot once more if the guest never ran.
		grep -q '^info guest ' "$out/bench.out" || [ "$rc" = 124 ] ||
			[ "$attempt" = 2 ] || { note "$kname: the kernel crashed at boot; booting again"; continue; }
		break
	done
	problems=$(
		[ "$rc" = 0 ] || echo "QEMU status $rc$([ "$rc" != 124 ] || echo ", timed out after ${GUEST_TIMEOUT}s")"
		check_output "$out/bench.out"
		awk -f "$ROOT/tests/guest/log-problems.awk" "$out/console.log" | head -n 5
	)
	{
		echo "kernel $kname $KVER status=$([ -z "$problems" ] && echo ok || echo failed) accel=$accel seconds=$((SECONDS - start)) vm_seconds=$((SECONDS - boot)) date=$(date -u +%Y-%m-%dT%H:%MZ)"
		[ -z "$problems" ] || echo "$problems" | head -n 20 | sed 's/^/problem: /'
		grep -E '^(info|bench|ratio|fio|error|loop|profile)' "$out/bench.out" || true
	} >>"$raw"
	grep '^fio io_uring .* error:' "$out/bench.out" | head -n 1 | sed "s/^/# $kname: /" || true
	note "$kname: $((SECONDS - start))s (output: $out/bench.out)"
	[ -z "$problems" ] && return
	echo "$problems" | head -n 20 | sed "s/^/# $kname: /"
	return 1
}

# plot DATA PNG: echo's time per call over its baselines', per kernel, and
# the goals (the data's last column).
# gnuplot runs in the toolchain chroot, with the data and picture in its /tmp.
plot() {
	local goal tc dir
	goal=$(head -n 1 "$1" | wc -w)
	tc=$(toolchain_chroot)
	# shellcheck disable=SC2086
	chroot_install "$tc" $BENCH_PACKAGES
	dir=$(mktemp -d "$tc/tmp/plot.XXXXXX")
	cp "$1" "$dir/data"
	chroot "$tc" gnuplot <<EOF
set terminal pngcairo size 1280,640 font "sans,10"
set output "${dir#"$tc"}/png"
set title "echo's time per call ÷ the baseline's, in the same boot (lower is better; 1: as fast as the baseline)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y 2
set ylabel "echo ÷ baseline (log scale)"
set grid ytics
set key top left autotitle columnheader
set xtics rotate by 35 right scale 0
set bmargin 10
set datafile missing "-"
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 dt 2 lc rgb "black"
plot for [i=2:$goal - 1] "${dir#"$tc"}/data" using i:xtic(1), \\
	"${dir#"$tc"}/data" using 0:$goal with points pt 11 ps 2 lc rgb "black" title "goal: at most"
EOF
	mv "$dir/png" "$2"
	rm -rf "$dir"
}

# report RAW: write NAME.md and NAME.png in $output from a raw output.
report() {
	local raw=$1 data
	mkdir -p "$output"
	data=$(mktemp)
	awk -v png="$name.png" -v data="$data" -f "$ROOT/scripts/tools/bench-report.awk" \
		"$raw" >"$output/$name.md"
	plot "$data" "$output/$name.png"
	rm -f "$data"
	if grep -q '^profile ' "$raw"; then
		awk -f "$ROOT/scripts/tools/profile-report.awk" "$raw" >"$output/$name-profile.md"
		note "profiles: $output/$name-profile.md"
	fi
	[ "$raw" -ef "$output/$name.raw" ] || cp "$raw" "$output/$name.raw"
	note "report: $output/$name.md, $output/$name.png, $output/$name.raw"
}

if [ -n "${BENCH_REPORT:-}" ]; then
	report "$BENCH_REPORT"
	exit
fi
ensure_deps
tc=$(toolchain_chroot)
# shellcheck disable=SC2086
chroot_install "$tc" $BENCH_PACKAGES
read -r -a kernels <<<"${KERNEL:-$(default_kernels)}"
mkdir -p "$BUILD_ROOT/bench"
raw=$BUILD_ROOT/bench/$name.raw
# The driver measured: its commit, and whether modules/ differed from it.
driver=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$ROOT" status --porcelain -- modules include 2>/dev/null)" ] ||
	driver=$driver+uncommitted
{
	echo "host date=$(date -u +%Y-%m-%d) driver=$driver short=$short cpus=$(nproc) qemu=$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }') fio=$(chroot "$tc" fio --version)"
	echo "host_cpu $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
} >"$raw"
start=$SECONDS
echo "1..${#kernels[@]}"
for i in "${!kernels[@]}"; do
	# A kernel passes when its bench ran and printed every result, not
	# when echo meets its goals: that is the report's to say.
	if bench_kernel "${kernels[$i]}"; then
		echo "ok $((i + 1)) ${kernels[$i]}"
		passed=$((passed + 1))
	else
		echo "not ok $((i + 1)) ${kernels[$i]}"
		failed=$((failed + 1))
	fi
done
note "$((SECONDS - start))s for ${kernels[*]}"
report "$raw"
# The goals, as the report has them.
sed -n '/^## Goals/,/^## [^G]/p' "$output/$name.md" | grep '^|' | sed 's/^/# /' || true
summary
