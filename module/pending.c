// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - the PENDING mode: the caller sleeps in HWEVENT_IOC_REGISTER
 * until its registration ends, and gets the record in its argument
 *
 * Windows: a dispatch routine that waits in KeWaitForSingleObject(); a
 * truly pending request is an io_uring command (uring.c). A signal with
 * a handler ends the wait (EINTR); a stop, a tracer or the freezer only
 * takes the caller out of the call, and the restarted call resumes it.
 */

#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include <linux/hwevent.h>

#include "compat.h"
#include "device.h"
#include "edu.h"

/*
 * Whether a signal pending for the caller will run a handler. Such a
 * signal ends a PENDING wait with EINTR. What else wakes it runs no
 * handler: a stop (SIGSTOP, Ctrl-Z), a ptrace stop (an attaching strace
 * or gdb), the freezer before 6.1, cgroup.freeze.
 */
static bool hwevent_handler_pending(void)
{
	/* Only exec, in the task itself, changes its own: not while we run. */
	struct sighand_struct *sighand =
		rcu_dereference_protected(current->sighand, true);
	__sighandler_t handler;
	sigset_t pending;
	bool ret = false;
	int sig;

	spin_lock_irq(&sighand->siglock);
	sigorsets(&pending, &current->pending.signal,
		  &current->signal->shared_pending.signal);
	sigandnsets(&pending, &pending, &current->blocked);
	for (sig = 1; sig <= _NSIG && !ret; sig++) {
		handler = sighand->action[sig - 1].sa.sa_handler;
		ret = sigismember(&pending, sig) && handler != SIG_DFL &&
		      handler != SIG_IGN;
	}
	spin_unlock_irq(&sighand->siglock);

	return ret;
}

/*
 * The caller of PENDING @reg leaves the call without a handler to run: it
 * stops, or a tracer or a freezer stops it. Windows keeps a suspended
 * thread's IRP pending; here the thread must leave the call to stop, so
 * the call is restarted when it goes on (-ERESTARTNOINTR: the kernel
 * issues it again, with the same argument, even after a handler that ran
 * meanwhile), as clock_nanosleep() resumes. Meanwhile @reg waits on
 * hwevent_file.detached, its timer stopped, as do_nanosleep() stops its
 * own: the restarted call finds it by thread, argument and id (written
 * back to the argument before the sleep) and resumes it, due when it
 * always was (hwevent_resume()). One no call resumes (the thread died, or
 * the descriptor now names another file) ends as interrupted at the
 * thread's next REGISTER on this file (hwevent_reap()), or at release.
 * Called with hwevent_file.lock held.
 */
static void hwevent_wait_detach(struct hwevent_file *hfile,
				struct hwevent_reg *reg,
				struct hwevent_register __user *ureq)
{
	lockdep_assert_held(&hfile->lock);
	reg->owner = get_pid(task_pid(current));
	reg->ureq = ureq;
	list_add_tail(&reg->node, &hfile->detached);
}

/*
 * The restarted REGISTER of a detached registration: the caller's, for the
 * same argument, whose @id it names. Armed again for its due time, which
 * may have passed: then it fires at once. NULL if there is none.
 */
struct hwevent_reg *
hwevent_resume(struct hwevent_file *hfile, struct hwevent_register __user *ureq,
	       u64 id)
{
	struct hwevent_reg *reg, *found = NULL;
	struct pid *owner = NULL;

	spin_lock_irq(&hfile->lock);
	list_for_each_entry(reg, &hfile->detached, node) {
		if (reg->owner == task_pid(current) && reg->ureq == ureq &&
		    reg->event.id == id) {
			found = reg;
			owner = reg->owner;
			reg->owner = NULL;
			list_move_tail(&reg->node, &hfile->armed);
			hrtimer_start(&reg->timer, ns_to_ktime(reg->event.due_ns),
				      HRTIMER_MODE_ABS);
			if (reg->source)
				hwevent_edu_call_resumed(hfile, reg);
			break;
		}
	}
	spin_unlock_irq(&hfile->lock);
	put_pid(owner);

	return found;
}

/*
 * End, as interrupted, the caller's detached registrations a new REGISTER
 * did not resume.
 */
void hwevent_reap(struct hwevent_file *hfile)
{
	struct hwevent_reg *reg, *tmp;
	LIST_HEAD(reaped);

	spin_lock_irq(&hfile->lock);
	list_for_each_entry_safe(reg, tmp, &hfile->detached, node) {
		if (reg->owner == task_pid(current)) {
			list_move_tail(&reg->node, &reaped);
			hwevent_reg_end(hfile, reg, HWEVENT_INTERRUPTED);
		}
	}
	spin_unlock_irq(&hfile->lock);

	list_for_each_entry_safe(reg, tmp, &reaped, node)
		hwevent_reg_free(reg);
}

/*
 * PENDING mode: sleep until @reg ends, then stop its timer, hand the
 * record to the caller and free @reg. The caller sees event.exe's
 * synchronous DeviceIoControl(); the driver side is a dispatch routine
 * that waits (KeWaitForSingleObject()), not IoMarkIrpPending(), whose
 * Linux form is -EIOCBQUEUED (uring.c).
 */
long hwevent_wait(struct hwevent_file *hfile, struct hwevent_reg *reg,
		  struct hwevent_register __user *ureq)
{
	enum hwevent_reg_state state;
	bool resume;
	long ret = 0;

	/* The freezer leaves it asleep (6.1 on); other wake-ups are below. */
	if (hwevent_wait_freezable(&reg->done)) {
		/*
		 * Windows: the cancel routine; here the waiter cleans up after
		 * itself. Once the timer is stopped, its interrupt either ran
		 * or never will.
		 */
		hrtimer_cancel(&reg->timer);
		resume = !fatal_signal_pending(current) &&
			 !hwevent_handler_pending();
		spin_lock_irq(&hfile->lock);
		if (reg->state == HWEVENT_ARMED) {
			list_del_init(&reg->node);
			if (resume) {
				hwevent_wait_detach(hfile, reg, ureq);
				spin_unlock_irq(&hfile->lock);
				return -ERESTARTNOINTR;
			}
			hwevent_reg_end(hfile, reg, HWEVENT_INTERRUPTED);
		}
		state = reg->state;
		spin_unlock_irq(&hfile->lock);
		/*
		 * The interrupt ran before the signal: the bottom half is
		 * scheduled and completes it shortly. Report the event rather
		 * than lose it.
		 */
		if (state == HWEVENT_BH_PENDING) {
			atomic64_inc(&hwevent_late_signals);
			wait_for_completion(&reg->done);
		}
	}

	/* Set before complete(), or by ourselves above. */
	switch (READ_ONCE(reg->state)) {
	case HWEVENT_COMPLETED:
		if (copy_to_user(&ureq->event, &reg->event, sizeof(reg->event)))
			ret = -EFAULT;
		break;
	case HWEVENT_CANCELLED:
		/* The canceller left stopping the timer to us (below). */
		ret = -ECANCELED;
		break;
	case HWEVENT_DEVICE_GONE:
		/* Windows: STATUS_NO_SUCH_DEVICE, after a surprise removal. */
		ret = -ENODEV;
		break;
	case HWEVENT_INTERRUPTED:
		/*
		 * A handler runs: never -ERESTARTSYS, which SA_RESTART would
		 * turn into a new registration, its delay started over.
		 */
		ret = -EINTR;
		break;
	default:
		WARN_ON_ONCE(1);
		ret = -EIO;
	}
	hwevent_reg_free(reg);

	return ret;
}
