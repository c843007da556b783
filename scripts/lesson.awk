# Reads docs/lesson.md, whose code is never copied by hand:
#   <!-- snippet: FILE NAME -->  the fenced block that follows is the
#       top-level definition NAME of FILE (a function, a struct, an array:
#       from its first line to the "}" or "};" that ends it), or all of
#       FILE when no NAME is given;
#   <!-- session: NAME -->       the fenced block that follows is a shell
#       session of make demo: "# COMMAND" lines, each followed by what it
#       printed.
# mode=sessions: print what the guest's demo runs, "session NAME" and
#   "run COMMAND" lines, in order: the lesson's commands are the demo's.
# mode=render: print the lesson with each snippet block made from the
#   source under root, and each session block from the demo's output in
#   the file demo (if set), and write the name of each block that differed
#   to the file drift. Session output is compared as the demo's varies:
#   timestamps, numbers, month names and runs of spaces do not count.

function extract(path, name, text, line, found, def) {
	def = "(^|[^A-Za-z0-9_])" name "[ ]*[({=[]"
	while ((getline line < path) > 0) {
		if (!found && (name == "" || (line ~ /^[A-Za-z]/ && line ~ def)))
			found = 1
		if (found) {
			text = text line "\n"
			if (name != "" && line ~ /^};?$/)
				break
		}
	}
	close(path)
	if (!found)
		print "lesson.md: no " (name == "" ? "file" : name " in") " " path > "/dev/stderr"
	return text
}

# The demo's output of each session, by name.
function read_demo(path, line, name) {
	while ((getline line < path) > 0) {
		if (line ~ /^=== .* ===$/) {
			name = substr(line, 5, length(line) - 8)
			continue
		}
		if (name != "" && line != "ktest: guest done")
			demo_out[name] = demo_out[name] line "\n"
	}
	close(path)
	# What follows a session's last output is the blank line before the next.
	for (name in demo_out)
		sub(/\n+$/, "\n", demo_out[name])
}

function normalize(text) {
	gsub(/\[ *[0-9]+\.[0-9]+\]/, "[T]", text)
	gsub(/[0-9]+/, "N", text)
	gsub(/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/, "Mon", text)
	gsub(/ +/, " ", text)
	return text
}

BEGIN {
	if (demo != "")
		read_demo(demo)
}

# The marker, then the fence that opens its block.
/^<!-- (snippet|session): .* -->$/ {
	n = split(substr($0, 6, length($0) - 9), words, " ")
	kind = words[1]
	sub(/:$/, "", kind)
	file = words[2]
	name = ""
	for (i = 3; i <= n; i++)
		name = name (i > 3 ? " " : "") words[i]
	block_name = file (name == "" ? "" : " " name)
	if (mode == "render")
		print
	next
}
kind != "" && !in_block && /^```/ {
	in_block = 1
	shown = ""
	if (mode == "render")
		print
	next
}
in_block && /^```$/ {
	if (kind == "snippet") {
		made = mode == "render" ? extract(root "/" file, name) : shown
		same = made == shown
	} else {
		if (mode == "sessions") {
			print "session " file
			n = split(shown, lines, "\n")
			for (i = 1; i < n; i++)
				if (lines[i] ~ /^# /)
					print "run " substr(lines[i], 3)
		}
		made = file in demo_out ? demo_out[file] : shown
		same = normalize(made) == normalize(shown)
	}
	if (!same && drift != "")
		print kind " " block_name > drift
	if (mode == "render")
		printf "%s%s\n", made, $0
	kind = ""
	in_block = 0
	next
}
in_block {
	shown = shown $0 "\n"
	next
}
mode == "render" {
	print
}
