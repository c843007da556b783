// SPDX-License-Identifier: GPL-2.0
/*
 * echo-torture PATH SECONDS READERS WRITERS SEEKERS IOCTLERS RECORD_SIZE
 *
 * Concurrent users of one echo device for a bounded time. Writers keep
 * replacing the record at offset 0 with RECORD_SIZE equal letters, a new
 * letter each time, by pwrite() or by lseek() and write(). Readers read the
 * whole record; seekers seek to a random offset inside it and read the rest;
 * ioctl callers ask for the length and the capacity. Every read must show
 * one whole earlier write: the right size, one letter throughout. Each
 * process opens PATH itself, so this also shows that all openers share one
 * buffer. Exits 0 only if nothing tore, nothing failed, and every kind of
 * process made progress.
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

struct stats {
	unsigned long ops[NR_ROLES];
	unsigned long torn, errors;
};

#define MAX_REPORTS 5 /* enough to diagnose, few enough to read */

static struct stats *st;
static size_t size;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(unsigned long *counter, const char *fmt, long a, long b)
{
	if (__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED) <= MAX_REPORTS) {
		fprintf(stderr, fmt, a, b);
		fputc('\n', stderr);
	}
}

/* n bytes read at offset: all one letter, and all that was there. */
static void check_read(const char *buf, ssize_t n, size_t offset)
{
	ssize_t i;

	if (n != (ssize_t)(size - offset)) {
		report(&st->torn, "short read: %ld bytes at offset %ld", n,
		       offset);
		return;
	}
	for (i = 1; i < n && buf[i] == buf[0]; i++)
		;
	if (i < n || buf[0] < 'A' || buf[0] > 'Z')
		report(&st->torn, "torn read: byte %ld differs, offset %ld", i,
		       offset);
}

static void run(enum role role, int fd, unsigned int seed, double end)
{
	char *buf = malloc(size);
	__u64 value;
	size_t offset;
	unsigned int i;

	for (i = seed; buf && now() < end; i++) {
		switch (role) {
		case READER:
			check_read(buf, pread(fd, buf, size, 0), 0);
			break;
		case SEEKER:
			offset = rand_r(&seed) % size;
			if (lseek(fd, offset, SEEK_SET) != (off_t)offset)
				report(&st->errors, "lseek: %ld, errno %ld", -1,
				       errno);
			check_read(buf, read(fd, buf, size), offset);
			break;
		case WRITER:
			memset(buf, 'A' + i % 26, size);
			if ((i % 2 ? pwrite(fd, buf, size, 0) :
				     (lseek(fd, 0, SEEK_SET),
				      write(fd, buf, size))) != (ssize_t)size)
				report(&st->errors,
				       "write failed: %ld, errno %ld", -1,
				       errno);
			break;
		case IOCTLER:
			if (ioctl(fd, ECHO_IOC_GET_LENGTH, &value) ||
			    value != size)
				report(&st->errors, "length %ld, errno %ld",
				       value, errno);
			if (ioctl(fd, ECHO_IOC_GET_CAPACITY, &value) ||
			    value < size)
				report(&st->errors, "capacity %ld, errno %ld",
				       value, errno);
			break;
		default:
			return;
		}
		__atomic_add_fetch(&st->ops[role], 1, __ATOMIC_RELAXED);
	}
}

int main(int argc, char **argv)
{
	int count[NR_ROLES], role, i, status, failed = 0, fd, ok;
	double seconds, end;
	char *first;

	if (argc != 8) {
		fprintf(stderr,
			"usage: %s PATH SECONDS READERS WRITERS SEEKERS IOCTLERS RECORD_SIZE\n",
			argv[0]);
		return 2;
	}
	seconds = atof(argv[2]);
	for (role = 0; role < NR_ROLES; role++)
		count[role] = atoi(argv[3 + role]);
	size = strtoul(argv[7], NULL, 10);
	end = now() + seconds;

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	first = malloc(size);
	if (st == MAP_FAILED || !first || !size)
		return 2;
	memset(st, 0, sizeof(*st));

	/* One whole record before anyone starts, so none reads empty. */
	memset(first, 'A', size);
	fd = open(argv[1], O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, first, size) != (ssize_t)size) {
		perror(argv[1]);
		return 1;
	}
	close(fd);

	for (role = 0; role < NR_ROLES; role++) {
		for (i = 0; i < count[role]; i++) {
			pid_t pid = fork();

			if (pid < 0) {
				perror("fork");
				return 1;
			}
			if (pid == 0) {
				alarm(seconds +
				      30); /* never outlive the test */
				fd = open(argv[1],
					  role == WRITER ? O_WRONLY : O_RDONLY);
				if (fd < 0)
					_exit(1);
				run(role, fd, i * NR_ROLES + role, end);
				_exit(0);
			}
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;

	ok = !st->torn && !st->errors && !failed;
	for (role = 0; role < NR_ROLES; role++) {
		printf("%s=%lu ", role_names[role], st->ops[role]);
		if (count[role] && !st->ops[role])
			ok = 0;
	}
	printf("torn=%lu errors=%lu failed_procs=%d\n", st->torn, st->errors,
	       failed);
	return !ok;
}
