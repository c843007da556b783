// SPDX-License-Identifier: GPL-2.0
/*
 * echo-io: the ways to move data besides read and write, in the kernel's
 * kselftest harness: sendfile and splice (the device's .splice_read and
 * .splice_write), and io_uring, whose reads and writes must run inline in
 * the submitter (FMODE_NOWAIT), with no io-wq worker thread, unless the
 * submitter asks for one (IOSQE_ASYNC).
 *
 * Expects the module loaded with capacity=16777216. Set ECHO_DEV to test
 * another node. 64-bit only (liburing).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <lesson4/echo.h>

#include "kselftest_harness.h"

/* Not a multiple of the page size, so that pieces end mid-chunk. */
#define SIZE (256 * 1024 + 123)

static const char *device(void)
{
	const char *path = getenv("ECHO_DEV");

	return path ? path : "/dev/echo";
}

FIXTURE(io)
{
	int fd;
	char *data, *back;
};

FIXTURE_SETUP(io)
{
	int i;

	self->fd = open(device(), O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", device(), strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_CLEAR));
	self->data =
		malloc(SIZE + 1); /* io_uring's test writes from data + 1 */
	self->back = malloc(SIZE);
	ASSERT_TRUE(self->data && self->back);
	for (i = 0; i < SIZE; i++)
		self->data[i] = i * 7 % 251;
}

FIXTURE_TEARDOWN(io)
{
	close(self->fd);
	free(self->data);
	free(self->back);
}

/* A file on the guest's tmpfs, holding count bytes of data. */
static int scratch_file(const char *data, size_t count)
{
	int fd = open("/tmp/echo-io.scratch", O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || (count && pwrite(fd, data, count, 0) != (ssize_t)count))
		return -1;
	return fd;
}

TEST_F(io, sendfile_from_the_device)
{
	int out = scratch_file(NULL, 0);
	off_t offset = 0;
	ssize_t n;

	ASSERT_LE(0, out);
	ASSERT_EQ(SIZE, pwrite(self->fd, self->data, SIZE, 0));
	while (offset < SIZE) {
		n = sendfile(out, self->fd, &offset, SIZE - offset);
		ASSERT_LT(0, n) TH_LOG("sendfile: %s", strerror(errno));
	}
	/* At the end of the data, sendfile finds end of file. */
	ASSERT_EQ(0, sendfile(out, self->fd, &offset, 1));
	ASSERT_EQ(SIZE, pread(out, self->back, SIZE, 0));
	ASSERT_EQ(0, memcmp(self->data, self->back, SIZE));
	close(out);
}

TEST_F(io, sendfile_to_the_device)
{
	int in = scratch_file(self->data, SIZE);
	off_t offset = 0;
	__u64 length;
	ssize_t n;

	ASSERT_LE(0, in);
	while (offset < SIZE) {
		n = sendfile(self->fd, in, &offset, SIZE - offset);
		ASSERT_LT(0, n) TH_LOG("sendfile: %s", strerror(errno));
	}
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_GET_LENGTH, &length));
	ASSERT_EQ(SIZE, length);
	ASSERT_EQ(SIZE, pread(self->fd, self->back, SIZE, 0));
	ASSERT_EQ(0, memcmp(self->data, self->back, SIZE));
	close(in);
}

/* Copy the data to just after itself, through a pipe, with splice. */
TEST_F(io, splice_through_a_pipe)
{
	loff_t in = 0, out = SIZE;
	ssize_t n, m;
	int pipefd[2];

	ASSERT_EQ(0, pipe(pipefd));
	ASSERT_EQ(SIZE, pwrite(self->fd, self->data, SIZE, 0));
	while (in < SIZE) {
		n = splice(self->fd, &in, pipefd[1], NULL, SIZE - in, 0);
		ASSERT_LT(0, n)
		TH_LOG("splice from the device: %s", strerror(errno));
		for (; n > 0; n -= m) {
			m = splice(pipefd[0], NULL, self->fd, &out, n, 0);
			ASSERT_LT(0, m)
			TH_LOG("splice to the device: %s", strerror(errno));
		}
	}
	ASSERT_EQ(SIZE, pread(self->fd, self->back, SIZE, SIZE));
	ASSERT_EQ(0, memcmp(self->data, self->back, SIZE));
	close(pipefd[0]);
	close(pipefd[1]);
}

/* io-wq workers are threads of the submitter, named iou-wrk-PID. */
static int io_workers(void)
{
	char path[300], comm[32];
	struct dirent *task;
	int workers = 0;
	DIR *dir = opendir("/proc/self/task");
	FILE *f;

	while (dir && (task = readdir(dir))) {
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 task->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    !strncmp(comm, "iou-wrk", 7))
			workers++;
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return workers;
}

/* One read or write through the ring: its result. */
static int ring_io(struct io_uring *ring, int fd, bool write, void *buf,
		   unsigned int len, __u64 offset, bool async)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int ret;

	if (write)
		io_uring_prep_write(sqe, fd, buf, len, offset);
	else
		io_uring_prep_read(sqe, fd, buf, len, offset);
	if (async)
		sqe->flags |= IOSQE_ASYNC;
	ret = io_uring_submit_and_wait(ring, 1);
	if (ret < 0)
		return ret;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret < 0)
		return ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

/*
 * Small and large writes and reads through io_uring, inline and then with
 * IOSQE_ASYNC: the data comes back either way, and only IOSQE_ASYNC starts
 * a worker (which also shows that workers would be seen).
 */
TEST_F(io, io_uring_runs_inline_without_a_worker)
{
	static const unsigned int sizes[] = { 1, 64, 4096, 65536, SIZE };
	struct io_uring ring;
	unsigned int i, len;
	int ret, async;

	ret = io_uring_queue_init(8, &ring, 0);
	ASSERT_EQ(0, ret) TH_LOG("io_uring_queue_init: %s", strerror(-ret));

	for (async = 0; async < 2; async++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			len = sizes[i];
			ASSERT_EQ(len,
				  ring_io(&ring, self->fd, true,
					  self->data + async, len, 0, async));
			memset(self->back, 0, len);
			ASSERT_EQ(len, ring_io(&ring, self->fd, false,
					       self->back, len, 0, async));
			ASSERT_EQ(0,
				  memcmp(self->data + async, self->back, len))
			TH_LOG("%u bytes came back different", len);
		}
		if (!async) {
			ASSERT_EQ(0, io_workers())
			TH_LOG("inline reads and writes went to an io-wq worker");
		}
	}
	ASSERT_LT(0, io_workers())
	TH_LOG("IOSQE_ASYNC started no worker: the check cannot see one");
	io_uring_queue_exit(&ring);
}

TEST_HARNESS_MAIN
