// SPDX-License-Identifier: GPL-2.0
/*
 * uring_cmd: requests the driver keeps pending and completes later on an
 * io_uring (HWEVENT_URING_CMD_WAIT, an IORING_OP_URING_CMD; Linux 5.19+).
 *
 * Windows: overlapped DeviceIoControl() calls that return ERROR_IO_PENDING
 * (the driver marked the IRP pending) and complete on an I/O completion
 * port, in the order their events come, not the order they were issued.
 * Here each request is a submission queue entry; the driver returns
 * -EIOCBQUEUED (STATUS_PENDING) and, from the bottom half, posts the
 * completion on the ring's completion queue. No thread sleeps meanwhile.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <liburing.h>
#include <linux/hwevent.h>

#define REQUESTS 3

int main(void)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int fd, i, ret;

	fd = open("/dev/hwevent", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		err(1, "open /dev/hwevent");
	/* Windows: CreateIoCompletionPort(hDevice, NULL, key, 0) */
	ret = io_uring_queue_init(REQUESTS, &ring, 0);
	if (ret < 0)
		errx(1, "io_uring_queue_init: %s", strerror(-ret));

	/* Request 1 is due in 300 ms, 2 in 200 ms, 3 in 100 ms. */
	for (i = 1; i <= REQUESTS; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct hwevent_uring_wait w = {
			.delay_ns = (REQUESTS + 1 - i) * 100 * 1000000ULL,
			.cookie = i,
		};

		/* Windows: DeviceIoControl(hDevice, ..., &overlapped[i]) */
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
		sqe->cmd_op = HWEVENT_URING_CMD_WAIT;
		memcpy(sqe->cmd, &w, sizeof(w));	/* the argument, in the SQE */
		io_uring_sqe_set_data64(sqe, i);	/* Windows: the OVERLAPPED */
	}
	ret = io_uring_submit(&ring);	/* returns at once: ERROR_IO_PENDING */
	if (ret != REQUESTS)
		errx(1, "io_uring_submit: %s", ret < 0 ? strerror(-ret) : "short");

	for (i = 0; i < REQUESTS; i++) {
		/* Windows: GetQueuedCompletionStatus(port, ..., INFINITE) */
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret < 0)
			errx(1, "io_uring_wait_cqe: %s", strerror(-ret));
		if (cqe->res < 0)	/* EINVAL: Linux before 5.19 */
			errx(1, "request %llu: %s", cqe->user_data, strerror(-cqe->res));
		printf("uring_cmd: request %llu completed: event %d\n",
		       cqe->user_data, cqe->res);	/* the seqno's low 31 bits */
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	close(fd);
	return 0;
}
