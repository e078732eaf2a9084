/* SPDX-License-Identifier: GPL-2.0 */
/* exit.h - what every program does at exit (exit.c). */
#ifndef HWEVENT_USER_EXIT_H
#define HWEVENT_USER_EXIT_H

#include <stdbool.h>

int exit_cleanup(int fd, bool loaded_module, int out_errno);

#endif /* HWEVENT_USER_EXIT_H */
