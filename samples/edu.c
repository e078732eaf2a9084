// SPDX-License-Identifier: GPL-2.0
/*
 * edu: an event whose interrupt comes from a PCI device, QEMU's edu
 * (-device edu), with a word of the device's memory brought by its DMA
 * engine (HWEVENT_REGISTER_DEVICE, HWEVENT_REGISTER_DMA).
 *
 * Windows: a KMDF driver whose EvtInterruptIsr runs on the device's MSI
 * and whose EvtInterruptDpc completes the request with the data the
 * device's DMA put in a common buffer. The program sees a synchronous
 * DeviceIoControl(), as in pending.c; only the source differs.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/hwevent.h>

int main(void)
{
	struct hwevent_register reg = {
		.mode = HWEVENT_MODE_PENDING,
		.delay_ns = 10 * 1000000ULL,	/* 10 ms, then the device */
		.flags = HWEVENT_REGISTER_DEVICE | HWEVENT_REGISTER_DMA,
	};
	int fd;

	fd = open("/dev/hwevent", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		err(1, "open /dev/hwevent");

	/* ENODEV: no edu device is bound to the driver (or it went away). */
	if (ioctl(fd, HWEVENT_IOC_REGISTER, &reg) < 0)
		err(1, errno == ENODEV ? "no edu PCI device" :
					 "HWEVENT_IOC_REGISTER");

	printf("edu: event %llu from the device, DMA word %#x, handler %llu us after due\n",
	       reg.event.seqno, reg.event.data,
	       (reg.event.irq_ns - reg.event.due_ns) / 1000);
	close(fd);
	return 0;
}
