// SPDX-License-Identifier: GPL-2.0
/*
 * module.c - loading the module when a program's device is missing and it
 * runs as root, and unloading it at exit: event.exe's install.c
 * (module.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "module.h"

/* ---- Loading and unloading the module: event.exe's install.c ---- */

/*
 * Where to look for the module, in this order: --module PATH; hwevent.ko
 * next to this program, then ../module/hwevent.ko from it (a build tree);
 * then `modprobe hwevent`, which finds the module an installed system has
 * (hwevent-dkms puts it in /lib/modules/<kernel>/updates/dkms/), with the
 * options of /etc/modprobe.d. modprobe by absolute path: we run as root,
 * and PATH is the caller's.
 */
static const char * const modprobe_paths[] = {
	"/sbin/modprobe", "/usr/sbin/modprobe",
};

/* The module is loaded (or built in): it has a directory in sysfs. */
bool module_present(void)
{
	return access("/sys/module/" MODULE_NAME, F_OK) == 0;
}

/*
 * Open the module file: @module (--module), else next to us, else
 * ../module/. Returns the fd, or -1: *absent is then true when no file
 * was found and no --module given (modprobe is next), false after an
 * error said so. @dir receives this program's directory, for messages.
 */
static int open_module_file(const char *module, char *path, size_t len,
			    char *dir, size_t dirlen, bool *absent)
{
	char exe[PATH_MAX], *slash;
	static const char * const where[] = {
		"/" MODULE_FILE, "/../module/" MODULE_FILE,
	};
	ssize_t n;
	size_t i;
	int fd;

	*absent = false;
	snprintf(dir, dirlen, "(unknown)");
	if (module) {
		snprintf(path, len, "%s", module);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fprintf(stderr, "%s: cannot open module %s: %s\n",
				prog_name, path, strerror(errno));
		return fd;
	}

	/* Windows: event.exe looked in the current directory; we use ours. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		fprintf(stderr, "%s: cannot find this program's directory (/proc/self/exe: %s); trying modprobe\n",
			prog_name, strerror(errno));
		*absent = true;
		return -1;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(dir, dirlen, "%s", exe);

	for (i = 0; i < ARRAY_SIZE(where); i++) {
		if (snprintf(path, len, "%s%s", exe, where[i]) >= (int)len)
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			/* Say module/hwevent.ko, not user/../module/. */
			if (realpath(path, exe))
				snprintf(path, len, "%s", exe);
			return fd;
		}
		if (errno != ENOENT) {
			fprintf(stderr, "%s: cannot open module %s: %s\n",
				prog_name, path, strerror(errno));
			return -1;
		}
	}
	*absent = true;
	return -1;
}

static const char *finit_module_hint(int err)
{
	switch (err) {
	case EPERM:
		return "needs CAP_SYS_MODULE; module loading may be disabled (kernel.modules_disabled) or the kernel locked down against unsigned modules";
	case ENOSYS:
		return "this kernel was built without module support";
	case ENOEXEC:
		return "not a kernel module, or one for another architecture";
	case EINVAL:
		return "the module does not match this kernel (built against other headers?); see dmesg";
	case ENOENT:
		return "the module needs a symbol this kernel does not export; see dmesg";
	case EKEYREJECTED:
	case EBADMSG:
	case ENOKEY:
		return "the kernel rejected the module's signature";
	case EBUSY:
		return "the module is being loaded or unloaded right now; try again";
	default:
		return "see dmesg";
	}
}

/* Load the module file open on @fd (closed here). */
static int load_module_file(int fd, const char *path, bool *loaded)
{
	int err;

	/* Windows: CreateService() + StartService(); here finit_module(2). */
	if (syscall(SYS_finit_module, fd, "", 0) < 0) {
		err = errno;
		close(fd);
		if (err == EEXIST) {
			fprintf(info_out, "%s: module " MODULE_NAME " is already loaded; leaving it loaded at exit\n",
				prog_name);
			return 0;
		}
		fprintf(stderr, "%s: cannot load %s: %s: %s\n", prog_name,
			path, strerror(err), finit_module_hint(err));
		return -1;
	}
	close(fd);
	*loaded = true;
	fprintf(info_out, "%s: loaded %s; it will be unloaded at exit\n",
		prog_name, path);
	return 0;
}

/*
 * No module file beside us: `modprobe hwevent`, as a user of an installed
 * system would type. Its messages go to our stderr (its stdout too, so
 * that --json's stdout holds results only). We unload at exit only what
 * this run loaded: the module was not in /sys/module before and is after.
 */
static int load_module_modprobe(const char *dir, bool *loaded)
{
	const char *modprobe = NULL;
	int status;
	size_t i;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(modprobe_paths) && !modprobe; i++)
		if (access(modprobe_paths[i], X_OK) == 0)
			modprobe = modprobe_paths[i];
	if (!modprobe) {
		fprintf(stderr,
			"%s: cannot load module " MODULE_NAME ": " MODULE_FILE " is not in %s/ or %s/../module/, and there is no /sbin/modprobe or /usr/sbin/modprobe to find an installed one (install kmod); pass --module PATH\n",
			prog_name, dir, dir);
		return -1;
	}

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: cannot run %s: fork: %s\n", prog_name,
			modprobe, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* exec keeps an ignored signal ignored: give it back. */
		signal(SIGPIPE, SIG_DFL);
		if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execl(modprobe, modprobe, MODULE_NAME, (char *)NULL);
		fprintf(stderr, "%s: cannot run %s: %s\n", prog_name, modprobe,
			strerror(errno));
		_exit(127);
	}
	/* A Ctrl-C reaches modprobe too; wait for it all the same. */
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "%s: waiting for %s: %s\n", prog_name,
				modprobe, strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char how[64];

		if (WIFEXITED(status))
			snprintf(how, sizeof(how), "exit status %d",
				 WEXITSTATUS(status));
		else
			snprintf(how, sizeof(how), "killed by signal %d",
				 WTERMSIG(status));
		fprintf(stderr,
			"%s: cannot load module " MODULE_NAME ": `%s " MODULE_NAME "` failed (%s, see above), and there is no " MODULE_FILE " in %s/ or %s/../module/. Install the module for this kernel (package hwevent-dkms; `dkms status hwevent` shows what it built), build it (make), or pass --module PATH\n",
			prog_name, modprobe, how, dir, dir);
		return -1;
	}
	if (!module_present()) {
		fprintf(stderr,
			"%s: warning: `%s " MODULE_NAME "` succeeded but /sys/module/" MODULE_NAME " does not exist (sysfs not mounted? an install command in modprobe.d?); not unloading it at exit\n",
			prog_name, modprobe);
		return 0;
	}
	*loaded = true;
	fprintf(info_out,
		"%s: loaded module " MODULE_NAME " with `%s " MODULE_NAME "`; it will be unloaded at exit\n",
		prog_name, modprobe);
	return 0;
}

/*
 * Load the module: @module (--module PATH), or NULL to look beside this
 * program, then to run modprobe. *@loaded is set if this run loaded it:
 * only that is unloaded at exit (unload_module()). Return 0 if the module
 * is now loaded (by us or before us), else -1 after saying why.
 */
int load_module(const char *module, bool *loaded)
{
	char path[PATH_MAX], dir[PATH_MAX];
	bool absent;
	int fd;

	if (module_present()) {
		fprintf(info_out, "%s: module " MODULE_NAME " is already loaded; leaving it loaded at exit\n",
			prog_name);
		return 0;
	}
	fd = open_module_file(module, path, sizeof(path), dir, sizeof(dir),
			      &absent);
	if (fd >= 0)
		return load_module_file(fd, path, loaded);
	if (!absent)
		return -1;
	return load_module_modprobe(dir, loaded);
}

/* Return 0, or -1 if the module could not be unloaded (said why). */
int unload_module(void)
{
	/*
	 * Windows: ControlService(SERVICE_CONTROL_STOP) + DeleteService();
	 * here delete_module(2). O_NONBLOCK: fail rather than wait if
	 * another process still has the device open.
	 */
	if (syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK) < 0) {
		switch (errno) {
		case ENOENT:
			/* Someone ran rmmod under us; the goal is met. */
			return 0;
		case EWOULDBLOCK:
		case EBUSY:
			fprintf(stderr,
				"%s: cannot unload " MODULE_NAME ": still in use (another process has the device open); unload it later with: rmmod " MODULE_NAME "\n",
				prog_name);
			return -1;
		default:
			fprintf(stderr, "%s: cannot unload " MODULE_NAME ": %s\n",
				prog_name, strerror(errno));
			return -1;
		}
	}
	fprintf(info_out, "%s: unloaded module " MODULE_NAME "\n", prog_name);
	return 0;
}
