// SPDX-License-Identifier: GPL-2.0
/* json.c - the results as JSON (--json). */
#include <math.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/output.h"

#include "bench/bench.h"

/* ------------------------------------------------------------------ */
/* Output. */

static long long round_ll(double v)
{
	return (long long)(v < 0 ? v - 0.5 : v + 0.5);
}

/* A latency path this kernel cannot run: every figure null, and why. */
static void json_unavailable_path(FILE *f, bool first, unsigned int k,
				  const char *why)
{
	fprintf(f, "%s\n {\"path\":\"%s\",\"baseline\":\"%s\",\"unavailable\":",
		first ? "" : ",", path_info[k].name,
		path_info[path_info[k].baseline].name);
	json_string(f, why);
	fputs(",\"n\":0,\"early\":0,\"min_ns\":null,\"mean_ns\":null,"
	      "\"p50_ns\":null,\"p90_ns\":null,\"p99_ns\":null,"
	      "\"max_ns\":null,\"ratio_p50\":null,\"ratio_p99\":null,"
	      "\"due_irq_p50_ns\":null,\"bh_p50_ns\":null,"
	      "\"irq_wake_p50_ns\":null}", f);
}

void write_json(FILE *f, const struct bench *b)
{
	const struct options *o = &b->o;
	struct utsname u;
	unsigned int i, k, first;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	fputs("{\"program\":\"hwevent-bench\",\"version\":1,\"kernel\":", f);
	json_string(f, u.release);
	fputs(",\"machine\":", f);
	json_string(f, u.machine);
	fprintf(f, ",\"cpus\":%ld,\"short\":%s", sysconf(_SC_NPROCESSORS_ONLN),
		o->short_run ? "true" : "false");
	fputs(",\"bottom_half\":", f);
	if (b->bottom_half[0])
		json_string(f, b->bottom_half);
	else
		fputs("null", f);

	if (b->done[S_LATENCY]) {
		fprintf(f, ",\n\"latency\":{\"delay_ns\":%llu,\"samples\":%u,\"paths\":[",
			(unsigned long long)o->delay_ns, o->samples);
		for (k = 0, first = 1; k < NR_PATHS; k++) {
			const struct lat_result *r = &b->lat[k];

			if (!(o->paths & 1U << k))
				continue;
			if (path_unavailable(b, k)) {
				json_unavailable_path(f, first, k,
						      path_unavailable(b, k));
				first = 0;
				continue;
			}
			fprintf(f, "%s\n {\"path\":\"%s\",\"baseline\":\"%s\","
				"\"unavailable\":null,"
				"\"n\":%u,\"early\":%u,\"min_ns\":%lld,"
				"\"mean_ns\":%lld,\"p50_ns\":%lld,"
				"\"p90_ns\":%lld,\"p99_ns\":%lld,"
				"\"max_ns\":%lld,\"ratio_p50\":",
				first ? "" : ",", path_info[k].name,
				path_info[path_info[k].baseline].name, r->n,
				r->early, (long long)r->min,
				round_ll(r->mean), (long long)r->p50,
				(long long)r->p90, (long long)r->p99,
				(long long)r->max);
			json_double(f, 4, r->ratio_p50);
			fputs(",\"ratio_p99\":", f);
			json_double(f, 4, r->ratio_p99);
			fputs(",\"due_irq_p50_ns\":", f);
			if (r->ndirq)
				fprintf(f, "%lld", (long long)r->dirq_p50);
			else
				fputs("null", f);
			fputs(",\"bh_p50_ns\":", f);
			if (r->nbh)
				fprintf(f, "%lld", (long long)r->bh_p50);
			else
				fputs("null", f);
			fputs(",\"irq_wake_p50_ns\":", f);
			if (r->nirqw)
				fprintf(f, "%lld", (long long)r->irqw_p50);
			else
				fputs("null", f);
			fputc('}', f);
			first = 0;
		}
		fputs("],\n \"arm_offset_p50_ns\":", f);
		if (b->n_arm_offset)
			fprintf(f, "%lld", (long long)b->arm_offset_p50);
		else
			fputs("null", f);
		fputc('}', f);
	}

	if (b->done[S_THROUGHPUT]) {
		fputs(",\n\"throughput\":[", f);
		for (i = 0; i < b->ntp; i++) {
			const struct tp_row *row = &b->tp[i];

			fprintf(f, "%s\n {\"rate_hz\":%llu,\"period_ns\":%llu,\"candidates\":[",
				i ? "," : "", (unsigned long long)row->rate_hz,
				(unsigned long long)row->period_ns);
			for (k = 0, first = 1; k < NR_CANDS; k++) {
				const struct tp_result *c = &row->c[k];

				if (!c->run)
					continue;
				fprintf(f, "%s\n  {\"name\":\"%s\","
					"\"elapsed_ns\":%llu,"
					"\"expected\":%lld,"
					"\"delivered\":%llu,\"per_s\":%.1f,"
					"\"missed\":%lld,\"lost\":%llu,"
					"\"overruns\":%llu}",
					first ? "" : ",", cand_names[k],
					(unsigned long long)c->elapsed_ns,
					(long long)c->expected,
					(unsigned long long)c->delivered,
					c->per_s, (long long)c->missed,
					(unsigned long long)c->lost,
					(unsigned long long)c->overruns);
				first = 0;
			}
			fputs("]}", f);
		}
		fputs("]", f);
	}

	if (b->done[S_SCALE]) {
		fputs(",\n\"scale\":[", f);
		for (i = 0; i < b->nscale; i++) {
			const struct scale_row *s = &b->scale[i];

			fprintf(f, "%s\n {\"n\":%llu,\"files\":%u,"
				"\"register_ns_per\":%.1f,"
				"\"registration_s\":%.6f,\"slab_bytes_per\":",
				i ? "," : "", (unsigned long long)s->n,
				s->files, s->register_ns_per,
				s->registration_s);
			json_double(f, 1, s->have_slab ?
				    s->slab_bytes_per : NAN);
			fputs(",\"object_size\":", f);
			json_double(f, 0, s->object_size >= 0 ?
				    (double)s->object_size : NAN);
			fputs(",\"slab_size\":", f);
			json_double(f, 0, s->slab_size >= 0 ?
				    (double)s->slab_size : NAN);
			fprintf(f, ",\"fired\":%llu,\"all_fired\":%s}",
				(unsigned long long)s->fired,
				s->all_fired ? "true" : "false");
		}
		fputs("]", f);
	}

	if (b->done[S_FANOUT]) {
		fputs(",\n\"fanout_uring_cmd_unavailable\":", f);
		if (b->uring_cmd_no[0])
			json_string(f, b->uring_cmd_no);
		else
			fputs("null", f);
		fputs(",\n\"fanout\":[", f);
		for (i = 0; i < b->nfan; i++) {
			const struct fanout_row *r = &b->fan[i];

			fprintf(f, "%s\n {\"threads\":%u,\"hwevent_last_ns\":%llu,"
				"\"hwevent_median_ns\":%llu,"
				"\"timerfd_last_ns\":%llu,"
				"\"timerfd_median_ns\":%llu,\"ratio_last\":",
				i ? "," : "", r->threads,
				(unsigned long long)r->hw_last_ns,
				(unsigned long long)r->hw_median_ns,
				(unsigned long long)r->tfd_last_ns,
				(unsigned long long)r->tfd_median_ns);
			json_double(f, 4, r->ratio_last);
			fputs(",\"uring_cmd_last_ns\":", f);
			json_double(f, 0, r->uc_run ? (double)r->uc_last_ns :
				    NAN);
			fputs(",\"uring_cmd_median_ns\":", f);
			json_double(f, 0, r->uc_run ? (double)r->uc_median_ns :
				    NAN);
			fputs(",\"uring_cmd_ratio_last\":", f);
			json_double(f, 4, r->uc_run ? r->uc_ratio_last : NAN);
			fputc('}', f);
		}
		fputs("]", f);
	}
	fputs("}\n", f);
}
