// SPDX-License-Identifier: GPL-2.0
/*
 * locking_demo - the lesson's mutex against spinlock, used for real.
 *
 * Process context: a workqueue item appends to a byte vector and grows it
 * with krealloc(GFP_KERNEL), which may sleep. Sleeping is allowed under a
 * mutex, so a mutex guards the vector.
 *
 * Interrupt context: a timer callback runs in softirq context, where
 * sleeping is forbidden, and increments a counter under a spinlock.
 * Process context reads the counter with spin_lock_bh(): it keeps the
 * timer softirq off this CPU while the lock is held, which would otherwise
 * spin forever on a lock its own CPU holds.
 *
 * Both values are readable in debugfs, /sys/kernel/debug/locking_demo/,
 * where there is one, and are logged at unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

#include "compat.h"

#define TICK_PERIOD_MS 10
#define PUSH_PERIOD_MS 50
#define BYTE_VEC_MAX_LEN 4096 /* bounds the demo's memory */
#define BYTE_VEC_MIN_CAPACITY 16

struct byte_vec {
	u8 *data;
	size_t len;
	size_t capacity;
};

struct locking_demo {
	struct mutex vec_lock; /* guards vec */
	struct byte_vec vec;
	struct delayed_work push_work;

	spinlock_t ticks_lock; /* guards ticks */
	u64 ticks;
	struct timer_list tick_timer;

	struct dentry *debugfs_dir;
};

static struct locking_demo demo = {
	.vec_lock = __MUTEX_INITIALIZER(demo.vec_lock),
	.ticks_lock = __SPIN_LOCK_UNLOCKED(demo.ticks_lock),
};

/* Caller holds the vector's mutex: krealloc(GFP_KERNEL) may sleep. */
static int byte_vec_push(struct byte_vec *vec, u8 byte)
{
	if (vec->len == BYTE_VEC_MAX_LEN)
		return -ENOSPC;

	if (vec->len == vec->capacity) {
		size_t new_capacity =
			max(2 * vec->capacity, (size_t)BYTE_VEC_MIN_CAPACITY);
		u8 *data = krealloc(vec->data, new_capacity, GFP_KERNEL);

		if (!data)
			return -ENOMEM;
		vec->data = data;
		vec->capacity = new_capacity;
	}

	vec->data[vec->len++] = byte;
	return 0;
}

static void push_work_fn(struct work_struct *work)
{
	struct locking_demo *d = container_of(to_delayed_work(work),
					      struct locking_demo, push_work);
	int ret;

	mutex_lock(&d->vec_lock);
	ret = byte_vec_push(&d->vec, 42);
	mutex_unlock(&d->vec_lock);

	if (ret) {
		pr_info("Byte vector stopped growing: %d\n", ret);
		return;
	}
	schedule_delayed_work(&d->push_work, msecs_to_jiffies(PUSH_PERIOD_MS));
}

static void tick_timer_fn(struct timer_list *t)
{
	struct locking_demo *d = timer_container_of(d, t, tick_timer);

	/* Softirq context already: the plain spin_lock() is the right one. */
	spin_lock(&d->ticks_lock);
	d->ticks++;
	spin_unlock(&d->ticks_lock);

	mod_timer(&d->tick_timer, jiffies + msecs_to_jiffies(TICK_PERIOD_MS));
}

static u64 read_ticks(struct locking_demo *d)
{
	u64 ticks;

	spin_lock_bh(&d->ticks_lock);
	ticks = d->ticks;
	spin_unlock_bh(&d->ticks_lock);
	return ticks;
}

static size_t read_vec_len(struct locking_demo *d)
{
	size_t len;

	mutex_lock(&d->vec_lock);
	len = d->vec.len;
	mutex_unlock(&d->vec_lock);
	return len;
}

static int ticks_get(void *data, u64 *val)
{
	*val = read_ticks(data);
	return 0;
}

static int vec_len_get(void *data, u64 *val)
{
	*val = read_vec_len(data);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(ticks_fops, ticks_get, NULL, "%llu\n");
DEFINE_DEBUGFS_ATTRIBUTE(vec_len_fops, vec_len_get, NULL, "%llu\n");

static int __init locking_demo_init(void)
{
	/*
	 * debugfs is optional (debugfs=off, or a kernel without it): its
	 * return values are not checked, as debugfs.rst says, and the demo
	 * runs and logs its values at unload either way.
	 */
	demo.debugfs_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file_unsafe("ticks", 0444, demo.debugfs_dir, &demo,
				   &ticks_fops);
	debugfs_create_file_unsafe("vec_len", 0444, demo.debugfs_dir, &demo,
				   &vec_len_fops);

	/* Neither start can fail, so nothing after this point unwinds. */
	timer_setup(&demo.tick_timer, tick_timer_fn, 0);
	mod_timer(&demo.tick_timer, jiffies + msecs_to_jiffies(TICK_PERIOD_MS));
	INIT_DELAYED_WORK(&demo.push_work, push_work_fn);
	schedule_delayed_work(&demo.push_work,
			      msecs_to_jiffies(PUSH_PERIOD_MS));

	pr_info("Timer ticks every %d ms, work pushes every %d ms\n",
		TICK_PERIOD_MS, PUSH_PERIOD_MS);
	return 0;
}

static void __exit locking_demo_exit(void)
{
	/* Readers first, then the writers, then the data they wrote. */
	debugfs_remove_recursive(demo.debugfs_dir);
	/* Both re-arm themselves; these two calls stop that as well. */
	timer_shutdown_sync(&demo.tick_timer);
	cancel_delayed_work_sync(&demo.push_work);

	pr_info("Unloading: ticks=%llu vec_len=%zu\n", read_ticks(&demo),
		read_vec_len(&demo));
	kfree(demo.vec.data);
}

module_init(locking_demo_init);
module_exit(locking_demo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("Mutex in process context, spinlock in softirq context");
