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
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>
#include <linux/hwecho.h>

#include "lib/clock.h"
#include "lib/common.h"
#include "lib/device.h"
#include "lib/exit.h"
#include "lib/input.h"
#include "lib/module.h"
#include "lib/options.h"
#include "lib/signals.h"

#define PROG		"hwecho"
/* The device interface (Windows: GUID_DEVINTERFACE_ECHO). */
#define CLASS_DIR	"/sys/class/misc/hwecho"
#define DEFAULT_DEVICE	"/dev/hwecho"
#define PARAM_DIR	"/sys/module/" MODULE_NAME "/parameters/"
#define STATS_FILE	"/sys/kernel/debug/hwevent/stats"
#define EXIT_USAGE	2
/* How long to wait for the device after loading the module. */
#define DEVICE_WAIT_MS	2000
#define DEVICE_POLL_MS	20
/* How long the requests cancelled at the stop may take to complete. */
#define CANCEL_WAIT_MS	10000

/* --async: echoapp's NUM_ASYNCH_IO, and our bound (2 N files, 80 KiB N). */
#define ASYNC_DEFAULT	100
#define ASYNC_MAX	256
/* --async: the largest write, echoapp's 40 KiB, unless echo_max_write is less. */
#define ASYNC_MAX_WRITE	HWECHO_DEFAULT_MAX_WRITE

/* user_data: a slot's index; these, and the cancels' tag, are not slots. */
#define UD_STDIN	UINT64_MAX
#define UD_CANCEL	(1ULL << 63)

/* echoapp's two sizes, in its synchronous test. */
static const size_t sync_sizes[] = { 512, 30 * 1024 };

struct options {
	bool async;
	unsigned int inflight;		/* --async: N writes and N reads */
	unsigned long long count;	/* -n: completions; 0: no limit */
	bool json;
	const char *module;		/* NULL: look next to the program */
	const char *device;		/* NULL: the device interface's node */
};

/*
 * --async: the header of each write, so that a read says which write it
 * returns. The rest of the write is derived from run and number.
 */
struct echo_header {
	uint32_t magic;
	uint32_t run;		/* this run's, not an earlier run's */
	uint64_t number;	/* the write's, from 1 */
	uint64_t length;	/* the write's, header included */
};

#define ECHO_MAGIC	0x68774543	/* "hwEC" */

enum slot_kind { SLOT_WRITE, SLOT_READ };

/* --async: one request in flight, with an open file of its own. */
struct slot {
	enum slot_kind kind;
	int fd;
	bool busy;
	unsigned long long number;	/* the write's or the read's, from 1 */
	size_t len;			/* a write's length; a read's buffer */
	/* A read: our writes completed when it was submitted. */
	unsigned long long writes_done;
	uint64_t submitted_ns;
	unsigned char *buf;
};

/* What a read returned, as checked against what was written. */
enum read_result {
	READ_VERIFIED,		/* one whole write of this run */
	READ_EMPTY,		/* nothing written since the module loaded */
	READ_EARLIER,		/* data left by an earlier run */
	READ_BAD,		/* anything else: an error */
};

static const char *const read_result_names[] = {
	[READ_VERIFIED] = "verified",
	[READ_EMPTY] = "empty",
	[READ_EARLIER] = "earlier",
	[READ_BAD] = "bad",
};

struct state {
	char path[PATH_MAX];	/* the device node opened */
	int fd;			/* the synchronous test's, and the first */
	bool loaded_module;
	struct input in;
	unsigned int period_us;	/* echo_period_us, 0 if unknown */
	unsigned int max_write;	/* echo_max_write, 0 if unknown */
	long long ticks_start;	/* echo_ticks at the start, -1 if unknown */
	uint64_t start_ns;
	const char *reason;	/* why the loop stopped, for the summary */
	int out_errno;		/* why writing to stdout failed, or 0 */
	/* --async */
	struct io_uring ring;
	bool ring_up;
	struct slot *slots;	/* 2 N: the writes' N, then the reads' */
	unsigned int nslots;
	unsigned char *scratch;	/* a write regenerated to compare a read */
	uint32_t run;
	size_t write_max;	/* the writes' largest length */
	unsigned int in_flight;
	bool cancelling;
	unsigned long long submitted;
	unsigned long long writes_submitted;
	unsigned long long reads_submitted;
	unsigned long long completed;
	unsigned long long writes, write_bytes;
	unsigned long long reads, read_bytes;
	unsigned long long results[ARRAY_SIZE(read_result_names)];
	unsigned long long cancelled;
	unsigned long long errors;
	int failed_errno;	/* the last I/O error reported, once for all */
	bool signals_blocked;
	sigset_t saved_mask;
	sigset_t wait_mask;	/* the stop signals let in while waiting */
};

const char prog_name[] = PROG;

/*
 * After a result is printed: did stdout fail? Keep why, from the write
 * that failed (EPIPE: the reader has seen enough, which is no error).
 */
static bool output_failed(struct state *st)
{
	if (!ferror(stdout))
		return false;
	if (!st->out_errno)
		st->out_errno = errno ? errno : EIO;
	return true;
}

/* ---- Usage ---- */

static void usage_hint(void)
{
	fprintf(stderr,
		"usage: " PROG " [options] [--async [N]]\n"
		"Try '" PROG " --help' for more information.\n");
}

static void print_help(void)
{
	printf("usage: " PROG " [options] [--async [N]]\n"
	       "\n"
	       "Write data to /dev/hwecho and read it back, as the KMDF echo sample's\n"
	       "echoapp does. Each request waits for a tick of the driver's timer\n"
	       "(/sys/module/" MODULE_NAME "/parameters/echo_period_us).\n"
	       "\n"
	       "Without --async: write a pattern of 512 bytes (byte i is i & 0xff),\n"
	       "read it back and compare, then the same with 30720 bytes, each with a\n"
	       "blocking write(2) and read(2) (Windows: WriteFile, ReadFile).\n"
	       "\n"
	       "options:\n"
	       "  --async [N]        keep N writes and N reads in flight at once (1 to\n"
	       "                     %u, default %u) on an io_uring ring, each on an\n"
	       "                     open file of its own and submitted again as it\n"
	       "                     completes (Windows: echoapp -Async, overlapped\n"
	       "                     requests on a completion port); every read is\n"
	       "                     checked to return one whole write of this run;\n"
	       "                     runs until -n COUNT, Enter, q or Ctrl-C, which\n"
	       "                     cancel what is in flight (IORING_OP_ASYNC_CANCEL)\n"
	       "  -n, --count COUNT  --async: stop after COUNT completions, reads and\n"
	       "                     writes together (COUNT >= 1); no more than COUNT\n"
	       "                     requests are submitted\n"
	       "  --json             one JSON object a line on stdout per step (keys:\n"
	       "                     step, size, bytes, time_ns, result) or, with\n"
	       "                     --async, per completion (keys: request, op,\n"
	       "                     number, bytes, latency_ns, result, and write for a\n"
	       "                     read of one); all else on stderr\n"
	       "  -m, --module PATH  the " MODULE_FILE " to load when the device is missing\n"
	       "                     (root only); default: " MODULE_FILE " next to this\n"
	       "                     program, then ../module/" MODULE_FILE " from it, then\n"
	       "                     modprobe " MODULE_NAME " (an installed module)\n"
	       "  -d, --device PATH  the device to open (default: the node of the device\n"
	       "                     interface " CLASS_DIR ", " DEFAULT_DEVICE ")\n"
	       "  -h, --help         show this help and exit\n"
	       "\n"
	       "A module this program loaded is unloaded again when it exits.\n"
	       "Exit status: 0 success (--async: stopped by --count, a key or a\n"
	       "signal); 1 error, mismatch, or the test interrupted; 2 bad usage.\n",
	       ASYNC_MAX, ASYNC_DEFAULT);
}

static int parse_async(const char *s, unsigned int *n)
{
	unsigned long long v;

	if (parse_digits(s, 10, &v) < 0 || v < 1 || v > ASYNC_MAX) {
		fprintf(stderr,
			PROG ": --async '%s': the number of writes (and of reads) in flight must be a whole number from 1 to %u\n",
			s, ASYNC_MAX);
		return -1;
	}
	*n = (unsigned int)v;
	return 0;
}

enum {
	OPT_ASYNC = 256,
	OPT_JSON,
};

/* Return -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "async",	optional_argument, NULL, OPT_ASYNC },
		{ "count",	required_argument, NULL, 'n' },
		{ "json",	no_argument,	   NULL, OPT_JSON },
		{ "module",	required_argument, NULL, 'm' },
		{ "device",	required_argument, NULL, 'd' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL,		0,		   NULL, 0 },
	};
	const char *arg;
	int c;

	memset(o, 0, sizeof(*o));
	o->inflight = ASYNC_DEFAULT;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:m:d:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case OPT_ASYNC:
			o->async = true;
			/*
			 * echoapp -Async <number>: the number may be the next
			 * word, not only --async=N.
			 */
			arg = optarg;
			if (!arg && optind < argc &&
			    argv[optind][0] >= '0' && argv[optind][0] <= '9')
				arg = argv[optind++];
			if (arg && parse_async(arg, &o->inflight) < 0)
				goto bad;
			break;
		case 'n':
			if (parse_count_option(optarg, &o->count) < 0)
				goto bad;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'm':
			o->module = optarg;
			break;
		case 'd':
			o->device = optarg;
			break;
		case 'h':
			print_help();
			return 0;
		case ':':
			fprintf(stderr, PROG ": option '%s' needs an argument\n",
				argv[optind - 1]);
			goto bad;
		default:
			if (optopt)
				fprintf(stderr, PROG ": invalid option '-%c'\n",
					optopt);
			else
				fprintf(stderr, PROG ": unrecognized option '%s'\n",
					argv[optind - 1]);
			goto bad;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n",
			argv[optind]);
		goto bad;
	}
	if (o->count && !o->async) {
		fprintf(stderr,
			PROG ": -n needs --async: the synchronous test has its four requests\n");
		goto bad;
	}
	return -1;
bad:
	usage_hint();
	return EXIT_USAGE;
}

/* ---- The driver's parameters and counters ---- */

/* A module parameter as a number; 0 if it cannot be read. */
static unsigned int read_param(const char *name)
{
	char path[128];
	unsigned int v = 0;
	FILE *f;

	snprintf(path, sizeof(path), PARAM_DIR "%s", name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%u", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* A counter of the driver's debugfs stats; -1 without debugfs. */
static long long read_stat(const char *name)
{
	char key[64];
	long long v;
	FILE *f;

	f = fopen(STATS_FILE, "re");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &v) == 2) {
		if (!strcmp(key, name)) {
			fclose(f);
			return v;
		}
	}
	fclose(f);
	return -1;
}

/* ", 41 ticks (echo_ticks)", or an estimate from the period. */
static void print_ticks(const struct state *st, uint64_t elapsed)
{
	long long end = st->ticks_start >= 0 ? read_stat("echo_ticks") : -1;
	char period[24];

	if (end >= 0) {
		fprintf(info_out, ", %lld tick%s (echo_ticks)",
			end - st->ticks_start,
			end - st->ticks_start == 1 ? "" : "s");
	} else if (st->period_us) {
		fprintf(info_out, ", about %llu ticks of %s ms (no %s)",
			(unsigned long long)(elapsed /
					     (st->period_us * NSEC_PER_USEC)),
			fmt_ms(period, sizeof(period),
			       st->period_us * NSEC_PER_USEC, false), STATS_FILE);
	}
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

/* ---- The synchronous test: echoapp without arguments ---- */

static void report_io_error(const char *what, size_t len, int err,
			    const struct state *st)
{
	switch (err) {
	case EMSGSIZE:
		fprintf(stderr,
			PROG ": %s of %zu bytes failed: %s: more than echo_max_write (%u bytes, " PARAM_DIR "echo_max_write)\n",
			what, len, strerror(err), st->max_write);
		break;
	case EAGAIN:
		fprintf(stderr,
			PROG ": %s of %zu bytes failed: %s: the file is non-blocking and its request was queued (a bug: this program does not set O_NONBLOCK)\n",
			what, len, strerror(err));
		break;
	case ESPIPE:
	case EINVAL:
	case ENOTTY:
		fprintf(stderr,
			PROG ": %s of %zu bytes failed: %s: is %s the echo device?\n",
			what, len, strerror(err), st->path);
		break;
	default:
		fprintf(stderr, PROG ": %s of %zu bytes failed: %s\n", what,
			len, strerror(err));
		break;
	}
}

/* A step as JSON; the compare (@ns 0) has no time_ns. */
static void print_step_json(const char *step, size_t size, ssize_t bytes,
			    uint64_t ns, const char *result)
{
	printf("{\"step\":\"%s\",\"size\":%zu,\"bytes\":%zd", step, size,
	       bytes);
	if (ns)
		printf(",\"time_ns\":%llu", (unsigned long long)ns);
	printf(",\"result\":\"%s\"}\n", result);
}

/*
 * One size: write the pattern, read it back, compare (echoapp's
 * PerformWriteReadTest). Return 0; -EINTR if a signal ended a call (the
 * driver took its request out of the queue); -EPIPE if stdout failed;
 * -1 after saying why.
 */
static int sync_step(struct state *st, const struct options *o, size_t size,
		     unsigned char *out, unsigned char *in)
{
	char ms[24];
	uint64_t t0, t1;
	ssize_t n;
	size_t i;

	for (i = 0; i < size; i++)
		out[i] = (unsigned char)(i & 0xff);

	/* Windows: WriteFile(), completed by the timer's next tick. */
	t0 = now_ns();
	n = write(st->fd, out, size);
	t1 = now_ns();
	if (n < 0) {
		if (errno == EINTR)
			return -EINTR;	/* the caller says which signal */
		report_io_error("write", size, errno, st);
		return -1;
	}
	if ((size_t)n != size) {
		fprintf(stderr,
			PROG ": %zd bytes written, not %zu: a write is never partial (a driver bug)\n",
			n, size);
		return -1;
	}
	if (o->json)
		print_step_json("write", size, n, t1 - t0, "ok");
	else
		printf("%zu pattern bytes written in %s ms\n", size,
		       fmt_ms(ms, sizeof(ms), t1 - t0, false));
	if (output_failed(st))
		return -EPIPE;

	/* Windows: ReadFile() of the same length. */
	memset(in, 0, size);
	t0 = now_ns();
	n = read(st->fd, in, size);
	t1 = now_ns();
	if (n < 0) {
		if (errno == EINTR)
			return -EINTR;
		report_io_error("read", size, errno, st);
		return -1;
	}
	if ((size_t)n != size) {
		fprintf(stderr,
			PROG ": %zd bytes read, not %zu: did another program write to the device meanwhile?\n",
			n, size);
		return -1;
	}
	if (o->json)
		print_step_json("read", size, n, t1 - t0, "ok");
	else
		printf("%zu pattern bytes read in %s ms\n", size,
		       fmt_ms(ms, sizeof(ms), t1 - t0, false));
	if (output_failed(st))
		return -EPIPE;

	for (i = 0; i < size; i++) {
		if (in[i] != out[i]) {
			fprintf(stderr,
				PROG ": pattern changed at byte %zu: should be 0x%02x, is 0x%02x\n"
				PROG ": verify failed (did another program write to the device meanwhile?)\n",
				i, out[i], in[i]);
			if (o->json)
				print_step_json("verify", size, n, 0,
						"mismatch");
			return -1;
		}
	}
	if (o->json)
		print_step_json("verify", size, n, 0, "verified");
	else
		printf("pattern verified\n");
	return output_failed(st) ? -EPIPE : 0;
}

static int run_sync(struct state *st, const struct options *o)
{
	size_t max = sync_sizes[ARRAY_SIZE(sync_sizes) - 1];
	unsigned char *out, *in;
	uint64_t elapsed;
	char ms[24];
	int ret = 0;
	size_t i;

	out = malloc(max);
	in = malloc(max);
	if (!out || !in) {
		fprintf(stderr, PROG ": out of memory\n");
		free(out);
		free(in);
		return 1;
	}
	fprintf(info_out,
		PROG ": synchronous test: write, read back and verify %zu, then %zu bytes. Press Ctrl-C to quit.\n",
		sync_sizes[0], sync_sizes[1]);
	for (i = 0; i < ARRAY_SIZE(sync_sizes) && !ret; i++)
		ret = stop_signal ? -EINTR :
				    sync_step(st, o, sync_sizes[i], out, in);
	free(out);
	free(in);
	if (ret == -EINTR) {
		fprintf(stderr, PROG ": interrupted by %s before the test ended\n",
			signal_name(stop_signal));
		return 1;
	}
	/* Output closed: main() says so unless it is a closed pipe. */
	if (ret == -EPIPE)
		return 0;
	if (ret)
		return 1;
	elapsed = now_ns() - st->start_ns;
	fprintf(info_out,
		PROG ": done: %zu and %zu bytes written, read back and verified in %s ms",
		sync_sizes[0], sync_sizes[1], fmt_ms(ms, sizeof(ms), elapsed, false));
	print_ticks(st, elapsed);
	fprintf(info_out, "\n");
	return 0;
}

/* ---- --async: echoapp -Async, on an io_uring ring ---- */

/*
 * Design: one ring and one thread, where echoapp had a writer thread and a
 * reader thread, each with a handle and a completion port. Submitting to a
 * ring never blocks, so one thread keeps both directions in flight, and
 * one completion queue orders what it sees. Each request in flight has an
 * open file of its own: the driver gives a file one reservation per
 * direction for calls that must not block, as io_uring's are (hwecho.h),
 * so a second read of one file would not be queued until the first one's
 * was taken. With a file each, every request holds its own place in the
 * device's queue, as each of echoapp's overlapped requests did.
 */

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finalizer */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The shortest write: half the longest, and room for the header. */
static size_t write_min(const struct state *st)
{
	size_t lo = st->write_max / 2;

	return lo < sizeof(struct echo_header) ? sizeof(struct echo_header) :
						 lo;
}

/* Write @number's length, from write_min() to the longest. */
static size_t write_length(const struct state *st, unsigned long long number)
{
	size_t lo = write_min(st);

	return lo + (size_t)(mix64(((uint64_t)st->run << 32) ^ number) %
			     (st->write_max - lo + 1));
}

/* Write @number's bytes after the header: derived from the run and it. */
static void fill_payload(unsigned char *p, size_t len, uint32_t run,
			 unsigned long long number)
{
	uint64_t x = mix64(((uint64_t)run << 32) ^ mix64(number));
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			x = mix64(x + i);
		p[i] = (unsigned char)(x >> (i % 8 * 8));
	}
}

/* Write @number, whole, as submitted. */
static size_t build_write(const struct state *st, unsigned char *buf,
			  unsigned long long number)
{
	size_t len = write_length(st, number);
	struct echo_header h = {
		.magic = ECHO_MAGIC,
		.run = st->run,
		.number = number,
		.length = len,
	};

	memcpy(buf, &h, sizeof(h));
	fill_payload(buf + sizeof(h), len - sizeof(h), st->run, number);
	return len;
}

/*
 * Check what a read returned: one whole write of this run; or, if none of
 * ours had completed when the read was submitted, nothing (no data since
 * the module loaded) or what an earlier run left. *@number is the write's.
 * @why, on READ_BAD, says what is wrong.
 */
static enum read_result check_read(struct state *st, const struct slot *s,
				   size_t n, unsigned long long *number,
				   char *why, size_t wlen)
{
	struct echo_header h;
	size_t i, len;

	*number = 0;
	if (n == 0) {
		if (!s->writes_done)
			return READ_EMPTY;
		snprintf(why, wlen,
			 "0 bytes, though %llu write%s of this run had completed before it was submitted",
			 s->writes_done, s->writes_done == 1 ? "" : "s");
		return READ_BAD;
	}
	if (n >= sizeof(h))
		memcpy(&h, s->buf, sizeof(h));
	if (n < sizeof(h) || h.magic != ECHO_MAGIC || h.run != st->run) {
		if (!s->writes_done)
			return READ_EARLIER;
		snprintf(why, wlen,
			 "%zu bytes that no write of this run holds (another program writing to the device?)",
			 n);
		return READ_BAD;
	}
	*number = h.number;
	if (h.number == 0 || h.number > st->writes_submitted) {
		snprintf(why, wlen,
			 "%zu bytes naming write %llu, of %llu submitted",
			 n, (unsigned long long)h.number, st->writes_submitted);
		return READ_BAD;
	}
	len = write_length(st, h.number);
	if (h.length != len || n != len) {
		snprintf(why, wlen,
			 "%zu bytes of write %llu, which had %zu (its header says %llu): not whole",
			 n, (unsigned long long)h.number, len,
			 (unsigned long long)h.length);
		return READ_BAD;
	}
	fill_payload(st->scratch, len - sizeof(h), st->run, h.number);
	if (memcmp(st->scratch, s->buf + sizeof(h), len - sizeof(h))) {
		for (i = 0; st->scratch[i] == s->buf[sizeof(h) + i]; i++)
			;
		snprintf(why, wlen,
			 "%zu bytes of write %llu, but byte %zu is 0x%02x, not 0x%02x",
			 n, (unsigned long long)h.number, sizeof(h) + i,
			 s->buf[sizeof(h) + i], st->scratch[i]);
		return READ_BAD;
	}
	return READ_VERIFIED;
}

/* Room for the 2 N files of the device, the ring and stdio. */
static int ensure_files(unsigned int files)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= files)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < files) {
		fprintf(stderr,
			PROG ": --async needs %u open files, and the limit is %llu (ulimit -n): ask for fewer in flight\n",
			files, (unsigned long long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = files;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		fprintf(stderr, PROG ": setrlimit(RLIMIT_NOFILE, %u): %s\n",
			files, strerror(errno));
		return -1;
	}
	return 0;
}

static int async_setup(struct state *st, const struct options *o)
{
	static const int ops[] = {
		IORING_OP_READ, IORING_OP_WRITE, IORING_OP_ASYNC_CANCEL,
		IORING_OP_POLL_ADD,
	};
	struct io_uring_probe *probe;
	unsigned int i;
	int ret;

	st->run = (uint32_t)mix64(now_ns() ^ ((uint64_t)getpid() << 32));
	st->write_max = ASYNC_MAX_WRITE;
	if (st->max_write && st->max_write < st->write_max)
		st->write_max = st->max_write;
	if (st->write_max < sizeof(struct echo_header)) {
		fprintf(stderr,
			PROG ": echo_max_write is %u bytes: --async needs at least %zu for each write's header\n",
			st->max_write, sizeof(struct echo_header));
		return -1;
	}

	st->nslots = 2 * o->inflight;
	if (ensure_files(st->nslots + 16) < 0)
		return -1;
	st->slots = calloc(st->nslots, sizeof(*st->slots));
	st->scratch = malloc(st->write_max);
	if (!st->slots || !st->scratch) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	for (i = 0; i < st->nslots; i++)
		st->slots[i].fd = -1;
	for (i = 0; i < st->nslots; i++) {
		struct slot *s = &st->slots[i];

		s->kind = i < o->inflight ? SLOT_WRITE : SLOT_READ;
		s->len = st->write_max;
		s->buf = calloc(1, st->write_max);
		if (!s->buf) {
			fprintf(stderr, PROG ": out of memory\n");
			return -1;
		}
		/* Windows: echoapp's CreateFile(FILE_FLAG_OVERLAPPED). */
		s->fd = i == 0 ? st->fd : open(st->path, O_RDWR | O_CLOEXEC);
		if (s->fd < 0) {
			fprintf(stderr,
				PROG ": cannot open %s again (file %u of %u): %s\n",
				st->path, i + 1, st->nslots, strerror(errno));
			return -1;
		}
	}

	/*
	 * Windows: CreateIoCompletionPort(). Entries for every request, the
	 * poll of stdin, and at the stop their cancels, a batch at a time.
	 */
	ret = io_uring_queue_init(st->nslots + 1, &st->ring, 0);
	if (ret < 0) {
		report_uring_setup_error("io_uring_queue_init", -ret, NULL);
		return -1;
	}
	st->ring_up = true;
	probe = io_uring_get_probe_ring(&st->ring);
	for (i = 0; probe && i < ARRAY_SIZE(ops); i++) {
		if (!io_uring_opcode_supported(probe, ops[i])) {
			fprintf(stderr,
				PROG ": this kernel's io_uring lacks opcode %d (IORING_OP_READ, _WRITE, _ASYNC_CANCEL and _POLL_ADD need Linux 5.6)\n",
				ops[i]);
			io_uring_free_probe(probe);
			return -1;
		}
	}
	if (probe)
		io_uring_free_probe(probe);

	/* The stop signals only while we wait on the ring, as ppoll() does. */
	if (block_stop_signals(&st->saved_mask, &st->wait_mask) < 0)
		return -1;
	st->signals_blocked = true;
	return 0;
}

/* A free slot of @kind, or NULL. */
static struct slot *free_slot(struct state *st, enum slot_kind kind)
{
	unsigned int i;

	for (i = 0; i < st->nslots; i++)
		if (st->slots[i].kind == kind && !st->slots[i].busy)
			return &st->slots[i];
	return NULL;
}

/*
 * Fill the free slots, writes and reads in turn (a write first), as long
 * as --count wants more, and poll stdin for a key; submit. Windows:
 * WriteFile() and ReadFile() with an OVERLAPPED, ERROR_IO_PENDING.
 */
static int async_fill(struct state *st, const struct options *o)
{
	struct io_uring_sqe *sqe;
	enum slot_kind kind;
	struct slot *s;
	int ret;

	while (!st->cancelling && (!o->count || st->submitted < o->count)) {
		kind = st->reads_submitted < st->writes_submitted ?
		       SLOT_READ : SLOT_WRITE;
		s = free_slot(st, kind);
		if (!s) {
			kind = kind == SLOT_READ ? SLOT_WRITE : SLOT_READ;
			s = free_slot(st, kind);
		}
		if (!s)
			break;
		/* Never NULL: the ring has an entry for each slot. */
		sqe = io_uring_get_sqe(&st->ring);
		if (!sqe)
			break;
		if (kind == SLOT_WRITE) {
			s->number = ++st->writes_submitted;
			s->len = build_write(st, s->buf, s->number);
			io_uring_prep_write(sqe, s->fd, s->buf, (unsigned int)s->len,
					    (uint64_t)-1);
		} else {
			s->number = ++st->reads_submitted;
			s->len = st->write_max;
			s->writes_done = st->writes;
			io_uring_prep_read(sqe, s->fd, s->buf, (unsigned int)s->len,
					   (uint64_t)-1);
		}
		io_uring_sqe_set_data64(sqe, (uint64_t)(s - st->slots));
		s->busy = true;
		s->submitted_ns = now_ns();
		st->submitted++;
		st->in_flight++;
	}
	input_poll_on_ring(&st->in, &st->ring, UD_STDIN);
	ret = io_uring_submit(&st->ring);
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_submit: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

static const char *io_hint(int err)
{
	switch (err) {
	case EMSGSIZE:
		return "the write is larger than echo_max_write (was it lowered meanwhile?)";
	case EINVAL:
	case ESPIPE:
		return "is the device the echo device?";
	case ENOMEM:
		return "the kernel is out of memory";
	default:
		return NULL;
	}
}

/* The line, or the JSON object, of one completion. */
static void print_completion(const struct state *st, const struct options *o,
			     const struct slot *s, int res,
			     enum read_result rr, unsigned long long wnum,
			     uint64_t lat)
{
	bool write = s->kind == SLOT_WRITE;
	char ms[24];

	if (o->json) {
		printf("{\"request\":%llu,\"op\":\"%s\",\"number\":%llu,\"bytes\":%d,\"latency_ns\":%llu,\"result\":\"%s\"",
		       st->completed, write ? "write" : "read", s->number,
		       res, (unsigned long long)lat,
		       write ? "written" : read_result_names[rr]);
		if (!write && wnum)
			printf(",\"write\":%llu", wnum);
		printf("}\n");
		return;
	}
	fmt_ms(ms, sizeof(ms), lat, false);
	/* echoapp: "Number of bytes written by request number %d is %d" */
	if (write)
		printf("write %llu: %d bytes written in %s ms\n", s->number,
		       res, ms);
	else if (rr == READ_VERIFIED)
		printf("read %llu: %d bytes, write %llu's, verified, in %s ms\n",
		       s->number, res, wnum, ms);
	else if (rr == READ_EMPTY)
		printf("read %llu: 0 bytes (nothing written yet) in %s ms\n",
		       s->number, ms);
	else if (rr == READ_EARLIER)
		printf("read %llu: %d bytes written before this run, in %s ms\n",
		       s->number, res, ms);
	else
		printf("read %llu: %d bytes, not verified, in %s ms\n",
		       s->number, res, ms);
}

/* One request's completion. Return -1 on an error (said), else 0. */
static int async_complete(struct state *st, const struct options *o,
			  struct slot *s, int res, uint64_t woke)
{
	enum read_result rr = READ_VERIFIED;
	unsigned long long wnum = 0;
	const char *hint;
	char why[200];

	s->busy = false;
	st->in_flight--;
	/* After our cancel: ECANCELED, or EINTR if it had to be woken. */
	if (st->cancelling && (res == -ECANCELED || res == -EINTR)) {
		st->cancelled++;
		return 0;
	}
	if (res < 0) {
		st->errors++;
		if (-res != st->failed_errno) {
			hint = io_hint(-res);
			fprintf(stderr, PROG ": %s %llu failed: %s%s%s\n",
				s->kind == SLOT_WRITE ? "write" : "read",
				s->number, strerror(-res), hint ? ": " : "",
				hint ? hint : "");
		}
		st->failed_errno = -res;
		return -1;
	}
	st->completed++;
	if (s->kind == SLOT_WRITE) {
		if ((size_t)res != s->len) {
			st->errors++;
			fprintf(stderr,
				PROG ": write %llu: %d bytes written, not %zu: a write is never partial (a driver bug)\n",
				s->number, res, s->len);
			return -1;
		}
		st->writes++;
		st->write_bytes += (unsigned long long)res;
	} else {
		rr = check_read(st, s, (size_t)res, &wnum, why, sizeof(why));
		st->reads++;
		st->read_bytes += (unsigned long long)res;
		st->results[rr]++;
	}
	print_completion(st, o, s, res, rr, wnum, woke - s->submitted_ns);
	output_failed(st);	/* the loop stops */
	if (rr == READ_BAD) {
		st->errors++;
		fprintf(stderr, PROG ": read %llu: %s\n", s->number, why);
		return -1;
	}
	return 0;
}

enum step { STEP_GO, STEP_QUIT, STEP_ERROR };

/* One CQE, seen at @woke. */
static enum step async_cqe(struct state *st, const struct options *o,
			   uint64_t data, int res, uint64_t woke)
{
	if (data == UD_STDIN)
		return input_poll_done(&st->in, res) ? STEP_QUIT : STEP_GO;
	if (data & UD_CANCEL) {
		/* 0, ENOENT (done already), EALREADY (completing): fine. */
		if (res < 0 && res != -ENOENT && res != -EALREADY)
			fprintf(stderr,
				PROG ": warning: IORING_OP_ASYNC_CANCEL of a request failed: %s\n",
				strerror(-res));
		return STEP_GO;
	}
	if (data >= st->nslots || !st->slots[data].busy) {
		fprintf(stderr, PROG ": a completion for no request (%llu)\n",
			(unsigned long long)data);
		return STEP_ERROR;
	}
	if (async_complete(st, o, &st->slots[data], res, woke) < 0)
		return STEP_ERROR;
	return STEP_GO;
}

/*
 * Submit what is wanted and wait for completions, with the stop signals
 * let in; handle all that are there. Windows: GetQueuedCompletionStatus().
 */
static enum step async_wait(struct state *st, const struct options *o)
{
	enum step r = STEP_GO, one;
	struct io_uring_cqe *cqe;
	uint64_t woke, data;
	int ret, res;

	if (async_fill(st, o) < 0)
		return STEP_ERROR;
	if (take_pending_signals(&st->wait_mask))
		return STEP_GO;		/* the loop looks at the signal */
	ret = io_uring_wait_cqes(&st->ring, &cqe, 1, NULL, &st->wait_mask);
	if (ret == -EINTR)
		return STEP_GO;		/* the loop looks at the signal */
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_wait_cqes: %s\n",
			strerror(-ret));
		return STEP_ERROR;
	}
	woke = now_ns();
	while (io_uring_peek_cqe(&st->ring, &cqe) == 0) {
		data = io_uring_cqe_get_data64(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&st->ring, cqe);
		one = async_cqe(st, o, data, res, woke);
		if (one == STEP_ERROR || (one == STEP_QUIT && r == STEP_GO))
			r = one;
	}
	return r;
}

/*
 * At the stop: cancel each request in flight with IORING_OP_ASYNC_CANCEL
 * (Windows: CancelIo), and reap them all. A request the driver had
 * completed already completes as usual, and is reported.
 */
static int async_cancel(struct state *st, const struct options *o)
{
	struct __kernel_timespec ts = { .tv_nsec = 100 * 1000000L };
	uint64_t deadline = now_ns() + CANCEL_WAIT_MS * NSEC_PER_MSEC;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	unsigned int i;
	int ret, err = 0;

	if (!st->ring_up || !st->in_flight)
		return 0;
	st->cancelling = true;
	for (i = 0; i < st->nslots; i++) {
		if (!st->slots[i].busy)
			continue;
		sqe = io_uring_get_sqe(&st->ring);
		if (!sqe) {
			/* The ring is full: submit this batch, then go on. */
			io_uring_submit(&st->ring);
			sqe = io_uring_get_sqe(&st->ring);
			if (!sqe)
				break;
		}
		io_uring_prep_cancel64(sqe, i, 0);
		io_uring_sqe_set_data64(sqe, UD_CANCEL | i);
	}
	ret = io_uring_submit(&st->ring);
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_submit: %s\n", strerror(-ret));
		return -1;
	}
	while (st->in_flight) {
		ret = io_uring_wait_cqe_timeout(&st->ring, &cqe, &ts);
		if (ret == -EINTR || ret == -ETIME) {
			if (now_ns() < deadline)
				continue;
			fprintf(stderr,
				PROG ": %u request%s still in flight %d s after cancelling them\n",
				st->in_flight, st->in_flight == 1 ? "" : "s",
				CANCEL_WAIT_MS / 1000);
			return -1;
		}
		if (ret < 0) {
			fprintf(stderr, PROG ": io_uring_wait_cqe: %s\n",
				strerror(-ret));
			return -1;
		}
		{
			uint64_t data = io_uring_cqe_get_data64(cqe);
			int res = cqe->res;

			io_uring_cqe_seen(&st->ring, cqe);
			if (async_cqe(st, o, data, res, now_ns()) == STEP_ERROR)
				err = -1;
		}
	}
	return err;
}

static void print_async_banner(const struct state *st,
			       const struct options *o)
{
	char period[24];

	fprintf(info_out,
		PROG ": %u write%s and %u read%s in flight at once on io_uring (echoapp -Async), each on an open file of its own; writes of %zu to %zu bytes",
		o->inflight, o->inflight == 1 ? "" : "s", o->inflight,
		o->inflight == 1 ? "" : "s", write_min(st), st->write_max);
	if (st->period_us)
		fprintf(info_out, ", a tick every %s ms",
			fmt_ms(period, sizeof(period),
			       st->period_us * NSEC_PER_USEC, false));
	fprintf(info_out, ". ");
	if (o->count)
		fprintf(info_out, "Stops after %llu completion%s; ", o->count,
			o->count == 1 ? "" : "s");
	fprintf(info_out, "%s %s to quit.\n", o->count ? "press" : "Press",
		st->in.watch ? "Enter, q or Ctrl-C" : "Ctrl-C");
}

static void print_async_summary(const struct state *st)
{
	uint64_t elapsed = now_ns() - st->start_ns;
	char ms[24];

	fprintf(info_out,
		PROG ": done after %llu request%s (%s): %llu write%s of %llu bytes, %llu read%s of %llu bytes (%llu verified",
		st->completed, st->completed == 1 ? "" : "s", st->reason,
		st->writes, st->writes == 1 ? "" : "s", st->write_bytes,
		st->reads, st->reads == 1 ? "" : "s", st->read_bytes,
		st->results[READ_VERIFIED]);
	if (st->results[READ_EMPTY])
		fprintf(info_out, ", %llu empty", st->results[READ_EMPTY]);
	if (st->results[READ_EARLIER])
		fprintf(info_out, ", %llu of an earlier run",
			st->results[READ_EARLIER]);
	fprintf(info_out, "), %llu error%s in %s ms", st->errors,
		st->errors == 1 ? "" : "s", fmt_ms(ms, sizeof(ms), elapsed, false));
	print_ticks(st, elapsed);
	if (st->cancelling)
		fprintf(info_out, "; cancelled %llu in flight", st->cancelled);
	fprintf(info_out, "\n");
}

/* Return the exit status. */
static int run_async(struct state *st, const struct options *o)
{
	enum step r;
	int ret = 0;

	if (async_setup(st, o) < 0)
		return 1;
	input_setup(&st->in);
	print_async_banner(st, o);
	for (;;) {
		if (stop_signal) {
			st->reason = signal_name(stop_signal);
			break;
		}
		if (o->count && st->completed >= o->count) {
			st->reason = "count reached";
			break;
		}
		input_continued(&st->in);
		r = async_wait(st, o);
		if (r == STEP_QUIT) {
			st->reason = "key pressed";
			break;
		}
		if (r == STEP_ERROR) {
			st->reason = "error";
			ret = 1;
			break;
		}
		if (st->out_errno) {
			st->reason = "output closed";
			break;
		}
	}
	if (async_cancel(st, o) < 0)
		ret = 1;
	if (st->errors)
		ret = 1;
	print_async_summary(st);
	return ret;
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
