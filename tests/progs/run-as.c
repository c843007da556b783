// SPDX-License-Identifier: GPL-2.0
/*
 * run-as UID GID PROGRAM [ARG...]: run PROGRAM as an unprivileged user,
 * to test device node permissions (busybox has no setpriv --reuid).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;
	gid_t gid;

	if (argc < 4) {
		fprintf(stderr, "usage: %s UID GID PROGRAM [ARG...]\n",
			argv[0]);
		return 2;
	}
	uid = strtoul(argv[1], NULL, 10);
	gid = strtoul(argv[2], NULL, 10);
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		perror("run-as: dropping privileges");
		return 126;
	}
	execvp(argv[3], argv + 3);
	perror("run-as: exec");
	return 127;
}
