/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify-listener - a seccomp user-notification agent for the tests.
 *
 *   notify-listener [-e ERRNO] [-t SECONDS] SOCKET STATEFILE
 *
 * Listens on SOCKET (linux.seccomp.listenerPath), receives the listener fd
 * and the runtime-spec containerProcessState JSON (SCM_RIGHTS; the fd list
 * names it "seccompFd") and writes the JSON to STATEFILE.  Then answers
 * every notification with -ERRNO (default 1, EPERM) and prints
 * "notified nr=N" for each, until the filter goes away or SECONDS pass.
 * Source: seccomp_unotify(2), runtime-spec config-linux.md#seccomp.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int err_ret = 1, seconds = 15, opt;
	while ((opt = getopt(argc, argv, "e:t:")) != -1) {
		if (opt == 'e')
			err_ret = atoi(optarg);
		else if (opt == 't')
			seconds = atoi(optarg);
		else
			return 2;
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "usage: notify-listener [-e ERRNO] [-t S] SOCKET STATEFILE\n");
		return 2;
	}
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[optind]);
	unlink(addr.sun_path);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(ls, 1) < 0) {
		perror("notify-listener: listen");
		return 1;
	}
	struct pollfd lp = { .fd = ls, .events = POLLIN };
	if (poll(&lp, 1, seconds * 1000) <= 0) {
		fprintf(stderr, "notify-listener: nobody connected\n");
		return 1;
	}
	int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	static char data[65536];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n = c >= 0 ? recvmsg(c, &msg, MSG_CMSG_CLOEXEC) : -1;
	struct cmsghdr *cm = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (cm == NULL || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "notify-listener: no fd received\n");
		return 1;
	}
	data[n] = '\0';
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	FILE *f = fopen(argv[optind + 1], "w");
	if (f) {
		fprintf(f, "%s\n", data);
		fclose(f);
	}
	printf("received listener fd\n");
	fflush(stdout);
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int r = poll(&pf, 1, seconds * 1000);
		if (r <= 0 || (pf.revents & (POLLHUP | POLLERR)))
			break;
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			break;
		}
		printf("notified nr=%d\n", req.data.nr);
		fflush(stdout);
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.error = -err_ret;
		ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
	return 0;
}
