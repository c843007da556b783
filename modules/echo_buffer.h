/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The echo device's storage, apart from files and the VFS, so that it can
 * be tested directly: a byte array of fixed capacity, stored in page-sized
 * chunks that are allocated as bytes are written, so that memory use
 * follows the bytes stored rather than the capacity.
 *
 * Invariant: every byte at or past len in a chunk is zero, and a chunk
 * that is not allocated reads as zeros. So a write past the end leaves a
 * gap that reads as zeros, as in a file, without touching the gap.
 *
 * The buffer serializes its own users, and never holds its lock across a
 * copy to or from userspace; see echo_buffer.c for how.
 */
#ifndef ECHO_BUFFER_H
#define ECHO_BUFFER_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mutex.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include <linux/uio.h>

struct page;

struct echo_buffer {
	/*
	 * Chunk i holds bytes [i * PAGE_SIZE, ...), or is NULL. Written under
	 * lock, read under RCU or the lock.
	 */
	struct page __rcu **chunks;
	seqlock_t lock; /* taken by writers; readers retry, then take it */
	size_t len; /* bytes stored; guarded by lock */
	size_t capacity; /* bytes the buffer can hold */
	size_t nr_chunks; /* chunks allocated; guarded by lock */
	/*
	 * An append that the end moved under stores in its turn, with later
	 * appends queued behind it: never held across a user copy.
	 */
	struct mutex append_turn;
	atomic_t append_queue; /* appends waiting for, or in, their turn */
};

/* -ENOMEM if the table of chunks cannot be allocated. */
int echo_buffer_init(struct echo_buffer *buf, size_t capacity);
/*
 * Free everything; no reader or writer may be left. Chunks retired before
 * are freed by RCU callbacks in the caller's module: rcu_barrier() before
 * it unloads.
 */
void echo_buffer_release(struct echo_buffer *buf);

/*
 * Copy out the bytes from pos up to len, as one snapshot: the count, 0 at
 * the end, -EFAULT, or -ENOMEM (gfp is for a large read's bookkeeping). A
 * signal, or a fault after some bytes, ends a read early with the bytes
 * copied so far.
 */
ssize_t echo_buffer_read(struct echo_buffer *buf, loff_t pos,
			 struct iov_iter *to, gfp_t gfp);

/*
 * Store what from holds at *pos, or at the end with append (*pos is then
 * set to where it went), up to the capacity: the count stored, -ENOSPC at
 * or past the capacity, -EFAULT, -ENOMEM, -EINTR on a fatal signal, or
 * -EAGAIN if gfp may not sleep and an append must wait for its turn. A
 * failure changes nothing, not even the memory in use; what was not
 * stored is left in from.
 */
ssize_t echo_buffer_write(struct echo_buffer *buf, loff_t *pos, bool append,
			  struct iov_iter *from, gfp_t gfp);

/* Truncate or zero-extend to len: -EINVAL past the capacity, or -ENOMEM. */
int echo_buffer_set_length(struct echo_buffer *buf, loff_t len, gfp_t gfp);

/* Bytes stored, and bytes of memory that they take; both without a lock. */
size_t echo_buffer_length(const struct echo_buffer *buf);
size_t echo_buffer_memory(const struct echo_buffer *buf);

#endif /* ECHO_BUFFER_H */
