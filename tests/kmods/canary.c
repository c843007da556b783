// SPDX-License-Identifier: GPL-2.0
/*
 * canary - test-only: commits, on request, each kind of bug that the
 * sanitizer kernel must report, so that "no reports" from the suite means
 * something. Never install it.
 *
 *   insmod canary.ko bug=kasan|lockdep|kmemleak|atomic_sleep|ubsan|none
 *
 * bug=none commits nothing: the control boot, which must stay clean.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "kasan, lockdep, kmemleak, atomic_sleep, ubsan or none");

/* KASAN: read one byte past a 16-byte allocation. */
static noinline void out_of_bounds(void)
{
	char *p = kmalloc(16, GFP_KERNEL);

	if (!p)
		return;
	OPTIMIZER_HIDE_VAR(p);
	pr_info("byte 16 of 16: %d\n", READ_ONCE(p[16]));
	kfree(p);
}

static DEFINE_MUTEX(lock_a);
static DEFINE_MUTEX(lock_b);

/* lockdep: take A then B, later B then A; no deadlock needed to see it. */
static noinline void lock_order_inversion(void)
{
	mutex_lock(&lock_a);
	mutex_lock(&lock_b);
	mutex_unlock(&lock_b);
	mutex_unlock(&lock_a);

	mutex_lock(&lock_b);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	mutex_unlock(&lock_b);
}

/* kmemleak: allocate and drop the only pointer. */
static noinline void leak(void)
{
	void *p = kmalloc(64, GFP_KERNEL);

	OPTIMIZER_HIDE_VAR(p);
}

static DEFINE_SPINLOCK(spin);

/* DEBUG_ATOMIC_SLEEP: take a sleeping lock while holding a spinlock. */
static noinline void sleep_in_atomic(void)
{
	spin_lock(&spin);
	mutex_lock(&lock_a);
	mutex_unlock(&lock_a);
	spin_unlock(&spin);
}

/* UBSAN: shift a 32-bit int by 40. */
static noinline void shift_out_of_bounds(void)
{
	int shift = 40;

	OPTIMIZER_HIDE_VAR(shift);
	pr_info("1 << %d = %d\n", shift, 1 << shift);
}

static int __init canary_init(void)
{
	static const struct {
		const char *name;
		void (*commit)(void);
	} bugs[] = {
		{ "kasan", out_of_bounds },
		{ "lockdep", lock_order_inversion },
		{ "kmemleak", leak },
		{ "atomic_sleep", sleep_in_atomic },
		{ "ubsan", shift_out_of_bounds },
	};
	int i;

	if (!strcmp(bug, "none"))
		return 0;
	for (i = 0; i < ARRAY_SIZE(bugs); i++) {
		if (!strcmp(bug, bugs[i].name)) {
			pr_info("committing bug=%s on purpose\n", bug);
			bugs[i].commit();
			return 0;
		}
	}
	pr_err("bug=%s is unknown\n", bug);
	return -EINVAL;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("Test-only: commits the bugs the sanitizers must catch");
MODULE_INFO(test, "Y");
