// SPDX-License-Identifier: GPL-2.0
/*
 * queue_read: the driver queues a record per event, read(2) takes them
 * (HWEVENT_MODE_QUEUE).
 *
 * Windows: a ReadFile() the driver keeps pending and completes with the
 * data when the device has some (KB 117308; the inverted call with a
 * read). Here the records wait in the open file's queue; read(2) blocks
 * while it is empty and returns as many whole records as are queued and
 * fit, oldest first, so one read may take several.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/hwevent.h>

#define EVENTS 3

int main(void)
{
	struct hwevent_event ev[EVENTS];
	int fd, i, got = 0;
	ssize_t n;

	fd = open("/dev/hwevent", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		err(1, "open /dev/hwevent");

	/*
	 * Three events, 100, 200 and 300 ms from now. Windows:
	 * DeviceIoControl(IOCTL_REGISTER_EVENT), which returns at once.
	 */
	for (i = 1; i <= EVENTS; i++) {
		struct hwevent_register reg = {
			.mode = HWEVENT_MODE_QUEUE,
			.delay_ns = i * 100 * 1000000ULL,
			.cookie = i * 10,
		};

		if (ioctl(fd, HWEVENT_IOC_REGISTER, &reg) < 0)
			err(1, "HWEVENT_IOC_REGISTER");
	}

	while (got < EVENTS) {
		/* Windows: ReadFile(hDevice, buf, size, &bytes, NULL): blocks */
		n = read(fd, ev, (EVENTS - got) * sizeof(ev[0]));
		if (n < 0)
			err(1, "read /dev/hwevent");
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++, got++)
			printf("queue_read: event %llu, id %llu, cookie %llu, %llu us late\n",
			       ev[i].seqno, ev[i].id, ev[i].cookie,
			       (ev[i].bh_ns - ev[i].due_ns) / 1000);
	}
	printf("queue_read: %d records read\n", got);
	close(fd);
	return 0;
}
