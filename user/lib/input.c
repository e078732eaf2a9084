// SPDX-License-Identifier: GPL-2.0
/* input.c - watching stdin for Enter or q, also on a ring (input.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <liburing.h>

#include "common.h"
#include "input.h"
#include "signals.h"

/* ---- Watching stdin for Enter or q ---- */

static bool in_foreground(void)
{
	return tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* Windows: _kbhit(); here a terminal without line buffering or echo. */
static void tty_make_raw(struct input *in)
{
	struct termios t;

	if (!in->raw && tcgetattr(STDIN_FILENO, &in->saved) < 0)
		return;		/* still works, with Enter after the key */
	t = in->saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		in->raw = true;
}

/* At exit: the terminal mode as we found it. */
void tty_restore(struct input *in)
{
	sigset_t ttou, old;

	if (!in->raw)
		return;
	/* If we were sent to the background, don't get stopped for this. */
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	tcsetattr(STDIN_FILENO, TCSANOW, &in->saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
	in->raw = false;
}

/*
 * Decide whether to watch stdin: a terminal only while we are in the
 * foreground (a background read would stop us with SIGTTIN), a pipe or a
 * socket until it reaches EOF.
 */
void input_refresh(struct input *in)
{
	in->watch = false;
	if (!in->usable)
		return;
	if (in->tty) {
		if (!in_foreground())
			return;
		tty_make_raw(in);
	}
	in->watch = true;
}

/*
 * Watch a terminal, a pipe or a socket. Not /dev/null or other devices
 * (CI runs us with </dev/null; /dev/zero would be readable forever), and
 * not regular files, which are no way to press a key.
 */
void input_setup(struct input *in)
{
	struct stat sb;

	memset(in, 0, sizeof(*in));
	if (fstat(STDIN_FILENO, &sb) < 0)
		return;
	in->tty = isatty(STDIN_FILENO);
	in->usable = in->tty || S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode);
	input_refresh(in);
}

/* After SIGCONT (Ctrl-Z, fg): decide again, and set the terminal again. */
void input_continued(struct input *in)
{
	if (continued) {
		continued = 0;
		input_refresh(in);
	}
}

/* Read what is there; true if it holds Enter or q. */
static bool input_read_quit(struct input *in)
{
	char buf[256];
	ssize_t n, i;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0) {
		/*
		 * EOF or an error (a hung-up terminal): stop watching but go
		 * on, so `hwevent 0.5 0 -n 3 </dev/null` runs its 3 events.
		 */
		in->usable = false;
		in->watch = false;
		return false;
	}
	for (i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == 'q' ||
		    buf[i] == 'Q')
			return true;
	return false;
}

/*
 * Handle poll()'s verdict on stdin (epoll's, or a ring's poll's: the same
 * bits); true if the user asked to quit.
 */
bool input_ready(struct input *in, short revents)
{
	if (revents & POLLNVAL) {
		in->usable = false;
		in->watch = false;
		return false;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		return input_read_quit(in);
	return false;
}

/* Between waits: has a quit key been pressed? Does not block. */
bool input_check(struct input *in)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	if (!in->watch || poll(&p, 1, 0) <= 0)
		return false;
	return input_ready(in, p.revents);
}

/*
 * On a ring (Windows: event.exe's _kbhit(); here one more completion):
 * queue a poll of stdin, with user_data @tag, if we watch it and none is
 * in flight. The caller submits it.
 */
void input_poll_on_ring(struct input *in, struct io_uring *ring,
			uint64_t tag)
{
	struct io_uring_sqe *sqe;

	if (!in->watch || in->polled)
		return;
	sqe = io_uring_get_sqe(ring);
	if (sqe) {
		io_uring_prep_poll_add(sqe, STDIN_FILENO, POLLIN);
		io_uring_sqe_set_data64(sqe, tag);
		in->polled = true;
	}
}

/* The ring's poll of stdin completed with @res: true if it asks to quit. */
bool input_poll_done(struct input *in, int res)
{
	in->polled = false;
	if (res < 0) {
		/* Not pollable after all: go on without the keys. */
		in->usable = false;
		in->watch = false;
		return false;
	}
	/* Sent to the background meanwhile: a read would stop us. */
	return in->watch && input_ready(in, (short)res);
}
