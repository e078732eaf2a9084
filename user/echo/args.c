// SPDX-License-Identifier: GPL-2.0
/* args.c - hwecho's command line: --help and the options. */
#include <getopt.h>
#include <string.h>

#include "lib/options.h"

#include "echo/hwecho.h"

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
int parse_args(int argc, char **argv, struct options *o)
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
