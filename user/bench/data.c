// SPDX-License-Identifier: GPL-2.0
/*
 * data.c - the output files: opening and closing them, and --data's plot
 * data.
 */
#include <string.h>

#include "bench/bench.h"

FILE *open_out(const char *path)
{
	return strcmp(path, "-") ? fopen(path, "we") : stdout;
}

/* Closes (or flushes stdout) and reports a write error: 0 or -1. */
int close_out(FILE *f, const char *path)
{
	int err = ferror(f) ? EIO : 0;

	if (f == stdout) {
		if (fflush(f) && !err)
			err = errno;
	} else if (fclose(f) && !err) {
		err = errno;
	}
	if (err)
		return fail("writing %s: %s", path, strerror(err));
	return 0;
}

static void data_value(FILE *f, const struct tp_result *c, bool per_s)
{
	if (!c->run)
		fputs(" NaN", f);
	else if (per_s)
		fprintf(f, " %.1f", c->per_s);
	else
		fprintf(f, " %lld", (long long)c->missed);
}

/* --data: one file of sorted samples per path, and throughput.dat. */
int write_data(const struct bench *b)
{
	const struct options *o = &b->o;
	char path[PATH_MAX];
	unsigned int i, k;
	FILE *f;

	for (k = 0; b->done[S_LATENCY] && k < NR_PATHS; k++) {
		const struct lat_result *r = &b->lat[k];

		if (!(o->paths & 1U << k))
			continue;
		snprintf(path, sizeof(path), "%s/latency-%s.dat", o->data_dir,
			 path_info[k].name);
		f = fopen(path, "we");
		if (!f)
			return fail("%s: %s", path, strerror(errno));
		for (i = 0; i < r->n; i++)
			fprintf(f, "%.3f\n", us(r->lat[i]));
		if (close_out(f, path))
			return -1;
	}
	if (!b->done[S_THROUGHPUT])
		return 0;
	snprintf(path, sizeof(path), "%s/throughput.dat", o->data_dir);
	f = fopen(path, "we");
	if (!f)
		return fail("%s: %s", path, strerror(errno));
	fputs("# rate_hz queue_per_s eventfd_per_s timerfd_per_s queue_missed eventfd_missed timerfd_missed\n",
	      f);
	for (i = 0; i < b->ntp; i++) {
		fprintf(f, "%llu", (unsigned long long)b->tp[i].rate_hz);
		for (k = 0; k < NR_CANDS; k++)
			data_value(f, &b->tp[i].c[k], true);
		for (k = 0; k < NR_CANDS; k++)
			data_value(f, &b->tp[i].c[k], false);
		fputc('\n', f);
	}
	return close_out(f, path);
}
