// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent_edu_test - registrations whose interrupt comes from a real PCI
 * device: QEMU's edu (1234:11e8, "-device edu"), which hwevent binds
 * (module/edu.c; HWEVENT_REGISTER_DEVICE).
 *
 * device.bound: the device is there, bound to hwevent, with an MSI vector
 * named hwevent-edu in /proc/interrupts. FIXTURE(edu), once per mode
 * (PENDING, EVENTFD, QUEUE): an event travels timer -> device -> MSI ->
 * handler -> bottom half -> caller, the vector's count in /proc/interrupts
 * grows by at least one per event, and the record says so
 * (HWEVENT_EVENT_DEVICE, timestamps in order, never before due); a trigger
 * raises it at once; a DMA registration brings a word of the device's
 * memory (HWEVENT_EVENT_DMA, &hwevent_event.data) and the next one the
 * word after it; a cancelled one never interrupts; the device removed
 * (sysfs remove) or unbound with a registration of each mode waiting ends
 * it with ENODEV (PENDING), a HWEVENT_EVENT_DEVICE_GONE record (QUEUE) or
 * no signal (EVENTFD), refuses new ones with ENODEV while the rest of the
 * driver works on, and a rescan (or bind) brings it back. device.rebind:
 * remove and rescan twice with no file open. device.intx_fallback: bound
 * with INTx (test_edu_intx), where a platform has no MSI, it delivers too.
 * device.suspend_resume: a registration that comes due while the system
 * has its devices suspended (pm_test "devices") is raised at resume.
 * FIXTURE(edu_uring): an io_uring command (HWEVENT_URING_CMD_WAIT_DEVICE)
 * completes through the device's interrupt, or at a trigger; a cancelled
 * one never interrupts; removed, the device ends a waiting one and new
 * ones with ENODEV until a rescan. Every test ends with nothing left on
 * the device (debugfs edu_live 0).
 *
 * Timing is strict in one direction only: an event is never seen before
 * it is due; how late may be generous (SLACK_NS), QEMU is slow.
 *
 * Needs /dev/hwevent, root, and the edu device (in every VM of the
 * project's make targets); without the device every test is skipped.
 * Assumes that no other program uses the device meanwhile.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The 6.1 harness's SIGALRM handler leaves its ucontext unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "hwevent_util.h"
#include "hwevent_uring_util.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"
#define DRIVER_DIR	"/sys/bus/pci/drivers/hwevent"
/* What the driver names its interrupt, in /proc/interrupts. */
#define IRQ_NAME	"hwevent-edu"
/* A DMA transfer takes 100 ms of QEMU's clock. */
#define EDU_WORDS	512

/* The edu device's PCI address ("0000:00:02.0"), or "" if there is none. */
static char edu_bdf[32];

static bool read_hex(const char *dir, const char *file, unsigned int *val)
{
	char path[256];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fscanf(f, "%x", val);
	fclose(f);
	return n == 1;
}

static void find_edu(void)
{
	unsigned int vendor, device;
	char dir[300];
	struct dirent *d;
	DIR *dp;

	edu_bdf[0] = '\0';
	dp = opendir(PCI_DEVICES);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), PCI_DEVICES "/%s", d->d_name);
		if (read_hex(dir, "vendor", &vendor) &&
		    read_hex(dir, "device", &device) &&
		    vendor == 0x1234 && device == 0x11e8) {
			snprintf(edu_bdf, sizeof(edu_bdf), "%.31s", d->d_name);
			break;
		}
	}
	closedir(dp);
}

/* Writes @what to sysfs file @path; 0 or the errno. */
static int write_str(const char *path, const char *what)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, what, strlen(what)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* A line of debugfs hwevent/stats, or -1. */
static long long stat_get(const char *name)
{
	long long val, ret = -1;
	char key[64];
	FILE *f;

	f = fopen(HWEVENT_STATS_PATH, "re");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &val) == 2)
		if (!strcmp(key, name))
			ret = val;
	fclose(f);
	return ret;
}

/*
 * The interrupt's line in /proc/interrupts: its count summed over the
 * CPUs (-1 if there is no such line), and the line itself in @line.
 */
static long long irq_count(char *line, size_t len)
{
	long long sum = -1, n;
	char buf[1024], *p, *end;
	FILE *f;

	f = fopen("/proc/interrupts", "re");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		if (!strstr(buf, IRQ_NAME))
			continue;
		if (line)
			snprintf(line, len, "%s", buf);
		p = strchr(buf, ':');
		if (!p)
			break;
		sum = 0;
		for (p++;; p = end) {
			n = strtoll(p, &end, 10);
			if (end == p)
				break;
			sum += n;
		}
		break;
	}
	fclose(f);
	return sum;
}

/* Whether the device is bound now, as debugfs says, within SLACK_NS. */
static bool edu_bound_within(int want)
{
	uint64_t deadline = now_ns() + SLACK_NS;

	do {
		if (stat_get("edu_bound") == want)
			return true;
		sleep_ns(10 * NSEC_PER_MSEC);
	} while (now_ns() < deadline);
	return false;
}

/* Brings the device back after a test removed it: rescan finds it. */
static int edu_rescan(void)
{
	int err = write_str("/sys/bus/pci/rescan", "1");

	if (err)
		return err;
	return edu_bound_within(1) ? 0 : ETIMEDOUT;
}

static int edu_remove(void)
{
	char path[128];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/remove", edu_bdf);
	return write_str(path, "1");
}

/* BAR 0 of the device at @dir, as "start-end" (sysfs resource), or "?". */
static const char *bar0(const char *dir)
{
	static char buf[64];
	unsigned long long start, end;
	char path[320];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "re");
	if (!f)
		return "?";
	n = fscanf(f, "%llx %llx", &start, &end);
	fclose(f);
	if (n != 2)
		return "?";
	snprintf(buf, sizeof(buf), "%#llx-%#llx", start, end);
	return buf;
}

static bool edu_word_ok(uint32_t data)
{
	return data >> 24 == 0xed && (data >> 12 & 0xfff) == (data & 0xfff) &&
	       (data & 0xfff) < EDU_WORDS;
}

/*
 * The tests of the device itself, with no file of their own: a fixture
 * with no data, as the 6.1 harness's TEST() leaves a parameter unused.
 */
FIXTURE(device) {
	int unused;
};

FIXTURE_SETUP(device)
{
}

FIXTURE_TEARDOWN(device)
{
	/* A test that removed the device and failed: bring it back. */
	if (stat_get("edu_bound") != 1)
		EXPECT_EQ(0, edu_rescan());
}

TEST_F(device, bound)
{
	char path[128], link[256], line[1024];
	unsigned int vendor, device, class;
	ssize_t n;

	snprintf(path, sizeof(path), PCI_DEVICES "/%s", edu_bdf);
	ASSERT_TRUE(read_hex(path, "vendor", &vendor));
	ASSERT_TRUE(read_hex(path, "device", &device));
	EXPECT_EQ(0x1234U, vendor);
	EXPECT_EQ(0x11e8U, device);
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", edu_bdf);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n) TH_LOG("%s: %s", path, strerror(errno));
	link[n] = '\0';
	EXPECT_NE(NULL, strstr(link, "/hwevent")) TH_LOG("driver %s", link);
	EXPECT_EQ(1, stat_get("edu_bound"));
	ASSERT_LE(0, irq_count(line, sizeof(line)));
	/* QEMU's edu has MSI, and the driver takes it over INTx. */
	EXPECT_NE(NULL, strstr(line, "MSI")) TH_LOG("%s", line);
	/* What lspci -v would say, from sysfs (busybox has no lspci). */
	snprintf(path, sizeof(path), PCI_DEVICES "/%s", edu_bdf);
	if (!read_hex(path, "class", &class))
		class = 0;
	TH_LOG("%s [%04x:%04x] class %06x, BAR 0 %s, driver %s", edu_bdf,
	       vendor, device, class, bar0(path), strrchr(link, '/') + 1);
	TH_LOG("/proc/interrupts: %s", line);
}

FIXTURE(edu) {
	int fd;
	int efd;
	long long irqs;
	struct hw_stats st;
};

FIXTURE_VARIANT(edu) {
	uint32_t mode;
};

FIXTURE_VARIANT_ADD(edu, pending) {
	.mode = HWEVENT_MODE_PENDING,
};

FIXTURE_VARIANT_ADD(edu, eventfd) {
	.mode = HWEVENT_MODE_EVENTFD,
};

FIXTURE_VARIANT_ADD(edu, queue) {
	.mode = HWEVENT_MODE_QUEUE,
};

FIXTURE_SETUP(edu)
{
	self->fd = open_dev(_metadata);
	self->efd = make_eventfd();
	ASSERT_LE(0, self->efd);
	self->irqs = irq_count(NULL, 0);
	ASSERT_LE(0, self->irqs);
	ASSERT_EQ(0, stats_read(&self->st));
}

FIXTURE_TEARDOWN(edu)
{
	close(self->fd);
	close(self->efd);
	/* A test that removed the device and failed: bring it back. */
	if (stat_get("edu_bound") != 1)
		EXPECT_EQ(0, edu_rescan());
	EXPECT_EQ(0, stat_get("edu_live"));
}

/*
 * The event of @w (PENDING: its own thread) or of the file's registration
 * (QUEUE: a record; EVENTFD: a count, no record): 0 if it came within
 * SLACK_NS, with the record in @ev where there is one.
 */
static int wait_event(struct __test_metadata *_metadata,
		      FIXTURE_DATA(edu) *self, uint32_t mode,
		      struct waiter *w, struct hwevent_event *ev)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	ssize_t n;

	memset(ev, 0, sizeof(*ev));
	switch (mode) {
	case HWEVENT_MODE_PENDING:
		if (!waiter_join(_metadata, w, SLACK_NS))
			return ETIMEDOUT;
		if (w->ret)
			return w->ret;
		*ev = w->r.event;
		return 0;
	case HWEVENT_MODE_EVENTFD:
		return efd_collect(self->efd, 1, SLACK_NS) == 1 ? 0 : ETIMEDOUT;
	default:
		if (poll(&pfd, 1, SLACK_NS / NSEC_PER_MSEC) != 1)
			return ETIMEDOUT;
		n = read(self->fd, ev, sizeof(*ev));
		return n == sizeof(*ev) ? 0 : EIO;
	}
}

/*
 * Registers on the device in @mode, @delay_ns from now, with @flags
 * (HWEVENT_REGISTER_*): PENDING in @w's thread. Returns the id.
 */
static uint64_t edu_register(struct __test_metadata *_metadata,
			     FIXTURE_DATA(edu) *self, uint32_t mode,
			     struct waiter *w, uint64_t delay_ns,
			     uint32_t flags)
{
	struct hwevent_register r;

	if (mode == HWEVENT_MODE_PENDING) {
		memset(w, 0, sizeof(*w));
		w->fd = self->fd;
		reg_set(&w->r, mode, -1, delay_ns, 7);
		w->r.flags = flags;
		EXPECT_EQ(0, pthread_create(&w->thread, NULL, waiter_fn, w));
		return waiter_id(w);
	}
	reg_set(&r, mode, self->efd, delay_ns, 7);
	r.flags = flags;
	EXPECT_EQ(0, do_register(self->fd, &r));
	return r.id;
}

/* The record of a device event: what it must say. */
static void expect_device_record(struct __test_metadata *_metadata,
				 const struct hwevent_event *ev,
				 uint64_t start, uint32_t flags)
{
	EXPECT_EQ(flags, ev->flags);
	EXPECT_EQ(7U, ev->cookie);
	EXPECT_LE(start, ev->due_ns);
	/* The handler ran after the device was told, after the due time. */
	if (!(flags & HWEVENT_EVENT_TRIGGERED))
		EXPECT_LE(ev->due_ns, ev->irq_ns);
	EXPECT_LE(ev->irq_ns, ev->bh_ns);
	EXPECT_LE(ev->bh_ns, now_ns());
	if (!(flags & HWEVENT_EVENT_DMA))
		EXPECT_EQ(0U, ev->data);
}

TEST_F(edu, delivers)
{
	uint64_t delay = 2 * NSEC_PER_MSEC, start = now_ns();
	struct hwevent_event ev;
	long long irqs, edu_irqs = stat_get("edu_irqs");
	struct waiter w;

	ASSERT_NE(0U, edu_register(_metadata, self, variant->mode, &w, delay,
				   HWEVENT_REGISTER_DEVICE));
	ASSERT_EQ(0, wait_event(_metadata, self, variant->mode, &w, &ev));
	EXPECT_LE(start + delay, now_ns());
	if (variant->mode != HWEVENT_MODE_EVENTFD)
		expect_device_record(_metadata, &ev, start,
				     HWEVENT_EVENT_DEVICE);
	/* It came through the device's vector, and the handler. */
	irqs = irq_count(NULL, 0);
	EXPECT_LE(self->irqs + 1, irqs);
	EXPECT_LE(edu_irqs + 1, stat_get("edu_irqs"));
	TH_LOG("%s: %lld -> %lld", IRQ_NAME, self->irqs, irqs);
}

TEST_F(edu, trigger_raises_at_once)
{
	uint64_t start = now_ns(), id, count = 0;
	struct hwevent_event ev;
	struct waiter w;

	id = edu_register(_metadata, self, variant->mode, &w, NEVER_NS,
			  HWEVENT_REGISTER_DEVICE);
	ASSERT_NE(0U, id);
	ASSERT_EQ(0, op_armed(trigger_id, self->fd, id, &count));
	EXPECT_EQ(1U, count);
	ASSERT_EQ(0, wait_event(_metadata, self, variant->mode, &w, &ev));
	if (variant->mode != HWEVENT_MODE_EVENTFD)
		expect_device_record(_metadata, &ev, start,
				     HWEVENT_EVENT_DEVICE |
				     HWEVENT_EVENT_TRIGGERED);
	EXPECT_LE(self->irqs + 1, irq_count(NULL, 0));
}

/* Two DMA events, one after the other: consecutive words of the device. */
TEST_F(edu, dma_brings_the_next_word)
{
	long long transfers = stat_get("edu_transfers");
	struct hwevent_event ev[2];
	uint64_t start = now_ns();
	struct waiter w;
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_NE(0U, edu_register(_metadata, self, variant->mode, &w,
					   0, HWEVENT_REGISTER_DEVICE |
					   HWEVENT_REGISTER_DMA));
		ASSERT_EQ(0, wait_event(_metadata, self, variant->mode, &w,
					&ev[i]));
	}
	EXPECT_EQ(transfers + 2, stat_get("edu_transfers"));
	if (variant->mode == HWEVENT_MODE_EVENTFD)
		return;
	for (i = 0; i < 2; i++) {
		expect_device_record(_metadata, &ev[i], start,
				     HWEVENT_EVENT_DEVICE | HWEVENT_EVENT_DMA);
		EXPECT_TRUE(edu_word_ok(ev[i].data))
			TH_LOG("data %#x", ev[i].data);
	}
	EXPECT_EQ(((ev[0].data & 0xfff) + 1) % EDU_WORDS, ev[1].data & 0xfff)
		TH_LOG("data %#x then %#x", ev[0].data, ev[1].data);
}

TEST_F(edu, cancel_never_interrupts)
{
	uint64_t id, count = 0;
	struct waiter w;

	id = edu_register(_metadata, self, variant->mode, &w, NEVER_NS,
			  HWEVENT_REGISTER_DEVICE);
	ASSERT_NE(0U, id);
	EXPECT_EQ(1, stat_get("edu_live"));
	ASSERT_EQ(0, op_armed(cancel_id, self->fd, id, &count));
	EXPECT_EQ(1U, count);
	if (variant->mode == HWEVENT_MODE_PENDING) {
		ASSERT_TRUE(waiter_join(_metadata, &w, SLACK_NS));
		EXPECT_EQ(ECANCELED, w.ret);
	}
	EXPECT_EQ(0U, efd_stays_quiet(self->efd));
	EXPECT_EQ(self->irqs, irq_count(NULL, 0));
	EXPECT_EQ(0, stat_get("edu_live"));
}

/*
 * The device goes while a registration waits on it: by sysfs remove (as
 * if pulled out), or its driver unbound; @back brings it back.
 */
static void gone_while_waiting(struct __test_metadata *_metadata,
			       FIXTURE_DATA(edu) *self, uint32_t mode,
			       int (*go)(void), int (*back)(void))
{
	struct hwevent_register r;
	struct hwevent_event ev;
	struct hw_stats after, d;
	struct waiter w;
	int i;

	ASSERT_NE(0U, edu_register(_metadata, self, mode, &w, NEVER_NS,
				   HWEVENT_REGISTER_DEVICE));
	ASSERT_EQ(1, stat_get("edu_live"));
	ASSERT_EQ(0, go());
	ASSERT_TRUE(edu_bound_within(0));

	switch (mode) {
	case HWEVENT_MODE_PENDING:
		ASSERT_TRUE(waiter_join(_metadata, &w, SLACK_NS));
		EXPECT_EQ(ENODEV, w.ret);
		break;
	case HWEVENT_MODE_QUEUE:
		ASSERT_EQ(0, wait_event(_metadata, self, mode, &w, &ev));
		EXPECT_EQ(HWEVENT_EVENT_DEVICE_GONE, ev.flags);
		EXPECT_EQ(0U, ev.data);
		EXPECT_LE(ev.irq_ns, ev.bh_ns);
		break;
	default:
		EXPECT_EQ(0U, efd_stays_quiet(self->efd));
	}
	ASSERT_EQ(0, stats_settle(&after, &self->st, SLACK_NS));
	d = stats_sub(&after, &self->st);
	EXPECT_EQ(1, d.device_gone);
	EXPECT_EQ(0, d.live);
	EXPECT_EQ(0, stat_get("edu_live"));

	/* New ones are refused, in every mode; the timer's still work. */
	for (i = HWEVENT_MODE_PENDING; i <= HWEVENT_MODE_QUEUE; i++) {
		reg_set(&r, i, self->efd, 0, 0);
		r.flags = HWEVENT_REGISTER_DEVICE;
		EXPECT_EQ(ENODEV, do_register(self->fd, &r));
	}
	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 0);
	EXPECT_EQ(0, do_register(self->fd, &r));

	ASSERT_EQ(0, back());
	ASSERT_NE(0U, edu_register(_metadata, self, mode, &w, 0,
				   HWEVENT_REGISTER_DEVICE));
	ASSERT_EQ(0, wait_event(_metadata, self, mode, &w, &ev));
	if (mode != HWEVENT_MODE_EVENTFD)
		EXPECT_EQ(HWEVENT_EVENT_DEVICE, ev.flags);
}

TEST_F(edu, surprise_removal)
{
	long long binds = stat_get("edu_binds");

	gone_while_waiting(_metadata, self, variant->mode, edu_remove,
			   edu_rescan);
	EXPECT_EQ(binds + 1, stat_get("edu_binds"));
}

static int edu_unbind(void)
{
	return write_str(DRIVER_DIR "/unbind", edu_bdf);
}

static int edu_bind(void)
{
	int err = write_str(DRIVER_DIR "/bind", edu_bdf);

	if (err)
		return err;
	return edu_bound_within(1) ? 0 : ETIMEDOUT;
}

TEST_F(edu, unbind_and_bind)
{
	gone_while_waiting(_metadata, self, variant->mode, edu_unbind,
			   edu_bind);
}

/* Removed and found again twice, no file open: it binds each time. */
TEST_F(device, rebind)
{
	long long binds = stat_get("edu_binds");
	struct hwevent_register r;
	int i, fd;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, edu_remove());
		ASSERT_TRUE(edu_bound_within(0));
		ASSERT_EQ(0, edu_rescan());
	}
	EXPECT_EQ(binds + 2, stat_get("edu_binds"));
	fd = open_dev(_metadata);
	reg_set(&r, HWEVENT_MODE_PENDING, -1, 0, 0);
	r.flags = HWEVENT_REGISTER_DEVICE;
	EXPECT_EQ(0, do_register(fd, &r));
	EXPECT_EQ(HWEVENT_EVENT_DEVICE, r.event.flags);
	close(fd);
}

#define INTX_PARAM	"/sys/module/hwevent/parameters/test_edu_intx"

/* Unbound and bound again with test_edu_intx @intx; 0 or the errno. */
static int edu_rebind_intx(int intx)
{
	int err = write_str(INTX_PARAM, intx ? "1" : "0");

	if (!err)
		err = edu_unbind();
	if (!err && !edu_bound_within(0))
		err = ETIMEDOUT;
	return err ?: edu_bind();
}

/* Without MSI (test_edu_intx), the device's INTx line delivers. */
TEST_F(device, intx_fallback)
{
	struct hwevent_register r;
	char line[1024];
	long long before;
	int fd;

	ASSERT_EQ(0, edu_rebind_intx(1));
	before = irq_count(line, sizeof(line));
	EXPECT_LE(0, before);
	EXPECT_EQ(NULL, strstr(line, "MSI")) TH_LOG("%s", line);
	TH_LOG("%s", line);
	fd = open_dev(_metadata);
	reg_set(&r, HWEVENT_MODE_PENDING, -1, NSEC_PER_MSEC, 0);
	r.flags = HWEVENT_REGISTER_DEVICE;
	EXPECT_EQ(0, do_register(fd, &r));
	EXPECT_EQ(HWEVENT_EVENT_DEVICE, r.event.flags);
	EXPECT_LE(before + 1, irq_count(NULL, 0));
	close(fd);
	/* MSI again, for the tests after this one. */
	ASSERT_EQ(0, edu_rebind_intx(0));
	EXPECT_LE(0, irq_count(line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, "MSI")) TH_LOG("%s", line);
}

#define PM_TEST		"/sys/power/pm_test"
#define PM_STATE	"/sys/power/state"
#define PM_TEST_DELAY	"/sys/module/suspend/parameters/pm_test_delay"

/*
 * The system suspends its devices and resumes them (pm_test "devices":
 * every driver's suspend and resume run, the machine does not sleep, for
 * pm_test_delay seconds between) while a registration on the device
 * comes due: the driver holds it back (edu_deferred) and raises it at
 * resume. Its delay is a guess at when the devices are asleep: a try
 * that missed the window (nothing deferred) is made again, later.
 */
TEST_F(device, suspend_resume)
{
	long long suspends = stat_get("edu_suspends");
	long long resumes = stat_get("edu_resumes");
	long long deferred = stat_get("edu_deferred");
	struct pollfd pfd = { .events = POLLIN };
	struct hwevent_register r;
	struct hwevent_event ev;
	int tries, err;

	if (access(PM_TEST, W_OK))
		SKIP(return, "no %s (CONFIG_PM_DEBUG)", PM_TEST);
	/* Where it can be set (5.x has it fixed at 5 s). */
	write_str(PM_TEST_DELAY, "3");
	pfd.fd = open_dev(_metadata);
	for (tries = 1; tries <= 3 && stat_get("edu_deferred") == deferred;
	     tries++) {
		reg_set(&r, HWEVENT_MODE_QUEUE, -1,
			tries * 500 * NSEC_PER_MSEC, 0);
		r.flags = HWEVENT_REGISTER_DEVICE;
		ASSERT_EQ(0, do_register(pfd.fd, &r));
		ASSERT_EQ(0, write_str(PM_TEST, "devices"));
		err = write_str(PM_STATE, "freeze");
		EXPECT_EQ(0, write_str(PM_TEST, "none"));
		ASSERT_EQ(0, err) TH_LOG("write freeze: %s", strerror(err));
		/* Delivered, once the devices are back. */
		ASSERT_EQ(1, poll(&pfd, 1, SLACK_NS / NSEC_PER_MSEC));
		ASSERT_EQ((ssize_t)sizeof(ev), read(pfd.fd, &ev, sizeof(ev)));
		EXPECT_EQ(HWEVENT_EVENT_DEVICE, ev.flags);
		EXPECT_LE(ev.due_ns, ev.irq_ns);
		TH_LOG("try %d: delay %d ms, deferred %lld", tries, tries * 500,
		       stat_get("edu_deferred") - deferred);
	}
	EXPECT_LT(deferred, stat_get("edu_deferred"));
	EXPECT_LE(suspends + 1, stat_get("edu_suspends"));
	EXPECT_LE(resumes + 1, stat_get("edu_resumes"));
	EXPECT_EQ(0, stat_get("edu_live"));
	close(pfd.fd);
}

/*
 * io_uring commands on the device (HWEVENT_URING_CMD_WAIT_DEVICE): the
 * request Windows would complete on an I/O completion port, fired by the
 * device's interrupt.
 */
FIXTURE(edu_uring) {
	int fd;
	struct io_uring ring;
	bool ring_up;
	const char *no;		/* why every case skips, or NULL */
	long long irqs;
};

FIXTURE_SETUP(edu_uring)
{
	self->fd = open_dev(_metadata);
	self->no = ucmd_ring_init(&self->ring, 4, &self->ring_up);
	self->irqs = irq_count(NULL, 0);
	ASSERT_LE(0, self->irqs);
}

FIXTURE_TEARDOWN(edu_uring)
{
	if (self->ring_up)
		io_uring_queue_exit(&self->ring);
	close(self->fd);
	if (stat_get("edu_bound") != 1)
		EXPECT_EQ(0, edu_rescan());
	EXPECT_EQ(0, stat_get("edu_live"));
}

/*
 * A device command of @delay_ns, cookie 7, user data @data, submitted.
 * The 6.1 harness runs the body after a SKIP() in FIXTURE_SETUP: hence
 * the skip here, where the kernel has no io_uring commands (5.10).
 */
#define SUBMIT_DEVICE_CMD(delay_ns, data)				\
	do {								\
		if (self->no)						\
			SKIP(return, "%s", self->no);			\
		ASSERT_EQ(0, fill_cmd(&self->ring, self->fd,		\
				      HWEVENT_URING_CMD_WAIT_DEVICE,	\
				      (delay_ns), 7, (data)));		\
		ASSERT_EQ(1, io_uring_submit(&self->ring));		\
	} while (0)

TEST_F(edu_uring, delivers)
{
	uint64_t delay = 2 * NSEC_PER_MSEC, start = now_ns();
	long long edu_irqs = stat_get("edu_irqs");
	struct cqe_copy c;

	SUBMIT_DEVICE_CMD(delay, 1);
	ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
	EXPECT_EQ(1U, c.data);
	/* res: the record's seqno, never 0 nor an error. */
	EXPECT_LT(0, c.res) TH_LOG("res %d (%s)", c.res,
				   c.res < 0 ? strerror(-c.res) : "");
	/* big_cqe[0]: when the device's handler ran, never before due. */
	EXPECT_LE(start + delay, c.extra);
	EXPECT_GE(now_ns(), c.extra);
	EXPECT_LE(self->irqs + 1, irq_count(NULL, 0));
	EXPECT_LE(edu_irqs + 1, stat_get("edu_irqs"));
}

TEST_F(edu_uring, trigger_raises_at_once)
{
	long long edu_irqs = stat_get("edu_irqs");
	uint64_t count = 0, start = now_ns();
	struct cqe_copy c;

	SUBMIT_DEVICE_CMD(CMD_NEVER_NS, 2);
	ASSERT_EQ(0, trigger_id(self->fd, 0, HWEVENT_TRIGGER_ALL, &count));
	EXPECT_EQ(1U, count);
	ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
	EXPECT_EQ(2U, c.data);
	EXPECT_LT(0, c.res);
	EXPECT_LE(start, c.extra);
	EXPECT_LE(self->irqs + 1, irq_count(NULL, 0));
	EXPECT_LE(edu_irqs + 1, stat_get("edu_irqs"));
}

TEST_F(edu_uring, cancel_never_interrupts)
{
	uint64_t count = 0;
	struct cqe_copy c;

	SUBMIT_DEVICE_CMD(CMD_NEVER_NS, 3);
	EXPECT_EQ(1, stat_get("edu_live"));
	ASSERT_EQ(0, cancel_id(self->fd, 0, HWEVENT_CANCEL_ALL, &count));
	EXPECT_EQ(1U, count);
	ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
	EXPECT_EQ(3U, c.data);
	EXPECT_EQ(-ECANCELED, c.res);
	EXPECT_EQ(self->irqs, irq_count(NULL, 0));
}

/*
 * The device removed with a command waiting: it completes with ENODEV,
 * so do new ones at once; a rescan brings the device back.
 */
TEST_F(edu_uring, surprise_removal)
{
	struct cqe_copy c;

	SUBMIT_DEVICE_CMD(CMD_NEVER_NS, 4);
	ASSERT_EQ(1, stat_get("edu_live"));
	ASSERT_EQ(0, edu_remove());
	ASSERT_TRUE(edu_bound_within(0));
	ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
	EXPECT_EQ(4U, c.data);
	EXPECT_EQ(-ENODEV, c.res);
	EXPECT_EQ(0, stat_get("edu_live"));

	SUBMIT_DEVICE_CMD(0, 5);
	ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
	EXPECT_EQ(5U, c.data);
	EXPECT_EQ(-ENODEV, c.res);

	ASSERT_EQ(0, edu_rescan());
	SUBMIT_DEVICE_CMD(0, 6);
	ASSERT_EQ(0, reap32(&self->ring, SLACK_NS, &c));
	EXPECT_EQ(6U, c.data);
	EXPECT_LT(0, c.res);
}

/*
 * TEST_HARNESS_MAIN, but without the device every test skips, as one:
 * with a SKIP() in FIXTURE_SETUP the 6.1 harness still runs the test body.
 */
int main(int argc, char **argv)
{
	require_device();
	find_edu();
	if (!edu_bdf[0]) {
		ksft_print_header();
		ksft_exit_skip("no edu PCI device (1234:11e8; QEMU's -device edu)\n");
	}
	if (stat_get("edu_bound") != 1) {
		ksft_print_header();
		ksft_exit_fail_msg("%s is not bound to hwevent\n", edu_bdf);
	}
	return test_harness_run(argc, argv);
}
