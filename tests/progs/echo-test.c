// SPDX-License-Identifier: GPL-2.0
/*
 * echo-test: the file semantics, errors, ioctls, sysfs attributes and
 * locking of /dev/echo, in the kernel's kselftest harness (one forked
 * process and a timeout per test, TAP output).
 *
 * Expects the module loaded with capacity=16777216 devices=2. Set ECHO_DEV
 * to test another node. Built for 64 and for 32 bits; the 32-bit build
 * checks compat_ioctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lesson4/echo.h>

#include "kselftest_harness.h"

#define MIB (1024 * 1024)
/*
 * A wait for a wakeup or a signal must end well before its timeout: one
 * that only ends at the timeout has missed the event.
 */
#define WAIT_TIMEOUT_MS 10000
#define WAIT_PROMPT_MS 3000

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A page that the process has mapped but may not touch. */
static char *inaccessible_page(void)
{
	return mmap(NULL, sysconf(_SC_PAGESIZE), PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static const char *device(void)
{
	const char *path = getenv("ECHO_DEV");

	return path ? path : "/dev/echo";
}

static __u64 ioctl_u64(int fd, unsigned long cmd)
{
	__u64 value = (__u64)-1;

	if (ioctl(fd, cmd, &value))
		return (__u64)-1;
	return value;
}

static long sysfs_value(const char *attr)
{
	char path[256];
	long value = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/misc/%s/%s",
		 strrchr(device(), '/') + 1, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &value) != 1)
		value = -1;
	fclose(f);
	return value;
}

/*
 * Free memory in KiB, counting the pages that wait in per-CPU lists, which
 * MemFree leaves out: from /proc/zoneinfo, "pages free" and each "count:".
 */
static long free_kib(void)
{
	char line[256];
	long pages = 0, n;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " pages free %ld", &n) == 1 ||
		    sscanf(line, " count: %ld", &n) == 1)
			pages += n;
	fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) / 1024);
}

/* All size bytes of buf equal, and a letter: one whole record. */
static int is_record(const char *buf, size_t size)
{
	size_t i;

	if (buf[0] < 'A' || buf[0] > 'Z')
		return 0;
	for (i = 1; i < size; i++)
		if (buf[i] != buf[0])
			return 0;
	return 1;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* Deliver SIGALRM every interval_us, without SA_RESTART. */
static void start_interrupt_timer(long interval_us)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct itimerval it = {
		.it_interval = { .tv_usec = interval_us },
		.it_value = { .tv_usec = interval_us },
	};

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void stop_interrupt_timer(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
}

FIXTURE(echo)
{
	int fd;
	__u64 capacity;
};

FIXTURE_SETUP(echo)
{
	self->fd = open(device(), O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", device(), strerror(errno));
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_CLEAR));
	self->capacity = ioctl_u64(self->fd, ECHO_IOC_GET_CAPACITY);
	ASSERT_EQ(16 * MIB, self->capacity)
	TH_LOG("load the module with capacity=16777216");
}

FIXTURE_TEARDOWN(echo)
{
	close(self->fd);
}

TEST_F(echo, read_and_write_advance_the_position)
{
	char buf[16] = { 0 };

	ASSERT_EQ(3, write(self->fd, "abc", 3));
	ASSERT_EQ(3, write(self->fd, "def", 3));
	ASSERT_EQ(6, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ(2, read(self->fd, buf, 2));
	ASSERT_EQ(4, read(self->fd, buf + 2, sizeof(buf) - 2));
	ASSERT_STREQ("abcdef", buf);
	ASSERT_EQ(6, lseek(self->fd, 0, SEEK_CUR));
}

TEST_F(echo, read_at_the_end_returns_zero)
{
	char buf[8];

	ASSERT_EQ(0, read(self->fd, buf, sizeof(buf)));
	ASSERT_EQ(2, write(self->fd, "hi", 2));
	ASSERT_EQ(0, read(self->fd, buf, sizeof(buf)));
	ASSERT_EQ(0, read(self->fd, buf, sizeof(buf)));
	ASSERT_EQ(2, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, pread(self->fd, buf, sizeof(buf), 100));
}

TEST_F(echo, write_crossing_the_capacity_is_short)
{
	off_t end = self->capacity;

	ASSERT_EQ(end - 2, lseek(self->fd, end - 2, SEEK_SET));
	ASSERT_EQ(2, write(self->fd, "12345", 5));
	ASSERT_EQ(end, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(self->capacity, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH));
}

TEST_F(echo, write_at_the_capacity_fails_with_enospc)
{
	off_t end = self->capacity;

	ASSERT_EQ(-1, pwrite(self->fd, "x", 1, end));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(end, lseek(self->fd, end, SEEK_SET));
	ASSERT_EQ(-1, write(self->fd, "x", 1));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH));
}

TEST_F(echo, o_trunc_empties_the_buffer)
{
	int fd;

	ASSERT_EQ(5, write(self->fd, "hello", 5));
	fd = open(device(), O_RDONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(5, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH))
	TH_LOG("O_TRUNC on a read-only open must not truncate");
	fd = open(device(), O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH));
}

TEST_F(echo, failed_open_changes_nothing)
{
	long opens;

	ASSERT_EQ(5, write(self->fd, "hello", 5));
	opens = sysfs_value("opens");
	/* The VFS refuses O_DIRECT after ->open: the driver must first. */
	ASSERT_EQ(-1, open(device(), O_WRONLY | O_TRUNC | O_DIRECT));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(5, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH))
	TH_LOG("a failed O_TRUNC open emptied the buffer");
	ASSERT_EQ(opens, sysfs_value("opens"))
	TH_LOG("a failed open was counted");
}

TEST_F(echo, o_append_writes_at_the_end)
{
	char buf[16] = { 0 };
	int fd;

	ASSERT_EQ(5, write(self->fd, "first", 5));
	fd = open(device(), O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	ASSERT_EQ(6, write(fd, "second", 6));
	ASSERT_EQ(11, lseek(fd, 0, SEEK_CUR));
	close(fd);
	ASSERT_EQ(11, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_STREQ("firstsecond", buf);
}

TEST_F(echo, llseek_set_cur_and_end)
{
	ASSERT_EQ(10, write(self->fd, "0123456789", 10));
	ASSERT_EQ(4, lseek(self->fd, 4, SEEK_SET));
	ASSERT_EQ(7, lseek(self->fd, 3, SEEK_CUR));
	ASSERT_EQ(5, lseek(self->fd, -2, SEEK_CUR));
	ASSERT_EQ(10, lseek(self->fd, 0, SEEK_END));
	ASSERT_EQ(7, lseek(self->fd, -3, SEEK_END));
	ASSERT_EQ(20, lseek(self->fd, 10, SEEK_END));
}

TEST_F(echo, llseek_to_a_bad_position_fails_with_einval)
{
	ASSERT_EQ(10, write(self->fd, "0123456789", 10));
	ASSERT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, lseek(self->fd, -11, SEEK_END));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, lseek(self->fd, self->capacity + 1, SEEK_SET));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, lseek(self->fd, 0, 42));
	ASSERT_EQ(EINVAL, errno);
	/* A failed seek leaves the position alone. */
	ASSERT_EQ(10, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ((off_t)self->capacity,
		  lseek(self->fd, self->capacity, SEEK_SET));
}

TEST_F(echo, write_inside_the_data_keeps_the_rest)
{
	char buf[16] = { 0 };

	ASSERT_EQ(10, write(self->fd, "0123456789", 10));
	ASSERT_EQ(2, pwrite(self->fd, "ab", 2, 2));
	ASSERT_EQ(10, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH));
	ASSERT_EQ(10, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_STREQ("01ab456789", buf);
}

TEST_F(echo, write_past_the_end_zero_fills_the_gap)
{
	char buf[16];

	ASSERT_EQ(2, write(self->fd, "ab", 2));
	ASSERT_EQ(10, lseek(self->fd, 10, SEEK_SET));
	ASSERT_EQ(2, write(self->fd, "cd", 2));
	ASSERT_EQ(12, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "ab\0\0\0\0\0\0\0\0cd", 12));

	/* Old data past a truncation must not come back through a gap. */
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_CLEAR));
	ASSERT_EQ(12, pwrite(self->fd, "XXXXXXXXXXXX", 12, 0));
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_SET_LENGTH, &(__u64){ 2 }));
	ASSERT_EQ(1, pwrite(self->fd, "!", 1, 8));
	ASSERT_EQ(9, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "XX\0\0\0\0\0\0!", 9));
}

TEST_F(echo, poll_reports_readable_and_writable)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLOUT };

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLOUT, pfd.revents) TH_LOG("empty: writable only");

	ASSERT_EQ(4, pwrite(self->fd, "data", 4, 0));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLIN | POLLOUT, pfd.revents)
	TH_LOG("bytes at the position");

	ASSERT_EQ(4, lseek(self->fd, 4, SEEK_SET));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLOUT, pfd.revents) TH_LOG("at the end: no bytes to read");

	ASSERT_EQ((off_t)self->capacity,
		  lseek(self->fd, self->capacity, SEEK_SET));
	ASSERT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("at the capacity: no room");
}

/*
 * Poll for events on fd while a child, 200 ms later, runs change() on a
 * descriptor of its own opened with flags; the poll must end with exactly
 * those events, promptly.
 */
static void poll_during(struct __test_metadata *_metadata, int fd, short events,
			int flags, int (*change)(int fd))
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long start = now_ms(), waited;
	int status;
	pid_t child = fork();

	ASSERT_LE(0, child);
	if (child == 0) {
		int other = open(device(), flags);

		usleep(200 * 1000);
		_exit(other < 0 || change(other));
	}
	ASSERT_EQ(1, poll(&pfd, 1, WAIT_TIMEOUT_MS));
	waited = now_ms() - start;
	TH_LOG("timing: a woken poll: %ld of at most %d ms", waited,
	       WAIT_PROMPT_MS);
	ASSERT_EQ(events, pfd.revents);
	ASSERT_LT(waited, WAIT_PROMPT_MS)
	TH_LOG("the poll ended after %ld ms, not woken", waited);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int write_data(int fd)
{
	return write(fd, "wake", 4) != 4;
}

static int grow_length(int fd)
{
	return ioctl(fd, ECHO_IOC_SET_LENGTH, &(__u64){ 10 });
}

static int clear(int fd)
{
	return ioctl(fd, ECHO_IOC_CLEAR);
}

TEST_F(echo, poll_wakes_when_data_arrives)
{
	poll_during(_metadata, self->fd, POLLIN, O_WRONLY, write_data);
}

TEST_F(echo, poll_wakes_when_the_length_grows)
{
	poll_during(_metadata, self->fd, POLLIN, O_WRONLY, grow_length);
}

TEST_F(echo, poll_wakes_appenders_when_room_appears)
{
	int fd = open(device(), O_WRONLY | O_APPEND);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_SET_LENGTH,
			   &(__u64){ self->capacity }));
	ASSERT_EQ(0,
		  poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, 0))
	TH_LOG("a full device has no room for an appender");
	poll_during(_metadata, fd, POLLOUT, O_WRONLY, clear);
	close(fd);
}

static int truncate_by_opening(int fd)
{
	int truncating = open(device(), O_WRONLY | O_TRUNC);

	return truncating < 0 || close(truncating);
}

/* An O_TRUNC open, the shell's ">", empties the device: room appears. */
TEST_F(echo, poll_wakes_appenders_when_an_open_truncates)
{
	int fd = open(device(), O_WRONLY | O_APPEND);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_SET_LENGTH,
			   &(__u64){ self->capacity }));
	poll_during(_metadata, fd, POLLOUT, O_RDONLY, truncate_by_opening);
	close(fd);
}

TEST_F(echo, bad_pointer_write_fails_with_efault_and_changes_nothing)
{
	long page = sysconf(_SC_PAGESIZE);
	char buf[8] = { 0 };
	char *two;

	ASSERT_EQ(4, write(self->fd, "keep", 4));
	ASSERT_EQ(-1, pwrite(self->fd, inaccessible_page(), 16, 0));
	ASSERT_EQ(EFAULT, errno);

	/* The first half is readable, the second is not: still nothing. */
	two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(two != MAP_FAILED);
	memset(two, 'Z', page);
	ASSERT_EQ(0, munmap(two + page, page));
	ASSERT_EQ(-1, pwrite(self->fd, two + page - 8, 16, 0));
	ASSERT_EQ(EFAULT, errno);

	ASSERT_EQ(4, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH));
	ASSERT_EQ(4, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_STREQ("keep", buf);
}

TEST_F(echo, bad_pointer_read_fails_with_efault)
{
	ASSERT_EQ(4, write(self->fd, "data", 4));
	ASSERT_EQ(-1, pread(self->fd, inaccessible_page(), 4, 0));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(4, lseek(self->fd, 0, SEEK_CUR));
}

/*
 * A read that faults part way returns the bytes before the fault, as a
 * read of a regular file does (filemap_read()): a small read through the
 * stack, and a large one from pinned chunks.
 */
TEST_F(echo, read_that_faults_part_way_returns_the_bytes_before)
{
	long page = sysconf(_SC_PAGESIZE);
	char *data = malloc(3 * page), *buf;
	ssize_t got;
	int i;

	ASSERT_TRUE(!!data);
	for (i = 0; i < 3 * page; i++)
		data[i] = 'a' + i % 23;
	ASSERT_EQ(3 * page, pwrite(self->fd, data, 3 * page, 0));
	buf = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(buf != MAP_FAILED);
	ASSERT_EQ(0, munmap(buf + 2 * page, page));

	ASSERT_EQ(2 * page, pread(self->fd, buf, 3 * page, 0));
	ASSERT_EQ(0, memcmp(data, buf, 2 * page));
	/* The exact count of a small copy is the architecture's to round. */
	got = pread(self->fd, buf + 2 * page - 100, 200, 0);
	ASSERT_LT(0, got);
	ASSERT_GE(100, got);
	ASSERT_EQ(0, memcmp(data, buf + 2 * page - 100, got));
	/* No byte copied: EFAULT, and the position stays. */
	ASSERT_EQ(-1, read(self->fd, buf + 2 * page, 200));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(2 * page, read(self->fd, buf, 3 * page));
	ASSERT_EQ(2 * page, lseek(self->fd, 0, SEEK_CUR));
	munmap(buf, 2 * page);
	free(data);
}

TEST_F(echo, unknown_ioctl_fails_with_enotty)
{
	ASSERT_EQ(-1, ioctl(self->fd, _IO(ECHO_IOC_MAGIC, 0x7f)));
	ASSERT_EQ(ENOTTY, errno);
	ASSERT_EQ(-1, ioctl(self->fd, _IOR('X', 0x01, __u64), &(__u64){ 0 }));
	ASSERT_EQ(ENOTTY, errno);
}

TEST_F(echo, ioctl_length_capacity_and_clear)
{
	ASSERT_EQ(0, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH));
	ASSERT_EQ(5, write(self->fd, "hello", 5));
	ASSERT_EQ(5, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH));
	ASSERT_EQ(16 * MIB, ioctl_u64(self->fd, ECHO_IOC_GET_CAPACITY));
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_CLEAR));
	ASSERT_EQ(0, ioctl_u64(self->fd, ECHO_IOC_GET_LENGTH));
	ASSERT_EQ(-1,
		  ioctl(self->fd, ECHO_IOC_GET_LENGTH, inaccessible_page()));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(echo, ioctl_set_length_truncates_and_zero_extends)
{
	char buf[8];

	ASSERT_EQ(6, write(self->fd, "abcdef", 6));
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_SET_LENGTH, &(__u64){ 3 }));
	ASSERT_EQ(3, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "abc", 3));
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_SET_LENGTH, &(__u64){ 5 }));
	ASSERT_EQ(5, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, memcmp(buf, "abc\0\0", 5));
}

TEST_F(echo, ioctl_with_a_bad_argument_fails)
{
	ASSERT_EQ(-1, ioctl(self->fd, ECHO_IOC_SET_LENGTH,
			    &(__u64){ self->capacity + 1 }));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1,
		  ioctl(self->fd, ECHO_IOC_SET_LENGTH, &(__u64){ (__u64)-1 }));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1,
		  ioctl(self->fd, ECHO_IOC_SET_LENGTH, inaccessible_page()));
	ASSERT_EQ(EFAULT, errno);
}

TEST_F(echo, changing_ioctls_need_a_writable_descriptor)
{
	int fd = open(device(), O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(self->fd, "data", 4));
	ASSERT_EQ(-1, ioctl(fd, ECHO_IOC_CLEAR));
	ASSERT_EQ(EBADF, errno);
	ASSERT_EQ(-1, ioctl(fd, ECHO_IOC_SET_LENGTH, &(__u64){ 0 }));
	ASSERT_EQ(EBADF, errno);
	/* The permission comes first, whatever the argument. */
	ASSERT_EQ(-1, ioctl(fd, ECHO_IOC_SET_LENGTH,
			    &(__u64){ self->capacity + 1 }));
	ASSERT_EQ(EBADF, errno);
	ASSERT_EQ(-1, ioctl(fd, ECHO_IOC_SET_LENGTH, inaccessible_page()));
	ASSERT_EQ(EBADF, errno);
	ASSERT_EQ(4, ioctl_u64(fd, ECHO_IOC_GET_LENGTH));
	close(fd);
}

TEST_F(echo, sysfs_attributes_follow_use)
{
	long opens = sysfs_value("opens"), reads = sysfs_value("reads");
	long writes = sysfs_value("writes");
	long bytes_read = sysfs_value("bytes_read");
	long bytes_written = sysfs_value("bytes_written");
	char buf[8];
	int fd;

	ASSERT_EQ((long)self->capacity, sysfs_value("capacity"));
	ASSERT_EQ(0, sysfs_value("length"));
	fd = open(device(), O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(7, write(fd, "counted", 7));
	ASSERT_EQ(3, pread(fd, buf, 3, 0));
	ASSERT_EQ(0, pread(fd, buf, 3, 7));
	close(fd);
	ASSERT_EQ(7, sysfs_value("length"));
	ASSERT_EQ(opens + 1, sysfs_value("opens"));
	ASSERT_EQ(writes + 1, sysfs_value("writes"));
	ASSERT_EQ(bytes_written + 7, sysfs_value("bytes_written"));
	ASSERT_EQ(reads + 2, sysfs_value("reads"));
	ASSERT_EQ(bytes_read + 3, sysfs_value("bytes_read"));
}

TEST_F(echo, memory_follows_the_bytes_stored)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = 16 * MIB;
	long free_before, free_full, free_after;
	char *data = malloc(size);
	int i;

	ASSERT_TRUE(!!data);
	memset(data, 'M', size);
	ASSERT_EQ(0, sysfs_value("memory"))
	TH_LOG("an empty device holds memory");

	ASSERT_EQ(page + 1, pwrite(self->fd, data, page + 1, 0));
	ASSERT_EQ(2 * page, sysfs_value("memory"));
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_CLEAR));
	ASSERT_EQ(0, sysfs_value("memory"));

	/* The kernel's own count agrees: 16 MiB stored, then freed. */
	free_before = free_kib();
	ASSERT_EQ((ssize_t)size, pwrite(self->fd, data, size, 0));
	free_full = free_kib();
	ASSERT_EQ((long)size, sysfs_value("memory"));
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_SET_LENGTH, &(__u64){ 1 }));
	ASSERT_EQ(page, sysfs_value("memory"));
	ASSERT_EQ(0, ioctl(self->fd, ECHO_IOC_CLEAR));
	/* Chunks are freed after an RCU grace period: allow 2 s. */
	for (i = 0; i < 200; i++) {
		free_after = free_kib();
		if (free_after - free_full >= 15 * 1024)
			break;
		usleep(10 * 1000);
	}
	TH_LOG("free %ld -> %ld -> %ld KiB (%d ms later)", free_before,
	       free_full, free_after, i * 10);
	ASSERT_GE(free_before - free_full, 15 * 1024);
	ASSERT_GE(free_after - free_full, 15 * 1024);
	free(data);
}

TEST_F(echo, devices_are_independent)
{
	char path[64], buf[8] = { 0 };
	int other;

	snprintf(path, sizeof(path), "%s1", device());
	other = open(path, O_RDWR | O_TRUNC);
	ASSERT_LE(0, other) TH_LOG("load the module with devices=2");
	ASSERT_EQ(3, write(self->fd, "one", 3));
	ASSERT_EQ(3, write(other, "two", 3));
	ASSERT_EQ(3, pread(self->fd, buf, sizeof(buf), 0));
	ASSERT_STREQ("one", buf);
	ASSERT_EQ(3, pread(other, buf, sizeof(buf), 0));
	ASSERT_STREQ("two", buf);
	close(other);
}

/* A reader stuck in its copy to userspace, on a userfaultfd page. */
struct stalled_reader {
	int uffd, fd;
	char *buf;
	long page;
	pthread_t thread;
	ssize_t result;
	int done;
};

static void *stalled_read(void *arg)
{
	struct stalled_reader *r = arg;

	r->result = pread(r->fd, r->buf, r->page, 0);
	__atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* 0 once a reader is in its copy, faulting on a userfaultfd page. */
static int stall_a_reader(struct stalled_reader *r, int fd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct pollfd pfd;

	r->fd = fd;
	r->done = 0;
	r->page = sysconf(_SC_PAGESIZE);
	/* Without O_NONBLOCK, poll() on it reports POLLERR at once. */
	r->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (r->uffd < 0 || ioctl(r->uffd, UFFDIO_API, &api))
		return -1;
	r->buf = mmap(NULL, r->page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg.range.start = (unsigned long)r->buf;
	reg.range.len = r->page;
	if (r->buf == MAP_FAILED || ioctl(r->uffd, UFFDIO_REGISTER, &reg))
		return -1;
	if (pthread_create(&r->thread, NULL, stalled_read, r))
		return -1;
	pfd = (struct pollfd){ .fd = r->uffd, .events = POLLIN };
	return poll(&pfd, 1, 10000) == 1 && pfd.revents == POLLIN ? 0 : -1;
}

static ssize_t release_the_reader(struct stalled_reader *r)
{
	struct uffdio_zeropage zero = {
		.range = { .start = (unsigned long)r->buf, .len = r->page },
	};

	ioctl(r->uffd, UFFDIO_ZEROPAGE, &zero);
	pthread_join(r->thread, NULL);
	return r->result;
}

TEST_F(echo, readers_do_not_wait_for_readers)
{
	struct stalled_reader stalled;
	char page[4096], buf[8];

	memset(page, 'R', sizeof(page));
	ASSERT_EQ(4096, pwrite(self->fd, page, sizeof(page), 0));
	ASSERT_EQ(0, stall_a_reader(&stalled, self->fd))
	TH_LOG("userfaultfd: %s", strerror(errno));

	/* Another reader goes straight through. */
	alarm(5);
	ASSERT_EQ(8, pread(self->fd, buf, sizeof(buf), 0));
	alarm(0);
	ASSERT_EQ(4096, release_the_reader(&stalled));
}

/*
 * How long an operation may take while another reader is held in a page
 * fault: bounded kernel work takes milliseconds, even under emulation.
 */
#define LIVENESS_MS 3000

static int open_truncating(void)
{
	int fd = open(device(), O_WRONLY | O_TRUNC);

	return fd < 0 ? -1 : close(fd);
}

static int write_small_and_large(void)
{
	static char big[64 * 1024];
	int fd = open(device(), O_WRONLY);

	memset(big, 'w', sizeof(big));
	return fd < 0 || pwrite(fd, "w", 1, 0) != 1 ||
	       pwrite(fd, big, sizeof(big), 0) != sizeof(big) || close(fd);
}

static int change_the_length(void)
{
	int fd = open(device(), O_WRONLY);

	return fd < 0 || ioctl(fd, ECHO_IOC_SET_LENGTH, &(__u64){ 4096 }) ||
	       ioctl_u64(fd, ECHO_IOC_GET_LENGTH) != 4096 || close(fd);
}

static int open_path(const char *path)
{
	int fd = open(path, O_RDONLY);

	return fd < 0 ? -1 : close(fd);
}

static int open_the_second_device(void)
{
	char path[64];

	snprintf(path, sizeof(path), "%s1", device());
	return open_path(path);
}

/* A misc device of the kernel's own (kernel/power/qos.c). */
static int open_another_misc_device(void)
{
	return open_path("/dev/cpu_dma_latency");
}

static int read_small_and_large(void)
{
	static char big[64 * 1024];
	int fd = open(device(), O_RDONLY);

	return fd < 0 || pread(fd, big, 8, 0) != 8 ||
	       pread(fd, big, sizeof(big), 0) < 0 || close(fd);
}

/*
 * Run op in a child: 0 if it succeeded within LIVENESS_MS, 1 if it
 * failed, 2 if it was still running (then left in *pid, to reap later).
 */
static int runs_promptly(int (*op)(void), pid_t *pid, long *took)
{
	long start = now_ms();
	int status;
	pid_t child = fork();

	*took = 0;
	if (child < 0)
		return 1;
	if (child == 0)
		_exit(op() ? 1 : 0);
	while ((*took = now_ms() - start) < LIVENESS_MS) {
		if (waitpid(child, &status, WNOHANG) == child)
			return !WIFEXITED(status) || WEXITSTATUS(status);
		usleep(2 * 1000);
	}
	*pid = child;
	return 2;
}

/*
 * A reader held in a page fault (userfaultfd) holds no lock: truncating
 * opens, writes, ioctls, opens of other misc devices (misc_open() holds
 * the kernel-wide misc_mtx around our ->open) and other readers all finish
 * at once, and the held reader still gets its whole snapshot.
 */
TEST_F_TIMEOUT(echo, a_reader_held_in_a_page_fault_stalls_nobody, 120)
{
	static const struct {
		const char *name;
		int (*op)(void);
	} ops[] = {
		{ "an O_TRUNC open of the device", open_truncating },
		{ "a write", write_small_and_large },
		{ "an ioctl", change_the_length },
		{ "an open of the second device", open_the_second_device },
		{ "an open of another misc device", open_another_misc_device },
		{ "a second reader", read_small_and_large },
	};
	static const char *const outcomes[] = { "done", "failed",
						"still blocked" };
	pid_t stuck[ARRAY_SIZE(ops)];
	struct stalled_reader stalled;
	int i, nr_stuck = 0, failures = 0, ret;
	char page[4096];
	long took;

	memset(page, 'L', sizeof(page));
	ASSERT_EQ(4096, pwrite(self->fd, page, sizeof(page), 0));
	ASSERT_EQ(0, stall_a_reader(&stalled, self->fd))
	TH_LOG("userfaultfd: %s", strerror(errno));

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		ret = runs_promptly(ops[i].op, &stuck[nr_stuck], &took);
		if (ret == 2)
			nr_stuck++;
		if (ret)
			failures++;
		TH_LOG("%s: %s", ops[i].name, outcomes[ret]);
		TH_LOG("timing: %s beside a stalled reader: %ld of at most %d ms",
		       ops[i].name, took, LIVENESS_MS);
	}
	EXPECT_FALSE(stalled.done)
	TH_LOG("the reader was released before the end of the checks");

	ASSERT_EQ(4096, release_the_reader(&stalled));
	for (i = 0; i < 4096; i++)
		if (stalled.buf[i] != 'L')
			break;
	EXPECT_EQ(4096, i) TH_LOG("the held reader's snapshot changed");
	while (nr_stuck--)
		waitpid(stuck[nr_stuck], NULL, 0);
	ASSERT_EQ(0, failures);
}

/* The writes that a writer has begun and ended, shared with the test. */
struct write_counts {
	unsigned long begun, ended;
};

/* Ended first: a write counted as ended is counted as begun. */
static void load_counts(const struct write_counts *counts,
			struct write_counts *now)
{
	now->ended = __atomic_load_n(&counts->ended, __ATOMIC_SEQ_CST);
	now->begun = __atomic_load_n(&counts->begun, __ATOMIC_SEQ_CST);
}

/* Whether a write was in flight, or began, between before and after. */
static bool overlapped(const struct write_counts *before,
		       const struct write_counts *after)
{
	return before->begun > before->ended || after->begun > before->begun;
}

/*
 * Each read is one snapshot, even of all 16 MiB while 16 MiB writes land
 * back to back; a signal ends a long read early with a prefix of it.
 */
TEST_F_TIMEOUT(echo, large_reads_are_snapshots_and_interruptible, 120)
{
	size_t size = self->capacity;
	char *buf = malloc(size);
	int short_reads = 0, whole = 0, torn = 0, raced = 0, i;
	struct write_counts *counts, before, after;
	pid_t writer;
	ssize_t n;

	ASSERT_TRUE(!!buf);
	counts = mmap(NULL, sizeof(*counts), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(counts != MAP_FAILED);
	memset(buf, 'A', size);
	ASSERT_EQ((ssize_t)size, pwrite(self->fd, buf, size, 0));

	writer = fork();
	ASSERT_LE(0, writer);
	if (writer == 0) {
		for (i = 0;; i++) {
			memset(buf, 'A' + i % 26, size);
			__atomic_add_fetch(&counts->begun, 1, __ATOMIC_SEQ_CST);
			if (pwrite(self->fd, buf, size, 0) != (ssize_t)size)
				_exit(1);
			__atomic_add_fetch(&counts->ended, 1, __ATOMIC_SEQ_CST);
		}
	}

	for (i = 0; i < 4; i++) {
		load_counts(counts, &before);
		n = pread(self->fd, buf, size, 0);
		load_counts(counts, &after);
		raced += overlapped(&before, &after);
		if (n == (ssize_t)size && is_record(buf, size))
			whole++;
		else
			torn++;
	}
	/* Under a 1 ms timer, reads end early: each with one record's bytes. */
	start_interrupt_timer(1000);
	for (i = 0; i < 200 && short_reads < 3; i++) {
		n = pread(self->fd, buf, size, 0);
		if (n > 0 && n < (ssize_t)size && is_record(buf, n))
			short_reads++;
		else if (n != (ssize_t)size || !is_record(buf, size))
			torn++;
	}
	stop_interrupt_timer();
	kill(writer, SIGKILL);
	waitpid(writer, NULL, 0);
	TH_LOG("%d whole reads (%d during a write), %d cut short by a signal, %d torn or failed",
	       whole, raced, short_reads, torn);
	ASSERT_EQ(0, torn);
	ASSERT_EQ(4, whole);
	ASSERT_LT(0, raced) TH_LOG("no whole read overlapped a write");
	ASSERT_LT(0, short_reads);
	munmap(counts, sizeof(*counts));
	free(buf);
}

struct record_reader {
	int fd;
	unsigned char *seen;
};

static void *read_records(void *arg)
{
	struct record_reader *r = arg;
	unsigned int record;

	while (read(r->fd, &record, sizeof(record)) == sizeof(record))
		__atomic_fetch_add(&r->seen[record], 1, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * Threads that share a descriptor take turns on its position, as for a
 * regular file: each 4-byte record is read once, by one of them.
 */
TEST_F_TIMEOUT(echo, threads_sharing_a_descriptor_read_each_record_once, 60)
{
	enum { RECORDS = 32768 };
	unsigned int *records = malloc(RECORDS * sizeof(*records));
	unsigned char *seen = calloc(RECORDS, 1);
	struct record_reader reader;
	pthread_t threads[2];
	int i, once = 0;

	ASSERT_TRUE(records && seen);
	for (i = 0; i < RECORDS; i++)
		records[i] = i;
	ASSERT_EQ(RECORDS * sizeof(*records),
		  pwrite(self->fd, records, RECORDS * sizeof(*records), 0));
	reader = (struct record_reader){ .fd = open(device(), O_RDONLY),
					 .seen = seen };
	ASSERT_LE(0, reader.fd);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, read_records,
					    &reader));
	for (i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < RECORDS; i++)
		once += seen[i] == 1;
	ASSERT_EQ(RECORDS, once);
	close(reader.fd);
	free(records);
	free(seen);
}

TEST_HARNESS_MAIN
