// SPDX-License-Identifier: GPL-2.0
/*
 * echo - the lesson's echo device grown into a real one: misc character
 * devices (/dev/echo, and /dev/echo1... with devices=N) that each hold one
 * buffer shared by every opener, like a small in-memory file. This file
 * is the device's files, ioctls, sysfs and parameters; the storage, and
 * why no lock is held across a copy to or from userspace, are in
 * echo_buffer.c. What a user sees is in docs/echo-device.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kstrtox.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include <lesson4/echo.h>

#include "compat.h"
#include "echo_arith.h"
#include "echo_buffer.h"

#define ECHO_DEFAULT_CAPACITY 4096
#define ECHO_MAX_CAPACITY SZ_16M
#define ECHO_MAX_DEVICES 64

/*
 * The parameters are checked as they are set, before init runs: anything
 * that is not a number in range fails the load with -EINVAL. Numbers are
 * decimal; a mode is octal, as chmod reads it: 644, 0644 and 0o644 agree.
 */
struct echo_param {
	unsigned int value, min, max;
	bool octal; /* read, shown and explained in octal, as a mode is */
};

static int echo_param_set(const char *val, const struct kernel_param *kp)
{
	struct echo_param *param = kp->arg;
	const char *digits = val;
	unsigned int value;

	if (param->octal && (!strncmp(val, "0o", 2) || !strncmp(val, "0O", 2)))
		digits += 2;
	if (kstrtouint(digits, param->octal ? 8 : 10, &value) ||
	    value < param->min || value > param->max) {
		if (param->octal)
			pr_err("%s=%s is invalid: expected %#o..%#o\n",
			       kp->name, val, param->min, param->max);
		else
			pr_err("%s=%s is invalid: expected %u..%u\n", kp->name,
			       val, param->min, param->max);
		return -EINVAL;
	}
	param->value = value;
	return 0;
}

static int echo_param_get(char *buffer, const struct kernel_param *kp)
{
	const struct echo_param *param = kp->arg;

	return sysfs_emit(buffer, param->octal ? "%#o\n" : "%u\n",
			  param->value);
}

static const struct kernel_param_ops echo_param_ops = {
	.set = echo_param_set,
	.get = echo_param_get,
};

static struct echo_param capacity = { ECHO_DEFAULT_CAPACITY, 1,
				      ECHO_MAX_CAPACITY };
module_param_cb(capacity, &echo_param_ops, &capacity, 0444);
MODULE_PARM_DESC(capacity,
		 "Bytes each device can hold, 1..16777216 (default 4096)");

static struct echo_param devices = { 1, 1, ECHO_MAX_DEVICES };
module_param_cb(devices, &echo_param_ops, &devices, 0444);
MODULE_PARM_DESC(devices,
		 "Devices: /dev/echo, /dev/echo1... (1..64, default 1)");

/*
 * Root only by default: every opener shares one buffer, so any wider mode
 * lets one user read what another user wrote. 0 is refused: misc would
 * quietly turn it into 0600.
 */
static struct echo_param mode = { 0600, 01, 0777, true };
module_param_cb(mode, &echo_param_ops, &mode, 0444);
MODULE_PARM_DESC(mode,
		 "Permissions of the device nodes, octal 1..777 (default 600)");

enum echo_counter {
	ECHO_OPENS,
	ECHO_READS,
	ECHO_WRITES,
	ECHO_BYTES_READ,
	ECHO_BYTES_WRITTEN,
	ECHO_NR_COUNTERS
};

/* Per CPU, so that counting costs the read path no atomic operation. */
struct echo_counters {
	u64 n[ECHO_NR_COUNTERS];
};

struct echo_dev {
	struct miscdevice misc;
	struct echo_buffer buf; /* serializes itself */
	wait_queue_head_t wait; /* for poll: data or room appeared */
	struct echo_counters __percpu *counters; /* shown in sysfs */
};

static struct echo_dev *echo_devs;
/*
 * Set once every device is registered. Until then open fails: if a later
 * device cannot be registered, init unwinds and the module is freed, and
 * no file may be left open on it. misc_open() calls echo_open() under
 * misc_mtx, which misc_deregister() takes too, so once the unwinding has
 * deregistered a device, no opener of it is still inside echo_open().
 */
static bool echo_ready;

static void echo_count(struct echo_dev *dev, enum echo_counter counter,
		       u64 value)
{
	this_cpu_add(dev->counters->n[counter], value);
}

/* Wake pollers, if any: a write to a device nobody polls stays cheap. */
static void echo_wake(struct echo_dev *dev, __poll_t events)
{
	/* Its smp_mb() pairs with the one in echo_poll(). */
	if (wq_has_sleeper(&dev->wait)) /* litmus:wake-mb */
		wake_up_interruptible_poll(&dev->wait, events);
}

/* With IOCB_NOWAIT (io_uring's inline attempt) nothing sleeps for memory. */
static gfp_t echo_gfp(const struct kiocb *iocb)
{
	return iocb->ki_flags & IOCB_NOWAIT ?
		       GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT :
		       GFP_KERNEL_ACCOUNT;
}

static int echo_set_length(struct echo_dev *dev, loff_t len)
{
	int ret = echo_buffer_set_length(&dev->buf, len, GFP_KERNEL_ACCOUNT);

	/* Shorter makes room for writers, longer gives readers bytes. */
	if (!ret)
		echo_wake(dev, EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM);
	return ret;
}

static int echo_open(struct inode *inode, struct file *file)
{
	/* misc_open() leaves the miscdevice in private_data. */
	struct echo_dev *dev =
		container_of(file->private_data, struct echo_dev, misc);
	int ret;

	if (!READ_ONCE(echo_ready))
		return -ENODEV;
	/*
	 * The VFS refuses O_DIRECT only after ->open has run: refuse it here,
	 * before the truncation, so that a failed open changes nothing.
	 */
	if (file->f_flags & O_DIRECT)
		return -EINVAL;
	file->private_data = dev;

	/*
	 * As for a regular file, O_TRUNC empties it: the shell's ">" replaces.
	 * This runs under misc_mtx, and waits for no user: the buffer's lock
	 * is only ever held for bounded work.
	 */
	if ((file->f_flags & O_TRUNC) && (file->f_mode & FMODE_WRITE)) {
		ret = echo_set_length(dev, 0);
		if (ret)
			return ret;
	}

	/*
	 * Threads sharing this file take turns on its position, as for a
	 * regular file; io_uring may call read and write inline.
	 */
	file->f_mode |= FMODE_ATOMIC_POS | FMODE_NOWAIT;
	echo_count(dev, ECHO_OPENS, 1);
	/* Rate-limited: the lesson shows it, a busy device must not flood. */
	dev_info_ratelimited(dev->misc.this_device, "Device opened\n");
	return 0;
}

static ssize_t echo_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct echo_dev *dev = iocb->ki_filp->private_data;
	ssize_t ret;

	ret = echo_buffer_read(&dev->buf, iocb->ki_pos, to, echo_gfp(iocb));
	if (ret == -ENOMEM && (iocb->ki_flags & IOCB_NOWAIT))
		return -EAGAIN; /* io_uring tries again where it may sleep */
	if (ret < 0)
		return ret;
	iocb->ki_pos += ret;
	echo_count(dev, ECHO_READS, 1);
	echo_count(dev, ECHO_BYTES_READ, ret);
	return ret;
}

static ssize_t echo_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct echo_dev *dev = iocb->ki_filp->private_data;
	loff_t pos = iocb->ki_pos;
	ssize_t ret;

	if (!iov_iter_count(from))
		return 0;
	ret = echo_buffer_write(&dev->buf, &pos, iocb->ki_flags & IOCB_APPEND,
				from, echo_gfp(iocb));
	if (ret == -ENOMEM && (iocb->ki_flags & IOCB_NOWAIT))
		return -EAGAIN; /* io_uring tries again where it may sleep */
	if (ret < 0)
		return ret;
	iocb->ki_pos = pos + ret;
	echo_count(dev, ECHO_WRITES, 1);
	echo_count(dev, ECHO_BYTES_WRITTEN, ret);
	echo_wake(dev, EPOLLIN | EPOLLRDNORM);
	dev_info_ratelimited(dev->misc.this_device,
			     "Wrote %zd bytes to device\n", ret);
	return ret;
}

static loff_t echo_llseek(struct file *file, loff_t offset, int whence)
{
	struct echo_dev *dev = file->private_data;

	loff_t target = echo_seek(offset, whence, file->f_pos,
				  echo_buffer_length(&dev->buf),
				  dev->buf.capacity);

	if (target < 0)
		return target;
	/* The VFS holds f_pos_lock here (FMODE_ATOMIC_POS) when it matters. */
	return vfs_setpos(file, target, dev->buf.capacity);
}

static __poll_t echo_poll(struct file *file, poll_table *wait)
{
	struct echo_dev *dev = file->private_data;
	size_t len;
	loff_t pos;
	__poll_t mask = 0;

	/* Queue first, then look: a write in between then wakes this poll. */
	poll_wait(file, &dev->wait, wait);
	/* Pairs with wq_has_sleeper() in echo_wake(): queued, then look. */
	smp_mb(); /* litmus:poll-mb */
	len = echo_buffer_length(&dev->buf);
	pos = READ_ONCE(file->f_pos);
	if (pos < len)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (((file->f_flags & O_APPEND) ? len : pos) < dev->buf.capacity)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static long echo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct echo_dev *dev = file->private_data;
	void __user *uarg = (void __user *)arg;
	u64 value;

	switch (cmd) {
	case ECHO_IOC_GET_LENGTH:
	case ECHO_IOC_GET_CAPACITY:
		value = cmd == ECHO_IOC_GET_LENGTH ?
				echo_buffer_length(&dev->buf) :
				dev->buf.capacity;
		/* copy_to_user(), unlike put_user(), is fault-injectable. */
		return copy_to_user(uarg, &value, sizeof(value)) ? -EFAULT : 0;
	case ECHO_IOC_CLEAR:
	case ECHO_IOC_SET_LENGTH:
		break;
	default:
		return -ENOTTY;
	}

	/* Changing the data takes a descriptor open for writing: check first. */
	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	value = 0;
	if (cmd == ECHO_IOC_SET_LENGTH) {
		if (copy_from_user(&value, uarg, sizeof(value)))
			return -EFAULT;
		if (value > dev->buf.capacity)
			return -EINVAL;
	}
	return echo_set_length(dev, value);
}

static const struct file_operations echo_fops = {
	/* Pins the module while a file is open, so rmmod fails instead. */
	.owner = THIS_MODULE,
	.open = echo_open,
	.read_iter = echo_read_iter,
	.write_iter = echo_write_iter,
	/* sendfile and splice, through read_iter and write_iter. */
	.splice_read = copy_splice_read,
	.splice_write = iter_file_splice_write,
	.llseek = echo_llseek,
	.poll = echo_poll,
	.unlocked_ioctl = echo_ioctl,
	/* The arguments are pointers to __u64: no translation needed. */
	.compat_ioctl = compat_ptr_ioctl,
};

static struct echo_dev *to_echo_dev(struct device *device)
{
	struct miscdevice *misc = dev_get_drvdata(device);

	return container_of(misc, struct echo_dev, misc);
}

static ssize_t length_show(struct device *device, struct device_attribute *attr,
			   char *page)
{
	return sysfs_emit(page, "%zu\n",
			  echo_buffer_length(&to_echo_dev(device)->buf));
}
static DEVICE_ATTR_RO(length);

static ssize_t capacity_show(struct device *device,
			     struct device_attribute *attr, char *page)
{
	return sysfs_emit(page, "%zu\n", to_echo_dev(device)->buf.capacity);
}
static DEVICE_ATTR_RO(capacity);

static ssize_t memory_show(struct device *device, struct device_attribute *attr,
			   char *page)
{
	return sysfs_emit(page, "%zu\n",
			  echo_buffer_memory(&to_echo_dev(device)->buf));
}
static DEVICE_ATTR_RO(memory);

/* Each counter's attribute carries its index in echo_dev.counters. */
static ssize_t counter_show(struct device *device,
			    struct device_attribute *attr, char *page)
{
	struct dev_ext_attribute *counter =
		container_of(attr, struct dev_ext_attribute, attr);
	unsigned long index = (unsigned long)counter->var;
	struct echo_dev *dev = to_echo_dev(device);
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(dev->counters, cpu)->n[index];
	return sysfs_emit(page, "%llu\n", sum);
}

static struct dev_ext_attribute counter_attrs[ECHO_NR_COUNTERS] = {
	[ECHO_OPENS] = { __ATTR(opens, 0444, counter_show, NULL),
			 (void *)ECHO_OPENS },
	[ECHO_READS] = { __ATTR(reads, 0444, counter_show, NULL),
			 (void *)ECHO_READS },
	[ECHO_WRITES] = { __ATTR(writes, 0444, counter_show, NULL),
			  (void *)ECHO_WRITES },
	[ECHO_BYTES_READ] = { __ATTR(bytes_read, 0444, counter_show, NULL),
			      (void *)ECHO_BYTES_READ },
	[ECHO_BYTES_WRITTEN] = { __ATTR(bytes_written, 0444, counter_show,
					NULL),
				 (void *)ECHO_BYTES_WRITTEN },
};

static struct attribute *echo_attrs[] = {
	&dev_attr_length.attr,
	&dev_attr_capacity.attr,
	&dev_attr_memory.attr,
	&counter_attrs[ECHO_OPENS].attr.attr,
	&counter_attrs[ECHO_READS].attr.attr,
	&counter_attrs[ECHO_WRITES].attr.attr,
	&counter_attrs[ECHO_BYTES_READ].attr.attr,
	&counter_attrs[ECHO_BYTES_WRITTEN].attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(echo);

/* Everything that can fail, except registering; nothing is visible yet. */
static int echo_dev_init(struct echo_dev *dev, unsigned int index)
{
	int ret;

	init_waitqueue_head(&dev->wait);
	ret = echo_buffer_init(&dev->buf, capacity.value);
	if (ret)
		return ret;
	dev->counters = alloc_percpu(struct echo_counters);
	if (!dev->counters)
		goto err_buffer;
	dev->misc.name = index ? kasprintf(GFP_KERNEL, "echo%u", index) :
				 kstrdup("echo", GFP_KERNEL);
	if (!dev->misc.name)
		goto err_counters;
	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.fops = &echo_fops;
	dev->misc.mode = mode.value;
	/* Created with the node, so userspace never sees it without them. */
	dev->misc.groups = echo_groups;
	return 0;

err_counters:
	free_percpu(dev->counters);
err_buffer:
	echo_buffer_release(&dev->buf);
	return -ENOMEM;
}

/* Free what echo_dev_init() allocated and what writes stored. */
static void echo_dev_release(struct echo_dev *dev)
{
	kfree(dev->misc.name);
	free_percpu(dev->counters);
	echo_buffer_release(&dev->buf);
}

static void echo_free_devs(unsigned int count)
{
	while (count--)
		echo_dev_release(&echo_devs[count]);
	kfree(echo_devs);
	/* Retired chunks are freed by callbacks in this module's text. */
	rcu_barrier();
}

static int __init echo_init(void)
{
	unsigned int i, registered;
	int ret;

	pr_info("Initializing echo device\n");

	echo_devs = kcalloc(devices.value, sizeof(*echo_devs), GFP_KERNEL);
	if (!echo_devs)
		return -ENOMEM;
	for (i = 0; i < devices.value; i++) {
		ret = echo_dev_init(&echo_devs[i], i);
		if (ret) {
			echo_free_devs(i);
			return ret;
		}
	}

	/*
	 * Only registering can fail from here on. A node can be opened as
	 * soon as it is registered, so opens fail until echo_ready is set.
	 */
	for (registered = 0; registered < devices.value; registered++) {
		ret = misc_register(&echo_devs[registered].misc);
		if (ret) {
			pr_err("cannot register /dev/%s: %d\n",
			       echo_devs[registered].misc.name, ret);
			goto err_deregister;
		}
	}
	WRITE_ONCE(echo_ready, true);

	pr_info("Ready: %u device(s) from /dev/echo, capacity %u bytes, mode %#o\n",
		devices.value, capacity.value, mode.value);
	return 0;

err_deregister:
	while (registered--)
		misc_deregister(&echo_devs[registered].misc);
	echo_free_devs(devices.value);
	return ret;
}

static void __exit echo_exit(void)
{
	unsigned int i;

	/* .owner keeps exit from running while a file is open. */
	for (i = 0; i < devices.value; i++)
		misc_deregister(&echo_devs[i].misc);
	echo_free_devs(devices.value);
	pr_info("Echo device unloaded\n");
}

module_init(echo_init);
module_exit(echo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Lesson 4 C port contributors");
MODULE_DESCRIPTION("Character device that stores and echoes data");
