/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwecho.h - what the files of hwecho (user/echo/) share: its options, its
 * state, a write's header, and the functions one file calls in another.
 * main.c says what the program does.
 */
#ifndef HWEVENT_ECHO_H
#define HWEVENT_ECHO_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <liburing.h>
#include <linux/hwecho.h>

#include "lib/common.h"
#include "lib/input.h"
#include "lib/module.h"

#define PROG		"hwecho"
/* The device interface (Windows: GUID_DEVINTERFACE_ECHO). */
#define CLASS_DIR	"/sys/class/misc/hwecho"
#define DEFAULT_DEVICE	"/dev/hwecho"
#define PARAM_DIR	"/sys/module/" MODULE_NAME "/parameters/"
#define STATS_FILE	"/sys/kernel/debug/hwevent/stats"
#define EXIT_USAGE	2
/* How long to wait for the device after loading the module. */
#define DEVICE_WAIT_MS	2000
#define DEVICE_POLL_MS	20
/* How long the requests cancelled at the stop may take to complete. */
#define CANCEL_WAIT_MS	10000

/* --async: echoapp's NUM_ASYNCH_IO, and our bound (2 N files, 80 KiB N). */
#define ASYNC_DEFAULT	100
#define ASYNC_MAX	256
/* --async: the largest write, echoapp's 40 KiB, unless echo_max_write is less. */
#define ASYNC_MAX_WRITE	HWECHO_DEFAULT_MAX_WRITE

/* user_data: a slot's index; these, and the cancels' tag, are not slots. */
#define UD_STDIN	UINT64_MAX
#define UD_CANCEL	(1ULL << 63)
struct options {
	bool async;
	unsigned int inflight;		/* --async: N writes and N reads */
	unsigned long long count;	/* -n: completions; 0: no limit */
	bool json;
	const char *module;		/* NULL: look next to the program */
	const char *device;		/* NULL: the device interface's node */
};

/*
 * --async: the header of each write, so that a read says which write it
 * returns. The rest of the write is derived from run and number.
 */
struct echo_header {
	uint32_t magic;
	uint32_t run;		/* this run's, not an earlier run's */
	uint64_t number;	/* the write's, from 1 */
	uint64_t length;	/* the write's, header included */
};

#define ECHO_MAGIC	0x68774543	/* "hwEC" */

enum slot_kind { SLOT_WRITE, SLOT_READ };

/* --async: one request in flight, with an open file of its own. */
struct slot {
	enum slot_kind kind;
	int fd;
	bool busy;
	unsigned long long number;	/* the write's or the read's, from 1 */
	size_t len;			/* a write's length; a read's buffer */
	/* A read: our writes completed when it was submitted. */
	unsigned long long writes_done;
	uint64_t submitted_ns;
	unsigned char *buf;
};

/* What a read returned, as checked against what was written. */
enum read_result {
	READ_VERIFIED,		/* one whole write of this run */
	READ_EMPTY,		/* nothing written since the module loaded */
	READ_EARLIER,		/* data left by an earlier run */
	READ_BAD,		/* anything else: an error */
};

static const char *const read_result_names[] = {
	[READ_VERIFIED] = "verified",
	[READ_EMPTY] = "empty",
	[READ_EARLIER] = "earlier",
	[READ_BAD] = "bad",
};

struct state {
	char path[PATH_MAX];	/* the device node opened */
	int fd;			/* the synchronous test's, and the first */
	bool loaded_module;
	struct input in;
	unsigned int period_us;	/* echo_period_us, 0 if unknown */
	unsigned int max_write;	/* echo_max_write, 0 if unknown */
	long long ticks_start;	/* echo_ticks at the start, -1 if unknown */
	uint64_t start_ns;
	const char *reason;	/* why the loop stopped, for the summary */
	int out_errno;		/* why writing to stdout failed, or 0 */
	/* --async */
	struct io_uring ring;
	bool ring_up;
	struct slot *slots;	/* 2 N: the writes' N, then the reads' */
	unsigned int nslots;
	unsigned char *scratch;	/* a write regenerated to compare a read */
	uint32_t run;
	size_t write_max;	/* the writes' largest length */
	unsigned int in_flight;
	bool cancelling;
	unsigned long long submitted;
	unsigned long long writes_submitted;
	unsigned long long reads_submitted;
	unsigned long long completed;
	unsigned long long writes, write_bytes;
	unsigned long long reads, read_bytes;
	unsigned long long results[ARRAY_SIZE(read_result_names)];
	unsigned long long cancelled;
	unsigned long long errors;
	int failed_errno;	/* the last I/O error reported, once for all */
	bool signals_blocked;
	sigset_t saved_mask;
	sigset_t wait_mask;	/* the stop signals let in while waiting */
};

/* main.c */
bool output_failed(struct state *st);

/* args.c */
int parse_args(int argc, char **argv, struct options *o);

/* params.c */
unsigned int read_param(const char *name);
long long read_stat(const char *name);
void print_ticks(const struct state *st, uint64_t elapsed);

/* sync.c */
int run_sync(struct state *st, const struct options *o);

/* payload.c */
uint64_t mix64(uint64_t x);
size_t write_min(const struct state *st);
size_t build_write(const struct state *st, unsigned char *buf,
		   unsigned long long number);
enum read_result check_read(struct state *st, const struct slot *s,
			    size_t n, unsigned long long *number,
			    char *why, size_t wlen);

/* async.c */
int run_async(struct state *st, const struct options *o);

#endif /* HWEVENT_ECHO_H */
