/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The echo device's storage, apart from files, locks and userspace, so that
 * it can be tested directly: a byte array of fixed capacity, stored in
 * page-sized chunks that are allocated as bytes are written, so that memory
 * use follows the bytes stored rather than the capacity.
 *
 * Invariant: every byte at or past len in an allocated chunk is zero, and a
 * chunk that is not allocated reads as zeros. So a write past the end leaves
 * a gap that reads as zeros, as in a file, without touching the gap.
 *
 * The caller serializes: any number of readers, or one writer. len and
 * nr_chunks may also be read locklessly with READ_ONCE().
 */
#ifndef ECHO_BUFFER_H
#define ECHO_BUFFER_H

#include <linux/types.h>
#include <linux/uio.h>
#include <linux/xarray.h>

struct echo_buffer {
	struct xarray chunks; /* chunk i holds bytes [i * PAGE_SIZE, ...) */
	size_t len; /* bytes stored */
	size_t capacity; /* bytes the buffer can hold */
	size_t nr_chunks; /* chunks allocated */
};

void echo_buffer_init(struct echo_buffer *buf, size_t capacity);
void echo_buffer_release(struct echo_buffer *buf);

/* Copy out bytes from pos up to len: the count, 0 at the end, or -EFAULT. */
ssize_t echo_buffer_read(struct echo_buffer *buf, loff_t pos,
			 struct iov_iter *to);

/*
 * Store count bytes at pos, or what fits below the capacity: the count
 * stored, -ENOSPC at or past the capacity, or -ENOMEM. A failure changes
 * nothing, not even the memory in use.
 */
ssize_t echo_buffer_write(struct echo_buffer *buf, loff_t pos, const void *src,
			  size_t count);

/* Truncate or zero-extend to len; -EINVAL past the capacity. */
int echo_buffer_set_length(struct echo_buffer *buf, loff_t len);

/* Bytes of memory that the stored data takes; safe without the lock. */
size_t echo_buffer_memory(const struct echo_buffer *buf);

#endif /* ECHO_BUFFER_H */
