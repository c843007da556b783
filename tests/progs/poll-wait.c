// SPDX-License-Identifier: GPL-2.0
/*
 * poll-wait PATH in|out TIMEOUT_MS: open PATH read-only (O_APPEND too for
 * "out", so that room is measured at the end), poll() it once for POLLIN or
 * POLLOUT, and print what came back and how long the wait took:
 * "revents=in after 512 ms", or "revents=none after 5003 ms".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	struct pollfd pfd = { .events = POLLIN };
	long start;
	int n;

	if (argc != 4 || (strcmp(argv[2], "in") && strcmp(argv[2], "out"))) {
		fprintf(stderr, "usage: %s PATH in|out TIMEOUT_MS\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[2], "out"))
		pfd.events = POLLOUT;
	pfd.fd = open(argv[1],
		      pfd.events == POLLOUT ? O_WRONLY | O_APPEND : O_RDONLY);
	if (pfd.fd < 0) {
		perror(argv[1]);
		return 1;
	}
	start = now_ms();
	n = poll(&pfd, 1, atoi(argv[3]));
	if (n < 0) {
		perror("poll");
		return 1;
	}
	printf("revents=%s after %ld ms\n",
	       !n			 ? "none" :
	       pfd.revents == pfd.events ? argv[2] :
					   "other",
	       now_ms() - start);
	return 0;
}
