/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - what one user may ask of the simulated interrupt, across files
 */
#ifndef _HWEVENT_BUDGET_H
#define _HWEVENT_BUDGET_H

#include <linux/types.h>
#include <linux/uidgid.h>

struct hwevent_user;

struct hwevent_user *hwevent_user_get(kuid_t uid);
void hwevent_user_put(struct hwevent_user *user);
int hwevent_user_charge(struct hwevent_user *user, u64 period_ns);
void hwevent_user_uncharge(struct hwevent_user *user, u64 period_ns);

#endif /* _HWEVENT_BUDGET_H */
