// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - what every section uses: the watchdog, messages, sleeping,
 * percentiles and ratios.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/signals.h"

#include "bench/bench.h"

/*
 * Set by the SIGALRM handler, as stop_signal (lib/signals.c) by the stop
 * signals; every blocking call here may see EINTR.
 */
volatile sig_atomic_t watchdog_fired;

static void on_alarm(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

/*
 * No SA_RESTART: a read or ioctl waiting for an event that never comes
 * must return EINTR to the watchdog or to Ctrl-C (install_signal_handlers()
 * of lib/signals.c), so that we clean up (cancel, close, restore) instead of
 * hanging or dying.
 */
int install_watchdog_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_alarm;
	return sigaction(SIGALRM, &sa, NULL);
}

void watchdog_arm(unsigned int seconds)
{
	watchdog_fired = 0;
	alarm(seconds);
}

void watchdog_disarm(void)
{
	alarm(0);
	watchdog_fired = 0;
}

void msg(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* msg(), returning -1 for the caller to pass on. */
int fail(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Why a call that should have returned with an event did not. */
int wait_failed(const char *what, int err)
{
	if (err == EINTR && stop_signal)
		return fail("%s: stopped by signal %d", what, (int)stop_signal);
	if (err == EINTR && watchdog_fired)
		return fail("%s: no event within %u s of its due time", what,
			    WATCHDOG_S);
	return fail("%s: %s", what, strerror(err));
}

struct timespec ns_to_ts(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / NSEC_PER_SEC,
		.tv_nsec = ns % NSEC_PER_SEC,
	};

	return ts;
}

/* Sleeps @ns; false if a stop signal cut it short. */
bool sleep_ns(uint64_t ns)
{
	struct timespec ts = ns_to_ts(now_ns() + ns);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	       EINTR)
		if (stop_signal)
			return false;
	return true;
}

int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile @p (1..100) of @n >= 1 sorted values. */
int64_t percentile(const int64_t *sorted, unsigned int n, unsigned int p)
{
	uint64_t rank = ((uint64_t)p * n + 99) / 100;

	return sorted[rank ? rank - 1 : 0];
}

double ratio(double a, double b)
{
	return b > 0 ? a / b : NAN;
}
