/* SPDX-License-Identifier: GPL-2.0 */
/* module.h - loading and unloading the module (module.c). */
#ifndef HWEVENT_USER_MODULE_H
#define HWEVENT_USER_MODULE_H

#include <stdbool.h>

/* The module of /dev/hwevent and /dev/hwecho, and its file. */
#define MODULE_NAME	"hwevent"
#define MODULE_FILE	"hwevent.ko"

bool module_present(void);
int load_module(const char *module, bool *loaded);
int unload_module(void);

#endif /* HWEVENT_USER_MODULE_H */
