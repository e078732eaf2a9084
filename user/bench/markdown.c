// SPDX-License-Identifier: GPL-2.0
/* markdown.c - the results as Markdown tables (stdout, --markdown). */
#include <math.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench/bench.h"

double us(double ns)
{
	return ns / 1e3;
}

/* A ratio as Markdown: two decimals, or a dash. */
static void md_ratio(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.2f |", v);
	else
		fputs(" - |", f);
}

void write_markdown(FILE *f, const struct bench *b)
{
	const struct options *o = &b->o;
	struct utsname u;
	unsigned int i, k;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	fprintf(f, "# hwevent-bench\n\n"
		"Kernel %s, %s, %ld CPUs%s. Under software emulation absolute "
		"times are inflated: read the ratios to timerfd.\n",
		u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN),
		o->short_run ? "; --short run" : "");
	if (b->bottom_half[0])
		fprintf(f, "\nThe module's bottom half: %s (bottom_half).\n",
			b->bottom_half);

	if (b->done[S_LATENCY]) {
		fprintf(f, "\n## Latency\n\n"
			"How late each path wakes the program for one event "
			"%.3f ms after arming, in µs (%u samples per path, "
			"taken in turns); ratios to timerfd-read, or to "
			"timerfd-epoll for the *-epoll paths; due→irq is the "
			"median from the due time to the interrupt in the "
			"records (edu-pending: to the edu device's interrupt "
			"handler), irq→bh from the interrupt to the bottom "
			"half (paths with a record), irq→wake from the "
			"interrupt to the program's wake-up (paths with the "
			"record's irq_ns, uring-cmd's from its CQE).\n\n",
			o->delay_ns / 1e6, o->samples);
		fputs("| path | n | early | min | mean | p50 | p90 | p99 | max | p50 ratio | p99 ratio | due→irq p50 | irq→bh p50 | irq→wake p50 |\n"
		      "|------|--:|------:|----:|-----:|----:|----:|----:|----:|----------:|----------:|------------:|-----------:|-------------:|\n",
		      f);
		for (k = 0; k < NR_PATHS; k++) {
			const struct lat_result *r = &b->lat[k];

			if (!(o->paths & 1U << k))
				continue;
			if (path_unavailable(b, k)) {
				fprintf(f, "| %s | unavailable | - | - | - | - | - | - | - | - | - | - | - | - |\n",
					path_info[k].name);
				continue;
			}
			fprintf(f, "| %s | %u | %u | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |",
				path_info[k].name, r->n, r->early, us(r->min),
				us(r->mean), us(r->p50), us(r->p90),
				us(r->p99), us(r->max));
			md_ratio(f, r->ratio_p50);
			md_ratio(f, r->ratio_p99);
			if (r->ndirq)
				fprintf(f, " %.1f |", us(r->dirq_p50));
			else
				fputs(" - |", f);
			if (r->nbh)
				fprintf(f, " %.1f |", us(r->bh_p50));
			else
				fputs(" - |", f);
			if (r->nirqw)
				fprintf(f, " %.1f |\n", us(r->irqw_p50));
			else
				fputs(" - |\n", f);
		}
		if (o->paths & 1U << P_URING_CMD && b->uring_cmd_no[0])
			fprintf(f, "\nuring-cmd is unavailable here: %s.\n",
				b->uring_cmd_no);
		if (o->paths & 1U << P_EDU_PENDING && b->edu_no[0])
			fprintf(f, "\nedu-pending is unavailable here: %s.\n",
				b->edu_no);
		if (b->n_arm_offset)
			fprintf(f, "\nThe driver's due time came %.1f µs (median, "
				"from the queue paths' records) after the "
				"program's clock read before its ioctl plus the "
				"delay: the eventfd paths, which have no record "
				"and measure from that read, overstate their "
				"lateness by about as much.\n",
				us(b->arm_offset_p50));
	}

	if (b->done[S_THROUGHPUT]) {
		fprintf(f, "\n## Throughput\n\n"
			"One periodic source read for %.3f s per candidate and "
			"rate: expiries expected, delivered and missed "
			"(expected − delivered); lost and overruns are the "
			"queue's own counts.\n\n",
			o->duration_ns / 1e9);
		fputs("| rate Hz | candidate | expected | delivered | per s | missed | lost | overruns |\n"
		      "|--------:|-----------|---------:|----------:|------:|-------:|-----:|---------:|\n",
		      f);
		for (i = 0; i < b->ntp; i++) {
			for (k = 0; k < NR_CANDS; k++) {
				const struct tp_result *c = &b->tp[i].c[k];

				if (!c->run)
					continue;
				fprintf(f, "| %llu | %s | %lld | %llu | %.1f | %lld | %llu | %llu |\n",
					(unsigned long long)b->tp[i].rate_hz,
					cand_names[k], (long long)c->expected,
					(unsigned long long)c->delivered,
					c->per_s, (long long)c->missed,
					(unsigned long long)c->lost,
					(unsigned long long)c->overruns);
			}
		}
	}

	if (b->done[S_SCALE]) {
		fprintf(f, "\n## Scale\n\n"
			"N one-shot QUEUE registrations armed at once (delay "
			"%.3f s): µs per registration, kernel Slab bytes per "
			"registration (N >= %d), the cache's object and slab "
			"size, and how many fired.\n\n",
			o->scale_delay_ns / 1e9, SLAB_MIN_N);
		fputs("| N | files | µs per reg | total s | slab B/reg "
		      "| object size | slab size | fired | all fired |\n"
		      "|--:|------:|-----------:|--------:|-----------:"
		      "|------------:|----------:|------:|-----------|\n",
		      f);
		for (i = 0; i < b->nscale; i++) {
			const struct scale_row *s = &b->scale[i];

			fprintf(f, "| %llu | %u | %.1f | %.3f%s |",
				(unsigned long long)s->n, s->files,
				us(s->register_ns_per), s->registration_s,
				s->slow ? " (longer than the delay)" : "");
			if (s->have_slab)
				fprintf(f, " %.1f |", s->slab_bytes_per);
			else
				fputs(" - |", f);
			if (s->object_size >= 0)
				fprintf(f, " %lld |", s->object_size);
			else
				fputs(" - |", f);
			if (s->slab_size >= 0)
				fprintf(f, " %lld |", s->slab_size);
			else
				fputs(" - |", f);
			fprintf(f, " %llu | %s |\n",
				(unsigned long long)s->fired,
				s->all_fired ? "yes" : "no");
		}
	}

	if (b->done[S_FANOUT]) {
		fputs("\n## Fan-out\n\n"
		      "T waiters, woken at once, in µs: hwevent from "
		      "HWEVENT_IOC_TRIGGER (all) to each PENDING ioctl's "
		      "return (T threads, one file); uring-cmd from the same "
		      "trigger to when one thread saw each of T commands' "
		      "CQEs (one ring, one file); timerfd from the due time to "
		      "each read's return (a timerfd per thread). Ratios: the "
		      "last one's time to timerfd's.\n\n",
		      f);
		fputs("| T | hwevent last | hwevent median | timerfd last | timerfd median | last ratio | uring-cmd last | uring-cmd median | uring-cmd last ratio |\n"
		      "|--:|-------------:|---------------:|-------------:|---------------:|-----------:|---------------:|-----------------:|---------------------:|\n",
		      f);
		for (i = 0; i < b->nfan; i++) {
			const struct fanout_row *r = &b->fan[i];

			fprintf(f, "| %u | %.1f | %.1f | %.1f | %.1f |",
				r->threads, us(r->hw_last_ns),
				us(r->hw_median_ns), us(r->tfd_last_ns),
				us(r->tfd_median_ns));
			md_ratio(f, r->ratio_last);
			if (r->uc_run)
				fprintf(f, " %.1f | %.1f |", us(r->uc_last_ns),
					us(r->uc_median_ns));
			else
				fputs(" - | - |", f);
			md_ratio(f, r->uc_run ? r->uc_ratio_last : NAN);
			fputc('\n', f);
		}
		if (b->uring_cmd_no[0])
			fprintf(f, "\nuring-cmd is unavailable here: %s.\n",
				b->uring_cmd_no);
	}
}
