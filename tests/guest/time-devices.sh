#!/bin/sh
# The guest side of `make bench` (scripts/bench.sh): load echo with a 16 MiB
# capacity, run echo-bench, then fio's jobs on echo and on its baselines,
# and print one result a line:
#   bench ... / ratio ... / info ...   from echo-bench (tests/progs/echo-bench.c)
#   fio ENGINE RW BS TARGET bw_kib=N iops=N
#   fio ENGINE RW BS TARGET error: WHY
#   loop ... / profile CASE SIZE TARGET PERCENT SYMBOL   with ktest.profile=1
# ending with "bench done". ktest.short=1 on the kernel command line: a
# quick run that only shows that everything works. ktest.profile=1: each
# case of PROFILE_CASES and its baseline also run alone under perf (Debian's
# linux-perf of the kernel's suite), which samples the CPU clock: the
# symbols that take the most of its samples.

short='' profile=''
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
	ktest.short=1) short=1 ;;
	ktest.profile=1) profile=1 ;;
	esac
done

PROFILE_CASES="read:1:zero write:1:null read:64:zero write:64:null
	read:4096:tmpfs write:4096:tmpfs write:65536:tmpfs
	read:1048576:tmpfs write:1048576:tmpfs"

# profile_case WHAT SIZE TARGET: echo-bench --loop under perf record, and
# perf report's top symbols, those of at least 1% of the samples.
profile_case() {
	ms=1500
	[ -z "$short" ] || ms=200
	perf record -q -e cpu-clock -F 2000 -o /tmp/perf.data -- \
		echo-bench --loop "$1" "$3" "$2" $ms /dev/echo 2>/tmp/perf.err ||
		{ echo "error: perf record $*: $(head -n 3 /tmp/perf.err | tr '\n' ' ')"; return; }
	perf report -i /tmp/perf.data --stdio --no-children --sort sym -q \
		--percent-limit 1 2>/dev/null | head -n 15 |
		awk -v c="$1 $2 $3" '$1 ~ /%$/ { sub(/%$/, "", $1); $2 = ""; print "profile " c " " $0 }' |
		tr -s ' '
	rm -f /tmp/perf.data
}

echo "info guest kernel=$(uname -r) cpus=$(nproc) short=${short:-0}"
insmod /root/echo.ko capacity=16777216 mode=0666 ||
	{ echo "error: insmod echo.ko failed"; exit 1; }

echo-bench ${short:+--short} /dev/echo || echo "error: echo-bench failed (status $?)"

if [ -n "$profile" ]; then
	for c in $PROFILE_CASES; do
		what=${c%%:*} base=${c##*:} size=${c#*:}
		profile_case "$what" "${size%:*}" echo
		profile_case "$what" "${size%:*}" "$base"
	done
fi

# fio: sequential 4 KiB and 64 KiB reads and writes, by read(2)/write(2)
# (psync) and by io_uring, on echo, on /dev/zero or /dev/null, and on a
# tmpfs file. One fio per engine runs its jobs one after another
# (stonewall), each against its baselines right after it. Its repetitions
# are separate runs.
fio_reps=3 fio_runtime=1
[ -z "$short" ] || { fio_reps=1 fio_runtime=200ms; }
# Reads need the data there: a full device, a full file.
dd if=/dev/zero of=/dev/echo bs=1M count=16 2>/dev/null
dd if=/dev/zero of=/tmp/fio.data bs=1M count=16 2>/dev/null

fio_jobs() {
	printf '[global]\nioengine=%s\niodepth=1\nsize=16m\ntime_based\n' "$1"
	printf 'runtime=%s\ninvalidate=0\nthread\nstonewall\n' "$fio_runtime"
	for bs in 4k 64k; do
		for rw in read write; do
			base=zero
			[ $rw = read ] || base=null
			for target in echo $base tmpfs; do
				case $target in
				echo) file=/dev/echo ;;
				tmpfs) file=/tmp/fio.data ;;
				*) file=/dev/$target ;;
				esac
				printf '[%s:%s:%s:%s]\nrw=%s\nbs=%s\nfilename=%s\n' \
					"$1" $rw $bs "$target" $rw $bs "$file"
			done
		done
	done
}

# Terse version 3: field 3 the job, 5 its error, 7 and 8 the read
# bandwidth (KiB/s) and IOPS, 48 and 49 the write's. A failed job's terse
# line follows fio's own "fio: pid=N, err=N/file:..., func=F, error=WHY".
fio_parse() {
	awk -F';' -v why="$1" '
		/^fio: .*error=/ {
			failure = $0
			sub(/^.*func=/, "", failure)
			sub(/, error=/, ": ", failure)
			next
		}
		$1 != 3 { next }
		{
			split($3, job, ":")
			seen[$3] = 1
			prefix = "fio " job[1] " " job[2] " " job[3] " " job[4]
			if ($5 != 0)
				print prefix " error: " (failure != "" ? failure : "error " $5 " " why)
			else if (job[2] == "read") print prefix " bw_kib=" $7 " iops=" $8
			else print prefix " bw_kib=" $48 " iops=" $49
			failure = ""
		}
		END { for (j in seen) n++; print n + 0 > "/tmp/fio.seen" }'
}

start=$(date +%s)
rep=1
while [ $rep -le $fio_reps ]; do
	for engine in psync io_uring; do
		fio_jobs $engine >/tmp/fio.job
		fio --output-format=terse --terse-version=3 /tmp/fio.job \
			>/tmp/fio.out 2>/tmp/fio.err
		status=$?
		why=$(grep -v '^ *$' /tmp/fio.err | head -n 3 | tr '\n' ' ')
		fio_parse "$why" </tmp/fio.out
		# A job that reported nothing (fio failed before it) still
		# gets its line, so that the host sees what happened.
		if [ "$(cat /tmp/fio.seen)" != 12 ]; then
			grep '^\[.*:' /tmp/fio.job | tr -d '[]' | tr ':' ' ' |
				while read -r e rw bs target; do
					grep -q "^3;[^;]*;$e:$rw:$bs:$target;" /tmp/fio.out ||
						echo "fio $e $rw $bs $target error: no result, fio status $status: $why"
				done
		fi
	done
	rep=$((rep + 1))
done
rm -f /tmp/fio.data /tmp/fio.job /tmp/fio.out /tmp/fio.err /tmp/fio.seen
echo "info fio reps=$fio_reps runtime=$fio_runtime seconds=$(($(date +%s) - start))"

rmmod echo || echo "error: rmmod echo failed"
echo "bench done"
