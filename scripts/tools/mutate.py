#!/usr/bin/env python3
"""Read a mutant (tests/mutants/*.mutant) and apply it to a tree.

  mutate.py MUTANT field NAME   print a header field ("suite: check")
  mutate.py MUTANT apply TREE   apply its changes to the files under TREE

A mutant is comment lines ("# ..."), header fields ("name: value"), then
one or more changes: a "file: PATH" line, the lines to replace, each
prefixed with "-", and their replacement, each prefixed with "+" (none to
delete them). The "-" lines must occur exactly once in the file, so that a
mutant that no longer matches the code fails loudly instead of testing
nothing.
"""
import sys


def parse(path):
    fields, changes = {}, []
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("file: "):
            changes.append([line[6:].strip(), [], []])
        elif changes and line[:1] in "-+" and line:
            changes[-1][1 if line[0] == "-" else 2].append(line[1:])
        elif not changes and ": " in line and not line.startswith("#"):
            key, value = line.split(": ", 1)
            fields[key.strip()] = value.strip()
    return fields, changes


def main():
    mutant, command, arg = sys.argv[1:4]
    fields, changes = parse(mutant)
    if command == "field":
        print(fields.get(arg, ""))
        return 0
    if not changes:
        sys.exit(f"{mutant}: no change")
    for name, old, new in changes:
        path = f"{arg}/{name}"
        # Whole lines only: match from a line's start to a line's end.
        text = "\n" + open(path, encoding="utf-8").read()
        find = "".join("\n" + line for line in old) + "\n"
        if not old or text.count(find) != 1:
            sys.exit(f"{mutant}: the '-' lines occur {text.count(find)} times in {name}")
        text = text.replace(find, "".join("\n" + line for line in new) + "\n")
        open(path, "w", encoding="utf-8").write(text[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
