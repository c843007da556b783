# Print the lines of a kernel log (dmesg, or a console log) that report a
# problem: oopses, panics, BUG:, WARNING:, INFO: (hung tasks, RCU stalls,
# lockdep's "non-static key"), KASAN, UBSAN, lockdep, kmemleak, sleeping in
# atomic context, and every "Call Trace" except those that follow an
# allocation failure that fault injection caused on purpose. Shared by the
# guest (busybox awk) and the host.
/FAULT_INJECTION: forcing a failure|page allocation failure|vmalloc error/ {
	injected = 1
	next
}
/Kernel panic|BUG:|WARNING:|INFO:|Oops|general protection|KASAN|UBSAN|circular locking|sleeping function|suspected memory leak|unreferenced object/ {
	print
	injected = 0
	next
}
/Call Trace/ {
	if (!injected)
		print
	next
}
/<\/TASK>/ { injected = 0 }
