// SPDX-License-Identifier: GPL-2.0
/*
 * hello - the lesson's minimal module: one log line on load, one on unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>

static int __init hello_init(void)
{
	pr_info("Hello from C in the kernel!\n");
	pr_info("Module loaded successfully\n");
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("Goodbye from C! Module unloading\n");
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("A minimal C kernel module");
