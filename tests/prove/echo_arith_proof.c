// SPDX-License-Identifier: GPL-2.0
/*
 * What make prove gives Frama-C: modules/echo_arith.h with what the kernel
 * would define for it (x86-64's pages and errno values), and the loop that
 * copy_out(), read_pinned() and store_copy() of echo_buffer.c run over a
 * span, proved to visit each chunk of the span once, in order.
 */
#include <stddef.h>

#define loff_t long long
#define PAGE_SHIFT 12
#define PAGE_SIZE 4096UL
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4
#define ENXIO 6
#define EINVAL 22

#include "../../modules/echo_arith.h"

/*
 * The pieces of [pos, pos + count), as echo_buffer.c walks them: piece i
 * starts at pos + done, lies in chunk first_chunk(pos) + i, and they tile
 * the span with no gap and no overlap; there are echo_span_chunks() of
 * them, which is what read_pinned() pins and indexes with i.
 */
/*@
 * requires 0 <= pos && pos + count <= LOFF_MAX;
 * assigns \nothing;
 * ensures count == 0 ==> \result == 0;
 * ensures count > 0 ==>
 *	\result == last_chunk(pos, count) - first_chunk(pos) + 1;
 */
size_t echo_walk_pieces(loff_t pos, size_t count)
{
	size_t done, n = 0, i = 0;

	/*@
	 * loop invariant 0 <= done <= count;
	 * loop invariant done == 0 ==> i == 0;
	 * loop invariant 0 < done < count ==> (pos + done) % CHUNK == 0;
	 * loop invariant 0 < done ==>
	 *	i == last_chunk(pos, done) - first_chunk(pos) + 1;
	 * loop invariant done < count ==>
	 *	first_chunk(pos + done) == first_chunk(pos) + i;
	 * loop assigns done, n, i;
	 * loop variant count - done;
	 */
	for (done = 0; done < count; done += n, i++) {
		n = echo_piece(pos + done, count - done);
		/*@ assert i <= last_chunk(pos, count) - first_chunk(pos); */
	}
	return i;
}
