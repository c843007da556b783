// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the echo device's storage (echo_buffer.c): offsets,
 * capacity, truncation, growth, zero-filled gaps, appends that take only
 * what fits, and chunks that readers hold, without a device; truncations
 * and writes in place on a kthread against pinning reads; and examples of
 * its arithmetic (echo_arith.h), which make prove proves for every input.
 * Built only for kernels with CONFIG_KUNIT.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

struct echo_buffer;

/*
 * What a test does at echo_race_window(), once: the callback disarms itself
 * before it acts, as the storage may reach the window again meanwhile.
 */
static void (*race_window)(struct echo_buffer *buf, struct page *page);
#define echo_race_window(buf, page)             \
	do {                                    \
		if (race_window)                \
			race_window(buf, page); \
	} while (0)

/* The storage is compiled into this test module too: it exports nothing. */
#include "echo_buffer.c"

#define CAPACITY (4 * PAGE_SIZE)

static void *test_init_buffer(struct kunit *test, size_t capacity)
{
	struct echo_buffer *buf = kunit_kzalloc(test, sizeof(*buf), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, echo_buffer_init(buf, capacity), 0);
	return buf;
}

/* Read count bytes at pos into a kernel buffer through an iov_iter. */
static ssize_t read_at(struct echo_buffer *buf, loff_t pos, void *dst,
		       size_t count)
{
	struct kvec kvec = { .iov_base = dst, .iov_len = count };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &kvec, 1, count);
	return echo_buffer_read(buf, pos, &iter, GFP_KERNEL);
}

/* Store count bytes of src at pos, or at the end with append. */
static ssize_t store(struct echo_buffer *buf, loff_t pos, bool append,
		     const void *src, size_t count, size_t *left)
{
	struct kvec kvec = { .iov_base = (void *)src, .iov_len = count };
	struct iov_iter iter;
	ssize_t ret;

	iov_iter_kvec(&iter, ITER_SOURCE, &kvec, 1, count);
	ret = echo_buffer_write(buf, &pos, append, &iter, GFP_KERNEL);
	if (left)
		*left = iov_iter_count(&iter);
	return ret;
}

/* The test is the buffer's only user: no lock needed. */
static struct page *test_chunk(struct echo_buffer *buf, unsigned long index)
{
	return rcu_dereference_protected(buf->chunks[index], true);
}

static int set_length(struct echo_buffer *buf, loff_t len)
{
	return echo_buffer_set_length(buf, len, GFP_KERNEL);
}

static ssize_t write_at(struct echo_buffer *buf, loff_t pos, const void *src,
			size_t count)
{
	return store(buf, pos, false, src, count, NULL);
}

static void write_then_read_back(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	char out[8] = { 0 };

	KUNIT_EXPECT_EQ(test, write_at(buf, 0, "hello", 5), 5);
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
	KUNIT_EXPECT_EQ(test, write_at(buf, 0, "ab", 2), 2);
	KUNIT_EXPECT_EQ(test, read_at(buf, 2, out, sizeof(out)), 0);
	KUNIT_EXPECT_EQ(test, read_at(buf, 100, out, sizeof(out)), 0);
	KUNIT_EXPECT_EQ(test, read_at(buf, -1, out, sizeof(out)), -EINVAL);
	echo_buffer_release(buf);
}

static void write_is_cut_at_the_capacity(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, 10);

	KUNIT_EXPECT_EQ(test, write_at(buf, 8, "12345", 5), 2);
	KUNIT_EXPECT_EQ(test, buf->len, 10);
	KUNIT_EXPECT_EQ(test, write_at(buf, 10, "x", 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, write_at(buf, 11, "x", 1), -ENOSPC);
	KUNIT_EXPECT_EQ(test, write_at(buf, -1, "x", 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, write_at(buf, 3, "x", 0), 0);
	KUNIT_EXPECT_EQ(test, buf->len, 10);
	echo_buffer_release(buf);
}

static void appending_is_writing_at_the_length(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	char out[16] = { 0 };

	KUNIT_EXPECT_EQ(test, store(buf, 0, true, "first", 5, NULL), 5);
	KUNIT_EXPECT_EQ(test, store(buf, 0, true, "second", 6, NULL), 6);
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
	KUNIT_EXPECT_EQ(test, write_at(buf, 0, "ab", 2), 2);
	KUNIT_EXPECT_EQ(test, write_at(buf, far, "cd", 2), 2);
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

	KUNIT_EXPECT_EQ(test, write_at(buf, 0, "XXXXXXXXXXXX", 12), 12);
	KUNIT_EXPECT_EQ(test, set_length(buf, 2), 0);
	KUNIT_EXPECT_EQ(test, write_at(buf, 8, "!", 1), 1);
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
	KUNIT_EXPECT_EQ(test, write_at(buf, 0, data, CAPACITY), CAPACITY);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), CAPACITY);

	KUNIT_EXPECT_EQ(test, set_length(buf, PAGE_SIZE + 1), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, set_length(buf, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), PAGE_SIZE);

	KUNIT_EXPECT_EQ(test, set_length(buf, PAGE_SIZE + 4), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, read_at(buf, PAGE_SIZE, out, 4), 4);
	KUNIT_EXPECT_EQ(test, memcmp(out, "\0\0\0\0", 4), 0);

	KUNIT_EXPECT_EQ(test, set_length(buf, CAPACITY + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_length(buf, -1), -EINVAL);
	KUNIT_EXPECT_EQ(test, set_length(buf, 0), 0);
	KUNIT_EXPECT_EQ(test, echo_buffer_memory(buf), 0);
	echo_buffer_release(buf);
}

static void write_across_chunks(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	loff_t pos = PAGE_SIZE - 3;
	char out[6];

	KUNIT_EXPECT_EQ(test, write_at(buf, pos, "abcdef", 6), 6);
	KUNIT_EXPECT_EQ(test, buf->nr_chunks, 2);
	KUNIT_EXPECT_EQ(test, read_at(buf, pos, out, 6), 6);
	KUNIT_EXPECT_EQ(test, memcmp(out, "abcdef", 6), 0);
	echo_buffer_release(buf);
}

static void release_frees_everything(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);

	KUNIT_EXPECT_EQ(test, write_at(buf, 3 * PAGE_SIZE, "z", 1), 1);
	KUNIT_EXPECT_EQ(test, write_at(buf, 0, "a", 1), 1);
	KUNIT_EXPECT_EQ(test, buf->nr_chunks, 2);
	echo_buffer_release(buf);
	KUNIT_EXPECT_EQ(test, buf->nr_chunks, 0);
	KUNIT_EXPECT_EQ(test, buf->len, 0);
	KUNIT_EXPECT_NULL(test, buf->chunks);
}

/* An append takes only the room left, and leaves the rest to its caller. */
static void append_takes_only_what_fits(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, 10);
	size_t left;

	KUNIT_EXPECT_EQ(test, store(buf, 0, true, "123456", 6, &left), 6);
	KUNIT_EXPECT_EQ(test, left, 0);
	KUNIT_EXPECT_EQ(test, store(buf, 0, true, "abcdef", 6, &left), 4);
	KUNIT_EXPECT_EQ(test, left, 2);
	KUNIT_EXPECT_EQ(test, store(buf, 0, true, "x", 1, &left), -ENOSPC);
	KUNIT_EXPECT_EQ(test, left, 1);
	KUNIT_EXPECT_EQ(test, buf->len, 10);
	echo_buffer_release(buf);
}

/*
 * A chunk that a reader holds is never written: writes and truncations
 * replace it, and the reader keeps the bytes of its snapshot. A chunk
 * that no reader holds is written in place.
 */
static void held_chunks_are_replaced_not_written(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	struct page *held[2], *page;
	char out[4];

	KUNIT_EXPECT_EQ(test, write_at(buf, 0, "aaaa", 4), 4);
	KUNIT_ASSERT_EQ(test, pin_snapshot(buf, 0, 4, PAGE_SIZE, &held[0]), 4);
	KUNIT_EXPECT_EQ(test, write_at(buf, 1, "bb", 2), 2);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(held[0]), "aaaa", 4), 0);

	KUNIT_ASSERT_EQ(test, pin_snapshot(buf, 0, 4, PAGE_SIZE, &held[1]), 4);
	KUNIT_EXPECT_EQ(test, set_length(buf, 2), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(held[1]), "abba", 4), 0);
	KUNIT_EXPECT_EQ(test, buf->nr_chunks, 1);
	KUNIT_EXPECT_EQ(test, read_at(buf, 0, out, 4), 2);
	KUNIT_EXPECT_EQ(test, memcmp(out, "ab", 2), 0);
	unpin(held, 2);

	page = test_chunk(buf, 0);
	KUNIT_EXPECT_EQ(test, write_at(buf, 0, "c", 1), 1);
	KUNIT_EXPECT_PTR_EQ(test, test_chunk(buf, 0), page);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(page), "cb", 2), 0);

	/* A write across chunks goes in place too, in the chunks that exist. */
	KUNIT_EXPECT_EQ(test, write_at(buf, PAGE_SIZE, "d", 1), 1);
	held[0] = test_chunk(buf, 1);
	KUNIT_EXPECT_EQ(test, write_at(buf, PAGE_SIZE - 2, "eeee", 4), 4);
	KUNIT_EXPECT_PTR_EQ(test, test_chunk(buf, 0), page);
	KUNIT_EXPECT_PTR_EQ(test, test_chunk(buf, 1), held[0]);
	KUNIT_EXPECT_EQ(test,
			memcmp(page_address(page) + PAGE_SIZE - 2, "ee", 2), 0);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(held[0]), "ee", 2), 0);

	/* A reader holding any one of them sends the whole write to copies. */
	KUNIT_ASSERT_EQ(test, pin_snapshot(buf, PAGE_SIZE, 1, 1, &held[1]), 1);
	KUNIT_EXPECT_EQ(test, write_at(buf, PAGE_SIZE - 2, "ffff", 4), 4);
	KUNIT_EXPECT_PTR_NE(test, test_chunk(buf, 1), held[1]);
	KUNIT_EXPECT_EQ(test, memcmp(page_address(held[1]), "ee", 2), 0);
	unpin(&held[1], 1);
	echo_buffer_release(buf);
}

/* What a race window did: the truncation it ran, or the chunk it pinned. */
static struct {
	loff_t len;
	int ret;
	struct page *page;
} window;

/* Another CPU truncates to window.len once the read has pinned a chunk. */
static void truncate_in_window(struct echo_buffer *buf, struct page *page)
{
	if (!page)
		return;
	race_window = NULL;
	window.page = page;
	window.ret = echo_buffer_set_length(buf, window.len,
					    GFP_ATOMIC | __GFP_NOWARN);
}

/*
 * A truncation that lands while a read pins its chunks, lockless: the
 * read must notice, and return the bytes of one moment, here the
 * truncated record, not the length of before with chunks of after.
 */
static void truncation_inside_a_pinning_read_is_retried(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	u8 *data = kunit_kmalloc(test, CAPACITY, GFP_KERNEL);
	u8 *out = kunit_kzalloc(test, CAPACITY, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_ASSERT_NOT_NULL(test, out);
	for (i = 0; i < CAPACITY; i++)
		data[i] = 'a' + i % 26;
	KUNIT_ASSERT_EQ(test, write_at(buf, 0, data, CAPACITY), CAPACITY);
	window.len = 100;
	window.page = NULL;
	race_window = truncate_in_window;
	KUNIT_EXPECT_EQ_MSG(test, read_at(buf, 0, out, CAPACITY), 100,
			    "a read kept a snapshot that a truncation tore");
	race_window = NULL;
	KUNIT_ASSERT_NOT_NULL_MSG(test, window.page, "no truncation raced");
	KUNIT_EXPECT_EQ(test, window.ret, 0);
	KUNIT_EXPECT_EQ(test, memcmp(out, data, 100), 0);
	echo_buffer_release(buf);
}

/* Another CPU pins the chunk that a truncation just looked at. */
static void pin_in_window(struct echo_buffer *buf, struct page *page)
{
	if (!page)
		return;
	race_window = NULL;
	get_page(page);
	window.page = page;
}

/*
 * A reader that pins the last chunk right after a truncation asked whether
 * one holds it: the truncation keeps its answer (it allocated no copy for
 * it), and the reader, which saw the sequence change, would retry.
 */
static void truncation_looks_once_whether_a_chunk_is_held(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	unsigned int seq;
	char out[4];

	KUNIT_ASSERT_EQ(test, set_length(buf, 2 * PAGE_SIZE), 0);
	KUNIT_ASSERT_EQ(test, write_at(buf, 0, "abcd", 4), 4);
	seq = read_seqbegin(&buf->lock);
	window.page = NULL;
	race_window = pin_in_window;
	KUNIT_EXPECT_EQ(test, set_length(buf, 2), 0);
	race_window = NULL;
	KUNIT_ASSERT_NOT_NULL_MSG(test, window.page, "no pin raced");
	KUNIT_EXPECT_TRUE(test, read_seqretry(&buf->lock, seq));
	put_page(window.page);
	KUNIT_EXPECT_EQ(test, read_at(buf, 0, out, 4), 2);
	KUNIT_EXPECT_EQ(test, memcmp(out, "ab", 2), 0);
	echo_buffer_release(buf);
}

/*
 * An append in its turn, as when the end moved under it: at the end,
 * whole, or what fits with the rest left in the iterator; and with no
 * sleeping allowed, -EAGAIN with nothing taken.
 */
static void append_in_turn_lands_at_the_end(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	struct kvec kvec = { .iov_base = "world", .iov_len = 5 };
	struct iov_iter iter;
	loff_t pos = 0;
	char out[12];
	size_t count;
	int ret;

	KUNIT_EXPECT_EQ(test, write_at(buf, 0, "hello ", 6), 6);
	iov_iter_kvec(&iter, ITER_SOURCE, &kvec, 1, 5);
	ret = append_in_turn(buf, &pos, &iter, GFP_NOWAIT, &count);
	KUNIT_EXPECT_EQ(test, ret, -EAGAIN);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&iter), 5);
	ret = append_in_turn(buf, &pos, &iter, GFP_KERNEL, &count);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, count, 5);
	KUNIT_EXPECT_EQ(test, pos, 6);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&iter), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&buf->append_queue), 0);
	KUNIT_EXPECT_EQ(test, read_at(buf, 0, out, sizeof(out)), 11);
	KUNIT_EXPECT_EQ(test, memcmp(out, "hello world", 11), 0);

	KUNIT_EXPECT_EQ(test, set_length(buf, CAPACITY - 2), 0);
	iov_iter_kvec(&iter, ITER_SOURCE, &kvec, 1, 5);
	ret = append_in_turn(buf, &pos, &iter, GFP_KERNEL, &count);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, count, 2);
	KUNIT_EXPECT_EQ(test, pos, CAPACITY - 2);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&iter), 3);
	echo_buffer_release(buf);
}

/* How long each race runs. */
#define RACE_JIFFIES (2 * HZ)
/* A truncation to a tail inside a chunk, and back to the whole buffer. */
#define RACE_SHORT (2 * PAGE_SIZE + 100)
/* A record, across three chunks, that writes in place and reads see whole. */
#define RACE_RECORD_AT (PAGE_SIZE - 100)
#define RACE_RECORD (PAGE_SIZE + 200)

struct race {
	struct echo_buffer *buf;
	unsigned long ops;
};

static int truncator(void *arg)
{
	struct race *race = arg;

	while (!kthread_should_stop()) {
		echo_buffer_set_length(race->buf, CAPACITY, GFP_KERNEL);
		echo_buffer_set_length(race->buf, RACE_SHORT, GFP_KERNEL);
		race->ops++;
		cond_resched();
	}
	return 0;
}

static int writer_in_place(void *arg)
{
	struct race *race = arg;
	char *record = kmalloc(RACE_RECORD, GFP_KERNEL);

	while (!kthread_should_stop()) {
		if (record) {
			memset(record, 'a' + race->ops % 2, RACE_RECORD);
			write_at(race->buf, RACE_RECORD_AT, record,
				 RACE_RECORD);
			race->ops++;
		}
		cond_resched();
	}
	kfree(record);
	return 0;
}

/*
 * Run fn on a kthread against reads of the whole buffer, each judged by
 * check, until the time is up or a check fails; the kthread is stopped
 * before anything can fail the test.
 */
static void
race_reads(struct kunit *test, struct echo_buffer *buf, int (*fn)(void *),
	   bool (*check)(struct kunit *, const u8 *, ssize_t, unsigned long *))
{
	struct race race = { .buf = buf };
	unsigned long seen[2] = { 0 }, deadline = jiffies + RACE_JIFFIES;
	u8 *out = kunit_kmalloc(test, CAPACITY, GFP_KERNEL);
	struct task_struct *task;

	KUNIT_ASSERT_NOT_NULL(test, out);
	task = kthread_run(fn, &race, "echo_buffer_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	while (time_before(jiffies, deadline) &&
	       check(test, out, read_at(buf, 0, out, CAPACITY), seen))
		;
	kthread_stop(task);
	kunit_info(test,
		   "%lu operations; the reads saw each side %lu and %lu times",
		   race.ops, seen[0], seen[1]);
	/* Both sides seen: the reads ran while the other thread worked. */
	KUNIT_EXPECT_GT(test, seen[0], 0);
	KUNIT_EXPECT_GT(test, seen[1], 0);
}

static u8 race_pattern(size_t pos)
{
	return pos * 7 + (pos >> 12);
}

/* Whole or short, the pattern up to RACE_SHORT, then all zeros or all of it. */
static bool check_truncated(struct kunit *test, const u8 *out, ssize_t got,
			    unsigned long *seen)
{
	bool zeros = got > RACE_SHORT &&
		     out[RACE_SHORT] != race_pattern(RACE_SHORT);
	ssize_t i;

	KUNIT_EXPECT_TRUE_MSG(test, got == CAPACITY || got == RACE_SHORT,
			      "a read of %zd bytes", got);
	if (got != CAPACITY && got != RACE_SHORT)
		return false;
	seen[got == CAPACITY]++;
	for (i = 0; i < got; i++)
		if (out[i] != (i >= RACE_SHORT && zeros ? 0 : race_pattern(i)))
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, got, "a read of %zd bytes torn at %zd",
			    got, i);
	return i == got;
}

/*
 * Truncations to a tail inside a chunk, against pinning reads: each read
 * is of one moment, and no truncation zeroes a chunk that a read holds.
 */
static void truncation_races_pinning_reads(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	u8 *data = kunit_kmalloc(test, CAPACITY, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	for (i = 0; i < CAPACITY; i++)
		data[i] = race_pattern(i);
	KUNIT_ASSERT_EQ(test, write_at(buf, 0, data, CAPACITY), CAPACITY);
	race_reads(test, buf, truncator, check_truncated);
	echo_buffer_release(buf);
}

/* The record whole: all of one write or all of the other. */
static bool check_record(struct kunit *test, const u8 *out, ssize_t got,
			 unsigned long *seen)
{
	const u8 *record = out + RACE_RECORD_AT;
	bool whole = got == CAPACITY &&
		     (record[0] == 'a' || record[0] == 'b') &&
		     !memchr_inv(record, record[0], RACE_RECORD);

	KUNIT_EXPECT_TRUE_MSG(test, whole,
			      "a read of %zd bytes saw a torn record", got);
	seen[record[0] == 'b']++;
	return whole;
}

/*
 * Writes in place, across chunks, against pinning reads: a write goes in
 * place only into chunks that no read holds, in one lock hold, and the
 * reads see each record whole.
 */
static void writes_in_place_race_pinning_reads(struct kunit *test)
{
	struct echo_buffer *buf = test_init_buffer(test, CAPACITY);
	u8 *record = kunit_kmalloc(test, RACE_RECORD, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, record);
	memset(record, 'a', RACE_RECORD);
	KUNIT_ASSERT_EQ(test, set_length(buf, CAPACITY), 0);
	KUNIT_ASSERT_EQ(test,
			write_at(buf, RACE_RECORD_AT, record, RACE_RECORD),
			RACE_RECORD);
	race_reads(test, buf, writer_in_place, check_record);
	echo_buffer_release(buf);
}

static void arith_pieces_tile_a_span(struct kunit *test)
{
	loff_t pos = PAGE_SIZE - 1;
	size_t count = PAGE_SIZE + 2;

	KUNIT_EXPECT_EQ(test, echo_span_chunks(pos, count), 3);
	KUNIT_EXPECT_EQ(test, echo_span_chunks(pos, 0), 0);
	KUNIT_EXPECT_EQ(test, echo_chunk_index(pos), 0);
	KUNIT_EXPECT_EQ(test, echo_last_chunk(pos, count), 2);
	KUNIT_EXPECT_EQ(test, echo_chunk_offset(pos), PAGE_SIZE - 1);
	KUNIT_EXPECT_EQ(test, echo_end_offset(pos, count), 1);
	KUNIT_EXPECT_EQ(test, echo_end_offset(0, PAGE_SIZE), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, echo_piece(pos, count), 1);
	KUNIT_EXPECT_EQ(test, echo_piece(pos + 1, count - 1), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, echo_piece(pos + 1 + PAGE_SIZE, 1), 1);
	KUNIT_EXPECT_EQ(test, echo_chunks(0), 0);
	KUNIT_EXPECT_EQ(test, echo_chunks(PAGE_SIZE), 1);
	KUNIT_EXPECT_EQ(test, echo_chunks(PAGE_SIZE + 1), 2);
}

static void arith_counts_are_clamped(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, echo_readable(10, 4, 100), 6);
	KUNIT_EXPECT_EQ(test, echo_readable(10, 4, 2), 2);
	KUNIT_EXPECT_EQ(test, echo_readable(10, 10, 1), 0);
	KUNIT_EXPECT_EQ(test, echo_readable(10, 12, 1), 0);
	KUNIT_EXPECT_EQ(test, echo_storable(16, 10, 100), 6);
	KUNIT_EXPECT_EQ(test, echo_storable(16, 16, 1), 0);
	KUNIT_EXPECT_EQ(test, echo_new_length(10, 2, 3), 10);
	KUNIT_EXPECT_EQ(test, echo_new_length(10, 8, 5), 13);
}

static void arith_seek_targets(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, echo_seek(5, SEEK_SET, 0, 10, 16), 5);
	KUNIT_EXPECT_EQ(test, echo_seek(16, SEEK_SET, 0, 10, 16), 16);
	KUNIT_EXPECT_EQ(test, echo_seek(17, SEEK_SET, 0, 10, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, echo_seek(-1, SEEK_SET, 0, 10, 16), -EINVAL);
	KUNIT_EXPECT_EQ(test, echo_seek(-3, SEEK_CUR, 3, 10, 16), 0);
	KUNIT_EXPECT_EQ(test, echo_seek(LLONG_MIN, SEEK_CUR, 3, 10, 16),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, echo_seek(-10, SEEK_END, 0, 10, 16), 0);
	KUNIT_EXPECT_EQ(test, echo_seek(LLONG_MAX, SEEK_END, 0, 10, 16),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, echo_seek(9, SEEK_DATA, 0, 10, 16), 9);
	KUNIT_EXPECT_EQ(test, echo_seek(10, SEEK_DATA, 0, 10, 16), -ENXIO);
	KUNIT_EXPECT_EQ(test, echo_seek(0, SEEK_HOLE, 0, 10, 16), 10);
	KUNIT_EXPECT_EQ(test, echo_seek(0, SEEK_MAX + 1, 0, 10, 16), -EINVAL);
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
	KUNIT_CASE(append_takes_only_what_fits),
	KUNIT_CASE(held_chunks_are_replaced_not_written),
	KUNIT_CASE(truncation_inside_a_pinning_read_is_retried),
	KUNIT_CASE(truncation_looks_once_whether_a_chunk_is_held),
	KUNIT_CASE(append_in_turn_lands_at_the_end),
	KUNIT_CASE(truncation_races_pinning_reads),
	KUNIT_CASE(writes_in_place_race_pinning_reads),
	KUNIT_CASE(arith_pieces_tile_a_span),
	KUNIT_CASE(arith_counts_are_clamped),
	KUNIT_CASE(arith_seek_targets),
	{}
};

/*
 * Retired chunks are freed by RCU callbacks in this module's text: none
 * may be left when it unloads, even after a failed assertion.
 */
static void echo_buffer_suite_exit(struct kunit_suite *suite)
{
	rcu_barrier();
}

static struct kunit_suite echo_buffer_suite = {
	.name = "echo_buffer",
	.suite_exit = echo_buffer_suite_exit,
	.test_cases = echo_buffer_cases,
};

kunit_test_suite(echo_buffer_suite);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("KUnit tests of the echo device's storage");
