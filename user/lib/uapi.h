/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uapi.h - /dev/hwevent's uAPI as the programs use it: its layout held to
 * what it promises, and a registration filled in (uapi.c).
 */
#ifndef HWEVENT_USER_UAPI_H
#define HWEVENT_USER_UAPI_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/hwevent.h>

/* The uAPI promises one layout for 32- and 64-bit callers; hold it to it. */
static_assert(sizeof(struct hwevent_event) == 64, "hwevent_event layout");
static_assert(sizeof(struct hwevent_register) == 136,
	      "hwevent_register layout");
static_assert(offsetof(struct hwevent_register, event) == 0x48,
	      "hwevent_register layout");
/* The command area of a 64-byte SQE holds it. */
static_assert(sizeof(struct hwevent_uring_wait) == 16,
	      "hwevent_uring_wait layout");

void reg_init(struct hwevent_register *r, uint32_t mode, int efd,
	      uint64_t delay_ns, uint64_t period_ns, uint64_t cookie);

#endif /* HWEVENT_USER_UAPI_H */
