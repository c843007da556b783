# make bench PROFILE=1's profiles, from a raw output (scripts/bench.sh):
# for each kernel, each profiled case of echo beside its baseline's, with
# the time per call of the loop that perf sampled and its top symbols, as
# Markdown.
#   awk -f profile-report.awk RAW
/^kernel / { kernel = $2; release[kernel] = $3; kernels[++nk] = kernel; next }
/^loop / {
	c = $2 " " $3
	if (!(kernel SUBSEP c in seen)) { seen[kernel, c] = 1; cases[kernel, ++nc[kernel]] = c }
	sub(/ns_per_call=/, "", $6)
	ns[kernel, c, $4] = $6
	if ($4 != "echo") base[kernel, c] = $4
	next
}
/^profile / {
	key = kernel SUBSEP $2 " " $3 SUBSEP $4
	if (++n[key] > 6) next
	sym = $6
	for (i = 7; i <= NF; i++) sym = sym " " $i
	top[key] = top[key] (n[key] > 1 ? "<br>" : "") $5 "% `" sym "`"
}
function cell(k, c, t) {
	return (k SUBSEP c SUBSEP t in ns ? ns[k, c, t] " ns a call<br>" : "") top[k, c, t]
}
END {
	print "# Where the time goes: `make bench PROFILE=1`"
	print ""
	print "Each case runs alone for 1.5 s under `perf record -e cpu-clock`"
	print "(Debian's linux-perf of the kernel's own suite; under TCG there are"
	print "no hardware counters), beside its baseline in the same boot. The"
	print "symbols are those with the most samples, kernel and user, in percent"
	print "of the case's samples."
	for (i = 1; i <= nk; i++) {
		k = kernels[i]
		if (!nc[k]) continue
		print ""
		print "## " k " (" release[k] ")"
		print ""
		print "| case | echo | baseline |"
		print "|---|---|---|"
		for (j = 1; j <= nc[k]; j++) {
			c = cases[k, j]
			print "| " c " B, against " base[k, c] " | " cell(k, c, "echo") " | " cell(k, c, base[k, c]) " |"
		}
	}
}
