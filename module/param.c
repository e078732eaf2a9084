// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - module parameters bounded when they are written (param.h)
 */

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>

#include "param.h"

/*
 * A uint module parameter bounded to [min, max]: a value out of range is
 * refused when it is written (EINVAL), not when a file opens.
 */
int hwevent_param_set_range(const char *val, const struct kernel_param *kp,
			    unsigned int min, unsigned int max)
{
	unsigned int n;
	int ret;

	ret = kstrtouint(val, 0, &n);
	if (ret)
		return ret;
	if (n < min || n > max)
		return -EINVAL;
	WRITE_ONCE(*(unsigned int *)kp->arg, n);
	return 0;
}
