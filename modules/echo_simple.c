// SPDX-License-Identifier: GPL-2.0
/*
 * echo_simple - the lesson's echo_rust, in C and nothing more: /dev/echo_simple
 * holds up to 4096 bytes behind a mutex. A write replaces them; a read
 * returns them from the file position on.
 *
 * The mutex is never held across a copy to or from userspace: such a copy
 * can wait on a page fault for as long as userspace likes, and everyone
 * else would wait for the lock meanwhile. So the bytes go through a kernel
 * buffer, and the lock covers only a memcpy().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define BUFFER_SIZE 4096

/* The seed's DeviceState: the bytes and their length, under one lock. */
static DEFINE_MUTEX(state_lock);
static char state_data[BUFFER_SIZE];
static size_t state_len;

static int echo_simple_open(struct inode *inode, struct file *file)
{
	pr_info("Device opened\n");
	return 0;
}

static ssize_t echo_simple_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos)
{
	char *copy;
	size_t len;
	ssize_t ret;

	copy = kmalloc(BUFFER_SIZE, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	mutex_lock(&state_lock);
	len = state_len;
	memcpy(copy, state_data, len);
	mutex_unlock(&state_lock);

	/* Copies from *ppos on, at most count bytes, and advances *ppos. */
	ret = simple_read_from_buffer(buf, count, ppos, copy, len);
	kfree(copy);
	return ret;
}

static ssize_t echo_simple_write(struct file *file, const char __user *buf,
				 size_t count, loff_t *ppos)
{
	size_t to_write = min_t(size_t, count, BUFFER_SIZE);
	char *copy;

	/* kmalloc() and copy_from_user() in one: an ERR_PTR() on failure. */
	copy = memdup_user(buf, to_write);
	if (IS_ERR(copy))
		return PTR_ERR(copy);
	mutex_lock(&state_lock);
	memcpy(state_data, copy, to_write);
	state_len = to_write;
	mutex_unlock(&state_lock);
	kfree(copy);

	pr_info("Wrote %zu bytes to device\n", to_write);
	return to_write;
}

static const struct file_operations echo_simple_fops = {
	.owner = THIS_MODULE,
	.open = echo_simple_open,
	.read = echo_simple_read,
	.write = echo_simple_write,
};

static struct miscdevice echo_simple_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "echo_simple",
	.fops = &echo_simple_fops,
};

static int __init echo_simple_init(void)
{
	int ret;

	pr_info("Initializing echo device\n");
	ret = misc_register(&echo_simple_misc);
	if (ret)
		pr_err("cannot register /dev/echo_simple: %d\n", ret);
	return ret;
}

static void __exit echo_simple_exit(void)
{
	misc_deregister(&echo_simple_misc);
	pr_info("Echo device unloaded\n");
}

module_init(echo_simple_init);
module_exit(echo_simple_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("Character device that stores and echoes data");
