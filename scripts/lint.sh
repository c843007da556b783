# Static analysis of every C file in the tree, as KTAP: checkpatch --strict,
# sparse, coccicheck, the kernel's .clang-format, and MODULE_PARM_DESC for
# every parameter. The tools come from the host's Debian suite: its
# linux-source (checkpatch, Coccinelle scripts, .clang-format) and headers.
# shellcheck shell=bash

# Coccinelle runs two of the kernel's scripts in OCaml and some in Python,
# which it loads from libpython3.x.so (in the -dev package).
LINT_PACKAGES="linux-headers-amd64 sparse coccinelle ocaml-nox
	libpython3-dev clang-format make gcc"

# The C files of the tree, without build products.
tree_c_files() {
	(cd "$ROOT" && { git ls-files '*.c' '*.h' 2>/dev/null ||
		find modules tests -name '*.[ch]' ! -name '*.mod.c'; })
}

lint_checkpatch() {
	local f
	for f in $(tree_c_files); do
		"$KSRC/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
			-f "$ROOT/$f" | grep -E '^(ERROR|WARNING|CHECK)|^#[0-9]+:' || true
	done
}

lint_sparse() {
	local dir=$LINT_DIR/sparse kdir
	kdir=/usr/src/linux-headers-$(dpkg-query -W -f='${Depends}' linux-headers-amd64 |
		release_of_metapackage)
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -r "$ROOT/modules" "$ROOT/include" "$dir/"
	make -C "$kdir" M="$dir/modules" C=2 CHECK=sparse modules 2>&1 |
		grep -E 'warning:|error:' || true
}

lint_coccicheck() {
	local dir=$LINT_DIR/cocci f
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in $(tree_c_files); do
		mkdir -p "$dir/$(dirname "$f")"
		cp "$ROOT/$f" "$dir/$f"
	done
	make -C "$KSRC" M="$dir" coccicheck MODE=report >"$LINT_DIR/cocci.log" 2>&1 ||
		{ echo "coccicheck failed:"; tail -n 5 "$LINT_DIR/cocci.log"; }
	grep -E "^$dir/.*:[0-9]+" "$LINT_DIR/cocci.log" | sed "s|^$dir/||" || true
}

lint_clang_format() {
	local f
	for f in $(tree_c_files); do
		clang-format --style="file:$KSRC/.clang-format" --dry-run "$ROOT/$f" 2>&1 |
			grep 'warning:' || true
	done
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
	local number=$1 failed_before=$failed i=0 check problems
	install_packages $LINT_PACKAGES
	KSRC=$(kernel_source) || die "no kernel source"
	LINT_DIR=$BUILD_ROOT/lint
	mkdir -p "$LINT_DIR"
	echo "    KTAP version 1"
	echo "    # Subtest: lint"
	echo "    1..5"
	for check in checkpatch sparse coccicheck clang_format parm_desc; do
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
