// SPDX-License-Identifier: GPL-2.0
/*
 * uring.c - io_uring_wait_cqe_timeout() with a deadline that holds.
 *
 * liburing says -ETIME whenever io_uring_enter() came back with no CQE in
 * sight, not only when the time ran out: on Debian's 5.10 kernel a 5 s
 * wait ended so 2 ms in, its read completed (the record taken, the io-wq
 * worker idle again) but the CQE not yet in the ring. An -ETIME before the
 * deadline therefore waits again, for what is left.
 */
#include <errno.h>

#include "clock.h"
#include "common.h"
#include "uring.h"

/*
 * Waits for a completion until @deadline (now_ns()'s clock): 0 with *@cqe
 * set, -ETIME once the deadline has passed, or another negative errno
 * (-EINTR: a signal; the caller decides).
 */
int uring_wait_until(struct io_uring *ring, struct io_uring_cqe **cqe,
		     uint64_t deadline)
{
	struct __kernel_timespec ts;
	uint64_t now, left;
	int ret;

	do {
		now = now_ns();
		left = deadline > now ? deadline - now : 0;
		ts.tv_sec = left / NSEC_PER_SEC;
		ts.tv_nsec = left % NSEC_PER_SEC;
		ret = io_uring_wait_cqe_timeout(ring, cqe, &ts);
	} while (ret == -ETIME && left && now_ns() < deadline);
	return ret;
}
