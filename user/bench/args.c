// SPDX-License-Identifier: GPL-2.0
/* args.c - hwevent-bench's command line: --help, the options, defaults. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

/* Defaults, and the --short ones (a sanity run under QEMU TCG). */
static const uint64_t def_rates[] = { 1000, 2000, 5000, 10000 };
static const uint64_t def_scale[] = { 1, 100, 10000, 100000 };
static const uint64_t def_fanout[] = { 10, 100, 1000 };
static const uint64_t short_rates[] = { 1000, 5000 };
static const uint64_t short_scale[] = { 1, 100 };
static const uint64_t short_fanout[] = { 10 };

/* ------------------------------------------------------------------ */
/* Options. */

void usage_hint(void)
{
	fprintf(stderr, "Try '" PROG " --help' for more information.\n");
}

static void print_help(void)
{
	printf("usage: " PROG " [options]\n"
"\n"
"Measure how late /dev/hwevent wakes a program, and what it costs per event,\n"
"against the kernel's own timerfd, in one run. Needs root and the module\n"
"(insmod hwevent.ko). Progress goes to stderr; the results, as Markdown\n"
"tables, to stdout unless --json or --markdown is given.\n"
"\n"
"Absolute times are inflated under software emulation (QEMU TCG), and\n"
"vary with the machine: the ratios to timerfd are what to read.\n"
"\n"
"Sections (all by default; --only picks):\n"
"  latency     How late one event wakes the program, per path: lateness =\n"
"              CLOCK_MONOTONIC right after the waiting call returns - the\n"
"              event's due time. --samples per path, one-shot --delay.\n"
"              The paths take turns, one sample each per round, the first\n"
"              of the round rotating, so that drift hits all alike:\n"
"    pending        HWEVENT_MODE_PENDING: the ioctl sleeps until the event;\n"
"                   due = the record's due_ns\n"
"    eventfd-read   HWEVENT_MODE_EVENTFD, then a blocking read(2) of the\n"
"                   eventfd. No record comes back: due = CLOCK_MONOTONIC\n"
"                   just before the ioctl + delay, which overstates the\n"
"                   lateness by the time the ioctl takes to arm the timer;\n"
"                   the queue paths measure that time from their records\n"
"                   and report its median (arm_offset_p50_ns)\n"
"    eventfd-epoll  the same, waiting in epoll_wait(2) before the read\n"
"    queue-read     HWEVENT_MODE_QUEUE, then a blocking read(2) of one\n"
"                   record from the device; due = its due_ns\n"
"    queue-epoll    the same, waiting in epoll_wait(2) on the device\n"
"    uring-read     the same, with one IORING_OP_READ of one record\n"
"                   (liburing): submit, then io_uring_wait_cqe()\n"
"    uring-cmd      one io_uring command, HWEVENT_URING_CMD_WAIT with the\n"
"                   delay, on a ring with 32-byte CQEs: submit, then\n"
"                   io_uring_wait_cqe(). The CQE has no due time: due =\n"
"                   CLOCK_MONOTONIC just before the submission + delay,\n"
"                   as for eventfd-read (it overstates the lateness by the\n"
"                   submission's time to arm the timer). Its big_cqe[0] is\n"
"                   the record's irq_ns. A kernel without io_uring\n"
"                   commands (before 5.19), or a module without\n"
"                   ->uring_cmd, reports it unavailable, and why\n"
"    edu-pending    pending, the interrupt from the edu PCI device\n"
"                   (HWEVENT_REGISTER_DEVICE): the timer makes the device\n"
"                   raise it, and the record's irq_ns is when its\n"
"                   handler ran; unavailable, and why, where no edu\n"
"                   device is bound (QEMU: -device edu)\n"
"    timerfd-read   the floor: timerfd_settime(TFD_TIMER_ABSTIME) at due =\n"
"                   now + delay, then read(2)\n"
"    timerfd-epoll  the same, waiting in epoll_wait(2) before the read\n"
"              Per path: n, early, min, mean, p50, p90, p99, max\n"
"              (nearest-rank percentiles) and ratio_p50, ratio_p99 to the\n"
"              baseline: timerfd-epoll for the *-epoll paths, timerfd-read\n"
"              for the others (a baseline to itself: 1). \"early\" counts\n"
"              negative latenesses, which would be a bug. irq->bh: the\n"
"              records' bh_ns - irq_ns, median; irq->wake: the wake-up\n"
"              - the record's irq_ns, median (paths with a record, and\n"
"              uring-cmd).\n"
"  throughput  Per rate, one periodic source read for --duration, three\n"
"              candidates in turn (the first rotating from rate to rate):\n"
"    queue          a periodic HWEVENT_MODE_QUEUE registration, read(2) in\n"
"                   batches of up to %d records; queue_size is set to %d\n"
"                   for its file (and put back) when it can be written\n"
"    eventfd        a periodic HWEVENT_MODE_EVENTFD registration; delivered\n"
"                   = the sum of the eventfd counts read\n"
"    timerfd        a periodic timerfd; delivered = the sum of the\n"
"                   expirations read\n"
"              expected = floor((end - first due) / period) + 1, end being\n"
"              when reading stopped (hwevent: then cancelled, then the rest\n"
"              drained); missed = expected - delivered, off by one at the\n"
"              edges when an expiry falls due meanwhile; per_s = delivered\n"
"              / elapsed. lost and overruns are the queue's own counts\n"
"              (&hwevent_event.lost, .overruns), 0 for the others: an\n"
"              eventfd expiry that came too late is simply missed, and\n"
"              timerfd's count includes its overruns, so it never loses.\n"
"              The eventfd candidate's first due time is taken before its\n"
"              ioctl, as in eventfd-read.\n"
"  scale       Per N, N one-shot HWEVENT_MODE_QUEUE registrations at once,\n"
"              on ceil(N / max_pending) files (max_pending is read, never\n"
"              changed), each with --scale-delay: ns per registration,\n"
"              /proc/meminfo Slab growth per registration (N >= %d only:\n"
"              smaller is noise), the object_size and slab_size of\n"
"              " SLAB_DIR " if readable, and whether all fired:\n"
"              each file's records counted with their lost, within the\n"
"              delay + %.0f s. The delay must outlast the registering, or\n"
"              the first ones fire before the Slab is read (said if so).\n"
"  fanout      Per T, T threads (%d KiB stacks) asleep at once:\n"
"              hwevent: each in a PENDING ioctl (delay %.0f s) on one shared\n"
"              file, woken by one HWEVENT_IOC_TRIGGER (all); times from just\n"
"              before the trigger to each ioctl's return. uring-cmd: T\n"
"              HWEVENT_URING_CMD_WAIT commands (delay %.0f s) in flight on\n"
"              one ring and one file, submitted and reaped by one thread,\n"
"              fired by one HWEVENT_IOC_TRIGGER (all) from another (a\n"
"              command's delay counts from its own submission, so none\n"
"              would be due at one instant); times from just before the\n"
"              trigger to when the reaper saw each CQE (unavailable, and\n"
"              why, as in latency). timerfd: each in read(2) of its own\n"
"              timerfd, all due at once, max(%.0f ms, T x %.0f us) after\n"
"              they are set; times from the due time.\n"
"              The last and the median of each, and the ratios of the\n"
"              lasts to timerfd's. T must not exceed max_pending.\n"
"\n"
"Options:\n"
"  --only LIST         sections to run, comma-separated (default: all):\n"
"                      latency,throughput,scale,fanout\n"
"  --paths LIST        latency paths to measure (default: all); the\n"
"                      baselines they need are added\n"
"  --candidates LIST   throughput candidates (default: queue,eventfd,timerfd)\n"
"  --samples N         latency samples per path (default %u; 1 to %u)\n"
"  --delay SECONDS     latency: one-shot delay (default %.3f; 0 to %.0f)\n"
"  --rates LIST        throughput rates in Hz, whole numbers (default\n"
"                      1000,2000,5000,10000); at most %llu Hz, the rate whose\n"
"                      period is HWEVENT_MIN_PERIOD_NS\n"
"  --duration SECONDS  throughput: time per candidate and rate (default %.0f;\n"
"                      %.3f to %.0f)\n"
"  --scale LIST        scale: registration counts (default\n"
"                      1,100,10000,100000; 1 to %llu)\n"
"  --scale-delay SECONDS  scale: the registrations' delay (default %.0f; %.1f\n"
"                      to %.0f)\n"
"  --fanout LIST       fanout: thread counts (default 10,100,1000; 1 to\n"
"                      max_pending)\n"
"  --short             small and quick, for a sanity run under emulation:\n"
"                      samples %u, rates 1000,5000, duration %.1f, scale\n"
"                      1,100, scale-delay %.0f, fanout 10 (options given\n"
"                      explicitly still win)\n"
"  --json FILE         the results as one JSON object (- for stdout): keys\n"
"                      program, version, kernel, machine, cpus, short,\n"
"                      bottom_half (the module's, as the run began), and\n"
"                      latency{delay_ns,samples,paths[{path,baseline,\n"
"                      unavailable,n,early,min_ns,mean_ns,p50_ns,p90_ns,\n"
"                      p99_ns,max_ns,ratio_p50,ratio_p99,due_irq_p50_ns,\n"
"                      bh_p50_ns,irq_wake_p50_ns}]} (unavailable: null,\n"
"                      or why the path could not run, its figures then\n"
"                      null; due_irq_p50_ns: the records' due time to\n"
"                      interrupt, median, null without records;\n"
"                      bh_p50_ns: the records' interrupt to bottom half,\n"
"                      median, null without records; irq_wake_p50_ns: the\n"
"                      interrupt to the wake-up, median, null without an\n"
"                      irq_ns), throughput[{rate_hz,period_ns,\n"
"                      candidates[{name,elapsed_ns,expected,delivered,per_s,\n"
"                      missed,lost,overruns}]}], scale[{n,files,\n"
"                      register_ns_per,registration_s,slab_bytes_per,\n"
"                      object_size,slab_size,fired,all_fired}],\n"
"                      fanout_uring_cmd_unavailable (null, or why), fanout[{\n"
"                      threads,hwevent_last_ns,hwevent_median_ns,\n"
"                      timerfd_last_ns,timerfd_median_ns,ratio_last,\n"
"                      uring_cmd_last_ns,uring_cmd_median_ns,\n"
"                      uring_cmd_ratio_last}];\n"
"                      sections not run are left out, unknown values null\n"
"  --markdown FILE     the results as Markdown tables (- for stdout): times\n"
"                      in µs\n"
"  --data DIR          plot data (DIR is created): DIR/latency-PATH.dat, each\n"
"                      path's sorted samples in µs, one a line;\n"
"                      DIR/throughput.dat, columns rate_hz queue_per_s\n"
"                      eventfd_per_s timerfd_per_s queue_missed\n"
"                      eventfd_missed timerfd_missed (NaN: not run)\n"
"  --check             after the run, sanity checks as TAP on stdout, exit 1\n"
"                      if one fails: every section completed; every path\n"
"                      has all its samples, none early, 0 < min <= p50 <=\n"
"                      p90 <= p99 <= max, mean within, finite ratios > 0,\n"
"                      every wake-up after its interrupt where irq_ns is\n"
"                      known; every throughput candidate delivered,\n"
"                      expected >= 1; every scale row all fired; fan-out\n"
"                      times > 0, every command completed; no registration\n"
"                      left live (debugfs, if readable; assumes no other\n"
"                      user of the device). uring-cmd unavailable is a\n"
"                      \"# SKIP\" with the reason, not a pass. No timing\n"
"                      targets. The tables then go to stderr, or only to\n"
"                      the --json and --markdown files\n"
"  -d, --device PATH   the device (default " DEFAULT_DEVICE ")\n"
"  -h, --help          this text\n"
"\n"
"The module parameters (" QUEUE_SIZE_PATH ",\n"
"max_pending) need root; when they cannot be written or read, the run goes\n"
"on with what is there and says so. Every registration is cancelled or\n"
"closed, queue_size restored and every thread joined, also on errors and\n"
"on SIGINT/SIGTERM. A watchdog ends a wait for an event after %u s.\n"
"\n"
"Exit status: 0 ok; 1 an error (the device missing: load hwevent.ko first)\n"
"or a failed check; 2 bad usage.\n",
	       TP_BATCH, TP_QUEUE_SIZE, SLAB_MIN_N, SCALE_SLACK_NS / 1e9,
	       FANOUT_STACK / 1024, FANOUT_DELAY_NS / 1e9,
	       HWEVENT_URING_MAX_DELAY_NS / 1e9, FANOUT_TFD_MIN_NS / 1e6, FANOUT_TFD_PER_NS / 1e3,
	       DEF_SAMPLES, MAX_SAMPLES, DEF_DELAY_NS / 1e9,
	       MAX_DELAY_NS / 1e9,
	       (unsigned long long)(NSEC_PER_SEC / HWEVENT_MIN_PERIOD_NS),
	       DEF_DURATION_NS / 1e9, MIN_DURATION_NS / 1e9,
	       MAX_DURATION_NS / 1e9, MAX_SCALE_N, DEF_SCALE_DELAY_NS / 1e9,
	       MIN_SCALE_DELAY_NS / 1e9, HWEVENT_MAX_DELAY_NS / 1e9,
	       SHORT_SAMPLES, SHORT_DURATION_NS / 1e9,
	       SHORT_SCALE_DELAY_NS / 1e9, WATCHDOG_S);
}

/* Seconds, fractions allowed, from @min_ns to @max_ns. */
static int parse_seconds(const char *opt, const char *s, uint64_t min_ns,
			 uint64_t max_ns, uint64_t *ns)
{
	double sec, nsd;
	char *end;

	errno = 0;
	sec = strtod(s, &end);
	if (end == s || *end || isnan(sec) || strchr(s, 'x') ||
	    strchr(s, 'X')) {
		fprintf(stderr, PROG ": %s '%s' is not a number of seconds\n",
			opt, s);
		return -1;
	}
	nsd = sec * (double)NSEC_PER_SEC;
	if (!isfinite(nsd) || nsd < (double)min_ns || nsd > (double)max_ns) {
		fprintf(stderr, PROG ": %s '%s' is out of range: %g to %g s\n",
			opt, s, min_ns / 1e9, max_ns / 1e9);
		return -1;
	}
	*ns = (uint64_t)(nsd + 0.5);
	return 0;
}

/* A whole decimal number, digits only (no sign, blank or 0x). */
static int parse_whole(const char *s, size_t len, uint64_t *v)
{
	char buf[32];

	if (!len || len >= sizeof(buf) || strspn(s, "0123456789") < len)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtoull(buf, NULL, 10);
	return errno ? -1 : 0;
}

static int parse_count(const char *opt, const char *s, uint64_t min,
		       uint64_t max, uint64_t *v)
{
	if (parse_whole(s, strlen(s), v)) {
		fprintf(stderr, PROG ": %s '%s' is not a whole number\n", opt,
			s);
		return -1;
	}
	if (*v < min || *v > max) {
		fprintf(stderr, PROG ": %s %s is out of range: %llu to %llu\n",
			opt, s, (unsigned long long)min,
			(unsigned long long)max);
		return -1;
	}
	return 0;
}

/* "a,b,c": whole numbers from @min to @max, at most MAX_LIST of them. */
static int parse_list(const char *opt, const char *s, uint64_t min,
		      uint64_t max, struct u64_list *l)
{
	const char *p = s;
	size_t len;

	l->n = 0;
	for (;;) {
		len = strcspn(p, ",");
		if (l->n == MAX_LIST) {
			fprintf(stderr, PROG ": %s: at most %d values\n", opt,
				MAX_LIST);
			return -1;
		}
		if (parse_whole(p, len, &l->v[l->n])) {
			fprintf(stderr, PROG ": %s '%s': '%.*s' is not a whole number\n",
				opt, s, (int)len, p);
			return -1;
		}
		if (l->v[l->n] < min || l->v[l->n] > max) {
			fprintf(stderr, PROG ": %s: %llu is out of range: %llu to %llu\n",
				opt, (unsigned long long)l->v[l->n],
				(unsigned long long)min,
				(unsigned long long)max);
			return -1;
		}
		l->n++;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* "a,b": names out of @names, as a bit mask. */
static int parse_names(const char *opt, const char *s,
		       const char *const *names, unsigned int nr,
		       unsigned int *mask)
{
	const char *p = s;
	unsigned int i;
	size_t len;

	*mask = 0;
	for (;;) {
		len = strcspn(p, ",");
		for (i = 0; i < nr; i++)
			if (strlen(names[i]) == len &&
			    !strncmp(p, names[i], len))
				break;
		if (i == nr) {
			fprintf(stderr, PROG ": %s: unknown name '%.*s'; known:",
				opt, (int)len, p);
			for (i = 0; i < nr; i++)
				fprintf(stderr, "%s%s", i ? "," : " ",
					names[i]);
			fputc('\n', stderr);
			return -1;
		}
		*mask |= 1U << i;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* Rates whose period the driver refuses are refused here. */
static int check_rates(const struct u64_list *l)
{
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		uint64_t period = period_of(l->v[i]);

		if (period < HWEVENT_MIN_PERIOD_NS) {
			fprintf(stderr, PROG ": --rates: %llu Hz is a period of %.1f us, below the driver's shortest, HWEVENT_MIN_PERIOD_NS = %llu us: at most %llu Hz\n",
				(unsigned long long)l->v[i], period / 1e3,
				HWEVENT_MIN_PERIOD_NS / NSEC_PER_USEC,
				(unsigned long long)(NSEC_PER_SEC /
						     HWEVENT_MIN_PERIOD_NS));
			return -1;
		}
	}
	return 0;
}

static void list_default(struct u64_list *l, const uint64_t *v, size_t n)
{
	if (l->n)
		return;
	memcpy(l->v, v, n * sizeof(*v));
	l->n = (unsigned int)n;
}

enum {
	OPT_ONLY = 256,
	OPT_PATHS,
	OPT_CANDIDATES,
	OPT_SAMPLES,
	OPT_DELAY,
	OPT_RATES,
	OPT_DURATION,
	OPT_SCALE,
	OPT_SCALE_DELAY,
	OPT_FANOUT,
	OPT_SHORT,
	OPT_JSON,
	OPT_MARKDOWN,
	OPT_DATA,
	OPT_CHECK,
};

static const struct option long_opts[] = {
	{ "only",	 required_argument, NULL, OPT_ONLY },
	{ "paths",	 required_argument, NULL, OPT_PATHS },
	{ "candidates",	 required_argument, NULL, OPT_CANDIDATES },
	{ "samples",	 required_argument, NULL, OPT_SAMPLES },
	{ "delay",	 required_argument, NULL, OPT_DELAY },
	{ "rates",	 required_argument, NULL, OPT_RATES },
	{ "duration",	 required_argument, NULL, OPT_DURATION },
	{ "scale",	 required_argument, NULL, OPT_SCALE },
	{ "scale-delay", required_argument, NULL, OPT_SCALE_DELAY },
	{ "fanout",	 required_argument, NULL, OPT_FANOUT },
	{ "short",	 no_argument,	    NULL, OPT_SHORT },
	{ "json",	 required_argument, NULL, OPT_JSON },
	{ "markdown",	 required_argument, NULL, OPT_MARKDOWN },
	{ "data",	 required_argument, NULL, OPT_DATA },
	{ "check",	 no_argument,	    NULL, OPT_CHECK },
	{ "device",	 required_argument, NULL, 'd' },
	{ "help",	 no_argument,	    NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int parse_option(int c, const char *arg, struct options *o)
{
	const char *path_names[NR_PATHS];
	uint64_t v;
	unsigned int i;

	switch (c) {
	case OPT_ONLY:
		return parse_names("--only", arg, section_names, NR_SECTIONS,
				   &o->sections);
	case OPT_PATHS:
		for (i = 0; i < NR_PATHS; i++)
			path_names[i] = path_info[i].name;
		return parse_names("--paths", arg, path_names, NR_PATHS,
				   &o->paths);
	case OPT_CANDIDATES:
		return parse_names("--candidates", arg, cand_names, NR_CANDS,
				   &o->cands);
	case OPT_SAMPLES:
		if (parse_count("--samples", arg, 1, MAX_SAMPLES, &v))
			return -1;
		o->samples = (unsigned int)v;
		return 0;
	case OPT_DELAY:
		return parse_seconds("--delay", arg, 0, MAX_DELAY_NS,
				     &o->delay_ns);
	case OPT_RATES:
		if (parse_list("--rates", arg, 1, UINT32_MAX, &o->rates))
			return -1;
		return check_rates(&o->rates);
	case OPT_DURATION:
		return parse_seconds("--duration", arg, MIN_DURATION_NS,
				     MAX_DURATION_NS, &o->duration_ns);
	case OPT_SCALE:
		return parse_list("--scale", arg, 1, MAX_SCALE_N, &o->scale);
	case OPT_SCALE_DELAY:
		return parse_seconds("--scale-delay", arg, MIN_SCALE_DELAY_NS,
				     HWEVENT_MAX_DELAY_NS, &o->scale_delay_ns);
	case OPT_FANOUT:
		return parse_list("--fanout", arg, 1, MAX_FANOUT, &o->fanout);
	case OPT_SHORT:
		o->short_run = true;
		return 0;
	case OPT_JSON:
		o->json = arg;
		return 0;
	case OPT_MARKDOWN:
		o->markdown = arg;
		return 0;
	case OPT_DATA:
		o->data_dir = arg;
		return 0;
	case OPT_CHECK:
		o->check = true;
		return 0;
	case 'd':
		o->device = arg;
		return 0;
	default:
		return -1;
	}
}

/* Fills in what was not given: the defaults, or --short's. */
static void apply_defaults(struct options *o)
{
	bool s = o->short_run;
	unsigned int p, paths;

	if (!o->sections)
		o->sections = (1U << NR_SECTIONS) - 1;
	if (!o->paths)
		o->paths = (1U << NR_PATHS) - 1;
	/* A ratio needs its baseline. */
	paths = o->paths;
	for (p = 0; p < NR_PATHS; p++)
		if (paths & 1U << p)
			o->paths |= 1U << path_info[p].baseline;
	if (!o->cands)
		o->cands = (1U << NR_CANDS) - 1;
	if (!o->samples)
		o->samples = s ? SHORT_SAMPLES : DEF_SAMPLES;
	if (o->delay_ns == UINT64_MAX)
		o->delay_ns = DEF_DELAY_NS;
	if (!o->duration_ns)
		o->duration_ns = s ? SHORT_DURATION_NS : DEF_DURATION_NS;
	if (!o->scale_delay_ns)
		o->scale_delay_ns = s ? SHORT_SCALE_DELAY_NS :
					DEF_SCALE_DELAY_NS;
	if (s) {
		list_default(&o->rates, short_rates, ARRAY_SIZE(short_rates));
		list_default(&o->scale, short_scale, ARRAY_SIZE(short_scale));
		list_default(&o->fanout, short_fanout,
			     ARRAY_SIZE(short_fanout));
	} else {
		list_default(&o->rates, def_rates, ARRAY_SIZE(def_rates));
		list_default(&o->scale, def_scale, ARRAY_SIZE(def_scale));
		list_default(&o->fanout, def_fanout, ARRAY_SIZE(def_fanout));
	}
	if (!o->device)
		o->device = DEFAULT_DEVICE;
}

/* 0, or -1 after saying what is wrong (exit 2). */
int parse_args(int argc, char **argv, struct options *o)
{
	bool json_stdout, md_stdout;
	int c;

	memset(o, 0, sizeof(*o));
	o->delay_ns = UINT64_MAX;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "d:h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			exit(0);
		}
		if (c == '?' || parse_option(c, optarg, o))
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	apply_defaults(o);

	json_stdout = o->json && !strcmp(o->json, "-");
	md_stdout = o->markdown && !strcmp(o->markdown, "-");
	if (json_stdout && md_stdout) {
		fprintf(stderr, PROG ": --json and --markdown cannot both go to stdout\n");
		return -1;
	}
	if (o->check && (json_stdout || md_stdout)) {
		fprintf(stderr, PROG ": --check prints TAP on stdout: give --json and --markdown a file\n");
		return -1;
	}
	return 0;
}
