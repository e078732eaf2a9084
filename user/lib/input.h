/* SPDX-License-Identifier: GPL-2.0 */
/*
 * input.h - watching stdin for a key that means "quit" (Enter or q), also
 * on a ring (input.c).
 */
#ifndef HWEVENT_USER_INPUT_H
#define HWEVENT_USER_INPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

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

#endif /* HWEVENT_USER_INPUT_H */
