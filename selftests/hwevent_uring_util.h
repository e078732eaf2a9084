/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent_uring_util.h - io_uring commands on /dev/hwevent for the
 * selftests that send them (hwevent_uring_test, hwevent_edu_test,
 * hwevent_race), through liburing: a ring that can carry them, a command
 * put in its SQ, and a completion read with its 32-byte CQE's extra field.
 */
#ifndef HWEVENT_URING_UTIL_H
#define HWEVENT_URING_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <liburing.h>
#include <linux/hwevent.h>

#include "hwevent_util.h"

/* The longest delay a command may have. */
#define CMD_NEVER_NS		HWEVENT_URING_MAX_DELAY_NS

/* What a test keeps of a completion. */
struct cqe_copy {
	__u64 data;
	__s32 res;
	__u64 extra;		/* big_cqe[0] */
};

/*
 * Sets up @ring with @entries and 32-byte CQEs, for io_uring commands:
 * NULL, or why the kernel cannot run them (every case then skips).
 * @ring_up says whether @ring needs io_uring_queue_exit().
 */
static inline const char *ucmd_ring_init(struct io_uring *ring,
					 unsigned int entries, bool *ring_up)
{
	struct io_uring_probe *probe;
	const char *no = NULL;
	int ret;

	*ring_up = false;
	ret = io_uring_queue_init(entries, ring, IORING_SETUP_CQE32);
	if (ret)
		/* 5.10 has no CQE32 rings, as it has no URING_CMD. */
		return ret == -EINVAL ?
			"io_uring_setup(IORING_SETUP_CQE32): EINVAL: no 32-byte CQEs nor IORING_OP_URING_CMD (before 5.19)" :
			"io_uring_setup(IORING_SETUP_CQE32) failed";
	*ring_up = true;
	probe = io_uring_get_probe_ring(ring);
	if (!probe || !io_uring_opcode_supported(probe, IORING_OP_URING_CMD))
		no = "the probe: no IORING_OP_URING_CMD (before 5.19)";
	if (probe)
		io_uring_free_probe(probe);
	return no;
}

/*
 * An IORING_OP_URING_CMD of @op on @fd with a hwevent_uring_wait, in
 * @ring's SQ: 0, or -1 if the SQ is full.
 */
static inline int fill_cmd(struct io_uring *ring, int fd, __u32 op,
			   __u64 delay_ns, __u64 cookie, __u64 data)
{
	struct hwevent_uring_wait w = { .delay_ns = delay_ns, .cookie = cookie };
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -1;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = op;
	memcpy(sqe->cmd, &w, sizeof(w));
	io_uring_sqe_set_data64(sqe, data);
	return 0;
}

/*
 * Waits up to @timeout_ns for a completion; 0, or -ETIME if none came.
 * liburing says -ETIME whenever io_uring_enter() came back with no CQE in
 * sight, not only when the time ran out (on Debian's 5.10 kernel, 2 ms
 * into a 5 s wait, with the read done and its CQE not yet in the ring):
 * an -ETIME before the deadline waits again, for what is left.
 */
static inline int reap32(struct io_uring *ring, __u64 timeout_ns,
			 struct cqe_copy *c)
{
	__u64 deadline = now_ns() + timeout_ns, now, left;
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;
	int ret;

	do {
		now = now_ns();
		left = deadline > now ? deadline - now : 0;
		ts.tv_sec = left / NSEC_PER_SEC;
		ts.tv_nsec = left % NSEC_PER_SEC;
		ret = io_uring_wait_cqe_timeout(ring, &cqe, &ts);
	} while (ret == -EINTR ||
		 (ret == -ETIME && left && now_ns() < deadline));
	if (ret)
		return ret;
	c->data = io_uring_cqe_get_data64(cqe);
	c->res = cqe->res;
	/* A 16-byte CQE has no big_cqe: that would be the next one. */
	c->extra = ring->flags & IORING_SETUP_CQE32 ? cqe->big_cqe[0] : 0;
	io_uring_cqe_seen(ring, cqe);
	return 0;
}

#endif /* HWEVENT_URING_UTIL_H */
