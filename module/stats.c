// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - device-wide counters of /dev/hwevent, shown with those of
 * /dev/hwecho in debugfs, hwevent/stats
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "device.h"
#include "echo.h"
#include "edu.h"
#include "queue.h"

/*
 * Device-wide accounting, for debugfs and the tests: every registration
 * that was armed ends in exactly one of the ended states, and every eventfd
 * reference taken is put once. Lock-free; read as a snapshot.
 */
atomic64_t hwevent_armed_total = ATOMIC64_INIT(0);
atomic64_t hwevent_ended[HWEVENT_NR_STATES];
atomic_t hwevent_live = ATOMIC_INIT(0);
atomic_t hwevent_eventfd_refs = ATOMIC_INIT(0);
/* Timer callbacks run: the simulated interrupts (triggers apart). */
atomic64_t hwevent_interrupts = ATOMIC64_INIT(0);
/* Expiries of periodic ones delivered, and merged or missed; triggers. */
atomic64_t hwevent_ticks = ATOMIC64_INIT(0);
atomic64_t hwevent_overruns = ATOMIC64_INIT(0);
atomic64_t hwevent_triggered = ATOMIC64_INIT(0);
/* PENDING waits a signal interrupted between the interrupt and the BH. */
atomic64_t hwevent_late_signals = ATOMIC64_INIT(0);

static struct dentry *hwevent_debugfs;

static const char * const hwevent_state_names[HWEVENT_NR_STATES] = {
	[HWEVENT_COMPLETED]	= "completed",
	[HWEVENT_CANCELLED]	= "cancelled",
	[HWEVENT_INTERRUPTED]	= "interrupted",
	[HWEVENT_DROPPED]	= "dropped",
	[HWEVENT_DEVICE_GONE]	= "device_gone",
};

/* debugfs hwevent/stats: "name value" lines, for people and tests. */
static int hwevent_stats_show(struct seq_file *m, void *unused)
{
	int i;

	seq_printf(m, "armed %lld\n", atomic64_read(&hwevent_armed_total));
	for (i = HWEVENT_COMPLETED; i < HWEVENT_NR_STATES; i++)
		seq_printf(m, "%s %lld\n", hwevent_state_names[i],
			   atomic64_read(&hwevent_ended[i]));
	seq_printf(m, "live %d\n", atomic_read(&hwevent_live));
	seq_printf(m, "eventfd_refs %d\n", atomic_read(&hwevent_eventfd_refs));
	seq_printf(m, "queued %lld\n", atomic64_read(&hwevent_queued_total));
	seq_printf(m, "queue_lost %lld\n",
		   atomic64_read(&hwevent_queue_lost_total));
	seq_printf(m, "ticks %lld\n", atomic64_read(&hwevent_ticks));
	seq_printf(m, "overruns %lld\n", atomic64_read(&hwevent_overruns));
	seq_printf(m, "triggered %lld\n", atomic64_read(&hwevent_triggered));
	seq_printf(m, "late_signals %lld\n",
		   atomic64_read(&hwevent_late_signals));
	seq_printf(m, "interrupts %lld\n", atomic64_read(&hwevent_interrupts));
	hwevent_edu_stats_show(m);
	hwecho_stats_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hwevent_stats);

void hwevent_stats_init(void)
{
	/* Optional, like all of debugfs: errors are not ours to handle. */
	hwevent_debugfs = debugfs_create_dir("hwevent", NULL);
	debugfs_create_file("stats", 0444, hwevent_debugfs, NULL,
			    &hwevent_stats_fops);
}

void hwevent_stats_exit(void)
{
	debugfs_remove(hwevent_debugfs);
}
