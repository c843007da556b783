// SPDX-License-Identifier: GPL-2.0
/*
 * stall-read PATH: hold a read of PATH in its copy to userspace (the
 * destination is a userfaultfd page that nobody fills), and meanwhile
 * write one byte to PATH. A driver that holds its lock across the copy
 * makes the write wait for as long as the fault lasts. Prints
 * "a write beside a stalled reader: N ms", then releases the reader;
 * exits 0 if the write ended within 3 s and the reader got its bytes,
 * 1 if not, 2 if no reader could be held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WRITE_BOUND_MS 3000

static int fd;
static char *page;
static long page_size;
static ssize_t read_result;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *stalled_read(void *arg)
{
	read_result = read(fd, page, page_size);
	return NULL;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zero = { 0 };
	struct pollfd pfd;
	pthread_t reader;
	int uffd, writer, status = 0;
	long start, took = -1;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH\n", argv[0]);
		return 2;
	}
	page_size = sysconf(_SC_PAGESIZE);
	fd = open(argv[1], O_RDONLY);
	writer = open(argv[1], O_WRONLY);
	/* Without O_NONBLOCK, poll() on it reports POLLERR at once. */
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)page;
	reg.range.len = page_size;
	if (fd < 0 || writer < 0 || uffd < 0 || page == MAP_FAILED ||
	    ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    pthread_create(&reader, NULL, stalled_read, NULL)) {
		perror("stall-read: setup");
		return 2;
	}
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	if (poll(&pfd, 1, 10000) != 1 || pfd.revents != POLLIN) {
		fprintf(stderr, "stall-read: the read never faulted\n");
		return 2;
	}

	/*
	 * The reader is in its copy now: a write must not wait for it. It
	 * runs in a child, so that this can release the reader either way.
	 */
	start = now_ms();
	if (fork() == 0)
		_exit(write(writer, "w", 1) == 1 ? 0 : 1);
	while (took < 0 && now_ms() - start < WRITE_BOUND_MS) {
		if (waitpid(-1, &status, WNOHANG) > 0)
			took = now_ms() - start;
		else
			usleep(2000);
	}
	printf("a write beside a stalled reader: %ld ms\n",
	       took < 0 ? now_ms() - start : took);

	zero.range.start = (unsigned long)page;
	zero.range.len = page_size;
	ioctl(uffd, UFFDIO_ZEROPAGE, &zero);
	pthread_join(reader, NULL);
	if (took < 0)
		wait(&status);
	printf("the stalled read returned %zd\n", read_result);
	return took >= 0 && !status && read_result >= 0 ? 0 : 1;
}
