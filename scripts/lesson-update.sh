#!/usr/bin/env bash
# Rewrite docs/lesson.md's code from the source (scripts/tools/lesson.awk), and
# its sessions from make demo's guest output, if given: after changing a
# module, or a command of the lesson.
#   make lesson-update [DEMO=DEMO_OUTPUT]
#   make demo >demo.out; make lesson-update DEMO=demo.out
source "$(dirname "$0")/lib/init.sh"
doc=$ROOT/docs/lesson.md
new=$(mktemp)
awk -v mode=render -v root="$ROOT" -v demo="${1:-}" -f "$ROOT/scripts/tools/lesson.awk" \
	"$doc" >"$new"
if cmp -s "$doc" "$new"; then
	echo "docs/lesson.md is up to date"
else
	diff -u "$doc" "$new" | tail -n +3 | grep '^[-+]' | head -n 40 || true
	cp "$new" "$doc"
	echo "docs/lesson.md updated"
fi
rm -f "$new"
