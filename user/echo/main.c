// SPDX-License-Identifier: GPL-2.0
/*
 * hwecho - write data to /dev/hwecho and read it back.
 *
 * The Linux port of echoapp.exe, the test program of the Windows KMDF
 * "echo" sample. The device keeps the data of the last write and returns
 * it to every read; each request waits in one device-wide queue for a tick
 * of the driver's timer (include/uapi/linux/hwecho.h).
 *
 * Without options, as echoapp without arguments: write a pattern of 512
 * bytes (byte i is i & 0xff), read it back and compare, then the same
 * with 30 KiB, with blocking write(2) and read(2) (Windows: synchronous
 * WriteFile and ReadFile).
 *
 * With --async [N], as echoapp -Async: keep N writes and N reads in flight
 * at once on an io_uring ring (Windows: overlapped requests on an I/O
 * completion port), each submitted again as it completes, until -n COUNT
 * completions, Enter or q, or Ctrl-C; those still in flight are then
 * cancelled with IORING_OP_ASYNC_CANCEL. Unlike echoapp, every write
 * carries a header that names it, and every read is checked to return one
 * whole write of this run (or, before any of ours completed, nothing or
 * what an earlier run left).
 *
 * Like hwevent, it loads the module when the device is missing and it runs
 * as root (--module PATH, else hwevent.ko of a build tree beside it, else
 * `modprobe hwevent`), and unloads it at exit, but only if this run loaded
 * it.
 *
 * Exit status: 0 on success (--async: stopped by -n COUNT, a key or a
 * signal); 1 on an error, a mismatch, or the synchronous test interrupted;
 * 2 on bad usage.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/device.h"
#include "lib/exit.h"
#include "lib/signals.h"

#include "echo/hwecho.h"

const char prog_name[] = PROG;

/*
 * After a result is printed: did stdout fail? Keep why, from the write
 * that failed (EPIPE: the reader has seen enough, which is no error).
 */
bool output_failed(struct state *st)
{
	if (!ferror(stdout))
		return false;
	if (!st->out_errno)
		st->out_errno = errno ? errno : EIO;
	return true;
}

/* ---- Finding and opening the device, loading the module (lib/) ---- */

/*
 * The device interface: Windows' CM_Get_Device_Interface_List() for
 * GUID_DEVINTERFACE_ECHO; here the misc class directory in sysfs, whose
 * uevent names the node (DEVNAME) and its numbers. 0 and the node's
 * path, or -1 with errno (ENOENT: no such device).
 */
static int find_interface(char *path, size_t len, char *devnum, size_t dlen)
{
	char line[256], name[256] = "";
	unsigned int major = 0, minor = 0;
	FILE *f;

	f = fopen(CLASS_DIR "/uevent", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "DEVNAME=", 8))
			snprintf(name, sizeof(name), "%s", line + 8);
		else if (!strncmp(line, "MAJOR=", 6))
			major = (unsigned int)strtoul(line + 6, NULL, 10);
		else if (!strncmp(line, "MINOR=", 6))
			minor = (unsigned int)strtoul(line + 6, NULL, 10);
	}
	fclose(f);
	if (!name[0]) {
		errno = ENOENT;
		return -1;
	}
	snprintf(path, len, "/dev/%s", name);
	snprintf(devnum, dlen, "%u:%u", major, minor);
	return 0;
}

static int resolve_device(struct state *st, const struct options *o,
			  char *devnum, size_t dlen)
{
	if (o->device) {
		snprintf(st->path, sizeof(st->path), "%s", o->device);
		devnum[0] = '\0';
		return 0;
	}
	return find_interface(st->path, sizeof(st->path), devnum, dlen);
}

/* After loading: devtmpfs creates the node shortly after the module registers it. */
static int open_after_load(struct state *st, const struct options *o,
			   char *devnum, size_t dlen)
{
	const struct timespec step = { 0, DEVICE_POLL_MS * 1000000L };
	int waited, fd;

	for (waited = 0; ; waited += DEVICE_POLL_MS) {
		if (resolve_device(st, o, devnum, dlen) == 0) {
			fd = open(st->path, O_RDWR | O_CLOEXEC);
			if (fd >= 0 || errno != ENOENT)
				return fd;
		}
		if (waited >= DEVICE_WAIT_MS) {
			errno = ENOENT;
			return -1;
		}
		if (nanosleep(&step, NULL) < 0 && stop_signal) {
			errno = EINTR;
			return -1;
		}
	}
}

/*
 * Find the device as echoapp did (the interface, then its path), load the
 * module if it is missing and we are root, and open it (Windows:
 * CreateFile on the interface's path).
 */
static int open_device(struct state *st, const struct options *o)
{
	char devnum[32] = "";
	int fd = -1, err;

	if (resolve_device(st, o, devnum, sizeof(devnum)) == 0)
		fd = open(st->path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (module_present()) {
			if (o->device)
				fprintf(stderr,
					PROG ": %s does not exist; the " MODULE_NAME " module is loaded: is --device right? (its echo device is %s)\n",
					o->device, DEFAULT_DEVICE);
			else
				fprintf(stderr,
					PROG ": no active echo device: the " MODULE_NAME " module is loaded, but " CLASS_DIR " %s (a module from before hwecho, or no devtmpfs on /dev?)\n",
					access(CLASS_DIR, F_OK) ? "does not exist" :
					"has no node in /dev");
			return -1;
		}
		/* Windows: "Is the sample driver loaded?" */
		if (geteuid() != 0) {
			fprintf(stderr,
				PROG ": no active echo device (%s): is the " MODULE_NAME " module loaded? Load it (sudo modprobe " MODULE_NAME "; in a build tree, sudo insmod module/" MODULE_FILE "), or run this program as root to load it\n",
				o->device ? o->device : CLASS_DIR " does not exist");
			return -1;
		}
		if (load_module(o->module, &st->loaded_module) < 0)
			return -1;
		fd = open_after_load(st, o, devnum, sizeof(devnum));
		if (fd < 0 && errno == ENOENT) {
			fprintf(stderr,
				PROG ": %s did not appear within %d s of loading the module (is devtmpfs mounted on /dev? is --device right?)\n",
				o->device ? o->device : "the echo device",
				DEVICE_WAIT_MS / 1000);
			return -1;
		}
	}
	if (fd < 0) {
		err = errno;
		report_open_error(o->device ? o->device : st->path, err,
				  "hwecho");
		return -1;
	}
	st->fd = fd;
	if (devnum[0])
		fprintf(info_out,
			PROG ": opened %s (device interface " CLASS_DIR ", %s)\n",
			st->path, devnum);
	else
		fprintf(info_out, PROG ": opened %s\n", st->path);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct state st;
	unsigned int i;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	info_out = stdout;

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.json)
		info_out = stderr;

	memset(&st, 0, sizeof(st));
	st.fd = -1;
	st.ticks_start = -1;
	ret = 1;

	/*
	 * Windows: Ctrl-C killed echoapp and the I/O manager cancelled its
	 * requests. A blocking write(2) or read(2) fails with EINTR (the
	 * driver takes the request out of its queue) rather than restart at
	 * the back of the queue. No SIGCONT handler but with --async, where
	 * the stop signals are blocked except while we wait: a handler would
	 * end a blocking call too.
	 */
	if (install_signal_handlers(o.async) < 0) {
		fprintf(stderr, PROG ": sigaction: %s\n", strerror(errno));
		return 1;
	}
	if (open_device(&st, &o) < 0)
		goto out;
	st.period_us = read_param("echo_period_us");
	st.max_write = read_param("echo_max_write");
	st.ticks_start = read_stat("echo_ticks");
	st.start_ns = now_ns();
	if (o.async)
		ret = run_async(&st, &o);
	else
		ret = run_sync(&st, &o);

out:
	tty_restore(&st.in);
	if (st.ring_up)
		io_uring_queue_exit(&st.ring);
	if (st.signals_blocked)
		sigprocmask(SIG_SETMASK, &st.saved_mask, NULL);
	for (i = 0; st.slots && i < st.nslots; i++) {
		if (st.slots[i].fd >= 0 && st.slots[i].fd != st.fd)
			close(st.slots[i].fd);
		free(st.slots[i].buf);
	}
	free(st.slots);
	free(st.scratch);
	if (exit_cleanup(st.fd, st.loaded_module, st.out_errno) < 0)
		ret = 1;
	return ret;
}
