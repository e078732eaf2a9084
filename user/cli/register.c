// SPDX-License-Identifier: GPL-2.0
/*
 * register.c - registering: mode 0's pending request, which waits in the
 * ioctl; modes 1 and 2's registration, which returns at once, --trigger,
 * and the periodic one cancelled at exit.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "lib/clock.h"
#include "lib/common.h"
#include "lib/signals.h"
#include "lib/uapi.h"

#include "cli/hwevent.h"

/* ---- Registering, and waiting in each mode ---- */

static void init_register(struct hwevent_register *reg,
			  const struct state *st, const struct options *o)
{
	/* The cookie: by default the number of the (first) event it reports. */
	reg_init(reg, o->mode, st->efd, o->delay_ns, o->period_ns,
		 o->has_cookie ? o->cookie : st->events + 1);
	/* --edu, --dma: the interrupt from the PCI device. */
	reg->flags = o->reg_flags;
}

/*
 * Pending-request mode. The ioctl blocks until the event, so a key is only
 * seen after it, as with event.exe; a signal ends the wait at once.
 * Windows: a synchronous DeviceIoControl() whose IRP the driver pends.
 */
enum wait_result wait_pending(struct state *st,
			      const struct options *o)
{
	struct hwevent_register reg;
	sigset_t cont, old;
	uint64_t woke;
	int ret, err;

	init_register(&reg, st, o);

	/*
	 * A signal that lands between the main loop's stop_signal check and
	 * the ioctl does not interrupt it: that stop is seen after this
	 * event, or at the next signal. No ioctl takes a signal mask.
	 *
	 * Ctrl-Z and fg must not end the wait: the driver resumes a wait
	 * that a stop interrupted unless a handler runs, and ours for
	 * SIGCONT would. Held back, it runs once the ioctl has returned
	 * (SIGCONT continues the process all the same).
	 */
	sigemptyset(&cont);
	sigaddset(&cont, SIGCONT);
	sigprocmask(SIG_BLOCK, &cont, &old);
	ret = ioctl(st->devfd, HWEVENT_IOC_REGISTER, &reg);
	err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = err;
	if (ret < 0) {
		if (errno != EINTR) {
			report_ioctl_error("HWEVENT_IOC_REGISTER", errno);
			return WAIT_ERROR;
		}
		/* The driver dropped the registration; nothing to undo. */
		if (!stop_signal)
			fprintf(stderr,
				PROG ": the wait was interrupted by a signal; registering again (the delay starts over)\n");
		return WAIT_AGAIN;
	}
	woke = now_ns();
	check_record(&reg.event, reg.id, reg.cookie);
	report_record(st, o, &reg.event, woke);
	return WAIT_EVENT;
}

/* --trigger: fire the registration now, without waiting for its timer. */
static int trigger_live(struct state *st)
{
	struct hwevent_trigger trig;
	uint64_t t;

	memset(&trig, 0, sizeof(trig));
	trig.id = st->live_id;
	t = now_ns();
	if (ioctl(st->devfd, HWEVENT_IOC_TRIGGER, &trig) == 0) {
		st->trigger_ns = t;
		return 0;
	}
	/* A one-shot registration's timer may have fired first (delay 0). */
	if (errno == ENOENT)
		return 0;
	report_ioctl_error("HWEVENT_IOC_TRIGGER", errno);
	return -1;
}

/*
 * Modes 1 and 2: register (Windows: DeviceIoControl() with the event
 * handle, or a ReadFile left pending), which returns at once.
 */
enum wait_result arm(struct state *st, const struct options *o)
{
	struct hwevent_register reg;
	uint64_t issued;

	init_register(&reg, st, o);
	issued = now_ns();
	if (ioctl(st->devfd, HWEVENT_IOC_REGISTER, &reg) < 0) {
		if (errno == EINTR)
			return WAIT_AGAIN;
		report_ioctl_error("HWEVENT_IOC_REGISTER", errno);
		return WAIT_ERROR;
	}
	st->live_id = reg.id;
	st->live_cookie = reg.cookie;
	st->first_due = issued + o->delay_ns;
	st->deadline = st->first_due + LOST_EVENT_MS * NSEC_PER_MSEC;
	st->trigger_ns = 0;
	if (o->trigger && trigger_live(st) < 0)
		return WAIT_ERROR;
	return WAIT_ARMED;
}

/* At exit: a periodic registration fires until cancelled; cancel it. */
int cancel_periodic(struct state *st, const struct options *o)
{
	struct hwevent_cancel cancel;

	if (!o->period_ns || !st->live_id)
		return 0;
	memset(&cancel, 0, sizeof(cancel));
	cancel.id = st->live_id;
	if (ioctl(st->devfd, HWEVENT_IOC_CANCEL, &cancel) < 0) {
		report_ioctl_error("HWEVENT_IOC_CANCEL", errno);
		return -1;
	}
	st->live_id = 0;
	return 0;
}

/*
 * After an event: a one-shot registration is over; a periodic one's next
 * event is due a period later, or at its first expiry if we triggered it.
 */
void event_seen(struct state *st, const struct options *o,
		uint64_t woke)
{
	uint64_t next = woke + o->period_ns;

	st->trigger_ns = 0;
	if (!o->period_ns) {
		st->live_id = 0;
		return;
	}
	if (next < st->first_due)
		next = st->first_due;
	st->deadline = next + LOST_EVENT_MS * NSEC_PER_MSEC;
}

/*
 * Eventfd mode has no record, so the event counts as due when we
 * triggered it, else at the ioctl's time plus the delay, or for a periodic
 * registration at the latest period boundary after that by the wake-up.
 */
