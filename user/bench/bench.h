/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h - what the files of hwevent-bench (user/bench/) share: its
 * options, the sections' and paths' names, the results, and the functions
 * one file calls in another. main.c says what the program does.
 */
#ifndef HWEVENT_BENCH_H
#define HWEVENT_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <liburing.h>
#include <linux/hwevent.h>

#include "lib/common.h"

#define PROG		"hwevent-bench"
#define DEFAULT_DEVICE	"/dev/hwevent"
#define MAX_PENDING_PATH "/sys/module/hwevent/parameters/max_pending"
#define QUEUE_SIZE_PATH	"/sys/module/hwevent/parameters/queue_size"
#define BOTTOM_HALF_PATH "/sys/module/hwevent/parameters/bottom_half"
#define STATS_PATH	"/sys/kernel/debug/hwevent/stats"
#define SLAB_DIR	"/sys/kernel/slab/hwevent_reg"
#define EXIT_USAGE	2

#define REC		((size_t)sizeof(struct hwevent_event))
/* Entries of a list option (--rates, --scale, --fanout) at most. */
#define MAX_LIST	32

/* Defaults, and the --short ones (a sanity run under QEMU TCG). */
#define DEF_SAMPLES	2000U
#define DEF_DELAY_NS	NSEC_PER_MSEC
#define DEF_DURATION_NS	(2 * NSEC_PER_SEC)
#define DEF_SCALE_DELAY_NS (5 * NSEC_PER_SEC)
#define SHORT_SAMPLES	200U
#define SHORT_DURATION_NS (300 * NSEC_PER_MSEC)
#define SHORT_SCALE_DELAY_NS NSEC_PER_SEC

/* Option limits. */
#define MAX_SAMPLES	1000000U
#define MAX_DELAY_NS	(10 * NSEC_PER_SEC)
#define MIN_DURATION_NS	NSEC_PER_MSEC
#define MAX_DURATION_NS	(3600 * NSEC_PER_SEC)
#define MAX_SCALE_N	1000000ULL
#define MIN_SCALE_DELAY_NS (100 * NSEC_PER_MSEC)
#define MAX_FANOUT	65536ULL

/* Throughput: the queue candidate's queue, and its read batch. */
#define TP_QUEUE_SIZE	4096
#define TP_BATCH	256
/* Scale: records read at once while counting what fired. */
#define SCALE_BATCH	256
#define SCALE_SLACK_NS	(30 * NSEC_PER_SEC)
/* Below this many registrations the Slab difference is mostly noise. */
#define SLAB_MIN_N	10000
/* Fan-out: PENDING delay (never reached: the trigger comes first). */
#define FANOUT_DELAY_NS	(60 * NSEC_PER_SEC)
#define FANOUT_SETTLE_NS (50 * NSEC_PER_MSEC)
#define FANOUT_STACK	(64 * 1024)
#define FANOUT_ARM_NS	(30 * NSEC_PER_SEC)
#define FANOUT_TFD_MIN_NS (100 * NSEC_PER_MSEC)
#define FANOUT_TFD_PER_NS (200 * NSEC_PER_USEC)
/* Fan-out, uring-cmd: SQEs submitted at a time (the CQ holds them all). */
#define FANOUT_URING_SQ	256U
/* No event this long after it was due: give up (the watchdog alarm). */
#define WATCHDOG_S	60U
/* The assumed max_pending when it cannot be read: the module's default. */
#define MAX_PENDING_DEFAULT 1024

enum section { S_LATENCY, S_THROUGHPUT, S_SCALE, S_FANOUT, NR_SECTIONS };

extern const char *const section_names[NR_SECTIONS];
enum path {
	P_PENDING,
	P_EFD_READ,
	P_EFD_EPOLL,
	P_QUEUE_READ,
	P_QUEUE_EPOLL,
	P_URING_READ,
	P_URING_CMD,
	P_EDU_PENDING,
	P_TFD_READ,
	P_TFD_EPOLL,
	NR_PATHS
};

struct path_info {
	const char *name;
	enum path baseline;
	bool hwevent;
};

extern const struct path_info path_info[NR_PATHS];

enum cand { C_QUEUE, C_EVENTFD, C_TIMERFD, NR_CANDS };

extern const char *const cand_names[NR_CANDS];

struct u64_list {
	unsigned int n;
	uint64_t v[MAX_LIST];
};

struct options {
	const char *device;
	unsigned int sections;		/* 1 << enum section */
	unsigned int paths;		/* 1 << enum path, baselines added */
	unsigned int cands;		/* 1 << enum cand */
	unsigned int samples;		/* 0: not given */
	uint64_t delay_ns;		/* UINT64_MAX: not given */
	struct u64_list rates;		/* n == 0: not given */
	uint64_t duration_ns;		/* 0: not given */
	struct u64_list scale;
	uint64_t scale_delay_ns;	/* 0: not given */
	struct u64_list fanout;
	bool short_run;
	bool check;
	const char *json;
	const char *markdown;
	const char *data_dir;
};

struct lat_result {
	int64_t *lat;		/* lateness per sample, ns; sorted at the end */
	unsigned int n;
	unsigned int early;	/* samples < 0: a bug */
	int64_t min, p50, p90, p99, max;
	double mean;
	double ratio_p50, ratio_p99;
	int64_t *bh;		/* the records' bh_ns - irq_ns; sorted */
	unsigned int nbh;	/* 0: the path has no record (eventfd) */
	int64_t bh_p50;
	int64_t *irqw;		/* wake-up - the record's irq_ns; sorted */
	unsigned int nirqw;	/* 0: no irq_ns (eventfd, timerfd) */
	int64_t irqw_p50;
	int64_t *dirq;		/* the records' irq_ns - due_ns; sorted */
	unsigned int ndirq;	/* 0: no record with both */
	int64_t dirq_p50;
};

struct tp_result {
	bool run;
	uint64_t elapsed_ns;
	int64_t expected;
	int64_t expected_max;	/* counters: expiries due once drained */
	uint64_t delivered;
	int64_t missed;
	uint64_t lost;
	uint64_t overruns;
	double per_s;
};

struct tp_row {
	uint64_t rate_hz;
	uint64_t period_ns;
	struct tp_result c[NR_CANDS];
};

struct scale_row {
	uint64_t n;
	unsigned int files;
	double register_ns_per;
	double registration_s;
	bool slow;		/* registration outlasted the delay */
	bool have_slab;
	double slab_bytes_per;
	long long object_size;	/* -1: unknown */
	long long slab_size;
	uint64_t fired;
	bool all_fired;
};

struct fanout_row {
	unsigned int threads;
	uint64_t hw_last_ns, hw_median_ns;
	uint64_t tfd_last_ns, tfd_median_ns;
	double ratio_last;
	bool uc_run;		/* false: io_uring commands unavailable */
	uint64_t uc_last_ns, uc_median_ns;
	double uc_ratio_last;	/* uring-cmd last / timerfd last */
};

struct bench {
	struct options o;
	long long max_pending;
	bool done[NR_SECTIONS];
	struct lat_result lat[NR_PATHS];
	/*
	 * The driver's due time minus ours (taken before the ioctl, plus
	 * the delay), from the queue paths' records, median: how much the
	 * eventfd paths, which have no record, overstate their lateness.
	 */
	int64_t arm_offset_p50;
	unsigned int n_arm_offset;
	struct tp_row tp[MAX_LIST];
	unsigned int ntp;
	struct scale_row scale[MAX_LIST];
	unsigned int nscale;
	struct fanout_row fan[MAX_LIST];
	unsigned int nfan;
	long long live_before;	/* debugfs "live", -1 if unreadable */
	/*
	 * Why io_uring commands (the uring-cmd path, fan-out's uring-cmd
	 * row) cannot run on this kernel or module; "" if they can.
	 */
	char uring_cmd_no[160];
	/* Why edu-pending cannot run here (no edu device bound), or "". */
	char edu_no[160];
	/* The module's bottom_half when it started ("" if unreadable). */
	char bottom_half[32];
	FILE *json_out;
	FILE *md_out;
};

/* What a command's CQE says; taken before the CQE is marked seen. */
struct ucqe {
	uint64_t data;
	int res;		/* low 31 bits of the seqno, or -errno */
	uint64_t irq_ns;	/* big_cqe[0] */
};

/* util.c */
extern volatile sig_atomic_t watchdog_fired;
int install_watchdog_handler(void);
void watchdog_arm(unsigned int seconds);
void watchdog_disarm(void);
void msg(const char *fmt, ...);
int fail(const char *fmt, ...);
int wait_failed(const char *what, int err);
struct timespec ns_to_ts(uint64_t ns);
bool sleep_ns(uint64_t ns);
int cmp_i64(const void *a, const void *b);
int64_t percentile(const int64_t *sorted, unsigned int n, unsigned int p);
double ratio(double a, double b);

/* sysfs.c */
long long read_ll(const char *path);
int write_ll(const char *path, long long val);
void read_word(const char *path, char *buf, size_t size);
long long read_named(const char *path, const char *name);
long long meminfo_slab_kb(void);

/* device.c */
int dev_open(const struct options *o, int flags);
int hw_register(int fd, uint32_t mode, int efd, uint64_t delay_ns,
		uint64_t period_ns, uint64_t *id);
void hw_cancel(int fd, uint64_t id);
void close_fd(int *fd);
int ucmd_ring(struct io_uring *ring, unsigned int entries, unsigned int cq);
bool ucmd_prep(struct io_uring *ring, int fd, uint64_t delay_ns,
	       uint64_t cookie, uint64_t data);
void ucqe_copy(struct ucqe *u, const struct io_uring_cqe *cqe);
int ucmd_probe(struct bench *b);
int edu_probe(struct bench *b);
const char *path_unavailable(const struct bench *b, unsigned int p);

/* latency.c */
int read_counter(int fd, uint64_t *count, const char *what);
int run_latency(struct bench *b);

/* throughput.c */
uint64_t period_of(uint64_t rate_hz);
int run_throughput(struct bench *b);

/* scale.c */
int run_scale(struct bench *b);

/* fanout.c */
int run_fanout(struct bench *b);

/* json.c */
void write_json(FILE *f, const struct bench *b);

/* markdown.c */
double us(double ns);
void write_markdown(FILE *f, const struct bench *b);

/* data.c */
FILE *open_out(const char *path);
int close_out(FILE *f, const char *path);
int write_data(const struct bench *b);

/* check.c */
int run_checks(const struct bench *b, bool run_ok);

/* args.c */
void usage_hint(void);
int parse_args(int argc, char **argv, struct options *o);

#endif /* HWEVENT_BENCH_H */
