// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - what hwevent prints: the banner, each event (the event.exe
 * style line or, with --json, one JSON object), the checks of a record it
 * gets, and the summary.
 */
#include <string.h>

#include "lib/clock.h"
#include "lib/common.h"

#include "cli/hwevent.h"

/* ---- Reporting events ---- */

/* Per mode (parse_mode() checked it): its --json name, its banner. */
static const struct {
	const char *name;
	const char *banner;
} modes[] = {
	[HWEVENT_MODE_PENDING] = { "pending",
		"pending-request mode (the ioctl waits, like a pending IRP)" },
	[HWEVENT_MODE_EVENTFD] = { "eventfd",
		"eventfd mode (the driver signals an eventfd, like a Windows event object)" },
	[HWEVENT_MODE_QUEUE] = { "queue",
		"queue mode (the driver queues records for read(2), like a pending ReadFile)" },
};

/* Mode 0 with --uring: its own --json name, so its keys are known. */
static const char *mode_name(const struct options *o)
{
	return o->uring ? "uring" : modes[o->mode].name;
}

static void record_latency(struct state *st, int64_t lat)
{
	if (st->events == 0 || lat < st->lat_min)
		st->lat_min = lat;
	if (st->events == 0 || lat > st->lat_max)
		st->lat_max = lat;
	st->lat_sum += (double)lat;
	st->events++;
}

static const char *ioctl_hint(int err)
{
	switch (err) {
	case ENOTTY:
		return "the device is not hwevent, or its driver is too old for this program";
	case ENOSPC:
		return "too many registrations on this file (max_pending, see /sys/module/hwevent/parameters/max_pending)";
	case EINVAL:
		return "the driver refused the mode, delay, period or eventfd; driver and program disagree on the interface?";
	case EBADF:
		return "the driver did not accept our eventfd";
	case ENOMEM:
		return "the kernel is out of memory";
	case EFAULT:
		return "the driver could not read or write our argument (a bug)";
	case ENODEV:
		return "no edu PCI device is bound to hwevent (--edu, --dma; QEMU: -device edu), or it went away";
	case ENOENT:
		return "the registration is no longer waiting (a bug?)";
	default:
		return NULL;
	}
}

void report_ioctl_error(const char *name, int err)
{
	const char *hint = ioctl_hint(err);

	/* event.exe printed only "Ioctl failed with code %d". */
	fprintf(stderr, PROG ": %s failed: %s%s%s\n", name, strerror(err),
		hint ? ": " : "", hint ? hint : "");
}

/* Warn if a record is not for @id and @cookie, or its times disagree. */
void check_record(const struct hwevent_event *ev, uint64_t id,
		  uint64_t cookie)
{
	bool triggered = ev->flags & HWEVENT_EVENT_TRIGGERED;

	if (ev->id != id || ev->cookie != cookie)
		fprintf(stderr,
			PROG ": warning: the record is for id %llu cookie %llu, we registered id %llu cookie %llu\n",
			(unsigned long long)ev->id,
			(unsigned long long)ev->cookie,
			(unsigned long long)id, (unsigned long long)cookie);
	if ((ev->irq_ns < ev->due_ns && !triggered) || ev->bh_ns < ev->irq_ns)
		fprintf(stderr,
			PROG ": warning: timestamps out of order (due %llu, interrupt %llu, bottom half %llu ns)\n",
			(unsigned long long)ev->due_ns,
			(unsigned long long)ev->irq_ns,
			(unsigned long long)ev->bh_ns);
}

/* What an event counts as late from: when it was due, or triggered. */
static uint64_t report_reference(const struct report *r)
{
	if (!r->ev)
		return r->due_ns;
	if (r->ev->flags & HWEVENT_EVENT_TRIGGERED)
		return r->ev->irq_ns;
	return r->ev->due_ns;
}

/* The end of an event's line: what is there only sometimes. */
static void print_extras(const struct options *o, const struct report *r)
{
	if (o->has_cookie)
		printf(", cookie %llu", (unsigned long long)r->cookie);
	if (r->flags & HWEVENT_EVENT_TRIGGERED)
		printf(", triggered");
	if (r->flags & HWEVENT_EVENT_DMA)
		printf(", from the edu device by DMA: word %#x", r->ev->data);
	else if (r->flags & HWEVENT_EVENT_DEVICE)
		printf(", from the edu device");
	if (r->ev && r->ev->overruns)
		printf(", %u overrun%s", r->ev->overruns,
		       r->ev->overruns == 1 ? "" : "s");
	if (r->ev && r->ev->lost)
		printf(", %u record%s lost before it", r->ev->lost,
		       r->ev->lost == 1 ? "" : "s");
	printf("\n");
}

/* Modes 0 and 2: the record splits the lateness into its parts. */
static void print_record_text(const struct state *st,
			      const struct options *o,
			      const struct report *r, int64_t lat)
{
	const struct hwevent_event *ev = r->ev;
	uint64_t ref = report_reference(r);
	char ts[32], total[24], irq[24], bh[24], wake[24];

	printf("event %llu: seq %llu, id %llu, fired at %s s (CLOCK_MONOTONIC), %s ms late (interrupt %s ms, bottom half %s ms, wake-up %s ms)",
	       st->events, (unsigned long long)ev->seqno,
	       (unsigned long long)r->id,
	       fmt_timestamp(ts, sizeof(ts), ev->irq_ns),
	       fmt_ms(total, sizeof(total), lat, false),
	       fmt_ms(irq, sizeof(irq), (int64_t)(ev->irq_ns - ref), true),
	       fmt_ms(bh, sizeof(bh), (int64_t)(ev->bh_ns - ev->irq_ns), true),
	       fmt_ms(wake, sizeof(wake), (int64_t)(r->wake_ns - ev->bh_ns),
		      true));
	print_extras(o, r);
}

/*
 * --uring: the CQE has the seqno and irq_ns, not the bottom half's time:
 * the part after the interrupt is the bottom half, io_uring's task work
 * posting the CQE, and our wake-up, together.
 */
static void print_uring_text(const struct state *st,
			     const struct options *o,
			     const struct report *r, int64_t lat)
{
	const struct hwevent_event *ev = r->ev;
	char ts[32], total[24], irq[24], done[24];

	printf("event %llu: seq %llu, command %llu, fired at %s s (CLOCK_MONOTONIC), %s ms late (interrupt %s ms, completion %s ms)",
	       st->events, (unsigned long long)ev->seqno,
	       (unsigned long long)r->command,
	       fmt_timestamp(ts, sizeof(ts), ev->irq_ns),
	       fmt_ms(total, sizeof(total), lat, false),
	       fmt_ms(irq, sizeof(irq), (int64_t)(ev->irq_ns - ev->due_ns),
		      true),
	       fmt_ms(done, sizeof(done), (int64_t)(r->wake_ns - ev->irq_ns),
		      true));
	print_extras(o, r);
}

/* Mode 1: only the id and the count come back; we measure the rest. */
static void print_eventfd_text(const struct state *st,
			       const struct options *o,
			       const struct report *r, int64_t lat)
{
	char ts[32], total[24];

	printf("event %llu: id %llu, eventfd count %llu, woke at %s s (CLOCK_MONOTONIC), %s ms late (measured from the %s)",
	       st->events, (unsigned long long)r->id,
	       (unsigned long long)r->count,
	       fmt_timestamp(ts, sizeof(ts), r->wake_ns),
	       fmt_ms(total, sizeof(total), lat, false),
	       r->flags & HWEVENT_EVENT_TRIGGERED ? "trigger" : "ioctl");
	print_extras(o, r);
}

/* ["triggered","periodic"]; a bit we have no name for as "0x8". */
static void print_json_flags(uint32_t flags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ HWEVENT_EVENT_TRIGGERED, "triggered" },
		{ HWEVENT_EVENT_PERIODIC, "periodic" },
		{ HWEVENT_EVENT_LOST, "lost" },
		{ HWEVENT_EVENT_DEVICE, "device" },
		{ HWEVENT_EVENT_DMA, "dma" },
		{ HWEVENT_EVENT_DEVICE_GONE, "device_gone" },
	};
	const char *sep = "";
	uint32_t bit;
	size_t i;

	printf("[");
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (flags & names[i].bit) {
			printf("%s\"%s\"", sep, names[i].name);
			sep = ",";
		}
		flags &= ~names[i].bit;
	}
	for (bit = 1; flags; bit <<= 1) {
		if (flags & bit) {
			printf("%s\"0x%x\"", sep, bit);
			sep = ",";
		}
		flags &= ~bit;
	}
	printf("]");
}

static void print_json(const struct state *st, const struct options *o,
		       const struct report *r, int64_t lat)
{
	const struct hwevent_event *ev = r->ev;

	printf("{\"event\":%llu,\"mode\":\"%s\",\"%s\":%llu,\"cookie\":%llu",
	       st->events, mode_name(o), o->uring ? "command" : "id",
	       (unsigned long long)(o->uring ? r->command : r->id),
	       (unsigned long long)r->cookie);
	if (ev)
		printf(",\"seqno\":%llu,\"due_ns\":%llu,\"irq_ns\":%llu",
		       (unsigned long long)ev->seqno,
		       (unsigned long long)ev->due_ns,
		       (unsigned long long)ev->irq_ns);
	if (ev && !o->uring)
		printf(",\"bh_ns\":%llu", (unsigned long long)ev->bh_ns);
	if (!ev)
		printf(",\"count\":%llu,\"due_ns\":%llu",
		       (unsigned long long)r->count,
		       (unsigned long long)r->due_ns);
	printf(",\"wake_ns\":%llu,\"latency_ns\":%lld,\"flags\":",
	       (unsigned long long)r->wake_ns, (long long)lat);
	print_json_flags(r->flags);
	if (ev && !o->uring)
		printf(",\"lost\":%u,\"overruns\":%u", ev->lost, ev->overruns);
	if (ev && (ev->flags & HWEVENT_EVENT_DMA))
		printf(",\"data\":%u", ev->data);
	printf("}\n");
}

void report_event(struct state *st, const struct options *o,
		  const struct report *r)
{
	int64_t lat = (int64_t)(r->wake_ns - report_reference(r));

	record_latency(st, lat);
	if (r->ev) {
		st->lost += r->ev->lost;
		st->overruns += r->ev->overruns;
	}
	if (o->json)
		print_json(st, o, r, lat);
	else if (o->uring)
		print_uring_text(st, o, r, lat);
	else if (r->ev)
		print_record_text(st, o, r, lat);
	else
		print_eventfd_text(st, o, r, lat);
}

void report_record(struct state *st, const struct options *o,
		   const struct hwevent_event *ev, uint64_t woke)
{
	struct report r = {
		.id = ev->id,
		.cookie = ev->cookie,
		.ev = ev,
		.wake_ns = woke,
		.flags = ev->flags,
	};

	report_event(st, o, &r);
}

void print_banner(const struct state *st, const struct options *o)
{
	bool blocking = (o->mode == HWEVENT_MODE_PENDING && !o->uring) ||
			(o->mode != HWEVENT_MODE_PENDING &&
			 o->wait == METHOD_READ);
	const char *press = o->count ? "press" : "Press";
	char delay[32], period[32];

	fprintf(info_out, PROG ": %s", modes[o->mode].banner);
	if (o->uring)
		fprintf(info_out,
			", %u at once as io_uring commands (completed on a ring, like overlapped requests on a completion port)",
			o->uring);
	fprintf(info_out, ", delay %s s",
		fmt_seconds(delay, sizeof(delay), o->delay_ns));
	if (o->reg_flags & HWEVENT_REGISTER_DMA)
		fprintf(info_out,
			", the interrupt from the edu PCI device at the end of a DMA transfer");
	else if (o->reg_flags)
		fprintf(info_out, ", the interrupt from the edu PCI device");
	if (o->period_ns)
		fprintf(info_out, ", then every %s s",
			fmt_seconds(period, sizeof(period), o->period_ns));
	if (o->wait != METHOD_READ)
		fprintf(info_out, ", waiting in %s",
			o->wait == METHOD_POLL ? "poll(2)" : "epoll_wait(2)");
	if (o->trigger)
		fprintf(info_out, ", triggered at once");
	fprintf(info_out, ". ");
	if (o->count)
		fprintf(info_out, "Stops after %llu event%s; ", o->count,
			o->count == 1 ? "" : "s");
	if (st->in.watch && blocking)
		fprintf(info_out,
			"%s Enter or q to quit after the current event, Ctrl-C at once.\n",
			press);
	else if (st->in.watch)
		fprintf(info_out, "%s Enter or q to quit.\n", press);
	else
		fprintf(info_out, "%s Ctrl-C to quit.\n", press);
}

void print_summary(const struct state *st)
{
	char lo[24], avg[24], hi[24];

	fprintf(info_out, PROG ": done after %llu event%s (%s)", st->events,
		st->events == 1 ? "" : "s", st->reason);
	if (st->events)
		fprintf(info_out, "; latency min %s ms, avg %s ms, max %s ms",
			fmt_ms(lo, sizeof(lo), st->lat_min, false),
			fmt_ms(avg, sizeof(avg),
			       (int64_t)(st->lat_sum / (double)st->events),
			       false),
			fmt_ms(hi, sizeof(hi), st->lat_max, false));
	if (st->overruns || st->lost)
		fprintf(info_out, "; %llu overrun%s, %llu record%s lost",
			st->overruns, st->overruns == 1 ? "" : "s",
			st->lost, st->lost == 1 ? "" : "s");
	if (st->cancel_issued)
		fprintf(info_out, "; cancelled %llu pending", st->cancelled);
	fprintf(info_out, "\n");
}
