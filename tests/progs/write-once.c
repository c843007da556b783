// SPDX-License-Identifier: GPL-2.0
/*
 * write-once [-a] [-t] PATH: read all of stdin, then hand it to exactly one
 * write(2) on PATH and print what that call returned: the byte count, or the
 * errno name (ENOSPC, EFAULT...). The shell's tools retry short writes, so
 * they cannot show a short count.
 *   -a  open with O_APPEND
 *   -t  open with O_TRUNC
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int flags = O_WRONLY, opt, fd;
	size_t len = 0, size = 1 << 16;
	char *buf = malloc(size);
	ssize_t n;

	while ((opt = getopt(argc, argv, "at")) != -1) {
		if (opt == 'a')
			flags |= O_APPEND;
		else if (opt == 't')
			flags |= O_TRUNC;
		else
			return 2;
	}
	if (optind != argc - 1 || !buf) {
		fprintf(stderr, "usage: %s [-a] [-t] PATH < DATA\n", argv[0]);
		return 2;
	}
	while ((n = read(STDIN_FILENO, buf + len, size - len)) > 0) {
		len += n;
		if (len == size) {
			size *= 2;
			buf = realloc(buf, size);
			if (!buf)
				return 2;
		}
	}
	fd = open(argv[optind], flags);
	if (fd < 0) {
		printf("open:%s\n", strerrorname_np(errno));
		return 1;
	}
	n = write(fd, buf, len);
	if (n < 0)
		printf("%s\n", strerrorname_np(errno));
	else
		printf("%zd\n", n);
	return 0;
}
