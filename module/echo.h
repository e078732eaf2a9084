/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwevent - /dev/hwecho, the KMDF echo sample (echo.c), a second misc
 * device of the module
 */
#ifndef _HWEVENT_ECHO_H
#define _HWEVENT_ECHO_H

struct seq_file;

/**
 * enum hwecho_dir - the two kinds of request, as the trace events name them
 * @HWECHO_DIR_READ: read(2), and each open file's read reservation
 * @HWECHO_DIR_WRITE: write(2), and the write reservation
 * @HWECHO_NR_DIRS: number of directions
 */
enum hwecho_dir {
	HWECHO_DIR_READ,
	HWECHO_DIR_WRITE,
	HWECHO_NR_DIRS
};

/**
 * enum hwecho_end - why a request left the queue without completing
 * @HWECHO_END_SIGNAL: a signal reached its blocking caller first
 * @HWECHO_END_RELEASE: its file, a reservation's, was released
 * @HWECHO_END_EXPIRED: a completed reservation no call took within a period
 */
enum hwecho_end {
	HWECHO_END_SIGNAL,
	HWECHO_END_RELEASE,
	HWECHO_END_EXPIRED
};

int hwecho_init(void);
void hwecho_exit(void);
void hwecho_stats_show(struct seq_file *m);

#endif /* _HWEVENT_ECHO_H */
