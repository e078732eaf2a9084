// SPDX-License-Identifier: GPL-2.0
/*
 * common.c - what hwevent, hwecho and hwevent-bench share (common.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#include "common.h"

FILE *info_out;

/* Set by the signal handlers, read by the main loops. */
volatile sig_atomic_t stop_signal;
volatile sig_atomic_t continued;

/* ---- Signals ---- */

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void on_sigcont(int sig)
{
	(void)sig;
	continued = 1;
}

/*
 * Windows: Ctrl-C killed the program outright and the I/O manager
 * cancelled its requests. Here the stop signals set stop_signal, so that
 * the program leaves cleanly: the terminal mode restored, what it has in
 * flight cancelled, a module it loaded unloaded. No SA_RESTART: a call
 * waiting for the driver (an ioctl, a read or a write) must return EINTR,
 * the driver dropping the request, rather than be restarted.
 *
 * With @sigcont, SIGCONT sets continued: after Ctrl-Z and fg the shell
 * may have reset the terminal mode (input_continued()). SIGPIPE is
 * ignored: `prog ... | head -3` sees EPIPE and cleans up, not just dies.
 */
int install_signal_handlers(bool sigcont)
{
	static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	for (i = 0; i < ARRAY_SIZE(stop_sigs); i++)
		if (sigaction(stop_sigs[i], &sa, NULL) < 0)
			return -1;
	if (sigcont) {
		sa.sa_handler = on_sigcont;
		if (sigaction(SIGCONT, &sa, NULL) < 0)
			return -1;
	}
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/*
 * Block the stop signals and SIGCONT but while waiting on a ring, as
 * ppoll() does: one that lands just before a wait is not missed.
 * *@saved: the mask to restore at exit; *@wait_mask: the mask to wait
 * with, which lets them in. 0, or -1 after saying why.
 */
int block_stop_signals(sigset_t *saved, sigset_t *wait_mask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCONT };
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, saved) < 0) {
		fprintf(stderr, "%s: sigprocmask: %s\n", prog_name,
			strerror(errno));
		return -1;
	}
	*wait_mask = *saved;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigdelset(wait_mask, sigs[i]);
	return 0;
}

/*
 * Let in the stop signals that are pending, so their handlers run now:
 * io_uring_wait_cqes() returns at once when a completion is already
 * there, without the wait that would let them in, so a program whose
 * completions never stop coming would never see Ctrl-C. True if one was.
 */
bool take_pending_signals(const sigset_t *wait_mask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCONT };
	sigset_t pending, blocked;
	bool any = false;
	size_t i;

	if (sigpending(&pending) < 0)
		return false;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		any |= sigismember(&pending, sigs[i]) == 1;
	if (any) {
		sigprocmask(SIG_SETMASK, wait_mask, &blocked);
		sigprocmask(SIG_SETMASK, &blocked, NULL);
	}
	return any;
}

const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

/* ---- Time and options ---- */

uint64_t now_ns(void)
{
	struct timespec ts;

	/* The clock the driver stamps its records with (ktime_get()). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/*
 * A whole number in base 10 or 16, digits only: strtoull() alone would
 * take leading blanks, a sign ("-1" as a huge number) or a second "0x".
 */
int parse_digits(const char *s, int base, unsigned long long *v)
{
	const char *digits = base == 16 ? "0123456789abcdefABCDEF" :
					  "0123456789";

	if (*s == '\0' || s[strspn(s, digits)] != '\0')
		return -1;
	errno = 0;
	*v = strtoull(s, NULL, base);
	return errno == ERANGE ? -1 : 0;
}

/* -n COUNT: a whole number, at least 1. 0, or -1 after saying why. */
int parse_count_option(const char *s, unsigned long long *count)
{
	if (parse_digits(s, 10, count) < 0) {
		fprintf(stderr,
			"%s: count '%s' is not a positive whole number\n",
			prog_name, s);
		return -1;
	}
	if (*count == 0) {
		fprintf(stderr, "%s: count must be at least 1\n", prog_name);
		return -1;
	}
	return 0;
}

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

/* ---- Errors opening a device or setting up a ring ---- */

/*
 * Opening @dev failed with @err: say why, and what to do. @node: the
 * device's name in /dev, for the udev rule suggested. Windows: event.exe
 * printed ERROR_FILE_NOT_FOUND always.
 */
void report_open_error(const char *dev, int err, const char *node)
{
	switch (err) {
	case EACCES:
	case EPERM:
		fprintf(stderr,
			"%s: cannot open %s: %s: the node is mode 0600 (root only) by default; run as root, or add a udev rule such as KERNEL==\"%s\", GROUP=\"<group>\", MODE=\"0660\"\n",
			prog_name, dev, strerror(err), node);
		break;
	case ENXIO:
	case ENODEV:
		fprintf(stderr,
			"%s: cannot open %s: %s: no driver behind the node (stale node, or the module is not loaded)\n",
			prog_name, dev, strerror(err));
		break;
	case EINTR:
		fprintf(stderr, "%s: interrupted while waiting for %s\n",
			prog_name, dev);
		break;
	default:
		fprintf(stderr, "%s: cannot open %s: %s\n", prog_name, dev,
			strerror(err));
		break;
	}
}

/*
 * Setting up an io_uring ring failed with @err in @call: say why.
 * @einval_hint: what EINVAL means for this program's ring, or NULL.
 */
void report_uring_setup_error(const char *call, int err,
			      const char *einval_hint)
{
	const char *hint;

	switch (err) {
	case EINVAL:
		hint = einval_hint;
		break;
	case ENOSYS:
		hint = "this kernel has no io_uring (CONFIG_IO_URING)";
		break;
	case EPERM:
		hint = "io_uring is disabled (sysctl kernel.io_uring_disabled) or filtered (seccomp)";
		break;
	case ENOMEM:
		hint = "out of memory, or of locked memory for the ring (ulimit -l)";
		break;
	default:
		hint = NULL;
		break;
	}
	fprintf(stderr, "%s: %s: %s%s%s\n", prog_name, call, strerror(err),
		hint ? ": " : "", hint ? hint : "");
}

/* ---- Watching stdin for Enter or q ---- */

static bool in_foreground(void)
{
	return tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* Windows: _kbhit(); here a terminal without line buffering or echo. */
static void tty_make_raw(struct input *in)
{
	struct termios t;

	if (!in->raw && tcgetattr(STDIN_FILENO, &in->saved) < 0)
		return;		/* still works, with Enter after the key */
	t = in->saved;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
		in->raw = true;
}

/* At exit: the terminal mode as we found it. */
void tty_restore(struct input *in)
{
	sigset_t ttou, old;

	if (!in->raw)
		return;
	/* If we were sent to the background, don't get stopped for this. */
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &old);
	tcsetattr(STDIN_FILENO, TCSANOW, &in->saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
	in->raw = false;
}

/*
 * Decide whether to watch stdin: a terminal only while we are in the
 * foreground (a background read would stop us with SIGTTIN), a pipe or a
 * socket until it reaches EOF.
 */
void input_refresh(struct input *in)
{
	in->watch = false;
	if (!in->usable)
		return;
	if (in->tty) {
		if (!in_foreground())
			return;
		tty_make_raw(in);
	}
	in->watch = true;
}

/*
 * Watch a terminal, a pipe or a socket. Not /dev/null or other devices
 * (CI runs us with </dev/null; /dev/zero would be readable forever), and
 * not regular files, which are no way to press a key.
 */
void input_setup(struct input *in)
{
	struct stat sb;

	memset(in, 0, sizeof(*in));
	if (fstat(STDIN_FILENO, &sb) < 0)
		return;
	in->tty = isatty(STDIN_FILENO);
	in->usable = in->tty || S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode);
	input_refresh(in);
}

/* After SIGCONT (Ctrl-Z, fg): decide again, and set the terminal again. */
void input_continued(struct input *in)
{
	if (continued) {
		continued = 0;
		input_refresh(in);
	}
}

/* Read what is there; true if it holds Enter or q. */
static bool input_read_quit(struct input *in)
{
	char buf[256];
	ssize_t n, i;

	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0) {
		/*
		 * EOF or an error (a hung-up terminal): stop watching but go
		 * on, so `hwevent 0.5 0 -n 3 </dev/null` runs its 3 events.
		 */
		in->usable = false;
		in->watch = false;
		return false;
	}
	for (i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == 'q' ||
		    buf[i] == 'Q')
			return true;
	return false;
}

/*
 * Handle poll()'s verdict on stdin (epoll's, or a ring's poll's: the same
 * bits); true if the user asked to quit.
 */
bool input_ready(struct input *in, short revents)
{
	if (revents & POLLNVAL) {
		in->usable = false;
		in->watch = false;
		return false;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		return input_read_quit(in);
	return false;
}

/* Between waits: has a quit key been pressed? Does not block. */
bool input_check(struct input *in)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	if (!in->watch || poll(&p, 1, 0) <= 0)
		return false;
	return input_ready(in, p.revents);
}

/*
 * On a ring (Windows: event.exe's _kbhit(); here one more completion):
 * queue a poll of stdin, with user_data @tag, if we watch it and none is
 * in flight. The caller submits it.
 */
void input_poll_on_ring(struct input *in, struct io_uring *ring,
			uint64_t tag)
{
	struct io_uring_sqe *sqe;

	if (!in->watch || in->polled)
		return;
	sqe = io_uring_get_sqe(ring);
	if (sqe) {
		io_uring_prep_poll_add(sqe, STDIN_FILENO, POLLIN);
		io_uring_sqe_set_data64(sqe, tag);
		in->polled = true;
	}
}

/* The ring's poll of stdin completed with @res: true if it asks to quit. */
bool input_poll_done(struct input *in, int res)
{
	in->polled = false;
	if (res < 0) {
		/* Not pollable after all: go on without the keys. */
		in->usable = false;
		in->watch = false;
		return false;
	}
	/* Sent to the background meanwhile: a read would stop us. */
	return in->watch && input_ready(in, (short)res);
}

/* ---- At exit ---- */

/*
 * Flush stdout. @out_errno: why an earlier write to it failed, or 0.
 * Return 0 if all was written, or the reader has seen enough (a closed
 * pipe, EPIPE), which is no error; else -1 after saying why.
 */
static int flush_output(int out_errno)
{
	errno = 0;
	if ((fflush(stdout) == EOF || ferror(stdout)) && !out_errno)
		out_errno = errno ? errno : EIO;
	if (out_errno && out_errno != EPIPE) {
		fprintf(stderr, "%s: writing output: %s\n", prog_name,
			strerror(out_errno));
		return -1;
	}
	return 0;
}

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
