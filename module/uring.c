// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - registrations made as io_uring commands (IORING_OP_URING_CMD)
 *
 * Windows completes an overlapped DeviceIoControl() that the driver marked
 * pending (IoMarkIrpPending(), STATUS_PENDING) on the caller's I/O
 * completion port. Here ->uring_cmd returns -EIOCBQUEUED (the pending
 * status), the driver keeps the command, and completes it later with
 * io_uring_cmd_done(): the CQE lands on the ring's completion queue. The
 * registration behind it is an ordinary one of the file (registration.c),
 * armed, fired, triggered and cancelled like the rest; freeing it completes
 * the command, so each command completes exactly once.
 *
 * Completion never runs in the interrupt or the bottom half: it hops to
 * task work in the submitter's context (io_uring_cmd_complete_in_task(),
 * as the nvme driver does), where io_uring posts the CQE.
 */

#include <linux/errno.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/limits.h>

#include <linux/hwevent.h>

#include "compat.h"
#include "device.h"
#include "uring.h"

static_assert(sizeof(struct hwevent_uring_wait) == 16);

/* What a command carries from submission to completion, in its pdu. */
struct hwevent_uring_pdu {
	u64 id;		/* its registration, for IO_URING_F_CANCEL */
	u64 irq_ns;	/* the record's, for a CQE32's big_cqe[0] */
	s32 res;	/* the CQE's res */
	bool cqe32;	/* the ring has 32-byte CQEs */
};

static struct hwevent_uring_pdu *hwevent_uring_pdu(struct io_uring_cmd *ucmd)
{
	static_assert(sizeof(struct hwevent_uring_pdu) <=
		      sizeof_field(struct io_uring_cmd, pdu));
	return (struct hwevent_uring_pdu *)ucmd->pdu;
}

/* Task work, in the submitter's context: post the CQE. */
static void hwevent_uring_finish(struct io_uring_cmd *ucmd,
				 unsigned int issue_flags)
{
	struct hwevent_uring_pdu *pdu = hwevent_uring_pdu(ucmd);

	/* Windows: IoCompleteRequest() on the pending IRP. */
	hwevent_io_uring_cmd_done(ucmd, pdu->res, pdu->irq_ns, pdu->cqe32,
				  issue_flags);
}

HWEVENT_URING_TW(hwevent_uring_tw, hwevent_uring_finish)

/*
 * The registration of @ucmd ended (freed, registration.c): completed (@res
 * 0, @ev its record), or not (@res the errno: -ECANCELED, -ENODEV). Any
 * context but hard irq.
 */
void hwevent_uring_done(struct io_uring_cmd *ucmd,
			const struct hwevent_event *ev, int res)
{
	struct hwevent_uring_pdu *pdu = hwevent_uring_pdu(ucmd);

	pdu->res = res ? res : (s32)(ev->seqno & INT_MAX);
	pdu->irq_ns = res ? 0 : ev->irq_ns;
	io_uring_cmd_complete_in_task(ucmd, hwevent_uring_tw);
}

/*
 * The registration of an io_uring command, reserved and not yet armed:
 * the caller makes the command cancelable, then arms it with
 * hwevent_uring_arm(), after which it may complete at any moment.
 */
static struct hwevent_reg *hwevent_uring_prepare(struct file *file, u64 cookie,
						 u32 source, u64 *id)
{
	struct hwevent_file *hfile = file->private_data;
	const struct hwevent_register req = {
		.mode = HWEVENT_MODE_URING_CMD,
		.flags = source,
		.cookie = cookie,
	};
	struct hwevent_reg *reg;
	int ret;

	reg = hwevent_reg_create(hfile, &req);
	if (IS_ERR(reg))
		return reg;
	ret = hwevent_reg_reserve(hfile, reg);
	if (ret) {
		hwevent_reg_free(reg);
		return ERR_PTR(ret);
	}
	*id = reg->event.id;
	return reg;
}

/*
 * Arm @reg for @ucmd, or, if its device is gone (the only way arming
 * fails), end both: the command completes with the error all the same,
 * for it is cancelable already.
 */
static void hwevent_uring_arm(struct hwevent_reg *reg,
			      struct io_uring_cmd *ucmd, u64 delay_ns)
{
	struct hwevent_file *hfile = reg->hfile;
	int ret;

	/* From here on, freeing @reg completes @ucmd. */
	reg->ucmd = ucmd;
	ret = hwevent_reg_arm(hfile, reg, delay_ns);
	if (!ret)
		return;
	/* Never armed, so still ours alone: end it without the command. */
	reg->ucmd = NULL;
	hwevent_reg_unreserve(hfile, reg);
	hwevent_reg_free(reg);
	hwevent_uring_done(ucmd, NULL, ret);
}

/*
 * io_uring cancels command @id (ring closed, task exiting): cancel its
 * registration if its interrupt has not run yet. If it has, or a cancel
 * or trigger has it, it completes soon anyway; io_uring asks again until
 * it has.
 */
static void hwevent_uring_cancel(struct file *file, u64 id)
{
	struct hwevent_file *hfile = file->private_data;
	struct hwevent_reg *reg, *found = NULL;
	LIST_HEAD(owned);

	spin_lock_irq(&hfile->lock);
	list_for_each_entry(reg, &hfile->armed, node) {
		if (reg->event.id == id) {
			found = reg;
			break;
		}
	}
	if (found)
		hwevent_reg_cancel(hfile, found, &owned);
	spin_unlock_irq(&hfile->lock);
	if (found)
		hwevent_reg_free(found);
}

/* HWEVENT_URING_CMD_WAIT, and _DEVICE with @source HWEVENT_REGISTER_DEVICE. */
static int hwevent_uring_wait(struct io_uring_cmd *ucmd,
			      unsigned int issue_flags, u32 source)
{
	const struct hwevent_uring_wait *uarg = hwevent_io_uring_cmd_payload(ucmd);
	struct hwevent_uring_pdu *pdu = hwevent_uring_pdu(ucmd);
	struct hwevent_uring_wait w;
	struct hwevent_reg *reg;

	/* The SQE is the user's memory, mapped: read each field once. */
	w.delay_ns = READ_ONCE(uarg->delay_ns);
	w.cookie = READ_ONCE(uarg->cookie);
	if (w.delay_ns > HWEVENT_URING_MAX_DELAY_NS)
		return -EINVAL;
	/* Task work does not get the ring's flags: note them now. */
	pdu->cqe32 = issue_flags & IO_URING_F_CQE32;

	reg = hwevent_uring_prepare(ucmd->file, w.cookie, source, &pdu->id);
	if (IS_ERR(reg))
		return PTR_ERR(reg);
	/* Before it can complete: io_uring's cancel must find it. */
	hwevent_io_uring_cmd_mark_cancelable(ucmd, issue_flags);
	hwevent_uring_arm(reg, ucmd, w.delay_ns);
	/* Windows: IoMarkIrpPending(); return STATUS_PENDING. */
	return -EIOCBQUEUED;
}

int hwevent_uring_cmd(struct io_uring_cmd *ucmd, unsigned int issue_flags)
{
	/* The ring is closing or its task exiting (6.7 and later). */
	if (hwevent_io_uring_cmd_cancelling(issue_flags)) {
		hwevent_uring_cancel(ucmd->file, hwevent_uring_pdu(ucmd)->id);
		return 0;
	}

	switch (ucmd->cmd_op) {
	case HWEVENT_URING_CMD_WAIT:
		return hwevent_uring_wait(ucmd, issue_flags, 0);
	case HWEVENT_URING_CMD_WAIT_DEVICE:
		return hwevent_uring_wait(ucmd, issue_flags,
					  HWEVENT_REGISTER_DEVICE);
	default:
		return -ENOTTY;
	}
}
