// SPDX-License-Identifier: GPL-2.0
/*
 * echo - the lesson's echo device: a misc character device at /dev/echo
 * holding one buffer that every opener shares, like a small in-memory file.
 *
 * - read returns the bytes from the file position up to the stored length,
 *   then 0 (end of file).
 * - write stores at the file position, or at the end with O_APPEND. A write
 *   that would cross the capacity stores what fits and returns that short
 *   count; a write at or past the capacity fails with -ENOSPC. Data is never
 *   dropped silently.
 * - open with O_TRUNC (the shell's ">") empties the buffer.
 * - A write lands whole or not at all, and a reader sees all of it or none.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/minmax.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#define ECHO_DEFAULT_CAPACITY 4096
#define ECHO_MAX_CAPACITY SZ_16M

static unsigned int capacity = ECHO_DEFAULT_CAPACITY;
module_param(capacity, uint, 0444);
MODULE_PARM_DESC(capacity,
		 "Bytes the device can hold, 1..16777216 (default 4096)");

struct echo_dev {
	struct miscdevice misc;
	struct mutex lock; /* guards data and len */
	u8 *data;
	size_t len; /* bytes stored */
	size_t capacity;
};

static int echo_open(struct inode *inode, struct file *file)
{
	/* misc_open() leaves the miscdevice in private_data. */
	struct echo_dev *dev =
		container_of(file->private_data, struct echo_dev, misc);

	file->private_data = dev;

	/* As for a regular file, O_TRUNC empties it: the shell's ">" replaces. */
	if ((file->f_flags & O_TRUNC) && (file->f_mode & FMODE_WRITE)) {
		if (mutex_lock_interruptible(&dev->lock))
			return -ERESTARTSYS;
		dev->len = 0;
		mutex_unlock(&dev->lock);
	}

	/* Rate-limited: the lesson shows it, a busy device must not flood. */
	pr_info_ratelimited("Device opened\n");
	return 0;
}

static ssize_t echo_read(struct file *file, char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	struct echo_dev *dev = file->private_data;
	loff_t pos = *ppos;
	ssize_t ret = 0;

	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;

	if (pos < (loff_t)dev->len) {
		count = min_t(size_t, count, dev->len - pos);
		/* A mutex may be held across the page fault this can take. */
		if (copy_to_user(ubuf, dev->data + pos, count)) {
			ret = -EFAULT;
		} else {
			*ppos = pos + count;
			ret = count;
		}
	}

	mutex_unlock(&dev->lock);
	return ret;
}

static ssize_t echo_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	struct echo_dev *dev = file->private_data;
	bool append = file->f_flags & O_APPEND;
	size_t room;
	loff_t pos;
	ssize_t ret;
	u8 *kbuf;

	if (!count)
		return 0;
	if (!append && *ppos >= (loff_t)dev->capacity)
		return -ENOSPC;

	/*
	 * Copy in before taking the lock: a bad pointer then changes nothing
	 * (the write lands whole or not at all), and a slow page fault never
	 * stalls the other users of the device.
	 */
	room = append ? dev->capacity : dev->capacity - *ppos;
	kbuf = vmemdup_user(ubuf, min(count, room));
	if (IS_ERR(kbuf))
		return PTR_ERR(kbuf);

	if (mutex_lock_interruptible(&dev->lock)) {
		ret = -ERESTARTSYS;
		goto out_free;
	}

	pos = append ? dev->len : *ppos;
	if (pos >= (loff_t)dev->capacity) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	count = min3(count, room, (size_t)(dev->capacity - pos));
	/* A write past the end leaves a gap that reads as zeros, as in a file. */
	if (pos > (loff_t)dev->len)
		memset(dev->data + dev->len, 0, pos - dev->len);
	memcpy(dev->data + pos, kbuf, count);
	dev->len = max_t(size_t, dev->len, pos + count);
	*ppos = pos + count;
	ret = count;

out_unlock:
	mutex_unlock(&dev->lock);
out_free:
	kvfree(kbuf);
	if (ret > 0)
		pr_info_ratelimited("Wrote %zd bytes to device\n", ret);
	return ret;
}

static const struct file_operations echo_fops = {
	/* Pins the module while a file is open, so rmmod fails instead. */
	.owner = THIS_MODULE,
	.open = echo_open,
	.read = echo_read,
	.write = echo_write,
};

static struct echo_dev echo_dev = {
	.misc = {
		.minor = MISC_DYNAMIC_MINOR,
		.name = "echo",
		.fops = &echo_fops,
		/*
		 * Root only: every opener shares one buffer, so any wider
		 * mode would let one user read another user's data.
		 */
		.mode = 0600,
	},
	.lock = __MUTEX_INITIALIZER(echo_dev.lock),
};

static int __init echo_init(void)
{
	int ret;

	pr_info("Initializing echo device\n");

	if (!capacity || capacity > ECHO_MAX_CAPACITY) {
		pr_err("capacity=%u is out of range 1..%u\n", capacity,
		       ECHO_MAX_CAPACITY);
		return -EINVAL;
	}

	echo_dev.capacity = capacity;
	echo_dev.data = kvzalloc(echo_dev.capacity, GFP_KERNEL);
	if (!echo_dev.data)
		return -ENOMEM;

	/* Last step: the device can be opened as soon as it is registered. */
	ret = misc_register(&echo_dev.misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", echo_dev.misc.name,
		       ret);
		goto err_free_data;
	}

	pr_info("Ready at /dev/%s, capacity %zu bytes\n", echo_dev.misc.name,
		echo_dev.capacity);
	return 0;

err_free_data:
	kvfree(echo_dev.data);
	return ret;
}

static void __exit echo_exit(void)
{
	/* .owner guarantees no file is open once exit runs. */
	misc_deregister(&echo_dev.misc);
	kvfree(echo_dev.data);
	pr_info("Echo device unloaded\n");
}

module_init(echo_init);
module_exit(echo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("Character device that stores and echoes data");
