// SPDX-License-Identifier: GPL-2.0
/* scale.c - the scale section: N one-shot registrations at once. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/signals.h"
#include "lib/uapi.h"

#include "bench/bench.h"

/* ------------------------------------------------------------------ */
/* Scale: N one-shot registrations at once. */

/*
 * Reads @fd until its records account for @want registrations (each
 * record for itself and the @lost before it) or @deadline: the count.
 */
static int64_t scale_collect(int fd, uint64_t want, uint64_t deadline,
			     struct hwevent_event *buf)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t got = 0;
	ssize_t n, i;
	int ret;

	while (got < want) {
		ret = poll(&pfd, 1, ms_until(deadline));
		if (ret < 0) {
			if (errno == EINTR && !stop_signal)
				continue;
			return wait_failed("scale: poll", errno);
		}
		if (!ret)
			break;
		n = read(fd, buf, SCALE_BATCH * REC);
		if (n < 0)
			return wait_failed("scale: read", errno);
		for (i = 0; i < n / (ssize_t)REC; i++)
			got += 1 + (uint64_t)buf[i].lost;
	}
	return (int64_t)got;
}

static int scale_one(struct bench *b, uint64_t n, struct scale_row *row)
{
	const struct options *o = &b->o;
	uint64_t maxp = (uint64_t)b->max_pending, i, t0, t1, deadline;
	unsigned int files = (unsigned int)((n + maxp - 1) / maxp), f;
	struct hwevent_event *buf = malloc(SCALE_BATCH * REC);
	uint64_t *want = calloc(files, sizeof(*want));
	int *fds = malloc(files * sizeof(*fds));
	long long slab0, slab1;
	struct hwevent_register r;
	int64_t got;
	int ret = -1;

	if (!buf || !want || !fds) {
		fail("out of memory");
		goto out_free;
	}
	for (f = 0; f < files; f++)
		fds[f] = -1;
	memset(row, 0, sizeof(*row));
	row->n = n;
	row->files = files;
	msg("scale: %llu registration%s on %u file%s, delay %.3f s",
	    (unsigned long long)n, n == 1 ? "" : "s", files,
	    files == 1 ? "" : "s",
	    o->scale_delay_ns / 1e9);

	/* Files first: their queues must not count as the registrations'. */
	for (f = 0; f < files; f++) {
		fds[f] = dev_open(o, 0);
		if (fds[f] < 0) {
			fail("scale: %s (file %u of %u): %s", o->device, f + 1,
			     files, strerror(errno));
			goto out;
		}
	}

	slab0 = meminfo_slab_kb();
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		f = (unsigned int)(i / maxp);
		reg_init(&r, HWEVENT_MODE_QUEUE, -1, o->scale_delay_ns, 0, i);
		if (ioctl(fds[f], HWEVENT_IOC_REGISTER, &r)) {
			fail("scale: registration %llu of %llu: %s%s",
			     (unsigned long long)i + 1, (unsigned long long)n,
			     strerror(errno), errno == ENOSPC ?
			     " (did max_pending change during the run?)" : "");
			goto out;
		}
		want[f]++;
		if (stop_signal) {
			fail("scale: stopped by signal %d", (int)stop_signal);
			goto out;
		}
	}
	t1 = now_ns();
	slab1 = meminfo_slab_kb();

	row->registration_s = (t1 - t0) / 1e9;
	row->register_ns_per = (double)(t1 - t0) / n;
	row->slow = t1 - t0 >= o->scale_delay_ns;
	if (row->slow)
		msg("scale: registering %llu took %.3f s, longer than the %.3f s delay: the first ones fired meanwhile, so the Slab figure is low",
		    (unsigned long long)n, row->registration_s,
		    o->scale_delay_ns / 1e9);
	if (n >= SLAB_MIN_N && slab0 >= 0 && slab1 >= 0) {
		row->have_slab = true;
		row->slab_bytes_per = (slab1 - slab0) * 1024.0 / n;
	}
	row->object_size = read_ll(SLAB_DIR "/object_size");
	row->slab_size = read_ll(SLAB_DIR "/slab_size");

	/* The last one is due a delay after it was made. */
	deadline = t1 + o->scale_delay_ns + SCALE_SLACK_NS;
	for (f = 0; f < files; f++) {
		got = scale_collect(fds[f], want[f], deadline, buf);
		if (got < 0)
			goto out;
		row->fired += (uint64_t)got;
	}
	row->all_fired = row->fired == n;
	if (!row->all_fired)
		msg("scale: only %llu of %llu fired within %.0f s of the last one's due time",
		    (unsigned long long)row->fired, (unsigned long long)n,
		    SCALE_SLACK_NS / 1e9);
	ret = 0;
out:
	/* What has not fired is dropped at close. */
	for (f = 0; f < files; f++)
		if (fds[f] >= 0)
			close(fds[f]);
out_free:
	free(fds);
	free(want);
	free(buf);
	return ret;
}

int run_scale(struct bench *b)
{
	uint64_t t0 = now_ns();
	unsigned int i;

	for (i = 0; i < b->o.scale.n; i++) {
		if (scale_one(b, b->o.scale.v[i], &b->scale[i]))
			return -1;
		b->nscale = i + 1;
	}
	msg("scale: done in %.1f s", (now_ns() - t0) / 1e9);
	return 0;
}
