/* SPDX-License-Identifier: GPL-2.0 */
/* signals.h - the stop signals, SIGCONT and SIGPIPE (signals.c). */
#ifndef HWEVENT_USER_SIGNALS_H
#define HWEVENT_USER_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* The stop signal (SIGINT, SIGTERM, SIGHUP) that arrived, or 0. */
extern volatile sig_atomic_t stop_signal;
/* Set on SIGCONT, if install_signal_handlers() was asked to catch it. */
extern volatile sig_atomic_t continued;

int install_signal_handlers(bool sigcont);
int block_stop_signals(sigset_t *saved, sigset_t *wait_mask);
bool take_pending_signals(const sigset_t *wait_mask);
const char *signal_name(int sig);

#endif /* HWEVENT_USER_SIGNALS_H */
