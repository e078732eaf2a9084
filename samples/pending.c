// SPDX-License-Identifier: GPL-2.0
/*
 * pending: the caller blocks until the event (HWEVENT_MODE_PENDING).
 *
 * Windows: event.exe's IRP mode, a synchronous DeviceIoControl() whose
 * IRP the driver pends and its DPC completes (OSR's "inverted call").
 * The caller sees the same; in the driver, the ioctl itself sleeps until
 * the bottom half wakes it (a dispatch routine that waits in
 * KeWaitForSingleObject), and returns with the event's record.
 */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/hwevent.h>

int main(void)
{
	/* Every field not named is zero, as padding and reserved must be. */
	struct hwevent_register reg = {
		.mode = HWEVENT_MODE_PENDING,
		.delay_ns = 100 * 1000000ULL,	/* 100 ms from now */
		.cookie = 42,
	};
	int fd;

	/* Windows: CreateFile("\\\\.\\Event", ...), no FILE_FLAG_OVERLAPPED */
	fd = open("/dev/hwevent", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		err(1, "open /dev/hwevent");

	/*
	 * Windows: DeviceIoControl(IOCTL_REGISTER_EVENT) with no OVERLAPPED:
	 * the call returns when the DPC completes the IRP. A signal ends the
	 * wait with EINTR (and the registration); Ctrl-C here just kills us.
	 */
	if (ioctl(fd, HWEVENT_IOC_REGISTER, &reg) < 0)
		err(1, "HWEVENT_IOC_REGISTER");

	printf("pending: event %llu, id %llu, cookie %llu, %llu us late\n",
	       reg.event.seqno, reg.id, reg.event.cookie,
	       (reg.event.bh_ns - reg.event.due_ns) / 1000);
	close(fd);	/* Windows: CloseHandle() */
	return 0;
}
