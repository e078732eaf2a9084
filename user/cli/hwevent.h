/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent.h - what the files of hwevent (user/cli/) share: its options,
 * its state, an event as it is reported, and the functions one file calls
 * in another. main.c says what the program does.
 */
#ifndef HWEVENT_CLI_H
#define HWEVENT_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <liburing.h>
#include <linux/hwevent.h>

#include "lib/input.h"

#define PROG		"hwevent"
#define DEFAULT_DEVICE	"/dev/hwevent"
#define EXIT_USAGE	2
/* How long to wait for devtmpfs to create the node after loading. */
#define DEVICE_WAIT_MS	2000
#define DEVICE_POLL_MS	20
/* --poll, --epoll: no event this long after one was due means it was lost. */
#define LOST_EVENT_MS	10000
/* Mode 2 reads up to this many records at once. */
#define READ_BATCH	16
/*
 * --uring N: at most the driver's default max_pending, the registrations
 * one file may have: more would fail with ENOSPC on a default module.
 */
#define URING_MAX_PENDING	1024
/* --uring: user_data of the poll of stdin; a command's is its slot. */
#define URING_STDIN		UINT64_MAX

/* How modes 1 and 2 wait for the eventfd or the device. */
enum wait_method {
	METHOD_READ,		/* a blocking read(2) */
	METHOD_POLL,		/* poll(2), with stdin */
	METHOD_EPOLL,		/* epoll_wait(2), with stdin */
};

struct options {
	uint64_t delay_ns;
	uint64_t period_ns;		/* 0: one event per registration */
	uint64_t cookie;
	bool has_cookie;		/* else: the event's number */
	unsigned int mode;
	enum wait_method wait;
	bool trigger;
	bool json;
	uint32_t reg_flags;		/* --edu, --dma: HWEVENT_REGISTER_* */
	unsigned int uring;		/* mode 0: commands in flight; 0: none */
	unsigned long long count;	/* 0: no limit */
	const char *module;		/* NULL: look next to the program */
	const char *device;
};

/* --uring: one command in flight, by the slot its user_data names. */
struct uring_slot {
	unsigned long long command;	/* its number, from 1; 0: slot free */
	uint64_t due_ns;		/* its submission's time + the delay */
};

/* --uring: what we keep of a CQE, to sort a wake-up's before reporting. */
struct uring_done {
	uint64_t data;		/* user_data: a slot, or URING_STDIN */
	int32_t res;
	uint64_t irq_ns;	/* big_cqe[0] */
};

struct state {
	int devfd;
	int efd;
	int waitfd;		/* modes 1 and 2: efd or devfd */
	int epfd;		/* --epoll */
	bool epoll_stdin;	/* stdin is in the epoll set */
	bool loaded_module;
	struct input in;
	/* Modes 1 and 2: the registration waited on, 0 when none is. */
	uint64_t live_id;
	uint64_t live_cookie;
	uint64_t first_due;	/* ioctl time + delay */
	uint64_t trigger_ns;	/* when we triggered it, until its event */
	uint64_t deadline;	/* --poll, --epoll: no event by then: lost */
	unsigned long long events;
	unsigned long long overruns;
	unsigned long long lost;
	int64_t lat_min;
	int64_t lat_max;
	double lat_sum;
	const char *reason;	/* why the loop stopped, for the summary */
	int out_errno;		/* why writing to stdout failed, or 0 */
	/* --uring */
	struct io_uring ring;
	bool ring_up;
	struct uring_slot *slots;	/* o->uring of them */
	struct uring_done *batch;	/* o->uring + 1: all that can complete */
	unsigned int pending;		/* commands submitted, not completed */
	unsigned long long submitted;
	bool cancel_issued;	/* HWEVENT_IOC_CANCEL at the stop */
	unsigned long long cancelled;	/* completed with ECANCELED */
	int failed_errno;	/* the last failure reported, once for all */
	bool signals_blocked;
	sigset_t saved_mask;	/* to restore at exit */
	sigset_t wait_mask;	/* the mask to wait with: stop signals let in */
};

/* One event as we print it, from a record, an eventfd or a CQE. */
struct report {
	uint64_t id;
	uint64_t command;	/* --uring: the command's number */
	uint64_t cookie;
	/* NULL in eventfd mode; --uring: seqno, due_ns and irq_ns only */
	const struct hwevent_event *ev;
	uint64_t count;		/* eventfd mode: the counter we read */
	uint64_t due_ns;	/* eventfd mode: computed */
	uint64_t wake_ns;
	uint32_t flags;		/* HWEVENT_EVENT_*; mode 1: as far as known */
};

enum wait_result {
	WAIT_EVENT,		/* an event was printed */
	WAIT_ARMED,		/* registered: wait for its event */
	WAIT_READY,		/* the eventfd or the device is readable */
	WAIT_AGAIN,		/* no event; the main loop decides what next */
	WAIT_QUIT,		/* a quit key was pressed */
	WAIT_ERROR,		/* reported already */
};

/* args.c */
int parse_args(int argc, char **argv, struct options *o);

/* report.c */
void report_ioctl_error(const char *name, int err);
void check_record(const struct hwevent_event *ev, uint64_t id, uint64_t cookie);
void report_event(struct state *st, const struct options *o,
		  const struct report *r);
void report_record(struct state *st, const struct options *o,
		   const struct hwevent_event *ev, uint64_t woke);
void print_banner(const struct state *st, const struct options *o);
void print_summary(const struct state *st);

/* register.c */
enum wait_result wait_pending(struct state *st, const struct options *o);
enum wait_result arm(struct state *st, const struct options *o);
int cancel_periodic(struct state *st, const struct options *o);
void event_seen(struct state *st, const struct options *o, uint64_t woke);

/* ready.c */
enum wait_result wait_async(struct state *st, const struct options *o);
int setup_waiting(struct state *st, const struct options *o);

/* uring.c */
int uring_setup(struct state *st, const struct options *o);
enum wait_result wait_uring(struct state *st, const struct options *o);
int uring_stop(struct state *st, const struct options *o);

#endif /* HWEVENT_CLI_H */
