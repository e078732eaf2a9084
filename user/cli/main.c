// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - register for simulated hardware events on /dev/hwevent.
 *
 * The Linux port of event.exe, the test program of the Windows WDM "event"
 * sample. It registers for one event, waits for it, prints what happened
 * and registers again, until Enter or q is pressed, SIGINT/SIGTERM/SIGHUP
 * arrives, or -n COUNT events have been seen.
 *
 * Mode 0, pending request: the ioctl sleeps until the event fires and
 * returns the driver's event record (Windows: a pending IRP, the "inverted
 * call"). Mode 1, eventfd: the ioctl returns at once and the driver signals
 * our eventfd later (Windows: an event object signalled with KeSetEvent()).
 * Mode 2, queue: the ioctl returns at once and the driver queues the record
 * for read(2) on the device (Windows: a pending ReadFile, KB 117308).
 *
 * In modes 1 and 2 we read(2) the eventfd or the device, blocking, or wait
 * for it first with poll(2) or epoll(7) (--poll, --epoll), together with
 * stdin. --period makes one registration that fires at a rate, cancelled
 * at exit; --trigger fires each registration at once; --json prints one
 * JSON object a line per event instead of the event.exe-style lines.
 *
 * Mode 0 with --uring N keeps N pending requests in flight at once as
 * io_uring commands, each submitted again as it completes, as the KMDF
 * echo sample's echoapp -Async keeps overlapped requests in flight on a
 * completion port; Ctrl-C or a key cancels those still pending.
 *
 * Like event.exe installing event.sys through the service control manager,
 * it loads the module itself when the device is missing and it runs as
 * root (--module PATH, else hwevent.ko of a build tree beside it, else
 * `modprobe hwevent` for an installed one), and unloads it at exit, but
 * only if this run loaded it.
 *
 * Exit status: 0 when stopped by a key, a signal or -n COUNT; 1 on an error;
 * 2 on bad usage.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/device.h"
#include "lib/exit.h"
#include "lib/module.h"
#include "lib/signals.h"

#include "cli/hwevent.h"

const char prog_name[] = PROG;

/* ---- Opening the device, loading the module (lib/module.c) first ---- */

/* devtmpfs creates the node shortly after the module registers it. */
static int open_device_wait(const char *path)
{
	const struct timespec step = { 0, DEVICE_POLL_MS * 1000000L };
	int waited, fd;

	for (waited = 0; ; waited += DEVICE_POLL_MS) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || waited >= DEVICE_WAIT_MS)
			return fd;
		if (nanosleep(&step, NULL) < 0 && stop_signal) {
			errno = EINTR;
			return -1;
		}
	}
}

static int open_device(struct state *st, const struct options *o)
{
	const char *dev = o->device;
	int fd;

	/* Windows: CreateFile("\\\\.\\Event_Sample"). */
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (geteuid() != 0) {
			fprintf(stderr,
				PROG ": %s not found: load the module first (sudo modprobe hwevent; in a build tree, sudo insmod module/" MODULE_FILE "), or run this program as root to load it\n",
				dev);
			return -1;
		}
		if (load_module(o->module, &st->loaded_module) < 0)
			return -1;
		fd = open_device_wait(dev);
		if (fd < 0 && errno == ENOENT) {
			fprintf(stderr,
				PROG ": %s did not appear within %d s of loading the module (is devtmpfs mounted on /dev? is --device right?)\n",
				dev, DEVICE_WAIT_MS / 1000);
			return -1;
		}
	}
	if (fd >= 0) {
		st->devfd = fd;
		return 0;
	}

	report_open_error(dev, errno, "hwevent");
	return -1;
}

/* ---- The main loop ---- */

/* Return the exit status. */
static int run(struct state *st, const struct options *o)
{
	enum wait_result r;

	for (;;) {
		if (stop_signal) {
			st->reason = signal_name(stop_signal);
			return 0;
		}
		if (o->count && st->events >= o->count) {
			st->reason = "count reached";
			return 0;
		}
		input_continued(&st->in);
		if (input_check(&st->in)) {
			st->reason = "key pressed";
			return 0;
		}

		if (o->uring)
			r = wait_uring(st, o);
		else if (o->mode == HWEVENT_MODE_PENDING)
			r = wait_pending(st, o);
		else
			r = wait_async(st, o);

		if (r == WAIT_QUIT) {
			st->reason = "key pressed";
			return 0;
		}
		if (r == WAIT_ERROR) {
			st->reason = "error";
			return 1;
		}
		if (r == WAIT_EVENT && ferror(stdout)) {
			st->out_errno = errno;
			st->reason = "output closed";
			return 0;
		}
	}
}

int main(int argc, char **argv)
{
	struct options o;
	struct state st;
	int ret;

	/* Lines reach a pipe (a test, a log) as they happen. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	info_out = stdout;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	/* --json: stdout holds the events and nothing else. */
	if (o.json)
		info_out = stderr;

	memset(&st, 0, sizeof(st));
	st.devfd = -1;
	st.efd = -1;
	st.waitfd = -1;
	st.epfd = -1;
	ret = 1;

	if (install_signal_handlers(true) < 0) {
		fprintf(stderr, PROG ": sigaction: %s\n", strerror(errno));
		return 1;
	}
	if (open_device(&st, &o) < 0 || setup_waiting(&st, &o) < 0 ||
	    (o.uring && uring_setup(&st, &o) < 0))
		goto out;

	input_setup(&st.in);
	print_banner(&st, &o);
	ret = run(&st, &o);
	if (cancel_periodic(&st, &o) < 0)
		ret = 1;
	if (uring_stop(&st, &o) < 0)
		ret = 1;
	print_summary(&st);

out:
	tty_restore(&st.in);
	if (st.ring_up)
		io_uring_queue_exit(&st.ring);
	free(st.slots);
	free(st.batch);
	if (st.signals_blocked)
		sigprocmask(SIG_SETMASK, &st.saved_mask, NULL);
	if (st.epfd >= 0)
		close(st.epfd);
	if (st.efd >= 0)
		close(st.efd);
	if (exit_cleanup(st.devfd, st.loaded_module, st.out_errno) < 0)
		ret = 1;
	return ret;
}
