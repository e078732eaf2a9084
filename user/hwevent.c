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
 *
 * Like event.exe installing event.sys through the service control manager,
 * it loads hwevent.ko itself when the device is missing and it runs as root,
 * and unloads it at exit, but only if this run loaded it.
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
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/hwevent.h>

/* The uAPI promises one layout for 32- and 64-bit callers; hold it to it. */
static_assert(sizeof(struct hwevent_event) == 64, "hwevent_event layout");
static_assert(sizeof(struct hwevent_register) == 136,
	      "hwevent_register layout");
static_assert(offsetof(struct hwevent_register, event) == 0x48,
	      "hwevent_register layout");

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define PROG		"hwevent"
#define MODULE_NAME	"hwevent"
#define MODULE_FILE	"hwevent.ko"
#define DEFAULT_DEVICE	"/dev/hwevent"
#define EXIT_USAGE	2
#define NSEC_PER_SEC	1000000000ULL
#define NSEC_PER_MSEC	1000000ULL
/* How long to wait for devtmpfs to create the node after loading. */
#define DEVICE_WAIT_MS	2000
#define DEVICE_POLL_MS	20
/* An eventfd not signalled this long after it was due means a lost event. */
#define LOST_EVENT_MS	10000

struct options {
	uint64_t delay_ns;
	unsigned int mode;
	unsigned long long count;	/* 0: no limit */
	const char *module;		/* NULL: look next to the program */
	const char *device;
};

/* What we watch stdin for: a key that means "quit". */
struct input {
	bool usable;		/* false after EOF or a read error */
	bool tty;
	bool raw;		/* we changed the terminal mode: restore it */
	bool watch;		/* poll stdin now */
	struct termios saved;
};

struct state {
	int devfd;
	int efd;
	bool loaded_module;
	struct input in;
	unsigned long long events;
	int64_t lat_min;
	int64_t lat_max;
	double lat_sum;
	const char *reason;	/* why the loop stopped, for the summary */
	int out_errno;		/* why writing to stdout failed, or 0 */
};

enum wait_result {
	WAIT_EVENT,		/* an event was printed */
	WAIT_AGAIN,		/* no event; the main loop decides what next */
	WAIT_QUIT,		/* a quit key was pressed */
	WAIT_ERROR,		/* reported already */
};

/* Set by the signal handlers, read by the main loop. */
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t continued;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void on_sigcont(int sig)
{
	(void)sig;
	continued = 1;
}

/*
 * Windows: Ctrl-C killed event.exe outright and the I/O manager cancelled
 * its IRP. Here we catch the signal and leave cleanly, so the terminal mode
 * is restored and a module we loaded is unloaded. No SA_RESTART: a pending
 * ioctl must return EINTR (the driver drops the registration) rather than
 * be restarted.
 */
static int install_signal_handlers(void)
{
	static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		if (sigaction(stop_sigs[i], &sa, NULL) < 0)
			return -1;
	/* After Ctrl-Z and fg the shell may have reset the terminal mode. */
	sa.sa_handler = on_sigcont;
	if (sigaction(SIGCONT, &sa, NULL) < 0)
		return -1;
	/* `hwevent ... | head -3`: see EPIPE and clean up, don't just die. */
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	/* The clock the driver stamps its records with (ktime_get()). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* "1234.567890123" */
static const char *fmt_timestamp(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%llu.%09llu",
		 (unsigned long long)(ns / NSEC_PER_SEC),
		 (unsigned long long)(ns % NSEC_PER_SEC));
	return buf;
}

/*
 * Milliseconds with three decimals, rounded to the microsecond: "0.512",
 * "-0.012"; with @plus, "+0.512" for a part of a total.
 */
static const char *fmt_ms(char *buf, size_t len, int64_t ns, bool plus)
{
	uint64_t us = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;

	us = (us + 500) / 1000;
	snprintf(buf, len, "%s%llu.%03llu",
		 ns < 0 && us ? "-" : plus ? "+" : "",
		 (unsigned long long)(us / 1000),
		 (unsigned long long)(us % 1000));
	return buf;
}

/* Seconds with at least three decimals and as many more as needed. */
static const char *fmt_seconds(char *buf, size_t len, uint64_t ns)
{
	char frac[10];
	int digits = 9;

	snprintf(frac, sizeof(frac), "%09llu",
		 (unsigned long long)(ns % NSEC_PER_SEC));
	while (digits > 3 && frac[digits - 1] == '0')
		digits--;
	snprintf(buf, len, "%llu.%.*s", (unsigned long long)(ns / NSEC_PER_SEC),
		 digits, frac);
	return buf;
}

static void usage_hint(void)
{
	fprintf(stderr,
		"usage: " PROG " [options] <delay-seconds> <0|1>\n"
		"Try '" PROG " --help' for more information.\n");
}

static void print_help(void)
{
	printf("usage: " PROG " [options] <delay-seconds> <0|1>\n"
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
	       "\n"
	       "options:\n"
	       "  -n, --count COUNT  stop after COUNT events (COUNT >= 1)\n"
	       "  -m, --module PATH  the hwevent.ko to load when the device is missing\n"
	       "                     (root only); default: " MODULE_FILE " next to this\n"
	       "                     program, then ../module/" MODULE_FILE " from it\n"
	       "  -d, --device PATH  the device to open (default " DEFAULT_DEVICE ")\n"
	       "  -h, --help         show this help and exit\n"
	       "\n"
	       "A module this program loaded is unloaded again when it exits.\n"
	       "Exit status: 0 stopped by a key, a signal or --count; 1 error;\n"
	       "2 bad usage.\n",
	       (unsigned long long)(HWEVENT_MAX_DELAY_NS / NSEC_PER_SEC));
}

/* Seconds as text (event.exe read them with %f) to nanoseconds. */
static int parse_delay(const char *s, uint64_t *ns)
{
	char max[32];
	double sec, nsd;
	char *end;

	fmt_seconds(max, sizeof(max), HWEVENT_MAX_DELAY_NS);
	errno = 0;
	sec = strtod(s, &end);
	if (end == s || *end != '\0') {
		fprintf(stderr, PROG ": delay '%s' is not a number of seconds\n",
			s);
		return -1;
	}
	if (isnan(sec)) {
		fprintf(stderr, PROG ": delay '%s' is not a number\n", s);
		return -1;
	}
	if (sec < 0) {
		fprintf(stderr, PROG ": delay '%s' is negative; it must be >= 0\n",
			s);
		return -1;
	}
	/* Compare in ns so "3600.0000001" is refused too; inf lands here. */
	nsd = sec * (double)NSEC_PER_SEC;
	if (!isfinite(nsd) || nsd > (double)HWEVENT_MAX_DELAY_NS) {
		fprintf(stderr, PROG ": delay '%s' is too large; at most %s s\n",
			s, max);
		return -1;
	}
	/* nsd <= max, exact in a double, so rounding cannot pass the max. */
	*ns = (uint64_t)(nsd + 0.5);
	return 0;
}

static int parse_count(const char *s, unsigned long long *count)
{
	char *end;

	errno = 0;
	/* strtoull() would accept "-1" as a huge number: digits only. */
	if (*s < '0' || *s > '9')
		goto bad;
	*count = strtoull(s, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		goto bad;
	if (*count == 0) {
		fprintf(stderr, PROG ": count must be at least 1\n");
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, PROG ": count '%s' is not a positive whole number\n",
		s);
	return -1;
}

/* Return -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "count",	required_argument, NULL, 'n' },
		{ "module",	required_argument, NULL, 'm' },
		{ "device",	required_argument, NULL, 'd' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL,		0,		   NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->device = DEFAULT_DEVICE;

	/* Our own messages: getopt's would not explain "-1" as a delay. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:m:d:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_count(optarg, &o->count) < 0)
				goto bad;
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
			if (optopt >= '0' && optopt <= '9')
				fprintf(stderr,
					PROG ": invalid option '-%c': a negative delay? The delay must be >= 0\n",
					optopt);
			else if (optopt)
				fprintf(stderr, PROG ": invalid option '-%c'\n",
					optopt);
			else
				fprintf(stderr, PROG ": unrecognized option '%s'\n",
					argv[optind - 1]);
			goto bad;
		}
	}

	if (argc - optind < 2) {
		fprintf(stderr, PROG ": missing %s\n", argc == optind ?
			"<delay-seconds> and <0|1>" : "<0|1> after the delay");
		goto bad;
	}
	if (argc - optind > 2) {
		fprintf(stderr, PROG ": too many arguments, from '%s' on\n",
			argv[optind + 2]);
		goto bad;
	}
	if (parse_delay(argv[optind], &o->delay_ns) < 0)
		goto bad;
	if (!strcmp(argv[optind + 1], "0")) {
		o->mode = HWEVENT_MODE_PENDING;
	} else if (!strcmp(argv[optind + 1], "1")) {
		o->mode = HWEVENT_MODE_EVENTFD;
	} else {
		/* event.exe's message for this had a typo and no hint. */
		fprintf(stderr,
			PROG ": unknown notification type '%s': use 0 (pending request) or 1 (eventfd)\n",
			argv[optind + 1]);
		goto bad;
	}
	return -1;
bad:
	usage_hint();
	return EXIT_USAGE;
}

/* ---- Module loading: event.exe's install.c, the Linux way ---- */

/* Open the module file: --module, else next to us, else ../module/. */
static int open_module_file(const struct options *o, char *path, size_t len)
{
	char exe[PATH_MAX], *slash;
	static const char * const where[] = {
		"/" MODULE_FILE, "/../module/" MODULE_FILE,
	};
	ssize_t n;
	size_t i;
	int fd;

	if (o->module) {
		snprintf(path, len, "%s", o->module);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fprintf(stderr, PROG ": cannot open module %s: %s\n",
				path, strerror(errno));
		return fd;
	}

	/* Windows: event.exe looked in the current directory; we use ours. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		fprintf(stderr, PROG ": cannot find this program's directory (/proc/self/exe: %s); use --module PATH\n",
			strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';

	for (i = 0; i < ARRAY_SIZE(where); i++) {
		if (snprintf(path, len, "%s%s", exe, where[i]) >= (int)len)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			/* Say module/hwevent.ko, not user/../module/. */
			if (realpath(path, exe))
				snprintf(path, len, "%s", exe);
			return fd;
		}
		if (errno != ENOENT)
			fprintf(stderr, PROG ": cannot open module %s: %s\n",
				path, strerror(errno));
	}
	fprintf(stderr,
		PROG ": " MODULE_FILE " not found in %s/ or %s/../module/; build it (make) or pass --module PATH\n",
		exe, exe);
	return -1;
}

static const char *finit_module_hint(int err)
{
	switch (err) {
	case EPERM:
		return "needs CAP_SYS_MODULE; module loading may be disabled (kernel.modules_disabled) or the kernel locked down against unsigned modules";
	case ENOSYS:
		return "this kernel was built without module support";
	case ENOEXEC:
		return "not a kernel module, or one for another architecture";
	case EINVAL:
		return "the module does not match this kernel (built against other headers?); see dmesg";
	case ENOENT:
		return "the module needs a symbol this kernel does not export; see dmesg";
	case EKEYREJECTED:
	case EBADMSG:
	case ENOKEY:
		return "the kernel rejected the module's signature";
	case EBUSY:
		return "the module is being loaded or unloaded right now; try again";
	default:
		return "see dmesg";
	}
}

/* Return 0 if the module is now loaded (by us or before us), else -1. */
static int load_module(struct state *st, const struct options *o)
{
	char path[PATH_MAX];
	int fd, err;

	fd = open_module_file(o, path, sizeof(path));
	if (fd < 0)
		return -1;

	/* Windows: CreateService() + StartService(); here finit_module(2). */
	if (syscall(SYS_finit_module, fd, "", 0) < 0) {
		err = errno;
		close(fd);
		if (err == EEXIST) {
			printf(PROG ": module " MODULE_NAME " is already loaded; leaving it loaded at exit\n");
			return 0;
		}
		fprintf(stderr, PROG ": cannot load %s: %s: %s\n", path,
			strerror(err), finit_module_hint(err));
		return -1;
	}
	close(fd);
	st->loaded_module = true;
	printf(PROG ": loaded %s; it will be unloaded at exit\n", path);
	return 0;
}

/* Return 0, or -1 if the module could not be unloaded. */
static int unload_module(void)
{
	/*
	 * Windows: ControlService(SERVICE_CONTROL_STOP) + DeleteService();
	 * here delete_module(2). O_NONBLOCK: fail rather than wait if
	 * another process still has the device open.
	 */
	if (syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK) < 0) {
		switch (errno) {
		case ENOENT:
			/* Someone ran rmmod under us; the goal is met. */
			return 0;
		case EWOULDBLOCK:
		case EBUSY:
			fprintf(stderr,
				PROG ": cannot unload " MODULE_NAME ": still in use (another process has the device open); unload it later with: rmmod " MODULE_NAME "\n");
			return -1;
		default:
			fprintf(stderr, PROG ": cannot unload " MODULE_NAME ": %s\n",
				strerror(errno));
			return -1;
		}
	}
	printf(PROG ": unloaded module " MODULE_NAME "\n");
	return 0;
}

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
				PROG ": %s not found: load the module first (sudo insmod module/" MODULE_FILE ")\n",
				dev);
			return -1;
		}
		if (load_module(st, o) < 0)
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

	/* Say what went wrong; event.exe printed ERROR_FILE_NOT_FOUND always. */
	switch (errno) {
	case EACCES:
	case EPERM:
		fprintf(stderr,
			PROG ": cannot open %s: %s: the node is mode 0600 (root only) by default; run as root, or add a udev rule such as KERNEL==\"hwevent\", GROUP=\"<group>\", MODE=\"0660\"\n",
			dev, strerror(errno));
		break;
	case ENXIO:
	case ENODEV:
		fprintf(stderr,
			PROG ": cannot open %s: %s: no driver behind the node (stale node, or the module is not loaded)\n",
			dev, strerror(errno));
		break;
	case EINTR:
		fprintf(stderr, PROG ": interrupted while waiting for %s\n",
			dev);
		break;
	default:
		fprintf(stderr, PROG ": cannot open %s: %s\n", dev,
			strerror(errno));
		break;
	}
	return -1;
}

/* ---- Watching stdin for Enter or q ---- */

static bool in_foreground(void)
{
	return tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* Windows: _kbhit(); here a terminal without line buffering or echo. */
static void tty_make_raw(struct input *in)
{
	struct termios t;

	if (!in->raw && tcgetattr(STDIN_FILENO, &in->saved) < 0)
		return;		/* still works, with Enter after the key */
	t = in->saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		in->raw = true;
}

static void tty_restore(struct input *in)
{
	sigset_t ttou, old;

	if (!in->raw)
		return;
	/* If we were sent to the background, don't get stopped for this. */
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	tcsetattr(STDIN_FILENO, TCSANOW, &in->saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
	in->raw = false;
}

/*
 * Decide whether to watch stdin: a terminal only while we are in the
 * foreground (a background read would stop us with SIGTTIN), a pipe or a
 * socket until it reaches EOF.
 */
static void input_refresh(struct input *in)
{
	in->watch = false;
	if (!in->usable)
		return;
	if (in->tty) {
		if (!in_foreground())
			return;
		tty_make_raw(in);
	}
	in->watch = true;
}

/*
 * Watch a terminal, a pipe or a socket. Not /dev/null or other devices
 * (CI runs us with </dev/null; /dev/zero would be readable forever), and
 * not regular files, which are no way to press a key.
 */
static void input_setup(struct input *in)
{
	struct stat sb;

	memset(in, 0, sizeof(*in));
	if (fstat(STDIN_FILENO, &sb) < 0)
		return;
	in->tty = isatty(STDIN_FILENO);
	in->usable = in->tty || S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode);
	input_refresh(in);
}

/* Read what is there; true if it holds Enter or q. */
static bool input_read_quit(struct input *in)
{
	char buf[256];
	ssize_t n, i;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0) {
		/*
		 * EOF or an error (a hung-up terminal): stop watching but go
		 * on, so `hwevent 0.5 0 -n 3 </dev/null` runs its 3 events.
		 */
		in->usable = false;
		in->watch = false;
		return false;
	}
	for (i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == 'q' ||
		    buf[i] == 'Q')
			return true;
	return false;
}

/* Handle poll()'s verdict on stdin; true if the user asked to quit. */
static bool input_ready(struct input *in, short revents)
{
	if (revents & POLLNVAL) {
		in->usable = false;
		in->watch = false;
		return false;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		return input_read_quit(in);
	return false;
}

/* Between waits: has a quit key been pressed? Does not block. */
static bool input_check(struct input *in)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	if (!in->watch || poll(&p, 1, 0) <= 0)
		return false;
	return input_ready(in, p.revents);
}

/* ---- The event loop ---- */

static void record_latency(struct state *st, int64_t lat)
{
	if (st->events == 0 || lat < st->lat_min)
		st->lat_min = lat;
	if (st->events == 0 || lat > st->lat_max)
		st->lat_max = lat;
	st->lat_sum += (double)lat;
	st->events++;
}

static void report_ioctl_error(int err)
{
	const char *hint;

	switch (err) {
	case ENOTTY:
		hint = "the device is not hwevent, or its driver is too old for this program";
		break;
	case ENOSPC:
		hint = "too many registrations on this file (max_pending, see /sys/module/hwevent/parameters/max_pending)";
		break;
	case EINVAL:
		hint = "the driver refused the mode, delay or eventfd; driver and program disagree on the interface?";
		break;
	case EBADF:
		hint = "the driver did not accept our eventfd";
		break;
	case ENOMEM:
		hint = "the kernel is out of memory";
		break;
	case EFAULT:
		hint = "the driver could not read or write our argument (a bug)";
		break;
	case ENODEV:
		hint = "the device is going away (module being unloaded?)";
		break;
	default:
		hint = NULL;
		break;
	}
	/* event.exe printed only "Ioctl failed with code %d". */
	fprintf(stderr, PROG ": HWEVENT_IOC_REGISTER failed: %s%s%s\n",
		strerror(err), hint ? ": " : "", hint ? hint : "");
}

static void check_record(const struct hwevent_register *reg)
{
	const struct hwevent_event *ev = &reg->event;

	if (ev->id != reg->id || ev->cookie != reg->cookie)
		fprintf(stderr,
			PROG ": warning: the record is for id %llu cookie %llu, we registered id %llu cookie %llu\n",
			(unsigned long long)ev->id,
			(unsigned long long)ev->cookie,
			(unsigned long long)reg->id,
			(unsigned long long)reg->cookie);
	if (ev->irq_ns < ev->due_ns || ev->bh_ns < ev->irq_ns)
		fprintf(stderr,
			PROG ": warning: timestamps out of order (due %llu, interrupt %llu, bottom half %llu ns)\n",
			(unsigned long long)ev->due_ns,
			(unsigned long long)ev->irq_ns,
			(unsigned long long)ev->bh_ns);
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
	char ts[32], total[24], irq[24], bh[24], wake[24];
	const struct hwevent_event *ev = &reg.event;
	uint64_t woke;
	int64_t lat;

	memset(&reg, 0, sizeof(reg));	/* padding and reserved must be 0 */
	reg.mode = HWEVENT_MODE_PENDING;
	reg.eventfd = -1;
	reg.delay_ns = o->delay_ns;
	reg.cookie = st->events + 1;

	/*
	 * A signal that lands between the main loop's stop_signal check and
	 * the ioctl does not interrupt it: that stop is seen after this
	 * event, or at the next signal. No ioctl takes a signal mask.
	 */
	if (ioctl(st->devfd, HWEVENT_IOC_REGISTER, &reg) < 0) {
		if (errno != EINTR) {
			report_ioctl_error(errno);
			return WAIT_ERROR;
		}
		/* The driver dropped the registration; nothing to undo. */
		if (!stop_signal)
			fprintf(stderr,
				PROG ": the wait was interrupted by a signal; registering again (the delay starts over)\n");
		return WAIT_AGAIN;
	}
	woke = now_ns();
	check_record(&reg);

	lat = (int64_t)(woke - ev->due_ns);
	record_latency(st, lat);
	printf("event %llu: seq %llu, id %llu, fired at %s s (CLOCK_MONOTONIC), %s ms late (interrupt %s ms, bottom half %s ms, wake-up %s ms)\n",
	       st->events, (unsigned long long)ev->seqno,
	       (unsigned long long)reg.id,
	       fmt_timestamp(ts, sizeof(ts), ev->irq_ns),
	       fmt_ms(total, sizeof(total), lat, false),
	       fmt_ms(irq, sizeof(irq), (int64_t)(ev->irq_ns - ev->due_ns),
		      true),
	       fmt_ms(bh, sizeof(bh), (int64_t)(ev->bh_ns - ev->irq_ns), true),
	       fmt_ms(wake, sizeof(wake), (int64_t)(woke - ev->bh_ns), true));
	return WAIT_EVENT;
}

/*
 * Eventfd mode: register, then poll the eventfd and stdin together, so a
 * key stops us at once. The record stays in the driver; only the id comes
 * back, so the latency is measured from when we issued the ioctl.
 */
static enum wait_result wait_eventfd(struct state *st,
				     const struct options *o)
{
	struct hwevent_register reg;
	char ts[32], total[24];
	uint64_t issued, deadline, woke, now, count;
	struct pollfd pfd[2];
	int64_t lat;
	int n, timeout;

	memset(&reg, 0, sizeof(reg));	/* padding and reserved must be 0 */
	reg.mode = HWEVENT_MODE_EVENTFD;
	reg.eventfd = st->efd;
	reg.delay_ns = o->delay_ns;
	reg.cookie = st->events + 1;

	/* Windows: DeviceIoControl() with the event handle; returns at once. */
	issued = now_ns();
	if (ioctl(st->devfd, HWEVENT_IOC_REGISTER, &reg) < 0) {
		if (errno == EINTR)
			return WAIT_AGAIN;
		report_ioctl_error(errno);
		return WAIT_ERROR;
	}
	deadline = issued + o->delay_ns + LOST_EVENT_MS * NSEC_PER_MSEC;

	for (;;) {
		if (stop_signal)
			return WAIT_AGAIN;	/* release drops the registration */
		if (continued) {
			continued = 0;
			input_refresh(&st->in);
		}
		pfd[0].fd = st->efd;
		pfd[0].events = POLLIN;
		pfd[1].fd = STDIN_FILENO;
		pfd[1].events = POLLIN;

		/* Past the deadline (or back from a long SIGSTOP): look once. */
		now = now_ns();
		timeout = now >= deadline ? 0 :
			  (int)((deadline - now + NSEC_PER_MSEC - 1) /
				NSEC_PER_MSEC);

		/* Windows: WaitForSingleObject(); here poll(), with stdin. */
		n = poll(pfd, st->in.watch ? 2 : 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			return WAIT_ERROR;
		}
		if (n == 0 && timeout == 0) {
			fprintf(stderr,
				PROG ": registration %llu not signalled %d s after it was due: lost event?\n",
				(unsigned long long)reg.id, LOST_EVENT_MS / 1000);
			return WAIT_ERROR;
		}
		if (n == 0)
			continue;
		if (pfd[0].revents & POLLIN)
			break;
		if (st->in.watch && input_ready(&st->in, pfd[1].revents))
			return WAIT_QUIT;
	}
	woke = now_ns();

	/* Windows: ResetEvent(); reading an eventfd returns and clears it. */
	if (read(st->efd, &count, sizeof(count)) != sizeof(count)) {
		fprintf(stderr, PROG ": reading the eventfd: %s\n",
			strerror(errno));
		return WAIT_ERROR;
	}

	lat = (int64_t)(woke - (issued + o->delay_ns));
	record_latency(st, lat);
	printf("event %llu: id %llu, eventfd count %llu, woke at %s s (CLOCK_MONOTONIC), %s ms late (measured from the ioctl)\n",
	       st->events, (unsigned long long)reg.id,
	       (unsigned long long)count,
	       fmt_timestamp(ts, sizeof(ts), woke),
	       fmt_ms(total, sizeof(total), lat, false));
	return WAIT_EVENT;
}

static void print_banner(const struct state *st, const struct options *o)
{
	bool pending = o->mode == HWEVENT_MODE_PENDING;
	char delay[32];

	printf(PROG ": %s, delay %s s. ",
	       pending ?
	       "pending-request mode (the ioctl waits, like a pending IRP)" :
	       "eventfd mode (the driver signals an eventfd, like a Windows event object)",
	       fmt_seconds(delay, sizeof(delay), o->delay_ns));
	if (o->count)
		printf("Stops after %llu event%s; ", o->count,
		       o->count == 1 ? "" : "s");
	if (st->in.watch && pending)
		printf("%s Enter or q to quit after the current event, Ctrl-C at once.\n",
		       o->count ? "press" : "Press");
	else if (st->in.watch)
		printf("%s Enter or q to quit.\n", o->count ? "press" : "Press");
	else
		printf("%s Ctrl-C to quit.\n", o->count ? "press" : "Press");
}

static void print_summary(const struct state *st)
{
	char lo[24], avg[24], hi[24];

	printf(PROG ": done after %llu event%s (%s)", st->events,
	       st->events == 1 ? "" : "s", st->reason);
	if (st->events)
		printf("; latency min %s ms, avg %s ms, max %s ms",
		       fmt_ms(lo, sizeof(lo), st->lat_min, false),
		       fmt_ms(avg, sizeof(avg),
			      (int64_t)(st->lat_sum / (double)st->events),
			      false),
		       fmt_ms(hi, sizeof(hi), st->lat_max, false));
	printf("\n");
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
		if (continued) {
			continued = 0;
			input_refresh(&st->in);
		}
		if (input_check(&st->in)) {
			st->reason = "key pressed";
			return 0;
		}

		if (o->mode == HWEVENT_MODE_PENDING)
			r = wait_pending(st, o);
		else
			r = wait_eventfd(st, o);

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

	ret = parse_args(argc, argv, &o);
	if (ret >= 0)
		return ret;

	memset(&st, 0, sizeof(st));
	st.devfd = -1;
	st.efd = -1;
	ret = 1;

	if (install_signal_handlers() < 0) {
		fprintf(stderr, PROG ": sigaction: %s\n", strerror(errno));
		return 1;
	}
	if (open_device(&st, &o) < 0)
		goto out;

	if (o.mode == HWEVENT_MODE_EVENTFD) {
		/* Windows: CreateEvent(); here an eventfd. */
		st.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (st.efd < 0) {
			fprintf(stderr, PROG ": eventfd: %s\n",
				strerror(errno));
			goto out;
		}
	}

	input_setup(&st.in);
	print_banner(&st, &o);
	ret = run(&st, &o);
	print_summary(&st);

out:
	tty_restore(&st.in);
	if (st.efd >= 0)
		close(st.efd);
	/* An open file pins the module: close it before unloading. */
	if (st.devfd >= 0)
		close(st.devfd);
	if (st.loaded_module && unload_module() < 0)
		ret = 1;
	errno = 0;
	if ((fflush(stdout) == EOF || ferror(stdout)) && !st.out_errno)
		st.out_errno = errno ? errno : EIO;
	/* A reader that has seen enough (a closed pipe) is no error. */
	if (st.out_errno && st.out_errno != EPIPE) {
		fprintf(stderr, PROG ": writing output: %s\n",
			strerror(st.out_errno));
		ret = 1;
	}
	return ret;
}
