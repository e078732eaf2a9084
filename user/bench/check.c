// SPDX-License-Identifier: GPL-2.0
/* check.c - --check: sanity checks of the results, as TAP. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "lib/clock.h"

#include "bench/bench.h"

/* ------------------------------------------------------------------ */
/* --check: sanity, as TAP; no timing targets. */

struct tap {
	unsigned int n, failed;
	char (*line)[200];
	bool *ok;
	unsigned int cap;
};

static void tap_add(struct tap *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (t->n == t->cap) {
		unsigned int cap = t->cap ? 2 * t->cap : 64;
		void *line = realloc(t->line, cap * sizeof(*t->line));
		void *oks = line ? realloc(t->ok, cap * sizeof(*t->ok)) : NULL;

		if (oks)
			t->ok = oks;
		if (line)
			t->line = line;
		if (!line || !oks) {
			/* Cannot record it: count it as failed all the same. */
			t->failed++;
			return;
		}
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->line[t->n], sizeof(t->line[t->n]), fmt, ap);
	va_end(ap);
	t->ok[t->n++] = ok;
	t->failed += !ok;
}

static void check_latency(struct tap *t, const struct bench *b)
{
	const struct options *o = &b->o;
	unsigned int k;

	for (k = 0; k < NR_PATHS; k++) {
		const struct lat_result *r = &b->lat[k];
		const char *p = path_info[k].name;

		if (!(o->paths & 1U << k))
			continue;
		/* Not measured is not passed: a skip, with the reason. */
		if (path_unavailable(b, k)) {
			tap_add(t, true, "latency %s # SKIP unavailable: %s", p,
				path_unavailable(b, k));
			continue;
		}
		tap_add(t, r->n == o->samples, "latency %s: %u of %u samples",
			p, r->n, o->samples);
		tap_add(t, !r->early, "latency %s: none early (%u)", p,
			r->early);
		tap_add(t, r->n && 0 < r->min && r->min <= r->p50 &&
			r->p50 <= r->p90 && r->p90 <= r->p99 &&
			r->p99 <= r->max,
			"latency %s: 0 < min <= p50 <= p90 <= p99 <= max", p);
		tap_add(t, r->n && r->mean >= r->min && r->mean <= r->max,
			"latency %s: mean within [min, max]", p);
		tap_add(t, isfinite(r->ratio_p50) && r->ratio_p50 > 0 &&
			isfinite(r->ratio_p99) && r->ratio_p99 > 0,
			"latency %s: ratios to %s finite and > 0", p,
			path_info[path_info[k].baseline].name);
		/* Never an interrupt before its due time (no trigger here). */
		if (r->ndirq)
			tap_add(t, r->ndirq == r->n && r->dirq[0] >= 0,
				"latency %s: every interrupt at or after its due time (due→irq min %lld ns)",
				p, (long long)r->dirq[0]);
		/* uring-cmd's irq_ns comes from its CQE's big_cqe[0]. */
		if (r->nirqw)
			tap_add(t, r->nirqw == r->n && r->irqw[0] > 0,
				"latency %s: every wake-up after its interrupt (irq→wake min %lld ns)",
				p, (long long)r->irqw[0]);
	}
	/* The driver cannot take its "now" before we called it. */
	if (o->paths & (1U << P_QUEUE_READ | 1U << P_QUEUE_EPOLL))
		tap_add(t, b->n_arm_offset && b->arm_offset_p50 >= 0,
			"latency: the driver's due time is not before ours (median offset %lld ns)",
			(long long)b->arm_offset_p50);
}

static void check_throughput(struct tap *t, const struct bench *b)
{
	unsigned int i, k;

	for (i = 0; i < b->ntp; i++) {
		for (k = 0; k < NR_CANDS; k++) {
			const struct tp_result *c = &b->tp[i].c[k];

			if (!(b->o.cands & 1U << k))
				continue;
			tap_add(t, c->run && c->delivered > 0 && c->per_s > 0 &&
				c->expected >= 1,
				"throughput %llu Hz %s: delivered %llu > 0, %.1f/s > 0, expected %lld >= 1",
				(unsigned long long)b->tp[i].rate_hz,
				cand_names[k],
				(unsigned long long)c->delivered, c->per_s,
				(long long)c->expected);
			/* A counter counts every expiry, none twice. */
			if (k == C_QUEUE || !c->run)
				continue;
			tap_add(t, (int64_t)c->delivered >= c->expected &&
				(int64_t)c->delivered <= c->expected_max,
				"throughput %llu Hz %s: counted %llu, every expiry due by the end (%lld) and none not due by the drain (%lld)",
				(unsigned long long)b->tp[i].rate_hz,
				cand_names[k],
				(unsigned long long)c->delivered,
				(long long)c->expected,
				(long long)c->expected_max);
		}
	}
}

static void check_scale(struct tap *t, const struct bench *b)
{
	unsigned int i;

	for (i = 0; i < b->nscale; i++) {
		const struct scale_row *s = &b->scale[i];

		tap_add(t, s->all_fired, "scale %llu: all fired (%llu)",
			(unsigned long long)s->n,
			(unsigned long long)s->fired);
		tap_add(t, s->register_ns_per > 0,
			"scale %llu: register_ns_per > 0",
			(unsigned long long)s->n);
	}
}

static void check_fanout(struct tap *t, const struct bench *b)
{
	unsigned int i;

	for (i = 0; i < b->nfan; i++) {
		const struct fanout_row *r = &b->fan[i];

		tap_add(t, r->hw_last_ns > 0 && r->tfd_last_ns > 0 &&
			isfinite(r->ratio_last),
			"fanout %u: both times > 0, ratio finite", r->threads);
		if (b->uring_cmd_no[0])
			tap_add(t, true, "fanout %u uring-cmd # SKIP unavailable: %s",
				r->threads, b->uring_cmd_no);
		else
			tap_add(t, r->uc_run && r->uc_last_ns > 0 &&
				r->uc_median_ns > 0 &&
				r->uc_median_ns <= r->uc_last_ns &&
				isfinite(r->uc_ratio_last),
				"fanout %u uring-cmd: every command completed, 0 < median <= last, ratio finite",
				r->threads);
	}
}

/* The debugfs live count back where it was: nothing of ours left armed. */
static void check_live(struct tap *t, const struct bench *b)
{
	uint64_t deadline = now_ns() + 2 * NSEC_PER_SEC;
	long long live;

	if (b->live_before < 0) {
		printf("# debugfs %s unreadable: live count not checked\n",
		       STATS_PATH);
		return;
	}
	/* A bottom half may still be finishing what was cancelled. */
	while ((live = read_named(STATS_PATH, "live")) != b->live_before &&
	       now_ns() < deadline)
		sleep_ns(10 * NSEC_PER_MSEC);
	tap_add(t, live == b->live_before,
		"no registration left live (debugfs live %lld, %lld before)",
		live, b->live_before);
}

/* Every check of every section that was to run; a section that failed fails. */
int run_checks(const struct bench *b, bool run_ok)
{
	struct tap t = { 0 };
	unsigned int s, i;

	for (s = 0; s < NR_SECTIONS; s++) {
		if (!(b->o.sections & 1U << s))
			continue;
		tap_add(&t, b->done[s], "%s section completed",
			section_names[s]);
		if (!b->done[s])
			continue;
		switch (s) {
		case S_LATENCY:
			check_latency(&t, b);
			break;
		case S_THROUGHPUT:
			check_throughput(&t, b);
			break;
		case S_SCALE:
			check_scale(&t, b);
			break;
		case S_FANOUT:
			check_fanout(&t, b);
			break;
		}
	}
	if (run_ok)
		check_live(&t, b);

	printf("TAP version 13\n1..%u\n", t.n);
	for (i = 0; i < t.n; i++)
		printf("%sok %u - %s\n", t.ok[i] ? "" : "not ", i + 1,
		       t.line[i]);
	fflush(stdout);
	free(t.line);
	free(t.ok);
	return t.failed ? -1 : 0;
}
