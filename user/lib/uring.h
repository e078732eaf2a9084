/* SPDX-License-Identifier: GPL-2.0 */
/* uring.h - waiting for an io_uring completion until a deadline (uring.c). */
#ifndef HWEVENT_USER_URING_H
#define HWEVENT_USER_URING_H

#include <stdint.h>

#include <liburing.h>

int uring_wait_until(struct io_uring *ring, struct io_uring_cqe **cqe,
		     uint64_t deadline);

#endif /* HWEVENT_USER_URING_H */
