// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_test - the HWEVENT_IOC_REGISTER and HWEVENT_IOC_CANCEL contract
 * of /dev/hwevent.
 *
 * FIXTURE(hwevent) runs its tests once per completion mode, the variants
 * "pending" (the ioctl sleeps and returns the event record) and "eventfd"
 * (the ioctl returns at once, the eventfd is signalled later): timing,
 * outputs, sequence numbers and argument checks; cancel by id, after the
 * event, and racing the timer. FIXTURE(device) holds the tests that make
 * sense once: signals, release, the max_pending cap and concurrency;
 * cancel of unknown ids, of everything (HWEVENT_CANCEL_ALL), per file, bad
 * input and bad pointers, and the place it frees. FIXTURE(bad_cmd) and
 * FIXTURE(bad_eventfd) are tables of bad input, one variant each: unknown
 * ioctl numbers, all ENOTTY, and eventfd fields that are not an eventfd,
 * each with the errno it must give. FIXTURE(knob) holds the tests that
 * set the test-only module parameter test_bh_delay_us, which holds the
 * bottom half back: what bh_ns says, and a signal between the interrupt
 * and the bottom half.
 *
 * The cancel tests also check the driver's debugfs counters
 * (hwevent/stats) where they can be read: every registration ends once,
 * as what user space saw; they skip that part otherwise.
 *
 * Timing is strict in one direction only: an event is never seen before its
 * delay has passed. How late it may be is generous (SLACK_NS): QEMU without
 * KVM is slow.
 *
 * Needs /dev/hwevent (load hwevent.ko, CONFIG_HWEVENT) and, as the node is
 * mode 0600, root; without them all tests are skipped. The tests that
 * count sequence numbers assume that no other program uses the device
 * meanwhile.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/hwevent.h>

/* The 6.1 harness's SIGALRM handler leaves its ucontext unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "hwevent_util.h"

/* The most registrations the cap tests make before giving up. */
#define CAP_LIMIT		65536U

/*
 * Makes eventfd registrations on @fd that never fire while the test runs,
 * until one fails or @limit succeeded; returns how many succeeded and
 * stores the errno of the failure, or 0, in *err.
 */
static unsigned int fill(int fd, int efd, unsigned int limit, int *err)
{
	struct hwevent_register r;
	unsigned int n;

	*err = 0;
	for (n = 0; n < limit; n++) {
		reg_set(&r, HWEVENT_MODE_EVENTFD, efd, NEVER_NS, n);
		*err = do_register(fd, &r);
		if (*err)
			break;
	}
	return n;
}

/*
 * Checks a PENDING record: it belongs to @r, and its times are ordered,
 * no earlier than @start + the delay and no later than @end.
 */
static void check_record(struct __test_metadata *_metadata,
			 const struct hwevent_register *r, uint64_t start,
			 uint64_t end)
{
	const struct hwevent_event *e = &r->event;

	EXPECT_NE(0U, r->id);
	EXPECT_EQ(r->id, e->id);
	EXPECT_EQ(r->cookie, e->cookie);
	EXPECT_NE(0U, e->seqno);
	EXPECT_LE(start + r->delay_ns, e->due_ns);
	EXPECT_LE(e->due_ns, e->irq_ns);
	EXPECT_LE(e->irq_ns, e->bh_ns);
	EXPECT_GE(end, e->bh_ns);
	EXPECT_EQ(0U, e->flags);
	EXPECT_EQ(0U, e->lost);
	EXPECT_EQ(0U, e->overruns);
	EXPECT_EQ(0U, e->data);
}

/*
 * Registers @r and waits until the event is delivered: the ioctl returns
 * (PENDING) or @efd is signalled once (EVENTFD). Returns when the caller
 * saw it.
 */
static uint64_t fire(struct __test_metadata *_metadata, int fd, int efd,
		     struct hwevent_register *r)
{
	ASSERT_EQ(0, do_register(fd, r));
	if (r->mode == HWEVENT_MODE_EVENTFD)
		ASSERT_EQ(1U, efd_collect(efd, 1, r->delay_ns + SLACK_NS));
	return now_ns();
}

/*
 * do_register() while another thread sends this one SIGUSR1 every 100 ms,
 * from @first_ns on, until the ioctl returns. Repeating the signal makes
 * sure one arrives while the ioctl sleeps, however slow the machine. With
 * SA_RESTART: the driver must return EINTR regardless.
 */
static int register_pestered(struct __test_metadata *_metadata, int fd,
			     struct hwevent_register *r, uint64_t first_ns)
{
	struct pester p;
	int ret;

	pester_start(_metadata, &p, first_ns / NSEC_PER_MSEC, 100, SA_RESTART);
	ret = do_register(fd, r);
	pester_stop(_metadata, &p);
	return ret;
}

/* What the counters must have moved by since @base. */
static void check_stats(struct __test_metadata *_metadata,
			const struct hw_stats *base, long long armed,
			long long completed, long long cancelled)
{
	struct hw_stats st;

	ASSERT_EQ(0, stats_settle(&st, base, SLACK_NS));
	EXPECT_EQ(armed, st.armed - base->armed);
	EXPECT_EQ(completed, st.completed - base->completed);
	EXPECT_EQ(cancelled, st.cancelled - base->cancelled);
	EXPECT_EQ(0, st.interrupted - base->interrupted);
	EXPECT_EQ(0, st.dropped - base->dropped);
	/* Every registration ended exactly once... */
	EXPECT_EQ(st.armed - base->armed,
		  st.completed - base->completed +
		  st.cancelled - base->cancelled +
		  st.interrupted - base->interrupted +
		  st.dropped - base->dropped);
	/* ...and took its eventfd reference along. */
	EXPECT_EQ(base->live, st.live);
	EXPECT_EQ(base->eventfd_refs, st.eventfd_refs);
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? errno : 0;
}

/* Per completion mode. */

FIXTURE(hwevent) {
	int fd;			/* /dev/hwevent, opened for this test */
	int efd;		/* an eventfd, O_NONBLOCK */
	void *fault_page;	/* PROT_NONE */
};

FIXTURE_VARIANT(hwevent) {
	uint32_t mode;
};

FIXTURE_VARIANT_ADD(hwevent, pending) {
	.mode = HWEVENT_MODE_PENDING,
};

FIXTURE_VARIANT_ADD(hwevent, eventfd) {
	.mode = HWEVENT_MODE_EVENTFD,
};

FIXTURE_SETUP(hwevent)
{
	self->fd = -1;
	self->efd = -1;
	self->fault_page = MAP_FAILED;
	self->fd = open_dev(_metadata);
	self->efd = make_eventfd();
	ASSERT_LE(0, self->efd);
	self->fault_page = mmap(NULL, getpagesize(), PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(self->fault_page != MAP_FAILED);
}

FIXTURE_TEARDOWN(hwevent)
{
	if (self->fault_page != MAP_FAILED)
		munmap(self->fault_page, getpagesize());
	if (self->efd >= 0)
		close(self->efd);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(hwevent, fires_no_earlier_than_delay)
{
	static const uint64_t delays[] = {
		1 * NSEC_PER_USEC, 1 * NSEC_PER_MSEC,
		20 * NSEC_PER_MSEC, 200 * NSEC_PER_MSEC,
	};
	struct hwevent_register r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(delays); i++) {
		uint64_t start, end;

		reg_set(&r, variant->mode, self->efd, delays[i], i);
		start = now_ns();
		end = fire(_metadata, self->fd, self->efd, &r);
		TH_LOG("delay %llu ns: seen after %llu ns",
		       (unsigned long long)delays[i],
		       (unsigned long long)(end - start));
		ASSERT_LE(start + delays[i], end);
		ASSERT_GT(start + delays[i] + SLACK_NS, end);
		if (variant->mode == HWEVENT_MODE_PENDING)
			check_record(_metadata, &r, start, end);
		else
			ASSERT_EQ(0U, efd_stays_quiet(self->efd))
				TH_LOG("eventfd signalled twice");
	}
}

TEST_F(hwevent, zero_delay_fires)
{
	struct hwevent_register r;
	uint64_t start, end;
	unsigned int i;

	reg_set(&r, variant->mode, self->efd, 0, 42);
	start = now_ns();
	end = fire(_metadata, self->fd, self->efd, &r);
	ASSERT_GT(start + SLACK_NS, end);
	if (variant->mode == HWEVENT_MODE_PENDING)
		check_record(_metadata, &r, start, end);
	else
		ASSERT_EQ(0U, efd_stays_quiet(self->efd));

	/* Many in a row: each fires, once. */
	for (i = 0; i < 100; i++) {
		reg_set(&r, variant->mode, self->efd, 0, i);
		start = now_ns();
		ASSERT_EQ(0, do_register(self->fd, &r));
		if (variant->mode == HWEVENT_MODE_PENDING)
			check_record(_metadata, &r, start, now_ns());
	}
	if (variant->mode == HWEVENT_MODE_EVENTFD) {
		ASSERT_EQ(100U, efd_collect(self->efd, 100, SLACK_NS));
		ASSERT_EQ(0U, efd_stays_quiet(self->efd));
	}
}

TEST_F(hwevent, outputs_written_inputs_kept)
{
	static const uint64_t cookies[] = {
		0, 1, 0x0123456789abcdefULL, 1ULL << 63, UINT64_MAX,
	};
	struct hwevent_register r, in;
	struct hwevent_event garbage;
	unsigned int i;

	memset(&garbage, 0xa5, sizeof(garbage));
	for (i = 0; i < ARRAY_SIZE(cookies); i++) {
		uint64_t start, end;

		reg_set(&r, variant->mode, self->efd, 0, cookies[i]);
		/* Output fields are ignored on input. */
		r.id = 0xa5a5a5a5a5a5a5a5ULL;
		r.event = garbage;
		in = r;
		start = now_ns();
		end = fire(_metadata, self->fd, self->efd, &r);

		/* Ids count from 1 on a new open file. */
		EXPECT_EQ(i + 1, r.id);
		/* Inputs come back as they went in. */
		EXPECT_EQ(0, memcmp(&in, &r, offsetof(struct hwevent_register, id)));
		if (variant->mode == HWEVENT_MODE_PENDING) {
			check_record(_metadata, &r, start, end);
			EXPECT_EQ(cookies[i], r.event.cookie);
		} else {
			/* "untouched in HWEVENT_MODE_EVENTFD" */
			EXPECT_EQ(0, memcmp(&garbage, &r.event, sizeof(garbage)));
		}
	}
}

TEST_F(hwevent, ids_count_from_one_per_file)
{
	struct hwevent_register r;
	int fd2, efd2;
	uint64_t i;

	fd2 = open_dev(_metadata);
	efd2 = make_eventfd();
	ASSERT_LE(0, efd2);
	for (i = 1; i <= 3; i++) {
		reg_set(&r, variant->mode, self->efd, 0, i);
		fire(_metadata, self->fd, self->efd, &r);
		ASSERT_EQ(i, r.id);
	}
	/* Another open file has its own count... */
	for (i = 1; i <= 2; i++) {
		reg_set(&r, variant->mode, efd2, 0, i);
		fire(_metadata, fd2, efd2, &r);
		ASSERT_EQ(i, r.id);
	}
	/* ...and did not disturb the first one's. */
	reg_set(&r, variant->mode, self->efd, 0, 4);
	fire(_metadata, self->fd, self->efd, &r);
	ASSERT_EQ(4U, r.id);
	close(efd2);
	close(fd2);
}

TEST_F(hwevent, seqno_increases)
{
	struct hwevent_register r;
	uint64_t before, after;
	unsigned int i;

	before = probe_seqno(_metadata, self->fd);
	for (i = 0; i < 10; i++) {
		reg_set(&r, variant->mode, self->efd, 0, i);
		fire(_metadata, self->fd, self->efd, &r);
		after = probe_seqno(_metadata, self->fd);
		if (variant->mode == HWEVENT_MODE_PENDING) {
			ASSERT_LT(before, r.event.seqno);
			ASSERT_LT(r.event.seqno, after);
		} else {
			/* The eventfd event took a seqno in between. */
			ASSERT_LE(before + 2, after);
		}
		before = after;
	}
}

TEST_F(hwevent, max_delay_accepted)
{
	struct hwevent_register r;
	uint64_t start;

	reg_set(&r, variant->mode, self->efd, HWEVENT_MAX_DELAY_NS, 7);
	if (variant->mode == HWEVENT_MODE_EVENTFD) {
		ASSERT_EQ(0, do_register(self->fd, &r));
		ASSERT_EQ(1U, r.id);
		ASSERT_EQ(0U, efd_stays_quiet(self->efd));
		/* Teardown closes the file, which drops it. */
		return;
	}
	/* Accepted, it sleeps: until a signal (EINVAL would be at once). */
	start = now_ns();
	ASSERT_EQ(EINTR, register_pestered(_metadata, self->fd, &r,
					   100 * NSEC_PER_MSEC));
	ASSERT_LE(start + 100 * NSEC_PER_MSEC, now_ns());
}

TEST_F(hwevent, inval_delay_too_long)
{
	static const uint64_t delays[] = {
		HWEVENT_MAX_DELAY_NS + 1, HWEVENT_MAX_DELAY_NS + NSEC_PER_SEC,
		1ULL << 63, UINT64_MAX,
	};
	struct hwevent_register r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(delays); i++) {
		reg_set(&r, variant->mode, self->efd, delays[i], 0);
		/* Should it be accepted, PENDING would sleep: bound it. */
		EXPECT_EQ(EINVAL, register_pestered(_metadata, self->fd, &r,
						    SLACK_NS))
			TH_LOG("delay_ns %llu", (unsigned long long)delays[i]);
	}
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

TEST_F(hwevent, inval_flags)
{
	struct hwevent_register r;
	unsigned int bit;

	/* Bit 0 is HWEVENT_REGISTER_DEVICE; DMA (bit 1) needs it. */
	for (bit = 1; bit < 32; bit++) {
		reg_set(&r, variant->mode, self->efd, 0, 0);
		r.flags = 1U << bit;
		EXPECT_EQ(EINVAL, do_register(self->fd, &r))
			TH_LOG("flags %#x", r.flags);
	}
	reg_set(&r, variant->mode, self->efd, 0, 0);
	r.flags = UINT32_MAX;
	EXPECT_EQ(EINVAL, do_register(self->fd, &r));
	/* The device interrupts once per registration: no period. */
	if (variant->mode != HWEVENT_MODE_PENDING) {
		reg_set(&r, variant->mode, self->efd, 0, 0);
		r.flags = HWEVENT_REGISTER_DEVICE;
		r.period_ns = HWEVENT_MIN_PERIOD_NS;
		EXPECT_EQ(EINVAL, do_register(self->fd, &r));
	}
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

TEST_F(hwevent, inval_padding)
{
	static const uint32_t values[] = { 1, 1U << 31, UINT32_MAX };
	struct hwevent_register r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(values); i++) {
		reg_set(&r, variant->mode, self->efd, 0, 0);
		r.padding = values[i];
		EXPECT_EQ(EINVAL, do_register(self->fd, &r))
			TH_LOG("padding %#x", values[i]);
	}
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

TEST_F(hwevent, inval_reserved)
{
	static const uint64_t values[] = { 1, 1ULL << 63 };
	struct hwevent_register r;
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(r.reserved); i++) {
		for (j = 0; j < ARRAY_SIZE(values); j++) {
			reg_set(&r, variant->mode, self->efd, 0, 0);
			r.reserved[i] = values[j];
			EXPECT_EQ(EINVAL, do_register(self->fd, &r))
				TH_LOG("reserved[%u] = %#llx", i,
				       (unsigned long long)values[j]);
		}
	}
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

TEST_F(hwevent, fault_arg)
{
	long page = getpagesize();
	struct hwevent_register r, *p;
	char *buf;

	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_REGISTER, NULL));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_REGISTER,
				   self->fault_page));
	/* The last page of the address space: the kernel's, or unmapped. */
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_REGISTER,
				   (void *)-page));

	/* A valid request whose last 8 bytes are in a PROT_NONE page. */
	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(buf != MAP_FAILED);
	ASSERT_EQ(0, mprotect(buf + page, page, PROT_NONE));
	p = (void *)(buf + page + 8 - sizeof(*p));
	reg_set(&r, variant->mode, self->efd, 0, 0);
	memcpy(p, &r, sizeof(r) - 8);
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_REGISTER, p));

	/* A valid request that cannot be written back: read-only. */
	memcpy(buf, &r, sizeof(r));
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_REGISTER, buf));
	munmap(buf, 2 * page);

	/* A registration that failed never fires. */
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

/*
 * Arms a registration of the variant's mode due in @delay_ns on @fd: an
 * EVENTFD one on @efd, or a PENDING one sleeping in @w. Returns its id.
 */
static uint64_t arm(struct __test_metadata *_metadata, uint32_t mode, int fd,
		    int efd, struct waiter *w, uint64_t delay_ns,
		    uint64_t cookie)
{
	struct hwevent_register r;

	if (mode == HWEVENT_MODE_PENDING) {
		waiter_start(_metadata, w, fd, delay_ns, cookie);
		return waiter_id(w);
	}
	reg_set(&r, HWEVENT_MODE_EVENTFD, efd, delay_ns, cookie);
	ASSERT_EQ(0, do_register(fd, &r));
	return r.id;
}

TEST_F(hwevent, cancel_by_id)
{
	const uint64_t delay = 500 * NSEC_PER_MSEC;
	struct hwevent_register r;
	struct waiter w;
	uint64_t start, id, count, cancelled, before;
	int ret;

	before = probe_seqno(_metadata, self->fd);
	start = now_ns();
	id = arm(_metadata, variant->mode, self->fd, self->efd, &w, delay, 7);
	ASSERT_NE(0U, id);
	ret = op_armed(cancel_id, self->fd, id, &count);
	cancelled = now_ns();
	ASSERT_GT(start + delay, cancelled)
		TH_LOG("too slow: it may have fired before the cancel");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(1U, count);

	if (variant->mode == HWEVENT_MODE_PENDING) {
		/* The waiter, in another thread, returns at once. */
		ASSERT_TRUE(waiter_join(_metadata, &w, SLACK_NS))
			TH_LOG("the waiter kept sleeping after the cancel");
		ASSERT_EQ(ECANCELED, w.ret);
		ASSERT_EQ(id, w.r.id);
		ASSERT_GT(start + delay, w.returned_ns)
			TH_LOG("returned at the end of the delay, not at the cancel");
	}
	/* It is gone: a second cancel finds nothing. */
	ASSERT_EQ(ENOENT, cancel_id(self->fd, id, 0, NULL));

	/* Past the delay: never signalled, never fired. */
	sleep_until_ns(start + delay + 100 * NSEC_PER_MSEC);
	ASSERT_EQ(-1, read(self->efd, &count, sizeof(count)));
	ASSERT_EQ(EAGAIN, errno);
	EXPECT_EQ(before + 1, probe_seqno(_metadata, self->fd))
		TH_LOG("(or another program used " HWEVENT_PATH ")");
	/* Ids go on counting (id + 1 was the probe): none is reused. */
	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 0);
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ(id + 2, r.id);
}

TEST_F(hwevent, cancel_after_fire_enoent)
{
	struct hwevent_register r;
	unsigned int i;
	uint64_t count;

	for (i = 0; i < 3; i++) {
		reg_set(&r, variant->mode, self->efd, i * NSEC_PER_MSEC, i);
		fire(_metadata, self->fd, self->efd, &r);
		ASSERT_EQ(ENOENT, cancel_id(self->fd, r.id, 0, NULL))
			TH_LOG("registration %u, id %llu", i,
			       (unsigned long long)r.id);
		/* Nor does ALL find it. */
		ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
		ASSERT_EQ(0U, count);
	}
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

/*
 * "Never both": the timer fires a few microseconds after the
 * registration, the cancel comes a few microseconds after it too, from
 * another CPU than the registration's (whose timer runs there). Either
 * the cancel took it (count 1; no signal, or ECANCELED) or it fired
 * (ENOENT, or ALL counting 0; one signal, or 0 with the event): never
 * both, never neither. The debugfs counters must agree, one end each.
 */
#define RACE_ROUNDS	300
#define RACE_BATCH	32

TEST_F_TIMEOUT(hwevent, cancel_races_fire, 120)
{
	unsigned int i, k = 0, nr_cancelled = 0, nr_fired = 0;
	int efds[RACE_BATCH], expect[RACE_BATCH], cpus[2] = { -1, -1 };
	struct hw_stats base;
	struct prng rng;
	uint64_t before_seq;
	int have_stats = !stats_read(&base), cpu, n = 0;
	cpu_set_t set;

	/* This thread cancels on one CPU, the registrations come from another. */
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(set), &set));
	for (cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	if (n < 2)
		TH_LOG("one CPU: the race is only an interleaving");
	else
		ASSERT_EQ(0, pin_to_cpu(cpus[0]));
	for (i = 0; i < RACE_BATCH; i++) {
		efds[i] = make_eventfd();
		ASSERT_LE(0, efds[i]);
	}
	/* The same rounds on every run. */
	prng_seed(&rng, 1);
	before_seq = probe_seqno(_metadata, self->fd);
	for (i = 0; i < RACE_ROUNDS; i++) {
		uint64_t delay = prng_below(&rng, 20 * NSEC_PER_USEC + 1);
		uint64_t gap = prng_below(&rng, 20 * NSEC_PER_USEC + 1);
		int all = prng_below(&rng, 4) == 0;
		uint64_t id = 0, count = 0;
		struct waiter w;
		int ret, fired;

		waiter_start_on(_metadata, &w, self->fd, variant->mode,
				variant->mode == HWEVENT_MODE_EVENTFD ? efds[k] : -1,
				delay, i, cpus[1]);
		id = waiter_id(&w);
		ASSERT_NE(0U, id) TH_LOG("register failed: %d", w.ret);
		spin_ns(gap);
		ret = cancel_id(self->fd, all ? 0 : id,
				all ? HWEVENT_CANCEL_ALL : 0, &count);
		/* ALL never says ENOENT: it says how many, maybe 0. */
		ASSERT_TRUE(ret == 0 || (!all && ret == ENOENT))
			TH_LOG("cancel%s: %s", all ? " ALL" : "", strerror(ret));
		fired = ret == ENOENT || (all && count == 0);
		if (!fired)
			ASSERT_EQ(1U, count);
		ASSERT_TRUE(waiter_join(_metadata, &w, SLACK_NS));
		if (variant->mode == HWEVENT_MODE_PENDING) {
			ASSERT_EQ(fired ? 0 : ECANCELED, w.ret)
				TH_LOG("round %u: cancel %s, count %llu", i,
				       strerror(ret), (unsigned long long)count);
			if (fired)
				check_record(_metadata, &w.r, 0, w.returned_ns);
		} else {
			expect[k++] = fired;
		}
		nr_fired += fired;
		nr_cancelled += !fired;
		if (k < RACE_BATCH && i + 1 < RACE_ROUNDS)
			continue;
		/* The batch's eventfds: one signal each if it fired, else none. */
		while (k--) {
			if (!expect[k])
				continue;
			ASSERT_EQ(1U, efd_collect(efds[k], 1, SLACK_NS))
				TH_LOG("fired, yet not signalled once");
		}
		for (k = 0; k < RACE_BATCH; k++)
			ASSERT_EQ(0U, efd_take(efds[k]))
				TH_LOG("cancelled, yet signalled");
		k = 0;
	}
	TH_LOG("%u cancelled, %u fired", nr_cancelled, nr_fired);
	/* Late signals have had time to show. */
	sleep_ns(QUIET_NS);
	for (i = 0; i < RACE_BATCH; i++) {
		ASSERT_EQ(0U, efd_take(efds[i]));
		close(efds[i]);
	}
	/* Every event that happened took a seqno, and was seen. */
	EXPECT_EQ(before_seq + nr_fired + 1, probe_seqno(_metadata, self->fd))
		TH_LOG("(or another program used " HWEVENT_PATH ")");

	if (!have_stats) {
		if (_metadata->passed)
			SKIP(return, "the counter checks: cannot read " HWEVENT_STATS_PATH);
		return;
	}
	/* The two probes fired too. */
	check_stats(_metadata, &base, RACE_ROUNDS + 2, nr_fired + 2,
		    nr_cancelled);
}

/* Once per device. */

FIXTURE(device) {
	int fd;			/* /dev/hwevent, opened for this test */
	int efd;		/* an eventfd, O_NONBLOCK */
	long long saved_max_pending;	/* to restore, or -1 */
};

FIXTURE_SETUP(device)
{
	self->fd = -1;
	self->efd = -1;
	self->saved_max_pending = -1;
	self->fd = open_dev(_metadata);
	self->efd = make_eventfd();
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(device)
{
	if (self->saved_max_pending >= 0) {
		param_write(MAX_PENDING_PATH, self->saved_max_pending);
		EXPECT_EQ(self->saved_max_pending, read_max_pending());
	}
	if (self->efd >= 0)
		close(self->efd);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(device, node_is_0600_misc_chardev)
{
	struct stat st;

	ASSERT_EQ(0, stat(HWEVENT_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600U, st.st_mode & 07777);
	EXPECT_EQ(10U, major(st.st_rdev));	/* MISC_MAJOR */
}

TEST_F(device, inval_mode)
{
	/* 2 is HWEVENT_MODE_QUEUE: hwevent_queue_test tests it. */
	static const uint32_t modes[] = { 3, 4, 0x100, 1U << 31, UINT32_MAX };
	struct hwevent_register r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		reg_set(&r, modes[i], self->efd, 0, 0);
		EXPECT_EQ(EINVAL, do_register(self->fd, &r))
			TH_LOG("mode %#x", modes[i]);
	}
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

/*
 * @eventfd means something in EVENTFD mode only; elsewhere it must be
 * zero, so that it can be given a meaning later: any other number, an
 * eventfd's included, is refused, and nothing is registered.
 */
TEST_F(device, eventfd_zero_outside_eventfd_mode)
{
	static const uint32_t modes[] = {
		HWEVENT_MODE_PENDING, HWEVENT_MODE_QUEUE,
	};
	int fds[] = { -1, INT32_MIN, INT32_MAX, -1, -1, -1, -1 };
	struct hw_stats base, st;
	struct hwevent_register r;
	int pipefd[2], nullfd;
	unsigned int i, m;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nullfd);
	fds[3] = pipefd[0];
	fds[4] = nullfd;
	fds[5] = self->fd;
	fds[6] = self->efd;
	ASSERT_EQ(0, stats_read(&base));
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		for (i = 0; i < ARRAY_SIZE(fds); i++) {
			reg_set(&r, modes[m], 0, 0, i);
			r.eventfd = fds[i];
			EXPECT_EQ(EINVAL, do_register(self->fd, &r))
				TH_LOG("mode %u eventfd %d", modes[m], fds[i]);
		}
	}
	ASSERT_EQ(0, stats_read(&st));
	EXPECT_EQ(base.armed, st.armed);
	/* Zero is the good value: the same requests pass. */
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		reg_set(&r, modes[m], 0, 0, 9);
		EXPECT_EQ(0, do_register(self->fd, &r)) TH_LOG("mode %u",
							    modes[m]);
	}
	/* The eventfd that was passed was never signalled. */
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
	close(nullfd);
	close(pipefd[0]);
	close(pipefd[1]);
}

TEST_F(device, seqno_follows_firing_order)
{
	struct hwevent_register early, late;
	uint64_t start;

	/* Registered first, fires last. */
	reg_set(&late, HWEVENT_MODE_EVENTFD, self->efd, NSEC_PER_SEC, 1);
	start = now_ns();
	ASSERT_EQ(0, do_register(self->fd, &late));
	/* Registered second, fires at once. */
	reg_set(&early, HWEVENT_MODE_PENDING, -1, 0, 2);
	ASSERT_EQ(0, do_register(self->fd, &early));
	ASSERT_GT(start + NSEC_PER_SEC, early.event.irq_ns)
		TH_LOG("too slow to tell the order");
	ASSERT_EQ(1U, efd_collect(self->efd, 1, NSEC_PER_SEC + SLACK_NS));
	/* The eventfd event's seqno is between early's and this one's. */
	ASSERT_LE(early.event.seqno + 2, probe_seqno(_metadata, self->fd));
	/* The ids, by contrast, follow registration order. */
	ASSERT_EQ(1U, late.id);
	ASSERT_EQ(2U, early.id);
}

TEST_F(device, same_eventfd_many_times)
{
	const unsigned int n = 200;
	struct hwevent_register r;
	unsigned int i;

	for (i = 0; i < n; i++) {
		/* 0 .. ~1 ms */
		reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd,
			 (i % 20) * 50 * NSEC_PER_USEC, i);
		ASSERT_EQ(0, do_register(self->fd, &r));
		ASSERT_EQ(i + 1, r.id);
	}
	ASSERT_EQ(n, efd_collect(self->efd, n, SLACK_NS));
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

TEST_F(device, eventfd_closed_after_register)
{
	struct hwevent_register r;
	uint64_t before, after;
	unsigned int i;
	int efd2;

	before = probe_seqno(_metadata, self->fd);
	efd2 = make_eventfd();
	ASSERT_LE(0, efd2);
	for (i = 0; i < 10; i++) {
		reg_set(&r, HWEVENT_MODE_EVENTFD, efd2, i * NSEC_PER_MSEC, i);
		ASSERT_EQ(0, do_register(self->fd, &r));
	}
	/* These are dropped at close, their eventfd long gone. */
	for (i = 0; i < 10; i++) {
		reg_set(&r, HWEVENT_MODE_EVENTFD, efd2, NEVER_NS, i);
		ASSERT_EQ(0, do_register(self->fd, &r));
	}
	/* The driver holds its own reference: closing ours is fine. */
	close(efd2);
	sleep_ns(100 * NSEC_PER_MSEC);
	/* The first ten still fired... */
	after = probe_seqno(_metadata, self->fd);
	ASSERT_LE(before + 11, after);
	/* ...and the device works as before: ids 1 and 22 were the probes. */
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, 0, 0);
	fire(_metadata, self->fd, self->efd, &r);
	ASSERT_EQ(23U, r.id);
}

TEST_F(device, close_drops_unfired)
{
	const uint64_t delay = 500 * NSEC_PER_MSEC;
	struct hwevent_register r;
	uint64_t start, before;
	unsigned int i;

	before = probe_seqno(_metadata, self->fd);
	start = now_ns();
	for (i = 0; i < 10; i++) {
		reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, delay, i);
		ASSERT_EQ(0, do_register(self->fd, &r));
	}
	close(self->fd);
	self->fd = -1;
	/* Release does not wait for the timers. */
	ASSERT_GT(start + delay, now_ns())
		TH_LOG("closing took too long to tell dropped from fired");
	sleep_until_ns(start + delay + NSEC_PER_SEC);
	ASSERT_EQ(0U, efd_take(self->efd))
		TH_LOG("a dropped registration signalled its eventfd");

	/* Their timers were cancelled: they took no seqno. */
	self->fd = open_dev(_metadata);
	EXPECT_EQ(before + 1, probe_seqno(_metadata, self->fd))
		TH_LOG("(or another program used " HWEVENT_PATH ")");
}

TEST_F(device, release_is_last_close)
{
	const uint64_t delay = 300 * NSEC_PER_MSEC;
	const unsigned int n = 5;
	struct hwevent_register r;
	unsigned int i;
	uint64_t start;
	int fd2;

	start = now_ns();
	for (i = 0; i < n; i++) {
		reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, delay, i);
		ASSERT_EQ(0, do_register(self->fd, &r));
	}
	/* The file stays open through the dup: nothing is dropped. */
	fd2 = dup(self->fd);
	ASSERT_LE(0, fd2);
	close(self->fd);
	self->fd = fd2;
	ASSERT_GT(start + delay, now_ns())
		TH_LOG("too slow: they may have fired before the close");
	ASSERT_EQ(n, efd_collect(self->efd, n, delay + SLACK_NS));
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

struct closer {
	int fd;
	const volatile __u64 *id;	/* set by the ioctl once it is in */
	int err;
};

static void *closer_fn(void *arg)
{
	struct closer *c = arg;

	while (!__atomic_load_n(c->id, __ATOMIC_ACQUIRE))
		sleep_ns(NSEC_PER_MSEC);
	/* Well inside the ioctl's sleep now. */
	sleep_ns(100 * NSEC_PER_MSEC);
	c->err = close(c->fd) ? errno : 0;
	return NULL;
}

/*
 * close() of the descriptor by another thread neither wakes nor ends a
 * PENDING wait on it: the ioctl holds its own reference to the open file,
 * so release runs only after the ioctl returns, and nothing is dropped.
 * (Windows: closing the last handle sends IRP_MJ_CLEANUP, whose cleanup
 * routine cancels the pended IRP.)
 */
TEST_F_TIMEOUT(device, close_does_not_wake_pending, 60)
{
	const uint64_t delay = 600 * NSEC_PER_MSEC;
	struct hw_stats before, after, d;
	struct hwevent_register r;
	struct closer c;
	int have_stats = !stats_read(&before);
	uint64_t start;
	pthread_t t;

	reg_set(&r, HWEVENT_MODE_PENDING, -1, delay, 7);
	c.fd = self->fd;
	c.id = &r.id;
	c.err = -1;
	ASSERT_EQ(0, pthread_create(&t, NULL, closer_fn, &c));
	start = now_ns();
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_LE(start + delay, now_ns());
	ASSERT_EQ(0, pthread_join(t, NULL));
	self->fd = -1;
	ASSERT_EQ(0, c.err)
		TH_LOG("the other thread's close: %s", strerror(c.err));
	/* The wait ended by firing: the record is there. */
	EXPECT_EQ(7ULL, r.event.cookie);
	EXPECT_NE(0ULL, r.event.seqno);
	EXPECT_LE(r.event.due_ns, r.event.irq_ns);
	if (!have_stats)
		return;
	ASSERT_EQ(0, stats_settle(&after, &before, SLACK_NS));
	d = stats_sub(&after, &before);
	EXPECT_EQ(1, d.completed);
	EXPECT_EQ(0, d.dropped);
	EXPECT_EQ(0, d.cancelled + d.interrupted);
}

TEST_F_TIMEOUT(device, signal_interrupts_pending, 90)
{
	const uint64_t delay = 10 * NSEC_PER_SEC;
	struct hwevent_register r;
	uint64_t start, elapsed, before;
	long long cap = read_max_pending();
	unsigned int n;
	int fd2, err;

	if (cap < 0)
		SKIP(return, "cannot read " MAX_PENDING_PATH);
	if (cap > CAP_LIMIT)
		SKIP(return, "max_pending %lld is too large to fill", cap);

	fd2 = open_dev(_metadata);
	before = probe_seqno(_metadata, fd2);
	reg_set(&r, HWEVENT_MODE_PENDING, -1, delay, 1);
	start = now_ns();
	ASSERT_EQ(EINTR, register_pestered(_metadata, self->fd, &r,
					   100 * NSEC_PER_MSEC));
	elapsed = now_ns() - start;
	TH_LOG("EINTR after %llu ms", (unsigned long long)elapsed / NSEC_PER_MSEC);
	ASSERT_LT(0, sigusr1_seen);
	/* Promptly: not at the end of the delay. */
	ASSERT_GT(delay / 2, elapsed);

	/* The registration is gone: the file has its whole cap left... */
	n = fill(self->fd, self->efd, cap + 1, &err);
	ASSERT_EQ(cap, n);
	ASSERT_EQ(ENOSPC, err);

	/* ...and its timer was cancelled: it never took a seqno. */
	sleep_until_ns(start + delay + NSEC_PER_SEC);
	EXPECT_EQ(before + 1, probe_seqno(_metadata, fd2))
		TH_LOG("(or another program used " HWEVENT_PATH ")");
	ASSERT_EQ(0U, efd_take(self->efd));
	close(fd2);
}

/* The state letter of /proc/@pid/stat ('S' asleep...), or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * SIGKILL of a process asleep in a PENDING ioctl on a file it shares ends
 * the wait at once, and the registration with it. The child's argument is
 * in shared memory: the id the ioctl writes back just before it sleeps,
 * and the child's state then, say that the kill found it inside the ioctl.
 */
TEST_F_TIMEOUT(device, pending_waiter_killed, 90)
{
	const uint64_t delay = 10 * NSEC_PER_SEC;
	long long cap = read_max_pending();
	struct hw_stats before, after;
	struct hwevent_register *r;
	int have_stats = !stats_read(&before);
	uint64_t start, killed;
	int err, status;
	unsigned int n;
	char state = 0;
	pid_t pid;

	if (cap < 0)
		SKIP(return, "cannot read " MAX_PENDING_PATH);
	if (cap > CAP_LIMIT)
		SKIP(return, "max_pending %lld is too large to fill", cap);

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(r != MAP_FAILED);
	reg_set(r, HWEVENT_MODE_PENDING, -1, delay, 0);
	start = now_ns();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* On the parent's open file. */
		do_register(self->fd, r);
		_exit(0);
	}
	/* The ioctl wrote the id back: it is past its checks, arming. */
	while (!__atomic_load_n(&r->id, __ATOMIC_ACQUIRE) &&
	       now_ns() < start + SLACK_NS)
		sleep_ns(NSEC_PER_MSEC);
	ASSERT_NE(0ULL, r->id) TH_LOG("the child never got into the ioctl");
	/* ...and asleep in it. */
	while ((state = proc_state(pid)) != 'S' && now_ns() < start + SLACK_NS)
		sleep_ns(NSEC_PER_MSEC);
	ASSERT_EQ('S', state) TH_LOG("the child's state: '%c'", state ?: '?');
	killed = now_ns();
	ASSERT_GT(start + delay, killed) TH_LOG("too slow: it may have fired");
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* Killed in the ioctl, not returned from it (that would be exit 0). */
	ASSERT_TRUE(WIFSIGNALED(status));
	ASSERT_EQ(SIGKILL, WTERMSIG(status));
	ASSERT_GT(killed + SLACK_NS, now_ns());
	ASSERT_GT(start + delay, now_ns()) TH_LOG("too slow: it may have fired");
	munmap(r, sizeof(*r));

	/* The child's registration on our file is gone... */
	n = fill(self->fd, self->efd, cap + 1, &err);
	ASSERT_EQ(cap, n);
	ASSERT_EQ(ENOSPC, err);
	if (!have_stats)
		return;
	/* ...as interrupted: the kill ended it. */
	ASSERT_EQ(0, stats_read(&after));
	EXPECT_EQ(1, after.interrupted - before.interrupted);
	EXPECT_EQ(0, after.completed - before.completed);
}

/*
 * Signals arriving all the time while short PENDING registrations fire:
 * each call either reports its event or fails with EINTR, and then its
 * event never happened. Seqnos count the events that did: none is lost.
 */
TEST_F_TIMEOUT(device, signal_races_fire, 90)
{
	const unsigned int n = 300;
	long long cap = read_max_pending();
	unsigned int i, fired = 0, interrupted = 0;
	struct hwevent_register r;
	uint64_t before, start, end;
	struct pester p;
	int ret, err;

	if (cap < 0)
		SKIP(return, "cannot read " MAX_PENDING_PATH);
	if (cap > CAP_LIMIT)
		SKIP(return, "max_pending %lld is too large to fill", cap);

	before = probe_seqno(_metadata, self->fd);
	pester_start(_metadata, &p, 1, 1, SA_RESTART);
	for (i = 0; i < n; i++) {
		/* 0 .. 2 ms */
		reg_set(&r, HWEVENT_MODE_PENDING, -1,
			 (i % 9) * 250 * NSEC_PER_USEC, i);
		start = now_ns();
		ret = do_register(self->fd, &r);
		end = now_ns();
		if (ret == EINTR) {
			interrupted++;
			continue;
		}
		ASSERT_EQ(0, ret);
		check_record(_metadata, &r, start, end);
		fired++;
	}
	pester_stop(_metadata, &p);
	TH_LOG("%u fired, %u interrupted, %d signals", fired, interrupted,
	       (int)sigusr1_seen);

	/* Every event that happened was reported. */
	EXPECT_EQ(before + fired + 1, probe_seqno(_metadata, self->fd))
		TH_LOG("(or another program used " HWEVENT_PATH ")");
	/* None of the interrupted ones stayed behind. */
	ASSERT_EQ((unsigned int)cap, fill(self->fd, self->efd, cap + 1, &err));
	ASSERT_EQ(ENOSPC, err);
}

/*
 * A PENDING call made in a child process, watched from the test through
 * shared memory: the child registers on @fd (or, with @own_file, on a file
 * it opens itself, which a second thread of its closes on request).
 */
struct child_call {
	struct hwevent_register r;
	uint64_t start;		/* before the ioctl */
	uint64_t end;		/* after it returned */
	int ret;		/* its errno, or 0 */
	int done;		/* it returned */
	int close_now;		/* own_file: the closer closes the file */
	int closed;		/* ...and has: close()'s errno + 1 */
	int fd;			/* own_file: the file */
};

static void *child_closer_fn(void *arg)
{
	struct child_call *c = arg;

	while (!__atomic_load_n(&c->close_now, __ATOMIC_ACQUIRE))
		sleep_ns(NSEC_PER_MSEC);
	__atomic_store_n(&c->closed, (close(c->fd) ? errno : 0) + 1,
			 __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Forks the child; returns once its call is asleep in the driver: its id
 * is written back (the registration is made) and its state is 'S'. *@asleep
 * is then the time, after the registration was armed.
 */
static pid_t child_call_start(struct __test_metadata *_metadata,
			      struct child_call *c, int fd, uint64_t delay,
			      int own_file, uint64_t *asleep)
{
	uint64_t deadline;
	pthread_t closer;
	char state = 0;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	reg_set(&c->r, HWEVENT_MODE_PENDING, -1, delay, 0x5707);
	pid = fork();
	if (pid < 0)
		return pid;
	if (pid == 0) {
		if (own_file) {
			fd = open(HWEVENT_PATH, O_RDWR | O_CLOEXEC);
			c->fd = fd;
			if (fd < 0 ||
			    pthread_create(&closer, NULL, child_closer_fn, c))
				_exit(3);
		}
		c->start = now_ns();
		c->ret = do_register(fd, &c->r);
		c->end = now_ns();
		__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
		if (own_file)
			pthread_join(closer, NULL);
		_exit(0);
	}
	deadline = now_ns() + SLACK_NS;
	while (!__atomic_load_n(&c->r.id, __ATOMIC_ACQUIRE) &&
	       now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	while ((state = proc_state(pid)) != 'S' && now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	*asleep = now_ns();
	EXPECT_NE(0ULL, c->r.id) TH_LOG("the child never got into the ioctl");
	EXPECT_EQ('S', state) TH_LOG("the child's state: '%c'", state ?: '?');
	EXPECT_FALSE(__atomic_load_n(&c->done, __ATOMIC_ACQUIRE));
	return pid;
}

/* Waits until proc_state(@pid) is @want, up to SLACK_NS: whether it was. */
static int wait_state(pid_t pid, char want)
{
	uint64_t deadline = now_ns() + SLACK_NS;

	while (proc_state(pid) != want && now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	return proc_state(pid) == want;
}

/* Reaps the child, which must exit 0 by itself within SLACK_NS. */
static void child_call_reap(struct __test_metadata *_metadata, pid_t pid)
{
	uint64_t deadline = now_ns() + 2 * SLACK_NS;
	int status = 0;
	pid_t got;

	while ((got = waitpid(pid, &status, WNOHANG)) == 0 &&
	       now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	ASSERT_EQ(pid, got) TH_LOG("the child did not return from the ioctl");
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/*
 * What a wait that was suspended and resumed must have returned: its
 * event, due when it was due before the suspension (registered before
 * @asleep), not a delay after the resumption at @resumed; and every
 * registration made since @base ended once, as fired.
 */
static void check_resumed(struct __test_metadata *_metadata,
			  const struct child_call *c, uint64_t asleep,
			  uint64_t resumed, const struct hw_stats *base,
			  int have_stats)
{
	struct hw_stats after, d;

	ASSERT_EQ(0, c->ret) TH_LOG("the wait returned %s", errno_name(c->ret));
	check_record(_metadata, &c->r, c->start, c->end);
	EXPECT_GE(asleep + c->r.delay_ns, c->r.event.due_ns)
		TH_LOG("the delay started over: due %llu ns after the ioctl",
		       (unsigned long long)(c->r.event.due_ns - c->start));
	EXPECT_LE(c->r.event.due_ns, c->r.event.irq_ns);
	EXPECT_GT(resumed + c->r.delay_ns, c->end)
		TH_LOG("returned a whole delay after the resumption");
	if (!have_stats)
		return;
	ASSERT_EQ(0, stats_settle(&after, base, SLACK_NS));
	d = stats_sub(&after, base);
	EXPECT_EQ(1, d.armed);
	EXPECT_EQ(1, d.completed);
	EXPECT_EQ(0, d.interrupted + d.cancelled + d.dropped);
	EXPECT_EQ(0, d.live);
}

/*
 * SIGSTOP and SIGCONT (Ctrl-Z, then fg) of a process asleep in a PENDING
 * call do not end it: the call resumes for the due time it had, as
 * clock_nanosleep() does (Windows: a suspended thread's IRP stays
 * pending). The stop outlasts the due time: the event is reported at once
 * on SIGCONT. The child's state 'T' while the call has not returned shows
 * that the stop landed inside it.
 */
TEST_F_TIMEOUT(device, stop_cont_resumes_pending, 60)
{
	const uint64_t delay = NSEC_PER_SEC;
	struct hw_stats base;
	int have_stats = !stats_read(&base);
	uint64_t asleep, resumed;
	struct child_call *c;
	pid_t pid;

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(c != MAP_FAILED);
	pid = child_call_start(_metadata, c, self->fd, delay, 0, &asleep);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	EXPECT_TRUE(wait_state(pid, 'T')) TH_LOG("the child never stopped");
	/* Stopped past its due time, its call still in flight. */
	sleep_until_ns(asleep + delay + 200 * NSEC_PER_MSEC);
	EXPECT_EQ('T', proc_state(pid));
	EXPECT_FALSE(__atomic_load_n(&c->done, __ATOMIC_ACQUIRE))
		TH_LOG("the call returned while the process was stopped");
	resumed = now_ns();
	ASSERT_EQ(0, kill(pid, SIGCONT));
	child_call_reap(_metadata, pid);
	check_resumed(_metadata, c, asleep, resumed, &base, have_stats);
	munmap(c, sizeof(*c));
}

/* Stops the child with PTRACE_SEIZE and PTRACE_INTERRUPT: whether it did. */
static int ptrace_stop_child(struct __test_metadata *_metadata, pid_t pid)
{
	int status = 0;

	EXPECT_EQ(0, ptrace(PTRACE_SEIZE, pid, NULL, NULL))
		TH_LOG("PTRACE_SEIZE: %s", strerror(errno));
	EXPECT_EQ(0, ptrace(PTRACE_INTERRUPT, pid, NULL, NULL))
		TH_LOG("PTRACE_INTERRUPT: %s", strerror(errno));
	EXPECT_EQ(pid, waitpid(pid, &status, __WALL));
	EXPECT_TRUE(WIFSTOPPED(status));
	EXPECT_EQ(PTRACE_EVENT_STOP, status >> 16)
		TH_LOG("status %#x", status);
	return WIFSTOPPED(status) && status >> 16 == PTRACE_EVENT_STOP;
}

/*
 * A debugger attaching (strace -p, gdb -p: PTRACE_SEIZE, PTRACE_INTERRUPT)
 * to a thread asleep in a PENDING call, holding it stopped, and letting it
 * go does not end the call either. 't' (tracing stop) while the call has
 * not returned shows that the stop landed inside it.
 */
TEST_F_TIMEOUT(device, ptrace_interrupt_resumes_pending, 60)
{
	const uint64_t delay = NSEC_PER_SEC;
	struct hw_stats base;
	int have_stats = !stats_read(&base);
	uint64_t asleep, resumed;
	struct child_call *c;
	pid_t pid;

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(c != MAP_FAILED);
	pid = child_call_start(_metadata, c, self->fd, delay, 0, &asleep);
	ASSERT_LE(0, pid);
	if (ptrace_stop_child(_metadata, pid)) {
		EXPECT_EQ('t', proc_state(pid));
		sleep_ns(300 * NSEC_PER_MSEC);
		EXPECT_FALSE(__atomic_load_n(&c->done, __ATOMIC_ACQUIRE))
			TH_LOG("the call returned while the thread was traced");
		/* As a debugger would: continue, then let go. */
		EXPECT_EQ(0, ptrace(PTRACE_CONT, pid, NULL, NULL));
		EXPECT_EQ(0, ptrace(PTRACE_INTERRUPT, pid, NULL, NULL));
		EXPECT_EQ(pid, waitpid(pid, NULL, __WALL));
	}
	resumed = now_ns();
	EXPECT_EQ(0, ptrace(PTRACE_DETACH, pid, NULL, NULL))
		TH_LOG("PTRACE_DETACH: %s", strerror(errno));
	child_call_reap(_metadata, pid);
	check_resumed(_metadata, c, asleep, resumed, &base, have_stats);
	munmap(c, sizeof(*c));
}

/* Whether the cgroup @dir's cgroup.events says "frozen @want". */
static int cg_frozen(const char *dir, int want)
{
	char path[256], line[64];
	int frozen = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "frozen %d", &frozen) == 1)
			break;
	fclose(f);
	return frozen == want;
}

/* Writes @val to @dir/@name: 0 or the errno. */
static int cg_write(const char *dir, const char *name, const char *val)
{
	char path[256];
	ssize_t len = strlen(val);
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, val, len) != len)
		err = errno ?: EIO;
	close(fd);
	return err;
}

/*
 * cgroup v2's freezer (cgroup.freeze 1, then 0; what systemd and container
 * runtimes use to pause) does not end a PENDING call either. cgroup2 is
 * mounted for the test if it is not at /sys/fs/cgroup; a kernel that
 * cannot is a failure, not a skip (CONFIG_CGROUPS is in selftests/config).
 * cgroup.events saying "frozen 1" while the call has not returned shows
 * that the freeze took the process inside it: a task asleep in a system
 * call is counted frozen only once the freeze has made it leave the call.
 */
TEST_F_TIMEOUT(device, cgroup_freeze_resumes_pending, 60)
{
	const uint64_t delay = NSEC_PER_SEC;
	char root[64] = "/sys/fs/cgroup", tmp[] = "/tmp/hwevent-cg.XXXXXX";
	char cg[128], pidbuf[32];
	struct hw_stats base;
	int have_stats = !stats_read(&base);
	uint64_t asleep, resumed, deadline;
	struct child_call *c;
	int mounted = 0, frozen = 0;
	pid_t pid;

	if (access("/sys/fs/cgroup/cgroup.freeze", F_OK) &&
	    access("/sys/fs/cgroup/cgroup.controllers", F_OK)) {
		ASSERT_TRUE(mkdtemp(tmp) != NULL);
		ASSERT_EQ(0, mount("none", tmp, "cgroup2", 0, NULL))
			TH_LOG("cannot mount cgroup2 (CONFIG_CGROUPS): %s",
			       strerror(errno));
		snprintf(root, sizeof(root), "%s", tmp);
		mounted = 1;
	}
	snprintf(cg, sizeof(cg), "%s/hwevent-freeze-%d", root, (int)getpid());
	ASSERT_EQ(0, mkdir(cg, 0755)) TH_LOG("mkdir %s: %s", cg, strerror(errno));

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(c != MAP_FAILED);
	pid = child_call_start(_metadata, c, self->fd, delay, 0, &asleep);
	ASSERT_LE(0, pid);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	EXPECT_EQ(0, cg_write(cg, "cgroup.procs", pidbuf));
	EXPECT_EQ(0, cg_write(cg, "cgroup.freeze", "1"));
	deadline = now_ns() + SLACK_NS;
	while (!(frozen = cg_frozen(cg, 1)) && now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	EXPECT_TRUE(frozen) TH_LOG("cgroup.events never said frozen 1");
	sleep_ns(300 * NSEC_PER_MSEC);
	EXPECT_TRUE(cg_frozen(cg, 1));
	EXPECT_FALSE(__atomic_load_n(&c->done, __ATOMIC_ACQUIRE))
		TH_LOG("the call returned while the cgroup was frozen");
	resumed = now_ns();
	EXPECT_EQ(0, cg_write(cg, "cgroup.freeze", "0"));
	child_call_reap(_metadata, pid);
	check_resumed(_metadata, c, asleep, resumed, &base, have_stats);
	munmap(c, sizeof(*c));
	EXPECT_EQ(0, rmdir(cg)) TH_LOG("rmdir %s: %s", cg, strerror(errno));
	if (mounted) {
		EXPECT_EQ(0, umount(tmp));
		rmdir(tmp);
	}
}

/* Sends @target one SIGUSR1 once its thread @tid sleeps in the call. */
struct one_signal {
	pthread_t target;
	pid_t tid;
	const volatile __u64 *id;	/* set by the ioctl once it is in */
	int sent;			/* 1 if sent while it slept ('S') */
};

static void *one_signal_fn(void *arg)
{
	struct one_signal *s = arg;
	uint64_t deadline = now_ns() + SLACK_NS;

	while (!__atomic_load_n(s->id, __ATOMIC_ACQUIRE) &&
	       now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	while (proc_state(s->tid) != 'S' && now_ns() < deadline)
		sleep_ns(NSEC_PER_MSEC);
	s->sent = proc_state(s->tid) == 'S' &&
		  !pthread_kill(s->target, SIGUSR1);
	return NULL;
}

/*
 * A signal whose handler runs still ends a PENDING call with EINTR, with
 * or without SA_RESTART (@sa_flags), as for nanosleep(2): the restart is
 * for waits no handler interrupted. The registration is gone, counted
 * interrupted, its place back (also once its file is released, with
 * @by_close), and its timer never fired, even past its due time.
 */
static void handled_signal_ends_pending(struct __test_metadata *_metadata,
					int fd, int sa_flags, int by_close)
{
	const uint64_t delay = NSEC_PER_SEC;
	struct sigaction sa = { .sa_handler = on_sigusr1,
				.sa_flags = sa_flags };
	struct hw_stats before, after, d;
	struct hwevent_register r;
	struct one_signal s = { 0 };
	uint64_t start, seq0;
	pthread_t t;
	int fd2, ret;

	if (stats_read(&before))
		SKIP(return, "cannot read " HWEVENT_STATS_PATH);
	fd2 = by_close ? open_dev(_metadata) : fd;
	seq0 = probe_seqno(_metadata, fd);
	ASSERT_EQ(0, stats_read(&before));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	sigusr1_seen = 0;
	reg_set(&r, HWEVENT_MODE_PENDING, -1, delay, 4);
	s.target = pthread_self();
	s.tid = gettid();
	s.id = &r.id;
	ASSERT_EQ(0, pthread_create(&t, NULL, one_signal_fn, &s));
	start = now_ns();
	ret = do_register(fd2, &r);
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_TRUE(s.sent) TH_LOG("never saw the call asleep");
	ASSERT_EQ(EINTR, ret);
	ASSERT_EQ(1, sigusr1_seen);
	ASSERT_GT(start + delay, now_ns()) TH_LOG("too slow: it may have fired");

	if (by_close)
		close(fd2);
	/* Past its due time: had its timer run, it would have fired. */
	sleep_until_ns(start + delay + 200 * NSEC_PER_MSEC);
	EXPECT_EQ(seq0 + 1, probe_seqno(_metadata, fd))
		TH_LOG("the interrupted registration fired (or another program used " HWEVENT_PATH ")");
	ASSERT_EQ(0, stats_settle(&after, &before, SLACK_NS));
	d = stats_sub(&after, &before);
	EXPECT_EQ(2, d.armed);
	EXPECT_EQ(1, d.interrupted);
	EXPECT_EQ(1, d.completed);	/* the probe */
	EXPECT_EQ(0, d.cancelled + d.dropped);
	EXPECT_EQ(0, d.live);
}

TEST_F(device, handled_signal_eintr)
{
	handled_signal_ends_pending(_metadata, self->fd, 0, 0);
}

TEST_F(device, handled_signal_eintr_sa_restart)
{
	handled_signal_ends_pending(_metadata, self->fd, SA_RESTART, 0);
}

TEST_F(device, handled_signal_eintr_then_close)
{
	handled_signal_ends_pending(_metadata, self->fd, SA_RESTART, 1);
}

/* /sys/module/hwevent/refcnt, or -1. */
static long long module_refcnt(void)
{
	return param_read("/sys/module/" HWEVENT_MODULE "/refcnt");
}

/*
 * The file of a wait held by a debugger is closed by another thread and
 * released meanwhile: the registration ends as interrupted at the
 * release, and when the debugger lets the thread go, the restarted call
 * finds the descriptor closed: EBADF. The detached wait holds no module
 * reference of its own: once the file is released, none is left.
 */
TEST_F_TIMEOUT(device, file_released_while_detached, 60)
{
	const uint64_t delay = NSEC_PER_SEC;
	struct hw_stats base, after, d;
	uint64_t asleep, deadline, resumed;
	long long refs0 = module_refcnt(), refs;
	int have_stats = !stats_read(&base);
	struct child_call *c;
	int closed = 0;
	pid_t pid;

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(c != MAP_FAILED);
	pid = child_call_start(_metadata, c, -1, delay, 1, &asleep);
	ASSERT_LE(0, pid);
	if (ptrace_stop_child(_metadata, pid)) {
		/* The child's other thread closes the file: release runs. */
		__atomic_store_n(&c->close_now, 1, __ATOMIC_RELEASE);
		deadline = now_ns() + SLACK_NS;
		while (!(closed = __atomic_load_n(&c->closed, __ATOMIC_ACQUIRE)) &&
		       now_ns() < deadline)
			sleep_ns(NSEC_PER_MSEC);
		EXPECT_EQ(1, closed) TH_LOG("close: %d", closed - 1);
		EXPECT_FALSE(__atomic_load_n(&c->done, __ATOMIC_ACQUIRE));
		if (have_stats) {
			ASSERT_EQ(0, stats_read(&after));
			d = stats_sub(&after, &base);
			EXPECT_EQ(1, d.interrupted);
			EXPECT_EQ(0, d.live);
		}
		/* The file was the only hold on the module. */
		if (refs0 >= 0)
			EXPECT_EQ(refs0, module_refcnt());
	}
	resumed = now_ns();
	EXPECT_EQ(0, ptrace(PTRACE_DETACH, pid, NULL, NULL))
		TH_LOG("PTRACE_DETACH: %s", strerror(errno));
	child_call_reap(_metadata, pid);
	EXPECT_EQ(EBADF, c->ret) TH_LOG("the wait returned %s", errno_name(c->ret));
	EXPECT_GT(resumed + delay, c->end);
	munmap(c, sizeof(*c));
	if (refs0 >= 0) {
		deadline = now_ns() + SLACK_NS;
		while ((refs = module_refcnt()) != refs0 && now_ns() < deadline)
			sleep_ns(10 * NSEC_PER_MSEC);
		EXPECT_EQ(refs0, refs) TH_LOG("module references left behind");
	}
	if (!have_stats)
		return;
	ASSERT_EQ(0, stats_settle(&after, &base, SLACK_NS));
	d = stats_sub(&after, &base);
	EXPECT_EQ(1, d.armed);
	EXPECT_EQ(1, d.interrupted);
	EXPECT_EQ(0, d.completed + d.cancelled + d.dropped);
	EXPECT_EQ(0, d.live);
}

/*
 * The test-only module parameters (module/interrupt.c): set for one test,
 * restored by the teardown, whatever becomes of the test.
 */
FIXTURE(knob) {
	int fd;
	long long saved_bh_delay;	/* to restore, or -1 */
};

FIXTURE_SETUP(knob)
{
	self->fd = -1;
	/* -1 without the parameter: SET_BH_DELAY() then skips. */
	self->saved_bh_delay = param_read(BH_DELAY_PATH);
	self->fd = open_dev(_metadata);
}

FIXTURE_TEARDOWN(knob)
{
	if (self->saved_bh_delay >= 0)
		EXPECT_EQ(0, param_write(BH_DELAY_PATH, self->saved_bh_delay));
	if (self->fd >= 0)
		close(self->fd);
}

/* Sets test_bh_delay_us, or skips the test if it cannot be written. */
#define SET_BH_DELAY(us) do {						\
	int __err = param_write(BH_DELAY_PATH, (us));			\
									\
	if (param_unwritable(__err))					\
		SKIP(return, "cannot write " BH_DELAY_PATH ": %s",	\
		     strerror(__err));					\
	ASSERT_EQ(0, __err) TH_LOG("%s", strerror(__err));		\
	ASSERT_EQ((long long)(us), param_read(BH_DELAY_PATH));		\
} while (0)

/* The test-only parameters take only their documented ranges. */
TEST_F(knob, test_params_bounded)
{
	long long unit = param_read(COUNT_UNIT_PATH);

	SET_BH_DELAY(100000);
	EXPECT_EQ(EINVAL, param_write(BH_DELAY_PATH, 100001));
	EXPECT_EQ(100000, param_read(BH_DELAY_PATH));
	SET_BH_DELAY(0);
	ASSERT_LE(1, unit);
	EXPECT_EQ(EINVAL, param_write(COUNT_UNIT_PATH, 0));
	EXPECT_EQ(EINVAL, param_write(COUNT_UNIT_PATH, 0x80000001LL));
	EXPECT_EQ(0, param_write(COUNT_UNIT_PATH, 0x80000000LL));
	EXPECT_EQ(0x80000000LL, param_read(COUNT_UNIT_PATH));
	EXPECT_EQ(0, param_write(COUNT_UNIT_PATH, unit));
	EXPECT_EQ(unit, param_read(COUNT_UNIT_PATH));
}

/*
 * bh_ns is when the bottom half ran: with test_bh_delay_us holding it
 * back, at least that long after irq_ns (a bh_ns taken at the interrupt
 * would fail this), and no later than the ioctl's return.
 */
TEST_F(knob, bh_ns_is_bottom_half_time)
{
	const uint64_t bh_delay = 30 * NSEC_PER_MSEC;
	struct hwevent_register r;
	uint64_t start, end;

	SET_BH_DELAY(bh_delay / NSEC_PER_USEC);
	reg_set(&r, HWEVENT_MODE_PENDING, -1, 10 * NSEC_PER_MSEC, 5);
	start = now_ns();
	ASSERT_EQ(0, do_register(self->fd, &r));
	end = now_ns();
	check_record(_metadata, &r, start, end);
	TH_LOG("bh_ns - irq_ns: %llu us",
	       (unsigned long long)(r.event.bh_ns - r.event.irq_ns) / NSEC_PER_USEC);
	EXPECT_LE(r.event.irq_ns + bh_delay, r.event.bh_ns);
	EXPECT_GT(r.event.irq_ns + bh_delay + SLACK_NS, r.event.bh_ns);
}

/*
 * An event that fired just before the signal is reported as success.
 * The window between the interrupt and the bottom half is short:
 * test_bh_delay_us widens it to BH_DELAY. Each round a POSIX timer sends
 * the PENDING waiter a signal at a different offset after its event is
 * due, most of them inside the window. The debugfs counter late_signals
 * shows that at least one landed there (else the test proved nothing),
 * and that each such round returned the event; seqnos count the events
 * that happened: each must have been reported.
 */
TEST_F_TIMEOUT(knob, signal_after_fire_reports_event, 120)
{
	const uint64_t bh_delay = 50 * NSEC_PER_MSEC, delay = 100 * NSEC_PER_MSEC;
	const unsigned int rounds = 20;
	struct sigaction sa = { .sa_handler = on_sigusr1,
				.sa_flags = SA_RESTART };
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
				.sigev_signo = SIGUSR1 };
	unsigned int round, fired = 0, interrupted = 0;
	struct hw_stats before, after, d;
	struct hwevent_register r;
	uint64_t seq0, seq1;
	timer_t timer;

	if (stats_read(&before) || !before.have_late)
		SKIP(return, "no late_signals in " HWEVENT_STATS_PATH
		     ": cannot tell whether a signal hit the window");
	SET_BH_DELAY(bh_delay / NSEC_PER_USEC);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, timer_create(CLOCK_MONOTONIC, &sev, &timer));

	seq0 = probe_seqno(_metadata, self->fd);
	ASSERT_EQ(0, stats_read(&before));
	for (round = 0; round < rounds; round++) {
		/* 0 to 45 ms after it is due: the window is 50 ms. */
		uint64_t offset = (round % 10) * 5 * NSEC_PER_MSEC, due, start;
		struct itimerspec its = { };
		int ret;

		start = now_ns();
		due = start + delay;
		its.it_value = ns_to_timespec(due + offset);
		ASSERT_EQ(0, timer_settime(timer, TIMER_ABSTIME, &its, NULL));
		reg_set(&r, HWEVENT_MODE_PENDING, -1, delay, round);
		ret = do_register(self->fd, &r);
		if (ret == EINTR) {
			interrupted++;
		} else {
			ASSERT_EQ(0, ret);
			check_record(_metadata, &r, start, now_ns());
			EXPECT_LE(r.event.irq_ns + bh_delay, r.event.bh_ns);
			fired++;
		}
		/* Let this round's signal land before the next round. */
		sleep_until_ns(due + offset + 10 * NSEC_PER_MSEC);
	}
	timer_delete(timer);
	/* Its ioctl reaps the registration of an interrupted last round. */
	seq1 = probe_seqno(_metadata, self->fd);
	ASSERT_EQ(0, stats_settle(&after, &before, SLACK_NS));
	d = stats_sub(&after, &before);
	TH_LOG("%u fired, %u interrupted, %lld signals between interrupt and bottom half",
	       fired, interrupted, d.late_signals);
	/* The window was hit... */
	ASSERT_LE(1, d.late_signals);
	/* ...and each round that hit it returned its event. */
	EXPECT_GE(fired, d.late_signals);
	EXPECT_EQ(interrupted, d.interrupted);
	EXPECT_EQ(fired + 1, d.completed);	/* and the probe */
	EXPECT_EQ(seq0 + fired + 1, seq1)
		TH_LOG("an event that fired was reported as EINTR");
}

TEST_F_TIMEOUT(device, max_pending_per_file, 90)
{
	long long cap = read_max_pending();
	struct hwevent_register r;
	unsigned int n;
	int efd2, fd2, err;
	uint64_t start;

	if (cap < 0)
		SKIP(return, "cannot read " MAX_PENDING_PATH);
	if (cap < 2 || cap > CAP_LIMIT)
		SKIP(return, "max_pending %lld is out of range to fill", cap);

	/* All but one never fire; the last one does, after two seconds. */
	n = fill(self->fd, self->efd, cap - 1, &err);
	ASSERT_EQ(cap - 1, n);
	ASSERT_EQ(0, err);
	efd2 = make_eventfd();
	ASSERT_LE(0, efd2);
	start = now_ns();
	reg_set(&r, HWEVENT_MODE_EVENTFD, efd2, 2 * NSEC_PER_SEC, 0);
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ((uint64_t)cap, r.id);

	/* Full: in either mode, and PENDING fails rather than sleeps. */
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, 0, 0);
	ASSERT_EQ(ENOSPC, do_register(self->fd, &r));
	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 0);
	ASSERT_EQ(ENOSPC, register_pestered(_metadata, self->fd, &r, SLACK_NS));
	ASSERT_GT(start + 2 * NSEC_PER_SEC, now_ns())
		TH_LOG("too slow: the last one may have fired already");

	/* The cap is per file. */
	fd2 = open_dev(_metadata);
	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 0);
	ASSERT_EQ(0, do_register(fd2, &r));
	ASSERT_EQ(1U, r.id);
	close(fd2);

	/* A registration that fired frees its place: one more fits. */
	ASSERT_EQ(1U, efd_collect(efd2, 1, 2 * NSEC_PER_SEC + SLACK_NS));
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, NEVER_NS, 0);
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ((uint64_t)cap + 1, r.id);
	ASSERT_EQ(ENOSPC, do_register(self->fd, &r));

	/* Failed registrations signal nothing. */
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
	close(efd2);
}

TEST_F(device, max_pending_writable)
{
	const long long small = 8;
	unsigned int n;
	int err;

	self->saved_max_pending = read_max_pending();
	if (self->saved_max_pending < 0)
		SKIP(return, "cannot read " MAX_PENDING_PATH);
	err = param_write(MAX_PENDING_PATH, small);
	if (param_unwritable(err)) {
		self->saved_max_pending = -1;
		SKIP(return, "cannot write " MAX_PENDING_PATH ": %s",
		     strerror(err));
	}
	ASSERT_EQ(0, err) TH_LOG("write %lld: %s", small, strerror(err));
	ASSERT_EQ(small, read_max_pending());

	n = fill(self->fd, self->efd, small + 1, &err);
	ASSERT_EQ(small, n);
	ASSERT_EQ(ENOSPC, err);

	/* Bounded when written, 1 to 65536: a bad value changes nothing. */
	EXPECT_EQ(EINVAL, param_write(MAX_PENDING_PATH, 0));
	EXPECT_EQ(EINVAL, param_write(MAX_PENDING_PATH, 65537));
	EXPECT_EQ(ERANGE, param_write(MAX_PENDING_PATH, 1LL << 32));
	EXPECT_EQ(small, read_max_pending());
	EXPECT_EQ(0, param_write(MAX_PENDING_PATH, 65536));
	EXPECT_EQ(65536, read_max_pending());
}

/*
 * Threads 0..SHARED-1 register on one shared file, the others each on
 * their own; every thread alternates modes and signals its own eventfd.
 */
#define NR_THREADS	8
#define NR_SHARED	4
#define NR_REGS		50

struct worker {
	pthread_t thread;
	pthread_barrier_t *barrier;
	unsigned int index;
	int fd;
	int efd;
	int err;		/* the first failure, or 0 */
	unsigned int nr_eventfd;
	struct hwevent_register regs[NR_REGS];
	uint64_t start[NR_REGS];
	uint64_t end[NR_REGS];
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	pthread_barrier_wait(w->barrier);
	for (i = 0; i < NR_REGS; i++) {
		struct hwevent_register *r = &w->regs[i];
		uint32_t mode = (i + w->index) % 2 ? HWEVENT_MODE_EVENTFD :
						     HWEVENT_MODE_PENDING;
		/* 0 .. 2 ms */
		uint64_t delay = ((i * 7 + w->index * 13) % 21) * 100 * NSEC_PER_USEC;

		reg_set(r, mode, w->efd, delay, (uint64_t)w->index << 32 | i);
		w->start[i] = now_ns();
		w->err = do_register(w->fd, r);
		w->end[i] = now_ns();
		if (w->err)
			break;
		if (mode == HWEVENT_MODE_EVENTFD)
			w->nr_eventfd++;
	}
	return NULL;
}

TEST_F_TIMEOUT(device, concurrent_mixed, 120)
{
	static struct worker w[NR_THREADS];
	uint64_t seqnos[NR_THREADS * NR_REGS], shared_ids[NR_SHARED * NR_REGS];
	unsigned int t, i, nr_seqnos = 0, nr_shared = 0;
	pthread_barrier_t barrier;

	ASSERT_EQ(0, pthread_barrier_init(&barrier, NULL, NR_THREADS));
	for (t = 0; t < NR_THREADS; t++) {
		w[t].barrier = &barrier;
		w[t].index = t;
		w[t].fd = t < NR_SHARED ? self->fd : open_dev(_metadata);
		w[t].efd = make_eventfd();
		ASSERT_LE(0, w[t].efd);
	}
	for (t = 0; t < NR_THREADS; t++)
		ASSERT_EQ(0, pthread_create(&w[t].thread, NULL, worker_fn,
					    &w[t]));
	for (t = 0; t < NR_THREADS; t++)
		ASSERT_EQ(0, pthread_join(w[t].thread, NULL));

	for (t = 0; t < NR_THREADS; t++) {
		uint64_t ids[NR_REGS];

		ASSERT_EQ(0, w[t].err) TH_LOG("thread %u: %s", t,
					      strerror(w[t].err));
		ASSERT_EQ(NR_REGS / 2U, w[t].nr_eventfd);
		for (i = 0; i < NR_REGS; i++) {
			struct hwevent_register *r = &w[t].regs[i];

			ids[i] = r->id;
			if (t < NR_SHARED)
				shared_ids[nr_shared++] = r->id;
			if (r->mode == HWEVENT_MODE_PENDING) {
				check_record(_metadata, r, w[t].start[i],
					     w[t].end[i]);
				seqnos[nr_seqnos++] = r->event.seqno;
			}
		}
		/* A file of its own counts 1..NR_REGS. */
		if (t >= NR_SHARED) {
			qsort(ids, NR_REGS, sizeof(ids[0]), cmp_u64);
			for (i = 0; i < NR_REGS; i++)
				ASSERT_EQ(i + 1, ids[i]);
		}
		/* Every eventfd gets exactly its number of signals. */
		ASSERT_EQ(w[t].nr_eventfd,
			  efd_collect(w[t].efd, w[t].nr_eventfd, SLACK_NS))
			TH_LOG("thread %u", t);
	}
	/* The shared file gave each registration its own id. */
	qsort(shared_ids, nr_shared, sizeof(shared_ids[0]), cmp_u64);
	for (i = 0; i < nr_shared; i++)
		ASSERT_EQ(i + 1, shared_ids[i]);
	/* No two events share a seqno. */
	qsort(seqnos, nr_seqnos, sizeof(seqnos[0]), cmp_u64);
	for (i = 1; i < nr_seqnos; i++)
		ASSERT_LT(seqnos[i - 1], seqnos[i]);

	for (t = 0; t < NR_THREADS; t++) {
		EXPECT_EQ(0U, efd_stays_quiet(w[t].efd)) TH_LOG("thread %u", t);
		close(w[t].efd);
		if (t >= NR_SHARED)
			close(w[t].fd);
	}
	pthread_barrier_destroy(&barrier);
}

TEST_F(device, cancel_unknown_id)
{
	struct hwevent_register r;
	uint64_t count;

	/* A new file: no id was ever issued. */
	EXPECT_EQ(ENOENT, cancel_id(self->fd, 1, 0, NULL));
	EXPECT_EQ(ENOENT, cancel_id(self->fd, 2, 0, NULL));
	EXPECT_EQ(ENOENT, cancel_id(self->fd, UINT64_MAX, 0, NULL));
	/* Id 0 is never issued: without ALL it is invalid, not unknown. */
	EXPECT_EQ(EINVAL, cancel_id(self->fd, 0, 0, NULL));

	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, NEVER_NS, 0);
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ(1U, r.id);
	EXPECT_EQ(ENOENT, cancel_id(self->fd, 2, 0, NULL));
	EXPECT_EQ(ENOENT, cancel_id(self->fd, 1ULL << 32 | 1, 0, NULL));
	/* The misses touched nothing: id 1 is still there. */
	ASSERT_EQ(0, cancel_id(self->fd, 1, 0, &count));
	ASSERT_EQ(1U, count);
}

/*
 * ALL on a file with EVENTFD registrations and PENDING callers sleeping
 * in several threads: it takes every one, says how many, the callers all
 * get ECANCELED, the eventfds are never signalled.
 */
TEST_F_TIMEOUT(device, cancel_all_mixed, 60)
{
	const uint64_t delay = 500 * NSEC_PER_MSEC;
	const unsigned int nr_efd = 10, nr_pending = 3;
	struct waiter w[3];
	struct hw_stats base, st;
	int have_stats = !stats_read(&base);
	struct hwevent_register r;
	uint64_t start, count, total, id, before, deadline;
	unsigned int i;

	before = probe_seqno(_metadata, self->fd);
	start = now_ns();
	for (i = 0; i < nr_pending; i++) {
		/* Alternately short and endless. */
		id = arm(_metadata, HWEVENT_MODE_PENDING, self->fd, -1, &w[i],
			 i % 2 ? NEVER_NS : delay, i);
		ASSERT_NE(0U, id);
	}
	for (i = 0; i < nr_efd; i++) {
		reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd,
			 i % 2 ? NEVER_NS : delay, i);
		ASSERT_EQ(0, do_register(self->fd, &r));
	}
	/* The waiters' ids show just before they sleep: let them. */
	if (have_stats) {
		uint64_t deadline = now_ns() + SLACK_NS;

		while (!stats_read(&st) &&
		       st.live < base.live + nr_efd + nr_pending &&
		       now_ns() < deadline)
			sleep_ns(NSEC_PER_MSEC);
	} else {
		sleep_ns(50 * NSEC_PER_MSEC);
	}
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &total));
	/*
	 * A waiter counted live but descheduled just before it took the
	 * lock to arm is only caught by a second ALL: add them up.
	 */
	deadline = now_ns() + 100 * NSEC_PER_MSEC;
	while (total < nr_efd + nr_pending && now_ns() < deadline) {
		sleep_ns(10 * NSEC_PER_MSEC);
		ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
		total += count;
	}
	ASSERT_GT(start + delay, now_ns())
		TH_LOG("too slow: some may have fired before the cancel");
	EXPECT_EQ(nr_efd + nr_pending, total);
	for (i = 0; i < nr_pending; i++) {
		EXPECT_TRUE(waiter_join(_metadata, &w[i], SLACK_NS))
			TH_LOG("waiter %u kept sleeping", i);
		EXPECT_EQ(ECANCELED, w[i].ret) TH_LOG("waiter %u", i);
	}
	/* Nothing left. */
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ(0U, count);
	sleep_until_ns(start + delay + 100 * NSEC_PER_MSEC);
	ASSERT_EQ(0U, efd_take(self->efd)) TH_LOG("a cancelled one signalled");
	EXPECT_EQ(before + 1, probe_seqno(_metadata, self->fd))
		TH_LOG("(or another program used " HWEVENT_PATH ")");
	if (have_stats)
		check_stats(_metadata, &base, 2 + nr_efd + nr_pending, 2,
			    nr_efd + nr_pending);
}

TEST_F(device, cancel_all_none)
{
	struct hwevent_register r;
	uint64_t count;

	/* A new file. */
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ(0U, count);
	/* One that has only seen registrations end. */
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, 0, 0);
	fire(_metadata, self->fd, self->efd, &r);
	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 0);
	fire(_metadata, self->fd, self->efd, &r);
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ(0U, count);
}

/*
 * A cancel reaches only the registrations of the open file it is made on
 * (a dup() is the same open file); another open file's registration with
 * the same id is untouched, PENDING or EVENTFD.
 */
TEST_F_TIMEOUT(device, cancel_only_this_file, 60)
{
	const uint64_t delay = 500 * NSEC_PER_MSEC;
	struct hwevent_register r;
	int fd2, efd2, dupfd;
	struct waiter w;
	uint64_t start, count, id;

	fd2 = open_dev(_metadata);
	efd2 = make_eventfd();
	ASSERT_LE(0, efd2);
	start = now_ns();
	/* Id 1 on both files. */
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, delay, 1);
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ(1U, r.id);
	reg_set(&r, HWEVENT_MODE_EVENTFD, efd2, delay, 2);
	ASSERT_EQ(0, do_register(fd2, &r));
	ASSERT_EQ(1U, r.id);
	/* And a PENDING one, id 2, on the second file only. */
	id = arm(_metadata, HWEVENT_MODE_PENDING, fd2, -1, &w, NEVER_NS, 3);
	ASSERT_EQ(2U, id);

	ASSERT_EQ(0, cancel_id(self->fd, 1, 0, &count));
	ASSERT_EQ(1U, count);
	ASSERT_EQ(ENOENT, cancel_id(self->fd, 2, 0, NULL));
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ(0U, count);
	ASSERT_FALSE(waiter_done(&w)) TH_LOG("another file's cancel ended it");
	ASSERT_GT(start + delay, now_ns()) TH_LOG("too slow to tell");

	/* The second file's id 1 fires; the first file's never does. */
	ASSERT_EQ(1U, efd_collect(efd2, 1, delay + SLACK_NS));
	ASSERT_EQ(0U, efd_take(self->efd));
	ASSERT_FALSE(waiter_done(&w));

	/* Through a dup of the second file, the waiter is reached. */
	dupfd = dup(fd2);
	ASSERT_LE(0, dupfd);
	ASSERT_EQ(0, op_armed(cancel_id, dupfd, id, &count));
	ASSERT_EQ(1U, count);
	ASSERT_TRUE(waiter_join(_metadata, &w, SLACK_NS));
	ASSERT_EQ(ECANCELED, w.ret);
	close(dupfd);
	close(efd2);
	close(fd2);
}

TEST_F(device, cancel_inval)
{
	static const uint32_t paddings[] = { 1, 1U << 31, UINT32_MAX };
	static const uint64_t reserveds[] = { 1, 1ULL << 63, UINT64_MAX };
	struct hwevent_cancel c;
	struct hwevent_register r;
	unsigned int i;
	uint64_t count;

	/* Id 1 stays armed through all of this. */
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, NEVER_NS, 0);
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ(1U, r.id);

	/* Bits 0 and 1 are ALL and COOKIE. */
	for (i = 2; i < 32; i++) {
		EXPECT_EQ(EINVAL, cancel_id(self->fd, 1, 1U << i, NULL))
			TH_LOG("flags %#x", 1U << i);
		EXPECT_EQ(EINVAL, cancel_id(self->fd, 0,
					    HWEVENT_CANCEL_ALL | 1U << i, NULL))
			TH_LOG("flags ALL | %#x", 1U << i);
		EXPECT_EQ(EINVAL, cancel_id(self->fd, 0,
					    HWEVENT_CANCEL_COOKIE | 1U << i, NULL))
			TH_LOG("flags COOKIE | %#x", 1U << i);
	}
	EXPECT_EQ(EINVAL, cancel_id(self->fd, 0,
				    HWEVENT_CANCEL_ALL | HWEVENT_CANCEL_COOKIE,
				    NULL));
	EXPECT_EQ(EINVAL, cancel_id(self->fd, 0, UINT32_MAX, NULL));
	for (i = 0; i < ARRAY_SIZE(paddings); i++) {
		c = (struct hwevent_cancel){ .id = 1, .padding = paddings[i] };
		EXPECT_EQ(EINVAL, xioctl(self->fd, HWEVENT_IOC_CANCEL, &c));
		c = (struct hwevent_cancel){ .flags = HWEVENT_CANCEL_ALL,
					     .padding = paddings[i] };
		EXPECT_EQ(EINVAL, xioctl(self->fd, HWEVENT_IOC_CANCEL, &c));
	}
	for (i = 0; i < ARRAY_SIZE(reserveds); i++) {
		c = (struct hwevent_cancel){ .id = 1, .reserved = reserveds[i] };
		EXPECT_EQ(EINVAL, xioctl(self->fd, HWEVENT_IOC_CANCEL, &c));
		c = (struct hwevent_cancel){ .flags = HWEVENT_CANCEL_ALL,
					     .reserved = reserveds[i] };
		EXPECT_EQ(EINVAL, xioctl(self->fd, HWEVENT_IOC_CANCEL, &c));
	}
	/* One id, or all of them: never both, never neither. */
	EXPECT_EQ(EINVAL, cancel_id(self->fd, 1, HWEVENT_CANCEL_ALL, NULL));
	EXPECT_EQ(EINVAL, cancel_id(self->fd, 0, 0, NULL));
	/* HWEVENT_IOC_CANCEL's number with other sizes is not it. */
	expect_other_sizes_enotty(_metadata, self->fd, 1,
				  sizeof(struct hwevent_cancel));

	/* None of them cancelled anything. */
	ASSERT_EQ(0, cancel_id(self->fd, 1, 0, &count));
	ASSERT_EQ(1U, count);
}

/*
 * HWEVENT_CANCEL_COOKIE cancels every armed registration with the cookie
 * (any value, 0 too) and no other: how a program cancels what it cannot
 * name by id (an io_uring command's id is only in its record).
 */
TEST_F(device, cancel_by_cookie)
{
	static const uint64_t cookies[] = { 7, 7, 8, 0, 7 };
	struct hwevent_register r;
	uint64_t count;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cookies); i++) {
		reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, NEVER_NS, cookies[i]);
		ASSERT_EQ(0, do_register(self->fd, &r));
	}
	ASSERT_EQ(0, cancel_id(self->fd, 7, HWEVENT_CANCEL_COOKIE, &count));
	EXPECT_EQ(3U, count);
	EXPECT_EQ(ENOENT, cancel_id(self->fd, 7, HWEVENT_CANCEL_COOKIE, NULL));
	EXPECT_EQ(ENOENT, cancel_id(self->fd, 9, HWEVENT_CANCEL_COOKIE, NULL));
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_COOKIE, &count));
	EXPECT_EQ(1U, count);
	/* Ids 3 (cookie 8) is the one left. */
	EXPECT_EQ(ENOENT, cancel_id(self->fd, 1, 0, NULL));
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	EXPECT_EQ(1U, count);
	EXPECT_EQ(0U, efd_stays_quiet(self->efd));
}

TEST_F(device, cancel_fault)
{
	long page = getpagesize();
	struct hwevent_cancel c = { .id = 1 }, *p;
	struct hwevent_register r;
	uint64_t count;
	char *buf;

	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, NEVER_NS, 0);
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ(1U, r.id);

	buf = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(buf != MAP_FAILED);
	ASSERT_EQ(0, mprotect(buf + page, page, PROT_NONE));

	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_CANCEL, NULL));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_CANCEL, buf + page));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_CANCEL, (void *)-page));
	/* A good request whose last 8 bytes (reserved) are unmapped. */
	p = (void *)(buf + page + 8 - sizeof(*p));
	memcpy(p, &c, sizeof(c) - 8);
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_CANCEL, p));
	/* Unreadable: nothing was cancelled. */
	ASSERT_EQ(0, cancel_id(self->fd, 1, 0, &count));
	ASSERT_EQ(1U, count);

	/* Readable, but the count cannot be written back: nothing done. */
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, NEVER_NS, 0);
	ASSERT_EQ(0, do_register(self->fd, &r));
	c = (struct hwevent_cancel){ .id = r.id };
	memcpy(buf, &c, sizeof(c));
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_CANCEL, buf));
	c.flags = HWEVENT_CANCEL_ALL;
	c.id = 0;
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ | PROT_WRITE));
	memcpy(buf, &c, sizeof(c));
	ASSERT_EQ(0, mprotect(buf, page, PROT_READ));
	EXPECT_EQ(EFAULT, xioctl(self->fd, HWEVENT_IOC_CANCEL, buf));
	ASSERT_EQ(0, cancel_id(self->fd, r.id, 0, &count));
	EXPECT_EQ(1U, count);
	munmap(buf, 2 * page);
	/* Cancelled, it never fired. */
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

/* A cancelled registration gives its max_pending place back at once. */
TEST_F_TIMEOUT(device, cancel_frees_place, 90)
{
	long long cap = read_max_pending();
	struct hwevent_register r;
	unsigned int n;
	struct waiter w;
	uint64_t count, id;
	int err;

	if (cap < 0)
		SKIP(return, "cannot read " MAX_PENDING_PATH);
	if (cap < 2 || cap > CAP_LIMIT)
		SKIP(return, "max_pending %lld is out of range to fill", cap);

	n = fill(self->fd, self->efd, cap, &err);
	ASSERT_EQ(cap, n);
	ASSERT_EQ(0U, fill(self->fd, self->efd, 1, &err));
	ASSERT_EQ(ENOSPC, err);

	/* By id: one place. */
	ASSERT_EQ(0, cancel_id(self->fd, 5, 0, &count));
	ASSERT_EQ(1U, count);
	ASSERT_EQ(1U, fill(self->fd, self->efd, 2, &err));
	ASSERT_EQ(ENOSPC, err);

	/* ALL: every place. */
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ((uint64_t)cap, count);
	n = fill(self->fd, self->efd, cap + 1, &err);
	ASSERT_EQ(cap, n);
	ASSERT_EQ(ENOSPC, err);

	/* A PENDING caller's place, too. */
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ(cap - 1, fill(self->fd, self->efd, cap - 1, &err));
	id = arm(_metadata, HWEVENT_MODE_PENDING, self->fd, -1, &w, NEVER_NS, 0);
	ASSERT_NE(0U, id);
	/* Its place is taken before its id is written back. */
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, NEVER_NS, 0);
	ASSERT_EQ(ENOSPC, do_register(self->fd, &r));
	ASSERT_EQ(0, op_armed(cancel_id, self->fd, id, &count));
	ASSERT_EQ(1U, count);
	ASSERT_TRUE(waiter_join(_metadata, &w, SLACK_NS));
	ASSERT_EQ(ECANCELED, w.ret);
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ(ENOSPC, do_register(self->fd, &r));
	ASSERT_EQ(0U, efd_stays_quiet(self->efd));
}

/* Unknown ioctl numbers, one per variant: each fails with ENOTTY. */

FIXTURE(bad_cmd) {
	int fd;
	int efd;
	uint64_t buf[512];	/* large enough for any of the sizes */
};

FIXTURE_VARIANT(bad_cmd) {
	unsigned long cmd;
};

FIXTURE_VARIANT_ADD(bad_cmd, wrong_magic) {
	.cmd = _IOWR(HWEVENT_IOC_MAGIC + 1, 0x00, struct hwevent_register),
};

FIXTURE_VARIANT_ADD(bad_cmd, wrong_nr) {
	.cmd = _IOWR(HWEVENT_IOC_MAGIC, 0x01, struct hwevent_register),
};

/* HWEVENT_IOC_TRIGGER's number with REGISTER's size. */
FIXTURE_VARIANT_ADD(bad_cmd, trigger_nr_register_size) {
	.cmd = _IOWR(HWEVENT_IOC_MAGIC, 0x02, struct hwevent_register),
};

/* The first number after the last ioctl. */
FIXTURE_VARIANT_ADD(bad_cmd, next_nr) {
	.cmd = _IOWR(HWEVENT_IOC_MAGIC, 0x03, struct hwevent_trigger),
};

FIXTURE_VARIANT_ADD(bad_cmd, last_nr) {
	.cmd = _IOWR(HWEVENT_IOC_MAGIC, 0xff, struct hwevent_register),
};

FIXTURE_VARIANT_ADD(bad_cmd, size_without_event) {
	.cmd = _IOC(_IOC_READ | _IOC_WRITE, HWEVENT_IOC_MAGIC, 0x00,
		    offsetof(struct hwevent_register, event)),
};

FIXTURE_VARIANT_ADD(bad_cmd, size_minus_8) {
	.cmd = _IOC(_IOC_READ | _IOC_WRITE, HWEVENT_IOC_MAGIC, 0x00,
		    sizeof(struct hwevent_register) - 8),
};

FIXTURE_VARIANT_ADD(bad_cmd, size_plus_8) {
	.cmd = _IOC(_IOC_READ | _IOC_WRITE, HWEVENT_IOC_MAGIC, 0x00,
		    sizeof(struct hwevent_register) + 8),
};

FIXTURE_VARIANT_ADD(bad_cmd, dir_read) {
	.cmd = _IOR(HWEVENT_IOC_MAGIC, 0x00, struct hwevent_register),
};

FIXTURE_VARIANT_ADD(bad_cmd, dir_write) {
	.cmd = _IOW(HWEVENT_IOC_MAGIC, 0x00, struct hwevent_register),
};

FIXTURE_VARIANT_ADD(bad_cmd, dir_none) {
	.cmd = _IO(HWEVENT_IOC_MAGIC, 0x00),
};

FIXTURE_VARIANT_ADD(bad_cmd, tcgets) {
	.cmd = TCGETS,
};

FIXTURE_SETUP(bad_cmd)
{
	struct hwevent_register r;

	self->fd = -1;
	self->efd = -1;
	self->fd = open_dev(_metadata);
	self->efd = make_eventfd();
	ASSERT_LE(0, self->efd);
	reg_set(&r, HWEVENT_MODE_EVENTFD, self->efd, NEVER_NS, 0);
	memcpy(self->buf, &r, sizeof(r));
}

FIXTURE_TEARDOWN(bad_cmd)
{
	if (self->efd >= 0)
		close(self->efd);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(bad_cmd, enotty)
{
	ASSERT_EQ(ENOTTY, xioctl(self->fd, variant->cmd, self->buf));
	/* The command is checked before the argument. */
	ASSERT_EQ(ENOTTY, xioctl(self->fd, variant->cmd, NULL));
	/* The same argument is good with the right command. */
	ASSERT_EQ(0, xioctl(self->fd, HWEVENT_IOC_REGISTER, self->buf));
}

/* EVENTFD mode with something that is not an eventfd: EBADF or EINVAL. */

enum bad_fd_kind {
	FD_NUMBER,	/* variant->number, never a descriptor */
	FD_CLOSED,	/* a descriptor just closed */
	FD_PIPE,
	FD_DEV_NULL,
	FD_HWEVENT,	/* /dev/hwevent itself */
};

FIXTURE(bad_eventfd) {
	int fd;
	int other;	/* the descriptor under test, if we opened one */
	int other2;	/* the pipe's other end */
};

FIXTURE_VARIANT(bad_eventfd) {
	enum bad_fd_kind kind;
	int number;	/* for FD_NUMBER */
	int err;
};

FIXTURE_VARIANT_ADD(bad_eventfd, minus_one) {
	.kind = FD_NUMBER,
	.number = -1,
	.err = EBADF,
};

FIXTURE_VARIANT_ADD(bad_eventfd, int_min) {
	.kind = FD_NUMBER,
	.number = INT32_MIN,
	.err = EBADF,
};

FIXTURE_VARIANT_ADD(bad_eventfd, int_max) {
	.kind = FD_NUMBER,
	.number = INT32_MAX,
	.err = EBADF,
};

FIXTURE_VARIANT_ADD(bad_eventfd, closed) {
	.kind = FD_CLOSED,
	.err = EBADF,
};

FIXTURE_VARIANT_ADD(bad_eventfd, pipe) {
	.kind = FD_PIPE,
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_eventfd, dev_null) {
	.kind = FD_DEV_NULL,
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(bad_eventfd, hwevent) {
	.kind = FD_HWEVENT,
	.err = EINVAL,
};

FIXTURE_SETUP(bad_eventfd)
{
	int p[2];

	self->fd = -1;
	self->other = -1;
	self->other2 = -1;
	self->fd = open_dev(_metadata);
	switch (variant->kind) {
	case FD_NUMBER:
		return;
	case FD_CLOSED:
		/* The lowest free number, free again after the close. */
		self->other = make_eventfd();
		ASSERT_LE(0, self->other);
		close(self->other);
		return;
	case FD_PIPE:
		ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
		self->other = p[0];
		self->other2 = p[1];
		break;
	case FD_DEV_NULL:
		self->other = open("/dev/null", O_RDWR | O_CLOEXEC);
		break;
	case FD_HWEVENT:
		self->other = dup(self->fd);
		break;
	}
	ASSERT_LE(0, self->other);
}

FIXTURE_TEARDOWN(bad_eventfd)
{
	if (self->other2 >= 0)
		close(self->other2);
	if (self->other >= 0 && variant->kind != FD_CLOSED)
		close(self->other);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(bad_eventfd, rejected)
{
	int bad = variant->kind == FD_NUMBER ? variant->number : self->other;
	struct hwevent_register r;
	int efd;

	reg_set(&r, HWEVENT_MODE_EVENTFD, bad, 0, 0);
	ASSERT_EQ(variant->err, do_register(self->fd, &r))
		TH_LOG("eventfd %d", bad);

	/* The same request is good with an eventfd. */
	efd = make_eventfd();
	ASSERT_LE(0, efd);
	r.eventfd = efd;
	ASSERT_EQ(0, do_register(self->fd, &r));
	ASSERT_EQ(1U, efd_collect(efd, 1, SLACK_NS));
	close(efd);
}

/*
 * The budget of one user across files (module/budget.c): live
 * registrations (max_user_registrations, ENOSPC) and the rate of the
 * periodic ones (max_user_rate_hz, EACCES), which CAP_SYS_RESOURCE may
 * exceed. The tests run as root, which has the capability: each test
 * first shows that it does, then drops it (in its own process: the
 * harness forks one per test) and meets the limit.
 */
#define MAX_USER_REGS_PATH	"/sys/module/hwevent/parameters/max_user_registrations"
#define MAX_USER_RATE_PATH	"/sys/module/hwevent/parameters/max_user_rate_hz"

FIXTURE(budget) {
	int fd[2];
	long long saved_regs;	/* to restore, or -1 */
	long long saved_rate;
};

FIXTURE_SETUP(budget)
{
	self->fd[0] = self->fd[1] = -1;
	self->saved_regs = param_read(MAX_USER_REGS_PATH);
	self->saved_rate = param_read(MAX_USER_RATE_PATH);
	ASSERT_LE(0, self->saved_regs) TH_LOG("no " MAX_USER_REGS_PATH);
	ASSERT_LE(0, self->saved_rate) TH_LOG("no " MAX_USER_RATE_PATH);
	/* Two files of one user: the budget spans them. */
	self->fd[0] = open_dev(_metadata);
	self->fd[1] = open_dev(_metadata);
}

FIXTURE_TEARDOWN(budget)
{
	if (self->saved_regs >= 0)
		EXPECT_EQ(0, param_write(MAX_USER_REGS_PATH, self->saved_regs));
	if (self->saved_rate >= 0)
		EXPECT_EQ(0, param_write(MAX_USER_RATE_PATH, self->saved_rate));
	if (self->fd[0] >= 0)
		close(self->fd[0]);
	if (self->fd[1] >= 0)
		close(self->fd[1]);
}

/* Drops CAP_SYS_RESOURCE from this process for good; 0 or an errno. */
static int drop_sys_resource(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	const unsigned int bit = CAP_SYS_RESOURCE % 32;

	if (syscall(SYS_capget, &h, d))
		return errno;
	d[CAP_SYS_RESOURCE / 32].effective &= ~(1U << bit);
	d[CAP_SYS_RESOURCE / 32].permitted &= ~(1U << bit);
	d[CAP_SYS_RESOURCE / 32].inheritable &= ~(1U << bit);
	return syscall(SYS_capset, &h, d) ? errno : 0;
}

/* A registration that never fires: @period_ns 0 or periodic. */
static int budget_reg(int fd, uint64_t period_ns)
{
	struct hwevent_register r;

	reg_set(&r, HWEVENT_MODE_QUEUE, 0, NEVER_NS, 0);
	r.period_ns = period_ns;
	return do_register(fd, &r);
}

TEST_F(budget, registrations_across_files)
{
	struct hw_stats st;
	uint64_t count;
	int i;

	ASSERT_EQ(0, stats_read(&st));
	ASSERT_EQ(0, st.live) TH_LOG("registrations of an earlier test live");
	ASSERT_EQ(0, param_write(MAX_USER_REGS_PATH, 4));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, budget_reg(self->fd[i % 2], 0)) TH_LOG("%d", i);
	/* Over it, with the capability: allowed, and counted. */
	ASSERT_EQ(0, budget_reg(self->fd[0], 0));
	ASSERT_EQ(0, cancel_id(self->fd[0], 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ(3U, count);

	ASSERT_EQ(0, drop_sys_resource());
	ASSERT_EQ(0, budget_reg(self->fd[0], 0));
	ASSERT_EQ(0, budget_reg(self->fd[0], 0));
	/* Four live, two on each file: a fifth on either is refused. */
	EXPECT_EQ(ENOSPC, budget_reg(self->fd[0], 0));
	EXPECT_EQ(ENOSPC, budget_reg(self->fd[1], 0));
	/* An end gives its place back; so does closing a file. */
	ASSERT_EQ(0, cancel_id(self->fd[0], 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ(2U, count);
	EXPECT_EQ(0, budget_reg(self->fd[1], 0));
	EXPECT_EQ(0, budget_reg(self->fd[0], 0));
	EXPECT_EQ(ENOSPC, budget_reg(self->fd[0], 0));
	/* fd[1] had three. */
	close(self->fd[1]);
	self->fd[1] = -1;
	EXPECT_EQ(0, budget_reg(self->fd[0], 0));
	EXPECT_EQ(0, budget_reg(self->fd[0], 0));
	EXPECT_EQ(0, budget_reg(self->fd[0], 0));
	EXPECT_EQ(ENOSPC, budget_reg(self->fd[0], 0));
}

TEST_F(budget, periodic_rate_across_files)
{
	const uint64_t min = HWEVENT_MIN_PERIOD_NS;	/* 10000 Hz */
	struct hw_stats st;
	uint64_t count;

	ASSERT_EQ(0, stats_read(&st));
	ASSERT_EQ(0, st.live) TH_LOG("registrations of an earlier test live");
	ASSERT_EQ(0, param_write(MAX_USER_RATE_PATH, 25000));
	ASSERT_EQ(0, budget_reg(self->fd[0], min));
	ASSERT_EQ(0, budget_reg(self->fd[1], min));
	/* 30000 Hz, with the capability: allowed. */
	ASSERT_EQ(0, budget_reg(self->fd[1], min));
	ASSERT_EQ(0, cancel_id(self->fd[1], 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ(2U, count);

	ASSERT_EQ(0, drop_sys_resource());
	ASSERT_EQ(0, budget_reg(self->fd[1], min));
	/* 20000 Hz live: 10000 more is refused, on either file... */
	EXPECT_EQ(EACCES, budget_reg(self->fd[0], min));
	EXPECT_EQ(EACCES, budget_reg(self->fd[1], min));
	/* ... a slower one fits (1 s / 0.3 ms rounds up to 3334 Hz) ... */
	EXPECT_EQ(0, budget_reg(self->fd[1], 3 * min));
	EXPECT_EQ(EACCES, budget_reg(self->fd[1], 3 * min));
	/* ... and one-shot ones cost no rate. */
	EXPECT_EQ(0, budget_reg(self->fd[1], 0));
	/* An end gives its rate back. */
	ASSERT_EQ(0, cancel_id(self->fd[1], 0, HWEVENT_CANCEL_ALL, &count));
	ASSERT_EQ(3U, count);
	EXPECT_EQ(0, budget_reg(self->fd[0], min));
	EXPECT_EQ(EACCES, budget_reg(self->fd[0], min));
}

/*
 * TEST_HARNESS_MAIN, but without the device skip every test, as one: with
 * a SKIP() in FIXTURE_SETUP the 6.1 harness still runs the test body, and
 * exits 0 when all were skipped.
 */
int main(int argc, char **argv)
{
	require_device();
	return test_harness_run(argc, argv);
}
