# Reads docs/lesson.md, whose code is never copied by hand:
#   <!-- snippet: FILE NAME -->  the fenced block that follows is the
#       top-level definition NAME of FILE (a function, a struct, an array:
#       from its first line to the "}" or "};" that ends it), or all of
#       FILE when no NAME is given;
#   <!-- session: NAME -->       the fenced block that follows is a shell
#       session of make demo: "# COMMAND" lines, each followed by what it
#       printed.
#   <!-- terms: ID... -->        before a snippet marker: every kernel API
#       name of the snippet (a call, a struct, a CAPITAL macro, a __word)
#       that the snippet does not define must be one of ID... (explained
#       in earlier sections) or appear in `code` in the text of its section
#       before it; each other one drifts as "term FILE NAME".
# mode=sessions: print what the guest's demo runs, "session NAME" and
#   "run COMMAND" lines, in order: the lesson's commands are the demo's.
# mode=render: print the lesson with each snippet block made from the
#   source under root, and each session block from the demo's output in
#   the file demo (if set), and write the name of each block that differed
#   to the file drift; a session that the demo did not print differs.
#   Session output is compared as the demo's varies: log timestamps, file
#   dates, the kernel's release, uptimes, measured times, what a command
#   prints after a sleep, and runs of spaces do not count.
# mode=perturb: read the demo's output and print it with the first digit
#   of session that the comparison counts changed (or, if none, "!" added
#   to its last line): the lesson must then drift there.

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

# The names of the kernel's API that code uses and does not define, one
# per line: calls, structs, CAPITAL macros and __words, outside comments
# and strings. Names defined at the top level (static, #define) are the
# code's own.
function api_names(code, lines, n, i, line, id, pre, rest, defined, seen,
		   out, comment, w, prev, type) {
	n = split(code, lines, "\n")
	for (i = 1; i <= n; i++) {
		line = lines[i]
		if (line ~ /^#define /) {
			split(line, w, /[ (]/)
			defined[w[2]] = 1
		} else if (line ~ /^static / && match(line, /[A-Za-z_][A-Za-z0-9_]*[ ]*(\(|\[| =|;)/)) {
			id = substr(line, RSTART, RLENGTH)
			sub(/[ ]*(\(|\[| =|;)$/, "", id)
			if (id ~ /^[A-Z][A-Z0-9_]+$/ && match(line, /\([A-Za-z_][A-Za-z0-9_]*\)/))
				id = substr(line, RSTART + 1, RLENGTH - 2)
			defined[id] = 1
		}
	}
	for (i = 1; i <= n; i++) {
		line = lines[i]
		if (comment) {
			if (!sub(/.*\*\//, "", line))
				continue
			comment = 0
		}
		gsub(/\/\*([^*]|\*[^\/])*\*\//, "", line)
		if (sub(/\/\*.*/, "", line))
			comment = 1
		sub(/\/\/.*/, "", line)
		gsub(/"([^"\\]|\\.)*"/, "\"\"", line)
		while (match(line, /[A-Za-z_][A-Za-z0-9_]*/)) {
			id = substr(line, RSTART, RLENGTH)
			pre = substr(line, 1, RSTART - 1)
			rest = substr(line, RSTART + RLENGTH)
			line = rest
			type = prev == "struct" && pre ~ /^[ ]+$/
			prev = id
			if (id in defined || id in seen ||
			    id ~ /^(if|for|while|return|sizeof|switch|struct)$/)
				continue
			if (rest ~ /^[ ]*\(/ || type ||
			    id ~ /^[A-Z][A-Z0-9_]+$/ || id ~ /^__/) {
				seen[id] = 1
				out = out id "\n"
			}
		}
	}
	return out
}

# The names in `code` spans of text, as keys of names.
function ticked_names(text, names, span, w, n, i) {
	while (match(text, /`[^`]+`/)) {
		span = substr(text, RSTART + 1, RLENGTH - 2)
		text = substr(text, RSTART + RLENGTH)
		n = split(span, w, /[^A-Za-z0-9_]+/)
		for (i = 1; i <= n; i++)
			if (w[i] != "")
				names[w[i]] = 1
	}
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

# A line of output as compared, cmd the command that printed it.
function normalize_line(line, cmd) {
	gsub(/\[ *[0-9]+\.[0-9]+\]/, "[T]", line)
	gsub(/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +[0-9]+ +[0-9]+:[0-9]+/, "DATE", line)
	gsub(/[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-amd64/, "RELEASE", line)
	gsub(/Uptime is [0-9]+ jiffies/, "Uptime is N jiffies", line)
	gsub(/uptime: [0-9]+ seconds/, "uptime: N seconds", line)
	gsub(/measured [0-9]+ ms/, "measured N ms", line)
	gsub(/ticks=[0-9]+ vec_len=[0-9]+/, "ticks=N vec_len=N", line)
	if (cmd ~ /^# (sleep |cat \/proc\/uptime)/)
		gsub(/[0-9]+/, "N", line)
	gsub(/ +/, " ", line)
	return line
}

function normalize(text, lines, n, i, cmd, out) {
	n = split(text, lines, "\n")
	for (i = 1; i <= n; i++) {
		if (lines[i] ~ /^# /)
			cmd = lines[i]
		out = out normalize_line(lines[i], lines[i] ~ /^# / ? "" : cmd) "\n"
	}
	return out
}

# Each API name of code neither in terms nor explained before, in the text
# of the section so far, drifts.
function check_terms(code, known, names, n, i, w) {
	split(terms, w, " ")
	for (i in w)
		known[w[i]] = 1
	ticked_names(section_text, known)
	n = split(api_names(code), names, "\n")
	for (i = 1; i < n; i++)
		if (!(names[i] in known))
			print "term " file " " names[i] > drift
}

BEGIN {
	if (demo != "")
		read_demo(demo)
}

mode == "perturb" {
	if ($0 ~ /^=== .* ===$/)
		current = substr($0, 5, length($0) - 8)
	else if ($0 ~ /^# /)
		cmd = $0
	else if (current == session && !done)
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c !~ /[0-9]/)
				continue
			changed = substr($0, 1, i - 1) (c + 1) % 10 substr($0, i + 1)
			if (normalize_line(changed, cmd) != normalize_line($0, cmd)) {
				$0 = changed
				done = 1
				break
			}
		}
	lines[NR] = $0
	if (current == session && $0 != "" && $0 != "ktest: guest done")
		last = NR
	next
}
END {
	if (mode != "perturb")
		exit
	if (!done && last)
		lines[last] = lines[last] "!"
	for (i = 1; i <= NR; i++)
		print lines[i]
}

/^## / {
	section_text = ""
}
/^<!-- terms: .* -->$/ {
	terms = substr($0, 12, length($0) - 15)
	if (mode == "render")
		print
	next
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
		if (terms != "" && drift != "")
			check_terms(made)
		terms = ""
	} else {
		if (mode == "sessions") {
			print "session " file
			n = split(shown, lines, "\n")
			for (i = 1; i < n; i++)
				if (lines[i] ~ /^# /)
					print "run " substr(lines[i], 3)
		}
		made = file in demo_out ? demo_out[file] : shown
		same = normalize(made) == normalize(shown) &&
		       (demo == "" || file in demo_out)
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
	section_text = section_text $0 "\n"
	print
}
