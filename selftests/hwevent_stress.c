// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_stress - many threads doing everything to /dev/hwevent at once,
 * for --seconds, and the books balanced at the end.
 *
 * --threads workers (default 8) share --files open files (default 4),
 * each used through a dup() of its descriptor, and at random:
 *  - register EVENTFD (own eventfd or the file's shared one; 0..2 ms, or
 *    an hour, which only a cancel or the close ends) with random cookies;
 *  - register PENDING (0..2 ms, or an hour) and wait, while others may
 *    cancel it by id or with ALL, or send SIGUSR1 (SA_RESTART handler);
 *  - cancel their own EVENTFD registrations by id, or all of a file's;
 *  - close a file and open a new one in its place (calls in flight keep
 *    the old one alive: its release runs at their last close);
 *  - register one-shot QUEUE (0..2 ms, or an hour), and periodic QUEUE or
 *    EVENTFD (period 100 us..2 ms), later cancelled by id, or left to an
 *    ALL or the close; trigger watched registrations by id, or a file's
 *    all; read records from the files (blocking with a deadline, after
 *    poll, RWF_NOWAIT, or on files opened O_NONBLOCK; buffers of less
 *    than a record, one, or up to 64), queue_size --queue-size (256);
 *  - fork a child that registers EVENTFD on the inherited file and exits,
 *    or registers PENDING and is killed (or not) while it waits, or opens
 *    its own file, registers and exits without closing, or just holds
 *    every inherited file for a moment.
 * Meanwhile a thread keeps calling delete_module("hwevent", O_NONBLOCK),
 * which must fail (EAGAIN or EBUSY) as long as a file is open: one is
 * kept open throughout. If it ever succeeds, everything stops.
 *
 * Checked, as it happens: each call gives success or an errno it may give
 * (ENOSPC only as the file fills up); an own eventfd is signalled at most
 * once, never after its cancel succeeded, and once when a cancel found it
 * already fired (unless an ALL raced); a PENDING call returns 0 with a sane
 * record, ECANCELED, or EINTR only if its thread got a signal.
 * Records: sane (flags, lost, reserved 0, bh_ns >= irq_ns >= due_ns unless
 * triggered), of a QUEUE registration (cookies carry the kind), seqnos
 * rising within a read and above every read of the file completed before;
 * a one-shot's at most once, never after a cancel by id took it, its
 * cookie the registration's; a periodic one's never from an interrupt
 * after its cancel returned, and a periodic eventfd never counts after
 * its cancel returned (nor once every file is closed). A one-shot a
 * trigger fired cannot be cancelled after.
 * At the end (every thread joined and child reaped within a deadline),
 * per open file: every registration is accounted for exactly once, fired
 * (eventfd counts and PENDING returns) + cancelled (the counts cancel
 * reported) + interrupted == registered, up to the children killed with an
 * unknown outcome and one-shot QUEUE records lost to overflow (the sum of
 * the lost counts read); one-shot QUEUE records read count as fired,
 * periodic registrations end cancelled; for files closed during the run (which drop what had
 * not fired) the sum may only be smaller. Then, from the debugfs counters
 * over the run: armed == completed + cancelled + interrupted + dropped,
 * cancelled == what the cancels reported, live and eventfd_refs back to
 * where they were once everything is closed; queued >= records read +
 * lost, queue_lost >= lost, ticks >= periodic eventfd counts, triggered ==
 * the counts the triggers returned. Last (unless --no-rmmod, and
 * only with the module file in $HWEVENT_KO or --module, so that it can be
 * put back), delete_module must succeed at once, and the module is loaded
 * again.
 *
 * Prints TAP and a "# figures:" line; exits 0, 1 on a failure, 4 if
 * /dev/hwevent is missing. A watchdog ends the run (exit 1) if nothing
 * progresses for 60 s or the run overruns --seconds by 120 s.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hwevent_util.h"

#define MAX_THREADS	64
#define MAX_FILES	64
#define MAX_TREGS	64	/* outstanding EVENTFD registrations a thread tracks */
#define MAX_QREGS	16	/* QUEUE and periodic registrations a thread tracks */
#define MAX_ID		(1U << 22)	/* ids per file the tables follow */
#define REC_SIZE	sizeof(struct hwevent_event)
#define MIN_PERIOD_NS	HWEVENT_MIN_PERIOD_NS
#define MAX_PERIOD_NS	(2 * NSEC_PER_MSEC)
#define SHORT_NS	(2 * NSEC_PER_MSEC)
#define LONG_NS		(3600 * NSEC_PER_SEC)
/* How late an event may be and still not count as lost. */
#define SLACK_NS	(10 * NSEC_PER_SEC)
#define STALL_NS	(60 * NSEC_PER_SEC)
#define OVERRUN_NS	(120 * NSEC_PER_SEC)
#define MAX_REPORTS	30

static struct {
	unsigned long long seconds;
	unsigned int threads;
	unsigned int files;
	uint64_t seed;
	int no_rmmod;
	const char *module;
	long long queue_size;	/* set for the run; 0: leave it */
} opt = { .seconds = 10, .threads = 8, .files = 4, .queue_size = 256 };

/*
 * Cookies say what registered them, in their top 16 bits: a record must
 * carry the cookie of a QUEUE registration, one-shot or periodic.
 */
#define CK_SHIFT	48
#define CK_OTHER	0x4f54ULL	/* "OT": EVENTFD, PENDING */
#define CK_Q1		0x5131ULL	/* "Q1": one-shot QUEUE */
#define CK_QP		0x5150ULL	/* "QP": periodic QUEUE */
#define CK_EP		0x4550ULL	/* "EP": periodic EVENTFD */

static uint64_t tagged(struct prng *rng, uint64_t tag)
{
	return tag << CK_SHIFT | (prng_next(rng) & ((1ULL << CK_SHIFT) - 1));
}

/* What a file knows of one of its ids (QUEUE ones), by id. */
struct rent {
	uint64_t cookie;	/* the registrar's, once it stored it */
	uint64_t rcookie;	/* the first record's */
	uint64_t cancel_ns;	/* periodic: its cancel by id returned then */
	uint32_t records;	/* records of it read */
	uint8_t cancelled;	/* a cancel by id returned count 1 */
	uint8_t triggered;	/* one-shot: a trigger by id returned count 1 */
};

/* --- the open files ------------------------------------------------------- */

/*
 * One open file of /dev/hwevent from its open to the end of the run (the
 * structure outlives the close: its books are kept to the end).
 * The counters are updated atomically by whoever sees the outcome.
 */
struct gen {
	pthread_mutex_t lock;	/* fd, closed */
	int fd;			/* our descriptor, -1 once closed */
	int shared_efd;		/* eventfd shared by some registrations */
	unsigned int index;	/* the how-manieth file opened */
	struct gen *next;	/* all of them, newest first */
	/* The books. */
	uint64_t registered;	/* known to have been armed */
	uint64_t fired;		/* eventfd counts seen + PENDING returns 0 */
	uint64_t cancelled;	/* sum of the counts cancel returned */
	uint64_t interrupted;	/* PENDING EINTR */
	uint64_t ecanceled;	/* PENDING ECANCELED (<= cancelled) */
	uint64_t unknown;	/* killed children: armed or not, ended how */
	uint64_t all_epoch;	/* ALL cancels on it: +1 before, +1 after */
	uint64_t all_running;	/* ALL cancels between their two +1s */
	uint64_t trig_epoch;	/* ALL triggers started on it */
	int closed_early;	/* closed before the end of the run */
	int nonblock;		/* opened O_NONBLOCK */
	/* The queue: records read, and what they say. */
	pthread_mutex_t tlock;	/* tab, tab_n */
	struct rent *tab;
	size_t tab_n;
	uint64_t q1_registered;	/* one-shot QUEUE registrations armed */
	uint64_t q1_read;	/* ... whose record was read */
	uint64_t per_registered;	/* periodic ones, QUEUE and EVENTFD */
	uint64_t q_read;	/* records read */
	uint64_t q_lost;	/* sum of their lost */
	uint64_t max_seqno;	/* highest seqno of the reads completed */
};

static struct {
	pthread_mutex_t lock;
	struct gen *g;
} slots[MAX_FILES];

static pthread_mutex_t gens_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gen *all_gens;
static unsigned int nr_gens;

#define ADD(p, v)	__atomic_add_fetch(&(p), (v), __ATOMIC_SEQ_CST)
#define LOAD(p)		__atomic_load_n(&(p), __ATOMIC_SEQ_CST)
#define STORE(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_SEQ_CST)

static struct prng gen_rng;	/* under gen_rng_lock */
static pthread_mutex_t gen_rng_lock = PTHREAD_MUTEX_INITIALIZER;

static struct gen *gen_open(void)
{
	struct gen *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->tlock, NULL);
	/* A quarter of them: every read of them O_NONBLOCK. */
	pthread_mutex_lock(&gen_rng_lock);
	g->nonblock = prng_below(&gen_rng, 4) == 0;
	pthread_mutex_unlock(&gen_rng_lock);
	g->fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC |
		     (g->nonblock ? O_NONBLOCK : 0));
	g->shared_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (g->fd < 0 || g->shared_efd < 0) {
		if (g->fd >= 0)
			close(g->fd);
		if (g->shared_efd >= 0)
			close(g->shared_efd);
		free(g);
		return NULL;
	}
	pthread_mutex_lock(&gens_lock);
	g->index = nr_gens++;
	g->next = all_gens;
	all_gens = g;
	pthread_mutex_unlock(&gens_lock);
	return g;
}

/* A descriptor of @g of our own, or -1 if it is closed. */
/*
 * Whether an ALL cancel may have taken a registration made at @epoch: one
 * is between its two +1s (a cancel by id that waited behind it in the
 * driver returns before the ALL's caller counts it), or one ran since.
 * all_running first: once it reads 0, both +1s of an ALL that took the
 * registration are done.
 */
static int all_since(struct gen *g, uint64_t epoch)
{
	return LOAD(g->all_running) || LOAD(g->all_epoch) != epoch;
}

static int gen_dup(struct gen *g)
{
	int fd = -1;

	pthread_mutex_lock(&g->lock);
	if (g->fd >= 0)
		fd = fcntl(g->fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&g->lock);
	return fd;
}

static void gen_close(struct gen *g, int early)
{
	int fd;

	pthread_mutex_lock(&g->lock);
	fd = g->fd;
	g->fd = -1;
	if (fd >= 0 && early)
		STORE(g->closed_early, 1);
	pthread_mutex_unlock(&g->lock);
	if (fd >= 0)
		close(fd);
}

/* The file in slot @i, with a descriptor of our own. */
static struct gen *slot_get(unsigned int i, int *fd)
{
	struct gen *g;

	pthread_mutex_lock(&slots[i].lock);
	g = slots[i].g;
	*fd = g ? gen_dup(g) : -1;
	pthread_mutex_unlock(&slots[i].lock);
	return *fd >= 0 ? g : NULL;
}

/* --- workers -------------------------------------------------------------- */

/* An EVENTFD registration a worker watches. */
struct treg {
	struct gen *g;
	uint64_t id;		/* 0: not known (never cancelled by id) */
	int efd;		/* own eventfd, or -1: the file's shared one */
	uint64_t due;		/* not fired before this */
	uint64_t epoch;		/* g->all_epoch when it was made */
	int is_long;
	int cancelled;		/* a cancel by id returned it */
	int must_fire;		/* a cancel by id found it fired */
	uint64_t signals;	/* own eventfd: counts read so far */
	uint64_t settle_at;	/* cancelled: when to stop watching */
	uint64_t trig_epoch;	/* g->trig_epoch when it was made */
};

/* What a forked child tells its parent, in shared memory. */
struct child_report {
	int ret;		/* -1: did not get that far */
	int nr_own;		/* registrations on its own file */
	uint64_t id;
	struct hwevent_register r;
};

/* A QUEUE or periodic registration a worker watches. */
enum qkind { K_Q1, K_QP, K_EP };

struct qreg {
	struct gen *g;
	uint64_t id;
	enum qkind kind;
	int efd;		/* K_EP: own eventfd; else -1 */
	uint64_t due;		/* K_Q1: not fired before this */
	uint64_t end_at;	/* cancel it by id then (~0: leave it) */
	uint64_t epoch;		/* g->all_epoch when it was made */
	uint64_t quiet_from;	/* K_EP cancelled: no count after this */
	int cancelled;		/* K_EP: by id, its counts drained */
};

struct worker {
	pthread_t thread;
	unsigned int index;
	struct prng rng;
	struct treg regs[MAX_TREGS];
	unsigned int nr;
	struct child_report *report;
	/* Published to the others while a PENDING call is in flight. */
	uint64_t pend_seq;	/* odd while in the call */
	struct gen *pend_g;
	struct hwevent_register preq;
	uint64_t pend_deadline;	/* the rescuer signals it after this */
	uint64_t rescued_at;	/* when the rescuer last signalled it */
	int sig_handled;	/* bumped by the SIGUSR1 and SIGUSR2 handlers */
	/* Published while a read of the device is in flight. */
	uint64_t read_seq;	/* odd while in the call */
	uint64_t read_deadline;	/* the rescuer sends SIGUSR2 after this */
	uint64_t read_rescued_at;
	struct qreg qregs[MAX_QREGS];
	unsigned int nq;
	/* For the watchdog and the rescuer. */
	const char *op;
	uint64_t progress;
	int finished;
	/* Figures. */
	uint64_t n_reg, n_pending, n_cancel, n_all, n_signal, n_reopen;
	uint64_t n_fork, n_enospc, n_killed;
	uint64_t n_q1, n_qp, n_ep, n_qcancel, n_trigger, n_trigger_all;
	uint64_t n_trigger_fired, n_reads, n_read_eintr, n_read_eagain;
	uint64_t n_read_einval, n_ep_ticks;
};

static struct worker workers[MAX_THREADS];
static __thread struct worker *self;
static volatile int stop;
static uint64_t failures;
static pthread_mutex_t print_lock = PTHREAD_MUTEX_INITIALIZER;

/* Children's registrations on files of their own, and their signals. */
static uint64_t child_own_registered, child_own_fired;
static uint64_t rmmod_refused, rmmod_unexpected;
static uint64_t rescues;	/* signals from the rescuer */
static uint64_t read_rescues;	/* SIGUSR2s from the rescuer, to readers */
static int rmmod_succeeded;	/* the module went away during the run */
static const char *rmmod_off;	/* why the unload thread did not run */

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (ADD(failures, 1) > MAX_REPORTS)
		return;
	pthread_mutex_lock(&print_lock);
	printf("# thread %d: ", self ? (int)self->index : -1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&print_lock);
}

static void on_sigusr1(int sig)
{
	(void)sig;
	if (self)
		ADD(self->sig_handled, 1);
}

/* Device-wide sums of what the workers did, for the debugfs checks. */
static uint64_t trigger_counts;	/* the counts HWEVENT_IOC_TRIGGER returned */

static uint64_t rand_delay(struct prng *rng, int *is_long)
{
	*is_long = prng_pct(rng, 8);
	if (*is_long)
		return LONG_NS;
	/* Half of them within 50 us: the window for races. */
	if (prng_pct(rng, 50))
		return prng_below(rng, 50 * NSEC_PER_USEC);
	return prng_below(rng, SHORT_NS + 1);
}

static int new_efd(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

/* Reads an own eventfd; checks the at-most-once and after-cancel rules. */
static void treg_read(struct treg *t)
{
	uint64_t c;

	if (t->efd < 0)
		return;
	c = efd_take(t->efd);
	if (c == UINT64_MAX) {
		fail("read eventfd: %s", strerror(errno));
		return;
	}
	if (!c)
		return;
	t->signals += c;
	ADD(t->g->fired, c);
	if (t->signals > 1)
		fail("file %u id %llu: eventfd signalled %llu times",
		     t->g->index, (unsigned long long)t->id,
		     (unsigned long long)t->signals);
	if (t->cancelled)
		fail("file %u id %llu: cancelled, yet signalled",
		     t->g->index, (unsigned long long)t->id);
}

static void treg_drop(struct worker *w, unsigned int i)
{
	if (w->regs[i].efd >= 0)
		close(w->regs[i].efd);
	w->regs[i] = w->regs[--w->nr];
}

/*
 * Looks at the registrations this worker watches: reads own eventfds,
 * forgets what is settled: seen signalled; a while after its cancel; past
 * due with the shared eventfd, or when an ALL or the file's close may have
 * ended it. The per-file sums judge what is forgotten unsignalled; an own
 * eventfd that must fire is watched to the end (see drain()).
 */
static void tregs_poll(struct worker *w)
{
	uint64_t now = now_ns();
	unsigned int i = 0;

	while (i < w->nr) {
		struct treg *t = &w->regs[i];
		int closed = LOAD(t->g->closed_early);
		int all = all_since(t->g, t->epoch);
		int settled;

		treg_read(t);
		if (t->efd >= 0 && t->signals)
			settled = 1;
		else if (t->cancelled)
			settled = now >= t->settle_at;
		else if (t->must_fire && t->efd >= 0)
			settled = closed && now > t->due + SLACK_NS;
		else if (t->is_long)
			/* An ALL trigger may have fired it: then wait for it. */
			settled = closed || (all && (LOAD(t->g->trig_epoch) == t->trig_epoch ||
						     now > t->due + SLACK_NS));
		else if (t->efd < 0)
			settled = now > t->due + 5 * NSEC_PER_MSEC;
		else	/* must fire: watched to the end if need be */
			settled = (closed || (all && !t->must_fire)) &&
				  now > t->due + SLACK_NS;
		if (settled)
			treg_drop(w, i);
		else
			i++;
	}
}

static void op_register_eventfd(struct worker *w)
{
	struct hwevent_register r;
	struct treg *t;
	struct gen *g;
	int fd, err, own, is_long;
	uint64_t delay, start;

	if (w->nr == MAX_TREGS)
		return;
	g = slot_get(prng_below(&w->rng, opt.files), &fd);
	if (!g)
		return;
	t = &w->regs[w->nr];
	memset(t, 0, sizeof(*t));
	delay = rand_delay(&w->rng, &is_long);
	own = prng_pct(&w->rng, 60);
	t->efd = own ? new_efd() : -1;
	if (own && t->efd < 0) {
		fail("eventfd: %s", strerror(errno));
		close(fd);
		return;
	}
	t->epoch = LOAD(g->all_epoch);
	t->trig_epoch = LOAD(g->trig_epoch);
	reg_set(&r, HWEVENT_MODE_EVENTFD, own ? t->efd : g->shared_efd, delay,
		tagged(&w->rng, CK_OTHER));
	start = now_ns();
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	close(fd);
	w->n_reg++;
	if (err) {
		if (err == ENOSPC)
			w->n_enospc++;
		else
			fail("EVENTFD register: %s", errno_name(err));
		if (t->efd >= 0)
			close(t->efd);
		return;
	}
	ADD(g->registered, 1);
	t->g = g;
	t->id = r.id;
	t->due = start + delay;
	t->is_long = is_long;
	w->nr++;
}

/*
 * record_insane(), but a PENDING registration may have been fired by an
 * ALL trigger: then flagged, and its interrupt may precede its due time.
 */
static const char *pending_insane(const struct hwevent_register *r,
				  uint64_t start, uint64_t end)
{
	const struct hwevent_event *e = &r->event;
	const char *why;

	if (e->flags != HWEVENT_EVENT_TRIGGERED)
		return record_insane(r, start, end);
	why = record_head_insane(r, start);
	if (why)
		return why;
	if (e->irq_ns < start)
		return "triggered before the ioctl";
	if (e->bh_ns < e->irq_ns)
		return "bottom half before interrupt";
	if (e->bh_ns > end)
		return "bottom half after the ioctl returned";
	if (e->lost || e->overruns || e->data)
		return "lost, overruns or reserved not zero";
	return NULL;
}

static void op_register_pending(struct worker *w)
{
	struct hwevent_register *r = &w->preq;
	uint64_t start, end, cookie = tagged(&w->rng, CK_OTHER), delay;
	int fd, err, handled, is_long;
	struct gen *g;
	const char *why;

	g = slot_get(prng_below(&w->rng, opt.files), &fd);
	if (!g)
		return;
	delay = rand_delay(&w->rng, &is_long);
	reg_set(r, HWEVENT_MODE_PENDING, -1, delay, cookie);
	STORE(w->pend_g, g);
	/* Long ones are ended by a cancel, a signal, or the rescuer. */
	STORE(w->pend_deadline, now_ns() + SHORT_NS + 10 * NSEC_PER_MSEC +
	      prng_below(&w->rng, 100 * NSEC_PER_MSEC));
	handled = LOAD(w->sig_handled);
	ADD(w->pend_seq, 1);
	start = now_ns();
	err = xioctl(fd, HWEVENT_IOC_REGISTER, r);
	end = now_ns();
	ADD(w->pend_seq, 1);
	close(fd);
	w->n_pending++;
	switch (err) {
	case 0:
		ADD(g->registered, 1);
		ADD(g->fired, 1);
		why = pending_insane(r, start, end);
		if (why || r->event.cookie != cookie)
			fail("PENDING record: %s", why ? why : "cookie");
		break;
	case EINTR:
		ADD(g->registered, 1);
		ADD(g->interrupted, 1);
		/* The handler ran on the way out of the call. */
		if (LOAD(w->sig_handled) == handled)
			fail("PENDING EINTR, but no signal arrived");
		break;
	case ECANCELED:
		ADD(g->registered, 1);
		ADD(g->ecanceled, 1);
		break;
	case ENOSPC:
		w->n_enospc++;
		break;
	default:
		fail("PENDING register: %s", errno_name(err));
	}
}

static void op_cancel_own(struct worker *w)
{
	struct treg *t = NULL;
	unsigned int i, tries;
	uint64_t count;
	int fd, err;

	for (tries = 0; tries < 4 && w->nr; tries++) {
		i = prng_below(&w->rng, w->nr);
		if (w->regs[i].id && !w->regs[i].cancelled &&
		    !w->regs[i].must_fire) {
			t = &w->regs[i];
			break;
		}
	}
	if (!t)
		return;
	fd = gen_dup(t->g);
	if (fd < 0)
		return;	/* closed: dropped, or fired */
	err = cancel_id(fd, t->id, 0, &count);
	close(fd);
	w->n_cancel++;
	if (!err && count == 1) {
		ADD(t->g->cancelled, 1);
		t->cancelled = 1;
		t->settle_at = now_ns() + 20 * NSEC_PER_MSEC;
		/* Armed until now: it cannot have been signalled. */
		treg_read(t);
	} else if (err == ENOENT) {
		/* It fired, unless an ALL took it first. */
		if (!all_since(t->g, t->epoch) && t->efd >= 0)
			t->must_fire = 1;
	} else {
		fail("cancel id %llu: %s, count %llu",
		     (unsigned long long)t->id, errno_name(err),
		     err ? 0ULL : (unsigned long long)count);
	}
}

static void op_cancel_all(struct worker *w)
{
	struct gen *g;
	uint64_t count;
	int fd, err;

	g = slot_get(prng_below(&w->rng, opt.files), &fd);
	if (!g)
		return;
	/*
	 * Before and after: an ALL that started before a registration took
	 * its snapshot of the epoch, but whose ioctl ran after the register,
	 * still changes the epoch after that snapshot.
	 */
	ADD(g->all_running, 1);
	ADD(g->all_epoch, 1);
	err = cancel_id(fd, 0, HWEVENT_CANCEL_ALL, &count);
	ADD(g->all_epoch, 1);
	ADD(g->all_running, -1);
	close(fd);
	w->n_all++;
	if (err)
		fail("cancel ALL: %s", errno_name(err));
	else
		ADD(g->cancelled, count);
}

/* Another worker in a PENDING call, or NULL. */
static struct worker *pick_waiter(struct worker *w, uint64_t *seq)
{
	struct worker *v = &workers[prng_below(&w->rng, opt.threads)];

	*seq = LOAD(v->pend_seq);
	return v != w && (*seq & 1) ? v : NULL;
}

static void op_cancel_waiter(struct worker *w)
{
	uint64_t seq, id, count;
	struct worker *v;
	struct gen *g;
	int fd, err;

	v = pick_waiter(w, &seq);
	if (!v)
		return;
	g = LOAD(v->pend_g);
	id = __atomic_load_n(&v->preq.id, __ATOMIC_SEQ_CST);
	/* Both from the call still in flight, or give up. */
	if (!id || LOAD(v->pend_seq) != seq)
		return;
	fd = gen_dup(g);
	if (fd < 0)
		return;
	err = cancel_id(fd, id, 0, &count);
	close(fd);
	w->n_cancel++;
	if (!err && count == 1)
		ADD(g->cancelled, 1);
	else if (err != ENOENT)
		fail("cancel waiter id %llu: %s", (unsigned long long)id,
		     errno_name(err));
}

static void op_signal(struct worker *w)
{
	uint64_t seq;
	struct worker *v = pick_waiter(w, &seq);

	if (!v)
		return;
	pthread_kill(v->thread, SIGUSR1);
	w->n_signal++;
}

static void op_reopen(struct worker *w)
{
	unsigned int i = prng_below(&w->rng, opt.files);
	struct gen *g = gen_open(), *old;

	if (!g) {
		fail("open " HWEVENT_PATH ": %s", strerror(errno));
		return;
	}
	pthread_mutex_lock(&slots[i].lock);
	old = slots[i].g;
	slots[i].g = g;
	pthread_mutex_unlock(&slots[i].lock);
	/* The last close, unless a call or a dup still holds it. */
	gen_close(old, 1);
	w->n_reopen++;
}

/* --- the queue: registrations, triggers, reads ---------------------------- */

/* The table entry of @id of @g, grown as needed; g->tlock held. */
static struct rent *rent_get(struct gen *g, uint64_t id)
{
	size_t n;
	struct rent *tab;

	if (!id || id >= MAX_ID)
		return NULL;
	if (id >= g->tab_n) {
		n = g->tab_n ? g->tab_n : 1024;
		while (n <= id)
			n *= 2;
		tab = realloc(g->tab, n * sizeof(*tab));
		if (!tab)
			return NULL;
		memset(tab + g->tab_n, 0, (n - g->tab_n) * sizeof(*tab));
		g->tab = tab;
		g->tab_n = n;
	}
	return &g->tab[id];
}

/* The registrar's half: its cookie, checked against a record come first. */
static void rent_register(struct gen *g, uint64_t id, uint64_t cookie)
{
	struct rent *e;

	pthread_mutex_lock(&g->tlock);
	e = rent_get(g, id);
	if (!e)
		fail("file %u: id %llu beyond the table", g->index,
		     (unsigned long long)id);
	else if (e->cookie)
		fail("file %u: id %llu given twice", g->index,
		     (unsigned long long)id);
	else if (e->records && e->rcookie != cookie)
		fail("file %u id %llu: record came with cookie %#llx, registered %#llx",
		     g->index, (unsigned long long)id,
		     (unsigned long long)e->rcookie,
		     (unsigned long long)cookie);
	if (e)
		e->cookie = cookie;
	pthread_mutex_unlock(&g->tlock);
}

/*
 * One record read from @g: sane, of a QUEUE registration (its cookie),
 * seqnos rising within the read and above every read of @g completed
 * before this one began (@floor); a one-shot's at most once and never
 * after a cancel took it; a periodic one's never from an interrupt after
 * its cancel returned.
 */
static void record_seen(struct gen *g, const struct hwevent_event *e,
			uint64_t *last, uint64_t floor)
{
	uint64_t tag = e->cookie >> CK_SHIFT;
	const char *why = queue_record_insane(e);
	int periodic = tag == CK_QP;
	struct rent *r;

	ADD(g->q_read, 1);
	ADD(g->q_lost, e->lost);
	if (why)
		fail("file %u id %llu: record: %s", g->index,
		     (unsigned long long)e->id, why);
	if (tag != CK_Q1 && tag != CK_QP)
		fail("file %u id %llu: a record with cookie %#llx: not a QUEUE registration's",
		     g->index, (unsigned long long)e->id,
		     (unsigned long long)e->cookie);
	else if (!(e->flags & HWEVENT_EVENT_PERIODIC) != !periodic)
		fail("file %u id %llu: HWEVENT_EVENT_PERIODIC %s on a %s registration's record",
		     g->index, (unsigned long long)e->id,
		     periodic ? "missing" : "set",
		     periodic ? "periodic" : "one-shot");
	if (e->seqno <= *last || e->seqno <= floor)
		fail("file %u id %llu: seqno %llu after %llu (this read) / %llu (reads before)",
		     g->index, (unsigned long long)e->id,
		     (unsigned long long)e->seqno, (unsigned long long)*last,
		     (unsigned long long)floor);
	*last = e->seqno;

	pthread_mutex_lock(&g->tlock);
	r = rent_get(g, e->id);
	if (!r) {
		fail("file %u: a record of id %llu", g->index,
		     (unsigned long long)e->id);
		goto out;
	}
	if (++r->records == 1)
		r->rcookie = e->cookie;
	else if (r->rcookie != e->cookie)
		fail("file %u id %llu: cookie %#llx, earlier %#llx", g->index,
		     (unsigned long long)e->id, (unsigned long long)e->cookie,
		     (unsigned long long)r->rcookie);
	if (r->cookie && r->cookie != e->cookie)
		fail("file %u id %llu: cookie %#llx, registered %#llx",
		     g->index, (unsigned long long)e->id,
		     (unsigned long long)e->cookie,
		     (unsigned long long)r->cookie);
	if (tag == CK_Q1) {
		if (r->records > 1)
			fail("file %u id %llu: one-shot QUEUE registration, %u records",
			     g->index, (unsigned long long)e->id, r->records);
		else
			ADD(g->q1_read, 1), ADD(g->fired, 1);
		if (r->cancelled)
			fail("file %u id %llu: cancelled (count 1), yet its record came",
			     g->index, (unsigned long long)e->id);
	} else if (periodic && r->cancel_ns && e->irq_ns > r->cancel_ns) {
		fail("file %u id %llu: a periodic record from an interrupt %llu ns after its cancel returned",
		     g->index, (unsigned long long)e->id,
		     (unsigned long long)(e->irq_ns - r->cancel_ns));
	}
out:
	pthread_mutex_unlock(&g->tlock);
}

/* Reads completed on @g have seen seqnos up to @seq. */
static void gen_seqno_floor(struct gen *g, uint64_t seq)
{
	uint64_t cur = LOAD(g->max_seqno);

	while (cur < seq && !__atomic_compare_exchange_n(&g->max_seqno, &cur,
							 seq, 0,
							 __ATOMIC_SEQ_CST,
							 __ATOMIC_SEQ_CST))
		;
}

/*
 * Reads @g through @fd once, @len bytes: @how 0 read (blocking unless the
 * file is O_NONBLOCK), 1 preadv2(RWF_NOWAIT), 2 poll then read. Blocking
 * ones have a deadline: the rescuer's SIGUSR2 (no SA_RESTART) ends them.
 * Returns the records read, or -errno.
 */
static long gen_read(struct worker *w, struct gen *g, int fd, size_t len,
		     int how, uint64_t wait_ns)
{
	static __thread struct hwevent_event buf[64];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	uint64_t floor, last = 0;
	ssize_t n;
	long k;

	if (how == 2) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, wait_ns / NSEC_PER_MSEC) <= 0)
			return -EAGAIN;
	}
	floor = LOAD(g->max_seqno);
	if (w) {
		STORE(w->read_deadline, now_ns() + wait_ns);
		ADD(w->read_seq, 1);
	}
	n = how == 1 ? preadv2(fd, &iov, 1, -1, RWF_NOWAIT) :
		       read(fd, buf, len);
	if (n < 0)
		n = -errno;
	if (w)
		ADD(w->read_seq, 1);
	if (n < 0)
		return n;
	if (!n || n % REC_SIZE || (size_t)n > len) {
		fail("file %u: read of %zu bytes returned %zd", g->index, len, n);
		return 0;
	}
	for (k = 0; k < n / (ssize_t)REC_SIZE; k++)
		record_seen(g, &buf[k], &last, floor);
	gen_seqno_floor(g, last);
	return k;
}

static void op_read(struct worker *w)
{
	unsigned int r = prng_below(&w->rng, 100);
	size_t len;
	struct gen *g;
	long got;
	int fd, how;

	g = slot_get(prng_below(&w->rng, opt.files), &fd);
	if (!g)
		return;
	if (r < 5)		/* less than a record: EINVAL */
		len = 1 + prng_below(&w->rng, REC_SIZE - 1);
	else if (r < 45)	/* one record, maybe with room to spare */
		len = REC_SIZE + prng_below(&w->rng, REC_SIZE);
	else			/* up to 64 */
		len = REC_SIZE * (2 + prng_below(&w->rng, 63)) +
		      prng_below(&w->rng, REC_SIZE);
	/* Poll first only for a read that can take a record. */
	how = g->nonblock ? 0 : prng_below(&w->rng, len < REC_SIZE ? 2 : 3);
	got = gen_read(w, g, fd, len, how,
		       prng_below(&w->rng, 5 * NSEC_PER_MSEC) + NSEC_PER_MSEC);
	close(fd);
	w->n_reads++;
	if (len < REC_SIZE) {
		if (got != -EINVAL)
			fail("read of %zu bytes: %s, not EINVAL", len,
			     got < 0 ? errno_name(-got) : "records");
		else
			w->n_read_einval++;
	} else if (got == -EAGAIN) {
		/* Blocking reads cannot say EAGAIN; a poll that timed out can. */
		if (!g->nonblock && how == 0)
			fail("blocking read: EAGAIN");
		w->n_read_eagain++;
	} else if (got == -EINTR) {
		if (g->nonblock || how == 1)
			fail("non-blocking read: EINTR");
		w->n_read_eintr++;
	} else if (got < 0) {
		fail("read: %s", errno_name(-got));
	}
}

static int qreg_room(struct worker *w)
{
	return w->nq < MAX_QREGS;
}

static void qreg_drop(struct worker *w, unsigned int i)
{
	if (w->qregs[i].efd >= 0)
		close(w->qregs[i].efd);
	w->qregs[i] = w->qregs[--w->nq];
}

/* Reads a periodic EVENTFD registration's eventfd: none after its cancel. */
static void qreg_read_efd(struct worker *w, struct qreg *q)
{
	uint64_t c;

	if (q->efd < 0)
		return;
	c = efd_take(q->efd);
	if (c == UINT64_MAX) {
		fail("read eventfd: %s", strerror(errno));
		return;
	}
	w->n_ep_ticks += c;
	if (c && q->cancelled)
		fail("file %u id %llu: periodic eventfd signalled %llu times after its cancel returned",
		     q->g->index, (unsigned long long)q->id,
		     (unsigned long long)c);
}

/* Registers one-shot QUEUE (@period 0) or periodic QUEUE or EVENTFD. */
static void op_register_queue(struct worker *w, int periodic)
{
	int fd, err, is_long = 0, eventfd_mode = periodic && prng_pct(&w->rng, 40);
	uint64_t delay, start, epoch, tag = !periodic ? CK_Q1 : eventfd_mode ? CK_EP : CK_QP;
	struct hwevent_register r;
	struct qreg *q = NULL;
	struct gen *g;
	int efd = -1;

	if (periodic && !qreg_room(w))
		return;
	g = slot_get(prng_below(&w->rng, opt.files), &fd);
	if (!g)
		return;
	if (periodic)
		delay = prng_below(&w->rng, SHORT_NS + 1);
	else
		delay = rand_delay(&w->rng, &is_long);
	if (eventfd_mode) {
		efd = new_efd();
		if (efd < 0) {
			fail("eventfd: %s", strerror(errno));
			close(fd);
			return;
		}
	}
	reg_set(&r, eventfd_mode ? HWEVENT_MODE_EVENTFD : HWEVENT_MODE_QUEUE,
		efd, delay, tagged(&w->rng, tag));
	if (periodic)
		r.period_ns = MIN_PERIOD_NS +
			      prng_below(&w->rng, MAX_PERIOD_NS - MIN_PERIOD_NS + 1);
	/* Before the call: an ALL that starts after may still take it. */
	epoch = LOAD(g->all_epoch);
	start = now_ns();
	err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
	close(fd);
	if (err) {
		if (err == ENOSPC)
			w->n_enospc++;
		else
			fail("%s register: %s", periodic ? "periodic" : "QUEUE",
			     errno_name(err));
		if (efd >= 0)
			close(efd);
		return;
	}
	ADD(g->registered, 1);
	if (periodic) {
		ADD(g->per_registered, 1);
		*(eventfd_mode ? &w->n_ep : &w->n_qp) += 1;
	} else {
		ADD(g->q1_registered, 1);
		w->n_q1++;
	}
	if (!eventfd_mode)
		rent_register(g, r.id, r.cookie);
	if (qreg_room(w)) {
		q = &w->qregs[w->nq++];
		memset(q, 0, sizeof(*q));
		q->g = g;
		q->id = r.id;
		q->kind = !periodic ? K_Q1 : eventfd_mode ? K_EP : K_QP;
		q->efd = efd;
		q->due = start + delay;
		q->epoch = epoch;
		/* Periodic: a third left to an ALL or the close. */
		if (periodic && prng_pct(&w->rng, 33))
			q->end_at = ~0ULL;
		else if (periodic || is_long)
			q->end_at = start + prng_below(&w->rng, 50 * NSEC_PER_MSEC);
		else	/* one-shot: cancelled sometimes, racing its timer */
			q->end_at = prng_pct(&w->rng, 30) ?
				    start + prng_below(&w->rng, delay + 1) : ~0ULL;
	} else if (efd >= 0) {
		close(efd);	/* the driver has its own reference */
	}
}

/* Cancels a watched QUEUE or periodic registration by id. */
static void qreg_cancel(struct worker *w, struct qreg *q)
{
	struct rent *e;
	uint64_t count;
	int fd, err, trig = 0;

	fd = gen_dup(q->g);
	if (fd < 0)
		return;
	if (q->kind == K_Q1) {
		pthread_mutex_lock(&q->g->tlock);
		e = rent_get(q->g, q->id);
		trig = e && e->triggered;
		pthread_mutex_unlock(&q->g->tlock);
	}
	err = cancel_id(fd, q->id, 0, &count);
	close(fd);
	w->n_qcancel++;
	if (!err && count == 1) {
		uint64_t ret = now_ns();

		ADD(q->g->cancelled, 1);
		if (trig)
			fail("file %u id %llu: a trigger fired it (count 1), yet a later cancel took it",
			     q->g->index, (unsigned long long)q->id);
		if (q->kind == K_EP) {
			/* What it signalled, it signalled before the return. */
			qreg_read_efd(w, q);
			q->cancelled = 1;
			q->quiet_from = ret;
			return;
		}
		pthread_mutex_lock(&q->g->tlock);
		e = rent_get(q->g, q->id);
		if (e) {
			e->cancelled = 1;
			e->cancel_ns = ret;
			if (q->kind == K_Q1 && e->records)
				fail("file %u id %llu: cancelled (count 1) after its record was read",
				     q->g->index, (unsigned long long)q->id);
		}
		pthread_mutex_unlock(&q->g->tlock);
	} else if (err == ENOENT) {
		/* A one-shot fired; a periodic one only ends by an ALL or close. */
		if (q->kind != K_Q1 && !all_since(q->g, q->epoch) &&
		    !LOAD(q->g->closed_early))
			fail("file %u id %llu: cancel of an armed periodic registration: ENOENT",
			     q->g->index, (unsigned long long)q->id);
	} else {
		fail("cancel id %llu: %s, count %llu", (unsigned long long)q->id,
		     errno_name(err), err ? 0ULL : (unsigned long long)count);
	}
}

/*
 * Looks at the QUEUE and periodic registrations this worker watches:
 * cancels those whose time came, reads periodic eventfds, forgets what
 * is settled (K_Q1: past due or ended; periodic: cancelled a while ago,
 * or its file closed).
 */
static void qregs_poll(struct worker *w)
{
	uint64_t now = now_ns();
	unsigned int i = 0;

	while (i < w->nq) {
		struct qreg *q = &w->qregs[i];
		int closed = LOAD(q->g->closed_early);
		int all = all_since(q->g, q->epoch);
		int settled;

		qreg_read_efd(w, q);
		if (closed) {
			settled = 1;
		} else if (q->kind == K_EP && q->cancelled) {
			settled = now > q->quiet_from + 20 * NSEC_PER_MSEC;
		} else if (now >= q->end_at ||
			   (all && q->kind != K_Q1 && q->end_at == ~0ULL)) {
			/* Its time came; or an ALL took it, or this does. */
			qreg_cancel(w, q);
			settled = !q->cancelled;
		} else if (q->kind == K_Q1) {
			settled = all || (q->end_at == ~0ULL &&
					  now > q->due + SHORT_NS);
		} else {
			settled = 0;
		}
		if (settled)
			qreg_drop(w, i);
		else
			i++;
	}
}

/* Cancels a watched registration now. */
static void op_cancel_queue(struct worker *w)
{
	struct qreg *q;

	if (!w->nq)
		return;
	q = &w->qregs[prng_below(&w->rng, w->nq)];
	if (!q->cancelled)
		q->end_at = 0;
	qregs_poll(w);
}

/*
 * HWEVENT_IOC_TRIGGER: by id on a watched registration (a one-shot's then
 * must fire: a cancel may not take it), or ALL on a file.
 */
static void op_trigger(struct worker *w)
{
	uint64_t count, id = 0;
	struct treg *t = NULL;
	struct qreg *q = NULL;
	struct gen *g;
	int fd, err, all = prng_pct(&w->rng, 20);

	if (all) {
		g = slot_get(prng_below(&w->rng, opt.files), &fd);
		if (!g)
			return;
		ADD(g->trig_epoch, 1);
	} else {
		if (w->nq && (prng_pct(&w->rng, 60) || !w->nr)) {
			q = &w->qregs[prng_below(&w->rng, w->nq)];
			g = q->g;
			id = q->id;
		} else if (w->nr) {
			t = &w->regs[prng_below(&w->rng, w->nr)];
			g = t->g;
			id = t->id;
		} else {
			return;
		}
		if (!id)
			return;
		fd = gen_dup(g);
		if (fd < 0)
			return;
	}
	err = trigger_id(fd, id, all ? HWEVENT_TRIGGER_ALL : 0, &count);
	close(fd);
	w->n_trigger++;
	w->n_trigger_all += all;
	if (err == ENOENT && !all)
		return;
	if (err || (!all && count != 1)) {
		fail("trigger%s: %s, count %llu", all ? " ALL" : "",
		     errno_name(err), err ? 0ULL : (unsigned long long)count);
		return;
	}
	ADD(trigger_counts, count);
	w->n_trigger_fired += count;
	if (q && q->kind == K_Q1) {
		struct rent *e;

		pthread_mutex_lock(&g->tlock);
		e = rent_get(g, id);
		if (e)
			e->triggered = 1;
		pthread_mutex_unlock(&g->tlock);
	} else if (t && !t->cancelled) {
		/* Fired now: it must signal, even if it was an hour away. */
		t->must_fire = 1;
		if (t->due > now_ns())
			t->due = now_ns();
	}
}

/* --- children (after fork: system calls only, no locks, no malloc) ------ */

static void close_between(int lo, int hi)
{
	if (lo <= hi)
		syscall(SYS_close_range, (unsigned int)lo, (unsigned int)hi, 0U);
}

/* Closes every descriptor from 3 on but @a and @b (-1: none). */
static void child_keep(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo < 0)
		lo = hi;
	close_between(3, lo - 1);
	close_between(lo + 1, hi - 1);
	close_between(hi + 1, INT32_MAX);
}

enum child_kind { CH_EVENTFD, CH_PENDING, CH_OWN_FILE, CH_HOLD, NR_CH };

static void child_main(enum child_kind kind, int fd, int efd, uint64_t delay,
		       uint64_t cookie, struct child_report *rep)
{
	struct hwevent_register r;
	struct timespec ts;
	int i, err;

	switch (kind) {
	case CH_EVENTFD:
		child_keep(fd, efd);
		reg_set(&r, HWEVENT_MODE_EVENTFD, efd, delay, cookie);
		err = xioctl(fd, HWEVENT_IOC_REGISTER, &r);
		rep->id = r.id;
		rep->ret = err;
		break;
	case CH_PENDING:
		child_keep(fd, -1);
		reg_set(&rep->r, HWEVENT_MODE_PENDING, -1, delay, cookie);
		err = xioctl(fd, HWEVENT_IOC_REGISTER, &rep->r);
		rep->ret = err;
		break;
	case CH_OWN_FILE:
		child_keep(efd, -1);
		fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
		for (i = 0; fd >= 0 && i < 4; i++) {
			/* Some fire, some are dropped at exit. */
			reg_set(&r, HWEVENT_MODE_EVENTFD, efd,
				i % 2 ? LONG_NS : delay % SHORT_NS * i, cookie);
			if (xioctl(fd, HWEVENT_IOC_REGISTER, &r))
				break;
			rep->nr_own++;
		}
		rep->ret = fd < 0 ? errno : 0;
		break;	/* exit without closing: release drops them */
	case CH_HOLD:
		ts.tv_sec = 0;
		ts.tv_nsec = delay;
		nanosleep(&ts, NULL);
		rep->ret = 0;
		break;
	default:
		break;
	}
	_exit(0);
}

static void op_fork(struct worker *w)
{
	enum child_kind kind = prng_below(&w->rng, NR_CH);
	struct child_report *rep = w->report;
	uint64_t delay, cookie = tagged(&w->rng, CK_OTHER), epoch, start, deadline;
	int fd, efd = -1, status, killed = 0, is_long = 0;
	struct treg *t = NULL;
	struct gen *g;
	pid_t pid;

	if (kind == CH_EVENTFD && w->nr == MAX_TREGS)
		return;
	g = slot_get(prng_below(&w->rng, opt.files), &fd);
	if (!g)
		return;
	delay = kind == CH_HOLD ? prng_below(&w->rng, SHORT_NS) :
				  rand_delay(&w->rng, &is_long);
	if (kind == CH_EVENTFD || kind == CH_OWN_FILE) {
		efd = new_efd();
		if (efd < 0) {
			fail("eventfd: %s", strerror(errno));
			close(fd);
			return;
		}
	}
	memset(rep, 0, sizeof(*rep));
	rep->ret = -1;
	epoch = LOAD(g->all_epoch);
	start = now_ns();
	pid = fork();
	if (pid == 0)
		child_main(kind, fd, efd, delay, cookie, rep);
	close(fd);
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		if (efd >= 0)
			close(efd);
		return;
	}
	w->n_fork++;
	/* A waiting child: killed, sometimes at once, always if long. */
	if (kind == CH_PENDING && (is_long || prng_pct(&w->rng, 50))) {
		sleep_ns(prng_below(&w->rng, 3 * NSEC_PER_MSEC));
		kill(pid, SIGKILL);
		killed = 1;
		w->n_killed++;
	}
	deadline = now_ns() + SLACK_NS;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_ns() > deadline) {
			fail("child %d (kind %d) did not exit: killing it",
			     (int)pid, kind);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		sleep_ns(200 * NSEC_PER_USEC);
	}
	if (!killed && !(WIFEXITED(status) && !WEXITSTATUS(status)))
		fail("child (kind %d) ended with status %#x", kind, status);

	switch (kind) {
	case CH_EVENTFD:
		if (rep->ret == 0) {
			ADD(g->registered, 1);
			t = &w->regs[w->nr++];
			memset(t, 0, sizeof(*t));
			t->g = g;
			t->id = rep->id;
			t->efd = efd;
			t->due = start + delay;
			t->epoch = epoch;
			t->trig_epoch = LOAD(g->trig_epoch);
			t->is_long = is_long;
			efd = -1;
		} else if (rep->ret == ENOSPC) {
			w->n_enospc++;
		} else {
			fail("child EVENTFD register: %s", errno_name(rep->ret));
		}
		break;
	case CH_PENDING:
		if (rep->ret == -1) {
			/* Killed before it could say: armed or not, ended how. */
			ADD(g->unknown, 1);
		} else if (rep->ret == 0) {
			ADD(g->registered, 1);
			ADD(g->fired, 1);
			if (rep->r.event.cookie != cookie || !rep->r.event.seqno)
				fail("child PENDING record wrong");
		} else if (rep->ret == ECANCELED) {
			ADD(g->registered, 1);
			ADD(g->ecanceled, 1);
		} else if (rep->ret == ENOSPC) {
			w->n_enospc++;
		} else {
			fail("child PENDING register: %s", errno_name(rep->ret));
		}
		break;
	case CH_OWN_FILE: {
		/* Its release ran before it became a zombie. */
		uint64_t c = efd_take(efd);

		ADD(child_own_registered, rep->nr_own);
		ADD(child_own_fired, c);
		if (rep->ret)
			fail("child open: %s", errno_name(rep->ret));
		if (c > (uint64_t)rep->nr_own)
			fail("child's file: %llu signals for %d registrations",
			     (unsigned long long)c, rep->nr_own);
		break;
	}
	default:
		break;
	}
	if (efd >= 0)
		close(efd);
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;

	self = w;
	while (!stop) {
		unsigned int p = prng_below(&w->rng, 1000);

		w->progress++;
		tregs_poll(w);
		w->op = "queue poll";
		qregs_poll(w);
		if (p < 200) {
			w->op = "register eventfd";
			op_register_eventfd(w);
		} else if (p < 300) {
			w->op = "register pending";
			op_register_pending(w);
		} else if (p < 400) {
			w->op = "cancel own";
			op_cancel_own(w);
		} else if (p < 430) {
			w->op = "cancel all";
			op_cancel_all(w);
		} else if (p < 480) {
			w->op = "cancel waiter";
			op_cancel_waiter(w);
		} else if (p < 550) {
			w->op = "signal waiter";
			op_signal(w);
		} else if (p < 565) {
			w->op = "reopen";
			op_reopen(w);
		} else if (p < 580) {
			w->op = "fork";
			op_fork(w);
		} else if (p < 680) {
			w->op = "register queue";
			op_register_queue(w, 0);
		} else if (p < 710) {
			w->op = "register periodic";
			op_register_queue(w, 1);
		} else if (p < 750) {
			w->op = "cancel queue";
			op_cancel_queue(w);
		} else if (p < 790) {
			w->op = "trigger";
			op_trigger(w);
		} else if (p < 900) {
			w->op = "read";
			op_read(w);
		} else {
			w->op = "sleep";
			sleep_ns(prng_below(&w->rng, 200 * NSEC_PER_USEC));
		}
		w->op = "poll";
	}
	w->op = "done";
	STORE(w->finished, 1);
	return NULL;
}

/* --- helpers threads: rescuer, unloader, watchdog ----------------------- */

/*
 * Signals PENDING calls that outstay their deadline (and all at the end),
 * again every RESCUE_NS while they stay: a signal that lands before the
 * call has begun to sleep is handled and gone, and the call sleeps on.
 */
#define RESCUE_NS	(20 * NSEC_PER_MSEC)

static void *rescuer_fn(void *arg)
{
	uint64_t now;
	unsigned int i;

	(void)arg;
	for (;;) {
		int done = 1;

		for (i = 0; i < opt.threads; i++) {
			struct worker *w = &workers[i];
			uint64_t seq = LOAD(w->pend_seq);

			if (!LOAD(w->finished))
				done = 0;
			now = now_ns();
			if ((LOAD(w->read_seq) & 1) &&
			    (stop || now > LOAD(w->read_deadline)) &&
			    now > w->read_rescued_at + RESCUE_NS) {
				w->read_rescued_at = now;
				pthread_kill(w->thread, SIGUSR2);
				ADD(read_rescues, 1);
			}
			if (!(seq & 1))
				continue;
			now = now_ns();
			if ((stop || now > LOAD(w->pend_deadline)) &&
			    now > w->rescued_at + RESCUE_NS) {
				w->rescued_at = now;
				pthread_kill(w->thread, SIGUSR1);
				ADD(rescues, 1);
			}
		}
		if (stop && done)
			break;
		sleep_ns(NSEC_PER_MSEC);
	}
	return NULL;
}

static void *unloader_fn(void *arg)
{
	struct prng rng;
	int err;

	prng_seed(&rng, opt.seed ^ 0x5eed);
	(void)arg;
	while (!stop) {
		sleep_ns(NSEC_PER_MSEC + prng_below(&rng, 5 * NSEC_PER_MSEC));
		err = delete_module_nb(HWEVENT_MODULE);
		if (err == EAGAIN || err == EBUSY) {
			ADD(rmmod_refused, 1);
		} else if (!err) {
			STORE(rmmod_succeeded, 1);
			fail("delete_module succeeded while files were open");
			stop = 1;
		} else {
			ADD(rmmod_unexpected, 1);
			fail("delete_module: %s", errno_name(err));
		}
	}
	return NULL;
}

static uint64_t run_deadline;

static void *watchdog_fn(void *arg)
{
	uint64_t last = 0, since = now_ns(), sum;
	unsigned int i;

	(void)arg;
	for (;;) {
		sleep_ns(NSEC_PER_SEC);
		for (sum = 0, i = 0; i < opt.threads; i++)
			sum += LOAD(workers[i].progress);
		if (sum != last) {
			last = sum;
			since = now_ns();
		}
		if (now_ns() - since < STALL_NS && now_ns() < run_deadline)
			continue;
		pthread_mutex_lock(&print_lock);
		printf("# watchdog: %s\n", now_ns() >= run_deadline ?
		       "the run overran its deadline" : "no progress for 60 s");
		for (i = 0; i < opt.threads; i++)
			printf("#   thread %u: %s (pending seq %llu)\n", i,
			       workers[i].op ? workers[i].op : "-",
			       (unsigned long long)workers[i].pend_seq);
		printf("not ok %u watchdog: the stress run hung\n",
		       ksft_test_num() + 1);
		ksft_inc_fail_cnt();
		ksft_print_cnts();
		fflush(stdout);
		_exit(KSFT_FAIL);
	}
	return NULL;
}

/* --- the end ------------------------------------------------------------- */

#define JOIN_NS		(30 * NSEC_PER_SEC)

/* Joins every thread within JOIN_NS of now; false if one is stuck. */
static int join_all(pthread_t rescuer, pthread_t *unloader)
{
	struct timespec ts;
	unsigned int i;
	int ok = 1;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += JOIN_NS / NSEC_PER_SEC;
	for (i = 0; i < opt.threads; i++) {
		if (pthread_timedjoin_np(workers[i].thread, NULL, &ts)) {
			ksft_print_msg("thread %u stuck in %s\n", i,
				       workers[i].op ? workers[i].op : "-");
			ok = 0;
		}
	}
	if (pthread_timedjoin_np(rescuer, NULL, &ts))
		ok = 0;
	if (unloader && pthread_timedjoin_np(*unloader, NULL, &ts))
		ok = 0;
	return ok;
}

/* Reads what is queued on @g, if it is open. */
static void read_queue(struct gen *g)
{
	int fd = gen_dup(g);
	long got;

	if (fd < 0)
		return;
	do {
		got = gen_read(NULL, g, fd, 64 * REC_SIZE, 1, 0);
	} while (got > 0);
	if (got != -EAGAIN)
		fail("file %u: final read: %s", g->index,
		     got < 0 ? errno_name(-got) : "no records");
	close(fd);
}

/* Reads every eventfd still watched, the files' shared ones, the queues. */
static void read_everything(void)
{
	unsigned int i, k;
	struct gen *g;
	uint64_t c;

	for (i = 0; i < opt.threads; i++)
		for (k = 0; k < workers[i].nr; k++)
			treg_read(&workers[i].regs[k]);
	for (g = all_gens; g; g = g->next) {
		c = efd_take(g->shared_efd);
		if (c != UINT64_MAX)
			ADD(g->fired, c);
		read_queue(g);
	}
	for (i = 0; i < opt.threads; i++)
		for (k = 0; k < workers[i].nq; k++)
			qreg_read_efd(&workers[i], &workers[i].qregs[k]);
}

/* fired + cancelled + interrupted of @g, minus what it registered. */
static long long gen_excess(const struct gen *g)
{
	return (long long)(g->fired + g->cancelled + g->interrupted) -
	       (long long)g->registered;
}

/*
 * Waits for the events still due on open files: every own eventfd that
 * must fire, and with @sums, the sums of the open files (once nothing is
 * armed on them any more). Returns how many own eventfds never fired.
 */
static unsigned int drain(int sums)
{
	uint64_t deadline = now_ns() + SLACK_NS;
	unsigned int i, k, lost;
	struct gen *g;

	for (;;) {
		int short_of = 0;

		read_everything();
		lost = 0;
		for (i = 0; i < opt.threads; i++) {
			for (k = 0; k < workers[i].nr; k++) {
				struct treg *t = &workers[i].regs[k];

				/* Left to fire: its file open, no ALL since. */
				if (t->efd >= 0 && !t->signals && !t->cancelled &&
				    (!t->is_long || t->must_fire) &&
				    !t->g->closed_early &&
				    (t->must_fire || t->g->all_epoch == t->epoch))
					lost++;
			}
		}
		for (g = all_gens; sums && g; g = g->next)
			if (!g->closed_early &&
			    gen_excess(g) + (long long)g->q_lost < 0)
				short_of = 1;
		if ((!lost && !short_of) || now_ns() > deadline)
			return lost;
		sleep_ns(10 * NSEC_PER_MSEC);
	}
}

static int check_books(void)
{
	unsigned int open_files = 0, closed_files = 0, bad = 0;
	struct gen *g;

	for (g = all_gens; g; g = g->next) {
		long long ex = gen_excess(g);
		int ok;

		if (g->closed_early) {
			/* Closing dropped what had not fired. */
			ok = ex <= (long long)g->unknown;
			closed_files++;
		} else {
			/* A one-shot QUEUE record lost to overflow is unseen. */
			ok = ex >= -(long long)g->q_lost &&
			     ex <= (long long)g->unknown;
			open_files++;
		}
		if (g->ecanceled > g->cancelled)
			ok = 0;
		if (!ok && bad++ < 10)
			ksft_print_msg("file %u (%s): registered %llu, fired %llu, cancelled %llu (ECANCELED %llu), interrupted %llu, unknown %llu; QUEUE one-shot %llu, read %llu, periodic %llu, records %llu, lost %llu\n",
				       g->index, g->closed_early ? "closed early" : "open to the end",
				       (unsigned long long)g->registered,
				       (unsigned long long)g->fired,
				       (unsigned long long)g->cancelled,
				       (unsigned long long)g->ecanceled,
				       (unsigned long long)g->interrupted,
				       (unsigned long long)g->unknown,
				       (unsigned long long)g->q1_registered,
				       (unsigned long long)g->q1_read,
				       (unsigned long long)g->per_registered,
				       (unsigned long long)g->q_read,
				       (unsigned long long)g->q_lost);
	}
	ksft_print_msg("books of %u files open to the end, %u closed early: %u wrong\n",
		       open_files, closed_files, bad);
	return !bad;
}

static void usage(const char *prog, int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s [--seconds N] [--threads N] [--files N] [--seed S]\n"
		"       [--no-rmmod] [--module PATH] [--queue-size N (0: as it is)]\n",
		prog);
	exit(status);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 't' },
		{ "threads", required_argument, NULL, 'j' },
		{ "files", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 's' },
		{ "no-rmmod", no_argument, NULL, 'n' },
		{ "module", required_argument, NULL, 'm' },
		{ "queue-size", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c, seeded = 0;

	opt.module = getenv("HWEVENT_KO");
	while ((c = getopt_long(argc, argv, "t:j:f:s:nm:q:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 't':
			opt.seconds = parse_num(argv[0], "--seconds", optarg);
			break;
		case 'j':
			opt.threads = parse_num(argv[0], "--threads", optarg);
			break;
		case 'f':
			opt.files = parse_num(argv[0], "--files", optarg);
			break;
		case 's':
			opt.seed = parse_num(argv[0], "--seed", optarg);
			seeded = 1;
			break;
		case 'n':
			opt.no_rmmod = 1;
			break;
		case 'm':
			opt.module = optarg;
			break;
		case 'q':
			opt.queue_size = parse_num(argv[0], "--queue-size", optarg);
			break;
		case 'h':
			usage(argv[0], 0);
			break;
		default:
			usage(argv[0], 2);
		}
	}
	if (optind != argc || !opt.threads || opt.threads > MAX_THREADS ||
	    !opt.files || opt.files > MAX_FILES) {
		fprintf(stderr, "%s: --threads 1..%d, --files 1..%d\n",
			argv[0], MAX_THREADS, MAX_FILES);
		exit(2);
	}
	if (!seeded)
		opt.seed = default_seed();
}

/* Room for many eventfds: each file opened keeps its shared one. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	/* Root may raise the hard limit too. */
	if (!geteuid() && rl.rlim_max < 65536)
		rl.rlim_max = 65536;
	rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigusr1,
				.sa_flags = SA_RESTART };
	/* SIGUSR2 ends blocking reads: no SA_RESTART. */
	struct sigaction sa2 = { .sa_handler = on_sigusr1 };
	long long old_queue_size = -1;
	uint64_t q1_registered = 0, q1_read = 0, per_registered = 0;
	uint64_t q_read = 0, q_lost = 0, n_qp = 0, n_ep = 0;
	uint64_t n_trigger = 0, n_trigger_all = 0, n_reads = 0, n_eintr = 0;
	uint64_t n_eagain = 0, n_einval = 0, ep_ticks = 0, n_qcancel = 0;
	pthread_t rescuer, unloader, watchdog;
	struct hw_stats st0, st1, d = { };
	int have_stats, sentinel, unloading = 0, joined_ok, err, ok;
	uint64_t start, elapsed, registered = 0, fired = 0, cancelled = 0;
	uint64_t interrupted = 0, unknown = 0, signals = 0, forks = 0;
	uint64_t reopens = 0, enospc = 0, killed = 0;
	struct child_report *reports;
	unsigned int i, lost;
	struct gen *g;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	require_device();
	ksft_print_header();
	ksft_set_plan(9);
	ksft_print_msg("seed %llu, %llu s, %u threads, %u files\n",
		       (unsigned long long)opt.seed, opt.seconds, opt.threads,
		       opt.files);
	raise_fd_limit();
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGUSR2, &sa2, NULL))
		ksft_exit_fail_msg("sigaction: %s\n", strerror(errno));
	prng_seed(&gen_rng, opt.seed ^ 0x6e6e);
	if (opt.queue_size) {
		old_queue_size = param_read(QUEUE_SIZE_PATH);
		err = old_queue_size < 0 ? ENOENT :
		      param_write(QUEUE_SIZE_PATH, opt.queue_size);
		if (err) {
			ksft_print_msg("queue_size %lld: %s: left as it is\n",
				       opt.queue_size, errno_name(err));
			old_queue_size = -1;
		}
	}
	reports = mmap(NULL, MAX_THREADS * sizeof(*reports),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (reports == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));

	have_stats = !stats_read(&st0);
	if (have_stats)
		stats_print("debugfs at the start", &st0);
	/* Held open throughout: the module can never be unused. */
	sentinel = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
	if (sentinel < 0)
		ksft_exit_fail_msg("open: %s\n", strerror(errno));
	for (i = 0; i < opt.files; i++) {
		pthread_mutex_init(&slots[i].lock, NULL);
		slots[i].g = gen_open();
		if (!slots[i].g)
			ksft_exit_fail_msg("open: %s\n", strerror(errno));
	}

	if (geteuid())
		rmmod_off = "not root";
	else if (!module_loaded())
		rmmod_off = "hwevent is not a loaded module";
	else if (pthread_create(&unloader, NULL, unloader_fn, NULL) == 0)
		unloading = 1;
	else
		rmmod_off = "no thread";

	start = now_ns();
	run_deadline = start + opt.seconds * NSEC_PER_SEC + OVERRUN_NS;
	for (i = 0; i < opt.threads; i++) {
		workers[i].index = i;
		workers[i].report = &reports[i];
		prng_seed(&workers[i].rng, opt.seed + i);
		if (pthread_create(&workers[i].thread, NULL, worker_fn,
				   &workers[i]))
			ksft_exit_fail_msg("pthread_create failed\n");
	}
	if (pthread_create(&rescuer, NULL, rescuer_fn, NULL) ||
	    pthread_create(&watchdog, NULL, watchdog_fn, NULL))
		ksft_exit_fail_msg("pthread_create failed\n");
	pthread_detach(watchdog);

	while (!stop && now_ns() < start + opt.seconds * NSEC_PER_SEC)
		sleep_ns(10 * NSEC_PER_MSEC);
	stop = 1;
	joined_ok = join_all(rescuer, unloading ? &unloader : NULL);
	elapsed = now_ns() - start;
	if (!joined_ok) {
		/* Threads stuck in the kernel: nothing more can be judged. */
		tap_result(!LOAD(failures), "every call as expected (%llu problems)",
			   (unsigned long long)LOAD(failures));
		tap_result(0, "every thread and child finished within %llu s of the end",
			   JOIN_NS / NSEC_PER_SEC);
		fflush(stdout);
		_exit(tap_exit());
	}

	/* Everything left to fire, fires; then no more than that. */
	lost = drain(0);
	for (i = 0; i < opt.files; i++) {
		uint64_t count;
		int fd = gen_dup(slots[i].g);

		g = slots[i].g;
		ADD(g->all_epoch, 1);
		err = fd < 0 ? EBADF : cancel_id(fd, 0, HWEVENT_CANCEL_ALL, &count);
		if (fd >= 0)
			close(fd);
		if (err)
			fail("final cancel ALL: %s", errno_name(err));
		else
			ADD(g->cancelled, count);
	}
	drain(1);
	sleep_ns(100 * NSEC_PER_MSEC);
	read_everything();

	tap_result(!LOAD(failures),
		   "every call as expected: errnos, eventfds at most once and never after a cancel, sane records, EINTR only after a signal (%llu problems)",
		   (unsigned long long)LOAD(failures));
	tap_result(joined_ok, "every thread and child finished (%.1f s)",
		   elapsed / 1e9);
	if (lost)
		ksft_print_msg("%u eventfd registrations that had to fire never did\n",
			       lost);
	tap_result(check_books() && !lost,
		   "every registration accounted for once per file: fired + cancelled + interrupted == registered");
	if (!unloading)
		tap_skip("the module refused to unload while files were open",
			 "%s", rmmod_off);
	else
		tap_result(!rmmod_succeeded && !rmmod_unexpected && rmmod_refused,
			   "the module refused to unload while files were open (%llu attempts)",
			   (unsigned long long)rmmod_refused);

	/* Close everything: then the counters must be back. */
	for (i = 0; i < opt.threads; i++)
		while (workers[i].nr)
			treg_drop(&workers[i], 0);
	for (g = all_gens; g; g = g->next) {
		q1_registered += g->q1_registered;
		q1_read += g->q1_read;
		per_registered += g->per_registered;
		q_read += g->q_read;
		q_lost += g->q_lost;
	}
	for (g = all_gens; g; g = g->next) {
		gen_close(g, 0);
		close(g->shared_efd);
		registered += g->registered;
		fired += g->fired;
		cancelled += g->cancelled;
		interrupted += g->interrupted;
		unknown += g->unknown;
	}
	close(sentinel);
	/* Every file closed: no periodic eventfd may count any more. */
	{
		uint64_t late = 0;
		unsigned int k;

		for (i = 0; i < opt.threads; i++)
			for (k = 0; k < workers[i].nq; k++)
				if (workers[i].qregs[k].efd >= 0)
					efd_take(workers[i].qregs[k].efd);
		sleep_ns(50 * NSEC_PER_MSEC);
		for (i = 0; i < opt.threads; i++) {
			for (k = 0; k < workers[i].nq; k++) {
				int efd = workers[i].qregs[k].efd;
				uint64_t c = efd >= 0 ? efd_take(efd) : 0;

				late += c != UINT64_MAX ? c : 1;
			}
			while (workers[i].nq)
				qreg_drop(&workers[i], 0);
		}
		tap_result(!late,
			   "no periodic eventfd counts once every file is closed (%llu late)",
			   (unsigned long long)late);
	}
	signals = rescues;
	for (i = 0; i < opt.threads; i++) {
		signals += workers[i].n_signal;
		forks += workers[i].n_fork;
		n_qp += workers[i].n_qp;
		n_ep += workers[i].n_ep;
		n_qcancel += workers[i].n_qcancel;
		n_trigger += workers[i].n_trigger;
		n_trigger_all += workers[i].n_trigger_all;
		n_reads += workers[i].n_reads;
		n_eintr += workers[i].n_read_eintr;
		n_eagain += workers[i].n_read_eagain;
		n_einval += workers[i].n_read_einval;
		ep_ticks += workers[i].n_ep_ticks;
		reopens += workers[i].n_reopen;
		enospc += workers[i].n_enospc;
		killed += workers[i].n_killed;
	}

	if (!have_stats) {
		tap_skip("debugfs: armed == completed + cancelled + interrupted + dropped, cancelled as reported",
			 "cannot read " HWEVENT_STATS_PATH);
		tap_skip("debugfs: live and eventfd_refs back after closing everything",
			 "cannot read " HWEVENT_STATS_PATH);
		tap_skip("debugfs: the queue counters cover what was read",
			 "cannot read " HWEVENT_STATS_PATH);
	} else {
		err = stats_settle(&st1, &st0, 5 * NSEC_PER_SEC);
		d = stats_sub(&st1, &st0);
		if (!err)
			stats_print("debugfs delta", &d);
		/*
		 * One-shot QUEUE registrations fire unseen when their record
		 * is lost to overflow or left queued at an early close.
		 */
		ok = !err && d.armed == stats_ended(&d) &&
		     d.cancelled == (long long)cancelled &&
		     d.armed >= (long long)(registered + child_own_registered) &&
		     d.armed <= (long long)(registered + child_own_registered + unknown) &&
		     d.completed >= (long long)(fired + child_own_fired) &&
		     d.completed <= (long long)(fired + child_own_fired + unknown +
					    q1_registered - q1_read);
		if (!ok)
			ksft_print_msg("user space: registered %llu (+%llu by children on their own files, +%llu unknown), fired %llu (+%llu), cancelled %llu, interrupted %llu\n",
				       (unsigned long long)registered,
				       (unsigned long long)child_own_registered,
				       (unsigned long long)unknown,
				       (unsigned long long)fired,
				       (unsigned long long)child_own_fired,
				       (unsigned long long)cancelled,
				       (unsigned long long)interrupted);
		tap_result(ok, "debugfs: armed == completed + cancelled + interrupted + dropped, cancelled as reported, armed and completed as seen");
		tap_result(!err && !d.live && !d.eventfd_refs,
			   "debugfs: live and eventfd_refs back after closing everything (%lld, %lld)",
			   err ? -1LL : st1.live, err ? -1LL : st1.eventfd_refs);
		/*
		 * Records read and lost were queued; what files closed early
		 * still held was queued but never read: so >=, not ==. The
		 * periodic records seen were ticks, and each eventfd count a
		 * tick or an expiry it merged (an overrun). Every trigger's
		 * count was returned to us: ==.
		 */
		ok = !err && d.have_queue &&
		     d.queued >= (long long)(q_read + q_lost) &&
		     d.queue_lost >= (long long)q_lost &&
		     d.ticks + d.overruns >= (long long)ep_ticks &&
		     d.triggered == (long long)LOAD(trigger_counts);
		if (!ok)
			ksft_print_msg("user space: records read %llu, lost %llu, periodic eventfd counts %llu, triggered %llu\n",
				       (unsigned long long)q_read,
				       (unsigned long long)q_lost,
				       (unsigned long long)ep_ticks,
				       (unsigned long long)LOAD(trigger_counts));
		tap_result(ok, "debugfs: queued >= records read + lost, queue_lost >= lost, ticks + overruns >= eventfd counts, triggered == trigger counts");
	}

	if (opt.no_rmmod) {
		tap_skip("the module unloads once everything is closed", "--no-rmmod");
	} else if (!unloading) {
		tap_skip("the module unloads once everything is closed", "%s",
			 rmmod_off);
	} else if (rmmod_succeeded) {
		tap_result(0, "the module unloads once everything is closed (it went during the run)");
	} else if (!opt.module || access(opt.module, R_OK)) {
		tap_skip("the module unloads once everything is closed",
			 "no module file to load it again: set HWEVENT_KO or pass --module");
	} else {
		int unload_err = delete_module_nb(HWEVENT_MODULE);
		int load_err = unload_err ? 0 : finit_module_path(opt.module);

		if (!unload_err && !load_err && open_dev_wait(5 * NSEC_PER_SEC) < 0)
			load_err = errno;
		tap_result(!unload_err && !load_err,
			   "the module unloads once everything is closed (%s), and loads again (%s)",
			   errno_name(unload_err), errno_name(load_err));
	}

	ksft_print_msg("figures: seconds=%llu threads=%u files=%u seed=%llu registrations=%llu fired=%lld cancelled=%lld interrupted=%lld dropped=%lld signals=%llu forks=%llu killed=%llu reopens=%llu enospc=%llu rmmod_refused=%llu queue_size=%lld queue_oneshot=%llu queue_oneshot_read=%llu periodic_queue=%llu periodic_eventfd=%llu periodic_files=%llu periodic_eventfd_counts=%llu queue_cancels=%llu records_read=%llu records_lost=%llu reads=%llu read_eintr=%llu read_eagain=%llu read_einval=%llu read_rescues=%llu triggers=%llu triggers_all=%llu triggered=%llu queued=%lld queue_lost=%lld ticks=%lld overruns=%lld\n",
		       opt.seconds, opt.threads, opt.files,
		       (unsigned long long)opt.seed,
		       have_stats ? (unsigned long long)d.armed :
				    (unsigned long long)registered,
		       have_stats ? d.completed : (long long)fired,
		       have_stats ? d.cancelled : (long long)cancelled,
		       have_stats ? d.interrupted : (long long)interrupted,
		       have_stats ? d.dropped : -1LL,
		       (unsigned long long)signals, (unsigned long long)forks,
		       (unsigned long long)killed, (unsigned long long)reopens,
		       (unsigned long long)enospc,
		       (unsigned long long)rmmod_refused,
		       opt.queue_size ? opt.queue_size : param_read(QUEUE_SIZE_PATH),
		       (unsigned long long)q1_registered,
		       (unsigned long long)q1_read,
		       (unsigned long long)n_qp, (unsigned long long)n_ep,
		       (unsigned long long)per_registered,
		       (unsigned long long)ep_ticks,
		       (unsigned long long)n_qcancel,
		       (unsigned long long)q_read, (unsigned long long)q_lost,
		       (unsigned long long)n_reads, (unsigned long long)n_eintr,
		       (unsigned long long)n_eagain,
		       (unsigned long long)n_einval,
		       (unsigned long long)read_rescues,
		       (unsigned long long)n_trigger,
		       (unsigned long long)n_trigger_all,
		       (unsigned long long)LOAD(trigger_counts),
		       have_stats ? d.queued : -1LL,
		       have_stats ? d.queue_lost : -1LL,
		       have_stats ? d.ticks : -1LL,
		       have_stats ? d.overruns : -1LL);
	if (old_queue_size > 0)
		param_write(QUEUE_SIZE_PATH, old_queue_size);
	return tap_exit();
}
