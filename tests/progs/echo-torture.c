// SPDX-License-Identifier: GPL-2.0
/*
 * echo-torture PATH SECONDS READERS WRITERS SEEKERS IOCTLERS RECORD_SIZE
 *
 * Concurrent users of one echo device for a bounded time, each with its own
 * open of PATH. Writers keep replacing the record at offset 0, by pwrite()
 * or by lseek() and write(). Readers read the whole record; seekers seek to
 * a random word inside it and read the rest; ioctl callers check that the
 * length is RECORD_SIZE and the capacity at least that.
 *
 * A record is RECORD_SIZE / 8 equal 64-bit words, each naming the writer
 * and its sequence number, so that any word-aligned suffix names the whole
 * record. The parent writes the first record, writer 0 seq 0, and writers
 * 1..WRITERS number theirs from 1. In shared memory each writer publishes
 * the seq of the write it starts and, once the write has returned in full,
 * the seq of the write acknowledged. Every read is checked:
 *
 * torn   not one whole record: a wrong length, unequal words, or a record
 *        that was never written.
 * stale  older than what this process read before for the same writer, or
 *        older than what that writer had acknowledged before the read began
 *        (the first record, once any writer had); or a reader or seeker
 *        that saw fewer than two distinct records while there were writers.
 * lost   the device read empty; or, read again through a new open, it does
 *        not hold the first record before the run, or after the run it does
 *        not hold the last acknowledged write of some writer.
 * errors a failed call, and an ioctl that gave the wrong length or capacity.
 *
 * A process that completes no operation, or dies, counts in failed_procs.
 * Prints one line of counts, and to stderr the first few problems of each
 * kind and every problem found through the parent's new opens. Exits 0
 * only if there was no problem and every kind of process made progress.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lesson4/echo.h>

enum role { READER, WRITER, SEEKER, IOCTLER, NR_ROLES };

static const char *const role_names[NR_ROLES] = { "reads", "writes",
						  "seek_reads", "ioctls" };

#define WORD sizeof(__u64)
#define MAX_WRITERS 64
#define PARENT 0 /* the writer id of the first record */

/* A word: 16 bits of magic, 8 bits of writer id, 40 bits of seq. */
#define MAGIC 0xec40ULL
#define MAGIC_SHIFT 48
#define ID_SHIFT 40
#define SEQ_MASK ((1ULL << ID_SHIFT) - 1)

struct shared {
	unsigned long ops[NR_ROLES];
	unsigned long torn, stale, lost, errors;
	/* Per writer id: the seq of the last write started, and acknowledged. */
	__u64 started[MAX_WRITERS + 1], acked[MAX_WRITERS + 1];
};

struct record {
	int id;
	__u64 seq;
};

/* What a reader or seeker remembers between its reads. */
struct history {
	__u64 newest[MAX_WRITERS + 1]; /* per writer, the newest seq read */
	int read_writer; /* it read some writer's record, not only the first */
	struct record prev; /* the last record read; id -1 before the first */
	unsigned long distinct; /* records read that differ from the previous */
};

enum verdict { WHOLE, NOTHING, WRONG_LENGTH, UNEQUAL, INVALID };

static const char *const verdict_names[] = { "whole", "nothing", "wrong length",
					     "unequal words", "invalid" };

#define MAX_REPORTS 5 /* enough to diagnose, few enough to read */

/* Count a problem; print the first few of each kind. */
#define report(counter, fmt, ...)                                       \
	do {                                                            \
		if (__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED) <= \
		    MAX_REPORTS)                                        \
			fprintf(stderr, fmt "\n", ##__VA_ARGS__);       \
	} while (0)

static struct shared *st;
static size_t size, words;
static int writers;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill(__u64 *buf, int id, __u64 seq)
{
	__u64 word = MAGIC << MAGIC_SHIFT | (__u64)id << ID_SHIFT | seq;
	size_t i;

	for (i = 0; i < words; i++)
		buf[i] = word;
}

/*
 * n bytes read at offset (a multiple of WORD): one whole record, all that
 * was there, and one that was written (its writer had started it).
 */
static enum verdict decode(const __u64 *buf, ssize_t n, size_t offset,
			   struct record *rec)
{
	size_t i, count = (size - offset) / WORD;
	__u64 started;

	if (n == 0)
		return NOTHING;
	if (n != (ssize_t)(size - offset))
		return WRONG_LENGTH;
	for (i = 1; i < count; i++)
		if (buf[i] != buf[0])
			return UNEQUAL;
	rec->id = buf[0] >> ID_SHIFT & 0xff;
	rec->seq = buf[0] & SEQ_MASK;
	if (buf[0] >> MAGIC_SHIFT != MAGIC || rec->id > writers)
		return INVALID;
	if (rec->id == PARENT)
		return rec->seq ? INVALID : WHOLE;
	started = __atomic_load_n(&st->started[rec->id], __ATOMIC_ACQUIRE);
	return rec->seq && rec->seq <= started ? WHOLE : INVALID;
}

/* Read the device through a new open: the record it holds, or why not. */
static enum verdict read_anew(const char *path, __u64 *buf, struct record *rec)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		report(&st->errors, "open %s: errno %d", path, errno);
		return NOTHING;
	}
	n = read(fd, buf, size + WORD);
	if (n < 0)
		report(&st->errors, "read %s: errno %d", path, errno);
	close(fd);
	return decode(buf, n, 0, rec);
}

/*
 * A read of n bytes at offset, begun when the writers had acknowledged
 * acked[] and any_acked was set if any of them had acknowledged a write.
 */
static void check_read(const __u64 *buf, ssize_t n, size_t offset,
		       const __u64 *acked, int any_acked, struct history *h)
{
	struct record rec;

	if (n < 0) {
		report(&st->errors, "read at offset %zu: errno %d", offset,
		       errno);
		return;
	}
	switch (decode(buf, n, offset, &rec)) {
	case WHOLE:
		break;
	case NOTHING:
		report(&st->lost, "empty read at offset %zu: no record",
		       offset);
		return;
	case WRONG_LENGTH:
		report(&st->torn, "read of %zd bytes at offset %zu, not %zu", n,
		       offset, size - offset);
		return;
	case UNEQUAL:
		report(&st->torn, "torn read at offset %zu: words differ",
		       offset);
		return;
	default:
		report(&st->torn, "invalid record %#llx at offset %zu", buf[0],
		       offset);
		return;
	}

	if (rec.id == PARENT && h->read_writer)
		report(&st->stale,
		       "stale read at offset %zu: the first record after a writer's",
		       offset);
	else if (rec.id == PARENT && any_acked)
		report(&st->stale,
		       "stale read at offset %zu: the first record after a write was acknowledged",
		       offset);
	else if (rec.seq < h->newest[rec.id])
		report(&st->stale,
		       "stale read at offset %zu: writer %d seq %llu after seq %llu",
		       offset, rec.id, rec.seq, h->newest[rec.id]);
	else if (rec.seq < acked[rec.id])
		report(&st->stale,
		       "stale read at offset %zu: writer %d seq %llu after it acknowledged seq %llu",
		       offset, rec.id, rec.seq, acked[rec.id]);

	if (rec.id != PARENT)
		h->read_writer = 1;
	if (rec.seq > h->newest[rec.id])
		h->newest[rec.id] = rec.seq;
	if (rec.id != h->prev.id || rec.seq != h->prev.seq)
		h->distinct++;
	h->prev = rec;
}

/* Readers and seekers: read until end, check every read. */
static unsigned long read_loop(enum role role, int fd, unsigned int seed,
			       double end)
{
	__u64 *buf = malloc(size + WORD), acked[MAX_WRITERS + 1] = { 0 };
	struct history h = { .prev.id = -1 };
	unsigned long ops = 0;
	size_t offset = 0;
	int w, any_acked;
	ssize_t n;

	while (buf && now() < end) {
		if (role == SEEKER) {
			offset = rand_r(&seed) % words * WORD;
			if (lseek(fd, offset, SEEK_SET) != (off_t)offset) {
				report(&st->errors, "lseek to %zu: errno %d",
				       offset, errno);
				continue;
			}
		}
		/* What was acknowledged before the read begins. */
		any_acked = 0;
		for (w = 1; w <= writers; w++) {
			acked[w] = __atomic_load_n(&st->acked[w],
						   __ATOMIC_ACQUIRE);
			any_acked |= acked[w] != 0;
		}
		/* One word more: a longer buffer shows as a wrong length. */
		if (role == SEEKER)
			n = read(fd, buf, size - offset + WORD);
		else
			n = pread(fd, buf, size + WORD, 0);
		check_read(buf, n, offset, acked, any_acked, &h);
		ops++;
		__atomic_add_fetch(&st->ops[role], 1, __ATOMIC_RELAXED);
	}
	if (writers && ops && h.distinct < 2)
		report(&st->stale,
		       "a %s process read %lu distinct records in %lu reads",
		       role == SEEKER ? "seeker" : "reader", h.distinct, ops);
	free(buf);
	return ops;
}

/* Writer id: replace the record until end, publishing each acknowledgment. */
static unsigned long write_loop(int id, int fd, double end)
{
	__u64 *buf = malloc(size), seq = 0;
	unsigned long ops = 0;
	ssize_t n;

	while (buf && now() < end) {
		fill(buf, id, ++seq);
		__atomic_store_n(&st->started[id], seq, __ATOMIC_RELEASE);
		if (seq % 2)
			n = pwrite(fd, buf, size, 0);
		else if (lseek(fd, 0, SEEK_SET) == 0)
			n = write(fd, buf, size);
		else
			n = -1;
		if (n != (ssize_t)size) {
			report(&st->errors, "writer %d seq %llu: %zd, errno %d",
			       id, seq, n, errno);
			continue;
		}
		__atomic_store_n(&st->acked[id], seq, __ATOMIC_RELEASE);
		ops++;
		__atomic_add_fetch(&st->ops[WRITER], 1, __ATOMIC_RELAXED);
	}
	free(buf);
	return ops;
}

static unsigned long ioctl_loop(int fd, double end)
{
	unsigned long ops = 0;
	__u64 value;

	while (now() < end) {
		value = 0;
		if (ioctl(fd, ECHO_IOC_GET_LENGTH, &value) || value != size)
			report(&st->errors, "length %llu, errno %d", value,
			       errno);
		value = 0;
		if (ioctl(fd, ECHO_IOC_GET_CAPACITY, &value) || value < size)
			report(&st->errors, "capacity %llu, errno %d", value,
			       errno);
		ops++;
		__atomic_add_fetch(&st->ops[IOCTLER], 1, __ATOMIC_RELAXED);
	}
	return ops;
}

/* In a child: the role's loop on its own open of path. */
static int child(const char *path, enum role role, int i, double seconds,
		 double end)
{
	unsigned long ops;
	int fd;

	alarm(seconds + 30); /* never outlive the test */
	fd = open(path, role == WRITER ? O_WRONLY : O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "%s %d: open: errno %d\n", role_names[role], i,
			errno);
		return 1;
	}
	if (role == WRITER)
		ops = write_loop(i + 1, fd, end);
	else if (role == IOCTLER)
		ops = ioctl_loop(fd, end);
	else
		ops = read_loop(role, fd, i * NR_ROLES + role, end);
	if (!ops)
		fprintf(stderr, "%s %d: no progress\n", role_names[role], i);
	return !ops;
}

/*
 * After the run, through a new open: the device holds the last acknowledged
 * write of some writer, or the first record if none acknowledged any.
 * Always printed.
 */
static void check_last(const char *path, __u64 *buf)
{
	char acked[MAX_WRITERS * 24] = "", *p = acked, found[64];
	enum verdict verdict;
	struct record rec;
	int w, any_acked = 0;

	for (w = 1; w <= writers; w++) {
		any_acked |= st->acked[w] != 0;
		p += snprintf(p, acked + sizeof(acked) - p, " %d:%llu", w,
			      st->acked[w]);
	}
	verdict = read_anew(path, buf, &rec);
	if (verdict != WHOLE)
		snprintf(found, sizeof(found), "no whole record (%s)",
			 verdict_names[verdict]);
	else if (rec.id == PARENT ? any_acked : rec.seq != st->acked[rec.id])
		snprintf(found, sizeof(found), "writer %d seq %llu", rec.id,
			 rec.seq);
	else
		return;
	st->lost++;
	fprintf(stderr, "lost write: the device holds %s, acknowledged:%s\n",
		found, acked);
}

int main(int argc, char **argv)
{
	int count[NR_ROLES], role, i, status, failed = 0, fd, ok;
	double seconds, end;
	struct record rec;
	__u64 *first;

	if (argc == 8) {
		seconds = atof(argv[2]);
		for (role = 0; role < NR_ROLES; role++)
			count[role] = atoi(argv[3 + role]);
		size = strtoul(argv[7], NULL, 10);
		words = size / WORD;
		writers = count[WRITER];
	}
	if (argc != 8 || seconds <= 0 || count[READER] < 0 ||
	    count[SEEKER] < 0 || count[IOCTLER] < 0 || writers < 0 ||
	    writers > MAX_WRITERS || !size || size % WORD) {
		fprintf(stderr,
			"usage: %s PATH SECONDS READERS WRITERS SEEKERS IOCTLERS RECORD_SIZE\n"
			"  at most %d writers; RECORD_SIZE a multiple of %zu\n",
			argv[0], MAX_WRITERS, WORD);
		return 2;
	}

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	first = malloc(size + WORD);
	if (st == MAP_FAILED || !first)
		return 2;
	memset(st, 0, sizeof(*st));

	/* The first record, before anyone starts, so none reads empty. */
	fill(first, PARENT, 0);
	fd = open(argv[1], O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, first, size) != (ssize_t)size) {
		perror(argv[1]);
		return 1;
	}
	close(fd);
	if (read_anew(argv[1], first, &rec) != WHOLE || rec.id != PARENT) {
		st->lost++;
		fprintf(stderr,
			"lost write: a new open does not read the first record\n");
	}

	end = now() + seconds;
	for (role = 0; role < NR_ROLES; role++) {
		for (i = 0; i < count[role]; i++) {
			pid_t pid = fork();

			if (pid < 0) {
				perror("fork");
				return 1;
			}
			if (pid == 0)
				_exit(child(argv[1], role, i, seconds, end));
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	check_last(argv[1], first);

	ok = !st->torn && !st->stale && !st->lost && !st->errors && !failed;
	for (role = 0; role < NR_ROLES; role++) {
		printf("%s=%lu ", role_names[role], st->ops[role]);
		if (count[role] && !st->ops[role])
			ok = 0;
	}
	printf("torn=%lu stale=%lu lost=%lu errors=%lu failed_procs=%d\n",
	       st->torn, st->stale, st->lost, st->errors, failed);
	return !ok;
}
