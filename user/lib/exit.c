// SPDX-License-Identifier: GPL-2.0
/* exit.c - what every program does at exit (exit.h). */
#include <unistd.h>

#include "common.h"
#include "exit.h"
#include "module.h"
#include "output.h"

/*
 * At exit: close the device (@fd, if open), then unload the module if
 * this run loaded it (an open file pins the module), then flush stdout
 * (@out_errno: see flush_output()). 0, or -1 if any of it failed.
 */
int exit_cleanup(int fd, bool loaded_module, int out_errno)
{
	int ret = 0;

	if (fd >= 0)
		close(fd);
	if (loaded_module && unload_module() < 0)
		ret = -1;
	if (flush_output(out_errno) < 0)
		ret = -1;
	return ret;
}
