/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * terminal.c - the container's pty and the console socket.  See terminal.h.
 */
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
/* open_tree(2) / move_mount(2) (linux/mount.h values; glibc headers clash) */
#define STRATA_OPEN_TREE_CLONE 1
#define STRATA_AT_RECURSIVE 0x8000
#define STRATA_MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define STRATA_MOVE_MOUNT_T_EMPTY_PATH 0x00000040

int terminal_send_fd(int sock, int fd, const char *name, strata_error_t *err)
{
	const char *data = (name != NULL && *name) ? name : "console";
	struct iovec iov = { .iov_base = (void *)data, .iov_len = strlen(data) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return strata_error_errno(err, errno, "send the fd over the console socket");
	return 0;
}

int terminal_recv_fd(int sock, int *fd, char *name, size_t name_size, strata_error_t *err)
{
	char data[4096];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) - 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return strata_error_errno(err, errno, "receive the fd from the console socket");
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return strata_error_set(err, EBADMSG, "the console socket message carried no fd");
	memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (name != NULL && name_size > 0) {
		size_t len = (size_t)n < name_size - 1 ? (size_t)n : name_size - 1;
		memcpy(name, data, len);
		name[len] = '\0';
	}
	return 0;
}

int terminal_attach_socketpair(int pair[2], strata_error_t *err)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return strata_error_errno(err, errno, "socketpair for the console");
	return 0;
}

/*
 * Bind-mount the pty slave onto /dev/console.  Security: /dev/console is
 * resolved under "/" (already the container's root) with no symlinks at all,
 * and the mount goes through the resolved fd, so a rootfs whose
 * /dev/console points elsewhere (the 2025 runc CVE class) cannot redirect it.
 */
static int console_bind(int slave, strata_error_t *err)
{
	_cleanup_close_ int dev = -1;
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	dev = (int)syscall(SYS_openat2, AT_FDCWD, "/dev", &how, sizeof(how));
	if (dev < 0)
		return strata_error_errno(err, errno, "open `/dev` for /dev/console");
	struct stat st;
	if (fstatat(dev, "console", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return strata_error_errno(err, errno, "stat `/dev/console`");
		_cleanup_close_ int f = openat(dev, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (f < 0) {
			/* A read-only /dev without a console: nothing to bind onto. */
			if (errno == EROFS)
				return 0;
			return strata_error_errno(err, errno, "create `/dev/console`");
		}
	} else if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		return strata_error_set(err, EINVAL, "`/dev/console` is not a regular file or a character device");
	}
	struct open_how chow = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
				 .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	_cleanup_close_ int target = (int)syscall(SYS_openat2, dev, "console", &chow, sizeof(chow));
	if (target < 0)
		return strata_error_errno(err, errno, "open `/dev/console`");
	_cleanup_close_ int tree = (int)syscall(SYS_open_tree, slave, "", STRATA_OPEN_TREE_CLONE | AT_EMPTY_PATH | O_CLOEXEC);
	if (tree < 0)
		return strata_error_errno(err, errno, "open_tree of the pty slave");
	if (syscall(SYS_move_mount, tree, "", target, "",
		    STRATA_MOVE_MOUNT_F_EMPTY_PATH | STRATA_MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return strata_error_errno(err, errno, "bind the pty slave onto `/dev/console`");
	return 0;
}

int terminal_setup(const struct oci_process *p, int console_socket_fd, strata_error_t *err)
{
	if (!p->terminal)
		return 0;
	if (console_socket_fd < 0)
		return strata_error_set(err, EINVAL, "process.terminal is true but there is no console socket");

	/* The container's own devpts instance, not the host's /dev/ptmx. */
	_cleanup_close_ int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 && errno == ENOENT)
		master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return strata_error_errno(err, errno, "open `/dev/pts/ptmx`");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return strata_error_errno(err, errno, "unlockpt");
	unsigned int ptn = 0;
	if (ioctl(master, TIOCGPTN, &ptn) < 0)
		return strata_error_errno(err, errno, "TIOCGPTN");
	char name[64];
	snprintf(name, sizeof(name), "/dev/pts/%u", ptn);
	/* TIOCGPTPEER opens the slave of this very master, without a path
	 * lookup that a process in the container could race. */
	_cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return strata_error_errno(err, errno, "open the pty slave `%s`", name);
	if (p->console_size != NULL) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_size->height,
				      .ws_col = (unsigned short)p->console_size->width };
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return strata_error_errno(err, errno, "TIOCSWINSZ %ux%u", p->console_size->height,
						  p->console_size->width);
	}
	if (terminal_send_fd(console_socket_fd, master, name, err) < 0)
		return -1;
	close(steal_fd(&master));

	if (setsid() < 0 && getsid(0) != getpid())
		return strata_error_errno(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return strata_error_errno(err, errno, "TIOCSCTTY `%s`", name);
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return strata_error_errno(err, errno, "dup2 the pty onto fd %d", fd);
	if (console_bind(slave, err) < 0)
		return -1;
	return 0;
}

/* ---- the `run` relay ---- */

static void copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0 && (ws.ws_row || ws.ws_col))
		ioctl(to, TIOCSWINSZ, &ws);
}

int terminal_run_attach(int sock, pid_t pid, strata_error_t *err)
{
	_cleanup_close_ int master = -1;
	char name[256];
	if (terminal_recv_fd(sock, &master, name, sizeof(name), err) < 0)
		return -1;

	bool in_tty = isatty(0);
	struct termios saved;
	bool restore = false;
	if (in_tty && tcgetattr(0, &saved) == 0) {
		struct termios raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(0, TCSANOW, &raw) == 0)
			restore = true;
		copy_winsize(0, master);
	}

	sigset_t winch, oldmask;
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &winch, &oldmask);
	_cleanup_close_ int sfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	int rc = 0;
	bool in_open = true, out_open = true, exited = false;
	char buf[8192];
	while (out_open) {
		struct pollfd pf[4];
		nfds_t n = 0;
		int i_master = -1, i_in = -1, i_sig = -1, i_pid = -1;
		pf[n] = (struct pollfd){ .fd = master, .events = POLLIN };
		i_master = (int)n++;
		if (in_open) {
			pf[n] = (struct pollfd){ .fd = 0, .events = POLLIN };
			i_in = (int)n++;
		}
		if (sfd >= 0) {
			pf[n] = (struct pollfd){ .fd = sfd, .events = POLLIN };
			i_sig = (int)n++;
		}
		if (pidfd >= 0 && !exited) {
			pf[n] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
			i_pid = (int)n++;
		}
		/* After the process exited, drain what the master still holds. */
		int r = poll(pf, n, exited ? 100 : -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = strata_error_errno(err, errno, "poll the console");
			break;
		}
		if (r == 0 && exited)
			break;
		if (pf[i_master].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t got = read(master, buf, sizeof(buf));
			if (got > 0) {
				if (write_all(1, buf, (size_t)got) < 0)
					out_open = false;
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				out_open = false; /* EIO: every slave fd is closed */
			}
		}
		if (i_in >= 0 && (pf[i_in].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t got = read(0, buf, sizeof(buf));
			if (got > 0) {
				if (write_all(master, buf, (size_t)got) < 0)
					in_open = false;
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				in_open = false;
				/* EOF from a non-tty stdin: send the pty's EOF character. */
				struct termios t;
				if (tcgetattr(master, &t) == 0) {
					char eof = (char)t.c_cc[VEOF];
					(void)!write(master, &eof, 1);
				}
			}
		}
		if (i_sig >= 0 && (pf[i_sig].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			if (in_tty)
				copy_winsize(0, master);
		}
		if (i_pid >= 0 && (pf[i_pid].revents & POLLIN))
			exited = true;
	}

	if (restore)
		tcsetattr(0, TCSANOW, &saved);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	return rc;
}
