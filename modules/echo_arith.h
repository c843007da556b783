/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The echo device's arithmetic: positions, counts, lengths and the
 * capacity turned into chunk indexes, offsets in a chunk, clamped counts,
 * new lengths and seek targets. Pure functions with no kernel include, so
 * that Frama-C's WP proves each contract (the //@ lines, in ACSL) for every
 * input, runtime errors and unsigned wrap-around included: make prove.
 *
 * The includer provides size_t, loff_t, PAGE_SHIFT, PAGE_SIZE, SEEK_SET to
 * SEEK_HOLE, EINVAL and ENXIO. A chunk is one page. Positions are byte offsets from
 * the start of the device; a span is [pos, pos + count).
 */
#ifndef ECHO_ARITH_H
#define ECHO_ARITH_H

/*@
 * logic integer CHUNK = 1 << PAGE_SHIFT;
 * logic integer LOFF_MAX = 0x7fffffffffffffff;
 * logic integer first_chunk(integer pos) = pos / CHUNK;
 * logic integer last_chunk(integer pos, integer count) =
 *	(pos + count - 1) / CHUNK;
 */

/*
 * The chunks that hold bytes [0, bytes): the table's slots, or what is
 * left after a truncation to bytes.
 */
/*@
 * assigns \nothing;
 * ensures \result == (bytes + CHUNK - 1) / CHUNK;
 */
static inline size_t echo_chunks(size_t bytes)
{
	return bytes / PAGE_SIZE + (bytes % PAGE_SIZE != 0);
}

/* The chunk that holds the byte at pos. */
/*@
 * requires 0 <= pos;
 * assigns \nothing;
 * ensures \result == first_chunk(pos);
 */
static inline size_t echo_chunk_index(loff_t pos)
{
	return pos / PAGE_SIZE;
}

/* Where the byte at pos lies in its chunk. */
/*@
 * requires 0 <= pos;
 * assigns \nothing;
 * ensures \result == pos - first_chunk(pos) * CHUNK;
 * ensures 0 <= \result < CHUNK;
 */
static inline size_t echo_chunk_offset(loff_t pos)
{
	return pos % PAGE_SIZE;
}

/* The chunk of the span's last byte. */
/*@
 * requires 0 <= pos && 0 < count && pos + count <= LOFF_MAX;
 * assigns \nothing;
 * ensures \result == last_chunk(pos, count);
 * ensures first_chunk(pos) <= \result;
 */
static inline size_t echo_last_chunk(loff_t pos, size_t count)
{
	return (pos + count - 1) / PAGE_SIZE;
}

/* Where the span ends in its last chunk: 1 to PAGE_SIZE. */
/*@
 * requires 0 <= pos && 0 < count && pos + count <= LOFF_MAX;
 * assigns \nothing;
 * ensures \result == pos + count - last_chunk(pos, count) * CHUNK;
 * ensures 0 < \result <= CHUNK;
 */
static inline size_t echo_end_offset(loff_t pos, size_t count)
{
	return (pos + count - 1) % PAGE_SIZE + 1;
}

/* The number of chunks that the span touches. */
/*@
 * requires 0 <= pos && pos + count <= LOFF_MAX;
 * assigns \nothing;
 * ensures count == 0 ==> \result == 0;
 * ensures count > 0 ==>
 *	\result == last_chunk(pos, count) - first_chunk(pos) + 1;
 * ensures \result <= (count + CHUNK - 1) / CHUNK + 1;
 */
static inline size_t echo_span_chunks(loff_t pos, size_t count)
{
	if (!count)
		return 0;
	return echo_last_chunk(pos, count) - echo_chunk_index(pos) + 1;
}

/*
 * The first piece of the span that lies in one chunk. A loop that starts
 * at done = 0 and adds echo_piece(pos + done, count - done) until count
 * visits each chunk of the span once, in order (tests/prove/).
 */
/*@
 * requires 0 <= pos && 0 < count && pos + count <= LOFF_MAX;
 * assigns \nothing;
 * ensures 0 < \result <= count;
 * ensures \result <= CHUNK - pos % CHUNK;
 * ensures first_chunk(pos + \result - 1) == first_chunk(pos);
 * ensures \result == count || (pos + \result) % CHUNK == 0;
 */
static inline size_t echo_piece(loff_t pos, size_t count)
{
	size_t room = PAGE_SIZE - echo_chunk_offset(pos);

	if (count < room)
		return count;
	return room;
}

/* Bytes readable at pos, at most want, when len bytes are stored. */
/*@
 * requires 0 <= pos;
 * assigns \nothing;
 * ensures pos >= len ==> \result == 0;
 * ensures pos < len ==> \result == \min(want, len - pos);
 * ensures \result <= want && (\result == 0 || pos + \result <= len);
 */
static inline size_t echo_readable(size_t len, loff_t pos, size_t want)
{
	size_t left;

	if (pos >= len)
		return 0;
	left = len - pos;
	if (want < left)
		return want;
	return left;
}

/*
 * Bytes a write of want bytes at pos stores, at most the room left before
 * the capacity; pos is the length for an append.
 */
/*@
 * requires 0 <= pos;
 * assigns \nothing;
 * ensures pos >= capacity ==> \result == 0;
 * ensures pos < capacity ==> \result == \min(want, capacity - pos);
 * ensures \result <= want && pos + \result <= \max(capacity, pos);
 */
static inline size_t echo_storable(size_t capacity, loff_t pos, size_t want)
{
	return echo_readable(capacity, pos, want);
}

/* The length once count bytes were stored at pos: a write never shrinks. */
/*@
 * requires 0 <= pos && pos + count <= LOFF_MAX;
 * assigns \nothing;
 * ensures \result == \max(len, pos + count);
 */
static inline size_t echo_new_length(size_t len, loff_t pos, size_t count)
{
	size_t end = pos + count;

	if (end < len)
		return len;
	return end;
}

/*
 * The position llseek moves to from pos, or a negative errno: SEEK_END
 * counts from the stored length, no position passes the capacity, and
 * SEEK_DATA and SEEK_HOLE see the stored bytes as one extent.
 */
/*@
 * requires len <= capacity <= LOFF_MAX;
 * assigns \nothing;
 * ensures \result == -EINVAL || \result == -ENXIO ||
 *	0 <= \result <= capacity;
 * ensures whence == SEEK_SET ==>
 *	\result == (0 <= offset <= capacity ? offset : -EINVAL);
 * ensures whence == SEEK_CUR && pos >= 0 ==>
 *	\result == (0 <= pos + offset <= capacity ? pos + offset : -EINVAL);
 * ensures whence == SEEK_END ==>
 *	\result == (0 <= len + offset <= capacity ? len + offset : -EINVAL);
 * ensures whence == SEEK_DATA ==>
 *	\result == (0 <= offset < len ? offset : -ENXIO);
 * ensures whence == SEEK_HOLE ==>
 *	\result == (0 <= offset < len ? len : -ENXIO);
 */
static inline loff_t echo_seek(loff_t offset, int whence, loff_t pos,
			       size_t len, size_t capacity)
{
	loff_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = pos;
		break;
	case SEEK_END:
		base = len;
		break;
	case SEEK_DATA:
		return offset >= 0 && offset < len ? offset : -ENXIO;
	case SEEK_HOLE:
		return offset >= 0 && offset < len ? (loff_t)len : -ENXIO;
	default:
		return -EINVAL;
	}
	/* base + offset in [0, capacity], in steps that cannot overflow. */
	if (base < 0 || offset < -base || offset > (loff_t)capacity - base)
		return -EINVAL;
	return base + offset;
}

#endif /* ECHO_ARITH_H */
