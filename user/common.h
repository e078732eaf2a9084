/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.h - what the programs of user/ share (common.c): the stop
 * signals, the clock, the -n COUNT option, loading and unloading the
 * module, opening its devices' errors, io_uring's setup errors, watching
 * stdin for a key that means "quit" (also on a ring), and at exit closing
 * the device, unloading the module and flushing stdout.
 *
 * Every message starts with the program's name, prog_name, which each
 * program defines.
 */
#ifndef HWEVENT_USER_COMMON_H
#define HWEVENT_USER_COMMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <termios.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define NSEC_PER_USEC	1000ULL
#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL

/* The module of /dev/hwevent and /dev/hwecho, and its file. */
#define MODULE_NAME	"hwevent"
#define MODULE_FILE	"hwevent.ko"

/* The program's name, which starts every message: each program's own. */
extern const char prog_name[];

/*
 * Where messages other than results go: stdout, or stderr with --json.
 * main() sets it before anything is said.
 */
extern FILE *info_out;

/* ---- Signals ---- */

/* The stop signal (SIGINT, SIGTERM, SIGHUP) that arrived, or 0. */
extern volatile sig_atomic_t stop_signal;
/* Set on SIGCONT, if install_signal_handlers() was asked to catch it. */
extern volatile sig_atomic_t continued;

int install_signal_handlers(bool sigcont);
int block_stop_signals(sigset_t *saved, sigset_t *wait_mask);
bool take_pending_signals(const sigset_t *wait_mask);
const char *signal_name(int sig);

/* ---- Time and options ---- */

uint64_t now_ns(void);
int parse_digits(const char *s, int base, unsigned long long *v);
int parse_count_option(const char *s, unsigned long long *count);

/* ---- The module, its devices, io_uring ---- */

bool module_present(void);
int load_module(const char *module, bool *loaded);
int unload_module(void);
void report_open_error(const char *dev, int err, const char *node);
void report_uring_setup_error(const char *call, int err,
			      const char *einval_hint);

/* ---- Watching stdin for Enter or q ---- */

/* What we watch stdin for: a key that means "quit". */
struct input {
	bool usable;		/* false after EOF or a read error */
	bool tty;
	bool raw;		/* we changed the terminal mode: restore it */
	bool watch;		/* poll stdin now */
	bool polled;		/* a poll of stdin is in flight on a ring */
	struct termios saved;
};

struct io_uring;

void input_setup(struct input *in);
void input_refresh(struct input *in);
void input_continued(struct input *in);
bool input_ready(struct input *in, short revents);
bool input_check(struct input *in);
void input_poll_on_ring(struct input *in, struct io_uring *ring,
			uint64_t tag);
bool input_poll_done(struct input *in, int res);
void tty_restore(struct input *in);

/* ---- At exit ---- */

int exit_cleanup(int fd, bool loaded_module, int out_errno);

#endif /* HWEVENT_USER_COMMON_H */
