// SPDX-License-Identifier: GPL-2.0
/*
 * alloc_demo - the lesson's MyDriver: fallible kernel allocations.
 *
 * Every allocation can fail and is checked. A failure unwinds exactly what
 * was allocated before it, in reverse order, and init returns -ENOMEM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <linux/slab.h>

#define MY_DRIVER_BUFFER_SIZE 4096

struct my_driver {
	u8 *buffer;
	size_t buffer_size;
	char *name;
};

static struct my_driver my_driver;

static int __init alloc_demo_init(void)
{
	/* GFP_KERNEL may sleep, which module init (process context) allows. */
	my_driver.buffer = kzalloc(MY_DRIVER_BUFFER_SIZE, GFP_KERNEL);
	if (!my_driver.buffer)
		return -ENOMEM;
	my_driver.buffer_size = MY_DRIVER_BUFFER_SIZE;

	my_driver.name = kasprintf(GFP_KERNEL, "my_driver_instance");
	if (!my_driver.name)
		goto err_free_buffer;

	pr_info("Allocated %zu bytes for %s\n", my_driver.buffer_size,
		my_driver.name);
	return 0;

err_free_buffer:
	kfree(my_driver.buffer);
	return -ENOMEM;
}

static void __exit alloc_demo_exit(void)
{
	pr_info("Freeing resources for %s\n", my_driver.name);
	kfree(my_driver.name);
	kfree(my_driver.buffer);
}

module_init(alloc_demo_init);
module_exit(alloc_demo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("Fallible kernel allocation with complete cleanup");
