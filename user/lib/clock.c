// SPDX-License-Identifier: GPL-2.0
/* clock.c - the clock, and how times are written (clock.h). */
#include <stdio.h>
#include <time.h>

#include "common.h"
#include "clock.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	/* The clock the driver stamps its records with (ktime_get()). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Milliseconds from now to @deadline, rounded up; 0 once it has passed. */
int ms_until(uint64_t deadline)
{
	uint64_t now = now_ns();

	if (now >= deadline)
		return 0;
	return (int)((deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
}

/* "1234.567890123" */
const char *fmt_timestamp(char *buf, size_t len, uint64_t ns)
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
const char *fmt_ms(char *buf, size_t len, int64_t ns, bool plus)
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
const char *fmt_seconds(char *buf, size_t len, uint64_t ns)
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
