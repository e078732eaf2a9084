// SPDX-License-Identifier: GPL-2.0
/*
 * queue_epoll: wait in epoll(7) until the device has records, then read
 * them without blocking (HWEVENT_MODE_QUEUE, a periodic registration).
 *
 * Windows has no readiness model: the nearest is WaitForMultipleObjects()
 * on several handles. epoll says "a read would not block now" (the file
 * is readable), and read(2) of the O_NONBLOCK file then takes the
 * records; it fails with EAGAIN once the queue is empty. One epoll set
 * can watch any number of files: devices, sockets, pipes, eventfds.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/hwevent.h>

#define EVENTS 5

int main(void)
{
	struct hwevent_register reg = {
		.mode = HWEVENT_MODE_QUEUE,
		.delay_ns = 50 * 1000000ULL,	/* first in 50 ms, */
		.period_ns = 50 * 1000000ULL,	/* then every 50 ms */
	};
	struct epoll_event ready, watch = { .events = EPOLLIN };
	struct hwevent_cancel cancel = { 0 };
	struct hwevent_event ev;
	int fd, ep, got = 0;

	fd = open("/dev/hwevent", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		err(1, "open /dev/hwevent");
	if (ioctl(fd, HWEVENT_IOC_REGISTER, &reg) < 0)
		err(1, "HWEVENT_IOC_REGISTER");

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &watch) < 0)
		err(1, "epoll");

	while (got < EVENTS) {
		/* Windows: WaitForMultipleObjects(n, handles, FALSE, INFINITE) */
		if (epoll_wait(ep, &ready, 1, -1) < 0)
			err(1, "epoll_wait");
		/* Readable: take the queued records until EAGAIN (none left). */
		while (got < EVENTS) {
			if (read(fd, &ev, sizeof(ev)) < 0) {
				if (errno == EAGAIN)
					break;
				err(1, "read /dev/hwevent");
			}
			printf("queue_epoll: event %llu, overruns %u\n",
			       ev.seqno, ev.overruns);
			got++;
		}
	}

	/*
	 * A periodic registration fires until cancelled (or the file closed).
	 * Windows: CancelIoEx(), which runs the driver's cancel routine.
	 */
	cancel.id = reg.id;
	if (ioctl(fd, HWEVENT_IOC_CANCEL, &cancel) < 0)
		err(1, "HWEVENT_IOC_CANCEL");
	printf("queue_epoll: %d records, registration %llu cancelled\n", got, reg.id);
	close(ep);
	close(fd);
	return 0;
}
