// SPDX-License-Identifier: GPL-2.0
/*
 * The echo device's storage; see echo_buffer.h.
 *
 * Nothing waits on userspace while holding the lock. A page fault in a
 * copy to or from userspace can last as long as something else decides
 * (userfaultfd, FUSE, a hung NFS mount), and the device's ->open runs
 * under the kernel-wide misc_mtx: a lock held across such a copy would
 * stall every misc device of the machine. So the lock, a seqlock, only
 * ever covers pointer updates, memcpy of at most two pages, and copies
 * from userspace that cannot fault:
 *
 * - Published chunks are never written while a reader copies from them.
 *   A write fills fresh pages from userspace first, with no lock, then
 *   swaps them into the table under the lock (copy-on-write); the old
 *   chunks are freed after an RCU grace period, or later if a reader
 *   still holds them. A failed copy or allocation changes nothing.
 * - A read takes one consistent snapshot: the length and a reference to
 *   each chunk it covers, under the sequence count (retried once, then
 *   under the lock, so that writers cannot starve it), and copies out
 *   after. A read of at most ECHO_BOUNCE_SIZE bytes copies into the stack
 *   under the sequence count instead: no reference, no atomic operation.
 * - A write into chunks that no reader holds (only the table's own
 *   reference) is stored in place, with no allocation: copied from user
 *   pages faulted in just before, with page faults disabled, so that
 *   userspace cannot stall the lock; lockless readers see the sequence
 *   change and retry. Whether a reader holds a chunk is asked once per
 *   lock hold (chunk_held()), and the barriers that make the answer safe
 *   are proved with herd7 (tests/litmus/: each "litmus:" tag names the
 *   test that relies on it).
 * - An append that the end moved under stores from a kernel copy of its
 *   bytes in its turn, with later appends queued behind it: a stream of
 *   small appends cannot starve a large one.
 */
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "compat.h"
#include "echo_arith.h"
#include "echo_buffer.h"

/* Reads up to this size go through the stack. */
#define ECHO_BOUNCE_SIZE 256
/* Writes up to this size may be stored in place, in one lock hold. */
#define ECHO_IN_PLACE_MAX SZ_1M
/* A read pins up to this many chunks without allocating a list of them. */
#define ECHO_PINS_ON_STACK 16

/* A store that did not happen: try again, or store a copy of the chunk. */
#define STORE_RETRY 1 /* an append found that the end had moved */
#define STORE_COPY 2 /* no chunk to store into in place */

/*
 * A point where another CPU may act on the buffer, page the chunk in hand:
 * nothing here. The KUnit suite, which compiles this file in, acts there
 * itself, to run a race in one exact order.
 */
#ifndef echo_race_window
static inline void echo_race_window(struct echo_buffer *buf, struct page *page)
{
}
#endif

/* Chunk index, or NULL; under RCU or the lock. */
static struct page *chunk(struct echo_buffer *buf, unsigned long index)
{
	return rcu_dereference_check(buf->chunks[index],
				     lockdep_is_held(&buf->lock.lock));
}

int echo_buffer_init(struct echo_buffer *buf, size_t capacity)
{
	buf->chunks = kvcalloc(echo_chunks(capacity), sizeof(*buf->chunks),
			       GFP_KERNEL);
	if (!buf->chunks)
		return -ENOMEM;
	seqlock_init(&buf->lock);
	mutex_init(&buf->append_turn);
	atomic_set(&buf->append_queue, 0);
	buf->len = 0;
	buf->capacity = capacity;
	buf->nr_chunks = 0;
	return 0;
}

void echo_buffer_release(struct echo_buffer *buf)
{
	unsigned long index;
	struct page *page;

	for (index = 0; index < echo_chunks(buf->capacity); index++) {
		page = rcu_dereference_protected(buf->chunks[index], true);
		if (page)
			put_page(page);
	}
	kvfree(buf->chunks);
	mutex_destroy(&buf->append_turn);
	buf->chunks = NULL;
	buf->len = 0;
	buf->nr_chunks = 0;
}

static void put_chunk_rcu(struct rcu_head *head)
{
	put_page(container_of(head, struct page, rcu_head));
}

/*
 * Drop the table's reference to chunks taken out of it, once no lockless
 * reader can still be looking at them. A reader that holds a reference
 * keeps its chunk until it is done.
 */
static void retire_chunks(struct list_head *retired)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, retired, lru) {
		list_del(&page->lru);
		call_rcu(&page->rcu_head, put_chunk_rcu); /* litmus:retire */
	}
}

/* Under the lock: take chunk index out of the table, onto retired. */
static void take_out(struct echo_buffer *buf, unsigned long index,
		     struct page *replacement, struct list_head *retired)
{
	struct page *old = chunk(buf, index);

	/* Its bytes before its pointer, for lockless readers: litmus:publish */
	rcu_assign_pointer(buf->chunks[index], replacement);
	if (old)
		list_add_tail(&old->lru, retired);
	WRITE_ONCE(buf->nr_chunks, buf->nr_chunks + !!replacement - !!old);
}

/* Copy count stored bytes at pos to dst; under RCU or the lock. */
static void copy_out(struct echo_buffer *buf, loff_t pos, void *dst,
		     size_t count)
{
	size_t done, n, offset;
	struct page *page;

	for (done = 0; done < count; done += n) {
		offset = echo_chunk_offset(pos + done);
		n = echo_piece(pos + done, count - done);
		page = chunk(buf, echo_chunk_index(pos + done));
		if (page)
			memcpy(dst + done, page_address(page) + offset, n);
		else
			memset(dst + done, 0, n);
	}
}

/* Copy the bytes readable at pos, at most want, to dst; return how many. */
static size_t copy_readable(struct echo_buffer *buf, loff_t pos, void *dst,
			    size_t want)
{
	size_t count = echo_readable(READ_ONCE(buf->len), pos, want);

	copy_out(buf, pos, dst, count);
	return count;
}

/*
 * A small read: copied into the stack under the sequence count, once
 * lockless, then under the lock, so that writers cannot starve it.
 */
static ssize_t read_small(struct echo_buffer *buf, loff_t pos,
			  struct iov_iter *to)
{
	char bounce[ECHO_BOUNCE_SIZE];
	size_t count, copied;
	unsigned int seq;

	rcu_read_lock(); /* litmus:small-rcu */
	seq = read_seqbegin(&buf->lock); /* litmus:small-begin */
	count = copy_readable(buf, pos, bounce, iov_iter_count(to));
	if (read_seqretry(&buf->lock, seq)) { /* litmus:small-retry */
		read_seqlock_excl(&buf->lock);
		count = copy_readable(buf, pos, bounce, iov_iter_count(to));
		read_sequnlock_excl(&buf->lock);
	}
	rcu_read_unlock(); /* litmus:small-rcu */

	copied = copy_to_iter(bounce, count, to);
	/* The bytes before a fault count, as filemap_read(). */
	return copied || !count ? copied : -EFAULT;
}

static void unpin(struct page **pages, unsigned long nr)
{
	while (nr--)
		if (pages[nr])
			put_page(pages[nr]);
}

/*
 * Hold a reference to each chunk of [pos, pos + count), with count the
 * bytes readable at pos (at most want), if pages has room for them: it
 * holds the chunks of room bytes. Returns count; under RCU or the lock.
 */
static size_t pin_chunks(struct echo_buffer *buf, loff_t pos, size_t want,
			 size_t room, struct page **pages)
{
	size_t count = echo_readable(READ_ONCE(buf->len), pos, want);
	unsigned long i;

	if (count > room)
		return count;
	for (i = 0; i < echo_span_chunks(pos, count); i++) {
		/* The table's reference outlives RCU: this cannot free it. */
		pages[i] = chunk(buf, echo_chunk_index(pos) + i);
		if (pages[i])
			get_page(pages[i]);
		echo_race_window(buf, pages[i]);
	}
	return count;
}

/*
 * pin_chunks(), as of one moment: lockless first, then once more under the
 * lock, so that writers cannot starve it.
 */
static size_t pin_snapshot(struct echo_buffer *buf, loff_t pos, size_t want,
			   size_t room, struct page **pages)
{
	unsigned int seq;
	size_t count;

	rcu_read_lock(); /* litmus:pin-rcu */
	seq = read_seqbegin(&buf->lock);
	count = pin_chunks(buf, pos, want, room, pages);
	/*
	 * The references before the sequence's second load. Pairs with
	 * smp_mb() in chunk_held(): either the writer sees a reference, or
	 * this sees its sequence and retries.
	 */
	smp_mb__after_atomic(); /* litmus:pin-then-seq */
	if (read_seqretry(&buf->lock, seq)) {
		if (count <= room)
			unpin(pages, echo_span_chunks(pos, count));
		read_seqlock_excl(&buf->lock);
		count = pin_chunks(buf, pos, want, room, pages);
		read_sequnlock_excl(&buf->lock);
	}
	rcu_read_unlock(); /* litmus:pin-rcu */
	return count;
}

/*
 * A large read: copied from pinned chunks, with no lock held. The list of
 * pins is sized for the bytes stored; if more are stored by the time of
 * the snapshot, once more for all that the read can take.
 */
static ssize_t read_pinned(struct echo_buffer *buf, loff_t pos,
			   struct iov_iter *to, gfp_t gfp)
{
	struct page *pins_on_stack[ECHO_PINS_ON_STACK], **pages = pins_on_stack;
	size_t want = iov_iter_count(to), copied;
	size_t room = echo_readable(READ_ONCE(buf->len), pos, want);
	size_t count, done, n, offset;
	unsigned long i;
	ssize_t ret = 0;

	for (;;) {
		if (echo_span_chunks(pos, room) > ARRAY_SIZE(pins_on_stack)) {
			pages = kvmalloc_array(echo_span_chunks(pos, room),
					       sizeof(*pages), gfp);
			if (!pages)
				return -ENOMEM;
		}
		count = pin_snapshot(buf, pos, want, room, pages);
		if (count <= room)
			break;
		if (pages != pins_on_stack)
			kvfree(pages);
		pages = pins_on_stack;
		room = echo_readable(buf->capacity, pos, want);
	}

	for (i = 0, done = 0; done < count; i++, done += n) {
		/* As read_iter_zero(): yield, and stop early on a signal. */
		if (i && signal_pending(current))
			break;
		cond_resched();
		offset = echo_chunk_offset(pos + done);
		n = echo_piece(pos + done, count - done);
		/*
		 * copy_page_to_iter() skips the hardened usercopy check, which
		 * a whole chunk does not need; but it would hand the chunk
		 * itself to a 6.1 splice, whose pipe wants page cache pages.
		 */
		if (pages[i] && user_backed_iter(to))
			copied = copy_page_to_iter(pages[i], offset, n, to);
		else if (pages[i])
			copied = copy_to_iter(page_address(pages[i]) + offset,
					      n, to);
		else
			copied = iov_iter_zero(n, to);
		if (copied != n) {
			/* The bytes before a fault count, as filemap_read(). */
			done += copied;
			ret = -EFAULT;
			break;
		}
	}

	unpin(pages, echo_span_chunks(pos, count));
	if (pages != pins_on_stack)
		kvfree(pages);
	return done ?: ret;
}

ssize_t echo_buffer_read(struct echo_buffer *buf, loff_t pos,
			 struct iov_iter *to, gfp_t gfp)
{
	if (pos < 0)
		return -EINVAL;
	if (pos >= buf->capacity || !iov_iter_count(to))
		return 0;
	if (iov_iter_count(to) <= ECHO_BOUNCE_SIZE)
		return read_small(buf, pos, to);
	return read_pinned(buf, pos, to, gfp);
}

/* Under the lock: the length after count bytes were stored at pos. */
static void grow(struct echo_buffer *buf, loff_t pos, size_t count)
{
	WRITE_ONCE(buf->len, echo_new_length(buf->len, pos, count));
}

/*
 * Under the lock: whether a reader holds page, besides the table. Look once
 * per lock hold and keep the answer: a lockless reader may take a
 * reference at any time, but one that comes after this look also sees the
 * sequence changed, and drops it.
 */
static bool chunk_held(struct page *page)
{
	/*
	 * write_seqlock()'s store of the sequence before the load of the
	 * count. Pairs with smp_mb__after_atomic() in pin_snapshot().
	 */
	smp_mb(); /* litmus:seq-then-count */
	return page_ref_count(page) > 1;
}

/*
 * Store *count bytes straight from userspace into the chunks they land in,
 * if all of them exist and no reader holds any: the table's reference is
 * then each one's only one, and readers take theirs under the sequence
 * count. The copy runs under the lock with page faults disabled, so that
 * userspace cannot stall it: the user pages are faulted in just before,
 * and one taken away since cuts the copy short. The bytes before it are
 * then stored, and *count says how many: a short write, whole as far as
 * it goes. A buffer that cannot be faulted in, or a copy that stores
 * nothing, is left to store_copy(), which faults with no lock held.
 */
static int store_in_place(struct echo_buffer *buf, loff_t pos, bool append,
			  size_t *count, struct iov_iter *from)
{
	unsigned long index, last = echo_last_chunk(pos, *count);
	size_t done = 0, n, offset, copied;
	struct page *page;
	int ret = 0;

	if (fault_in_iov_iter_readable(from, *count))
		return STORE_COPY;

	write_seqlock(&buf->lock); /* litmus:write-seq */
	if (append && pos != buf->len) {
		ret = STORE_RETRY;
		goto unlock;
	}
	for (index = echo_chunk_index(pos); index <= last; index++) {
		page = chunk(buf, index);
		if (!page || chunk_held(page)) {
			ret = STORE_COPY;
			goto unlock;
		}
	}
	pagefault_disable();
	for (; done < *count; done += n) {
		n = echo_piece(pos + done, *count - done);
		offset = echo_chunk_offset(pos + done);
		page = chunk(buf, echo_chunk_index(pos + done));
		copied = copy_folio_from_iter_atomic(page_folio(page), offset,
						     n, from);
		if (copied != n) {
			done += copied;
			break;
		}
	}
	pagefault_enable();
	if (done) {
		grow(buf, pos, done);
		*count = done;
	} else {
		ret = STORE_COPY;
	}
unlock:
	write_sequnlock(&buf->lock); /* litmus:write-unseq */
	return ret;
}

/* Fill [from, to) of a fresh chunk as the chunk it replaces had it. */
static void fill(struct page *page, struct page *old, size_t from, size_t to)
{
	if (from >= to)
		return;
	if (old)
		memcpy(page_address(page) + from, page_address(old) + from,
		       to - from);
	else
		memset(page_address(page) + from, 0, to - from);
}

/*
 * Under the lock: put the fresh chunks, which hold the written bytes, in
 * place of the chunks of [pos, pos + count), with the bytes around the
 * write copied from those.
 */
static void swap_in(struct echo_buffer *buf, loff_t pos, size_t count,
		    struct list_head *fresh, struct list_head *retired)
{
	unsigned long first = echo_chunk_index(pos), index;
	unsigned long last = echo_last_chunk(pos, count);
	struct page *page, *old;

	for (index = first; index <= last; index++) {
		page = list_first_entry(fresh, struct page, lru);
		list_del(&page->lru);
		old = chunk(buf, index);
		if (index == first)
			fill(page, old, 0, echo_chunk_offset(pos));
		if (index == last)
			fill(page, old, echo_end_offset(pos, count), PAGE_SIZE);
		take_out(buf, index, page, retired);
	}
	grow(buf, pos, count);
}

/* Store count bytes as fresh copies of the chunks they land in. */
static int store_copy(struct echo_buffer *buf, loff_t pos, bool append,
		      size_t count, struct iov_iter *from, gfp_t gfp)
{
	size_t done, n, copied = 0;
	struct page *page, *next;
	LIST_HEAD(retired);
	LIST_HEAD(fresh);
	size_t offset;
	int ret = 0;

	for (done = 0; done < count; done += n) {
		/* Yield; only a fatal signal ends it: a write lands whole. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
		page = alloc_page(gfp);
		if (!page) {
			ret = -ENOMEM;
			break;
		}
		list_add_tail(&page->lru, &fresh);
		offset = echo_chunk_offset(pos + done);
		n = echo_piece(pos + done, count - done);
		copied += copy_page_from_iter(page, offset, n, from);
		if (copied != done + n) {
			ret = -EFAULT;
			break;
		}
	}

	if (!ret) {
		write_seqlock(&buf->lock);
		if (append && pos != buf->len)
			ret = STORE_RETRY;
		else
			swap_in(buf, pos, count, &fresh, &retired);
		write_sequnlock(&buf->lock);
	}

	retire_chunks(&retired);
	list_for_each_entry_safe(page, next, &fresh, lru)
		__free_page(page);
	if (ret)
		iov_iter_revert(from, copied);
	return ret;
}

/*
 * One try at storing what from holds at *pos, or at the end with append:
 * 0 with the count stored, STORE_RETRY if an append found that the end
 * had moved, or an error.
 */
static int try_store(struct echo_buffer *buf, loff_t *pos, bool append,
		     struct iov_iter *from, gfp_t gfp, size_t *count)
{
	loff_t at = append ? READ_ONCE(buf->len) : *pos;
	int ret = STORE_COPY;

	if (at < 0)
		return -EINVAL;
	if (at >= buf->capacity)
		return -ENOSPC;
	/* Take only what fits: the rest stays in from. */
	*count = echo_storable(buf->capacity, at, iov_iter_count(from));
	if (!*count)
		return 0;
	if (*count <= ECHO_IN_PLACE_MAX)
		ret = store_in_place(buf, at, append, count, from);
	if (ret == STORE_COPY)
		ret = store_copy(buf, at, append, *count, from, gfp);
	if (!ret)
		*pos = at;
	return ret;
}

/*
 * An append that the end moved under: take its bytes from userspace once,
 * with no lock, then store them from that copy in its turn. Appends that
 * come meanwhile queue behind it (echo_buffer_write()), so that a stream
 * of small appends cannot starve a large one. The turn is held across
 * kernel work only, never a user copy.
 */
static int append_in_turn(struct echo_buffer *buf, loff_t *pos,
			  struct iov_iter *from, gfp_t gfp, size_t *count)
{
	size_t want = min_t(size_t, iov_iter_count(from), buf->capacity);
	struct iov_iter copy;
	struct kvec kvec;
	int ret;

	/* Waiting for a turn sleeps: io_uring tries again where it may. */
	if (!gfpflags_allow_blocking(gfp))
		return -EAGAIN;
	kvec.iov_base = kvmalloc(want, gfp);
	if (!kvec.iov_base)
		return -ENOMEM;
	kvec.iov_len = want;
	if (!copy_from_iter_full(kvec.iov_base, want, from)) {
		kvfree(kvec.iov_base);
		return -EFAULT;
	}
	iov_iter_kvec(&copy, ITER_SOURCE, &kvec, 1, want);

	atomic_inc(&buf->append_queue);
	ret = mutex_lock_killable(&buf->append_turn);
	if (!ret) {
		do
			ret = try_store(buf, pos, true, &copy, gfp, count);
		while (ret == STORE_RETRY);
		mutex_unlock(&buf->append_turn);
	}
	atomic_dec(&buf->append_queue);

	/* What was not stored is left in from, as by any failed store. */
	iov_iter_revert(from, want - (ret ? 0 : *count));
	kvfree(kvec.iov_base);
	return ret;
}

ssize_t echo_buffer_write(struct echo_buffer *buf, loff_t *pos, bool append,
			  struct iov_iter *from, gfp_t gfp)
{
	int ret = STORE_RETRY;
	size_t count;

	/* An append that finds others waiting for their turn waits too. */
	if (!append || !atomic_read(&buf->append_queue))
		ret = try_store(buf, pos, append, from, gfp, &count);
	if (ret == STORE_RETRY)
		ret = append_in_turn(buf, pos, from, gfp, &count);
	return ret ?: count;
}

int echo_buffer_set_length(struct echo_buffer *buf, loff_t len, gfp_t gfp)
{
	struct page *spare = NULL, *page;
	unsigned long index, end;
	LIST_HEAD(retired);
	size_t tail;
	bool held;

	if (len < 0 || len > buf->capacity)
		return -EINVAL;
	tail = echo_chunk_offset(len);
again:
	write_seqlock(&buf->lock); /* litmus:truncate-seq */
	if (len < buf->len) {
		/*
		 * Keep the invariant: free what lies past the end, and zero
		 * the rest of the last chunk, in place or, if a reader holds
		 * it, in a copy (allocated without the lock).
		 */
		page = tail ? chunk(buf, echo_chunk_index(len)) : NULL;
		held = page && chunk_held(page);
		echo_race_window(buf, page);
		if (held && !spare) {
			write_sequnlock(&buf->lock);
			spare = alloc_page(gfp);
			if (!spare)
				return -ENOMEM;
			goto again;
		}
		end = echo_chunks(buf->len);
		for (index = echo_chunks(len); index < end; index++)
			take_out(buf, index, NULL, &retired);
		if (held) {
			fill(spare, page, 0, tail);
			fill(spare, NULL, tail, PAGE_SIZE);
			take_out(buf, echo_chunk_index(len), spare, &retired);
			spare = NULL;
		} else if (page) {
			fill(page, NULL, tail, PAGE_SIZE);
		}
	}
	WRITE_ONCE(buf->len, len);
	write_sequnlock(&buf->lock);

	retire_chunks(&retired);
	if (spare)
		__free_page(spare);
	return 0;
}

size_t echo_buffer_length(const struct echo_buffer *buf)
{
	return READ_ONCE(buf->len);
}

size_t echo_buffer_memory(const struct echo_buffer *buf)
{
	return READ_ONCE(buf->nr_chunks) * PAGE_SIZE;
}
