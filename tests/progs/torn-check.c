// SPDX-License-Identifier: GPL-2.0
/*
 * torn-check PATH SECONDS READERS WRITERS RECORD_SIZE
 *
 * Writers keep writing a record of RECORD_SIZE equal bytes at offset 0,
 * a different letter each time. Readers keep reading RECORD_SIZE bytes at
 * offset 0. Every read must return one whole record: a short read or a mix
 * of letters is a torn write. Each process opens PATH itself, so this also
 * shows that all openers share one buffer. Exits 0 only if nothing tore
 * and both sides made progress.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct stats {
	unsigned long reads, writes, torn, errors;
};

#define MAX_REPORTS 5 /* enough to diagnose, few enough to read */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

static void writer(const char *path, size_t size, double end, int id,
		   struct stats *st)
{
	int fd = open_or_die(path, O_WRONLY);
	char *rec = malloc(size);
	unsigned int i;

	for (i = id; now() < end; i++) {
		memset(rec, 'A' + i % 26, size);
		if (pwrite(fd, rec, size, 0) != (ssize_t)size)
			__atomic_add_fetch(&st->errors, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&st->writes, 1, __ATOMIC_RELAXED);
	}
}

static void reader(const char *path, size_t size, double end, struct stats *st)
{
	int fd = open_or_die(path, O_RDONLY);
	char *buf = malloc(size);
	ssize_t n, i;

	while (now() < end) {
		n = pread(fd, buf, size, 0);
		__atomic_add_fetch(&st->reads, 1, __ATOMIC_RELAXED);
		if (n != (ssize_t)size) {
			if (__atomic_add_fetch(&st->torn, 1,
					       __ATOMIC_RELAXED) <= MAX_REPORTS)
				fprintf(stderr, "short read: %zd of %zu\n", n,
					size);
			continue;
		}
		for (i = 1; i < n && buf[i] == buf[0]; i++)
			;
		if (i < n || buf[0] < 'A' || buf[0] > 'Z') {
			if (__atomic_add_fetch(&st->torn, 1,
					       __ATOMIC_RELAXED) <= MAX_REPORTS)
				fprintf(stderr,
					"torn read: '%c' then '%c' at %zd\n",
					buf[0], buf[i], i);
		}
	}
}

int main(int argc, char **argv)
{
	int readers, writers, i, status, failed = 0;
	struct stats *st;
	double end;
	size_t size;
	char *first;
	int fd;

	if (argc != 6) {
		fprintf(stderr,
			"usage: %s PATH SECONDS READERS WRITERS RECORD_SIZE\n",
			argv[0]);
		return 2;
	}
	end = now() + atof(argv[2]);
	readers = atoi(argv[3]);
	writers = atoi(argv[4]);
	size = strtoul(argv[5], NULL, 10);

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	first = malloc(size);
	if (st == MAP_FAILED || !first)
		return 2;
	memset(st, 0, sizeof(*st));

	/* One whole record before the readers start, so none reads empty. */
	memset(first, 'A', size);
	fd = open_or_die(argv[1], O_WRONLY | O_TRUNC);
	if (write(fd, first, size) != (ssize_t)size) {
		perror("first write");
		return 1;
	}
	close(fd);

	for (i = 0; i < readers + writers; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			alarm(atoi(argv[2]) + 30); /* never outlive the test */
			if (i < readers)
				reader(argv[1], size, end, st);
			else
				writer(argv[1], size, end, i, st);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;

	printf("reads=%lu writes=%lu torn=%lu write_errors=%lu failed_procs=%d\n",
	       st->reads, st->writes, st->torn, st->errors, failed);
	return st->torn || st->errors || failed || !st->reads || !st->writes;
}
