// SPDX-License-Identifier: GPL-2.0
/* sysfs.c - the module's parameters, debugfs, /proc and /sys. */
#include <string.h>

#include "bench/bench.h"

/* ------------------------------------------------------------------ */
/* Module parameters, debugfs, /proc and /sys. */

/* A number from the first line of @path, or -1. */
long long read_ll(const char *path)
{
	long long val = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/* 0 or the errno of writing @val to @path. */
int write_ll(const char *path, long long val)
{
	FILE *f = fopen(path, "we");
	int err = 0;

	if (!f)
		return errno;
	if (fprintf(f, "%lld\n", val) < 0)
		err = errno ? errno : EIO;
	if (fclose(f) && !err)
		err = errno ? errno : EIO;
	return err;
}

/* The value of "@name N" in @path (debugfs stats), or -1. */
/* The first word of a file into @buf, "" if it cannot be read. */
void read_word(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	buf[strcspn(buf, " \t\n")] = '\0';
	fclose(f);
}

long long read_named(const char *path, const char *name)
{
	long long val, found = -1;
	char key[64];
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", key, &val) == 2)
		if (!strcmp(key, name))
			found = val;
	fclose(f);
	return found;
}

/* Slab: in /proc/meminfo, in kB, or -1. */
long long meminfo_slab_kb(void)
{
	long long kb = -1;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}
