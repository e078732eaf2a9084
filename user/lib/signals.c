// SPDX-License-Identifier: GPL-2.0
/*
 * signals.c - the stop signals (SIGINT, SIGTERM, SIGHUP), SIGCONT and
 * SIGPIPE: how each program leaves cleanly (signals.h).
 */
#include <errno.h>
#include <string.h>

#include "common.h"
#include "signals.h"

/* Set by the signal handlers, read by the main loops. */
volatile sig_atomic_t stop_signal;
volatile sig_atomic_t continued;

/* ---- Signals ---- */

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void on_sigcont(int sig)
{
	(void)sig;
	continued = 1;
}

/*
 * Windows: Ctrl-C killed the program outright and the I/O manager
 * cancelled its requests. Here the stop signals set stop_signal, so that
 * the program leaves cleanly: the terminal mode restored, what it has in
 * flight cancelled, a module it loaded unloaded. No SA_RESTART: a call
 * waiting for the driver (an ioctl, a read or a write) must return EINTR,
 * the driver dropping the request, rather than be restarted.
 *
 * With @sigcont, SIGCONT sets continued: after Ctrl-Z and fg the shell
 * may have reset the terminal mode (input_continued()). SIGPIPE is
 * ignored: `prog ... | head -3` sees EPIPE and cleans up, not just dies.
 */
int install_signal_handlers(bool sigcont)
{
	static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		if (sigaction(stop_sigs[i], &sa, NULL) < 0)
			return -1;
	if (sigcont) {
		sa.sa_handler = on_sigcont;
		if (sigaction(SIGCONT, &sa, NULL) < 0)
			return -1;
	}
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/*
 * Block the stop signals and SIGCONT but while waiting on a ring, as
 * ppoll() does: one that lands just before a wait is not missed.
 * *@saved: the mask to restore at exit; *@wait_mask: the mask to wait
 * with, which lets them in. 0, or -1 after saying why.
 */
int block_stop_signals(sigset_t *saved, sigset_t *wait_mask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCONT };
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, saved) < 0) {
		fprintf(stderr, "%s: sigprocmask: %s\n", prog_name,
			strerror(errno));
		return -1;
	}
	*wait_mask = *saved;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigdelset(wait_mask, sigs[i]);
	return 0;
}

/*
 * Let in the stop signals that are pending, so their handlers run now:
 * io_uring_wait_cqes() returns at once when a completion is already
 * there, without the wait that would let them in, so a program whose
 * completions never stop coming would never see Ctrl-C. True if one was.
 */
bool take_pending_signals(const sigset_t *wait_mask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCONT };
	sigset_t pending, blocked;
	bool any = false;
	size_t i;

	if (sigpending(&pending) < 0)
		return false;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		any |= sigismember(&pending, sigs[i]) == 1;
	if (any) {
		sigprocmask(SIG_SETMASK, wait_mask, &blocked);
		sigprocmask(SIG_SETMASK, &blocked, NULL);
	}
	return any;
}

const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}
