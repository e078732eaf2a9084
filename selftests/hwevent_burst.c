// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_burst - make a burst of short eventfd registrations and exit.
 *
 * A helper of hwevent_module.sh, not a test by itself: it makes COUNT
 * (default 200) registrations with delays spread over 0..100 us and exits
 * without waiting, so that when it exits some have fired, some are firing
 * and some are dropped by release; the script unloads the module right
 * after. The first half's eventfd is closed as soon as they are made, so
 * that the driver holds the only references to it.
 *
 * Usage: hwevent_burst [COUNT]. Exit status 0, or 1 if a registration
 * failed, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/hwevent.h>

#define SPREAD_NS	100000ULL	/* 100 us */

static int bad_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [COUNT]\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	struct hwevent_register r;
	unsigned long i, count = 200;
	char *end;
	int fd, efd[2];

	if (argc > 2)
		return bad_usage(argv[0]);
	if (argc == 2) {
		count = strtoul(argv[1], &end, 0);
		if (!count || *end)
			return bad_usage(argv[0]);
	}

	fd = open("/dev/hwevent", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("hwevent_burst: /dev/hwevent");
		return 1;
	}
	efd[0] = eventfd(0, EFD_CLOEXEC);
	efd[1] = eventfd(0, EFD_CLOEXEC);
	if (efd[0] < 0 || efd[1] < 0) {
		perror("hwevent_burst: eventfd");
		return 1;
	}

	for (i = 0; i < count; i++) {
		memset(&r, 0, sizeof(r));
		r.mode = HWEVENT_MODE_EVENTFD;
		r.eventfd = efd[i >= count / 2];
		r.delay_ns = i * SPREAD_NS / count;
		r.cookie = i;
		if (ioctl(fd, HWEVENT_IOC_REGISTER, &r)) {
			fprintf(stderr, "hwevent_burst: registration %lu: %s\n",
				i, strerror(errno));
			return 1;
		}
		if (i + 1 == count / 2)
			close(efd[0]);
	}
	return 0;
}
