# The report of `make bench` (scripts/bench.sh): reads its raw output (the
# "host" lines, then per kernel a "kernel" line and its guest's lines, see
# tests/guest/time-devices.sh) and prints Markdown. Writes the chart's data, one
# row per ratio and one column per kernel, to the file `data`; the
# Markdown shows the chart from the file `png`.

function kv(line, key,    m) {
	if (!match(line, "(^| )" key "=[^ ]*"))
		return ""
	m = substr(line, RSTART, RLENGTH)
	sub(/^ /, "", m)
	return substr(m, length(key) + 2)
}

function sort_n(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}

function median(a, n) {
	sort_n(a, n)
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

function size_name(s) {
	if (s >= 1048576) return s / 1048576 " MiB"
	if (s >= 1024) return s / 1024 " KiB"
	return s " B"
}

function ns_name(ns) {
	if (ns == "") return "–"
	ns += 0
	if (ns >= 1e6) return sprintf("%.2f ms", ns / 1e6)
	if (ns >= 1e4) return sprintf("%.0f µs", ns / 1e3)
	if (ns >= 1e3) return sprintf("%.1f µs", ns / 1e3)
	return sprintf("%.0f ns", ns)
}

function num(x) {
	x += 0
	if (x >= 100) return sprintf("%.0f", x)
	if (x >= 10) return sprintf("%.1f", x)
	if (x >= 0.1) return sprintf("%.2f", x)
	return sprintf("%.3f", x)
}

# A ratio with its range over the repetitions.
function cell(k, name) {
	if (!((k, name) in R)) return "–"
	if (Rlo[k, name] == Rhi[k, name]) return num(R[k, name])
	return num(R[k, name]) " (" num(Rlo[k, name]) "–" num(Rhi[k, name]) ")"
}

function bench_ns(k, c, size, target) {
	return (k, c " " size " " target) in NS ? NS[k, c " " size " " target] : ""
}

# The fio ratio of one job: the baseline's bandwidth over echo's, which is
# echo's time per call over the baseline's, repetition by repetition.
function fio_cell(k, e, rw, bs, base,    a, b, n, i, r, lo, hi, m) {
	a = e SUBSEP rw SUBSEP bs SUBSEP "echo"
	b = e SUBSEP rw SUBSEP bs SUBSEP base
	if ((k, a) in FERR) return "echo failed"
	if ((k, b) in FERR) return "baseline failed"
	n = FN[k, a] < FN[k, b] ? FN[k, a] : FN[k, b]
	if (!n) return "–"
	for (i = 1; i <= n; i++) {
		r[i] = FBW[k, b, i] / FBW[k, a, i]
		if (i == 1 || r[i] < lo) lo = r[i]
		if (i == 1 || r[i] > hi) hi = r[i]
	}
	m = median(r, n)
	return n == 1 ? num(m) : num(m) " (" num(lo) "–" num(hi) ")"
}

function fio_bw(k, e, rw, bs, t,    key, i, v, n) {
	key = e SUBSEP rw SUBSEP bs SUBSEP t
	if ((k, key) in FERR) return "failed"
	n = FN[k, key]
	if (!n) return "–"
	for (i = 1; i <= n; i++) v[i] = FBW[k, key, i]
	return num(median(v, n) / 1024)
}

BEGIN {
	nk = 0
	split("1 64 4096 65536 1048576", SIZES, " ")
	# The issue's goals: text, direction, threshold, the ratios they cover.
	ng = split("read at 1 B and 64 B ≤ 1.2× /dev/zero|le|1.2|read_1_vs_zero read_64_vs_zero;" \
		"read at 4 KiB to 1 MiB ≤ 0.8× tmpfs pread|le|0.8|read_4096_vs_tmpfs read_65536_vs_tmpfs read_1048576_vs_tmpfs;" \
		"write at 1 B and 64 B ≤ 1.5× /dev/null|le|1.5|write_1_vs_null write_64_vs_null;" \
		"write at 4 KiB to 1 MiB ≤ 0.8× tmpfs pwrite|le|0.8|write_4096_vs_tmpfs write_65536_vs_tmpfs write_1048576_vs_tmpfs;" \
		"2 readers' speedup ≥ 0.95× /dev/zero's|ge|0.95|speedup_echo_vs_zero;" \
		"4 KiB op near the end of a full 16 MiB device ≤ 1.05× at offset 0|le|1.05|read_end_vs_start write_end_vs_start;" \
		"memory ≤ bytes stored rounded up to pages + 1%|le|1.01|memory_full memory_sparse", GOALS, ";")
	# The chart: the ratios where lower is better, their labels, and
	# their goals ("-": none).
	nc = split("read_1_vs_zero:read 1 B ÷ zero:1.2;read_64_vs_zero:read 64 B ÷ zero:1.2;" \
		"read_4096_vs_tmpfs:read 4 KiB ÷ tmpfs:0.8;read_65536_vs_tmpfs:read 64 KiB ÷ tmpfs:0.8;" \
		"read_1048576_vs_tmpfs:read 1 MiB ÷ tmpfs:0.8;write_1_vs_null:write 1 B ÷ null:1.5;" \
		"write_64_vs_null:write 64 B ÷ null:1.5;write_4096_vs_tmpfs:write 4 KiB ÷ tmpfs:0.8;" \
		"write_65536_vs_tmpfs:write 64 KiB ÷ tmpfs:0.8;write_1048576_vs_tmpfs:write 1 MiB ÷ tmpfs:0.8;" \
		"roundtrip_64_vs_pipe:write+read 64 B ÷ pipe:-;roundtrip_65536_vs_pipe:write+read 64 KiB ÷ pipe:-;" \
		"read_while_writing_echo_vs_tmpfs:slowdown by a writer ÷ tmpfs's:-;" \
		"read_end_vs_start:read at end ÷ at 0:1.05;write_end_vs_start:write at end ÷ at 0:1.05;" \
		"memory_full:memory ÷ stored (16 MiB):1.01", CHART, ";")
}

$1 == "host" { host = $0; next }
$1 == "host_cpu" { sub(/^host_cpu /, ""); host_cpu = $0; next }
$1 == "kernel" {
	k = ++nk
	kname[k] = $2
	kver[k] = $3
	kstatus[k] = kv($0, "status")
	kseconds[k] = kv($0, "seconds")
	kvm[k] = kv($0, "vm_seconds")
	kdate[k] = kv($0, "date")
	kaccel[k] = kv($0, "accel")
	next
}
!k { next }
$1 == "ratio" {
	R[k, $2] = $3
	Rlo[k, $2] = kv($0, "min")
	Rhi[k, $2] = kv($0, "max")
	next
}
$1 == "bench" && $2 != "done" {
	NS[k, $2 " " $3 " " $4] = kv($0, "median_ns")
	next
}
$1 == "fio" {
	key = $2 SUBSEP $3 SUBSEP $4 SUBSEP $5
	if ($6 == "error:") {
		msg = $0
		sub(/^.* error: */, "", msg)
		gsub(/\|/, "/", msg)
		FERR[k, key] = msg
		if (!((k, msg) in FMSG)) FMSGS[k] = FMSGS[k] SUBSEP msg
		FMSG[k, msg]++
	} else
		FBW[k, key, ++FN[k, key]] = kv($0, "bw_kib")
	next
}
$1 == "info" && $2 == "echo-bench" && kv($0, "reps") != "" {
	kreps[k] = kv($0, "reps")
	ktarget[k] = kv($0, "target_ms")
	kspan[k] = kv($0, "span_ms")
	ktreps[k] = kv($0, "thread_reps")
	next
}
$1 == "info" && $2 ~ /^memory_/ {
	MEM[k, $2] = kv($0, "memory") " B in use for " kv($0, "length") " B stored (" kv($0, "pages_written") " pages written)"
	next
}
$1 == "problem:" {
	sub(/^problem: /, "")
	kproblems[k] = kproblems[k] "\n- " $0
}

END {
	print "# echo benchmark"
	print ""
	print "Generated by `make bench` (scripts/bench.sh; the guest side is tests/guest/time-devices.sh"
	print "and tests/progs/echo-bench.c). Each kernel boots under QEMU with 2 vCPUs, loads"
	print "echo with `capacity=16777216`, and measures echo and its baselines in the same"
	print "boot, the repetitions of a case and of its baseline interleaved, so that the"
	print "host's noise (TCG, other VMs) hits both."
	print ""
	print "**Every number is a ratio: echo's time per call ÷ the baseline's, so lower is"
	print "better and 1 means as fast as the baseline** (for fio: the baseline's bandwidth ÷"
	print "echo's, the same thing). The exceptions are the speedups of two readers, where"
	print "higher is better. A ratio is the median over the repetitions of the ratio within"
	print "each repetition, with its range (min–max) in brackets."
	print ""
	printf "Driver: %s. Host: %s, %s CPUs, QEMU %s, %s. Run %s.%s\n", kv(host, "driver") == "" ? "unknown" : "commit " kv(host, "driver"), host_cpu, kv(host, "cpus"), kv(host, "qemu"), kv(host, "fio"), kv(host, "date"), kv(host, "short") == 1 ? " **Short run (BENCH_SHORT=1): too few repetitions to measure anything; it only shows that the bench works.**" : ""
	print ""
	print "| kernel | release | date | accel | repetitions: per call, threads | status | time (in the VM) |"
	print "|---|---|---|---|---|---|---|"
	for (k = 1; k <= nk; k++)
		printf "| %s | %s | %s | %s | %s × %s ms, %s × %s ms | %s | %s s (%s s) |\n", kname[k], kver[k], kdate[k], kaccel[k], kreps[k], ktarget[k], ktreps[k], kspan[k], kstatus[k], kseconds[k], kvm[k]
	print ""

	print "## Goals"
	print ""
	printf "| goal |"
	for (k = 1; k <= nk; k++) printf " %s |", kname[k]
	printf "\n|---|"
	for (k = 1; k <= nk; k++) printf "---|"
	print ""
	for (g = 1; g <= ng; g++) {
		split(GOALS[g], f, "|")
		printf "| %s |", f[1]
		nr = split(f[4], names, " ")
		for (k = 1; k <= nk; k++) {
			worst = ""
			for (i = 1; i <= nr; i++) {
				if (!((k, names[i]) in R)) { worst = "n/a"; break }
				v = R[k, names[i]] + 0
				if (worst == "" || (f[2] == "le" ? v > worst : v < worst)) worst = v
			}
			# The speedups need a second host CPU (see below).
			busy = f[4] ~ /speedup/ && (k, "speedup_zero") in R && R[k, "speedup_zero"] < 1.3
			if (worst == "n/a") printf " n/a |"
			else if (f[2] == "le" ? worst <= f[3] : worst >= f[3]) printf " met (%s)%s |", num(worst), busy ? " ‡" : ""
			else printf " **not met** (%s)%s |", num(worst), busy ? " ‡" : ""
		}
		print ""
	}
	print ""
	print "In brackets: the worst of the ratios that the goal covers (medians). ‡: a second"
	print "reader barely sped /dev/zero up (under 1.3×), so the host had no CPU to spare and"
	print "the speedups say little."
	print ""
	print "![echo ÷ baseline per case and kernel](" png ")"
	print ""

	for (k = 1; k <= nk; k++) {
		printf "## %s (%s)\n\n", kname[k], kver[k]
		if (kstatus[k] != "ok")
			printf "**The run failed (%s)**; what it measured, if anything, is below.\n%s\n\n", kstatus[k], kproblems[k]
		print "### Per call: echo ÷ baseline"
		print ""
		print "pread/pwrite at offset 0, the data already there, so every read returns its"
		print "full count. write+read: a pwrite and a pread of the same bytes, against a write"
		print "and a read on a pipe."
		print ""
		print "| size | read ÷ /dev/zero | read ÷ tmpfs | write ÷ /dev/null | write ÷ tmpfs | write+read ÷ pipe |"
		print "|---:|---|---|---|---|---|"
		for (i = 1; i <= 5; i++) {
			s = SIZES[i]
			printf "| %s | %s | %s | %s | %s | %s |\n", size_name(s), cell(k, "read_" s "_vs_zero"), cell(k, "read_" s "_vs_tmpfs"), cell(k, "write_" s "_vs_null"), cell(k, "write_" s "_vs_tmpfs"), cell(k, "roundtrip_" s "_vs_pipe")
		}
		print ""
		print "Time per call (medians; under TCG, so only their ratios mean anything):"
		print ""
		print "| size | echo read | /dev/zero | tmpfs read | echo write | /dev/null | tmpfs write | echo write+read | pipe |"
		print "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= 5; i++) {
			s = SIZES[i]
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", size_name(s), ns_name(bench_ns(k, "read", s, "echo")), ns_name(bench_ns(k, "read", s, "zero")), ns_name(bench_ns(k, "read", s, "tmpfs")), ns_name(bench_ns(k, "write", s, "echo")), ns_name(bench_ns(k, "write", s, "null")), ns_name(bench_ns(k, "write", s, "tmpfs")), ns_name(bench_ns(k, "roundtrip", s, "echo")), ns_name(bench_ns(k, "roundtrip", s, "pipe"))
		}
		print ""
		print "### Concurrency, position, memory"
		print ""
		print "| measure | ratio | detail |"
		print "|---|---|---|"
		printf "| 2 readers' speedup over 1, echo (higher is better) | %s | 4 KiB preads, own descriptor each: %s per call alone, %s with two |\n", cell(k, "speedup_echo"), ns_name(bench_ns(k, "parallel1", 4096, "echo")), ns_name(bench_ns(k, "parallel2", 4096, "echo"))
		printf "| 2 readers' speedup over 1, /dev/zero (higher is better) | %s | %s alone, %s with two |\n", cell(k, "speedup_zero"), ns_name(bench_ns(k, "parallel1", 4096, "zero")), ns_name(bench_ns(k, "parallel2", 4096, "zero"))
		printf "| echo's speedup ÷ /dev/zero's (higher is better) | %s | |\n", cell(k, "speedup_echo_vs_zero")
		printf "| reads while a writer runs ÷ reads alone, echo | %s | 4 KiB preads at 0 (%s alone, %s with the writer), 4 KiB pwrites at 1 MiB (%s) |\n", cell(k, "read_while_writing_echo"), ns_name(bench_ns(k, "read_alone", 4096, "echo")), ns_name(bench_ns(k, "read_with_writer", 4096, "echo")), ns_name(bench_ns(k, "writer", 4096, "echo"))
		printf "| reads while a writer runs ÷ reads alone, tmpfs | %s | %s alone, %s with the writer (%s) |\n", cell(k, "read_while_writing_tmpfs"), ns_name(bench_ns(k, "read_alone", 4096, "tmpfs")), ns_name(bench_ns(k, "read_with_writer", 4096, "tmpfs")), ns_name(bench_ns(k, "writer", 4096, "tmpfs"))
		printf "| echo's slowdown ÷ tmpfs's | %s | |\n", cell(k, "read_while_writing_echo_vs_tmpfs")
		printf "| 4 KiB pread at 16 MiB − 8 KiB ÷ at 0, full device | %s | %s at 0, %s at the end |\n", cell(k, "read_end_vs_start"), ns_name(bench_ns(k, "read_start", 4096, "echo")), ns_name(bench_ns(k, "read_end", 4096, "echo"))
		printf "| 4 KiB pwrite at 16 MiB − 8 KiB ÷ at 0, full device | %s | %s at 0, %s at the end |\n", cell(k, "write_end_vs_start"), ns_name(bench_ns(k, "write_start", 4096, "echo")), ns_name(bench_ns(k, "write_end", 4096, "echo"))
		printf "| memory ÷ bytes stored rounded up to pages, 16 MiB written | %s | %s |\n", cell(k, "memory_full"), MEM[k, "memory_full"]
		printf "| the same, 1 byte written every 64 KiB | %s | %s |\n", cell(k, "memory_sparse"), MEM[k, "memory_sparse"]
		print ""
		# /dev/zero's readers share nothing: if a second one barely
		# helped it, the host had no second CPU to give.
		if ((k, "speedup_zero") in R && R[k, "speedup_zero"] < 1.3)
			printf "A second reader sped /dev/zero up only %s×: the host had no second CPU free for long, so the speedups say little here.\n\n", num(R[k, "speedup_zero"])
		print "### fio"
		print ""
		print "Sequential reads and writes over 16 MiB, iodepth 1, time-based; bandwidth in"
		print "MiB/s (median), and echo ÷ baseline as above (the baseline's bandwidth ÷ echo's)."
		print ""
		print "| engine | rw | bs | echo MiB/s | /dev/zero or /dev/null MiB/s | echo ÷ it | tmpfs MiB/s | echo ÷ tmpfs |"
		print "|---|---|---|---:|---:|---|---:|---|"
		split("psync io_uring", E, " ")
		for (e = 1; e <= 2; e++)
			for (rwi = 1; rwi <= 2; rwi++) {
				rw = rwi == 1 ? "read" : "write"
				base = rw == "read" ? "zero" : "null"
				for (b = 1; b <= 2; b++) {
					bs = b == 1 ? "4k" : "64k"
					printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", E[e], rw, bs, fio_bw(k, E[e], rw, bs, "echo"), fio_bw(k, E[e], rw, bs, base), fio_cell(k, E[e], rw, bs, base), fio_bw(k, E[e], rw, bs, "tmpfs"), fio_cell(k, E[e], rw, bs, "tmpfs")
				}
			}
		print ""
		n = split(substr(FMSGS[k], 2), msgs, SUBSEP)
		for (i = 1; i <= n; i++)
			printf "%d fio job%s failed: %s\n\n", FMSG[k, msgs[i]], (FMSG[k, msgs[i]] > 1 ? "s" : ""), msgs[i]
		# io_uring far behind read(2) and write(2) on the same device:
		# each request went to a worker thread instead of being done inline.
		slow = ""
		for (rwi = 1; rwi <= 2; rwi++)
			for (b = 1; b <= 2; b++) {
				rw = rwi == 1 ? "read" : "write"
				bs = b == 1 ? "4k" : "64k"
				p = fio_bw(k, "psync", rw, bs, "echo")
				u = fio_bw(k, "io_uring", rw, bs, "echo")
				if (p ~ /^[0-9.]+$/ && u ~ /^[0-9.]+$/ && u * 5 < p * 1)
					slow = slow (slow == "" ? "" : ", ") rw " " bs " " num(p / (u > 0 ? u : 1)) "×"
			}
		if (slow != "")
			printf "io_uring on echo is far slower than read(2)/write(2) on it (%s): most likely this kernel's io_uring hands every request on a file without FMODE_NOWAIT to an io-wq worker thread, a few context switches per call, where newer ones first try it inline when poll says the file is ready.\n\n", slow
	}

	printf "case" > data
	for (k = 1; k <= nk; k++) printf " \"%s\"", kname[k] > data
	print " goal" > data
	for (c = 1; c <= nc; c++) {
		split(CHART[c], f, ":")
		printf "\"%s\"", f[2] > data
		for (k = 1; k <= nk; k++)
			printf " %s", ((k, f[1]) in R ? R[k, f[1]] : "-") > data
		print " " f[3] > data
	}
	close(data)
}
