#!/bin/sh
# The guest side of make demo: replay the shell sessions of docs/lesson.md,
# which make_initramfs lists in /tests/lesson-sessions ("session NAME" and
# "run COMMAND" lines), showing each command as typed at a root prompt and
# what it printed, the kernel log included.
while IFS= read -r line; do
	case $line in
	"session "*)
		echo
		echo "=== ${line#session } ==="
		;;
	"run "*)
		echo "# ${line#run }"
		sh -c "${line#run }" </dev/null 2>&1
		;;
	esac
done </tests/lesson-sessions
