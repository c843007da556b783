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

#endif /* LESSON4_COMPAT_H */
