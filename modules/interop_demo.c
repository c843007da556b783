// SPDX-License-Identifier: GPL-2.0
/*
 * interop_demo - the lesson's "interfacing with C": jiffies, HZ and sleeping.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/printk.h>

#define SLEEP_MS 100

static int __init interop_demo_init(void)
{
	/*
	 * jiffies starts at INITIAL_JIFFIES, five minutes before it wraps,
	 * so that wrap bugs show early: subtract it to get the uptime.
	 */
	u64 uptime_jiffies = get_jiffies_64() - INITIAL_JIFFIES;
	ktime_t start;

	pr_info("Uptime is %llu jiffies at HZ=%d\n", uptime_jiffies, HZ);
	pr_info("System uptime: %llu seconds\n", div_u64(uptime_jiffies, HZ));

	/*
	 * usleep_range() sleeps on a high-resolution timer, so at least
	 * SLEEP_MS pass on the clock that ktime_get() reads. msleep(), the
	 * lesson's coarse_sleep(), counts jiffies instead, and a virtual
	 * machine may advance those in bursts.
	 */
	start = ktime_get();
	usleep_range(SLEEP_MS * USEC_PER_MSEC, (SLEEP_MS + 1) * USEC_PER_MSEC);
	pr_info("Slept %d ms, measured %lld ms\n", SLEEP_MS,
		ktime_ms_delta(ktime_get(), start));
	return 0;
}

static void __exit interop_demo_exit(void)
{
	pr_info("Interop demo unloaded\n");
}

module_init(interop_demo_init);
module_exit(interop_demo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("Calls into kernel C APIs: jiffies, HZ and a timed sleep");
