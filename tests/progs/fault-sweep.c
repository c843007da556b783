// SPDX-License-Identifier: GPL-2.0
/*
 * fault-sweep: make the N-th fault injection point of an operation fail,
 * for N = 1, 2, ... until the operation runs with no fault left to inject,
 * and check every outcome (Documentation/fault-injection, fail-nth).
 *
 *   fault-sweep [-m MIN] load MODULE.KO NAME PARAMS [[?]PATH...]
 *	finit_module(). A failed load must leave /sys/module/NAME and every
 *	PATH absent; a successful one must have made them all, except a
 *	"?PATH" that the module can do without (debugfs).
 *   fault-sweep ops DEVICE
 *	open, open with O_TRUNC, write, append, read, llseek, poll and every
 *	ioctl on an echo device (with room for LONG_LEN) holding a known
 *	record, and a write and a read with RWF_NOWAIT (io_uring's inline
 *	attempt). A failed call must leave the record as it was; a successful
 *	one must have its effect: the count returned, the bytes stored or
 *	read, the length set.
 *
 * An injected allocation failure must give ENOMEM (EAGAIN with RWF_NOWAIT:
 * the caller retries where it may sleep), or success where the code has a
 * fallback (kvmalloc() falls back to vmalloc()); an injected user copy
 * failure must give EFAULT, or success where the code copies again (a
 * write in place, whose copy runs with page faults disabled, falls back to
 * one that may fault). A success must have its effect either way. The
 * kind comes from the FAULT_INJECTION report in the kernel log (verbose=2:
 * with a stack trace); an allocation with __GFP_NOWARN fails without one.
 * A fault whose trace runs through the module counts as one in the driver,
 * and each sweep must reach at least its minimum of those (MIN for a load,
 * built in for each call): a sweep that never reaches the driver's error
 * paths proves nothing. A load is swept again, up to LOAD_SWEEPS times,
 * until its faults in the driver add up to MIN, as the loader's own points
 * vary from load to load. Prints the points of each kind; exits non-zero
 * on the first violation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lesson4/echo.h>

#define MAX_POINTS 100000
#define LOAD_SWEEPS 4
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum kind { ALLOC, USERCOPY, NR_KINDS };

/* The points of one sweep: of each kind, and those in the driver's code. */
struct points {
	int kind[NR_KINDS];
	int driver;
};

static int fail_nth_fd, kmsg_fd; /* fail_nth_fd: in the child only */
static char driver_tag[64]; /* " [echo]": how a trace names the module */

/* Skip what the kernel log holds so far. */
static void kmsg_skip(void)
{
	lseek(kmsg_fd, 0, SEEK_END);
}

/*
 * The kind of fault injected since kmsg_skip(), and in *driver whether its
 * stack trace (verbose=2) runs through the driver. Silent faults, from
 * allocations with __GFP_NOWARN, are allocations outside the count.
 */
static int kmsg_fault_kind(int *driver)
{
	char rec[8192];
	int kind = ALLOC;
	ssize_t n;

	*driver = 0;
	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 ||
	       errno == EPIPE) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		if (strstr(rec, driver_tag))
			*driver = 1;
		if (!strstr(rec, "FAULT_INJECTION"))
			continue;
		if (strstr(rec, "fail_usercopy"))
			kind = USERCOPY;
		else if (strstr(rec, "failslab") ||
			 strstr(rec, "fail_page_alloc"))
			kind = ALLOC;
	}
	return kind;
}

/*
 * Touch the stack and ctx in the child before the countdown starts: the
 * child's own page faults (copy-on-write after fork) are not the points
 * under test, and they would vary with the memory layout.
 */
static void prefault(char *ctx, size_t size)
{
	char stack[64 * 1024];
	size_t i;

	memset(stack, 0, sizeof(stack));
	__asm__ __volatile__(""
			     :
			     : "r"(stack)
			     : "memory"); /* keep the memset */
	for (i = 0; i < size; i += 4096)
		__atomic_fetch_add(ctx + i, 0, __ATOMIC_RELAXED); /* a write */
}

static void set_fail_nth(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_nth_fd, buf, len, 0) != len)
		_exit(126);
}

/*
 * After set_fail_nth(): was the fault injected? Reading the file is itself
 * a user copy that counts down, so a failed read means "not yet" too.
 */
static int fail_nth_injected(void)
{
	char buf[16] = { 0 };

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return 0;
	return strtoul(buf, NULL, 10) == 0;
}

typedef int (*op_fn)(void *ctx); /* 0, or the errno of the failure */
typedef const char *(*check_fn)(void *ctx); /* NULL, or what is wrong */
typedef int (*reset_fn)(void *ctx); /* undo an operation that succeeded */

struct sweep {
	const char *name;
	op_fn op;
	check_fn unchanged; /* after a failure: nothing changed */
	check_fn effect; /* after a success: it did what it says */
	reset_fn reset; /* also sets up the state before the sweep */
	int min_driver_points; /* injection points in the driver's code */
	unsigned int flags;
};

/*
 * RWF_NOWAIT: a failed allocation gives EAGAIN, and the driver's own
 * allocations are silent (__GFP_NOWARN): no report runs through it.
 */
#define NOWAIT 1
/* The call has nothing to allocate in the driver: no fault runs through it. */
#define NO_DRIVER_ALLOC 2

/*
 * Run op with the n-th injection point failing, n = 1, 2, ... A failure
 * must leave what unchanged() looks at as it was; a success, with a fault
 * absorbed by a fallback or with none left to inject, must have the effect
 * that effect() checks, and is undone with reset(). Returns 0, or 1 after
 * printing a violation.
 */
static int sweep(const struct sweep *sw, void *ctx, size_t ctx_size,
		 struct points *points)
{
	static const char *const names[NR_KINDS] = { "allocation",
						     "user copy" };
	const int expected[NR_KINDS] = { sw->flags & NOWAIT ? EAGAIN : ENOMEM,
					 EFAULT };
	int err, kind = ALLOC, status, injected, driver;
	const char *wrong;
	unsigned int n;
	pid_t pid;

	memset(points, 0, sizeof(*points));
	for (n = 1; n < MAX_POINTS; n++) {
		/*
		 * In a child of its own: the countdown goes on after the
		 * operation and would make the next call of this process fail.
		 */
		kmsg_skip();
		pid = fork();
		if (pid == 0) {
			/* The file belongs to the task that opens it. */
			fail_nth_fd =
				open("/proc/thread-self/fail-nth", O_RDWR);
			prefault(ctx, ctx_size);
			set_fail_nth(n);
			err = sw->op(ctx);
			_exit(fail_nth_injected() << 7 | (err & 0x7f));
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) == 126) {
			printf("%s: point %u: the operation's process died\n",
			       sw->name, n);
			return 1;
		}
		err = WEXITSTATUS(status) & 0x7f;
		injected = WEXITSTATUS(status) >> 7;
		if (injected) {
			kind = kmsg_fault_kind(&driver);
			points->kind[kind]++;
			points->driver += driver;
		}
		if (injected && kind == ALLOC && driver &&
		    (sw->flags & (NOWAIT | NO_DRIVER_ALLOC))) {
			printf("%s: point %u: %s\n", sw->name, n,
			       sw->flags & NOWAIT ?
				       "an allocation of the driver warned: it lacks __GFP_NOWARN" :
				       "the driver allocated");
			return 1;
		}
		if (!injected && err) {
			printf("%s: failed with %s and no fault injected\n",
			       sw->name, strerror(err));
			return 1;
		}
		if (injected && err && err != expected[kind]) {
			printf("%s: point %u (%s) gave %s, expected %s\n",
			       sw->name, n, names[kind],
			       err ? strerror(err) : "success",
			       strerror(expected[kind]));
			return 1;
		}
		wrong = err ? sw->unchanged(ctx) : sw->effect(ctx);
		if (wrong) {
			printf("%s: point %u%s%s%s: %s\n", sw->name, n,
			       injected ? " (" : ", none injected",
			       injected ? names[kind] : "", injected ? ")" : "",
			       wrong);
			return 1;
		}
		if (!err && sw->reset(ctx))
			return 1;
		if (!injected)
			break;
	}
	if (n == MAX_POINTS) {
		printf("%s: more than %d points\n", sw->name, MAX_POINTS);
		return 1;
	}
	printf("%s: %d allocation and %d user copy faults, %d in the driver, all clean\n",
	       sw->name, points->kind[ALLOC], points->kind[USERCOPY],
	       points->driver);
	return 0;
}

/* Did the sweeps so far reach the driver's code often enough? */
static int reached_driver(const struct sweep *sw, int driver)
{
	if (driver >= sw->min_driver_points)
		return 1;
	printf("%s: only %d faults reached the driver, expected at least %d\n",
	       sw->name, driver, sw->min_driver_points);
	return 0;
}

struct load_ctx {
	int fd;
	const char *name, *params;
	char **paths; /* what a load makes; "?PATH": it may do without */
	int nr_paths;
};

static int load(void *arg)
{
	struct load_ctx *ctx = arg;

	return syscall(SYS_finit_module, ctx->fd, ctx->params, 0) ? errno : 0;
}

static int unload(void *arg)
{
	struct load_ctx *ctx = arg;

	if (syscall(SYS_delete_module, ctx->name, O_NONBLOCK)) {
		perror("unloading after a successful load");
		return 1;
	}
	return 0;
}

static char message[512];

/* The module's /sys/module entry and its paths: present or absent. */
static const char *load_paths(struct load_ctx *ctx, int present)
{
	struct stat st;
	int i;

	snprintf(message, sizeof(message), "/sys/module/%s", ctx->name);
	if ((stat(message, &st) == 0) != present)
		return strcat(message,
			      present ? " is missing" : " is left behind");
	for (i = 0; i < ctx->nr_paths; i++) {
		const char *path = ctx->paths[i];

		if (*path == '?') {
			if (present)
				continue;
			path++;
		}
		if ((stat(path, &st) == 0) != present) {
			snprintf(message, sizeof(message), "%s %s", path,
				 present ? "is missing after the load" :
					   "is left behind");
			return message;
		}
	}
	return NULL;
}

static const char *load_left_nothing(void *arg)
{
	return load_paths(arg, 0);
}

static const char *load_made_everything(void *arg)
{
	return load_paths(arg, 1);
}

static int sweep_load(int argc, char **argv, int min_driver_points)
{
	struct load_ctx ctx = { .name = argv[2],
				.params = argv[3],
				.paths = argv + 4,
				.nr_paths = argc - 4 };
	struct sweep sw = { ctx.name,
			    load,
			    load_left_nothing,
			    load_made_everything,
			    unload,
			    min_driver_points,
			    0 };
	struct points points;
	int attempt, driver = 0;

	snprintf(driver_tag, sizeof(driver_tag), " [%s]", ctx.name);
	ctx.fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (ctx.fd < 0) {
		perror(argv[1]);
		return 2;
	}
	/*
	 * The loader's own points vary from load to load (where the module
	 * lands, which shadow pages KASAN must map), so one sweep can step
	 * over the driver's few: sweep again, up to LOAD_SWEEPS times, until
	 * the faults in the driver add up to the minimum.
	 */
	for (attempt = 1; attempt <= LOAD_SWEEPS; attempt++) {
		if (sweep(&sw, &ctx, sizeof(ctx), &points))
			return 1;
		driver += points.driver;
		if (driver >= sw.min_driver_points)
			return 0;
	}
	return !reached_driver(&sw, driver);
}

#define RECORD "The stored bytes must survive every failure."
#define RECORD_LEN (sizeof(RECORD) - 1)
#define WRITE_AT 100 /* a write from here reaches a second page */
#define WRITE_LEN 4096
#define GROWN_LEN 6000
#define TRUNCATED_LEN 5
/* A read of it pins more chunks than fit on the stack: it allocates. */
#define LONG_LEN (17 * 4096)

/* Shared with the child that runs the operation, which leaves its results. */
struct ops_ctx {
	const char *path;
	int fd; /* open for the operations under test */
	int append_fd; /* the same, with O_APPEND */
	long ret; /* what the call returned */
	short revents;
	__u64 value;
	char buf[LONG_LEN];
};

static int op_open(void *arg)
{
	struct ops_ctx *ctx = arg;
	int fd = open(ctx->path, O_RDWR);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_open_trunc(void *arg)
{
	struct ops_ctx *ctx = arg;
	int fd = open(ctx->path, O_WRONLY | O_TRUNC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_write(void *arg)
{
	struct ops_ctx *ctx = arg;
	char data[WRITE_LEN];

	memset(data, 'W', sizeof(data));
	ctx->ret = pwrite(ctx->fd, data, sizeof(data), WRITE_AT);
	return ctx->ret < 0 ? errno : 0;
}

/*
 * On a descriptor opened before the countdown, as op_write's is: an open
 * in the sweep would spend its points in the VFS, and how many varies.
 */
static int op_append(void *arg)
{
	struct ops_ctx *ctx = arg;

	ctx->ret = write(ctx->append_fd, "+", 1);
	return ctx->ret < 0 ? errno : 0;
}

static int op_read(void *arg)
{
	struct ops_ctx *ctx = arg;

	ctx->ret = pread(ctx->fd, ctx->buf, LONG_LEN, 0);
	return ctx->ret < 0 ? errno : 0;
}

static int op_write_nowait(void *arg)
{
	struct ops_ctx *ctx = arg;
	char data[WRITE_LEN];
	struct iovec iov = { data, sizeof(data) };

	memset(data, 'W', sizeof(data));
	ctx->ret = pwritev2(ctx->fd, &iov, 1, WRITE_AT, RWF_NOWAIT);
	return ctx->ret < 0 ? errno : 0;
}

static int op_read_nowait(void *arg)
{
	struct ops_ctx *ctx = arg;
	struct iovec iov = { ctx->buf, LONG_LEN };

	ctx->ret = preadv2(ctx->fd, &iov, 1, 0, RWF_NOWAIT);
	return ctx->ret < 0 ? errno : 0;
}

static int op_llseek(void *arg)
{
	struct ops_ctx *ctx = arg;

	ctx->ret = lseek(ctx->fd, 5, SEEK_END);
	return ctx->ret < 0 ? errno : 0;
}

static int op_poll(void *arg)
{
	struct ops_ctx *ctx = arg;
	struct pollfd pfd = { .fd = ctx->fd, .events = POLLIN | POLLOUT };

	ctx->ret = poll(&pfd, 1, 0);
	ctx->revents = pfd.revents;
	return ctx->ret < 0 ? errno : 0;
}

static int ioctl_op(struct ops_ctx *ctx, unsigned long cmd)
{
	ctx->ret = ioctl(ctx->fd, cmd, &ctx->value);
	return ctx->ret ? errno : 0;
}

static int op_get_length(void *arg)
{
	return ioctl_op(arg, ECHO_IOC_GET_LENGTH);
}

static int op_get_capacity(void *arg)
{
	return ioctl_op(arg, ECHO_IOC_GET_CAPACITY);
}

static int op_grow(void *arg)
{
	struct ops_ctx *ctx = arg;

	ctx->value = GROWN_LEN;
	return ioctl_op(ctx, ECHO_IOC_SET_LENGTH);
}

static int op_truncate(void *arg)
{
	struct ops_ctx *ctx = arg;

	ctx->value = TRUNCATED_LEN;
	return ioctl_op(ctx, ECHO_IOC_SET_LENGTH);
}

static int op_clear(void *arg)
{
	return ioctl_op(arg, ECHO_IOC_CLEAR);
}

/* Put the record back after an operation that succeeded and changed it. */
static int reset_record(void *arg)
{
	struct ops_ctx *ctx = arg;
	__u64 len = 0;

	/* The position too: the child's lseek() moves the shared one. */
	if (ioctl(ctx->fd, ECHO_IOC_SET_LENGTH, &len) ||
	    pwrite(ctx->fd, RECORD, RECORD_LEN, 0) != RECORD_LEN ||
	    lseek(ctx->fd, 0, SEEK_SET)) {
		perror("resetting the record");
		return 1;
	}
	return 0;
}

/* Does the device hold exactly want, len bytes? */
/* The record, then zeros up to LONG_LEN. */
static int reset_long(void *arg)
{
	struct ops_ctx *ctx = arg;
	__u64 len = LONG_LEN;

	if (reset_record(ctx))
		return 1;
	if (ioctl(ctx->fd, ECHO_IOC_SET_LENGTH, &len)) {
		perror("growing the record");
		return 1;
	}
	return 0;
}

static int holds(struct ops_ctx *ctx, const char *want, size_t len)
{
	static char now[sizeof(ctx->buf) + 1];
	int fd = open(ctx->path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, now, sizeof(now));

	close(fd);
	return n == (ssize_t)len && !memcmp(now, want, len);
}

/* The device's sysfs attribute ATTR, or -1. */
static long long attr_value(struct ops_ctx *ctx, const char *attr)
{
	char buf[128];
	long long value = -1;
	FILE *f;

	snprintf(buf, sizeof(buf), "/sys/class/misc/%s/%s",
		 strrchr(ctx->path, '/') + 1, attr);
	f = fopen(buf, "r");
	if (f && fscanf(f, "%lld", &value) != 1)
		value = -1;
	if (f)
		fclose(f);
	return value;
}

/* The record's bytes, and its one page of memory: nothing more. */
static const char *record_unchanged(void *arg)
{
	struct ops_ctx *ctx = arg;

	if (!holds(ctx, RECORD, RECORD_LEN))
		return "a failed call changed the stored bytes";
	if (attr_value(ctx, "memory") != sysconf(_SC_PAGESIZE))
		return "a failed call changed the memory in use";
	return NULL;
}

static const char *no_effect(void *arg)
{
	return record_unchanged(arg);
}

static const char *truncated_to_zero(void *arg)
{
	return holds(arg, "", 0) ? NULL : "O_TRUNC did not empty the device";
}

static const char *wrote(void *arg)
{
	struct ops_ctx *ctx = arg;
	char want[WRITE_AT + WRITE_LEN];

	memcpy(want, RECORD, RECORD_LEN);
	memset(want + RECORD_LEN, 0, WRITE_AT - RECORD_LEN);
	memset(want + WRITE_AT, 'W', WRITE_LEN);
	if (ctx->ret != WRITE_LEN) {
		snprintf(message, sizeof(message),
			 "the write returned %ld, not its whole count",
			 ctx->ret);
		return message;
	}
	return holds(ctx, want, sizeof(want)) ?
		       NULL :
		       "the write did not store its bytes";
}

static const char *appended(void *arg)
{
	struct ops_ctx *ctx = arg;

	if (ctx->ret != 1)
		return "the append did not return 1";
	return holds(ctx, RECORD "+", RECORD_LEN + 1) ?
		       NULL :
		       "the append did not store its byte at the end";
}

static const char *read_record(void *arg)
{
	struct ops_ctx *ctx = arg;

	if (ctx->ret != RECORD_LEN || memcmp(ctx->buf, RECORD, RECORD_LEN))
		return "the read did not return the stored bytes";
	return record_unchanged(ctx);
}

static const char *long_unchanged(void *arg)
{
	struct ops_ctx *ctx = arg;

	if (attr_value(ctx, "length") != LONG_LEN ||
	    attr_value(ctx, "memory") != sysconf(_SC_PAGESIZE))
		return "a failed read changed the length or the memory in use";
	return NULL;
}

static const char *read_long(void *arg)
{
	struct ops_ctx *ctx = arg;
	size_t i;

	if (ctx->ret != LONG_LEN || memcmp(ctx->buf, RECORD, RECORD_LEN))
		return "the read did not return the stored bytes";
	for (i = RECORD_LEN; i < LONG_LEN; i++)
		if (ctx->buf[i])
			return "the read did not return zeros past the record";
	return long_unchanged(ctx);
}

static const char *seeked(void *arg)
{
	struct ops_ctx *ctx = arg;

	return ctx->ret == RECORD_LEN + 5 ? NULL : "SEEK_END went wrong";
}

static const char *polled(void *arg)
{
	struct ops_ctx *ctx = arg;

	return ctx->ret == 1 && ctx->revents == (POLLIN | POLLOUT) ?
		       NULL :
		       "poll did not report readable and writable";
}

static const char *got_length(void *arg)
{
	struct ops_ctx *ctx = arg;

	return ctx->value == RECORD_LEN ? NULL : "GET_LENGTH went wrong";
}

static const char *got_capacity(void *arg)
{
	struct ops_ctx *ctx = arg;

	return (long long)ctx->value == attr_value(ctx, "capacity") ?
		       NULL :
		       "GET_CAPACITY went wrong";
}

static const char *grown(void *arg)
{
	char want[GROWN_LEN] = RECORD;

	return holds(arg, want, sizeof(want)) ?
		       NULL :
		       "SET_LENGTH did not zero-extend";
}

static const char *truncated(void *arg)
{
	return holds(arg, RECORD, TRUNCATED_LEN) ?
		       NULL :
		       "SET_LENGTH did not truncate";
}

static int sweep_ops(char **argv)
{
	/* The driver's injection points that each call must reach. */
	static const struct sweep ops[] = {
		{ "open", op_open, record_unchanged, no_effect, reset_record, 0,
		  0 },
		{ "open_trunc", op_open_trunc, record_unchanged,
		  truncated_to_zero, reset_record, 0, 0 },
		/* two fresh pages, and the copy into each */
		{ "write", op_write, record_unchanged, wrote, reset_record, 4,
		  0 },
		/* the copy to the stack: one byte is stored in place */
		{ "append", op_append, record_unchanged, appended, reset_record,
		  1, 0 },
		/* more than the stack's pins, of a record of one chunk */
		{ "read", op_read, record_unchanged, read_record, reset_record,
		  1, NO_DRIVER_ALLOC },
		{ "llseek", op_llseek, record_unchanged, seeked, reset_record,
		  0, 0 },
		{ "poll", op_poll, record_unchanged, polled, reset_record, 0,
		  0 },
		{ "ioctl_get_length", op_get_length, record_unchanged,
		  got_length, reset_record, 1, 0 },
		{ "ioctl_get_capacity", op_get_capacity, record_unchanged,
		  got_capacity, reset_record, 1, 0 },
		{ "ioctl_set_length_grow", op_grow, record_unchanged, grown,
		  reset_record, 1, 0 },
		{ "ioctl_set_length_truncate", op_truncate, record_unchanged,
		  truncated, reset_record, 1, 0 },
		{ "ioctl_clear", op_clear, record_unchanged, truncated_to_zero,
		  reset_record, 0, 0 },
		/* the copy into each of two pages; the allocations are silent */
		{ "write_nowait", op_write_nowait, record_unchanged, wrote,
		  reset_record, 2, NOWAIT },
		/* the copy out of the record's chunk, after the list of pins */
		{ "read_nowait", op_read_nowait, long_unchanged, read_long,
		  reset_long, 1, NOWAIT },
	};
	struct ops_ctx *ctx;
	struct points points;
	int i;

	ctx = mmap(NULL, sizeof(*ctx), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctx == MAP_FAILED)
		return 2;
	snprintf(driver_tag, sizeof(driver_tag), " [echo]");
	ctx->path = argv[2];
	ctx->fd = open(ctx->path, O_RDWR);
	ctx->append_fd = open(ctx->path, O_WRONLY | O_APPEND);
	if (ctx->fd < 0 || ctx->append_fd < 0) {
		perror(ctx->path);
		return 2;
	}
	for (i = 0; i < (int)ARRAY_SIZE(ops); i++)
		if (ops[i].reset(ctx) ||
		    sweep(&ops[i], ctx, sizeof(*ctx), &points) ||
		    !reached_driver(&ops[i], points.driver))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int min_driver_points = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0 || access("/proc/thread-self/fail-nth", W_OK)) {
		perror("fail-nth or /dev/kmsg");
		return 2;
	}
	if (argc >= 3 && !strcmp(argv[1], "-m")) {
		min_driver_points = atoi(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc >= 5 && !strcmp(argv[1], "load"))
		return sweep_load(argc - 1, argv + 1, min_driver_points);
	if (argc == 3 && !strcmp(argv[1], "ops"))
		return sweep_ops(argv);
	fprintf(stderr,
		"usage: %s [-m MIN] load MODULE.KO NAME PARAMS [[?]PATH...] | ops DEVICE\n",
		argv[0]);
	return 2;
}
