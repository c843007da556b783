// SPDX-License-Identifier: GPL-2.0
/*
 * echo-bench [--short] [DEVICE]: time the echo device (default /dev/echo,
 * loaded with capacity=16777216) against baselines measured in the same
 * run, for `make bench` (tests/guest/time-devices.sh, scripts/bench.sh).
 *
 * Under QEMU TCG, with other VMs on the host, absolute times mean little:
 * every case is reported as a ratio to a baseline. The repetitions of a case
 * and of its baseline are interleaved, so that a slow moment of the host
 * hits both, and a ratio is the median of the per-repetition ratios.
 *
 * Output, one result a line:
 *   bench CASE SIZE TARGET median_ns=N min_ns=N max_ns=N calls=N
 *   ratio NAME MEDIAN min=N max=N
 *   info NAME KEY=VALUE...
 * A ratio is echo's time per call over the baseline's, lower is better,
 * except for the speedups (higher is better). Any failure prints
 * "error: ..." and exits 1.
 *   --short (or BENCH_SHORT=1 in the environment): few, short repetitions,
 *   to show that the benchmark works, not to measure.
 * echo-bench --loop read|write TARGET SIZE MS [DEVICE]: one case alone, for
 * a profiler: pread or pwrite of SIZE bytes at offset 0 of TARGET (echo,
 * zero, null or tmpfs), in a loop for MS milliseconds; prints
 *   loop CASE SIZE TARGET calls=N ns_per_call=N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KIB 1024L
#define MIB (1024L * 1024)
#define DEV_SIZE (16 * MIB) /* echo's capacity in time-devices.sh */
#define PAGE 4096L
#define MAX_REPS 15
#define MAX_OPS 8
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define min(a, b)                   \
	({                          \
		typeof(a) _a = (a); \
		typeof(b) _b = (b); \
		_a < _b ? _a : _b;  \
	})
#define max(a, b)                   \
	({                          \
		typeof(a) _a = (a); \
		typeof(b) _b = (b); \
		_a > _b ? _a : _b;  \
	})

static int reps = 7; /* of a per-call case */
/*
 * The threaded cases need two free host CPUs, which other VMs take at
 * times: many short repetitions pair each case with its baseline closely.
 */
static int thread_reps = 15;
static double target_ns = 40e6; /* a repetition of a per-call case */
static double span_ns = 150e6; /* a repetition of a threaded case */
static const char *dev_path = "/dev/echo";
static const char *tmp_path = "/tmp/echo-bench.data"; /* /tmp is tmpfs */
static char sysfs_dir[PATH_MAX];
static char *buf; /* what every single-threaded call reads or writes */

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("error: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags, 0600);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	return fd;
}

/* Fill [off, off + len) of fd with a byte pattern, in 1 MiB writes. */
static void fill(int fd, off_t off, long len)
{
	long done, chunk;

	memset(buf, 0x5a, MIB);
	for (done = 0; done < len; done += chunk) {
		chunk = min(len - done, MIB);
		if (pwrite(fd, buf, chunk, off + done) != chunk)
			die("filling at %ld: %s", (long)(off + done),
			    strerror(errno));
	}
}

/* A fresh descriptor on an empty device: O_TRUNC empties it. */
static int open_empty_device(void)
{
	return open_or_die(dev_path, O_RDWR | O_TRUNC);
}

static long sysfs_value(const char *name)
{
	char path[PATH_MAX + 32];
	long value;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%ld", &value) != 1)
		die("cannot read %s", path);
	fclose(f);
	return value;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stats {
	double median, min, max;
};

static struct stats stats_of(const double *v, int n)
{
	double s[MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return (struct stats){ n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2,
			       s[0], s[n - 1] };
}

/*
 * Print the ratio NAME of two series of equal length, repetition by
 * repetition: a[i] / b[i], or its inverse for a speedup.
 */
static void print_ratio(const char *name, const double *a, const double *b,
			int n)
{
	double r[MAX_REPS];
	struct stats s;
	int i;

	for (i = 0; i < n; i++)
		r[i] = a[i] / b[i];
	s = stats_of(r, n);
	printf("ratio %s %.3f min=%.3f max=%.3f\n", name, s.median, s.min,
	       s.max);
}

static void report(const char *bcase, long size, const char *target,
		   const double *ns, int n, long calls)
{
	struct stats s = stats_of(ns, n);

	printf("bench %s %ld %s median_ns=%.0f min_ns=%.0f max_ns=%.0f calls=%ld\n",
	       bcase, size, target, s.median, s.min, s.max, calls);
}

/* Single-threaded cases: one call, or a write and its read back. */
enum kind { PREAD, PWRITE, ROUNDTRIP };

struct op {
	const char *bcase, *target; /* for the output */
	enum kind kind;
	int fd; /* what is read or written; a pipe's write end */
	int rfd; /* a pipe's read end; -1: read fd back at off */
	long size;
	off_t off;
	long calls; /* per repetition, calibrated to target_ns */
	double ns[MAX_REPS]; /* per call, of each repetition */
};

#define OP(c, t, k, f, r, s, o)                                        \
	{                                                              \
		.bcase = c, .target = t, .kind = k, .fd = f, .rfd = r, \
		.size = s, .off = o                                    \
	}

static void do_op(const struct op *op)
{
	ssize_t ret = op->size, part = 0;
	long got;

	switch (op->kind) {
	case PREAD:
		ret = pread(op->fd, buf, op->size, op->off);
		break;
	case PWRITE:
		ret = pwrite(op->fd, buf, op->size, op->off);
		break;
	case ROUNDTRIP:
		if (op->rfd < 0) {
			ret = pwrite(op->fd, buf, op->size, op->off);
			if (ret == op->size)
				ret = pread(op->fd, buf, op->size, op->off);
			break;
		}
		ret = write(op->fd, buf, op->size);
		/* A pipe may hand back a write in pieces. */
		for (got = 0; ret == op->size && got < op->size; got += part) {
			part = read(op->rfd, buf + got, op->size - got);
			if (part <= 0)
				ret = part;
		}
		break;
	}
	if (ret != op->size)
		die("%s %ld %s: returned %zd (%s)", op->bcase, op->size,
		    op->target, ret, ret < 0 ? strerror(errno) : "short");
}

static double run_op(const struct op *op, long calls)
{
	double start = now_ns();
	long i;

	for (i = 0; i < calls; i++)
		do_op(op);
	return now_ns() - start;
}

/*
 * Find the number of calls that takes about target_ns, once warm: the first
 * calls may fault in pages or allocate, and would make it far too few.
 */
static void calibrate(struct op *op)
{
	long calls = 1;
	double t;

	run_op(op, 4);
	for (;;) {
		t = run_op(op, calls);
		if (t >= target_ns / 8 || calls >= (1L << 30))
			break;
		calls *= 2;
	}
	calls = calls * (target_ns / max(t, 1.0));
	op->calls = max(calls, 1L);
}

/* Measure ops, their repetitions interleaved, and report each. */
static void measure(struct op *ops, int n)
{
	int i, r;

	for (i = 0; i < n; i++)
		calibrate(&ops[i]);
	for (r = 0; r < reps; r++)
		for (i = 0; i < n; i++)
			ops[i].ns[r] =
				run_op(&ops[i], ops[i].calls) / ops[i].calls;
	for (i = 0; i < n; i++)
		report(ops[i].bcase, ops[i].size, ops[i].target, ops[i].ns,
		       reps, ops[i].calls);
}

static void ratio_name(char *name, size_t len, const char *what, long size,
		       const char *base)
{
	snprintf(name, len, "%s_%ld_vs_%s", what, size, base);
}

/*
 * Per-call cost at each size, at offset 0 with the data already there, so
 * that reads return full counts: echo against /dev/zero and /dev/null (the
 * floor of a read and a write call), a tmpfs file (the page cache), and, for
 * a write read back, a pipe.
 */
static void bench_per_call(void)
{
	static const long sizes[] = { 1, 64, 4 * KIB, 64 * KIB, MIB };
	int echo = open_empty_device(), zero, null, tmp, p[2];
	long pipe_max = MIB;
	char name[64];
	unsigned int i;

	zero = open_or_die("/dev/zero", O_RDONLY);
	null = open_or_die("/dev/null", O_WRONLY);
	tmp = open_or_die(tmp_path, O_RDWR | O_CREAT | O_TRUNC);
	if (pipe(p))
		die("pipe: %s", strerror(errno));
	/* A 1 MiB call needs a 1 MiB pipe; root may raise it that far. */
	if (fcntl(p[1], F_SETPIPE_SZ, MIB) < 0)
		pipe_max = 64 * KIB;
	fill(echo, 0, MIB);
	fill(tmp, 0, MIB);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		long size = sizes[i];
		struct op ops[MAX_OPS] = {
			OP("read", "echo", PREAD, echo, -1, size, 0),
			OP("read", "zero", PREAD, zero, -1, size, 0),
			OP("read", "tmpfs", PREAD, tmp, -1, size, 0),
			OP("write", "echo", PWRITE, echo, -1, size, 0),
			OP("write", "null", PWRITE, null, -1, size, 0),
			OP("write", "tmpfs", PWRITE, tmp, -1, size, 0),
			OP("roundtrip", "echo", ROUNDTRIP, echo, -1, size, 0),
			OP("roundtrip", "pipe", ROUNDTRIP, p[1], p[0], size, 0),
		};
		int n = size <= pipe_max ? 8 : 7;

		if (n < 8)
			printf("info roundtrip_%ld_pipe skipped=pipe_too_small\n",
			       size);
		measure(ops, n);
		ratio_name(name, sizeof(name), "read", size, "zero");
		print_ratio(name, ops[0].ns, ops[1].ns, reps);
		ratio_name(name, sizeof(name), "read", size, "tmpfs");
		print_ratio(name, ops[0].ns, ops[2].ns, reps);
		ratio_name(name, sizeof(name), "write", size, "null");
		print_ratio(name, ops[3].ns, ops[4].ns, reps);
		ratio_name(name, sizeof(name), "write", size, "tmpfs");
		print_ratio(name, ops[3].ns, ops[5].ns, reps);
		if (n == 8) {
			ratio_name(name, sizeof(name), "roundtrip", size,
				   "pipe");
			print_ratio(name, ops[6].ns, ops[7].ns, reps);
		}
	}
	close(echo);
	close(zero);
	close(null);
	close(tmp);
	close(p[0]);
	close(p[1]);
}

/* --loop: one case, called for ms milliseconds, with the data there. */
static void loop_case(const char *what, const char *target, long size,
		      double ms)
{
	struct op op = OP(what, target, PREAD, -1, -1, size, 0);
	double start = now_ns(), end = start + ms * 1e6, t;
	long calls = 0;
	int i;

	if (!strcmp(what, "write"))
		op.kind = PWRITE;
	else if (strcmp(what, "read"))
		die("--loop: no case %s", what);
	if (size < 1 || size > MIB)
		die("--loop: size %ld is not 1..%ld", size, MIB);
	if (!strcmp(target, "echo"))
		op.fd = open_empty_device();
	else if (!strcmp(target, "tmpfs"))
		op.fd = open_or_die(tmp_path, O_RDWR | O_CREAT | O_TRUNC);
	else if (!strcmp(target, "zero") || !strcmp(target, "null"))
		op.fd = open_or_die(!strcmp(target, "zero") ? "/dev/zero" :
							      "/dev/null",
				    O_RDWR);
	else
		die("--loop: no target %s", target);
	if (!strcmp(target, "echo") || !strcmp(target, "tmpfs"))
		fill(op.fd, 0, MIB);
	do {
		for (i = 0; i < 64; i++)
			do_op(&op);
		calls += 64;
		t = now_ns();
	} while (t < end);
	printf("loop %s %ld %s calls=%ld ns_per_call=%.0f\n", what, size,
	       target, calls, (t - start) / calls);
	close(op.fd);
	if (!strcmp(target, "tmpfs"))
		unlink(tmp_path);
}

/* Threaded cases: each thread loops on its own descriptor until stopped. */
struct worker {
	const char *path;
	int fd;
	int write;
	off_t off;
	long calls;
	int err;
};

static atomic_int stop;
static pthread_barrier_t barrier;

static void *worker_loop(void *arg)
{
	struct worker *w = arg;
	char *b = aligned_alloc(PAGE, 4 * KIB);
	ssize_t ret;

	if (!b) {
		w->err = ENOMEM;
		return NULL;
	}
	memset(b, 0xa5, 4 * KIB);
	pthread_barrier_wait(&barrier);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (w->write)
			ret = pwrite(w->fd, b, 4 * KIB, w->off);
		else
			ret = pread(w->fd, b, 4 * KIB, w->off);
		if (ret != 4 * KIB) {
			w->err = ret < 0 ? errno : EIO;
			break;
		}
		w->calls++;
	}
	free(b);
	return NULL;
}

/* Run the workers for span_ns; the wall time they ran. */
static double run_workers(struct worker *w, int n)
{
	pthread_t threads[4];
	double start, end;
	int i;

	atomic_store(&stop, 0);
	pthread_barrier_init(&barrier, NULL, n + 1);
	for (i = 0; i < n; i++) {
		w[i].calls = 0;
		w[i].err = 0;
		w[i].fd = open_or_die(w[i].path,
				      w[i].write ? O_WRONLY : O_RDONLY);
		if (pthread_create(&threads[i], NULL, worker_loop, &w[i]))
			die("pthread_create failed");
	}
	pthread_barrier_wait(&barrier);
	start = now_ns();
	nanosleep(&(struct timespec){ 0, (long)span_ns }, NULL);
	atomic_store(&stop, 1);
	end = now_ns();
	for (i = 0; i < n; i++) {
		pthread_join(threads[i], NULL);
		close(w[i].fd);
		if (w[i].err)
			die("%s of %s: %s", w[i].write ? "pwrite" : "pread",
			    w[i].path, strerror(w[i].err));
	}
	pthread_barrier_destroy(&barrier);
	return end - start;
}

/* Wall time per call of the first n workers together; counts the calls. */
static double ns_per_call(struct worker *w, int n, double elapsed, long *total)
{
	long calls = 0;
	int i;

	for (i = 0; i < n; i++)
		calls += w[i].calls;
	*total += calls;
	/* A reader that a writer starved made at most one call. */
	return elapsed / (calls ? calls : 1);
}

/*
 * One 4 KiB reader, then two in parallel: the speedup of echo against that
 * of /dev/zero, which shares nothing between readers (two vCPUs).
 */
static void bench_parallel(void)
{
	const char *paths[2] = { dev_path, "/dev/zero" };
	const char *names[2] = { "echo", "zero" };
	double one[2][MAX_REPS], two[2][MAX_REPS];
	long calls[2][2] = { { 0 } };
	int echo = open_empty_device(), t, r;

	fill(echo, 0, 2 * MIB);
	close(echo);
	for (r = 0; r < thread_reps; r++) {
		for (t = 0; t < 2; t++) {
			/* Each reader its own page, its own descriptor. */
			struct worker w[2] = {
				{ .path = paths[t], .off = 0 },
				{ .path = paths[t], .off = MIB },
			};

			one[t][r] = ns_per_call(w, 1, run_workers(w, 1),
						&calls[t][0]);
			two[t][r] = ns_per_call(w, 2, run_workers(w, 2),
						&calls[t][1]);
		}
	}
	for (t = 0; t < 2; t++) {
		report("parallel1", 4 * KIB, names[t], one[t], thread_reps,
		       calls[t][0]);
		report("parallel2", 4 * KIB, names[t], two[t], thread_reps,
		       calls[t][1]);
	}
	/* The speedup is one's time over two's: higher is better. */
	print_ratio("speedup_echo", one[0], two[0], thread_reps);
	print_ratio("speedup_zero", one[1], two[1], thread_reps);
	for (r = 0; r < thread_reps; r++) {
		one[0][r] /= two[0][r];
		one[1][r] /= two[1][r];
	}
	print_ratio("speedup_echo_vs_zero", one[0], one[1], thread_reps);
}

/*
 * A 4 KiB reader alone, then with a 4 KiB writer on another page of the same
 * device or file: how much the writer slows the reader, echo against tmpfs.
 */
static void bench_read_while_writing(void)
{
	const char *paths[2] = { dev_path, tmp_path };
	const char *names[2] = { "echo", "tmpfs" };
	double alone[2][MAX_REPS], with[2][MAX_REPS], writer[2][MAX_REPS];
	long calls[2][3] = { { 0 } };
	int fd, t, r;

	fd = open_empty_device();
	fill(fd, 0, 2 * MIB);
	close(fd);
	fd = open_or_die(tmp_path, O_RDWR | O_CREAT | O_TRUNC);
	fill(fd, 0, 2 * MIB);
	close(fd);
	for (r = 0; r < thread_reps; r++) {
		for (t = 0; t < 2; t++) {
			struct worker w[2] = {
				{ .path = paths[t], .off = 0 },
				{ .path = paths[t], .write = 1, .off = MIB },
			};
			double elapsed;

			alone[t][r] = ns_per_call(w, 1, run_workers(w, 1),
						  &calls[t][0]);
			elapsed = run_workers(w, 2);
			with[t][r] = ns_per_call(w, 1, elapsed, &calls[t][1]);
			writer[t][r] =
				ns_per_call(w + 1, 1, elapsed, &calls[t][2]);
		}
	}
	for (t = 0; t < 2; t++) {
		report("read_alone", 4 * KIB, names[t], alone[t], thread_reps,
		       calls[t][0]);
		report("read_with_writer", 4 * KIB, names[t], with[t],
		       thread_reps, calls[t][1]);
		report("writer", 4 * KIB, names[t], writer[t], thread_reps,
		       calls[t][2]);
	}
	print_ratio("read_while_writing_echo", with[0], alone[0], thread_reps);
	print_ratio("read_while_writing_tmpfs", with[1], alone[1], thread_reps);
	for (r = 0; r < thread_reps; r++) {
		with[0][r] /= alone[0][r];
		with[1][r] /= alone[1][r];
	}
	print_ratio("read_while_writing_echo_vs_tmpfs", with[0], with[1],
		    thread_reps);
}

static long round_up(long n, long to)
{
	return (n + to - 1) / to * to;
}

/* Memory in use over the bytes stored, rounded up to pages. */
static void memory_ratio(const char *name, long touched_pages)
{
	long length = sysfs_value("length"), memory = sysfs_value("memory");
	double r = (double)memory / (length ? round_up(length, PAGE) : 1);

	printf("info %s length=%ld memory=%ld pages_written=%ld\n", name,
	       length, memory, touched_pages);
	printf("ratio %s %.4f min=%.4f max=%.4f\n", name, r, r, r);
}

/*
 * A full 16 MiB device: its memory, then 4 KiB reads and writes near its
 * end against the same at offset 0. Then the memory of a sparse device:
 * one byte every 64 KiB.
 */
static void bench_full_device(void)
{
	const off_t end = DEV_SIZE - 8 * KIB;
	int fd = open_empty_device();
	struct op ops[4] = {
		OP("read_start", "echo", PREAD, fd, -1, 4 * KIB, 0),
		OP("read_end", "echo", PREAD, fd, -1, 4 * KIB, end),
		OP("write_start", "echo", PWRITE, fd, -1, 4 * KIB, 0),
		OP("write_end", "echo", PWRITE, fd, -1, 4 * KIB, end),
	};
	long off;

	/* An empty device should hold no memory: say so if it does. */
	if (sysfs_value("memory") != 0)
		printf("info memory_empty memory=%ld\n", sysfs_value("memory"));
	fill(fd, 0, DEV_SIZE);
	memory_ratio("memory_full", DEV_SIZE / PAGE);
	measure(ops, 4);
	print_ratio("read_end_vs_start", ops[1].ns, ops[0].ns, reps);
	print_ratio("write_end_vs_start", ops[3].ns, ops[2].ns, reps);
	close(fd);

	fd = open_empty_device();
	for (off = 0; off < DEV_SIZE; off += 64 * KIB)
		if (pwrite(fd, "x", 1, off) != 1)
			die("sparse write at %ld: %s", off, strerror(errno));
	memory_ratio("memory_sparse", DEV_SIZE / (64 * KIB));
	close(fd);
	/* Leave the device empty, its memory freed. */
	close(open_empty_device());
}

int main(int argc, char **argv)
{
	const char *env = getenv("BENCH_SHORT");
	double start;
	char *base;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	buf = aligned_alloc(PAGE, MIB);
	if (!buf)
		die("out of memory");
	memset(buf, 0x5a, MIB);
	if (argc >= 6 && !strcmp(argv[1], "--loop")) {
		if (argc > 6)
			dev_path = argv[6];
		loop_case(argv[2], argv[3], atol(argv[4]), atof(argv[5]));
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--short"))
			env = "1";
		else if (argv[i][0] != '-')
			dev_path = argv[i];
		else
			die("usage: %s [--short] [DEVICE] | --loop OP TARGET SIZE MS [DEVICE]",
			    argv[0]);
	}
	if (env && strcmp(env, "") && strcmp(env, "0")) {
		reps = 3;
		thread_reps = 5;
		target_ns = 4e6;
		span_ns = 50e6;
	}
	base = strrchr(dev_path, '/');
	snprintf(sysfs_dir, sizeof(sysfs_dir), "/sys/class/misc/%s",
		 base ? base + 1 : dev_path);
	if (sysfs_value("capacity") < DEV_SIZE)
		die("%s holds %ld bytes, the bench needs %ld", dev_path,
		    sysfs_value("capacity"), DEV_SIZE);

	start = now_ns();
	printf("info echo-bench reps=%d target_ms=%.0f thread_reps=%d span_ms=%.0f\n",
	       reps, target_ns / 1e6, thread_reps, span_ns / 1e6);
	bench_per_call();
	bench_parallel();
	bench_read_while_writing();
	bench_full_device();
	unlink(tmp_path);
	printf("info echo-bench done seconds=%.0f\n", (now_ns() - start) / 1e9);
	return 0;
}
