// SPDX-License-Identifier: GPL-2.0
/*
 * echo-race: every pair of the echo device's operations run at once, on
 * threads that share one device, with an oracle for what each sees; in the
 * kernel's kselftest harness.
 *
 * The reads: small, pinned, vectored, spliced or sent (sendfile) into a
 * pipe, and io_uring's; the writes: in place, copy-on-write, appended and
 * spliced from a pipe; then truncations and growth, ECHO_IOC_CLEAR,
 * O_TRUNC opens, SEEK_DATA and SEEK_HOLE, and poll.
 *
 * Writers store self-checking records of RECORD bytes (magic, slot,
 * writer, sequence, payload, checksum) at whole slots, or append them, and
 * truncations keep the length a whole number of slots. So every read must
 * see, in each slot, a whole record that some write stored, or zeros; every
 * length is a whole number of slots; and each appender finds all of its
 * records, once each, in order. RECORD does not divide the page size: some
 * records cross from one chunk into the next, and a read that mixes two
 * moments tears them.
 *
 * A race counts only if it happened: each operation notes, as it ends, the
 * operations in flight on other threads, and every pair must have met.
 * Then appenders beside readers; an append of 8 MiB beside streams of small
 * appends, which must not starve it; and reads of the whole 16 MiB against
 * truncations to a tail inside a page and back.
 *
 * Expects the module loaded with capacity=16777216. ECHO_DEV names another
 * node; ECHO_RACE_SECONDS sets the length of the mixed run (default 8).
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <lesson4/echo.h>

#include "kselftest_harness.h"

#define MIB (1024 * 1024)
#define CAPACITY (16 * MIB)
#define RECORD 96
#define MAGIC 0xec4ace5u
#define APPENDED 0xffffffffu /* the slot of a record that was appended */
/* Positional writes and reads stay in the first slots: 24 pages. */
#define SLOTS 1024
#define WORKING_SET (SLOTS * RECORD)
#define MAX_RECORDS 40 /* per write */
#define WORKERS 6
#define APPENDERS 3

struct record {
	__u32 magic, slot, writer, seq;
	__u8 payload[RECORD - 24];
	__u64 sum;
};

static_assert(sizeof(struct record) == RECORD, "a record fills its slot");
static_assert(4096 % RECORD, "some records cross a page boundary");

enum op {
	READ_SMALL,
	READ_PINNED,
	READV,
	SPLICE_READ,
	URING_READ,
	WRITE_IN_PLACE,
	WRITE_COPY,
	WRITE_SPLICE,
	APPEND,
	SET_LENGTH_GROW,
	SET_LENGTH_SHRINK,
	CLEAR,
	OPEN_TRUNC,
	SEEK,
	POLL,
	NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"read_small",
	"read_pinned",
	"readv",
	"splice_read",
	"uring_read",
	"write_in_place",
	"write_copy",
	"write_splice",
	"append",
	"set_length_grow",
	"set_length_shrink",
	"clear",
	"open_trunc",
	"seek",
	"poll",
};

struct race {
	const char *path;
	atomic_int stop;
	atomic_ulong in_flight[NR_OPS];
	atomic_ulong met[NR_OPS][NR_OPS];
	atomic_ulong done[NR_OPS];
	/* Per writer, the highest sequence number it started to store. */
	atomic_uint started[WORKERS];
	atomic_ulong problems;
};

static struct race race;

static const char *device(void)
{
	const char *path = getenv("ECHO_DEV");

	return path ? path : "/dev/echo";
}

static int seconds(void)
{
	const char *s = getenv("ECHO_RACE_SECONDS");

	return s ? atoi(s) : 8;
}

/* The first problems, to stderr; all of them counted. */
static void complain(const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&race.problems, 1) >= 10)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "# problem: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static __u64 checksum(const struct record *r)
{
	const __u8 *p = (const __u8 *)r;
	__u64 h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < offsetof(struct record, sum); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void make_record(struct record *r, __u32 slot, __u32 writer, __u32 seq)
{
	size_t i;

	r->magic = MAGIC;
	r->slot = slot;
	r->writer = writer;
	r->seq = seq;
	for (i = 0; i < sizeof(r->payload); i++)
		r->payload[i] = writer * 131 + seq * 7 + i;
	r->sum = checksum(r);
}

/*
 * The oracle for n bytes read at slot first: whole slots, each zeros or a
 * record that some write stored there (or appended).
 */
static void check_records(const char *what, const void *buf, size_t n,
			  size_t first)
{
	static const struct record zeros;
	const struct record *r = buf;
	size_t i;

	if (n % RECORD)
		complain("%s: %zu bytes at slot %zu: a length no write made",
			 what, n, first);
	for (i = 0; i < n / RECORD; i++, r++) {
		if (!memcmp(r, &zeros, RECORD))
			continue;
		if (r->magic != MAGIC || r->sum != checksum(r))
			complain("%s: slot %zu torn (writer %u, seq %u)", what,
				 first + i, r->writer, r->seq);
		else if (r->slot != first + i && r->slot != APPENDED)
			complain("%s: slot %zu holds the record of slot %u",
				 what, first + i, r->slot);
		else if (r->writer >= WORKERS ||
			 r->seq > atomic_load(&race.started[r->writer]))
			complain("%s: slot %zu: unwritten (writer %u, seq %u)",
				 what, first + i, r->writer, r->seq);
	}
}

/* Note the start of op; at its end, the ops it met. */
static void begin(enum op op)
{
	atomic_fetch_add(&race.in_flight[op], 1);
}

static void end(enum op op)
{
	int other;

	for (other = 0; other < NR_OPS; other++)
		if (atomic_load(&race.in_flight[other]) > !!(other == op))
			atomic_fetch_add(&race.met[op][other], 1);
	atomic_fetch_sub(&race.in_flight[op], 1);
	atomic_fetch_add(&race.done[op], 1);
}

struct worker {
	int id;
	__u32 seq;
	__u64 rng;
	int fd, append_fd, poll_fd, seek_fd, pipe[2];
	struct io_uring ring;
	struct record records[MAX_RECORDS];
	char buf[2 * WORKING_SET];
};

static __u64 next_random(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static size_t below(struct worker *w, size_t n)
{
	return n ? next_random(w) % n : 0;
}

static __u64 stored_length(int fd)
{
	__u64 len = 0;

	if (ioctl(fd, ECHO_IOC_GET_LENGTH, &len))
		complain("ECHO_IOC_GET_LENGTH: %s", strerror(errno));
	if (len % RECORD)
		complain("length %llu: not whole slots",
			 (unsigned long long)len);
	return len;
}

/* count records of this writer, for slot first on (or appended). */
static size_t fill_records(struct worker *w, size_t first, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		atomic_store(&race.started[w->id], ++w->seq);
		make_record(&w->records[i],
			    first == APPENDED ? APPENDED : first + i, w->id,
			    w->seq);
	}
	return count * RECORD;
}

static void expect_count(const char *what, ssize_t got, size_t want)
{
	if (got != (ssize_t)want)
		complain("%s: %zd of %zu bytes (%s)", what, got, want,
			 got < 0 ? strerror(errno) : "short");
}

static void read_and_check(struct worker *w, enum op op)
{
	size_t first = below(w, SLOTS), count;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct iovec iov[3];
	ssize_t got = -1;
	loff_t off;

	switch (op) {
	case READ_SMALL: /* up to two records: the stack copy */
		got = pread(w->fd, w->buf, RECORD * (1 + below(w, 2)),
			    first * RECORD);
		break;
	case READ_PINNED: /* the whole snapshot, or three slots or more */
		if (below(w, 2))
			first = 0;
		count = below(w, 2) ? 2 * SLOTS : 3 + below(w, SLOTS);
		got = pread(w->fd, w->buf, count * RECORD, first * RECORD);
		break;
	case READV: /* in pieces that cut records */
		count = 3 + below(w, SLOTS);
		iov[0].iov_base = w->buf;
		iov[0].iov_len = 1 + below(w, count * RECORD - 2);
		iov[1].iov_base = w->buf + iov[0].iov_len;
		iov[1].iov_len =
			1 + below(w, count * RECORD - iov[0].iov_len - 1);
		iov[2].iov_base = w->buf + iov[0].iov_len + iov[1].iov_len;
		iov[2].iov_len =
			count * RECORD - iov[0].iov_len - iov[1].iov_len;
		got = preadv(w->fd, iov, 3, first * RECORD);
		break;
	case SPLICE_READ: /* splice or sendfile, into a pipe of 16 pages */
		count = 1 + below(w, 16 * 4096 / RECORD);
		off = first * RECORD;
		if (below(w, 2))
			got = splice(w->fd, &off, w->pipe[1], NULL,
				     count * RECORD, 0);
		else
			got = sendfile(w->pipe[1], w->fd, &off, count * RECORD);
		if (got > 0)
			expect_count("read of the spliced bytes",
				     read(w->pipe[0], w->buf, got), got);
		break;
	case URING_READ:
		count = 1 + below(w, SLOTS);
		sqe = io_uring_get_sqe(&w->ring);
		io_uring_prep_read(sqe, w->fd, w->buf, count * RECORD,
				   first * RECORD);
		if (io_uring_submit_and_wait(&w->ring, 1) == 1 &&
		    !io_uring_peek_cqe(&w->ring, &cqe)) {
			got = cqe->res;
			if (got < 0)
				errno = -got;
			io_uring_cqe_seen(&w->ring, cqe);
		}
		break;
	default:
		return;
	}
	if (got < 0) {
		complain("%s: %s", op_names[op], strerror(errno));
		return;
	}
	check_records(op_names[op], w->buf, got, first);
}

static void write_records(struct worker *w, enum op op)
{
	size_t first = below(w, SLOTS), count, n;
	loff_t off = first * RECORD;

	switch (op) {
	case WRITE_IN_PLACE: /* one record: in place, or copied if held */
		n = fill_records(w, first, 1);
		expect_count("write_in_place",
			     pwrite(w->fd, w->records, n, off), n);
		break;
	case WRITE_COPY: /* records of fresh chunks */
		count = 3 + below(w, MAX_RECORDS - 2);
		if (first + count > SLOTS)
			first = SLOTS - count;
		n = fill_records(w, first, count);
		expect_count("write_copy",
			     pwrite(w->fd, w->records, n, first * RECORD), n);
		break;
	case WRITE_SPLICE:
		count = 1 + below(w, MAX_RECORDS);
		if (first + count > SLOTS)
			first = SLOTS - count;
		off = first * RECORD;
		n = fill_records(w, first, count);
		expect_count("write to the pipe",
			     write(w->pipe[1], w->records, n), n);
		expect_count("write_splice",
			     splice(w->pipe[0], NULL, w->fd, &off, n, 0), n);
		break;
	case APPEND:
		n = fill_records(w, APPENDED, 1 + below(w, 8));
		expect_count("append", write(w->append_fd, w->records, n), n);
		break;
	default:
		break;
	}
}

static void set_length(struct worker *w, enum op op)
{
	__u64 len = stored_length(w->fd) / RECORD;

	if (op == SET_LENGTH_GROW)
		len = len < SLOTS ? len + below(w, SLOTS - len) + 1 : len;
	else
		len = below(w, len + 1);
	len *= RECORD;
	if (ioctl(w->fd, ECHO_IOC_SET_LENGTH, &len))
		complain("%s to %llu: %s", op_names[op],
			 (unsigned long long)len, strerror(errno));
}

static void observe(struct worker *w, enum op op)
{
	struct pollfd pfd = { .fd = w->poll_fd, .events = POLLIN | POLLOUT };
	off_t off = below(w, SLOTS) * RECORD, got;
	int fd;

	switch (op) {
	case CLEAR:
		if (ioctl(w->fd, ECHO_IOC_CLEAR))
			complain("clear: %s", strerror(errno));
		break;
	case OPEN_TRUNC:
		fd = open(race.path, O_WRONLY | O_TRUNC);
		if (fd < 0)
			complain("open with O_TRUNC: %s", strerror(errno));
		else
			close(fd);
		break;
	case SEEK:
		got = lseek(w->seek_fd, off,
			    below(w, 2) ? SEEK_HOLE : SEEK_DATA);
		if (got < 0 ? errno != ENXIO : got % RECORD)
			complain("seek from %lld: %lld (%s)", (long long)off,
				 (long long)got, strerror(errno));
		stored_length(w->seek_fd);
		break;
	case POLL: /* this file's position is 0: there is always room */
		if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT))
			complain("poll: revents %#x", pfd.revents);
		break;
	default:
		break;
	}
}

static void run_op(struct worker *w, enum op op)
{
	begin(op);
	if (op <= URING_READ)
		read_and_check(w, op);
	else if (op <= APPEND)
		write_records(w, op);
	else if (op <= SET_LENGTH_SHRINK)
		set_length(w, op);
	else
		observe(w, op);
	end(op);
}

static int open_worker(struct worker *w, int id)
{
	w->id = id;
	w->rng = 0x9e3779b97f4a7c15ULL * (id + 1);
	w->fd = open(race.path, O_RDWR);
	w->append_fd = open(race.path, O_WRONLY | O_APPEND);
	w->poll_fd = open(race.path, O_RDONLY);
	w->seek_fd = open(race.path, O_RDONLY);
	if (w->fd < 0 || w->append_fd < 0 || w->poll_fd < 0 || w->seek_fd < 0 ||
	    pipe(w->pipe) || io_uring_queue_init(4, &w->ring, 0))
		return -1;
	return 0;
}

static void close_worker(struct worker *w)
{
	io_uring_queue_exit(&w->ring);
	close(w->fd);
	close(w->append_fd);
	close(w->poll_fd);
	close(w->seek_fd);
	close(w->pipe[0]);
	close(w->pipe[1]);
}

static void *mixed_worker(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&race.stop))
		run_op(w, below(w, NR_OPS));
	return NULL;
}

static void run_threads(void *(*fn)(void *), struct worker *workers, int count,
			int secs)
{
	pthread_t threads[WORKERS];
	int i;

	atomic_store(&race.stop, 0);
	for (i = 0; i < count; i++)
		pthread_create(&threads[i], NULL, fn, &workers[i]);
	sleep(secs);
	atomic_store(&race.stop, 1);
	for (i = 0; i < count; i++)
		pthread_join(threads[i], NULL);
}

FIXTURE(race)
{
	struct worker *workers;
};

FIXTURE_SETUP(race)
{
	__u64 capacity = 0;
	int i;

	memset(&race, 0, sizeof(race));
	race.path = device();
	self->workers = calloc(WORKERS, sizeof(*self->workers));
	ASSERT_TRUE(!!self->workers);
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, open_worker(&self->workers[i], i))
	TH_LOG("open %s, a pipe and an io_uring: %s", race.path,
	       strerror(errno));
	ASSERT_EQ(0,
		  ioctl(self->workers[0].fd, ECHO_IOC_GET_CAPACITY, &capacity));
	ASSERT_EQ(CAPACITY, capacity)
	TH_LOG("load the module with capacity=16777216");
	ASSERT_EQ(0, ioctl(self->workers[0].fd, ECHO_IOC_CLEAR));
}

FIXTURE_TEARDOWN(race)
{
	int i;

	for (i = 0; i < WORKERS; i++)
		close_worker(&self->workers[i]);
	free(self->workers);
}

/*
 * Every operation against every other, and itself, for ECHO_RACE_SECONDS:
 * each read checked, and each pair shown to have met.
 */
TEST_F_TIMEOUT(race, every_pair_of_operations, 600)
{
	int a, b, unmet = 0, pairs = 0;

	run_threads(mixed_worker, self->workers, WORKERS, seconds());
	for (a = 0; a < NR_OPS; a++) {
		TH_LOG("%s: %lu", op_names[a], atomic_load(&race.done[a]));
		for (b = a; b < NR_OPS; b++) {
			pairs++;
			if (atomic_load(&race.met[a][b]) +
			    atomic_load(&race.met[b][a]))
				continue;
			TH_LOG("%s and %s never ran at once", op_names[a],
			       op_names[b]);
			unmet++;
		}
	}
	TH_LOG("%d of %d pairs of operations ran at once", pairs - unmet,
	       pairs);
	EXPECT_EQ(0, atomic_load(&race.problems));
	EXPECT_EQ(0, unmet);
}

/* Records each appender stores at most. */
#define APPENDS 15000

static void *appender(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&race.stop))
		run_op(w, w->id < APPENDERS && w->seq < APPENDS ? APPEND :
								  READ_PINNED);
	return NULL;
}

/*
 * Appenders beside readers of the whole snapshot: at the end, each
 * appender's records are all there, once each and in order.
 */
/*
 * The appends of writers 0 to writers - 1, each all there in order, once
 * each, as the device holds them at the end: each a whole number of
 * records, so every record's slot is APPENDED. Those of writer whole, one
 * write, lie side by side.
 */
static void expect_appends(struct __test_metadata *_metadata,
			   struct worker *workers, int writers, int whole)
{
	size_t size = CAPACITY;
	__u32 next[WORKERS] = { 0 };
	const struct record *r, *last = NULL;
	char *buf = malloc(size);
	ssize_t got;
	int i;

	ASSERT_TRUE(!!buf);
	got = pread(workers[0].fd, buf, size, 0);
	ASSERT_LT(0, got);
	check_records("the appends", buf, got, 0);
	for (r = (void *)buf; (char *)r < buf + got; r++) {
		ASSERT_GT(writers, r->writer);
		EXPECT_EQ(next[r->writer] + 1, r->seq)
		TH_LOG("appender %u: record %u after %u", r->writer, r->seq,
		       next[r->writer]);
		next[r->writer] = r->seq;
		if (r->writer != whole)
			continue;
		EXPECT_TRUE(!last || last == r - 1)
		TH_LOG("the one write of appender %d is split", whole);
		last = r;
	}
	for (i = 0; i < writers; i++) {
		TH_LOG("appender %d: %u records", i, next[i]);
		EXPECT_EQ(workers[i].seq, next[i]);
	}
	free(buf);
}

TEST_F_TIMEOUT(race, no_append_is_lost, 600)
{
	run_threads(appender, self->workers, WORKERS, 3);
	expect_appends(_metadata, self->workers, APPENDERS, -1);
	EXPECT_LT(0, atomic_load(&race.met[APPEND][APPEND]));
	EXPECT_EQ(0, atomic_load(&race.problems));
}

/* A large append, in whole records, and how long it may take. */
#define LARGE_APPEND (8 * MIB / RECORD * RECORD)
#define LARGE_APPEND_MS 2000
/* The stream of small appends beside it: at most this long. */
#define STREAM_SECONDS 10

static void *small_appender(void *arg)
{
	struct worker *w = arg;
	time_t end = time(NULL) + STREAM_SECONDS;

	while (!atomic_load(&race.stop) && time(NULL) < end) {
		run_op(w, APPEND);
		usleep(1000);
	}
	return NULL;
}

/*
 * An append of 8 MiB beside two streams of small appends, each of which
 * moves the end before the large one is copied in: it must still land,
 * whole, well within its bound.
 */
TEST_F_TIMEOUT(race, a_large_append_is_not_starved, 120)
{
	struct worker *large = &self->workers[0];
	struct record *records = malloc(LARGE_APPEND);
	unsigned long small_prior, small_before, small_during;
	struct timespec start, stop;
	pthread_t threads[2];
	size_t i;
	ssize_t got;
	long ms;

	ASSERT_TRUE(!!records);
	for (i = 0; i < LARGE_APPEND / RECORD; i++) {
		atomic_store(&race.started[0], ++large->seq);
		make_record(&records[i], APPENDED, 0, large->seq);
	}
	small_prior = atomic_load(&race.done[APPEND]);
	for (i = 0; i < 2; i++)
		pthread_create(&threads[i], NULL, small_appender,
			       &self->workers[i + 1]);
	usleep(100 * 1000); /* the streams are flowing */
	small_before = atomic_load(&race.done[APPEND]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	got = write(large->append_fd, records, LARGE_APPEND);
	clock_gettime(CLOCK_MONOTONIC, &stop);
	small_during = atomic_load(&race.done[APPEND]) - small_before;
	atomic_store(&race.stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	free(records);

	ms = (stop.tv_sec - start.tv_sec) * 1000 +
	     (stop.tv_nsec - start.tv_nsec) / 1000000;
	TH_LOG("an append of %d bytes: %lu small appends in the 100 ms before, %lu during",
	       LARGE_APPEND, small_before - small_prior, small_during);
	TH_LOG("timing: the large append: %ld of at most %d ms", ms,
	       LARGE_APPEND_MS);
	EXPECT_EQ(LARGE_APPEND, got);
	/*
	 * The race happened: the streams were appending as it began. Those
	 * that land meanwhile move the end under it; the others wait for its
	 * turn, so none need land while it is under way.
	 */
	EXPECT_LT(0, small_before - small_prior);
	EXPECT_GT(LARGE_APPEND_MS, ms);
	expect_appends(_metadata, self->workers, 3, 0);
	EXPECT_EQ(0, atomic_load(&race.problems));
}

/* The byte at pos of the 16 MiB. */
static __u8 pattern(size_t pos)
{
	return pos * 7 + (pos >> 12);
}

static char *pattern_buffer(void)
{
	char *data = malloc(CAPACITY);
	size_t i;

	for (i = 0; data && i < CAPACITY; i++)
		data[i] = pattern(i);
	return data;
}

/* A truncation to a tail inside a page, then the rest written again. */
#define SHORT (8 * MIB + 100)

static void *truncator(void *arg)
{
	struct worker *w = arg;
	char *data = pattern_buffer();
	__u64 len = SHORT;

	if (!data)
		complain("malloc: %s", strerror(errno));
	while (data && !atomic_load(&race.stop)) {
		begin(SET_LENGTH_SHRINK);
		if (ioctl(w->fd, ECHO_IOC_SET_LENGTH, &len))
			complain("set length %llu: %s", len, strerror(errno));
		end(SET_LENGTH_SHRINK);
		begin(WRITE_COPY);
		expect_count("the write after the truncation",
			     pwrite(w->fd, data + SHORT, CAPACITY - SHORT,
				    SHORT),
			     CAPACITY - SHORT);
		end(WRITE_COPY);
	}
	free(data);
	return NULL;
}

/* Reads of 16 MiB: the length is 16 MiB or SHORT, every byte the pattern. */
static void *whole_reader(void *arg)
{
	struct worker *w = arg;
	char *buf = malloc(CAPACITY);
	ssize_t got, i;

	if (!buf)
		complain("malloc: %s", strerror(errno));
	while (buf && !atomic_load(&race.stop)) {
		begin(READ_PINNED);
		got = pread(w->fd, buf, CAPACITY, 0);
		end(READ_PINNED);
		if (got != CAPACITY && got != SHORT) {
			complain("read of 16 MiB: %zd (%s)", got,
				 got < 0 ? strerror(errno) :
					   "a length never set");
			continue;
		}
		for (i = 0; i < got; i++)
			if ((__u8)buf[i] != pattern(i))
				break;
		if (i < got)
			complain("read of %zd bytes torn at %zd", got, i);
	}
	free(buf);
	return NULL;
}

static void *crash_worker(void *arg)
{
	struct worker *w = arg;

	return w->id ? whole_reader(w) : truncator(w);
}

/*
 * Two reads of the whole 16 MiB against truncations to a tail inside a
 * page and writes of the rest: chunk_held() against the readers'
 * references, and every read one snapshot.
 */
TEST_F_TIMEOUT(race, truncation_against_pinning_reads, 600)
{
	char *data = pattern_buffer();
	unsigned long met;

	ASSERT_TRUE(!!data);
	ASSERT_EQ(CAPACITY, pwrite(self->workers[0].fd, data, CAPACITY, 0));
	free(data);
	run_threads(crash_worker, self->workers, 3, 3);
	met = atomic_load(&race.met[READ_PINNED][SET_LENGTH_SHRINK]) +
	      atomic_load(&race.met[SET_LENGTH_SHRINK][READ_PINNED]);
	TH_LOG("%lu reads, %lu truncations, %lu times one met the other",
	       atomic_load(&race.done[READ_PINNED]),
	       atomic_load(&race.done[SET_LENGTH_SHRINK]), met);
	EXPECT_EQ(0, atomic_load(&race.problems));
	EXPECT_LT(0, met);
}

TEST_HARNESS_MAIN
