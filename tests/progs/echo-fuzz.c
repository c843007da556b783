// SPDX-License-Identifier: GPL-2.0
/*
 * echo-fuzz [-v] [-r] [-c CAPACITY] [-C EVERY] [-t SECONDS] [-T SECONDS]
 *	     DEVICE SEED STEPS
 *
 * A stateful, model-based fuzzer for one echo device. It makes STEPS random
 * calls, chosen by SEED alone, on up to four descriptors of DEVICE at once:
 * open (O_RDONLY, O_WRONLY or O_RDWR, with O_TRUNC, O_APPEND, O_NONBLOCK and
 * O_DIRECT), close, read, write, pread, pwrite, readv, writev (also as
 * preadv2 and pwritev2 with RWF_NOWAIT), lseek (every whence, valid and
 * invalid offsets), every ioctl (valid, EBADF, EINVAL, ENOTTY and EFAULT
 * cases) and poll. Buffers may be bad: wholly unmapped, unmapped part way
 * (a read returns the bytes before the fault, a write fails whole), or one
 * unmapped iovec of a readv or writev. Each call also runs on a model in
 * userspace: a byte array of the capacity, its length, the pages that hold
 * data, the device's counters, and each descriptor's flags and position.
 * After every call the return value, the errno, the bytes read and the
 * position of every descriptor must match the model's; every EVERY calls
 * (default 8), and at the end, a read-only descriptor opened at the start
 * checks the whole content and length, and the device's sysfs attributes
 * (length, memory, and the counters, from where the run started).
 *
 * On a mismatch it prints the seed and the step, then replays the calls on
 * a cleared device, leaving calls out as long as some mismatch remains
 * (delta debugging: chunks, then single calls, then plainer open flags),
 * for at most -T SECONDS (default 60), and prints the shortest sequence
 * found, one call per line, with what the device did and what the model
 * expected. The calls are not kept: the generator looks at the model only,
 * so it makes them again from the seed.
 *
 * Exit status: 0 all matched, 1 a mismatch, 2 a usage or setup error.
 *   -v  print every call of the run as it is made
 *   -r  do not reduce: print the last calls before the mismatch
 *   -c  the capacity the device must report (as loaded)
 *   -t  stop after SECONDS, before STEPS if need be (a long run)
 *
 * The device is cleared through an O_RDWR descriptor first, so that the
 * model starts empty, and again at the end. Nothing else may use it during
 * the run. Counts stay within three pages past the capacity, and past 1 MiB
 * (rounded up to a page): a large capacity is approached, but slowly, as
 * the content checks read all of it.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <lesson4/echo.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define min(a, b)                   \
	({                          \
		typeof(a) _a = (a); \
		typeof(b) _b = (b); \
		_a < _b ? _a : _b;  \
	})
#define NR_SLOTS 4 /* descriptors open at once */
#define MAX_IOV 4
#define PAGE 4096
#define POLL_EVENTS (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM)

/* What a read's or a write's buffer is. */
enum bad_kind { BAD_NONE, BAD_ALL, BAD_PART };

enum op_kind {
	OP_OPEN,
	OP_CLOSE,
	OP_READ,
	OP_WRITE,
	OP_PREAD,
	OP_PWRITE,
	OP_READV,
	OP_WRITEV,
	OP_LSEEK,
	OP_IOCTL,
	OP_POLL,
	NR_OP_KINDS
};

static const char *const op_names[NR_OP_KINDS] = {
	"open",	 "close",  "read",  "write", "pread", "pwrite",
	"readv", "writev", "lseek", "ioctl", "poll",
};

/* How often each kind is made, out of the sum. */
static const unsigned int op_weights[NR_OP_KINDS] = {
	[OP_OPEN] = 8,	 [OP_CLOSE] = 5,  [OP_READ] = 10, [OP_WRITE] = 12,
	[OP_PREAD] = 8,	 [OP_PWRITE] = 8, [OP_READV] = 6, [OP_WRITEV] = 6,
	[OP_LSEEK] = 14, [OP_IOCTL] = 18, [OP_POLL] = 5,
};

enum ioc_kind {
	IOC_GET_LENGTH,
	IOC_GET_CAPACITY,
	IOC_CLEAR,
	IOC_SET_LENGTH,
	IOC_UNKNOWN
};

/* What an ioctl's argument points to. */
enum arg_kind { ARG_GOOD, ARG_PROT_NONE, ARG_NULL };

/* Numbers the driver does not know; none is taken by the VFS first. */
static const unsigned int unknown_cmds[] = {
	_IO(ECHO_IOC_MAGIC, 0x04),
	_IOR(ECHO_IOC_MAGIC, 0x00, __u64), /* CLEAR's number, another type */
	_IOW(ECHO_IOC_MAGIC, 0x01, __u64), /* GET_LENGTH as a write */
	_IOR(ECHO_IOC_MAGIC, 0x02, __u32), /* GET_CAPACITY, another size */
	_IOWR(ECHO_IOC_MAGIC, 0x03, __u64),
	_IOW(ECHO_IOC_MAGIC + 1, 0x03, __u64),
	0,
	0x5401, /* TCGETS */
	0xffffffff,
};

/* One call, as data: replayed from it alone, it does the same. */
struct op {
	unsigned char kind; /* enum op_kind */
	unsigned char slot; /* descriptor slot */
	unsigned char bad; /* read/write: bad_kind; ioctl: arg_kind */
	unsigned char bad_iov; /* readv, writev with BAD_PART: the bad one */
	unsigned char nowait; /* readv, writev: preadv2, pwritev2, RWF_NOWAIT */
	unsigned char ioc; /* enum ioc_kind */
	unsigned char nr_iov; /* readv, writev */
	int flags; /* open */
	unsigned int whence; /* lseek */
	unsigned int cmd; /* ioctl request */
	unsigned int data; /* seed of the bytes written */
	size_t size; /* bytes to read or write */
	size_t bad_from; /* BAD_PART: the good bytes before the fault */
	size_t iov_len[MAX_IOV];
	long long off; /* pread/pwrite/lseek offset, SET_LENGTH's value */
};

/* What a call returned: a count, or -errno. */
struct outcome {
	long long ret;
	long long alt; /* the model's: another result also right, or 0 */
	long long least; /* the model's: if set, any count least..ret is */
	__u64 value; /* GET_LENGTH, GET_CAPACITY: *arg */
	short revents; /* poll */
};

struct slot {
	bool open; /* in the model */
	int fd; /* the device's descriptor, or -1 */
	int flags;
	long long pos; /* the model's position */
};

enum { STEP_OK, STEP_SKIP, STEP_FAIL };

/* The errnos counted in the summary; the last counts any other. */
static const int counted_errnos[] = { EBADF,  EINVAL, ENOSPC, ENXIO,
				      ENOTTY, EFAULT, 0 };
#define NR_COUNTED ARRAY_SIZE(counted_errnos)

static const char *device;
static size_t cap, max_io;
static unsigned char *model; /* cap bytes; zero from len on */
static size_t mlen;
static struct slot slots[NR_SLOTS];
static int checker = -1; /* O_RDONLY, for the content checks */
static unsigned char *wbuf, *rbuf, *cbuf;
static void *badbuf; /* PROT_NONE */
static char why[512]; /* what mismatched */
static bool verbose;

/* The device's counters in sysfs, as the model counts them. */
enum counter {
	C_OPENS,
	C_READS,
	C_WRITES,
	C_BYTES_READ,
	C_BYTES_WRITTEN,
	NR_COUNTERS
};

static const char *const counter_names[NR_COUNTERS] = {
	"opens", "reads", "writes", "bytes_read", "bytes_written",
};

static unsigned long long counted[NR_COUNTERS], counter_base[NR_COUNTERS];
/* Empty reads: the VFS passes some to the driver and not others. */
static unsigned long long empty_reads;
static unsigned char *held; /* per page of the capacity: holds data */
static char sysfs_dir[PATH_MAX];
static unsigned char *edge; /* max_io bytes, then an unmapped page */

static unsigned long op_count[NR_OP_KINDS];
static unsigned long err_count[NR_OP_KINDS][NR_COUNTED];
static unsigned long content_checks;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Say what mismatched: "what: ...". */
static void mismatch(const char *what, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(why, sizeof(why), "%s: ", what);
	va_start(ap, fmt);
	vsnprintf(why + n, sizeof(why) - n, fmt, ap);
	va_end(ap);
}

/* splitmix64: the whole sequence follows from the seed. */
static unsigned long long rng;

static unsigned long long rnd(void)
{
	unsigned long long z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long long below(unsigned long long n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

/* Wrapping arithmetic, as the kernel's loff_t sums wrap. */
static long long wrap_add(long long a, long long b)
{
	return (long long)((unsigned long long)a + (unsigned long long)b);
}

static long long wrap_sub(long long a, long long b)
{
	return (long long)((unsigned long long)a - (unsigned long long)b);
}

static const char *errno_name(int err)
{
	static char other[32];

	switch (err) {
	case EBADF:
		return "EBADF";
	case EINVAL:
		return "EINVAL";
	case ENOSPC:
		return "ENOSPC";
	case ENXIO:
		return "ENXIO";
	case ENOTTY:
		return "ENOTTY";
	case EFAULT:
		return "EFAULT";
	case ENOMEM:
		return "ENOMEM";
	case EOVERFLOW:
		return "EOVERFLOW";
	}
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

/* A result as printed: a number or an errno name. */
static const char *result_str(char *buf, size_t size, long long ret)
{
	if (ret < 0)
		return errno_name(-ret);
	snprintf(buf, size, "%lld", ret);
	return buf;
}

static const char *whence_name(unsigned int whence, char *buf, size_t size)
{
	static const char *const names[] = { "SEEK_SET", "SEEK_CUR", "SEEK_END",
					     "SEEK_DATA", "SEEK_HOLE" };

	if (whence < ARRAY_SIZE(names))
		return names[whence];
	snprintf(buf, size, "%u", whence);
	return buf;
}

static void flags_str(int flags, char *buf, size_t size)
{
	static const char *const modes[] = { "O_RDONLY", "O_WRONLY", "O_RDWR" };

	snprintf(buf, size, "%s%s%s%s%s", modes[flags & O_ACCMODE],
		 flags & O_TRUNC ? "|O_TRUNC" : "",
		 flags & O_APPEND ? "|O_APPEND" : "",
		 flags & O_NONBLOCK ? "|O_NONBLOCK" : "",
		 flags & O_DIRECT ? "|O_DIRECT" : "");
}

static const char *const ioc_names[] = {
	"ECHO_IOC_GET_LENGTH",
	"ECHO_IOC_GET_CAPACITY",
	"ECHO_IOC_CLEAR",
	"ECHO_IOC_SET_LENGTH",
};

/* The call as one line of C-like text, without its result. */
static void format_op(const struct op *op, char *buf, size_t size)
{
	char tmp[64], iovs[80], bad[64] = "";
	int fd = op->slot;
	unsigned int i;
	size_t n;

	if (op->bad == BAD_ALL && op->kind != OP_IOCTL)
		snprintf(bad, sizeof(bad), ", PROT_NONE buffer");
	else if (op->bad == BAD_PART && op->nr_iov)
		snprintf(bad, sizeof(bad), ", iovec %u PROT_NONE", op->bad_iov);
	else if (op->bad == BAD_PART)
		snprintf(bad, sizeof(bad), ", PROT_NONE after %zu bytes",
			 op->bad_from);
	switch (op->kind) {
	case OP_OPEN:
		flags_str(op->flags, tmp, sizeof(tmp));
		snprintf(buf, size, "fd%d = open(%s)", fd, tmp);
		break;
	case OP_CLOSE:
		snprintf(buf, size, "close(fd%d)", fd);
		break;
	case OP_READ:
	case OP_WRITE:
		snprintf(buf, size, "%s(fd%d, %zu bytes%s)", op_names[op->kind],
			 fd, op->size, bad);
		break;
	case OP_PREAD:
	case OP_PWRITE:
		snprintf(buf, size, "%s(fd%d, %zu bytes%s, offset %lld)",
			 op_names[op->kind], fd, op->size, bad, op->off);
		break;
	case OP_READV:
	case OP_WRITEV:
		for (i = 0, n = 0; i < op->nr_iov; i++)
			n += snprintf(iovs + n, sizeof(iovs) - n, "%s%zu",
				      i ? "+" : "", op->iov_len[i]);
		snprintf(buf, size,
			 "%s%s%s(fd%d, %zu bytes in %u iovecs: %s%s%s)",
			 op->nowait ? "p" : "", op_names[op->kind],
			 op->nowait ? "2" : "", fd, op->size, op->nr_iov, iovs,
			 bad, op->nowait ? ", -1, RWF_NOWAIT" : "");
		break;
	case OP_LSEEK:
		snprintf(buf, size, "lseek(fd%d, %lld, %s)", fd, op->off,
			 whence_name(op->whence, tmp, sizeof(tmp)));
		break;
	case OP_IOCTL:
		if (op->ioc == IOC_UNKNOWN)
			snprintf(buf, size, "ioctl(fd%d, %#x (unknown))", fd,
				 op->cmd);
		else if (op->bad == ARG_GOOD && op->ioc == IOC_SET_LENGTH)
			snprintf(buf, size, "ioctl(fd%d, %s, &%llu)", fd,
				 ioc_names[op->ioc],
				 (unsigned long long)op->off);
		else
			snprintf(buf, size, "ioctl(fd%d, %s, %s)", fd,
				 ioc_names[op->ioc],
				 op->bad == ARG_NULL	  ? "NULL" :
				 op->bad == ARG_PROT_NONE ? "PROT_NONE page" :
							    "&value");
		break;
	case OP_POLL:
		snprintf(buf, size, "poll(fd%d, 0 ms)", fd);
		break;
	}
}

static void revents_str(short revents, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s%s%s", revents & POLLIN ? "|POLLIN" : "",
		 revents & POLLRDNORM ? "|POLLRDNORM" : "",
		 revents & POLLOUT ? "|POLLOUT" : "",
		 revents & POLLWRNORM ? "|POLLWRNORM" : "",
		 revents & ~POLL_EVENTS ? "|other" : "");
	if (!*buf)
		snprintf(buf, size, "|none");
}

/* The outcome as printed after "= ". */
static void outcome_str(const struct op *op, const struct outcome *o, char *buf,
			size_t size)
{
	char tmp[64];

	if (op->kind == OP_OPEN && o->ret >= 0) {
		snprintf(buf, size, "a descriptor");
	} else if (op->kind == OP_POLL && o->ret >= 0) {
		revents_str(o->revents, tmp, sizeof(tmp));
		snprintf(buf, size, "%lld, revents %s", o->ret, tmp + 1);
	} else if (op->kind == OP_IOCTL && o->ret == 0 &&
		   op->ioc <= IOC_GET_CAPACITY) {
		snprintf(buf, size, "0, value %llu",
			 (unsigned long long)o->value);
	} else {
		snprintf(buf, size, "%s", result_str(tmp, sizeof(tmp), o->ret));
	}
}

/* The bytes a write stores: never zero, so a gap shows as zeros. */
static void fill(unsigned int seed, size_t size)
{
	unsigned int x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		wbuf[i] = x % 255 + 1;
	}
}

static bool reads(unsigned int kind)
{
	return kind == OP_READ || kind == OP_PREAD || kind == OP_READV;
}

static bool writes(unsigned int kind)
{
	return kind == OP_WRITE || kind == OP_PWRITE || kind == OP_WRITEV;
}

/* The model. */

static bool readable(const struct slot *s)
{
	return (s->flags & O_ACCMODE) != O_WRONLY;
}

static bool writable(const struct slot *s)
{
	return (s->flags & O_ACCMODE) != O_RDONLY;
}

/* A shorter length frees the pages past it; a longer one takes none. */
static void model_set_length(size_t len)
{
	size_t first = (len + PAGE - 1) / PAGE;

	if (len < mlen) {
		memset(model + len, 0, mlen - len);
		memset(held + first, 0, (mlen + PAGE - 1) / PAGE - first);
	}
	mlen = len;
}

/*
 * pos: the position read at, at most LLONG_MAX - count. A buffer bad part
 * way gets the bytes before the fault, or fewer (the architecture rounds a
 * faulting copy), or EFAULT if none.
 */
static long long model_read(const struct op *op, long long pos,
			    struct outcome *want, const unsigned char **expect)
{
	size_t n;

	if (pos >= (long long)mlen)
		return 0;
	n = min(op->size, mlen - pos);
	if (n && op->bad == BAD_ALL)
		return -EFAULT;
	*expect = model + pos;
	if (op->bad == BAD_PART && op->bad_from < n) {
		if (!op->bad_from)
			return -EFAULT;
		want->least = 1;
		return op->bad_from;
	}
	return n;
}

/*
 * Store at pos (or at the end with O_APPEND); *end: where it ended. A write
 * takes what fits, and fails whole if any byte of that is bad.
 */
static long long model_write(const struct op *op, const struct slot *s,
			     long long pos, struct outcome *want,
			     long long *end)
{
	bool append = s->flags & O_APPEND;
	unsigned long long at = append ? mlen : (unsigned long long)pos;
	size_t n, i;

	if (!op->size)
		return 0;
	if (!append && at >= cap)
		return -ENOSPC;
	/* Full and a bad buffer: either error is fair. */
	if (op->bad == BAD_ALL || (op->bad == BAD_PART && !op->bad_from)) {
		if (at >= cap)
			want->alt = -ENOSPC;
		return -EFAULT;
	}
	if (at >= cap)
		return -ENOSPC;
	n = min(op->size, (size_t)(cap - at));
	if (op->bad == BAD_PART && op->bad_from < n)
		return -EFAULT;
	memcpy(model + at, wbuf, n);
	for (i = at / PAGE; i <= (at + n - 1) / PAGE; i++)
		held[i] = 1;
	if (at + n > mlen)
		mlen = at + n;
	*end = at + n;
	return n;
}

static long long model_lseek(struct slot *s, long long off, unsigned int whence)
{
	long long pos;

	switch (whence) {
	case SEEK_SET:
		pos = off;
		break;
	case SEEK_CUR:
		if (!off)
			return s->pos;
		pos = wrap_add(s->pos, off);
		break;
	case SEEK_END:
		pos = wrap_add(mlen, off);
		break;
	case SEEK_DATA:
		if ((unsigned long long)off >= mlen)
			return -ENXIO;
		pos = off;
		break;
	case SEEK_HOLE:
		if ((unsigned long long)off >= mlen)
			return -ENXIO;
		pos = mlen;
		break;
	default:
		return -EINVAL;
	}
	if (pos < 0 || pos > (long long)cap)
		return -EINVAL;
	s->pos = pos;
	return pos;
}

static long long model_ioctl(const struct op *op, const struct slot *s,
			     struct outcome *want)
{
	switch (op->ioc) {
	case IOC_GET_LENGTH:
	case IOC_GET_CAPACITY:
		if (op->bad != ARG_GOOD)
			return -EFAULT;
		want->value = op->ioc == IOC_GET_LENGTH ? mlen : cap;
		return 0;
	case IOC_CLEAR:
		if (!writable(s))
			return -EBADF;
		model_set_length(0);
		return 0;
	case IOC_SET_LENGTH:
		if (!writable(s))
			return -EBADF;
		if (op->bad != ARG_GOOD)
			return -EFAULT;
		if ((unsigned long long)op->off > cap)
			return -EINVAL;
		model_set_length(op->off);
		return 0;
	}
	return -ENOTTY;
}

/*
 * Apply op to the model: the expected outcome, and for reads the bytes
 * expected (the model's data does not change in a read).
 */
static void model_op(const struct op *op, struct outcome *want,
		     const unsigned char **expect)
{
	struct slot *s = &slots[op->slot];
	long long end = 0, ret = 0;

	switch (op->kind) {
	case OP_OPEN:
		if (op->flags & O_DIRECT) {
			ret = -EINVAL;
			break;
		}
		/* Only a descriptor open for writing truncates. */
		if ((op->flags & O_TRUNC) &&
		    (op->flags & O_ACCMODE) != O_RDONLY)
			model_set_length(0);
		s->open = true;
		s->flags = op->flags;
		s->pos = 0;
		break;
	case OP_CLOSE:
		s->open = false;
		break;
	case OP_READ:
	case OP_READV:
		if (!readable(s)) {
			ret = -EBADF;
			break;
		}
		ret = model_read(op, s->pos, want, expect);
		if (ret > 0)
			s->pos += ret;
		break;
	case OP_PREAD:
		if (op->off < 0)
			ret = -EINVAL;
		else if (!readable(s))
			ret = -EBADF;
		else if ((long long)op->size > LLONG_MAX - op->off)
			ret = -EINVAL; /* pos + count overflows */
		else
			ret = model_read(op, op->off, want, expect);
		break;
	case OP_WRITE:
	case OP_WRITEV:
		if (!writable(s)) {
			ret = -EBADF;
			break;
		}
		ret = model_write(op, s, s->pos, want, &end);
		if (ret > 0)
			s->pos = end;
		break;
	case OP_PWRITE:
		if (op->off < 0)
			ret = -EINVAL;
		else if (!writable(s))
			ret = -EBADF;
		else if ((long long)op->size > LLONG_MAX - op->off)
			ret = -EINVAL; /* pos + count overflows */
		else
			ret = model_write(op, s, op->off, want, &end);
		break;
	case OP_LSEEK:
		ret = model_lseek(s, op->off, op->whence);
		break;
	case OP_IOCTL:
		ret = model_ioctl(op, s, want);
		break;
	case OP_POLL:
		if (s->pos < (long long)mlen)
			want->revents |= POLLIN | POLLRDNORM;
		if ((s->flags & O_APPEND ? (long long)mlen : s->pos) <
		    (long long)cap)
			want->revents |= POLLOUT | POLLWRNORM;
		ret = !!want->revents;
		break;
	}
	/* Under RWF_NOWAIT, an allocation that would sleep fails instead. */
	if (op->nowait && !want->alt)
		want->alt = -EAGAIN;
	want->ret = ret;
}

/* The device. */

static long long sys(long long ret)
{
	return ret < 0 ? -errno : ret;
}

static void set_iov(const struct op *op, struct iovec *iov, void *buf)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < op->nr_iov; i++) {
		iov[i].iov_base = (char *)buf + done;
		iov[i].iov_len = op->iov_len[i];
		done += op->iov_len[i];
	}
	if (op->bad == BAD_PART)
		iov[op->bad_iov].iov_base = badbuf;
}

/* A buffer of which only the first good bytes are mapped. */
static unsigned char *part_buf(size_t good)
{
	return edge + max_io - good;
}

static void device_op(const struct op *op, struct outcome *got)
{
	int fd = slots[op->slot].fd;
	void *rb = op->bad == BAD_ALL ? badbuf : rbuf;
	void *wb = op->bad == BAD_ALL ? badbuf : wbuf;
	struct iovec iov[MAX_IOV];
	struct pollfd pfd;
	__u64 arg;
	void *argp;

	if (reads(op->kind))
		memset(rbuf, 0xee, op->size); /* no stale bytes pass */
	if (op->bad == BAD_PART && !op->nr_iov && op->kind != OP_IOCTL) {
		rb = part_buf(op->bad_from);
		wb = rb;
		memcpy(wb, wbuf, min(op->bad_from, op->size));
	}

	switch (op->kind) {
	case OP_OPEN:
		got->ret = sys(open(device, op->flags));
		break;
	case OP_CLOSE:
		got->ret = sys(close(fd));
		break;
	case OP_READ:
		got->ret = sys(read(fd, rb, op->size));
		break;
	case OP_WRITE:
		got->ret = sys(write(fd, wb, op->size));
		break;
	case OP_PREAD:
		got->ret = sys(pread(fd, rb, op->size, op->off));
		break;
	case OP_PWRITE:
		got->ret = sys(pwrite(fd, wb, op->size, op->off));
		break;
	case OP_READV:
		set_iov(op, iov, rbuf);
		got->ret = op->nowait ? sys(preadv2(fd, iov, op->nr_iov, -1,
						    RWF_NOWAIT)) :
					sys(readv(fd, iov, op->nr_iov));
		break;
	case OP_WRITEV:
		set_iov(op, iov, wbuf);
		got->ret = op->nowait ? sys(pwritev2(fd, iov, op->nr_iov, -1,
						     RWF_NOWAIT)) :
					sys(writev(fd, iov, op->nr_iov));
		break;
	case OP_LSEEK:
		got->ret = sys(lseek(fd, op->off, op->whence));
		break;
	case OP_IOCTL:
		arg = op->ioc == IOC_SET_LENGTH ? (__u64)op->off : ~0ULL;
		argp = op->bad == ARG_GOOD	? (void *)&arg :
		       op->bad == ARG_PROT_NONE ? badbuf :
						  NULL;
		got->ret = sys(ioctl(fd, op->cmd, argp));
		got->value = arg;
		break;
	case OP_POLL:
		pfd.fd = fd;
		pfd.events = POLL_EVENTS;
		pfd.revents = 0;
		got->ret = sys(poll(&pfd, 1, 0));
		got->revents = pfd.revents;
		break;
	}
	/* What a read put before the fault, where check_bytes() looks. */
	if (reads(op->kind) && rb != rbuf && rb != badbuf && got->ret > 0)
		memcpy(rbuf, rb, got->ret);
}

static bool read_attr(const char *name, unsigned long long *value)
{
	char path[PATH_MAX + 32];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, name);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fscanf(f, "%llu", value) == 1;
	fclose(f);
	return ok;
}

/* From here on, the counters count from their values now. */
static void rebase_counters(void)
{
	unsigned int i;

	for (i = 0; i < NR_COUNTERS; i++) {
		counted[i] = 0;
		if (!read_attr(counter_names[i], &counter_base[i])) {
			fprintf(stderr, "echo-fuzz: cannot read %s/%s\n",
				sysfs_dir, counter_names[i]);
			exit(2);
		}
	}
	empty_reads = 0;
}

/* Count op, which made got, as the device's counters should. */
static void count_in_model(const struct op *op, long long got)
{
	if (op->kind == OP_OPEN && got >= 0)
		counted[C_OPENS]++;
	if (reads(op->kind) && got >= 0) {
		if (op->size)
			counted[C_READS]++;
		else if (op->kind != OP_READV)
			empty_reads++;
		counted[C_BYTES_READ] += got;
	}
	if (writes(op->kind) && got > 0) {
		counted[C_WRITES]++;
		counted[C_BYTES_WRITTEN] += got;
	}
}

/* length, memory and the counters in sysfs against the model. */
static bool check_attrs(void)
{
	unsigned long long value, pages = 0, want;
	unsigned int i;

	for (i = 0; i < (cap + PAGE - 1) / PAGE; i++)
		pages += held[i];
	if (!read_attr("length", &value) || value != mlen) {
		mismatch("sysfs", "length %llu, model %zu", value, mlen);
		return false;
	}
	if (!read_attr("memory", &value) || value != pages * PAGE) {
		mismatch("sysfs", "memory %llu, model %llu (%llu pages held)",
			 value, pages * PAGE, pages);
		return false;
	}
	for (i = 0; i < NR_COUNTERS; i++) {
		if (!read_attr(counter_names[i], &value))
			value = 0;
		value -= counter_base[i];
		want = counted[i];
		if (value == want || (i == C_READS && value > want &&
				      value <= want + empty_reads))
			continue;
		mismatch("sysfs", "%s grew by %llu, model %llu%s",
			 counter_names[i], value, want,
			 i == C_READS && empty_reads ? " (and empty reads)" :
						       "");
		return false;
	}
	return true;
}

/* Length and content through the checker descriptor. */
static bool check_content(void)
{
	__u64 len = ~0ULL;
	char tmp[32];
	ssize_t n;
	size_t i;

	content_checks++;
	if (ioctl(checker, ECHO_IOC_GET_LENGTH, &len)) {
		mismatch("content check", "GET_LENGTH failed: %s",
			 errno_name(errno));
		return false;
	}
	if (len != mlen) {
		mismatch("content check", "length %llu, model %zu",
			 (unsigned long long)len, mlen);
		return false;
	}
	memset(cbuf, 0xee, mlen);
	n = pread(checker, cbuf, cap + 1, 0);
	if (n >= 0) {
		counted[C_READS]++;
		counted[C_BYTES_READ] += n;
	}
	if (n != (ssize_t)mlen) {
		mismatch("content check", "pread(all) = %s, model %zu",
			 result_str(tmp, sizeof(tmp), sys(n)), mlen);
		return false;
	}
	for (i = 0; i < mlen && cbuf[i] == model[i]; i++)
		;
	if (i < mlen) {
		mismatch("content check", "byte %zu is 0x%02x, model 0x%02x", i,
			 cbuf[i], model[i]);
		return false;
	}
	return check_attrs();
}

static bool check_positions(void)
{
	unsigned int i;
	char tmp[32], what[32];
	long long pos;

	for (i = 0; i < NR_SLOTS; i++) {
		if (!slots[i].open || slots[i].fd < 0)
			continue;
		pos = sys(lseek(slots[i].fd, 0, SEEK_CUR));
		if (pos != slots[i].pos) {
			snprintf(what, sizeof(what), "position of fd%u", i);
			mismatch(what, "device %s, model %lld",
				 result_str(tmp, sizeof(tmp), pos),
				 slots[i].pos);
			return false;
		}
	}
	return true;
}

static void count_result(const struct op *op, long long ret)
{
	unsigned int i;

	op_count[op->kind]++;
	if (ret >= 0)
		return;
	for (i = 0; i < NR_COUNTED - 1 && counted_errnos[i] != -ret; i++)
		;
	err_count[op->kind][i]++;
}

/* The n bytes read against the model's, from expect on. */
static bool check_bytes(const char *text, const unsigned char *expect,
			long long n)
{
	long long i;

	for (i = 0; i < n && rbuf[i] == expect[i]; i++)
		;
	if (i == n)
		return true;
	mismatch(text, "byte %lld read (offset %lld) is 0x%02x, model 0x%02x",
		 i, (long long)(expect - model) + i, rbuf[i], expect[i]);
	return false;
}

/*
 * Make op on the device and the model and compare. full: check the whole
 * content after it. show: print the call and its result. A call on a slot
 * that is not open, or an open of one that is, is skipped: a reduced
 * sequence may leave such calls.
 */
static int run_op(const struct op *op, bool full, bool show, bool count)
{
	struct slot *s = &slots[op->slot];
	struct outcome want = { 0 }, got = { 0 };
	const unsigned char *expect = NULL;
	char text[160], res[96], exp[96], line[260];
	bool ok;

	if (op->kind == OP_OPEN ? s->open : !s->open)
		return STEP_SKIP;
	why[0] = 0;
	if (writes(op->kind))
		fill(op->data, op->size);
	device_op(op, &got);
	model_op(op, &want, &expect);
	if (count)
		count_result(op, want.ret);

	if (op->kind == OP_OPEN && got.ret >= 0) {
		s->fd = got.ret;
		got.ret = 0;
	} else if (op->kind == OP_CLOSE) {
		s->fd = -1;
	}
	format_op(op, text, sizeof(text));
	outcome_str(op, &got, res, sizeof(res));
	outcome_str(op, &want, exp, sizeof(exp));

	ok = got.ret == want.ret || (want.alt && got.ret == want.alt) ||
	     (want.least && got.ret >= want.least && got.ret <= want.ret);
	/* A read of fewer bytes than the model's most moves the position less. */
	if (ok && want.least && op->kind != OP_PREAD)
		s->pos -= want.ret - got.ret;
	if (ok && op->kind == OP_POLL)
		ok = got.revents == want.revents;
	if (ok && op->kind == OP_IOCTL && want.ret == 0 &&
	    op->ioc <= IOC_GET_CAPACITY)
		ok = got.value == want.value;
	if (ok)
		count_in_model(op, got.ret);
	if (!ok && want.least)
		mismatch(text, "device %s, model %lld..%s", res, want.least,
			 exp);
	else if (!ok)
		mismatch(text, "device %s, model %s", res, exp);
	else if (expect && got.ret > 0)
		ok = check_bytes(text, expect, got.ret);
	/* An open that worked shows as "fd1 = open(...)" alone. */
	snprintf(line, sizeof(line), "%s%s%s", text,
		 op->kind == OP_OPEN && got.ret >= 0 ? "" : " = ",
		 op->kind == OP_OPEN && got.ret >= 0 ? "" : res);
	if (show || (verbose && count))
		printf("  %s\n", line);
	if (ok)
		ok = check_positions();
	if (ok && full)
		ok = check_content();
	if (!ok && show)
		printf("  ^ MISMATCH: %s\n", why);
	return ok ? STEP_OK : STEP_FAIL;
}

/* Close every descriptor and empty the device and the model. */
static void reset(void)
{
	unsigned int i;
	int fd;

	for (i = 0; i < NR_SLOTS; i++) {
		if (slots[i].fd >= 0)
			close(slots[i].fd);
		slots[i].fd = -1;
		slots[i].open = false;
	}
	fd = open(device, O_RDWR);
	if (fd < 0 || ioctl(fd, ECHO_IOC_CLEAR)) {
		fprintf(stderr, "echo-fuzz: cannot clear %s: %s\n", device,
			strerror(errno));
		exit(2);
	}
	close(fd);
	memset(model, 0, cap);
	memset(held, 0, (cap + PAGE - 1) / PAGE);
	mlen = 0;
	rebase_counters();
}

/* The generator: it looks at the model only, so a seed is a sequence. */

static long long pick_wild(void)
{
	static const long long wild[] = {
		-1,
		-2,
		-PAGE,
		LLONG_MIN,
		LLONG_MIN + 1,
		LLONG_MAX,
		LLONG_MAX - 1,
		LLONG_MAX - PAGE,
		1LL << 32,
		1LL << 62,
	};

	return wild[below(ARRAY_SIZE(wild))];
}

/* A position near something that matters: the ends, a page, pos. */
static long long pick_pos(long long pos)
{
	long long d = (long long)below(7) - 3;

	switch (below(9)) {
	case 0:
		return below(3);
	case 1:
		return (long long)mlen + d;
	case 2:
		return (long long)cap + d;
	case 3:
		return PAGE * (long long)below(cap / PAGE + 2) + d;
	case 4:
		return pos + d;
	case 5:
		return below(mlen + 1);
	case 6:
		return -(long long)below(PAGE) - 1;
	default:
		return below(cap + cap / 8 + 2);
	}
}

/* A count for I/O at pos: crossing pages, the capacity, the end. */
static size_t pick_size(long long pos)
{
	long long d = (long long)below(7) - 3, size;

	if (pos < 0 || pos > (long long)cap)
		pos = 0;
	switch (below(10)) {
	case 0:
		size = chance(50) ? 0 : d;
		break;
	case 1:
		size = 1 + below(16);
		break;
	case 2:
		size = (pos / PAGE + 1 + (long long)below(2)) * PAGE - pos + d;
		break;
	case 3:
		size = (long long)cap - pos + d;
		break;
	case 4:
		size = below(PAGE / 2);
		break;
	case 5:
		size = (long long)mlen - pos + d;
		break;
	case 6:
		size = PAGE * (1 + (long long)below(2)) + d;
		break;
	case 7:
		size = below(1024);
		break;
	case 8:
		size = below(max_io + 1);
		break;
	default:
		size = below(PAGE + 1);
		break;
	}
	if (size < 0)
		size = -size;
	return size > (long long)max_io ? max_io : size;
}

/*
 * A slot for a call of kind: a closed one to open, else an open one, mostly
 * one whose mode allows the call (the others make the EBADF cases).
 */
static int pick_slot(unsigned int kind)
{
	int all[NR_SLOTS], fit[NR_SLOTS], n = 0, nr_fit = 0, i;

	for (i = 0; i < NR_SLOTS; i++) {
		if (kind == OP_OPEN ? slots[i].open : !slots[i].open)
			continue;
		all[n++] = i;
		if ((!reads(kind) || readable(&slots[i])) &&
		    (!writes(kind) || writable(&slots[i])))
			fit[nr_fit++] = i;
	}
	if (nr_fit && chance(80))
		return fit[below(nr_fit)];
	return n ? all[below(n)] : -1;
}

static void gen_io(struct op *op, const struct slot *s)
{
	long long at = s->pos;
	unsigned int i;
	size_t left;

	op->bad = chance(4) ? BAD_ALL : BAD_NONE;
	if (op->kind == OP_PREAD || op->kind == OP_PWRITE) {
		op->off = chance(10) ? pick_wild() : pick_pos(s->pos);
		at = op->off;
	}
	if (writes(op->kind) && (s->flags & O_APPEND))
		at = mlen;
	op->size = pick_size(at);
	op->data = rnd();
	if (op->kind != OP_READV && op->kind != OP_WRITEV) {
		/* Unmapped part way: before, at or past the end of the I/O. */
		if (!op->bad && op->size && chance(4)) {
			op->bad = BAD_PART;
			op->bad_from = below(op->size + 1);
		}
		return;
	}
	op->bad = BAD_NONE;
	op->nowait = chance(25);
	op->nr_iov = 1 + below(MAX_IOV);
	for (i = 0, left = op->size; i < op->nr_iov; i++) {
		op->iov_len[i] = i == op->nr_iov - 1 ? left : below(left + 1);
		left -= op->iov_len[i];
	}
	/* One iovec unmapped: the bytes before it are good. */
	if (chance(6)) {
		op->bad = BAD_PART;
		op->bad_iov = below(op->nr_iov);
		for (i = 0, op->bad_from = 0; i < op->bad_iov; i++)
			op->bad_from += op->iov_len[i];
		if (!op->iov_len[op->bad_iov])
			op->bad_from = op->size; /* empty: never touched */
	}
}

static void gen_lseek(struct op *op, const struct slot *s)
{
	static const unsigned int bad_whence[] = { 5, 6, 100, UINT_MAX };
	unsigned int r = below(100);
	long long target = pick_pos(s->pos);

	op->whence = r < 25 ? SEEK_SET :
		     r < 45 ? SEEK_CUR :
		     r < 65 ? SEEK_END :
		     r < 79 ? SEEK_DATA :
		     r < 93 ? SEEK_HOLE :
			      bad_whence[below(ARRAY_SIZE(bad_whence))];
	if (op->whence == SEEK_CUR)
		op->off = wrap_sub(target, s->pos);
	else if (op->whence == SEEK_END)
		op->off = wrap_sub(target, mlen);
	else
		op->off = target;
	if (op->whence == SEEK_CUR && chance(15))
		op->off = 0;
	if (chance(8))
		op->off = pick_wild();
}

static void gen_ioctl(struct op *op, const struct slot *s)
{
	static const __u64 huge[] = { ~0ULL, 1ULL << 63, 1ULL << 32 };
	static const unsigned int cmds[] = { ECHO_IOC_GET_LENGTH,
					     ECHO_IOC_GET_CAPACITY,
					     ECHO_IOC_CLEAR,
					     ECHO_IOC_SET_LENGTH };
	unsigned int r = below(100);

	op->ioc = r < 22 ? IOC_GET_LENGTH :
		  r < 32 ? IOC_GET_CAPACITY :
		  r < 44 ? IOC_CLEAR :
		  r < 85 ? IOC_SET_LENGTH :
			   IOC_UNKNOWN;
	if (op->ioc == IOC_UNKNOWN)
		op->cmd = unknown_cmds[below(ARRAY_SIZE(unknown_cmds))];
	else
		op->cmd = cmds[op->ioc];
	r = below(100);
	op->bad = r < 86 ? ARG_GOOD : r < 95 ? ARG_PROT_NONE : ARG_NULL;
	/* Mostly shorter: the writes keep it nearly full otherwise. */
	if (chance(8))
		op->off = huge[below(ARRAY_SIZE(huge))];
	else if (chance(40))
		op->off = below(mlen + 1);
	else
		op->off = pick_pos(s->pos);
}

static void gen_op(struct op *op)
{
	static const int modes[] = { O_RDONLY, O_WRONLY, O_RDWR };
	unsigned int total = 0, r, i;
	int slot;

	memset(op, 0, sizeof(*op));
	for (i = 0; i < NR_OP_KINDS; i++)
		total += op_weights[i];
	do {
		r = below(total);
		for (i = 0; r >= op_weights[i]; i++)
			r -= op_weights[i];
		slot = pick_slot(i);
	} while (slot < 0);
	op->kind = i;
	op->slot = slot;

	switch (op->kind) {
	case OP_OPEN:
		op->flags = modes[below(ARRAY_SIZE(modes))];
		if (chance(40))
			op->flags |= O_TRUNC;
		if (chance(35))
			op->flags |= O_APPEND;
		if (chance(15))
			op->flags |= O_NONBLOCK;
		if (chance(8))
			op->flags |= O_DIRECT;
		break;
	case OP_READ:
	case OP_WRITE:
	case OP_PREAD:
	case OP_PWRITE:
	case OP_READV:
	case OP_WRITEV:
		gen_io(op, &slots[slot]);
		break;
	case OP_LSEEK:
		gen_lseek(op, &slots[slot]);
		break;
	case OP_IOCTL:
		gen_ioctl(op, &slots[slot]);
		break;
	}
}

/* Reduction. */

static double deadline;
static unsigned long replays;

/*
 * From a reset device, does the sequence still mismatch somewhere? The
 * content is checked after every call, or in a long sequence every 8th.
 */
static bool replay(const struct op *ops, size_t n, bool show)
{
	size_t i, every = n > 2000 ? 8 : 1;

	replays++;
	reset();
	for (i = 0; i < n; i++)
		if (run_op(&ops[i], (i + 1) % every == 0 || i + 1 == n, show,
			   false) == STEP_FAIL)
			return true;
	return false;
}

/* ops without [from, from + count): into out, its length returned. */
static size_t without(const struct op *ops, size_t n, size_t from, size_t count,
		      struct op *out)
{
	memcpy(out, ops, from * sizeof(*ops));
	memcpy(out + from, ops + from + count,
	       (n - from - count) * sizeof(*ops));
	return n - count;
}

/*
 * Delta debugging: leave out chunks, halving them as long as no chunk can
 * go, then single calls until none can. Returns the new length of ops.
 */
static size_t reduce(struct op *ops, size_t n)
{
	struct op *try = malloc(n * sizeof(*ops));
	size_t chunks = 2, size, i, m;
	bool progress;

	if (!try)
		return n;
	while (n > 1 && now() < deadline) {
		size = (n + chunks - 1) / chunks;
		progress = false;
		for (i = 0; i < n && now() < deadline; i += size) {
			m = without(ops, n, i, i + size > n ? n - i : size,
				    try);
			if (replay(try, m, false)) {
				memcpy(ops, try, m * sizeof(*ops));
				n = m;
				progress = true;
				break;
			}
		}
		if (progress) {
			chunks = chunks > 2 ? chunks - 1 : 2;
			continue;
		}
		if (chunks >= n)
			break;
		chunks = chunks * 2 > n ? n : chunks * 2;
	}
	do {
		progress = false;
		for (i = n; i-- > 0 && now() < deadline;) {
			m = without(ops, n, i, 1, try);
			if (replay(try, m, false)) {
				memcpy(ops, try, m * sizeof(*ops));
				n = m;
				progress = true;
			}
		}
	} while (progress && now() < deadline);
	free(try);
	return n;
}

/* Plainer calls where the mismatch stays: fewer open flags, one iovec. */
static void simplify(struct op *ops, size_t n)
{
	static const int flags[] = { O_APPEND, O_TRUNC, O_NONBLOCK };
	unsigned int f;
	struct op keep;
	size_t i;

	for (i = 0; i < n && now() < deadline; i++) {
		keep = ops[i];
		for (f = 0; f < ARRAY_SIZE(flags); f++) {
			if (ops[i].kind != OP_OPEN ||
			    !(ops[i].flags & flags[f]))
				continue;
			ops[i].flags &= ~flags[f];
			if (replay(ops, n, false))
				keep = ops[i];
			else
				ops[i] = keep;
		}
		if (ops[i].nowait) {
			ops[i].nowait = 0;
			if (replay(ops, n, false))
				keep = ops[i];
			else
				ops[i] = keep;
		}
		if (ops[i].nr_iov > 1 && ops[i].bad != BAD_PART) {
			ops[i].nr_iov = 1;
			ops[i].iov_len[0] = ops[i].size;
			if (!replay(ops, n, false))
				ops[i] = keep;
		}
	}
}

static void print_summary(unsigned long long seed, unsigned long steps,
			  double seconds)
{
	const char *sep;
	unsigned int k, e;

	printf("echo-fuzz: seed %llu: %lu steps, capacity %zu, %.1f s, %lu content checks:",
	       seed, steps, cap, seconds, content_checks);
	for (k = 0; k < NR_OP_KINDS; k++) {
		printf(" %s %lu", op_names[k], op_count[k]);
		sep = " (";
		for (e = 0; e < NR_COUNTED; e++) {
			if (!err_count[k][e])
				continue;
			printf("%s%s %lu", sep,
			       counted_errnos[e] ?
				       errno_name(counted_errnos[e]) :
				       "other",
			       err_count[k][e]);
			sep = ", ";
		}
		printf("%s%s", *sep == ',' ? ")" : "",
		       k < NR_OP_KINDS - 1 ? "," : "\n");
	}
}

static void print_ops(const struct op *ops, size_t from, size_t to)
{
	char text[160];
	size_t i;

	for (i = from; i < to; i++) {
		format_op(&ops[i], text, sizeof(text));
		printf("  %s\n", text);
	}
}

/*
 * The first n calls of seed's run, made again by the generator, which looks
 * at the model only: so no run has to keep its calls.
 */
static struct op *regenerate(unsigned long long seed, size_t n)
{
	struct op *ops = calloc(n ? n : 1, sizeof(*ops));
	const unsigned char *expect;
	struct outcome want;
	size_t i;

	if (!ops) {
		fprintf(stderr, "echo-fuzz: out of memory\n");
		exit(2);
	}
	reset();
	rng = seed;
	for (i = 0; i < n; i++) {
		gen_op(&ops[i]);
		if (writes(ops[i].kind))
			fill(ops[i].data, ops[i].size);
		memset(&want, 0, sizeof(want));
		model_op(&ops[i], &want, &expect);
	}
	return ops;
}

static void report(unsigned long long seed, size_t n, bool do_reduce)
{
	size_t first = n > 40 ? n - 40 : 0, steps = n;
	struct op *ops;

	printf("echo-fuzz: seed %llu: MISMATCH at step %zu: %s\n", seed, n,
	       why);
	fflush(stdout);
	ops = regenerate(seed, n);
	if (do_reduce && !replay(ops, n, false)) {
		printf("echo-fuzz: seed %llu: no mismatch when replayed on a cleared device\n",
		       seed);
		do_reduce = false;
	}
	if (!do_reduce) {
		printf("echo-fuzz: seed %llu: the last %zu calls were:\n", seed,
		       n - first);
		print_ops(ops, first, n);
	} else {
		n = reduce(ops, n);
		simplify(ops, n);
		printf("echo-fuzz: seed %llu: reduced to %zu calls (%lu replays%s):\n",
		       seed, n, replays,
		       now() < deadline ? "" : ", stopped by the time limit");
		printf("  (from a cleared device)\n");
		if (!replay(ops, n, true))
			printf("echo-fuzz: no mismatch this time: not deterministic\n");
	}
	printf("echo-fuzz: the whole run again: echo-fuzz %s %llu %zu\n",
	       device, seed, steps);
	free(ops);
}

static void bad_usage(void)
{
	fprintf(stderr,
		"usage: echo-fuzz [-v] [-r] [-c CAPACITY] [-C EVERY] %s",
		"[-t SECONDS] [-T SECONDS] DEVICE SEED STEPS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long seed, want_cap = 0;
	unsigned long steps, step, every = 8;
	double start, budget = 60;
	bool do_reduce = true;
	double seconds = 0;
	struct op op;
	__u64 value;
	int opt, r;

	while ((opt = getopt(argc, argv, "vrc:C:t:T:")) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'r':
			do_reduce = false;
			break;
		case 'c':
			want_cap = strtoull(optarg, NULL, 0);
			break;
		case 'C':
			every = strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'T':
			budget = atof(optarg);
			break;
		default:
			bad_usage();
		}
	}
	if (argc - optind != 3 || !every)
		bad_usage();
	device = argv[optind];
	snprintf(sysfs_dir, sizeof(sysfs_dir), "/sys/class/misc/%s",
		 strrchr(device, '/') ? strrchr(device, '/') + 1 : device);
	seed = strtoull(argv[optind + 1], NULL, 0);
	steps = strtoul(argv[optind + 2], NULL, 0);

	for (r = 0; r < NR_SLOTS; r++)
		slots[r].fd = -1;
	checker = open(device, O_RDONLY);
	if (checker < 0 || ioctl(checker, ECHO_IOC_GET_CAPACITY, &value)) {
		fprintf(stderr, "echo-fuzz: %s: %s\n", device, strerror(errno));
		return 2;
	}
	cap = value;
	if (want_cap && want_cap != cap) {
		fprintf(stderr, "echo-fuzz: %s: capacity %zu, expected %llu\n",
			device, cap, want_cap);
		return 2;
	}
	/* Counts cross the capacity, but a huge one is only approached. */
	max_io = (min(cap, (size_t)1 << 20) + 4 * PAGE - 1) / PAGE * PAGE;
	model = calloc(cap, 1);
	cbuf = malloc(cap + 1);
	wbuf = malloc(max_io);
	rbuf = malloc(max_io);
	held = calloc((cap + PAGE - 1) / PAGE, 1);
	badbuf = mmap(NULL, max_io, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		      0);
	/* max_io is a whole number of pages: the unmapped one follows. */
	edge = mmap(NULL, max_io + PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (edge == MAP_FAILED || mprotect(edge + max_io, PAGE, PROT_NONE))
		edge = NULL;
	if (!model || !cbuf || !wbuf || !rbuf || !held || !edge ||
	    badbuf == MAP_FAILED) {
		fprintf(stderr, "echo-fuzz: out of memory\n");
		return 2;
	}

	rng = seed;
	start = now();
	reset();
	for (step = 0; step < steps; step++) {
		if (seconds && !(step % 256) && now() - start >= seconds)
			break;
		gen_op(&op);
		r = run_op(&op, (step + 1) % every == 0 || step + 1 == steps,
			   false, true);
		if (r == STEP_FAIL) {
			deadline = now() + budget;
			report(seed, step + 1, do_reduce);
			return 1;
		}
	}
	if (step < steps && !check_content()) {
		deadline = now() + budget;
		report(seed, step, do_reduce);
		return 1;
	}
	print_summary(seed, step, now() - start);
	reset();
	return 0;
}
