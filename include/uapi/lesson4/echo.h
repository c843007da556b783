/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The ioctl ABI of /dev/echo (modules/echo_main.c), for userspace and the
 * module alike. Every argument is a pointer to a __u64, so 32-bit programs
 * on a 64-bit kernel use the same numbers (compat_ptr_ioctl).
 */
#ifndef _UAPI_LESSON4_ECHO_H
#define _UAPI_LESSON4_ECHO_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Free in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define ECHO_IOC_MAGIC 0xE9

/* Empty the buffer and free its memory. Needs a descriptor open for writing. */
#define ECHO_IOC_CLEAR _IO(ECHO_IOC_MAGIC, 0x00)
/* The number of bytes stored. */
#define ECHO_IOC_GET_LENGTH _IOR(ECHO_IOC_MAGIC, 0x01, __u64)
/* The number of bytes the buffer can hold. */
#define ECHO_IOC_GET_CAPACITY _IOR(ECHO_IOC_MAGIC, 0x02, __u64)
/*
 * Set the number of bytes stored, like ftruncate(): shorter frees memory,
 * longer reads as zeros. EINVAL past the capacity. Needs a descriptor open
 * for writing.
 */
#define ECHO_IOC_SET_LENGTH _IOW(ECHO_IOC_MAGIC, 0x03, __u64)

#endif /* _UAPI_LESSON4_ECHO_H */
