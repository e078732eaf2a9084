// SPDX-License-Identifier: GPL-2.0
/* args.c - hwevent's command line: --help, the options, their checks. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/common.h"
#include "lib/module.h"
#include "lib/options.h"

#include "cli/hwevent.h"

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
	       "  --edu              the interrupt comes from the edu PCI device (QEMU's\n"
	       "                     -device edu, bound to hwevent): when the delay\n"
	       "                     has passed the driver makes the device raise it\n"
	       "  --dma              --edu, and the device's DMA engine brings a word\n"
	       "                     of its memory with each event (about 100 ms;\n"
	       "                     not with --uring)\n"
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
	OPT_EDU,
	OPT_DMA,
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
	case OPT_EDU:
		o->reg_flags |= HWEVENT_REGISTER_DEVICE;
		return 0;
	case OPT_DMA:
		o->reg_flags |= HWEVENT_REGISTER_DEVICE | HWEVENT_REGISTER_DMA;
		return 0;
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
		{ (o->reg_flags & HWEVENT_REGISTER_DMA) != 0, "--dma",
		  "an io_uring command's completion has no room for the word" },
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
int parse_args(int argc, char **argv, struct options *o)
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
		{ "edu",	no_argument,	   NULL, OPT_EDU },
		{ "dma",	no_argument,	   NULL, OPT_DMA },
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
	if (o->reg_flags && o->period_ns) {
		fprintf(stderr,
			PROG ": --period does not go with --edu or --dma: the device interrupts once per registration\n");
		goto bad;
	}
	return -1;
bad:
	usage_hint();
	return EXIT_USAGE;
}
