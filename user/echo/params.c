// SPDX-License-Identifier: GPL-2.0
/*
 * params.c - the driver's parameters (/sys/module/hwevent/parameters/)
 * and counters (debugfs), as hwecho reports them.
 */
#include <string.h>

#include "lib/clock.h"

#include "echo/hwecho.h"

/* ---- The driver's parameters and counters ---- */

/* A module parameter as a number; 0 if it cannot be read. */
unsigned int read_param(const char *name)
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
long long read_stat(const char *name)
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
void print_ticks(const struct state *st, uint64_t elapsed)
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
