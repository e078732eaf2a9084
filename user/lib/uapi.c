// SPDX-License-Identifier: GPL-2.0
/* uapi.c - /dev/hwevent's uAPI as the programs use it (uapi.h). */
#include <string.h>

#include "uapi.h"

/* A registration of @mode: what HWEVENT_IOC_REGISTER and the ring take. */
void reg_init(struct hwevent_register *r, uint32_t mode, int efd,
	      uint64_t delay_ns, uint64_t period_ns, uint64_t cookie)
{
	memset(r, 0, sizeof(*r));	/* padding and reserved must be 0 */
	r->mode = mode;
	/* The driver wants zero where the mode gives it no meaning. */
	r->eventfd = mode == HWEVENT_MODE_EVENTFD ? efd : 0;
	r->delay_ns = delay_ns;
	r->period_ns = period_ns;
	r->cookie = cookie;
}
