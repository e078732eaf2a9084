// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - opening a device or setting up a ring: the errors said, and
 * a file made non-blocking (device.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "common.h"
#include "device.h"

/* ---- Errors opening a device or setting up a ring ---- */

/*
 * Opening @dev failed with @err: say why, and what to do. @node: the
 * device's name in /dev, for the udev rule suggested. Windows: event.exe
 * printed ERROR_FILE_NOT_FOUND always.
 */
void report_open_error(const char *dev, int err, const char *node)
{
	switch (err) {
	case EACCES:
	case EPERM:
		fprintf(stderr,
			"%s: cannot open %s: %s: the node is mode 0600 (root only) by default; run as root, or add a udev rule such as KERNEL==\"%s\", GROUP=\"<group>\", MODE=\"0660\"\n",
			prog_name, dev, strerror(err), node);
		break;
	case ENXIO:
	case ENODEV:
		fprintf(stderr,
			"%s: cannot open %s: %s: no driver behind the node (stale node, or the module is not loaded)\n",
			prog_name, dev, strerror(err));
		break;
	case EINTR:
		fprintf(stderr, "%s: interrupted while waiting for %s\n",
			prog_name, dev);
		break;
	default:
		fprintf(stderr, "%s: cannot open %s: %s\n", prog_name, dev,
			strerror(err));
		break;
	}
}

/*
 * Setting up an io_uring ring failed with @err in @call: say why.
 * @einval_hint: what EINVAL means for this program's ring, or NULL.
 */
void report_uring_setup_error(const char *call, int err,
			      const char *einval_hint)
{
	const char *hint;

	switch (err) {
	case EINVAL:
		hint = einval_hint;
		break;
	case ENOSYS:
		hint = "this kernel has no io_uring (CONFIG_IO_URING)";
		break;
	case EPERM:
		hint = "io_uring is disabled (sysctl kernel.io_uring_disabled) or filtered (seccomp)";
		break;
	case ENOMEM:
		hint = "out of memory, or of locked memory for the ring (ulimit -l)";
		break;
	default:
		hint = NULL;
		break;
	}
	fprintf(stderr, "%s: %s: %s%s%s\n", prog_name, call, strerror(err),
		hint ? ": " : "", hint ? hint : "");
}

/* O_NONBLOCK on @fd: 0, or -1 with errno. */
int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return 0;
}
