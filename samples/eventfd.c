// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd: the driver signals an eventfd of ours (HWEVENT_MODE_EVENTFD).
 *
 * Windows: event.exe's event mode. The program creates an event, passes
 * its handle in the IOCTL, and waits on it; the driver's DPC calls
 * KeSetEvent() on it. Here the event is an eventfd(2), the driver adds
 * one to its counter, and read(2) is the wait.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/hwevent.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(void)
{
	struct hwevent_register reg = {
		.mode = HWEVENT_MODE_EVENTFD,
		.delay_ns = 100 * 1000000ULL,	/* 100 ms from now */
	};
	long long start;
	__u64 count;
	int fd;

	fd = open("/dev/hwevent", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		err(1, "open /dev/hwevent");

	/* Windows: CreateEvent(NULL, FALSE, FALSE, NULL), auto-reset */
	reg.eventfd = eventfd(0, EFD_CLOEXEC);
	if (reg.eventfd < 0)
		err(1, "eventfd");

	/*
	 * Windows: DeviceIoControl(IOCTL_REGISTER_EVENT) with the handle;
	 * the driver takes its own reference (ObReferenceObjectByHandle) and
	 * the call returns at once.
	 */
	start = now_ms();
	if (ioctl(fd, HWEVENT_IOC_REGISTER, &reg) < 0)
		err(1, "HWEVENT_IOC_REGISTER");

	/* Windows: WaitForSingleObject(hEvent, INFINITE); the read resets it */
	if (read(reg.eventfd, &count, sizeof(count)) != sizeof(count))
		err(1, "read eventfd");

	printf("eventfd: registration %llu signalled the eventfd, count %llu, after %lld ms\n",
	       reg.id, count, now_ms() - start);
	close(reg.eventfd);
	close(fd);
	return 0;
}
