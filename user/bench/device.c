// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - the device: opening it, registering, cancelling; and its
 * io_uring commands (HWEVENT_URING_CMD_WAIT), probed once.
 */
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/uapi.h"
#include "lib/uring.h"

#include "bench/bench.h"

/* ------------------------------------------------------------------ */
/* The device. */

int dev_open(const struct options *o, int flags)
{
	return open(o->device, O_RDWR | O_CLOEXEC | flags);
}

/* An EVENTFD or QUEUE registration, returning at once: 0 or -1 (said). */
int hw_register(int fd, uint32_t mode, int efd, uint64_t delay_ns,
		uint64_t period_ns, uint64_t *id)
{
	struct hwevent_register r;

	reg_init(&r, mode, efd, delay_ns, period_ns, 0);
	if (ioctl(fd, HWEVENT_IOC_REGISTER, &r))
		return fail("HWEVENT_IOC_REGISTER (mode %u): %s", mode,
			    strerror(errno));
	*id = r.id;
	return 0;
}

/* HWEVENT_IOC_CANCEL of @id, or of all with 0; errors only said. */
void hw_cancel(int fd, uint64_t id)
{
	struct hwevent_cancel c = {
		.id = id,
		.flags = id ? 0 : HWEVENT_CANCEL_ALL,
	};

	/* ENOENT: it fired meanwhile, which is no error here. */
	if (ioctl(fd, HWEVENT_IOC_CANCEL, &c) && errno != ENOENT)
		msg("HWEVENT_IOC_CANCEL: %s", strerror(errno));
}

void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ------------------------------------------------------------------ */
/* io_uring commands: HWEVENT_URING_CMD_WAIT. */

/*
 * A ring for commands, with at least @cq CQEs: 32-byte ones, whose
 * big_cqe[0] is the record's irq_ns. 0 or a negative errno.
 */
int ucmd_ring(struct io_uring *ring, unsigned int entries,
	      unsigned int cq)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQE32;
	if (cq > 2 * entries) {
		p.flags |= IORING_SETUP_CQSIZE;
		p.cq_entries = cq;
	}
	return io_uring_queue_init_params(entries, ring, &p);
}

/*
 * Queues one HWEVENT_URING_CMD_WAIT on @fd: false if the SQ is full.
 * Windows: an overlapped DeviceIoControl() left pending and completed on
 * an I/O completion port; here the CQE lands on the ring's CQ.
 */
bool ucmd_prep(struct io_uring *ring, int fd, uint64_t delay_ns,
	       uint64_t cookie, uint64_t data)
{
	struct hwevent_uring_wait w = {
		.delay_ns = delay_ns,
		.cookie = cookie,
	};
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return false;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = HWEVENT_URING_CMD_WAIT;
	memcpy(sqe->cmd, &w, sizeof(w));
	io_uring_sqe_set_data64(sqe, data);
	return true;
}

void ucqe_copy(struct ucqe *u, const struct io_uring_cqe *cqe)
{
	u->data = io_uring_cqe_get_data64(cqe);
	u->res = cqe->res;
	u->irq_ns = cqe->big_cqe[0];
}

/*
 * Whether an edu PCI device is bound to hwevent, for edu-pending. If not,
 * says why in b->edu_no, and the path is reported unavailable. One
 * PENDING registration on the device, delay 0. -1 (said) for another
 * error.
 */
int edu_probe(struct bench *b)
{
	const size_t len = sizeof(b->edu_no);
	struct hwevent_register r;
	int fd, err = 0;

	fd = dev_open(&b->o, 0);
	if (fd < 0)
		return fail("edu-pending: %s: %s", b->o.device,
			    strerror(errno));
	reg_init(&r, HWEVENT_MODE_PENDING, -1, 0, 0, 0);
	r.flags = HWEVENT_REGISTER_DEVICE;
	if (ioctl(fd, HWEVENT_IOC_REGISTER, &r))
		err = errno;
	close(fd);
	if (err == ENODEV) {
		snprintf(b->edu_no, len, "no edu PCI device is bound to hwevent (QEMU: -device edu)");
		return 0;
	}
	if (err == EINVAL) {
		snprintf(b->edu_no, len, "the module takes no HWEVENT_REGISTER_DEVICE (older than this program)");
		return 0;
	}
	if (err)
		return fail("edu-pending: a registration with delay 0: %s",
			    strerror(err));
	if (!(r.event.flags & HWEVENT_EVENT_DEVICE))
		return fail("edu-pending: the record lacks HWEVENT_EVENT_DEVICE");
	return 0;
}

/* Why path @p cannot run here, or NULL. */
const char *path_unavailable(const struct bench *b, unsigned int p)
{
	if (p == P_URING_CMD && b->uring_cmd_no[0])
		return b->uring_cmd_no;
	if (p == P_EDU_PENDING && b->edu_no[0])
		return b->edu_no;
	return NULL;
}

/*
 * Whether this kernel and module take io_uring commands. If not, says why
 * in b->uring_cmd_no, and what needs them is reported unavailable, not
 * run: 5.10 has neither 32-byte CQEs nor IORING_OP_URING_CMD, and builds
 * the module without ->uring_cmd. One command is sent with delay 0, so
 * that a module without ->uring_cmd shows too. -1 (said) for an error
 * that is none of those.
 */
int ucmd_probe(struct bench *b)
{
	const size_t len = sizeof(b->uring_cmd_no);
	char *no = b->uring_cmd_no;
	struct io_uring_probe *probe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	bool has_op;
	struct ucqe u;
	int fd, ret;

	ret = ucmd_ring(&ring, 2, 0);
	if (ret == -EINVAL) {
		snprintf(no, len, "io_uring_setup(IORING_SETUP_CQE32): EINVAL: no 32-byte CQEs nor IORING_OP_URING_CMD (before 5.19)");
		return 0;
	}
	if (ret == -ENOSYS || ret == -EPERM) {
		snprintf(no, len, "io_uring_setup: %s: no io_uring, or kernel.io_uring_disabled",
			 strerror(-ret));
		return 0;
	}
	if (ret < 0)
		return fail("uring-cmd: io_uring_queue_init: %s",
			    strerror(-ret));
	probe = io_uring_get_probe_ring(&ring);
	has_op = probe && io_uring_opcode_supported(probe, IORING_OP_URING_CMD);
	if (probe)
		io_uring_free_probe(probe);
	if (!has_op) {
		io_uring_queue_exit(&ring);
		snprintf(no, len, "io_uring's probe: no IORING_OP_URING_CMD (before 5.19)");
		return 0;
	}
	fd = dev_open(&b->o, 0);
	if (fd < 0) {
		io_uring_queue_exit(&ring);
		return fail("uring-cmd: %s: %s", b->o.device, strerror(errno));
	}
	ucmd_prep(&ring, fd, 0, 0, 1);
	ret = io_uring_submit(&ring);
	if (ret == 1)
		ret = uring_wait_until(&ring, &cqe,
				       now_ns() + WATCHDOG_S * NSEC_PER_SEC);
	else if (ret >= 0)
		ret = -EPROTO;
	if (!ret) {
		ucqe_copy(&u, cqe);
		io_uring_cqe_seen(&ring, cqe);
	} else {
		/* Ends it, if it was armed: the ring's exit takes the CQE. */
		hw_cancel(fd, 0);
	}
	io_uring_queue_exit(&ring);
	close(fd);
	if (ret)
		return fail("uring-cmd: a command with delay 0: %s",
			    strerror(-ret));
	if (u.res == -EOPNOTSUPP) {
		snprintf(no, len, "IORING_OP_URING_CMD on %s: EOPNOTSUPP: the module has no ->uring_cmd (built for a kernel before 5.19)",
			 b->o.device);
		return 0;
	}
	if (u.res < 0)
		return fail("uring-cmd: a command with delay 0: %s",
			    strerror(-u.res));
	if (!u.irq_ns)
		return fail("uring-cmd: the CQE's big_cqe[0] is 0, not the record's irq_ns");
	return 0;
}
