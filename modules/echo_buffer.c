// SPDX-License-Identifier: GPL-2.0
/*
 * The echo device's storage; see echo_buffer.h.
 */
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "echo_buffer.h"

/* Chunks allocated by a write in progress, so that a failure can undo them. */
#define CHUNK_NEW XA_MARK_1

void echo_buffer_init(struct echo_buffer *buf, size_t capacity)
{
	xa_init(&buf->chunks);
	buf->len = 0;
	buf->capacity = capacity;
	buf->nr_chunks = 0;
}

static void free_chunk(struct echo_buffer *buf, unsigned long index)
{
	free_page((unsigned long)xa_erase(&buf->chunks, index));
	WRITE_ONCE(buf->nr_chunks, buf->nr_chunks - 1);
}

void echo_buffer_release(struct echo_buffer *buf)
{
	unsigned long index;
	void *chunk;

	xa_for_each(&buf->chunks, index, chunk)
		free_chunk(buf, index);
	xa_destroy(&buf->chunks);
	buf->len = 0;
}

ssize_t echo_buffer_read(struct echo_buffer *buf, loff_t pos,
			 struct iov_iter *to)
{
	size_t count, done, n, copied;
	unsigned int offset;
	void *chunk;

	if (pos < 0)
		return -EINVAL;
	if (pos >= buf->len)
		return 0;

	count = min_t(size_t, iov_iter_count(to), buf->len - pos);
	for (done = 0; done < count; done += n) {
		offset = (pos + done) & ~PAGE_MASK;
		n = min_t(size_t, count - done, PAGE_SIZE - offset);
		chunk = xa_load(&buf->chunks, (pos + done) >> PAGE_SHIFT);
		if (chunk)
			copied = copy_to_iter(chunk + offset, n, to);
		else
			copied = iov_iter_zero(n, to);
		if (copied != n)
			return -EFAULT;
	}
	return count;
}

static int add_chunk(struct echo_buffer *buf, unsigned long index)
{
	void *chunk = (void *)get_zeroed_page(GFP_KERNEL);
	int ret;

	if (!chunk)
		return -ENOMEM;
	ret = xa_err(xa_store(&buf->chunks, index, chunk, GFP_KERNEL));
	if (ret) {
		free_page((unsigned long)chunk);
		return ret;
	}
	xa_set_mark(&buf->chunks, index, CHUNK_NEW);
	WRITE_ONCE(buf->nr_chunks, buf->nr_chunks + 1);
	return 0;
}

/* Allocate the missing chunks of [first, last], all of them or none. */
static int add_chunks(struct echo_buffer *buf, unsigned long first,
		      unsigned long last)
{
	unsigned long index;
	void *chunk;
	int ret = 0;

	for (index = first; index <= last && !ret; index++)
		if (!xa_load(&buf->chunks, index))
			ret = add_chunk(buf, index);

	xa_for_each_marked(&buf->chunks, index, chunk, CHUNK_NEW) {
		if (ret)
			free_chunk(buf, index);
		else
			xa_clear_mark(&buf->chunks, index, CHUNK_NEW);
	}
	return ret;
}

ssize_t echo_buffer_write(struct echo_buffer *buf, loff_t pos, const void *src,
			  size_t count)
{
	size_t done, n;
	unsigned int offset;
	int ret;

	if (pos < 0)
		return -EINVAL;
	if (pos >= buf->capacity)
		return -ENOSPC;
	count = min_t(size_t, count, buf->capacity - pos);
	if (!count)
		return 0;

	ret = add_chunks(buf, pos >> PAGE_SHIFT,
			 (pos + count - 1) >> PAGE_SHIFT);
	if (ret)
		return ret;

	for (done = 0; done < count; done += n) {
		offset = (pos + done) & ~PAGE_MASK;
		n = min_t(size_t, count - done, PAGE_SIZE - offset);
		memcpy(xa_load(&buf->chunks, (pos + done) >> PAGE_SHIFT) +
			       offset,
		       src + done, n);
	}
	WRITE_ONCE(buf->len, max_t(size_t, buf->len, pos + count));
	return count;
}

int echo_buffer_set_length(struct echo_buffer *buf, loff_t len)
{
	unsigned int tail = len & ~PAGE_MASK;
	unsigned long index;
	void *chunk;

	if (len < 0 || len > buf->capacity)
		return -EINVAL;

	if (len < buf->len) {
		/* Keep the invariant: free what lies past the end, zero the rest. */
		xa_for_each_start(&buf->chunks, index, chunk,
				  (len + PAGE_SIZE - 1) >> PAGE_SHIFT)
			free_chunk(buf, index);
		chunk = tail ? xa_load(&buf->chunks, len >> PAGE_SHIFT) : NULL;
		if (chunk)
			memset(chunk + tail, 0, PAGE_SIZE - tail);
	}
	WRITE_ONCE(buf->len, len);
	return 0;
}

size_t echo_buffer_memory(const struct echo_buffer *buf)
{
	return READ_ONCE(buf->nr_chunks) * PAGE_SIZE;
}
