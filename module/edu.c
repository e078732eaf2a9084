// SPDX-License-Identifier: GPL-2.0
/*
 * hwevent - a real interrupt: QEMU's educational PCI device, edu
 *
 * QEMU's "-device edu" (vendor 0x1234, device 0x11e8; docs/specs/edu.rst
 * in QEMU's source) has what a driver for real hardware deals with: a
 * memory BAR of registers, an interrupt (MSI, or INTx) and a DMA engine.
 * This file is its PCI driver, inside hwevent, and makes it the interrupt
 * source of the registrations that ask for it (HWEVENT_REGISTER_DEVICE):
 *
 *   the registration's hrtimer, or HWEVENT_IOC_TRIGGER
 *     -> hwevent_edu_raise(): write the device's interrupt-raise register
 *        (HWEVENT_REGISTER_DMA: start a DMA transfer instead)
 *     -> the device's MSI -> hwevent_edu_isr(), the hard handler: read the
 *        interrupt status, acknowledge it, hand the registrations to their
 *        files' bottom halves
 *     -> hwevent_bh() -> hwevent_edu_collect(): fire them, as their timer
 *        would have, and deliver them by mode, as always.
 *
 * Windows (KMDF): probe is EvtDevicePrepareHardware (MmMapIoSpace() of the
 * BAR) with WdfInterruptCreate(); the hard handler is EvtInterruptIsr, the
 * bottom half EvtInterruptDpc; remove is EvtDeviceReleaseHardware, after
 * IRP_MN_SURPRISE_REMOVAL when the device is pulled out.
 *
 * request_irq() and the files' own bottom half, not a threaded handler:
 * the hard handler does only what must be done at once (acknowledge), and
 * the rest runs in the same bottom half (bottom_half=tasklet, bh_work or
 * thread) as for the simulated interrupt, so both sources are measured
 * and delivered alike.
 *
 * One device at a time; another is left unbound (-EBUSY).
 *
 * hwevent_edu_lock protects the bound device, its lists, each
 * registration's dev_node, dev_state and (DMA) event.data, and every
 * file's dev_fired. Taken by the hrtimer callback (hard irq; a softirq
 * thread on PREEMPT_RT) through hwevent_reg_fire(), the interrupt handler
 * (hard irq; its thread on PREEMPT_RT), the bottom half and process
 * context (register, free, probe, remove), so always with interrupts off.
 * It nests inside hwevent_file.lock; the interrupt handler takes no
 * hwevent_file.lock: it moves registrations to their file's dev_fired and
 * kicks the bottom half, which fires them under that lock.
 */

#include <linux/bits.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include <linux/hwevent.h>

#include "compat.h"
#include "device.h"
#include "edu.h"
#include "param.h"
#include "trace.h"

#define HWEVENT_EDU_VENDOR	0x1234
#define HWEVENT_EDU_DEVICE	0x11e8

/* Registers in BAR 0 (docs/specs/edu.rst), accessed 32 bits at a time */
#define EDU_ID			0x00	/* 0xRRrr00ed: major, minor version */
#define EDU_LIVENESS		0x04	/* reads back what was written, inverted */
#define EDU_IRQ_STATUS		0x24	/* raised bits not yet acknowledged */
#define EDU_IRQ_RAISE		0x60	/* ORed into the status: interrupt */
#define EDU_IRQ_ACK		0x64	/* cleared from the status */
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_COUNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_DMA_RUN		BIT(0)	/* start; reads 1 while it runs */
#define EDU_DMA_TO_RAM		BIT(1)	/* from the device's memory */
#define EDU_DMA_IRQ		BIT(2)	/* raise EDU_IRQ_DMA at the end */

#define EDU_ID_MAGIC		0xed
/* The status bit the device raises at the end of a transfer. */
#define EDU_IRQ_DMA		0x100
/* Ours: what hwevent_edu_raise() writes to EDU_IRQ_RAISE. */
#define EDU_IRQ_EVENT		0x10000

/* The device's own memory, at this address of its DMA space. */
#define EDU_DMA_BUF		0x40000
/*
 * We use 512 words of its 4096 bytes: QEMU 7.2 (Debian 12) stops with an
 * error at a transfer that reaches the buffer's last byte.
 */
#define EDU_WORDS		512
/* In our coherent buffer: the words' image, then what a transfer brings. */
#define EDU_RESULT		EDU_WORDS
#define EDU_BUF_BYTES		((EDU_WORDS + 1) * sizeof(u32))
/* The device drives 28 address bits (QEMU's dma_mask property). */
#define EDU_DMA_BITS		28
/* Loading its memory at probe: a transfer takes 100 ms of QEMU's clock. */
#define EDU_DMA_TIMEOUT_US	(2 * USEC_PER_SEC)

/* Named INTx since 6.8. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX		PCI_IRQ_LEGACY
#endif

/**
 * struct hwevent_edu - the bound edu device
 * @pdev: its PCI device
 * @mmio: BAR 0, mapped
 * @irq: its interrupt: MSI if it could be had, else INTx
 * @buf: coherent buffer: the image of the device's words, then the word a
 *	transfer brings (EDU_RESULT)
 * @buf_dma: @buf's bus address
 * @gone: removed: nothing touches the device any more
 * @suspended: between suspend and resume: raises wait on @deferred
 * @dma_running: a transfer runs; it fires @dma_busy
 * @dma_next: the word the next transfer copies
 * @armed: device registrations whose timer runs (by dev_node)
 * @raised: those the device was asked to interrupt for
 * @dma_wait: DMA ones waiting for the engine
 * @dma_busy: DMA ones the running transfer fires
 * @deferred: those whose time came while the device was suspended
 */
struct hwevent_edu {
	struct pci_dev *pdev;
	void __iomem *mmio;
	int irq;
	u32 *buf;
	dma_addr_t buf_dma;
	bool gone;
	bool suspended;
	bool dma_running;
	u32 dma_next;
	struct list_head armed;
	struct list_head raised;
	struct list_head dma_wait;
	struct list_head dma_busy;
	struct list_head deferred;
};

/*
 * Test only: INTx even where MSI could be had, read at probe, so that the
 * selftests reach the fallback (unbind and bind to apply).
 */
static unsigned int test_edu_intx;

HWEVENT_PARAM_RANGE(test_edu_intx, test_edu_intx, 0, 1);
MODULE_PARM_DESC(test_edu_intx,
		 "Test only: give the edu device INTx rather than MSI when it is bound (default 0)");

static DEFINE_SPINLOCK(hwevent_edu_lock);
/* Under hwevent_edu_lock: the bound device, or NULL. */
static struct hwevent_edu *hwevent_edu;
/* A probe is binding one, or one is bound: one at a time. */
static bool hwevent_edu_claimed;
/* For debugfs (hwevent/stats), across binds; under the lock. */
static u64 hwevent_edu_binds, hwevent_edu_irqs, hwevent_edu_spurious;
static u64 hwevent_edu_transfers, hwevent_edu_removals;
static u64 hwevent_edu_suspends, hwevent_edu_resumes, hwevent_edu_deferred;

/* Word @k of the device's memory, as probe loads it. */
static u32 hwevent_edu_word(u32 k)
{
	return 0xed000000 | k << 12 | k;
}

/*
 * A new registration on the device, under hwevent_file.lock: -ENODEV
 * unless one is bound.
 */
int hwevent_edu_attach(struct hwevent_reg *reg)
{
	int ret = 0;

	spin_lock(&hwevent_edu_lock);
	if (hwevent_edu) {
		list_add_tail(&reg->dev_node, &hwevent_edu->armed);
		reg->dev_state = HWEVENT_DEV_ARMED;
	} else {
		ret = -ENODEV;
	}
	spin_unlock(&hwevent_edu_lock);
	return ret;
}

/* Start a transfer for what waits: one word of the device into @buf. */
static void hwevent_edu_dma_start(struct hwevent_edu *edu)
{
	u32 k = edu->dma_next;

	lockdep_assert_held(&hwevent_edu_lock);
	edu->dma_next = (k + 1) % EDU_WORDS;
	edu->dma_running = true;
	list_splice_tail_init(&edu->dma_wait, &edu->dma_busy);
	/* Zeroed first: only the device can put the word there. */
	WRITE_ONCE(edu->buf[EDU_RESULT], 0);
	/* writel() orders that store before the device sees the command. */
	writel(EDU_DMA_BUF + k * sizeof(u32), edu->mmio + EDU_DMA_SRC);
	writel(lower_32_bits(edu->buf_dma + EDU_RESULT * sizeof(u32)),
	       edu->mmio + EDU_DMA_DST);
	writel(sizeof(u32), edu->mmio + EDU_DMA_COUNT);
	writel(EDU_DMA_RUN | EDU_DMA_TO_RAM | EDU_DMA_IRQ,
	       edu->mmio + EDU_DMA_CMD);
}

/*
 * The time of device registration @reg came (its timer, or a trigger:
 * @flags), under hwevent_file.lock: ask the device to interrupt for it.
 * Once raised it stays so; a trigger after the timer, or the timer after
 * a trigger, adds nothing.
 */
void hwevent_edu_raise(struct hwevent_reg *reg, u32 flags)
{
	struct hwevent_edu *edu;

	spin_lock(&hwevent_edu_lock);
	edu = hwevent_edu;
	/* Else raised already, or its device went away (remove has it). */
	if (reg->dev_state == HWEVENT_DEV_ARMED && !WARN_ON_ONCE(!edu)) {
		reg->dev_state = HWEVENT_DEV_RAISED;
		/* For the record (hwevent_edu_collect()). */
		reg->event.flags = flags;
		trace_hwevent_edu_raise(reg->hfile->trace_id, reg->event.id,
					reg->source & HWEVENT_REGISTER_DMA);
		if (edu->suspended) {
			/* Asleep: it is raised at resume. */
			list_move_tail(&reg->dev_node, &edu->deferred);
			hwevent_edu_deferred++;
		} else if (reg->source & HWEVENT_REGISTER_DMA) {
			list_move_tail(&reg->dev_node, &edu->dma_wait);
			if (!edu->dma_running)
				hwevent_edu_dma_start(edu);
		} else {
			list_move_tail(&reg->dev_node, &edu->raised);
			writel(EDU_IRQ_EVENT, edu->mmio + EDU_IRQ_RAISE);
		}
	}
	spin_unlock(&hwevent_edu_lock);
}

/*
 * Hand the registrations on @list to their files' bottom halves, in
 * @state, stamped @now (and @data for DMA ones), under hwevent_edu_lock.
 */
static void hwevent_edu_hand_off(struct list_head *list, u8 state, u64 now,
				 u32 data)
{
	struct hwevent_reg *reg, *tmp;

	list_for_each_entry_safe(reg, tmp, list, dev_node) {
		list_move_tail(&reg->dev_node, &reg->hfile->dev_fired);
		reg->dev_state = state;
		reg->dev_irq_ns = now;
		if (reg->source & HWEVENT_REGISTER_DMA)
			reg->event.data = data;
		/* Windows: the ISR's WdfInterruptQueueDpcForIsr(). */
		hwevent_bh_kick(reg->hfile);
	}
}

/*
 * The hard handler (Windows: EvtInterruptIsr): acknowledge what the device
 * raised and hand what it fired to the bottom half.
 */
static irqreturn_t hwevent_edu_isr(int irq, void *data)
{
	struct hwevent_edu *edu = data;
	u64 now = ktime_get_ns();
	irqreturn_t ret = IRQ_NONE;
	unsigned long flags;
	u32 status, word;

	spin_lock_irqsave(&hwevent_edu_lock, flags);
	/* Removed: never touch it again; the interrupt is freed next. */
	if (edu->gone)
		goto out;
	status = readl(edu->mmio + EDU_IRQ_STATUS);
	/* Not ours (INTx may be shared), or a device gone reads all ones. */
	if (!status || status == ~0U)
		goto out;
	/* First: a raise after this interrupts again. */
	writel(status, edu->mmio + EDU_IRQ_ACK);
	ret = IRQ_HANDLED;
	hwevent_edu_irqs++;
	trace_hwevent_edu_irq(status);

	if (status & EDU_IRQ_EVENT)
		hwevent_edu_hand_off(&edu->raised, HWEVENT_DEV_FIRED, now, 0);
	if ((status & EDU_IRQ_DMA) && edu->dma_running) {
		/* The device wrote the word before it raised the interrupt. */
		dma_rmb();
		word = READ_ONCE(edu->buf[EDU_RESULT]);
		hwevent_edu_transfers++;
		edu->dma_running = false;
		hwevent_edu_hand_off(&edu->dma_busy, HWEVENT_DEV_FIRED, now,
				     word);
		if (!list_empty(&edu->dma_wait) && !edu->suspended)
			hwevent_edu_dma_start(edu);
	}
	if (!(status & (EDU_IRQ_EVENT | EDU_IRQ_DMA)))
		hwevent_edu_spurious++;
out:
	spin_unlock_irqrestore(&hwevent_edu_lock, flags);
	return ret;
}

/*
 * The bottom half, under hwevent_file.lock: fire what the device's
 * interrupt handed over, stamped when the handler ran; end what the
 * device's removal handed over.
 */
void hwevent_edu_collect(struct hwevent_file *hfile)
{
	struct hwevent_reg *reg, *tmp;
	u32 flags;

	lockdep_assert_held(&hfile->lock);
	spin_lock(&hwevent_edu_lock);
	list_for_each_entry_safe(reg, tmp, &hfile->dev_fired, dev_node) {
		/* Its PENDING caller is stopped: hwevent_edu_call_resumed(). */
		if (reg->owner)
			continue;
		list_del_init(&reg->dev_node);
		/* Ended meanwhile: its ender forgets it. */
		if (reg->state == HWEVENT_ARMED) {
			/* Raised by a trigger, the record says so. */
			flags = reg->event.flags & HWEVENT_EVENT_TRIGGERED;
			if (reg->dev_state == HWEVENT_DEV_GONE)
				flags |= HWEVENT_EVENT_DEVICE_GONE;
			else if (reg->source & HWEVENT_REGISTER_DMA)
				flags |= HWEVENT_EVENT_DEVICE | HWEVENT_EVENT_DMA;
			else
				flags |= HWEVENT_EVENT_DEVICE;
			hwevent_reg_fire_at(hfile, reg, flags, reg->dev_irq_ns);
		}
		reg->dev_state = HWEVENT_DEV_NONE;
	}
	spin_unlock(&hwevent_edu_lock);
}

/*
 * A stopped PENDING caller's call resumed @reg, under hwevent_file.lock:
 * if the device fired it (or went away) meanwhile, the bottom half
 * finishes it now.
 */
void hwevent_edu_call_resumed(struct hwevent_file *hfile,
			      struct hwevent_reg *reg)
{
	lockdep_assert_held(&hfile->lock);
	spin_lock(&hwevent_edu_lock);
	if (reg->dev_state == HWEVENT_DEV_FIRED ||
	    reg->dev_state == HWEVENT_DEV_GONE)
		hwevent_bh_kick(hfile);
	spin_unlock(&hwevent_edu_lock);
}

/* @reg is being freed: off every list of the device's. */
void hwevent_edu_forget(struct hwevent_reg *reg)
{
	unsigned long flags;

	spin_lock_irqsave(&hwevent_edu_lock, flags);
	list_del_init(&reg->dev_node);
	reg->dev_state = HWEVENT_DEV_NONE;
	spin_unlock_irqrestore(&hwevent_edu_lock, flags);
}

/* Lines of debugfs hwevent/stats. */
void hwevent_edu_stats_show(struct seq_file *m)
{
	struct hwevent_edu *edu;
	unsigned int live = 0;
	struct hwevent_reg *reg;
	u64 c[8];

	spin_lock_irq(&hwevent_edu_lock);
	edu = hwevent_edu;
	if (edu) {
		list_for_each_entry(reg, &edu->armed, dev_node)
			live++;
		list_for_each_entry(reg, &edu->raised, dev_node)
			live++;
		list_for_each_entry(reg, &edu->dma_wait, dev_node)
			live++;
		list_for_each_entry(reg, &edu->dma_busy, dev_node)
			live++;
		list_for_each_entry(reg, &edu->deferred, dev_node)
			live++;
	}
	c[0] = hwevent_edu_binds;
	c[1] = hwevent_edu_irqs;
	c[2] = hwevent_edu_spurious;
	c[3] = hwevent_edu_transfers;
	c[4] = hwevent_edu_removals;
	c[5] = hwevent_edu_suspends;
	c[6] = hwevent_edu_resumes;
	c[7] = hwevent_edu_deferred;
	spin_unlock_irq(&hwevent_edu_lock);

	seq_printf(m, "edu_bound %d\n", !!edu);
	seq_printf(m, "edu_live %u\n", live);
	seq_printf(m, "edu_binds %llu\n", c[0]);
	seq_printf(m, "edu_irqs %llu\n", c[1]);
	seq_printf(m, "edu_spurious %llu\n", c[2]);
	seq_printf(m, "edu_transfers %llu\n", c[3]);
	seq_printf(m, "edu_removals %llu\n", c[4]);
	seq_printf(m, "edu_suspends %llu\n", c[5]);
	seq_printf(m, "edu_resumes %llu\n", c[6]);
	seq_printf(m, "edu_deferred %llu\n", c[7]);
}

/* Load the device's memory with our words, by its DMA engine, polled. */
static int hwevent_edu_load(struct hwevent_edu *edu)
{
	u32 k, cmd;

	for (k = 0; k < EDU_WORDS; k++)
		edu->buf[k] = hwevent_edu_word(k);
	writel(lower_32_bits(edu->buf_dma), edu->mmio + EDU_DMA_SRC);
	writel(EDU_DMA_BUF, edu->mmio + EDU_DMA_DST);
	writel(EDU_WORDS * sizeof(u32), edu->mmio + EDU_DMA_COUNT);
	writel(EDU_DMA_RUN, edu->mmio + EDU_DMA_CMD);
	return readl_poll_timeout(edu->mmio + EDU_DMA_CMD, cmd,
				  !(cmd & EDU_DMA_RUN), USEC_PER_MSEC,
				  EDU_DMA_TIMEOUT_US);
}

/*
 * Windows: EvtDevicePrepareHardware and WdfInterruptCreate(). Managed
 * (pcim_, dmam_) resources are undone by the driver core after remove, or
 * at once if probe fails; the interrupt is ours to free (remove).
 */
static int hwevent_edu_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct hwevent_edu *edu;
	u32 ident, alive;
	int ret;

	spin_lock_irq(&hwevent_edu_lock);
	ret = hwevent_edu_claimed ? -EBUSY : 0;
	hwevent_edu_claimed = true;
	spin_unlock_irq(&hwevent_edu_lock);
	if (ret) {
		dev_info(dev, "another edu is bound; one at a time\n");
		return ret;
	}

	edu = devm_kzalloc(dev, sizeof(*edu), GFP_KERNEL);
	if (!edu) {
		ret = -ENOMEM;
		goto out_unclaim;
	}
	edu->pdev = pdev;
	INIT_LIST_HEAD(&edu->armed);
	INIT_LIST_HEAD(&edu->raised);
	INIT_LIST_HEAD(&edu->dma_wait);
	INIT_LIST_HEAD(&edu->dma_busy);
	INIT_LIST_HEAD(&edu->deferred);

	ret = pcim_enable_device(pdev);
	if (ret)
		goto out_unclaim;
	/* Windows: MmMapIoSpace() of the CmResourceTypeMemory resource. */
	ret = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (ret)
		goto out_unclaim;
	edu->mmio = pcim_iomap_table(pdev)[0];

	/* The registers answer as edu's do, or we leave it alone. */
	ident = readl(edu->mmio + EDU_ID);
	if ((ident & 0xff) != EDU_ID_MAGIC) {
		dev_err(dev, "identification %#x is not edu's\n", ident);
		ret = -ENODEV;
		goto out_unclaim;
	}
	writel(0x1234abcd, edu->mmio + EDU_LIVENESS);
	alive = readl(edu->mmio + EDU_LIVENESS);
	if (alive != ~0x1234abcdU) {
		dev_err(dev, "liveness check read %#x\n", alive);
		ret = -EIO;
		goto out_unclaim;
	}

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		goto out_unclaim;
	/* Windows: WdfCommonBufferCreate(). */
	edu->buf = dmam_alloc_coherent(dev, EDU_BUF_BYTES, &edu->buf_dma,
				       GFP_KERNEL);
	if (!edu->buf) {
		ret = -ENOMEM;
		goto out_unclaim;
	}
	pci_set_master(pdev);
	ret = hwevent_edu_load(edu);
	if (ret) {
		dev_err(dev, "DMA to the device did not finish\n");
		goto out_master;
	}

	/* MSI where it can be had, else INTx: the line the BIOS gave. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, READ_ONCE(test_edu_intx) ?
				    PCI_IRQ_INTX : PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto out_master;
	edu->irq = pci_irq_vector(pdev, 0);
	/* Shared: an INTx line may be. */
	ret = request_irq(edu->irq, hwevent_edu_isr, IRQF_SHARED,
			  "hwevent-edu", edu);
	if (ret)
		goto out_vectors;

	pci_set_drvdata(pdev, edu);
	spin_lock_irq(&hwevent_edu_lock);
	hwevent_edu = edu;
	hwevent_edu_binds++;
	spin_unlock_irq(&hwevent_edu_lock);
	dev_info(dev, "edu %u.%u, %s interrupt %d\n", ident >> 24,
		 (ident >> 16) & 0xff, pdev->msi_enabled ? "MSI" : "INTx",
		 edu->irq);
	return 0;

out_vectors:
	pci_free_irq_vectors(pdev);
out_master:
	pci_clear_master(pdev);
out_unclaim:
	spin_lock_irq(&hwevent_edu_lock);
	hwevent_edu_claimed = false;
	spin_unlock_irq(&hwevent_edu_lock);
	return ret;
}

/*
 * The device goes: unbound, removed through sysfs or pulled out (Windows:
 * IRP_MN_SURPRISE_REMOVAL, then EvtDeviceReleaseHardware). It may be gone
 * already, so nothing here reads it: registrations on it end with ENODEV
 * through their bottom half, new ones are refused, and the interrupt is
 * freed before the driver core unmaps the BAR.
 */
static void hwevent_edu_remove(struct pci_dev *pdev)
{
	struct hwevent_edu *edu = pci_get_drvdata(pdev);
	u64 now = ktime_get_ns();

	/* The bottom halves kicked run at local_bh_enable(), not later. */
	local_bh_disable();
	spin_lock_irq(&hwevent_edu_lock);
	edu->gone = true;
	hwevent_edu = NULL;
	hwevent_edu_hand_off(&edu->armed, HWEVENT_DEV_GONE, now, 0);
	hwevent_edu_hand_off(&edu->raised, HWEVENT_DEV_GONE, now, 0);
	hwevent_edu_hand_off(&edu->dma_wait, HWEVENT_DEV_GONE, now, 0);
	hwevent_edu_hand_off(&edu->dma_busy, HWEVENT_DEV_GONE, now, 0);
	hwevent_edu_hand_off(&edu->deferred, HWEVENT_DEV_GONE, now, 0);
	hwevent_edu_removals++;
	spin_unlock_irq(&hwevent_edu_lock);
	local_bh_enable();

	/* Waits for a handler running on another CPU. */
	free_irq(edu->irq, edu);
	pci_free_irq_vectors(pdev);
	/* A transfer in flight never lands in the buffer freed next. */
	pci_clear_master(pdev);

	spin_lock_irq(&hwevent_edu_lock);
	hwevent_edu_claimed = false;
	spin_unlock_irq(&hwevent_edu_lock);
	dev_info(&pdev->dev, "removed\n");
}

/*
 * System sleep (Windows: EvtDeviceD0Exit as the device leaves D0,
 * EvtDeviceD0Entry when it is back). The PCI core saves and restores the
 * config space and the MSI around these (pci_save_state()); ours is the
 * device's work: none starts while it sleeps (what comes due waits on
 * @deferred), a transfer in flight ends first, and after, its memory is
 * loaded again, as a device that lost power would need, and what waited
 * is raised.
 */
static int hwevent_edu_pm_suspend(struct device *dev)
{
	struct hwevent_edu *edu = dev_get_drvdata(dev);
	u32 cmd;

	spin_lock_irq(&hwevent_edu_lock);
	edu->suspended = true;
	hwevent_edu_suspends++;
	spin_unlock_irq(&hwevent_edu_lock);
	/* Its end's interrupt still comes, before or at resume. */
	return readl_poll_timeout(edu->mmio + EDU_DMA_CMD, cmd,
				  !(cmd & EDU_DMA_RUN), USEC_PER_MSEC,
				  EDU_DMA_TIMEOUT_US);
}

static int hwevent_edu_pm_resume(struct device *dev)
{
	struct hwevent_edu *edu = dev_get_drvdata(dev);
	struct hwevent_reg *reg, *tmp;
	bool raise = false;
	int ret;

	ret = hwevent_edu_load(edu);
	if (ret)
		dev_err(dev, "DMA to the device did not finish after resume\n");

	spin_lock_irq(&hwevent_edu_lock);
	edu->suspended = false;
	hwevent_edu_resumes++;
	list_for_each_entry_safe(reg, tmp, &edu->deferred, dev_node) {
		if (reg->source & HWEVENT_REGISTER_DMA) {
			list_move_tail(&reg->dev_node, &edu->dma_wait);
		} else {
			list_move_tail(&reg->dev_node, &edu->raised);
			raise = true;
		}
	}
	if (raise)
		writel(EDU_IRQ_EVENT, edu->mmio + EDU_IRQ_RAISE);
	if (!list_empty(&edu->dma_wait) && !edu->dma_running)
		hwevent_edu_dma_start(edu);
	spin_unlock_irq(&hwevent_edu_lock);
	return ret;
}

static DEFINE_SIMPLE_DEV_PM_OPS(hwevent_edu_pm, hwevent_edu_pm_suspend,
				hwevent_edu_pm_resume);

static const struct pci_device_id hwevent_edu_ids[] = {
	{ PCI_DEVICE(HWEVENT_EDU_VENDOR, HWEVENT_EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, hwevent_edu_ids);

static struct pci_driver hwevent_edu_driver = {
	.name		= "hwevent",
	.id_table	= hwevent_edu_ids,
	.probe		= hwevent_edu_probe,
	.remove		= hwevent_edu_remove,
	.driver.pm	= pm_sleep_ptr(&hwevent_edu_pm),
};

int hwevent_edu_init(void)
{
	return pci_register_driver(&hwevent_edu_driver);
}

void hwevent_edu_exit(void)
{
	pci_unregister_driver(&hwevent_edu_driver);
}
