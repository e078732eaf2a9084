/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - module parameters bounded when they are written, shared by
 * /dev/hwevent and /dev/hwecho (echo.c)
 */
#ifndef _HWEVENT_PARAM_H
#define _HWEVENT_PARAM_H

#include <linux/moduleparam.h>

/*
 * Defines uint module parameter @name, @var, bounded to [@min, @max]: a
 * value out of range is refused when it is written (EINVAL), not when it
 * is used.
 */
#define HWEVENT_PARAM_RANGE(name, var, min, max)			\
static int hwevent_##name##_set(const char *val,			\
				const struct kernel_param *kp)		\
{									\
	return hwevent_param_set_range(val, kp, min, max);		\
}									\
static const struct kernel_param_ops hwevent_##name##_ops = {		\
	.set = hwevent_##name##_set,					\
	.get = param_get_uint,						\
};									\
module_param_cb(name, &hwevent_##name##_ops, &(var), 0644)

int hwevent_param_set_range(const char *val, const struct kernel_param *kp,
			    unsigned int min, unsigned int max);

#endif /* _HWEVENT_PARAM_H */
