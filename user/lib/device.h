/* SPDX-License-Identifier: GPL-2.0 */
/*
 * device.h - opening a device or setting up a ring: the errors said, and
 * a file made non-blocking (device.c).
 */
#ifndef HWEVENT_USER_DEVICE_H
#define HWEVENT_USER_DEVICE_H

void report_open_error(const char *dev, int err, const char *node);
void report_uring_setup_error(const char *call, int err,
			      const char *einval_hint);
int set_nonblocking(int fd);

#endif /* HWEVENT_USER_DEVICE_H */
