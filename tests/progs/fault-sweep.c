// SPDX-License-Identifier: GPL-2.0
/*
 * fault-sweep: make the N-th fault injection point of an operation fail,
 * for N = 1, 2, ... until the operation runs with no fault left to inject,
 * and check every failure (Documentation/fault-injection, fail-nth).
 *
 *   fault-sweep load MODULE.KO NAME [PARAMS]
 *	finit_module(); each failed load must leave /sys/module/NAME,
 *	/dev/NAME and /sys/kernel/debug/NAME absent.
 *   fault-sweep ops DEVICE
 *	open, write, read, llseek, poll and the ioctls on an echo device;
 *	a failed call must leave the stored bytes as they were.
 *
 * An injected allocation failure must give ENOMEM, or success where the
 * code has a fallback (kvmalloc() falls back to vmalloc()); an injected user
 * copy failure must give EFAULT. The kind comes from the FAULT_INJECTION
 * line in the kernel log (failslab, fail_page_alloc and fail_usercopy need
 * verbose=1); an allocation with __GFP_NOWARN fails without one. Prints the
 * number of failure points of each kind; exits non-zero on the first
 * violation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lesson4/echo.h>

#define MAX_POINTS 100000
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum kind { ALLOC, USERCOPY, NR_KINDS };

static int fail_nth_fd, kmsg_fd; /* fail_nth_fd: in the child only */

/* Skip what the kernel log holds so far. */
static void kmsg_skip(void)
{
	lseek(kmsg_fd, 0, SEEK_END);
}

/* The kind of fault injected since kmsg_skip(); silent ones are allocations. */
static int kmsg_fault_kind(void)
{
	char rec[8192];
	int kind = ALLOC;
	ssize_t n;

	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 ||
	       errno == EPIPE) {
		if (n <= 0)
			continue;
		rec[n] = 0;
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

/*
 * Run op with the n-th injection point failing, n = 1, 2, ...; the points
 * of each kind go into points[]. A failure must leave what check() looks
 * at as it was; a success is undone with reset(). Returns 0, or 1 after
 * printing a violation.
 */
static int sweep(const char *what, op_fn op, check_fn check, reset_fn reset,
		 void *ctx, int points[NR_KINDS])
{
	static const int expected[NR_KINDS] = { ENOMEM, EFAULT };
	static const char *const names[NR_KINDS] = { "allocation",
						     "user copy" };
	int err, kind, status;
	const char *wrong;
	unsigned int n;
	pid_t pid;

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
			set_fail_nth(n);
			err = op(ctx);
			_exit(fail_nth_injected() << 7 | (err & 0x7f));
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status) == 126) {
			printf("%s: point %u: the operation's process died\n",
			       what, n);
			return 1;
		}
		err = WEXITSTATUS(status) & 0x7f;
		if (!(WEXITSTATUS(status) >> 7)) {
			if (err) {
				printf("%s: failed with %s and no fault injected\n",
				       what, strerror(err));
				return 1;
			}
			return reset(ctx);
		}
		kind = kmsg_fault_kind();
		points[kind]++;
		if (!err && kind == ALLOC) {
			if (reset(ctx))
				return 1;
			continue;
		}
		if (err != expected[kind]) {
			printf("%s: point %u (%s) gave %s, expected %s\n", what,
			       n, names[kind], err ? strerror(err) : "success",
			       strerror(expected[kind]));
			return 1;
		}
		wrong = check ? check(ctx) : NULL;
		if (wrong) {
			printf("%s: point %u (%s): %s\n", what, n, names[kind],
			       wrong);
			return 1;
		}
	}
	printf("%s: more than %d points\n", what, MAX_POINTS);
	return 1;
}

static void print_points(const char *what, const int points[NR_KINDS])
{
	printf("%s: %d allocation and %d user copy faults, each handled cleanly\n",
	       what, points[ALLOC], points[USERCOPY]);
}

struct load_ctx {
	int fd;
	const char *name, *params;
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

static const char *load_left_nothing(void *arg)
{
	static const char *const patterns[] = { "/sys/module/%s", "/dev/%s",
						"/sys/kernel/debug/%s" };
	struct load_ctx *ctx = arg;
	static char path[256];
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(patterns); i++) {
		snprintf(path, sizeof(path), patterns[i], ctx->name);
		if (!stat(path, &st))
			return strcat(path, " is left behind");
	}
	return NULL;
}

static int sweep_load(int argc, char **argv)
{
	struct load_ctx ctx = { .name = argv[3], .params = "" };
	int points[NR_KINDS] = { 0 };

	if (argc > 4)
		ctx.params = argv[4];
	ctx.fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (ctx.fd < 0) {
		perror(argv[2]);
		return 2;
	}
	if (sweep(ctx.name, load, load_left_nothing, unload, &ctx, points))
		return 1;
	print_points(ctx.name, points);
	return 0;
}

#define RECORD "The stored bytes must survive every failure."

struct ops_ctx {
	const char *path;
	int fd; /* open for the operations under test */
	char buf[4096];
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

static int op_write(void *arg)
{
	struct ops_ctx *ctx = arg;

	memset(ctx->buf, 'W', sizeof(ctx->buf));
	return pwrite(ctx->fd, ctx->buf, sizeof(ctx->buf), 0) < 0 ? errno : 0;
}

static int op_append(void *arg)
{
	struct ops_ctx *ctx = arg;
	int fd = open(ctx->path, O_WRONLY | O_APPEND), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, "+", 1) < 0)
		err = errno;
	close(fd);
	return err;
}

static int op_read(void *arg)
{
	struct ops_ctx *ctx = arg;

	return pread(ctx->fd, ctx->buf, sizeof(ctx->buf), 0) < 0 ? errno : 0;
}

static int op_llseek(void *arg)
{
	struct ops_ctx *ctx = arg;

	return lseek(ctx->fd, 5, SEEK_END) < 0 ? errno : 0;
}

static int op_poll(void *arg)
{
	struct ops_ctx *ctx = arg;
	struct pollfd pfd = { .fd = ctx->fd, .events = POLLIN | POLLOUT };

	return poll(&pfd, 1, 0) < 0 ? errno : 0;
}

static int op_ioctl_get_length(void *arg)
{
	struct ops_ctx *ctx = arg;
	__u64 len;

	return ioctl(ctx->fd, ECHO_IOC_GET_LENGTH, &len) ? errno : 0;
}

static int op_ioctl_set_length(void *arg)
{
	struct ops_ctx *ctx = arg;
	__u64 len = sizeof(RECORD) - 1;

	return ioctl(ctx->fd, ECHO_IOC_SET_LENGTH, &len) ? errno : 0;
}

/* Put the record back after an operation that succeeded and changed it. */
static int reset_record(void *arg)
{
	struct ops_ctx *ctx = arg;
	__u64 len = 0;

	if (ioctl(ctx->fd, ECHO_IOC_SET_LENGTH, &len) ||
	    pwrite(ctx->fd, RECORD, sizeof(RECORD) - 1, 0) !=
		    sizeof(RECORD) - 1) {
		perror("resetting the record");
		return 1;
	}
	return 0;
}

static const char *record_unchanged(void *arg)
{
	struct ops_ctx *ctx = arg;
	char now[sizeof(RECORD) + 1] = { 0 };
	int fd = open(ctx->path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, now, sizeof(now));

	close(fd);
	if (n != sizeof(RECORD) - 1 || memcmp(now, RECORD, n))
		return "a failed call changed the stored bytes";
	return NULL;
}

static int sweep_ops(char **argv)
{
	static const struct {
		const char *name;
		op_fn op;
	} ops[] = {
		{ "open", op_open },
		{ "write", op_write },
		{ "append", op_append },
		{ "read", op_read },
		{ "llseek", op_llseek },
		{ "poll", op_poll },
		{ "ioctl_get_length", op_ioctl_get_length },
		{ "ioctl_set_length", op_ioctl_set_length },
	};
	static struct ops_ctx ctx;
	int points[NR_KINDS], i;

	ctx.path = argv[2];
	ctx.fd = open(ctx.path, O_RDWR);
	if (ctx.fd < 0) {
		perror(ctx.path);
		return 2;
	}
	for (i = 0; i < (int)ARRAY_SIZE(ops); i++) {
		memset(points, 0, sizeof(points));
		if (reset_record(&ctx) ||
		    sweep(ops[i].name, ops[i].op, record_unchanged,
			  reset_record, &ctx, points))
			return 1;
		print_points(ops[i].name, points);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0 || access("/proc/thread-self/fail-nth", W_OK)) {
		perror("fail-nth or /dev/kmsg");
		return 2;
	}
	if (argc >= 4 && !strcmp(argv[1], "load"))
		return sweep_load(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "ops"))
		return sweep_ops(argv);
	fprintf(stderr, "usage: %s load MODULE.KO NAME [PARAMS] | ops DEVICE\n",
		argv[0]);
	return 2;
}
