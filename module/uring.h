/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - registrations made as io_uring commands (uring.c), completed
 * on the ring's completion queue
 */
#ifndef _HWEVENT_URING_H
#define _HWEVENT_URING_H

#include <linux/types.h>
#include <linux/hwevent.h>

/* &hwevent_reg.mode of an io_uring command; not a uAPI mode. */
#define HWEVENT_MODE_URING_CMD	16

struct file;
struct hwevent_reg;
struct io_uring_cmd;

#ifdef HWEVENT_HAVE_URING_CMD
/* uring.c */
int hwevent_uring_cmd(struct io_uring_cmd *ucmd, unsigned int issue_flags);
void hwevent_uring_done(struct io_uring_cmd *ucmd,
			const struct hwevent_event *ev, int res);
#else
/* No ->uring_cmd (before 5.19): no registration has a command. */
static inline void hwevent_uring_done(struct io_uring_cmd *ucmd,
				      const struct hwevent_event *ev, int res)
{
}
#endif

#endif /* _HWEVENT_URING_H */
