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
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>
#include <linux/hwevent.h>

#include "lib/clock.h"
#include "lib/common.h"
#include "lib/device.h"
#include "lib/exit.h"
#include "lib/input.h"
#include "lib/module.h"
#include "lib/options.h"
#include "lib/signals.h"
#include "lib/uapi.h"

#define PROG		"hwevent"
#define DEFAULT_DEVICE	"/dev/hwevent"
#define EXIT_USAGE	2
/* How long to wait for devtmpfs to create the node after loading. */
#define DEVICE_WAIT_MS	2000
#define DEVICE_POLL_MS	20
/* --poll, --epoll: no event this long after one was due means it was lost. */
#define LOST_EVENT_MS	10000
/* Mode 2 reads up to this many records at once. */
#define READ_BATCH	16
/*
 * --uring N: at most the driver's default max_pending, the registrations
 * one file may have: more would fail with ENOSPC on a default module.
 */
#define URING_MAX_PENDING	1024
/* --uring: user_data of the poll of stdin; a command's is its slot. */
#define URING_STDIN		UINT64_MAX

/* How modes 1 and 2 wait for the eventfd or the device. */
enum wait_method {
	METHOD_READ,		/* a blocking read(2) */
	METHOD_POLL,		/* poll(2), with stdin */
	METHOD_EPOLL,		/* epoll_wait(2), with stdin */
};

struct options {
	uint64_t delay_ns;
	uint64_t period_ns;		/* 0: one event per registration */
	uint64_t cookie;
	bool has_cookie;		/* else: the event's number */
	unsigned int mode;
	enum wait_method wait;
	bool trigger;
	bool json;
	unsigned int uring;		/* mode 0: commands in flight; 0: none */
	unsigned long long count;	/* 0: no limit */
	const char *module;		/* NULL: look next to the program */
	const char *device;
};

/* --uring: one command in flight, by the slot its user_data names. */
struct uring_slot {
	unsigned long long command;	/* its number, from 1; 0: slot free */
	uint64_t due_ns;		/* its submission's time + the delay */
};

/* --uring: what we keep of a CQE, to sort a wake-up's before reporting. */
struct uring_done {
	uint64_t data;		/* user_data: a slot, or URING_STDIN */
	int32_t res;
	uint64_t irq_ns;	/* big_cqe[0] */
};

struct state {
	int devfd;
	int efd;
	int waitfd;		/* modes 1 and 2: efd or devfd */
	int epfd;		/* --epoll */
	bool epoll_stdin;	/* stdin is in the epoll set */
	bool loaded_module;
	struct input in;
	/* Modes 1 and 2: the registration waited on, 0 when none is. */
	uint64_t live_id;
	uint64_t live_cookie;
	uint64_t first_due;	/* ioctl time + delay */
	uint64_t trigger_ns;	/* when we triggered it, until its event */
	uint64_t deadline;	/* --poll, --epoll: no event by then: lost */
	unsigned long long events;
	unsigned long long overruns;
	unsigned long long lost;
	int64_t lat_min;
	int64_t lat_max;
	double lat_sum;
	const char *reason;	/* why the loop stopped, for the summary */
	int out_errno;		/* why writing to stdout failed, or 0 */
	/* --uring */
	struct io_uring ring;
	bool ring_up;
	struct uring_slot *slots;	/* o->uring of them */
	struct uring_done *batch;	/* o->uring + 1: all that can complete */
	unsigned int pending;		/* commands submitted, not completed */
	unsigned long long submitted;
	bool cancel_issued;	/* HWEVENT_IOC_CANCEL at the stop */
	unsigned long long cancelled;	/* completed with ECANCELED */
	int failed_errno;	/* the last failure reported, once for all */
	bool signals_blocked;
	sigset_t saved_mask;	/* to restore at exit */
	sigset_t wait_mask;	/* the mask to wait with: stop signals let in */
};

/* One event as we print it, from a record, an eventfd or a CQE. */
struct report {
	uint64_t id;
	uint64_t command;	/* --uring: the command's number */
	uint64_t cookie;
	/* NULL in eventfd mode; --uring: seqno, due_ns and irq_ns only */
	const struct hwevent_event *ev;
	uint64_t count;		/* eventfd mode: the counter we read */
	uint64_t due_ns;	/* eventfd mode: computed */
	uint64_t wake_ns;
	uint32_t flags;		/* HWEVENT_EVENT_*; mode 1: as far as known */
};

enum wait_result {
	WAIT_EVENT,		/* an event was printed */
	WAIT_ARMED,		/* registered: wait for its event */
	WAIT_READY,		/* the eventfd or the device is readable */
	WAIT_AGAIN,		/* no event; the main loop decides what next */
	WAIT_QUIT,		/* a quit key was pressed */
	WAIT_ERROR,		/* reported already */
};

const char prog_name[] = PROG;

static void usage_hint(void)
{
	fprintf(stderr,
		"usage: " PROG " [options] <delay-seconds> <0|1|2>\n"
		"Try '" PROG " --help' for more information.\n");
}

static void print_help(void)
{
	char min_period[32];

	printf("usage: " PROG " [options] <delay-seconds> <0|1|2>\n"
	       "\n"
	       "Register for a simulated hardware event on /dev/hwevent, wait for it,\n"
	       "print it, and register again, until Enter or q is pressed, Ctrl-C,\n"
	       "or -n COUNT events.\n"
	       "\n"
	       "  delay-seconds      time from registering to the event; fractions\n"
	       "                     allowed (0.5); from 0 to %llu\n"
	       "  0                  pending request: the ioctl waits for the event and\n"
	       "                     returns its record (Windows: a pending IRP)\n"
	       "  1                  eventfd: the ioctl returns at once and the driver\n"
	       "                     signals an eventfd later (Windows: an event object)\n"
	       "  2                  queue: the ioctl returns at once and the driver\n"
	       "                     queues the record for read(2) on the device\n"
	       "                     (Windows: a pending ReadFile)\n"
	       "\n"
	       "options:\n"
	       "  -n, --count COUNT  stop after COUNT events (COUNT >= 1); in mode 1 an\n"
	       "                     event is a wake-up, whatever the eventfd's count\n"
	       "  --period SECONDS   modes 1 and 2: register once, for an event every\n"
	       "                     SECONDS after the first (from %s to %llu);\n"
	       "                     cancelled (HWEVENT_IOC_CANCEL) when we stop\n"
	       "  --cookie N         the registrations' cookie, decimal or 0x hex, shown\n"
	       "                     with each event (default: the number of the first\n"
	       "                     event a registration reports; not shown)\n"
	       "  --poll             modes 1 and 2: wait in poll(2) for the eventfd or the\n"
	       "                     device, and for a key, then read(2); without it or\n"
	       "                     --epoll, read(2) blocks and a key is seen between\n"
	       "                     events\n"
	       "  --epoll            the same with epoll_wait(2)\n"
	       "  --trigger          modes 1 and 2: fire each registration at once with\n"
	       "                     HWEVENT_IOC_TRIGGER (a periodic one: one extra event)\n"
	       "  --uring N          mode 0: keep N requests pending at once (1 to %u)\n"
	       "                     as io_uring commands, each submitted again as it\n"
	       "                     completes, and wait on the ring (Windows: overlapped\n"
	       "                     DeviceIoControl() on a completion port, echoapp\n"
	       "                     -Async); delay at most %llu s; Enter, q or Ctrl-C\n"
	       "                     quits at once, cancelling what is pending\n"
	       "  --json             one JSON object a line per event on stdout, all else\n"
	       "                     on stderr; keys: event, mode, id, cookie, seqno,\n"
	       "                     due_ns, irq_ns, bh_ns, wake_ns, latency_ns, flags,\n"
	       "                     lost, overruns (modes 0 and 2); mode 1 has no record:\n"
	       "                     count (the eventfd's) instead of seqno, irq_ns,\n"
	       "                     bh_ns, lost and overruns, and due_ns computed from\n"
	       "                     the time of the ioctl; --uring has mode uring,\n"
	       "                     command (its number) instead of id, no bh_ns,\n"
	       "                     lost or overruns, seqno's low 31 bits, and due_ns\n"
	       "                     computed from the submission\n"
	       "  -m, --module PATH  the hwevent.ko to load when the device is missing\n"
	       "                     (root only); default: " MODULE_FILE " next to this\n"
	       "                     program, then ../module/" MODULE_FILE " from it, then\n"
	       "                     modprobe " MODULE_NAME " (an installed module)\n"
	       "  -d, --device PATH  the device to open (default " DEFAULT_DEVICE ")\n"
	       "  -h, --help         show this help and exit\n"
	       "\n"
	       "A module this program loaded is unloaded again when it exits.\n"
	       "Exit status: 0 stopped by a key, a signal or --count; 1 error;\n"
	       "2 bad usage.\n",
	       (unsigned long long)(HWEVENT_MAX_DELAY_NS / NSEC_PER_SEC),
	       fmt_seconds(min_period, sizeof(min_period),
			   HWEVENT_MIN_PERIOD_NS),
	       (unsigned long long)(HWEVENT_MAX_DELAY_NS / NSEC_PER_SEC),
	       URING_MAX_PENDING,
	       (unsigned long long)(HWEVENT_URING_MAX_DELAY_NS / NSEC_PER_SEC));
}

/*
 * Seconds as text (event.exe read them with %f) to nanoseconds, from
 * @min_ns to HWEVENT_MAX_DELAY_NS; @what names the value in messages.
 */
static int parse_seconds(const char *what, const char *s, uint64_t min_ns,
			 uint64_t *ns)
{
	char lim[32];
	double sec, nsd;
	char *end;

	errno = 0;
	sec = strtod(s, &end);
	if (end == s || *end != '\0') {
		fprintf(stderr, PROG ": %s '%s' is not a number of seconds\n",
			what, s);
		return -1;
	}
	if (isnan(sec)) {
		fprintf(stderr, PROG ": %s '%s' is not a number\n", what, s);
		return -1;
	}
	if (sec < 0) {
		fprintf(stderr, PROG ": %s '%s' is negative; it must be >= 0\n",
			what, s);
		return -1;
	}
	/* Compare in ns so "3600.0000001" is refused too; inf lands here. */
	nsd = sec * (double)NSEC_PER_SEC;
	if (!isfinite(nsd) || nsd > (double)HWEVENT_MAX_DELAY_NS) {
		fprintf(stderr, PROG ": %s '%s' is too large; at most %s s\n",
			what, s, fmt_seconds(lim, sizeof(lim),
					     HWEVENT_MAX_DELAY_NS));
		return -1;
	}
	if (nsd < (double)min_ns) {
		fprintf(stderr, PROG ": %s '%s' is too short; at least %s s\n",
			what, s, fmt_seconds(lim, sizeof(lim), min_ns));
		return -1;
	}
	/* nsd <= max, exact in a double, so rounding cannot pass the max. */
	*ns = (uint64_t)(nsd + 0.5);
	return 0;
}

/* Decimal, or hex after 0x. */
static int parse_cookie(const char *s, uint64_t *cookie)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned long long v;

	if (parse_digits(hex ? s + 2 : s, hex ? 16 : 10, &v) < 0) {
		fprintf(stderr,
			PROG ": cookie '%s' is not a whole number from 0 to %llu (decimal, or hex after 0x)\n",
			s, (unsigned long long)UINT64_MAX);
		return -1;
	}
	*cookie = v;
	return 0;
}

static int parse_uring(const char *s, unsigned int *n)
{
	unsigned long long v;

	if (parse_digits(s, 10, &v) < 0 || v < 1 || v > URING_MAX_PENDING) {
		fprintf(stderr,
			PROG ": --uring '%s': the number of requests pending at once must be a whole number from 1 to %u (the driver's default max_pending)\n",
			s, URING_MAX_PENDING);
		return -1;
	}
	*n = (unsigned int)v;
	return 0;
}

static int parse_mode(const char *s, unsigned int *mode)
{
	if (!strcmp(s, "0"))
		*mode = HWEVENT_MODE_PENDING;
	else if (!strcmp(s, "1"))
		*mode = HWEVENT_MODE_EVENTFD;
	else if (!strcmp(s, "2"))
		*mode = HWEVENT_MODE_QUEUE;
	else {
		/* event.exe's message for this had a typo and no hint. */
		fprintf(stderr,
			PROG ": unknown notification type '%s': use 0 (pending request), 1 (eventfd) or 2 (queue)\n",
			s);
		return -1;
	}
	return 0;
}

static int set_wait_method(struct options *o, enum wait_method m)
{
	if (o->wait != METHOD_READ && o->wait != m) {
		fprintf(stderr,
			PROG ": --poll and --epoll exclude each other\n");
		return -1;
	}
	o->wait = m;
	return 0;
}

/* Long options without a short one. */
enum {
	OPT_PERIOD = 256,
	OPT_COOKIE,
	OPT_POLL,
	OPT_EPOLL,
	OPT_TRIGGER,
	OPT_JSON,
	OPT_URING,
};

static void report_bad_option(char **argv)
{
	if (optopt >= '0' && optopt <= '9')
		fprintf(stderr,
			PROG ": invalid option '-%c': a negative delay? The delay must be >= 0\n",
			optopt);
	else if (optopt)
		fprintf(stderr, PROG ": invalid option '-%c'\n", optopt);
	else
		fprintf(stderr, PROG ": unrecognized option '%s'\n",
			argv[optind - 1]);
}

/* One option: 0 if taken, 1 after --help, -1 on bad usage (reported). */
static int parse_option(int c, char **argv, struct options *o)
{
	switch (c) {
	case 'n':
		return parse_count_option(optarg, &o->count);
	case 'm':
		o->module = optarg;
		return 0;
	case 'd':
		o->device = optarg;
		return 0;
	case OPT_PERIOD:
		return parse_seconds("period", optarg, HWEVENT_MIN_PERIOD_NS,
				     &o->period_ns);
	case OPT_COOKIE:
		o->has_cookie = true;
		return parse_cookie(optarg, &o->cookie);
	case OPT_POLL:
		return set_wait_method(o, METHOD_POLL);
	case OPT_EPOLL:
		return set_wait_method(o, METHOD_EPOLL);
	case OPT_TRIGGER:
		o->trigger = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_URING:
		return parse_uring(optarg, &o->uring);
	case 'h':
		print_help();
		return 1;
	case ':':
		fprintf(stderr, PROG ": option '%s' needs an argument\n",
			argv[optind - 1]);
		return -1;
	default:
		report_bad_option(argv);
		return -1;
	}
}

/* What mode 0 cannot do: its ioctl is the wait, for exactly one event. */
static int check_mode_options(const struct options *o)
{
	const struct {
		bool used;
		const char *name;
		const char *why;
	} opts[] = {
		{ o->period_ns != 0, "--period",
		  "a registration fires once" },
		{ o->wait == METHOD_POLL, "--poll",
		  "the ioctl itself waits; there is no descriptor to poll" },
		{ o->wait == METHOD_EPOLL, "--epoll",
		  "the ioctl itself waits; there is no descriptor to poll" },
		{ o->trigger, "--trigger",
		  "the ioctl blocks until the event, so nothing is left to trigger it" },
	};
	size_t i;

	if (o->mode != HWEVENT_MODE_PENDING || o->uring)
		return 0;
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		if (opts[i].used) {
			fprintf(stderr,
				PROG ": %s needs mode 1 or 2: in mode 0 (pending request) %s\n",
				opts[i].name, opts[i].why);
			return -1;
		}
	}
	return 0;
}

/*
 * --uring N: mode 0's request, N at once, completed on a ring. @delay is
 * the delay as given, for the message.
 */
static int check_uring_options(const struct options *o, const char *delay)
{
	const struct {
		bool used;
		const char *name;
		const char *why;
	} opts[] = {
		{ o->period_ns != 0, "--period", "a command completes once" },
		{ o->wait == METHOD_POLL, "--poll",
		  "the program waits on the ring, for a key too" },
		{ o->wait == METHOD_EPOLL, "--epoll",
		  "the program waits on the ring, for a key too" },
		{ o->trigger, "--trigger",
		  "a command's completion does not say whether it was triggered" },
	};
	char lim[32];
	size_t i;

	if (!o->uring)
		return 0;
	if (o->mode != HWEVENT_MODE_PENDING) {
		fprintf(stderr,
			PROG ": --uring needs mode 0: its commands are mode 0's pending requests, completed on a ring instead of in a sleeping ioctl\n");
		return -1;
	}
	if (o->delay_ns > HWEVENT_URING_MAX_DELAY_NS) {
		fprintf(stderr,
			PROG ": delay '%s' is too long for --uring: at most %s s (before Linux 6.7 a pending command holds up its program's exit)\n",
			delay, fmt_seconds(lim, sizeof(lim),
					   HWEVENT_URING_MAX_DELAY_NS));
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		if (opts[i].used) {
			fprintf(stderr, PROG ": %s does not go with --uring: %s\n",
				opts[i].name, opts[i].why);
			return -1;
		}
	}
	return 0;
}

/* Return -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "count",	required_argument, NULL, 'n' },
		{ "module",	required_argument, NULL, 'm' },
		{ "device",	required_argument, NULL, 'd' },
		{ "period",	required_argument, NULL, OPT_PERIOD },
		{ "cookie",	required_argument, NULL, OPT_COOKIE },
		{ "poll",	no_argument,	   NULL, OPT_POLL },
		{ "epoll",	no_argument,	   NULL, OPT_EPOLL },
		{ "trigger",	no_argument,	   NULL, OPT_TRIGGER },
		{ "json",	no_argument,	   NULL, OPT_JSON },
		{ "uring",	required_argument, NULL, OPT_URING },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL,		0,		   NULL, 0 },
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	o->device = DEFAULT_DEVICE;

	/* Our own messages: getopt's would not explain "-1" as a delay. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:m:d:h", longopts,
				NULL)) != -1) {
		r = parse_option(c, argv, o);
		if (r > 0)
			return 0;
		if (r < 0)
			goto bad;
	}

	if (argc - optind < 2) {
		fprintf(stderr, PROG ": missing %s\n", argc == optind ?
			"<delay-seconds> and <0|1|2>" : "<0|1|2> after the delay");
		goto bad;
	}
	if (argc - optind > 2) {
		fprintf(stderr, PROG ": too many arguments, from '%s' on\n",
			argv[optind + 2]);
		goto bad;
	}
	if (parse_seconds("delay", argv[optind], 0, &o->delay_ns) < 0 ||
	    parse_mode(argv[optind + 1], &o->mode) < 0 ||
	    check_uring_options(o, argv[optind]) < 0 ||
	    check_mode_options(o) < 0)
		goto bad;
	return -1;
bad:
	usage_hint();
	return EXIT_USAGE;
}

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

/* ---- Reporting events ---- */

/* Per mode (parse_mode() checked it): its --json name, its banner. */
static const struct {
	const char *name;
	const char *banner;
} modes[] = {
	[HWEVENT_MODE_PENDING] = { "pending",
		"pending-request mode (the ioctl waits, like a pending IRP)" },
	[HWEVENT_MODE_EVENTFD] = { "eventfd",
		"eventfd mode (the driver signals an eventfd, like a Windows event object)" },
	[HWEVENT_MODE_QUEUE] = { "queue",
		"queue mode (the driver queues records for read(2), like a pending ReadFile)" },
};

/* Mode 0 with --uring: its own --json name, so its keys are known. */
static const char *mode_name(const struct options *o)
{
	return o->uring ? "uring" : modes[o->mode].name;
}

static void record_latency(struct state *st, int64_t lat)
{
	if (st->events == 0 || lat < st->lat_min)
		st->lat_min = lat;
	if (st->events == 0 || lat > st->lat_max)
		st->lat_max = lat;
	st->lat_sum += (double)lat;
	st->events++;
}

static const char *ioctl_hint(int err)
{
	switch (err) {
	case ENOTTY:
		return "the device is not hwevent, or its driver is too old for this program";
	case ENOSPC:
		return "too many registrations on this file (max_pending, see /sys/module/hwevent/parameters/max_pending)";
	case EINVAL:
		return "the driver refused the mode, delay, period or eventfd; driver and program disagree on the interface?";
	case EBADF:
		return "the driver did not accept our eventfd";
	case ENOMEM:
		return "the kernel is out of memory";
	case EFAULT:
		return "the driver could not read or write our argument (a bug)";
	case ENODEV:
		return "the device is going away (module being unloaded?)";
	case ENOENT:
		return "the registration is no longer waiting (a bug?)";
	default:
		return NULL;
	}
}

static void report_ioctl_error(const char *name, int err)
{
	const char *hint = ioctl_hint(err);

	/* event.exe printed only "Ioctl failed with code %d". */
	fprintf(stderr, PROG ": %s failed: %s%s%s\n", name, strerror(err),
		hint ? ": " : "", hint ? hint : "");
}

/* Warn if a record is not for @id and @cookie, or its times disagree. */
static void check_record(const struct hwevent_event *ev, uint64_t id,
			 uint64_t cookie)
{
	bool triggered = ev->flags & HWEVENT_EVENT_TRIGGERED;

	if (ev->id != id || ev->cookie != cookie)
		fprintf(stderr,
			PROG ": warning: the record is for id %llu cookie %llu, we registered id %llu cookie %llu\n",
			(unsigned long long)ev->id,
			(unsigned long long)ev->cookie,
			(unsigned long long)id, (unsigned long long)cookie);
	if ((ev->irq_ns < ev->due_ns && !triggered) || ev->bh_ns < ev->irq_ns)
		fprintf(stderr,
			PROG ": warning: timestamps out of order (due %llu, interrupt %llu, bottom half %llu ns)\n",
			(unsigned long long)ev->due_ns,
			(unsigned long long)ev->irq_ns,
			(unsigned long long)ev->bh_ns);
}

/* What an event counts as late from: when it was due, or triggered. */
static uint64_t report_reference(const struct report *r)
{
	if (!r->ev)
		return r->due_ns;
	if (r->ev->flags & HWEVENT_EVENT_TRIGGERED)
		return r->ev->irq_ns;
	return r->ev->due_ns;
}

/* The end of an event's line: what is there only sometimes. */
static void print_extras(const struct options *o, const struct report *r)
{
	if (o->has_cookie)
		printf(", cookie %llu", (unsigned long long)r->cookie);
	if (r->flags & HWEVENT_EVENT_TRIGGERED)
		printf(", triggered");
	if (r->ev && r->ev->overruns)
		printf(", %u overrun%s", r->ev->overruns,
		       r->ev->overruns == 1 ? "" : "s");
	if (r->ev && r->ev->lost)
		printf(", %u record%s lost before it", r->ev->lost,
		       r->ev->lost == 1 ? "" : "s");
	printf("\n");
}

/* Modes 0 and 2: the record splits the lateness into its parts. */
static void print_record_text(const struct state *st,
			      const struct options *o,
			      const struct report *r, int64_t lat)
{
	const struct hwevent_event *ev = r->ev;
	uint64_t ref = report_reference(r);
	char ts[32], total[24], irq[24], bh[24], wake[24];

	printf("event %llu: seq %llu, id %llu, fired at %s s (CLOCK_MONOTONIC), %s ms late (interrupt %s ms, bottom half %s ms, wake-up %s ms)",
	       st->events, (unsigned long long)ev->seqno,
	       (unsigned long long)r->id,
	       fmt_timestamp(ts, sizeof(ts), ev->irq_ns),
	       fmt_ms(total, sizeof(total), lat, false),
	       fmt_ms(irq, sizeof(irq), (int64_t)(ev->irq_ns - ref), true),
	       fmt_ms(bh, sizeof(bh), (int64_t)(ev->bh_ns - ev->irq_ns), true),
	       fmt_ms(wake, sizeof(wake), (int64_t)(r->wake_ns - ev->bh_ns),
		      true));
	print_extras(o, r);
}

/*
 * --uring: the CQE has the seqno and irq_ns, not the bottom half's time:
 * the part after the interrupt is the bottom half, io_uring's task work
 * posting the CQE, and our wake-up, together.
 */
static void print_uring_text(const struct state *st,
			     const struct options *o,
			     const struct report *r, int64_t lat)
{
	const struct hwevent_event *ev = r->ev;
	char ts[32], total[24], irq[24], done[24];

	printf("event %llu: seq %llu, command %llu, fired at %s s (CLOCK_MONOTONIC), %s ms late (interrupt %s ms, completion %s ms)",
	       st->events, (unsigned long long)ev->seqno,
	       (unsigned long long)r->command,
	       fmt_timestamp(ts, sizeof(ts), ev->irq_ns),
	       fmt_ms(total, sizeof(total), lat, false),
	       fmt_ms(irq, sizeof(irq), (int64_t)(ev->irq_ns - ev->due_ns),
		      true),
	       fmt_ms(done, sizeof(done), (int64_t)(r->wake_ns - ev->irq_ns),
		      true));
	print_extras(o, r);
}

/* Mode 1: only the id and the count come back; we measure the rest. */
static void print_eventfd_text(const struct state *st,
			       const struct options *o,
			       const struct report *r, int64_t lat)
{
	char ts[32], total[24];

	printf("event %llu: id %llu, eventfd count %llu, woke at %s s (CLOCK_MONOTONIC), %s ms late (measured from the %s)",
	       st->events, (unsigned long long)r->id,
	       (unsigned long long)r->count,
	       fmt_timestamp(ts, sizeof(ts), r->wake_ns),
	       fmt_ms(total, sizeof(total), lat, false),
	       r->flags & HWEVENT_EVENT_TRIGGERED ? "trigger" : "ioctl");
	print_extras(o, r);
}

/* ["triggered","periodic"]; a bit we have no name for as "0x8". */
static void print_json_flags(uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ HWEVENT_EVENT_TRIGGERED, "triggered" },
		{ HWEVENT_EVENT_PERIODIC, "periodic" },
		{ HWEVENT_EVENT_LOST, "lost" },
	};
	const char *sep = "";
	uint32_t bit;
	size_t i;

	printf("[");
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (flags & names[i].bit) {
			printf("%s\"%s\"", sep, names[i].name);
			sep = ",";
		}
		flags &= ~names[i].bit;
	}
	for (bit = 1; flags; bit <<= 1) {
		if (flags & bit) {
			printf("%s\"0x%x\"", sep, bit);
			sep = ",";
		}
		flags &= ~bit;
	}
	printf("]");
}

static void print_json(const struct state *st, const struct options *o,
		       const struct report *r, int64_t lat)
{
	const struct hwevent_event *ev = r->ev;

	printf("{\"event\":%llu,\"mode\":\"%s\",\"%s\":%llu,\"cookie\":%llu",
	       st->events, mode_name(o), o->uring ? "command" : "id",
	       (unsigned long long)(o->uring ? r->command : r->id),
	       (unsigned long long)r->cookie);
	if (ev)
		printf(",\"seqno\":%llu,\"due_ns\":%llu,\"irq_ns\":%llu",
		       (unsigned long long)ev->seqno,
		       (unsigned long long)ev->due_ns,
		       (unsigned long long)ev->irq_ns);
	if (ev && !o->uring)
		printf(",\"bh_ns\":%llu", (unsigned long long)ev->bh_ns);
	if (!ev)
		printf(",\"count\":%llu,\"due_ns\":%llu",
		       (unsigned long long)r->count,
		       (unsigned long long)r->due_ns);
	printf(",\"wake_ns\":%llu,\"latency_ns\":%lld,\"flags\":",
	       (unsigned long long)r->wake_ns, (long long)lat);
	print_json_flags(r->flags);
	if (ev && !o->uring)
		printf(",\"lost\":%u,\"overruns\":%u", ev->lost, ev->overruns);
	printf("}\n");
}

static void report_event(struct state *st, const struct options *o,
			 const struct report *r)
{
	int64_t lat = (int64_t)(r->wake_ns - report_reference(r));

	record_latency(st, lat);
	if (r->ev) {
		st->lost += r->ev->lost;
		st->overruns += r->ev->overruns;
	}
	if (o->json)
		print_json(st, o, r, lat);
	else if (o->uring)
		print_uring_text(st, o, r, lat);
	else if (r->ev)
		print_record_text(st, o, r, lat);
	else
		print_eventfd_text(st, o, r, lat);
}

static void report_record(struct state *st, const struct options *o,
			  const struct hwevent_event *ev, uint64_t woke)
{
	struct report r = {
		.id = ev->id,
		.cookie = ev->cookie,
		.ev = ev,
		.wake_ns = woke,
		.flags = ev->flags,
	};

	report_event(st, o, &r);
}

/* ---- Registering, and waiting in each mode ---- */

static void init_register(struct hwevent_register *reg,
			  const struct state *st, const struct options *o)
{
	/* The cookie: by default the number of the (first) event it reports. */
	reg_init(reg, o->mode, st->efd, o->delay_ns, o->period_ns,
		 o->has_cookie ? o->cookie : st->events + 1);
}

/*
 * Pending-request mode. The ioctl blocks until the event, so a key is only
 * seen after it, as with event.exe; a signal ends the wait at once.
 * Windows: a synchronous DeviceIoControl() whose IRP the driver pends.
 */
static enum wait_result wait_pending(struct state *st,
				     const struct options *o)
{
	struct hwevent_register reg;
	sigset_t cont, old;
	uint64_t woke;
	int ret, err;

	init_register(&reg, st, o);

	/*
	 * A signal that lands between the main loop's stop_signal check and
	 * the ioctl does not interrupt it: that stop is seen after this
	 * event, or at the next signal. No ioctl takes a signal mask.
	 *
	 * Ctrl-Z and fg must not end the wait: the driver resumes a wait
	 * that a stop interrupted unless a handler runs, and ours for
	 * SIGCONT would. Held back, it runs once the ioctl has returned
	 * (SIGCONT continues the process all the same).
	 */
	sigemptyset(&cont);
	sigaddset(&cont, SIGCONT);
	sigprocmask(SIG_BLOCK, &cont, &old);
	ret = ioctl(st->devfd, HWEVENT_IOC_REGISTER, &reg);
	err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = err;
	if (ret < 0) {
		if (errno != EINTR) {
			report_ioctl_error("HWEVENT_IOC_REGISTER", errno);
			return WAIT_ERROR;
		}
		/* The driver dropped the registration; nothing to undo. */
		if (!stop_signal)
			fprintf(stderr,
				PROG ": the wait was interrupted by a signal; registering again (the delay starts over)\n");
		return WAIT_AGAIN;
	}
	woke = now_ns();
	check_record(&reg.event, reg.id, reg.cookie);
	report_record(st, o, &reg.event, woke);
	return WAIT_EVENT;
}

/* --trigger: fire the registration now, without waiting for its timer. */
static int trigger_live(struct state *st)
{
	struct hwevent_trigger trig;
	uint64_t t;

	memset(&trig, 0, sizeof(trig));
	trig.id = st->live_id;
	t = now_ns();
	if (ioctl(st->devfd, HWEVENT_IOC_TRIGGER, &trig) == 0) {
		st->trigger_ns = t;
		return 0;
	}
	/* A one-shot registration's timer may have fired first (delay 0). */
	if (errno == ENOENT)
		return 0;
	report_ioctl_error("HWEVENT_IOC_TRIGGER", errno);
	return -1;
}

/*
 * Modes 1 and 2: register (Windows: DeviceIoControl() with the event
 * handle, or a ReadFile left pending), which returns at once.
 */
static enum wait_result arm(struct state *st, const struct options *o)
{
	struct hwevent_register reg;
	uint64_t issued;

	init_register(&reg, st, o);
	issued = now_ns();
	if (ioctl(st->devfd, HWEVENT_IOC_REGISTER, &reg) < 0) {
		if (errno == EINTR)
			return WAIT_AGAIN;
		report_ioctl_error("HWEVENT_IOC_REGISTER", errno);
		return WAIT_ERROR;
	}
	st->live_id = reg.id;
	st->live_cookie = reg.cookie;
	st->first_due = issued + o->delay_ns;
	st->deadline = st->first_due + LOST_EVENT_MS * NSEC_PER_MSEC;
	st->trigger_ns = 0;
	if (o->trigger && trigger_live(st) < 0)
		return WAIT_ERROR;
	return WAIT_ARMED;
}

/* At exit: a periodic registration fires until cancelled; cancel it. */
static int cancel_periodic(struct state *st, const struct options *o)
{
	struct hwevent_cancel cancel;

	if (!o->period_ns || !st->live_id)
		return 0;
	memset(&cancel, 0, sizeof(cancel));
	cancel.id = st->live_id;
	if (ioctl(st->devfd, HWEVENT_IOC_CANCEL, &cancel) < 0) {
		report_ioctl_error("HWEVENT_IOC_CANCEL", errno);
		return -1;
	}
	st->live_id = 0;
	return 0;
}

/*
 * After an event: a one-shot registration is over; a periodic one's next
 * event is due a period later, or at its first expiry if we triggered it.
 */
static void event_seen(struct state *st, const struct options *o,
		       uint64_t woke)
{
	uint64_t next = woke + o->period_ns;

	st->trigger_ns = 0;
	if (!o->period_ns) {
		st->live_id = 0;
		return;
	}
	if (next < st->first_due)
		next = st->first_due;
	st->deadline = next + LOST_EVENT_MS * NSEC_PER_MSEC;
}

/*
 * Eventfd mode has no record, so the event counts as due when we
 * triggered it, else at the ioctl's time plus the delay, or for a periodic
 * registration at the latest period boundary after that by the wake-up.
 */
static uint64_t eventfd_due(const struct state *st, const struct options *o,
			    uint64_t woke)
{
	uint64_t due = st->first_due;

	if (st->trigger_ns)
		return st->trigger_ns;
	if (o->period_ns && woke > due)
		due += (woke - due) / o->period_ns * o->period_ns;
	return due;
}

static enum wait_result read_eventfd(struct state *st,
				     const struct options *o)
{
	struct report r;
	uint64_t count;
	ssize_t n;

	/* Windows: ResetEvent(); reading an eventfd returns and clears it. */
	n = read(st->efd, &count, sizeof(count));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return WAIT_AGAIN;
	if (n != sizeof(count)) {
		fprintf(stderr, PROG ": reading the eventfd: %s\n",
			n < 0 ? strerror(errno) : "short read");
		return WAIT_ERROR;
	}
	memset(&r, 0, sizeof(r));
	r.wake_ns = now_ns();
	r.id = st->live_id;
	r.cookie = st->live_cookie;
	r.count = count;
	r.due_ns = eventfd_due(st, o, r.wake_ns);
	if (o->period_ns)
		r.flags |= HWEVENT_EVENT_PERIODIC;
	if (st->trigger_ns)
		r.flags |= HWEVENT_EVENT_TRIGGERED;
	report_event(st, o, &r);
	event_seen(st, o, r.wake_ns);
	return WAIT_EVENT;
}

/* No more records at once than fit, or than --count still wants. */
static size_t records_wanted(const struct state *st, const struct options *o)
{
	unsigned long long left = o->count ? o->count - st->events :
					     READ_BATCH;

	return left < READ_BATCH ? (size_t)left : READ_BATCH;
}

static enum wait_result read_queue(struct state *st, const struct options *o)
{
	struct hwevent_event buf[READ_BATCH];
	size_t i, records;
	uint64_t woke;
	ssize_t n;

	/* Windows: the pending ReadFile completing with the data. */
	n = read(st->devfd, buf, records_wanted(st, o) * sizeof(buf[0]));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return WAIT_AGAIN;
	woke = now_ns();
	if (n < 0) {
		fprintf(stderr, PROG ": reading the device: %s\n",
			strerror(errno));
		return WAIT_ERROR;
	}
	if (n == 0 || (size_t)n % sizeof(buf[0])) {
		fprintf(stderr,
			PROG ": reading the device returned %zd bytes, not whole %zu-byte records\n",
			n, sizeof(buf[0]));
		return WAIT_ERROR;
	}
	records = (size_t)n / sizeof(buf[0]);
	for (i = 0; i < records; i++) {
		check_record(&buf[i], st->live_id, st->live_cookie);
		report_record(st, o, &buf[i], woke);
	}
	event_seen(st, o, woke);
	return WAIT_EVENT;
}

/* Windows: WaitForSingleObject(); here poll(), with stdin. */
static int poll_fds(struct state *st, int timeout, unsigned int *fd_rev,
		    unsigned int *in_rev)
{
	struct pollfd pfd[2] = {
		{ .fd = st->waitfd, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	int n;

	n = poll(pfd, st->in.watch ? 2 : 1, timeout);
	if (n > 0) {
		*fd_rev = (unsigned short)pfd[0].revents;
		if (st->in.watch)
			*in_rev = (unsigned short)pfd[1].revents;
	}
	return n;
}

/* Which descriptor an epoll event is for (not the fd: stdin may be 0). */
enum { EPOLL_TAG_WAITFD, EPOLL_TAG_STDIN };

/* Keep stdin in the epoll set exactly while we watch it. */
static void epoll_sync_stdin(struct state *st)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u32 = EPOLL_TAG_STDIN,
	};

	if (st->in.watch == st->epoll_stdin)
		return;
	if (!st->in.watch) {
		epoll_ctl(st->epfd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
	} else if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, STDIN_FILENO,
			     &ev) < 0) {
		st->in.watch = false;	/* go on without the keys */
		return;
	}
	st->epoll_stdin = st->in.watch;
}

static int epoll_fds(struct state *st, int timeout, unsigned int *fd_rev,
		     unsigned int *in_rev)
{
	struct epoll_event ev[2];
	int n, i;

	epoll_sync_stdin(st);
	n = epoll_wait(st->epfd, ev, ARRAY_SIZE(ev), timeout);
	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 == EPOLL_TAG_STDIN)
			*in_rev = ev[i].events;
		else
			*fd_rev = ev[i].events;
	}
	return n;
}

/* input_ready() takes poll(2)'s bits; epoll's are the same numbers. */
static_assert(EPOLLIN == POLLIN && EPOLLERR == POLLERR &&
	      EPOLLHUP == POLLHUP, "epoll and poll bits");

/*
 * --poll, --epoll: wait until the eventfd or the device is readable, or a
 * key is pressed, or a signal stops us; a registration silent for
 * LOST_EVENT_MS after its event was due is an error.
 */
static enum wait_result wait_ready(struct state *st, const struct options *o)
{
	unsigned int fd_rev, in_rev;
	int n, timeout;

	for (;;) {
		if (stop_signal)
			return WAIT_AGAIN;	/* the main loop stops */
		input_continued(&st->in);
		/* Past the deadline (or back from a long SIGSTOP): look once. */
		timeout = ms_until(st->deadline);
		fd_rev = 0;
		in_rev = 0;
		if (o->wait == METHOD_EPOLL)
			n = epoll_fds(st, timeout, &fd_rev, &in_rev);
		else
			n = poll_fds(st, timeout, &fd_rev, &in_rev);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, PROG ": %s: %s\n",
				o->wait == METHOD_EPOLL ? "epoll_wait" : "poll",
				strerror(errno));
			return WAIT_ERROR;
		}
		if (n == 0 && timeout == 0) {
			fprintf(stderr,
				PROG ": registration %llu: no event %d s after one was due: lost event?\n",
				(unsigned long long)st->live_id,
				LOST_EVENT_MS / 1000);
			return WAIT_ERROR;
		}
		if (fd_rev & POLLIN)
			return WAIT_READY;
		if (fd_rev) {
			fprintf(stderr,
				PROG ": the %s reported error or hang-up (events 0x%x)\n",
				o->mode == HWEVENT_MODE_EVENTFD ? "eventfd" :
				"device", fd_rev);
			return WAIT_ERROR;
		}
		if (in_rev && input_ready(&st->in, (short)in_rev))
			return WAIT_QUIT;
	}
}

/*
 * Modes 1 and 2: register when no registration is live, wait in poll or
 * epoll if asked, and read. A blocking read(2) is interrupted by a signal
 * (no SA_RESTART); one that lands just before the read is seen after the
 * next event, as in mode 0. A key is then seen between events.
 */
static enum wait_result wait_async(struct state *st, const struct options *o)
{
	enum wait_result r;

	if (!st->live_id) {
		r = arm(st, o);
		if (r != WAIT_ARMED)
			return r;
	}
	if (o->wait != METHOD_READ) {
		r = wait_ready(st, o);
		if (r != WAIT_READY)
			return r;
	}
	if (o->mode == HWEVENT_MODE_EVENTFD)
		return read_eventfd(st, o);
	return read_queue(st, o);
}

/* ---- Mode 0 with --uring: pending requests completed on a ring ---- */

/*
 * The KMDF echo sample's echoapp -Async: N overlapped requests in flight
 * on an I/O completion port, each issued again as it completes. Here each
 * is an HWEVENT_URING_CMD_WAIT command (IORING_OP_URING_CMD, Linux 5.19
 * and later), which the driver pends like mode 0's ioctl and completes on
 * the ring when its event fires. The CQE has the low 31 bits of the
 * record's seqno in res and, as the ring has 32-byte CQEs, its irq_ns in
 * big_cqe[0]. The due time is ours: the submission's time plus the delay
 * (the driver arms the timer after that, so no event is early by it).
 */

static const char *const no_uring_cmd =
	"no io_uring commands: --uring needs IORING_OP_URING_CMD and 32-byte CQEs (Linux 5.19 and later) and an hwevent.ko built with them; modes 0, 1 and 2 without --uring do not";

/* A command that completed with -@err. */
static void report_uring_cmd_error(int err)
{
	switch (err) {
	case EOPNOTSUPP:
		fprintf(stderr,
			PROG ": HWEVENT_URING_CMD_WAIT failed: %s: the driver has %s\n",
			strerror(err), no_uring_cmd);
		break;
	case EINVAL:
		fprintf(stderr,
			PROG ": HWEVENT_URING_CMD_WAIT failed: %s: the kernel or the driver refused the command (%s)\n",
			strerror(err), no_uring_cmd);
		break;
	default:
		report_ioctl_error("HWEVENT_URING_CMD_WAIT", err);
		break;
	}
}

/*
 * The ring, and the stop signals blocked but while we wait on it, as
 * ppoll() does: a Ctrl-C just before a wait is not missed. SIGCONT too, so
 * that fg's terminal refresh is not missed either.
 */
static int uring_setup(struct state *st, const struct options *o)
{
	struct io_uring_probe *probe;
	bool have_cmd;
	int ret;

	st->slots = calloc(o->uring, sizeof(*st->slots));
	st->batch = calloc(o->uring + 1, sizeof(*st->batch));
	if (!st->slots || !st->batch) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	/*
	 * Windows: CreateIoCompletionPort(). One entry more than the
	 * commands, for the poll of stdin.
	 */
	ret = io_uring_queue_init(o->uring + 1, &st->ring, IORING_SETUP_CQE32);
	if (ret < 0) {
		report_uring_setup_error("io_uring_setup(IORING_SETUP_CQE32)",
					 -ret, no_uring_cmd);
		return -1;
	}
	st->ring_up = true;
	probe = io_uring_get_probe_ring(&st->ring);
	have_cmd = !probe ||
		   io_uring_opcode_supported(probe, IORING_OP_URING_CMD);
	if (probe)
		io_uring_free_probe(probe);
	if (!have_cmd) {
		fprintf(stderr, PROG ": io_uring has no IORING_OP_URING_CMD: %s\n",
			no_uring_cmd);
		return -1;
	}

	if (block_stop_signals(&st->saved_mask, &st->wait_mask) < 0)
		return -1;
	st->signals_blocked = true;
	return 0;
}

/*
 * Fill every free slot with a command, as long as --count still wants the
 * events of new ones, and poll stdin for a key while we watch it; submit.
 * Windows: DeviceIoControl() with an OVERLAPPED, ERROR_IO_PENDING.
 */
static int uring_fill(struct state *st, const struct options *o)
{
	struct hwevent_uring_wait w = { .delay_ns = o->delay_ns };
	struct io_uring_sqe *sqe;
	unsigned int i;
	uint64_t issued;
	int ret;

	/* Before the submission: the driver arms the timers after it. */
	issued = now_ns();
	for (i = 0; i < o->uring; i++) {
		if (st->slots[i].command)
			continue;
		if (o->count && st->submitted >= o->count)
			break;
		/* Never NULL: the ring has an entry for each slot. */
		sqe = io_uring_get_sqe(&st->ring);
		if (!sqe)
			break;
		st->submitted++;
		/* By default the command's number, as mode 0's event's. */
		w.cookie = o->has_cookie ? o->cookie : st->submitted;
		/* liburing 2.3 has no helper for IORING_OP_URING_CMD. */
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, st->devfd, NULL, 0,
				 0);
		sqe->cmd_op = HWEVENT_URING_CMD_WAIT;
		memcpy(sqe->cmd, &w, sizeof(w));
		io_uring_sqe_set_data64(sqe, i);
		st->slots[i].command = st->submitted;
		st->slots[i].due_ns = issued + o->delay_ns;
		st->pending++;
	}

	input_poll_on_ring(&st->in, &st->ring, URING_STDIN);

	ret = io_uring_submit(&st->ring);
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_submit: %s\n",
			strerror(-ret));
		return -1;
	}
	return 0;
}

/* Copy a CQE, and give its place in the ring back. */
static void uring_take(struct io_uring *ring, struct io_uring_cqe *cqe,
		       struct uring_done *done)
{
	done->data = io_uring_cqe_get_data64(cqe);
	done->res = cqe->res;
	/* The ring has 32-byte CQEs (IORING_SETUP_CQE32). */
	done->irq_ns = cqe->big_cqe[0];
	io_uring_cqe_seen(ring, cqe);
}

/*
 * In the order the interrupts ran, by seqno, whose low 31 bits a command's
 * res has: the difference of two, shifted to the top of 32 bits, is
 * signed, so the order holds across a wrap. What has no seqno (failures,
 * stdin) first.
 */
static int uring_done_cmp(const void *a, const void *b)
{
	const struct uring_done *x = a, *y = b;
	bool x_ev = x->data != URING_STDIN && x->res >= 0;
	bool y_ev = y->data != URING_STDIN && y->res >= 0;
	int32_t d;

	if (x_ev != y_ev)
		return x_ev - y_ev;
	if (!x_ev)
		return 0;
	d = (int32_t)(((uint32_t)x->res - (uint32_t)y->res) << 1);
	return (d > 0) - (d < 0);
}

/* One completion, seen at @woke: a command's, or the poll of stdin's. */
static enum wait_result uring_complete(struct state *st,
				       const struct options *o,
				       const struct uring_done *cqe,
				       uint64_t woke)
{
	uint64_t data = cqe->data;
	struct hwevent_event rec;
	struct uring_slot *slot;
	struct report r;
	uint64_t due;

	if (data == URING_STDIN)
		return input_poll_done(&st->in, cqe->res) ? WAIT_QUIT :
							    WAIT_AGAIN;
	if (data >= o->uring || !st->slots[data].command) {
		fprintf(stderr, PROG ": a completion for no command (%llu)\n",
			(unsigned long long)data);
		return WAIT_ERROR;
	}
	slot = &st->slots[data];
	memset(&r, 0, sizeof(r));
	r.command = slot->command;
	r.cookie = o->has_cookie ? o->cookie : slot->command;
	due = slot->due_ns;
	slot->command = 0;
	st->pending--;

	if (cqe->res == -ECANCELED) {
		st->cancelled++;
		if (st->cancel_issued)
			return WAIT_AGAIN;
		fprintf(stderr,
			PROG ": command %llu was cancelled, and not by us\n",
			(unsigned long long)r.command);
		return WAIT_ERROR;
	}
	if (cqe->res < 0) {
		/* Say it once, not for each of N commands (ENOSPC). */
		if (-cqe->res != st->failed_errno)
			report_uring_cmd_error(-cqe->res);
		st->failed_errno = -cqe->res;
		return WAIT_ERROR;
	}

	memset(&rec, 0, sizeof(rec));
	rec.seqno = (uint64_t)cqe->res;
	rec.cookie = r.cookie;
	rec.due_ns = due;
	rec.irq_ns = cqe->irq_ns;
	if (rec.irq_ns < rec.due_ns || rec.irq_ns > woke)
		fprintf(stderr,
			PROG ": warning: command %llu: timestamps out of order (due %llu, interrupt %llu, completion seen %llu ns)\n",
			(unsigned long long)r.command,
			(unsigned long long)rec.due_ns,
			(unsigned long long)rec.irq_ns,
			(unsigned long long)woke);
	r.ev = &rec;
	r.wake_ns = woke;
	report_event(st, o, &r);
	return WAIT_EVENT;
}

/*
 * Keep the commands in flight and wait for completions, the commands' and
 * stdin's; handle all that are there, as one wake-up. Windows:
 * GetQueuedCompletionStatus(); here io_uring_wait_cqe(), with the stop
 * signals let in while it waits.
 */
static enum wait_result wait_uring(struct state *st, const struct options *o)
{
	enum wait_result r = WAIT_AGAIN, one;
	struct io_uring_cqe *cqe;
	unsigned int i, n = 0;
	uint64_t woke;
	int ret;

	if (uring_fill(st, o) < 0)
		return WAIT_ERROR;
	if (take_pending_signals(&st->wait_mask))
		return WAIT_AGAIN;	/* the main loop looks at the signal */
	ret = io_uring_wait_cqes(&st->ring, &cqe, 1, NULL, &st->wait_mask);
	if (ret == -EINTR)
		return WAIT_AGAIN;	/* the main loop looks at the signal */
	if (ret < 0) {
		fprintf(stderr, PROG ": io_uring_wait_cqe: %s\n",
			strerror(-ret));
		return WAIT_ERROR;
	}
	woke = now_ns();
	/* No more than can be in flight: the commands and the poll. */
	while (n <= o->uring && io_uring_peek_cqe(&st->ring, &cqe) == 0)
		uring_take(&st->ring, cqe, &st->batch[n++]);
	/*
	 * io_uring does not order CQEs by the events: 6.1 posts those its
	 * task work completes together newest first. Report them in the
	 * order the interrupts ran.
	 */
	qsort(st->batch, n, sizeof(*st->batch), uring_done_cmp);
	for (i = 0; i < n; i++) {
		one = uring_complete(st, o, &st->batch[i], woke);
		/* All are handled; the worst says what next. */
		if (one == WAIT_ERROR ||
		    (one == WAIT_QUIT && r != WAIT_ERROR) ||
		    (one == WAIT_EVENT && r == WAIT_AGAIN))
			r = one;
	}
	return r;
}

/*
 * At the stop: cancel the commands still pending, and reap them. Only the
 * driver's own cancel reaches them: not IORING_OP_ASYNC_CANCEL, nor,
 * before 6.7, closing the ring, which would wait for them. The file is
 * ours alone, so all of its registrations are these. Windows:
 * CancelIoEx(device, NULL). Those whose interrupt ran already complete as
 * fired, and are reported.
 */
static int uring_stop(struct state *st, const struct options *o)
{
	struct __kernel_timespec ts = { .tv_sec = LOST_EVENT_MS / 1000 };
	struct hwevent_cancel cancel;
	struct io_uring_cqe *cqe;
	struct uring_done done;
	int ret, err = 0;

	if (!st->ring_up || !st->pending)
		return 0;
	memset(&cancel, 0, sizeof(cancel));
	cancel.flags = HWEVENT_CANCEL_ALL;
	if (ioctl(st->devfd, HWEVENT_IOC_CANCEL, &cancel) < 0) {
		report_ioctl_error("HWEVENT_IOC_CANCEL", errno);
		return -1;
	}
	st->cancel_issued = true;
	while (st->pending) {
		ret = io_uring_wait_cqe_timeout(&st->ring, &cqe, &ts);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			fprintf(stderr,
				PROG ": %u command%s not completed %d s after HWEVENT_IOC_CANCEL: %s\n",
				st->pending, st->pending == 1 ? "" : "s",
				LOST_EVENT_MS / 1000, strerror(-ret));
			return -1;
		}
		uring_take(&st->ring, cqe, &done);
		if (uring_complete(st, o, &done, now_ns()) == WAIT_ERROR)
			err = -1;
	}
	if (cancel.count != st->cancelled)
		fprintf(stderr,
			PROG ": warning: HWEVENT_IOC_CANCEL cancelled %llu, but %llu commands completed cancelled\n",
			(unsigned long long)cancel.count, st->cancelled);
	return err;
}

/* ---- The main loop ---- */

static void print_banner(const struct state *st, const struct options *o)
{
	bool blocking = (o->mode == HWEVENT_MODE_PENDING && !o->uring) ||
			(o->mode != HWEVENT_MODE_PENDING &&
			 o->wait == METHOD_READ);
	const char *press = o->count ? "press" : "Press";
	char delay[32], period[32];

	fprintf(info_out, PROG ": %s", modes[o->mode].banner);
	if (o->uring)
		fprintf(info_out,
			", %u at once as io_uring commands (completed on a ring, like overlapped requests on a completion port)",
			o->uring);
	fprintf(info_out, ", delay %s s",
		fmt_seconds(delay, sizeof(delay), o->delay_ns));
	if (o->period_ns)
		fprintf(info_out, ", then every %s s",
			fmt_seconds(period, sizeof(period), o->period_ns));
	if (o->wait != METHOD_READ)
		fprintf(info_out, ", waiting in %s",
			o->wait == METHOD_POLL ? "poll(2)" : "epoll_wait(2)");
	if (o->trigger)
		fprintf(info_out, ", triggered at once");
	fprintf(info_out, ". ");
	if (o->count)
		fprintf(info_out, "Stops after %llu event%s; ", o->count,
			o->count == 1 ? "" : "s");
	if (st->in.watch && blocking)
		fprintf(info_out,
			"%s Enter or q to quit after the current event, Ctrl-C at once.\n",
			press);
	else if (st->in.watch)
		fprintf(info_out, "%s Enter or q to quit.\n", press);
	else
		fprintf(info_out, "%s Ctrl-C to quit.\n", press);
}

static void print_summary(const struct state *st)
{
	char lo[24], avg[24], hi[24];

	fprintf(info_out, PROG ": done after %llu event%s (%s)", st->events,
		st->events == 1 ? "" : "s", st->reason);
	if (st->events)
		fprintf(info_out, "; latency min %s ms, avg %s ms, max %s ms",
			fmt_ms(lo, sizeof(lo), st->lat_min, false),
			fmt_ms(avg, sizeof(avg),
			       (int64_t)(st->lat_sum / (double)st->events),
			       false),
			fmt_ms(hi, sizeof(hi), st->lat_max, false));
	if (st->overruns || st->lost)
		fprintf(info_out, "; %llu overrun%s, %llu record%s lost",
			st->overruns, st->overruns == 1 ? "" : "s",
			st->lost, st->lost == 1 ? "" : "s");
	if (st->cancel_issued)
		fprintf(info_out, "; cancelled %llu pending", st->cancelled);
	fprintf(info_out, "\n");
}

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

static int epoll_setup(struct state *st)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u32 = EPOLL_TAG_WAITFD,
	};

	st->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (st->epfd < 0) {
		fprintf(stderr, PROG ": epoll_create1: %s\n", strerror(errno));
		return -1;
	}
	if (epoll_ctl(st->epfd, EPOLL_CTL_ADD, st->waitfd, &ev) < 0) {
		fprintf(stderr, PROG ": epoll_ctl: %s%s\n", strerror(errno),
			errno == EPERM ? ": the driver cannot be polled (too old for this program?)" : "");
		return -1;
	}
	return 0;
}

/*
 * Modes 1 and 2: what we read, and how we wait for it. Polled, it is
 * non-blocking, so a wake-up that finds nothing (EAGAIN) waits again.
 */
static int setup_waiting(struct state *st, const struct options *o)
{
	bool polled = o->wait != METHOD_READ;

	st->waitfd = st->devfd;
	if (o->mode == HWEVENT_MODE_EVENTFD) {
		/* Windows: CreateEvent(); here an eventfd. */
		st->efd = eventfd(0, EFD_CLOEXEC | (polled ? EFD_NONBLOCK : 0));
		if (st->efd < 0) {
			fprintf(stderr, PROG ": eventfd: %s\n",
				strerror(errno));
			return -1;
		}
		st->waitfd = st->efd;
	} else if (o->mode == HWEVENT_MODE_QUEUE && polled &&
		   set_nonblocking(st->devfd) < 0) {
		fprintf(stderr, PROG ": fcntl O_NONBLOCK: %s\n",
			strerror(errno));
		return -1;
	}
	if (o->wait == METHOD_EPOLL)
		return epoll_setup(st);
	return 0;
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
