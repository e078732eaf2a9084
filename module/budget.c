// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - a budget per user, across all the files a user opens
 *
 * max_pending bounds one open file; nothing else would stop a user from
 * opening many files, each with max_pending registrations at the shortest
 * period, and so asking for millions of interrupts a second charged to
 * nobody. Like epoll's max_user_watches and the rtc driver's
 * max_user_freq, the user who opened a file is charged for its live
 * registrations (max_user_registrations) and for the rate of its periodic
 * ones (max_user_rate_hz, the sum of 1 s / period, each rounded up); a
 * caller with CAP_SYS_RESOURCE may exceed both, and is still counted.
 * Windows: the pool quota charged to the process (ExAllocatePoolWithQuota).
 */

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/hashtable.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/time64.h>

#include "budget.h"

static unsigned int max_user_registrations = 8192;
module_param(max_user_registrations, uint, 0644);
MODULE_PARM_DESC(max_user_registrations,
		 "Most live registrations of one user across all files, unless CAP_SYS_RESOURCE (default 8192)");

static unsigned int max_user_rate_hz = 100000;
module_param(max_user_rate_hz, uint, 0644);
MODULE_PARM_DESC(max_user_rate_hz,
		 "Most expiries per second one user's periodic registrations may ask for, unless CAP_SYS_RESOURCE (default 100000)");

/**
 * struct hwevent_user - what one user has registered, across files
 * @node: link in hwevent_users
 * @uid: the user
 * @files: open files charged to it, under hwevent_users_lock
 * @registrations: live registrations of those files
 * @rate_hz: sum of the rates of the periodic ones among them
 *
 * The counts are atomic: they are charged by REGISTER (process context)
 * and uncharged wherever a registration ends (any context).
 */
struct hwevent_user {
	struct hlist_node node;
	kuid_t uid;
	refcount_t files;
	atomic_t registrations;
	atomic64_t rate_hz;
};

/* Taken by open and release only (process context). */
static DEFINE_MUTEX(hwevent_users_lock);
static DEFINE_HASHTABLE(hwevent_users, 6);

struct hwevent_user *hwevent_user_get(kuid_t uid)
{
	u32 key = from_kuid(&init_user_ns, uid);
	struct hwevent_user *user;

	mutex_lock(&hwevent_users_lock);
	hash_for_each_possible(hwevent_users, user, node, key) {
		if (uid_eq(user->uid, uid)) {
			refcount_inc(&user->files);
			goto out;
		}
	}
	user = kzalloc(sizeof(*user), GFP_KERNEL_ACCOUNT);
	if (user) {
		user->uid = uid;
		refcount_set(&user->files, 1);
		hash_add(hwevent_users, &user->node, key);
	}
out:
	mutex_unlock(&hwevent_users_lock);
	return user ?: ERR_PTR(-ENOMEM);
}

/* A file is released only once each of its registrations has ended. */
void hwevent_user_put(struct hwevent_user *user)
{
	mutex_lock(&hwevent_users_lock);
	if (refcount_dec_and_test(&user->files)) {
		WARN_ON_ONCE(atomic_read(&user->registrations) ||
			     atomic64_read(&user->rate_hz));
		hash_del(&user->node);
		kfree(user);
	}
	mutex_unlock(&hwevent_users_lock);
}

static u64 hwevent_rate_hz(u64 period_ns)
{
	return period_ns ? div64_u64(NSEC_PER_SEC + period_ns - 1, period_ns) : 0;
}

/*
 * Charge one registration of period @period_ns (0: one-shot) to @user,
 * in process context. Return: 0, -ENOSPC (too many registrations, as epoll and inotify say it) or
 * -EACCES (too high a rate, as the rtc driver says it).
 */
int hwevent_user_charge(struct hwevent_user *user, u64 period_ns)
{
	u64 rate = hwevent_rate_hz(period_ns);

	/* Asked only when over, as the rtc driver does: no audit noise. */
	if (atomic_inc_return(&user->registrations) >
	    READ_ONCE(max_user_registrations) && !capable(CAP_SYS_RESOURCE)) {
		atomic_dec(&user->registrations);
		return -ENOSPC;
	}
	if (rate && atomic64_add_return(rate, &user->rate_hz) >
	    READ_ONCE(max_user_rate_hz) && !capable(CAP_SYS_RESOURCE)) {
		atomic64_sub(rate, &user->rate_hz);
		atomic_dec(&user->registrations);
		return -EACCES;
	}
	return 0;
}

void hwevent_user_uncharge(struct hwevent_user *user, u64 period_ns)
{
	u64 rate = hwevent_rate_hz(period_ns);

	if (rate)
		atomic64_sub(rate, &user->rate_hz);
	atomic_dec(&user->registrations);
}
