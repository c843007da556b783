# Static analysis of every C file in the tree, as KTAP: checkpatch --strict,
# sparse, coccicheck, the kernel's .clang-format, MODULE_PARM_DESC for
# every parameter, docs/lesson.md's snippets against the source; and of
# every shell script, with shellcheck (warnings and errors). The
# tools run in the toolchain chroot (kernels.sh), so that every host gets
# the same verdicts: its linux-source (checkpatch, Coccinelle scripts,
# .clang-format), headers, sparse and clang-format.
# shellcheck shell=bash

# The C files of the tree, without build products.
tree_c_files() {
	(cd "$ROOT" && { git ls-files '*.c' '*.h' 2>/dev/null ||
		find modules tests include -name '*.[ch]' ! -name '*.mod.c'; })
}

# The shell scripts of the tree: the host's (bash) and the guest's (busybox
# sh, under tests/guest/).
tree_shell_files() {
	(cd "$ROOT" && git ls-files '*.sh' .ci/run tests/guest/init 2>/dev/null)
}

# lint_in_chroot SCRIPT: run a shell script in the toolchain chroot, in the
# copy of the tree; the copy's path is taken out of what it prints. A
# script that fails (a tool that is missing, say) says so in an ERROR line.
lint_in_chroot() {
	{ in_chroot "$LINT_CHROOT" sh -c "cd $LINT_TREE && $1" 2>&1 ||
		echo "ERROR: the check failed with status $?"; } | sed "s|$LINT_TREE/||g"
}

# checkpatch's status is 1 when it finds something: that is in its output.
lint_checkpatch() {
	lint_in_chroot "for f in $(tree_c_files | tr '\n' ' '); do
		$KSRC/scripts/checkpatch.pl --strict --no-tree --quiet --show-types -f \$f
		[ \$? -le 1 ] || exit 2
	done" | grep -E '^(ERROR|WARNING|CHECK)|^#[0-9]+:' || true
}

lint_sparse() {
	local kdir
	kdir=/usr/src/linux-headers-$(chroot_kernel_release "$LINT_CHROOT")
	# In a copy of its own, so that coccicheck sees no build products.
	lint_in_chroot "rm -rf $LINT_TREE-sparse && cp -r $LINT_TREE $LINT_TREE-sparse &&
		make -C $kdir M=$LINT_TREE-sparse/modules C=2 CHECK=sparse modules" |
		sed "s|$LINT_TREE-sparse/||g" | grep -E 'warning:|error:|ERROR:' || true
}

lint_coccicheck() {
	lint_in_chroot "make -C $KSRC M=$LINT_TREE coccicheck MODE=report" \
		>"$LINT_DIR/cocci.log"
	grep -E '^(modules|tests|include)/.*:[0-9]+|^ERROR:' "$LINT_DIR/cocci.log" || true
}

lint_clang_format() {
	lint_in_chroot "for f in $(tree_c_files | tr '\n' ' '); do
		clang-format --style=file:$KSRC/.clang-format --dry-run \$f
	done" | grep -E 'warning:|ERROR:' || true
}

# Sourced files are followed from each script's own directory; the ones
# named at run time (a resolved kernel's variables) are not.
lint_shellcheck() {
	local host guest
	host=$(tree_shell_files | grep -v '^tests/guest/' | tr '\n' ' ')
	guest=$(tree_shell_files | grep '^tests/guest/' | tr '\n' ' ')
	lint_in_chroot "shellcheck -f gcc -x -P SCRIPTDIR --severity=warning \
		-e SC1090,SC1091 $host && shellcheck -f gcc -x -P SCRIPTDIR \
		--severity=warning -e SC1090,SC1091 -s sh $guest" |
		grep -E ': (warning|error):|ERROR:' || true
}

lint_parm_desc() {
	local f name
	for f in $(tree_c_files); do
		for name in $(sed -n 's/^module_param[a-z_]*(\([a-z0-9_]*\),.*/\1/p' "$ROOT/$f"); do
			grep -q "^MODULE_PARM_DESC($name," "$ROOT/$f" ||
				echo "$f: parameter '$name' has no MODULE_PARM_DESC"
		done
	done
}

# lint_suite NUMBER: the lint subtest at top level.
lint_suite() {
	# shellcheck disable=SC2154 # failed: ktap.sh's count, in the caller
	local number=$1 failed_before=$failed i=0 check problems f
	LINT_CHROOT=$(toolchain_chroot)
	# shellcheck disable=SC2086
	chroot_install "$LINT_CHROOT" $LINT_PACKAGES
	KSRC=$(kernel_source) || die "no kernel source"
	LINT_DIR=$BUILD_ROOT/lint
	mkdir -p "$LINT_DIR"
	# A copy of the C files, in the chroot.
	LINT_TREE=$(chroot_work_dir lint "$BUILD_ROOT")
	rm -rf "${LINT_CHROOT:?}$LINT_TREE"
	for f in $(tree_c_files) $(tree_shell_files) modules/Kbuild; do
		mkdir -p "$LINT_CHROOT$LINT_TREE/$(dirname "$f")"
		cp "$ROOT/$f" "$LINT_CHROOT$LINT_TREE/$f"
	done
	echo "    KTAP version 1"
	echo "    # Subtest: lint"
	echo "    1..10"
	for check in checkpatch sparse coccicheck clang_format parm_desc lesson \
		shellcheck doc_links make_help module_list; do
		i=$((i + 1))
		problems=$("lint_$check")
		if [ -z "$problems" ]; then
			result ok "$i" "$check"
		else
			head -n 30 <<<"$problems" | sed 's/^/    # /'
			result "not ok" "$i" "$check"
		fi
	done
	[ "$failed" -eq "$failed_before" ] && echo "ok $number lint" || echo "not ok $number lint"
}

# lesson_drift DOC ROOT [DEMO]: the blocks of the lesson DOC that differ
# from the source under ROOT (and from DEMO, the output of make demo's
# guest), one "snippet FILE [NAME]", "session NAME" or "term FILE NAME"
# line each.
lesson_drift() {
	local drift
	drift=$(mktemp)
	awk -v mode=render -v root="$2" -v demo="${3:-}" -v drift="$drift" \
		-f "$ROOT/scripts/tools/lesson.awk" "$1" >/dev/null
	cat "$drift"
	rm -f "$drift"
}

# The lesson's snippets are the source, byte for byte, and the kernel API
# of echo_simple's snippet is explained before it (lesson.awk's terms);
# a snippet whose source changed is caught (hello.c, changed in a copy),
# and so is a term left unexplained (min_t, in a copy of the lesson).
lint_lesson() {
	local copy drift
	lesson_drift "$ROOT/docs/lesson.md" "$ROOT" | sed 's/$/ differs from the source: make lesson-update/'
	copy=$(mktemp -d)
	mkdir -p "$copy/modules"
	cp "$ROOT"/modules/* "$copy/modules/"
	sed -i 's/Hello from C in the kernel!/Hello from C!/' "$copy/modules/hello.c"
	drift=$(lesson_drift "$ROOT/docs/lesson.md" "$copy")
	rm -rf "$copy"
	[ "$drift" = "snippet modules/hello.c" ] ||
		echo "a change to modules/hello.c in a copy went unnoticed (drift: '$drift')"
	# A term of echo_simple.c no longer explained before it is caught.
	copy=$(mktemp)
	sed 's/`min_t()`/min_t()/g' "$ROOT/docs/lesson.md" >"$copy"
	drift=$(lesson_drift "$copy" "$ROOT")
	rm -f "$copy"
	[ "$drift" = "term modules/echo_simple.c min_t" ] ||
		echo "an unexplained min_t went unnoticed (drift: '$drift')"
}

# doc_link_problems DIR: the relative links of DIR's Markdown files that
# lead to no file, or to no heading of it (GitHub's anchors).
doc_link_problems() {
	local md link file anchor
	for md in $(cd "$1" && git ls-files '*.md' 2>/dev/null || find . -name '*.md' | sed 's|^\./||'); do
		{ grep -o '](\([^)]*\))' "$1/$md" || :; } | sed 's/^](\(.*\))$/\1/' |
			while read -r link; do
				case $link in http://* | https://* | mailto:*) continue ;; esac
				file=${link%%#*} anchor=${link#"${link%%#*}"}
				file=$(dirname "$md")/${file:-$(basename "$md")}
				if [ ! -e "$1/$file" ]; then
					echo "$md: $link: no such file"
				elif [ -n "$anchor" ] && ! grep '^#' "$1/$file" |
					sed 's/^#* *//' | tr 'A-Z ' 'a-z-' | tr -cd 'a-z0-9_\n-' |
					grep -qxF "${anchor#\#}"; then
					echo "$md: $link: no such heading"
				fi
			done
	done
}

# The docs' links, and a broken one in a copy caught (a file, a heading).
lint_doc_links() {
	local copy drift
	doc_link_problems "$ROOT"
	copy=$(mktemp -d)
	printf '[a](docs/none.md) [b](README.md#no-heading) [c](README.md#licence)\n' >"$copy/README.md"
	printf '## Licence\n' >>"$copy/README.md"
	drift=$(cd "$copy" && doc_link_problems .)
	rm -rf "$copy"
	[ "$drift" = "$(printf '%s\n' "README.md: docs/none.md: no such file" \
		"README.md: README.md#no-heading: no such heading")" ] ||
		echo "broken links in a copy went unnoticed (found: '$drift')"
}

# Every target of the Makefile is in make help's list, and only those
# (all and modules are the plain "make").
lint_make_help() {
	local targets listed
	targets=$(sed -n '/^\.PHONY:/,/[^\\]$/p' "$ROOT/Makefile" | sed 's/^\.PHONY://' |
		tr -s ' \t\\' '\n' | grep -vxE 'all|modules|' | sort)
	listed=$(make -s --no-print-directory -C "$ROOT" help |
		sed -n 's/^  make \([a-z0-9-]\{1,\}\).*/\1/p' | sort)
	comm -23 <(echo "$targets") <(echo "$listed") | sed 's/.*/make & is not in make help/'
	comm -13 <(echo "$targets") <(echo "$listed") | sed 's/.*/make help lists &, no target/'
}

# dkms.conf builds the modules of modules/Kbuild, the one list, in order.
lint_module_list() {
	local kbuild dkms
	kbuild=$(installed_modules | awk '{ printf "[%d]=%s ", NR - 1, $0 }')
	dkms=$(sed -n 's/^BUILT_MODULE_NAME\(\[[0-9]*\]\)="\(.*\)"$/\1=\2/p' "$ROOT/dkms.conf" | tr '\n' ' ')
	[ "$kbuild" = "$dkms" ] ||
		echo "dkms.conf builds '$dkms', modules/Kbuild lists '$kbuild'"
}
