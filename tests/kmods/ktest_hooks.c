// SPDX-License-Identifier: GPL-2.0
/*
 * ktest_hooks - test-only: kprobes on kernel functions around the drivers,
 * to hold a race window open or force an error, so that the suite hits
 * them every time instead of by luck. Never install it.
 *
 *   insmod ktest_hooks.ko hook=pollwait comm=NAME delay_ms=N
 *	Every __pollwait() of a task named NAME, that is poll_wait() under
 *	poll(2), first spins for N ms. A poll that samples its state before
 *	poll_wait() misses a write made meanwhile.
 *   insmod ktest_hooks.ko hook=misc_register comm=NAME delay_ms=N
 *	Every second misc_register() of a task named NAME spins for N ms,
 *	so that an opener can reach the device registered just before, and
 *	then fails with -EBUSY, as when the dynamic minors run out.
 *
 * "hits" counts the hooked calls that have started spinning, so that a
 * test can act while the window is open, and "ends" those that have
 * stopped, so that it can show that it acted in time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/kprobes.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/string.h>

static char *hook = "";
module_param(hook, charp, 0444);
MODULE_PARM_DESC(hook, "pollwait or misc_register");

static char *comm = "";
module_param(comm, charp, 0444);
MODULE_PARM_DESC(comm, "Only tasks of this name are hooked");

static uint delay_ms = 1000;
module_param(delay_ms, uint, 0444);
MODULE_PARM_DESC(delay_ms, "How long a hooked call spins, in ms");

static atomic_t hits = ATOMIC_INIT(0);
module_param_named(hits, hits.counter, int, 0444);
MODULE_PARM_DESC(hits, "Hooked calls so far");

static atomic_t ends = ATOMIC_INIT(0);
module_param_named(ends, ends.counter, int, 0444);
MODULE_PARM_DESC(ends, "Hooked calls that have stopped spinning");

static atomic_t calls = ATOMIC_INIT(0); /* of the hooked task */
static struct miscdevice *prev_misc; /* registered by the call before */

static bool hooked_task(void)
{
	return !strcmp(current->comm, comm);
}

/* kprobe handlers may not sleep: spin, as the window only needs time. */
static void hold_window(void)
{
	atomic_inc(&hits);
	mdelay(delay_ms);
	atomic_inc(&ends);
}

static int pollwait_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (hooked_task())
		hold_window();
	return 0;
}

static int misc_register_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct miscdevice *misc =
		(struct miscdevice *)regs_get_kernel_argument(regs, 0);
	int call;

	if (!hooked_task())
		return 0;
	/* busybox's insmod loads again with init_module() if finit fails. */
	call = atomic_inc_return(&calls);
	if (call % 2) {
		prev_misc = misc;
		return 0;
	}
	hold_window();
	/* The minor of the device before: misc_register() finds it taken. */
	misc->minor = prev_misc->minor;
	return 0;
}

static struct kprobe probe;

static int __init ktest_hooks_init(void)
{
	int ret;

	if (!strcmp(hook, "pollwait")) {
		probe.symbol_name = "__pollwait";
		probe.pre_handler = pollwait_pre;
	} else if (!strcmp(hook, "misc_register")) {
		probe.symbol_name = "misc_register";
		probe.pre_handler = misc_register_pre;
	} else {
		pr_err("hook=%s is unknown\n", hook);
		return -EINVAL;
	}
	ret = register_kprobe(&probe);
	if (ret)
		pr_err("cannot probe %s: %d\n", probe.symbol_name, ret);
	return ret;
}

static void __exit ktest_hooks_exit(void)
{
	unregister_kprobe(&probe);
}

module_init(ktest_hooks_init);
module_exit(ktest_hooks_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("Test-only: kprobes that hold race windows open");
MODULE_INFO(test, "Y");
