// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the echo device's storage (echo_buffer.c): offsets,
 * capacity, truncation, growth and zero-filled gaps, without a device.
 * Built only for kernels with CONFIG_KUNIT.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/uio.h>

/* The storage is compiled into this test module too: it exports nothing. */
#include "echo_buffer.c"

#define CAPACITY (4 * PAGE_SIZE)

static void *test_init_buffer(struct kunit *test, size_t capacity)
{
	struct echo_buffer *buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	echo_buffer_init(buf, capacity);
	return buf;
}

/* Read count bytes at pos into a kernel buffer through an iov_iter. */
static ssize_t read_at(struct echo_buffer *buf, loff_t pos, void *dst,
		       size_t count)
{
	struct kvec kvec = { .iov_base = dst, .iov_len = count };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &kvec, 1, count);
	return echo_buffer_read(buf, pos, &iter);
}

static void write_then_read_back(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	char out[8] = { 0 };

	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 0, "hello", 5), 5);
	KUNIT_EXPECT_EQ(test, buf->len, 5);
	KUNIT_EXPECT_EQ(test, read_at(buf, 0, out, sizeof(out)), 5);
	KUNIT_EXPECT_EQ(test, memcmp(out, "hello", 5), 0);
	KUNIT_EXPECT_EQ(test, read_at(buf, 2, out, 2), 2);
	KUNIT_EXPECT_EQ(test, memcmp(out, "ll", 2), 0);
	echo_buffer_release(buf);
}

static void read_at_or_past_the_end_is_eof(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	char out[4];

	KUNIT_EXPECT_EQ(test, read_at(buf, 0, out, sizeof(out)), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 0, "ab", 2), 2);
	KUNIT_EXPECT_EQ(test, read_at(buf, 2, out, sizeof(out)), 0);
	KUNIT_EXPECT_EQ(test, read_at(buf, 100, out, sizeof(out)), 0);
	KUNIT_EXPECT_EQ(test, read_at(buf, -1, out, sizeof(out)), -EINVAL);
	echo_buffer_release(buf);
}

static void write_is_cut_at_the_capacity(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, 10);

	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 8, "12345", 5), 2);
	KUNIT_EXPECT_EQ(test, buf->len, 10);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 10, "x", 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 11, "x", 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, -1, "x", 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 3, "x", 0), 0);
	KUNIT_EXPECT_EQ(test, buf->len, 10);
	echo_buffer_release(buf);
}

static void appending_is_writing_at_the_length(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	char out[16] = { 0 };

	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, buf->len, "first", 5), 5);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, buf->len, "second", 6), 6);
	KUNIT_EXPECT_EQ(test, read_at(buf, 0, out, sizeof(out)), 11);
	KUNIT_EXPECT_STREQ(test, out, "firstsecond");
	echo_buffer_release(buf);
}

static void gap_reads_as_zeros(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	loff_t far = 2 * PAGE_SIZE + 10;
	char *out = kunit_kzalloc(test, far + 2, GFP_KERNEL);
	char *zeros = kunit_kzalloc(test, far, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, zeros);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 0, "ab", 2), 2);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, far, "cd", 2), 2);
	KUNIT_EXPECT_EQ(test, buf->len, far + 2);
	/* The page in the middle was never written, so never allocated. */
	KUNIT_EXPECT_EQ(test, buf->nr_chunks, 2);
	KUNIT_EXPECT_EQ(test, read_at(buf, 0, out, far + 2), far + 2);
	KUNIT_EXPECT_EQ(test, memcmp(out, "ab", 2), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out + 2, zeros, far - 2), 0);
	KUNIT_EXPECT_EQ(test, memcmp(out + far, "cd", 2), 0);
	echo_buffer_release(buf);
}

static void truncated_bytes_never_come_back(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	char out[12];

	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 0, "XXXXXXXXXXXX", 12),
			12);
	KUNIT_EXPECT_EQ(test, echo_buffer_set_length(buf, 2), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 8, "!", 1), 1);
	KUNIT_EXPECT_EQ(test, read_at(buf, 0, out, sizeof(out)), 9);
	KUNIT_EXPECT_EQ(test, memcmp(out, "XX\0\0\0\0\0\0!", 9), 0);
	echo_buffer_release(buf);
}

static void set_length_frees_and_zero_extends(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	char *data = kunit_kzalloc(test, CAPACITY, GFP_KERNEL);
	char out[4];

	KUNIT_ASSERT_NOT_NULL(test, data);
	memset(data, 'D', CAPACITY);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 0, data, CAPACITY),
			CAPACITY);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), CAPACITY);

	KUNIT_EXPECT_EQ(test, echo_buffer_set_length(buf, PAGE_SIZE + 1), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, echo_buffer_set_length(buf, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, echo_buffer_set_length(buf, PAGE_SIZE + 4), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, read_at(buf, PAGE_SIZE, out, 4), 4);
	KUNIT_EXPECT_EQ(test, memcmp(out, "\0\0\0\0", 4), 0);

	KUNIT_EXPECT_EQ(test, echo_buffer_set_length(buf, CAPACITY + 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, echo_buffer_set_length(buf, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, echo_buffer_set_length(buf, 0), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), 0);
	echo_buffer_release(buf);
}

static void write_across_chunks(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	loff_t pos = PAGE_SIZE - 3;
	char out[6];

	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, pos, "abcdef", 6), 6);
	KUNIT_EXPECT_EQ(test, buf->nr_chunks, 2);
	KUNIT_EXPECT_EQ(test, read_at(buf, pos, out, 6), 6);
	KUNIT_EXPECT_EQ(test, memcmp(out, "abcdef", 6), 0);
	echo_buffer_release(buf);
}

static void release_frees_everything(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);

	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 3 * PAGE_SIZE, "z", 1), 1);
	KUNIT_EXPECT_EQ(test, echo_buffer_write(buf, 0, "a", 1), 1);
	KUNIT_EXPECT_EQ(test, buf->nr_chunks, 2);
	echo_buffer_release(buf);
	KUNIT_EXPECT_EQ(test, buf->nr_chunks, 0);
	KUNIT_EXPECT_EQ(test, buf->len, 0);
	KUNIT_EXPECT_TRUE(test, xa_empty(&buf->chunks));
}

static struct kunit_case echo_buffer_cases[] = {
	KUNIT_CASE(write_then_read_back),
	KUNIT_CASE(read_at_or_past_the_end_is_eof),
	KUNIT_CASE(write_is_cut_at_the_capacity),
	KUNIT_CASE(appending_is_writing_at_the_length),
	KUNIT_CASE(gap_reads_as_zeros),
	KUNIT_CASE(truncated_bytes_never_come_back),
	KUNIT_CASE(set_length_frees_and_zero_extends),
	KUNIT_CASE(write_across_chunks),
	KUNIT_CASE(release_frees_everything),
	{}
};

static struct kunit_suite echo_buffer_suite = {
	.name = "echo_buffer",
	.test_cases = echo_buffer_cases,
};

kunit_test_suite(echo_buffer_suite);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("KUnit tests of the echo device's storage");
