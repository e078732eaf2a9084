/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hwecho: the KMDF "echo" sample as a Linux character device, /dev/hwecho.
 *
 * The device keeps the data of the last write(2) and hands it back to
 * read(2), to every open file alike. Nothing completes at once: each
 * request, read or write, waits in one device-wide queue, in the order the
 * requests arrived, and only the request at the head of the queue is in
 * the driver (Windows: WdfIoQueueDispatchSequential). A periodic timer,
 * the simulated device, ticks every echo_period_us microseconds while the
 * queue is not empty; its bottom half completes the head once a tick has
 * come after it reached the head. So a request takes at least one tick,
 * and one period on an idle device (its timer stopped: nothing was queued
 * for a period); N requests queued take at least N ticks. A request is
 * never completed by a tick that came before it reached the head.
 *
 * There are no ioctls (%ENOTTY) and no file position: the device is a
 * stream (lseek(2) fails with %ESPIPE, pread(2) and pwrite(2) too).
 *
 * The node is mode 0600 (root only) unless a udev rule says otherwise.
 *
 * Module parameters, in /sys/module/hwevent/parameters/, are checked when
 * written (%EINVAL outside their range) and read at each use:
 *
 *  echo_period_us: the tick period, from %HWECHO_MIN_PERIOD_US to
 *	%HWECHO_MAX_PERIOD_US, default %HWECHO_DEFAULT_PERIOD_US (100 ms, the
 *	sample's first due time). A new period applies from the next tick.
 *  echo_max_write: the largest write, in bytes, from 0 to
 *	%HWECHO_MAX_WRITE_LIMIT, default %HWECHO_DEFAULT_MAX_WRITE (the
 *	sample's MAX_WRITE_LENGTH).
 *  bottom_half: as for /dev/hwevent, the kind of bottom half of each open
 *	file, read when the file is opened.
 */
#ifndef _UAPI_LINUX_HWECHO_H
#define _UAPI_LINUX_HWECHO_H

/* echo_max_write: the sample's MAX_WRITE_LENGTH, 40 KiB. */
#define HWECHO_DEFAULT_MAX_WRITE	40960
/* The most echo_max_write may be set to: 16 MiB. */
#define HWECHO_MAX_WRITE_LIMIT		(16 * 1024 * 1024)

/* echo_period_us: the default, 100 ms, and its bounds, 100 us and 10 s. */
#define HWECHO_DEFAULT_PERIOD_US	100000
#define HWECHO_MIN_PERIOD_US		100
#define HWECHO_MAX_PERIOD_US		10000000

/**
 * DOC: write(2)
 *
 * A write of up to echo_max_write bytes (0 included) is queued; when it
 * completes, its data replaces the device's data, whole, and the call
 * returns the byte count: a write is never partial. The data is copied
 * from the caller's buffer when the call starts (Windows: EvtIoWrite),
 * so the buffer may change as soon as the call has returned or, for
 * %O_NONBLOCK, as soon as the call that completes it has returned.
 *
 * Errors: %EMSGSIZE if the count is above echo_max_write (at once, nothing
 * queued or stored; Windows: STATUS_BUFFER_OVERFLOW); %EFAULT if the
 * buffer cannot be read (at once, nothing queued); %ENOMEM; %EAGAIN for a
 * non-blocking call (below); %EINTR, or a restart, if interrupted (below).
 */

/**
 * DOC: read(2)
 *
 * A read is queued like a write. When it completes it returns the first
 * min(count, data length) bytes of the device's data, which stays: reads
 * do not consume it, and every reader sees the same bytes until the next
 * write. With nothing written since the module was loaded, or after a
 * zero-length write, a read returns 0 (which is not end of file here:
 * the next write brings data). If the buffer cannot be written, the read
 * returns the bytes written before the fault, or %EFAULT if none were;
 * the request is over all the same.
 */

/**
 * DOC: Blocking calls and signals
 *
 * Without %O_NONBLOCK, a call sleeps until its request completes (a
 * freeze leaves it asleep). A signal that arrives before the request
 * completed takes the request out of the queue, with nothing transferred
 * and nothing stored: the call fails with %EINTR if a handler runs, or is
 * restarted by the kernel, at the back of the queue, if the handler has
 * %SA_RESTART or no handler runs (a stop and continue). A signal that
 * arrives once the request has completed is not seen: the call returns
 * its count. Several threads may block on one file; each has its own
 * place in the queue.
 */

/**
 * DOC: Non-blocking calls and poll(2)
 *
 * With %O_NONBLOCK, or for a call that must not block (preadv2(2)'s
 * %RWF_NOWAIT, io_uring's first attempt), each open file has one
 * reservation per direction instead of a sleeping caller: the first
 * non-blocking read (write) of a file queues the file's read (write)
 * reservation and fails with %EAGAIN; poll(2), select(2) and epoll(7)
 * report %EPOLLIN (%EPOLLOUT) once the read (write) reservation has
 * completed, and the next read (write) of the file, blocking or not,
 * takes it: it does the transfer then, as a blocking call does when it
 * completes, and returns its count. A call that finds its direction's
 * reservation still queued fails with %EAGAIN again, changing nothing. A
 * non-blocking write is checked against echo_max_write first (%EMSGSIZE);
 * one that cannot allocate its buffer without sleeping fails with %EAGAIN
 * and leaves the reservation for the next call.
 *
 * A completed reservation that no call takes expires one period later
 * (at the next tick a period or more after it completed): it leaves the
 * queue, and the next request moves to the head. Within that period any
 * read (write) of the same file takes it, whichever call queued it: so
 * threads that share a file share its reservations, and one that polls
 * after its %EAGAIN may find its reservation taken by another and wait
 * for the next; poll with a timeout, or give each thread its own file.
 * An expired reservation lapses: poll(2) reports %EPOLLIN (%EPOLLOUT) for
 * it, as for a completed one, until a non-blocking read (write) of the
 * file queues it again (and fails with %EAGAIN). So a caller that polls
 * only after its reservation expired, as a slow one may with a short
 * period, calls again instead of waiting for ever.
 *
 * poll(2) reports nothing else: a file that never tried non-blocking I/O
 * never polls readable or writable, whatever the data, and blocking calls
 * never show in poll(2).
 *
 * io_uring: IORING_OP_READ and IORING_OP_WRITE on /dev/hwecho try without
 * blocking, get %EAGAIN, wait for the poll event, and retry, which takes
 * the reservation: no thread sleeps in the driver, and no io-wq worker is
 * used. IORING_OP_ASYNC_CANCEL (or closing the ring) cancels such a
 * request with %ECANCELED (Windows: CancelIoEx()); its reservation stays
 * queued and, once completed, expires unless another call of the file
 * takes it. Its file is not released while io_uring holds the request.
 * Keep one read and one write in flight per open file: more share the
 * file's reservations, each completion wakes them all, and each wake-up
 * that finds nothing costs a request one of io_uring's poll retries; once
 * they run out io_uring gives it to an io-wq worker, which blocks. On an
 * %O_NONBLOCK file io_uring returns %EAGAIN instead of polling.
 */

/**
 * DOC: Release
 *
 * The last close of a file takes its reservations out of the queue. A
 * blocking call holds its file, so no file is released while a blocking
 * call sleeps on it: closing its descriptor in another thread does not
 * end the call (as for any file on Linux; the call completes or is
 * interrupted as usual).
 */

#endif /* _UAPI_LINUX_HWECHO_H */
