/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that handles kernel API differences, so that the modules
 * read as code for the newest kernel. Prefer feature tests (an API that is
 * a macro can be tested with #ifdef) over version checks.
 */
#ifndef LESSON4_COMPAT_H
#define LESSON4_COMPAT_H

#include <linux/fs.h>
#include <linux/timer.h>
#include <linux/uio.h>

/* 6.16 renamed from_timer() to timer_container_of(). */
#ifndef timer_container_of
#define timer_container_of(var, callback_timer, timer_fieldname) \
	from_timer(var, callback_timer, timer_fieldname)
#endif

/*
 * 6.5 replaced generic_file_splice_read() by copy_splice_read(). Both are
 * functions, so Kbuild looks for the new one in the kernel's headers.
 */
#ifndef HAVE_COPY_SPLICE_READ
#define copy_splice_read generic_file_splice_read
#endif

/*
 * copy_folio_from_iter_atomic() came after 6.1, and later kernels dropped
 * copy_page_from_iter_atomic(): Kbuild looks for the new one.
 */
#ifndef HAVE_COPY_FOLIO_FROM_ITER_ATOMIC
#define copy_folio_from_iter_atomic(folio, offset, bytes, i) \
	copy_page_from_iter_atomic(&(folio)->page, offset, bytes, i)
#endif

#endif /* LESSON4_COMPAT_H */
