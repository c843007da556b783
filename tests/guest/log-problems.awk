# Print the lines of a kernel log (dmesg, or a console log) that report a
# problem: oopses, panics, BUG:, WARNING:, INFO: (hung tasks, RCU stalls,
# lockdep's "non-static key"), KASAN, UBSAN, lockdep, kmemleak, sleeping in
# atomic context, allocation failures, and every "Call Trace". Fault
# injection's own reports are no problem, and neither is one allocation
# failure after each: the failure it caused on purpose. Shared by the
# guest (busybox awk) and the host.
/FAULT_INJECTION: forcing a failure/ {
	excused = 1
	quiet = 1
	next
}
/page allocation failure|vmalloc error/ {
	if (!excused)
		print
	quiet = excused
	excused = 0
	next
}
/Kernel panic|BUG:|WARNING:|INFO:|Oops|general protection|KASAN|UBSAN|circular locking|sleeping function|suspected memory leak|unreferenced object/ {
	print
	quiet = 0
	next
}
/Call Trace/ {
	if (!quiet)
		print
	next
}
/<\/TASK>/ { quiet = 0 }
