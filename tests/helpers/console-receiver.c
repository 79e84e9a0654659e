/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console-receiver - a --console-socket receiver for the tests.
 *
 *   console-receiver [-n NAMEFILE] [-i INPUT] [-d DELAY_MS] [-t SECONDS] [-r] SOCKET
 *
 * Listens on the unix socket SOCKET, accepts one connection and receives a
 * pty master with SCM_RIGHTS (runc's console-socket protocol: the data of
 * the message is the pty name).  Writes the name to NAMEFILE, then:
 *  - default: after DELAY_MS (default 300) writes INPUT (C escapes \n \r
 *    \t \004 understood) to the master, and copies everything the master
 *    yields to stdout until the pty closes (EIO) or SECONDS (default 10)
 *    pass;
 *  - -r: relays its own stdin to the master and the master to stdout.
 * Exit status 0 when a master was received, 1 otherwise.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void unescape(char *s)
{
	char *o = s;
	while (*s) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': *o++ = '\n'; s++; break;
		case 'r': *o++ = '\r'; s++; break;
		case 't': *o++ = '\t'; s++; break;
		case '0': case '1': case '2': case '3': {
			int v = 0, k = 0;
			while (k < 3 && *s >= '0' && *s <= '7') {
				v = v * 8 + (*s++ - '0');
				k++;
			}
			*o++ = (char)v;
			break;
		}
		default: *o++ = *s++;
		}
	}
	*o = '\0';
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_all(int fd, const char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *namefile = NULL;
	char *input = NULL;
	int delay_ms = 300, seconds = 10, relay = 0, opt;
	while ((opt = getopt(argc, argv, "n:i:d:t:r")) != -1) {
		switch (opt) {
		case 'n': namefile = optarg; break;
		case 'i': input = optarg; break;
		case 'd': delay_ms = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		case 'r': relay = 1; break;
		default:
			fprintf(stderr, "usage: %s [-n NAMEFILE] [-i INPUT] [-d MS] [-t S] [-r] SOCKET\n", argv[0]);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "console-receiver: SOCKET missing\n");
		return 2;
	}
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", argv[optind]);
	unlink(addr.sun_path);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(ls, 1) < 0) {
		perror("console-receiver: listen");
		return 1;
	}
	int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0) {
		perror("console-receiver: accept");
		return 1;
	}
	char name[256];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
	struct cmsghdr *cm = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (cm == NULL || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "console-receiver: no fd received\n");
		return 1;
	}
	name[n] = '\0';
	int master;
	memcpy(&master, CMSG_DATA(cm), sizeof(int));
	close(c);
	close(ls);
	unlink(addr.sun_path);
	if (namefile != NULL) {
		FILE *f = fopen(namefile, "w");
		if (f) {
			fprintf(f, "%s\n", name);
			fclose(f);
		}
	}
	long long deadline = now_ms() + (long long)seconds * 1000;
	long long input_at = now_ms() + delay_ms;
	if (input)
		unescape(input);
	char buf[4096];
	int in_open = relay;
	for (;;) {
		if (input && !relay && now_ms() >= input_at) {
			write_all(master, input, strlen(input));
			input = NULL;
		}
		long long left = deadline - now_ms();
		if (left <= 0)
			break;
		int wait = (int)left;
		if (input && !relay && input_at - now_ms() < wait)
			wait = (int)(input_at - now_ms()) < 0 ? 0 : (int)(input_at - now_ms());
		struct pollfd pf[2] = { { .fd = master, .events = POLLIN }, { .fd = 0, .events = POLLIN } };
		int r = poll(pf, in_open ? 2 : 1, wait);
		if (r < 0 && errno != EINTR)
			break;
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t got = read(master, buf, sizeof(buf));
			if (got <= 0)
				break; /* EIO: the last slave fd is closed */
			write_all(1, buf, (size_t)got);
		}
		if (in_open && (pf[1].revents & (POLLIN | POLLHUP))) {
			ssize_t got = read(0, buf, sizeof(buf));
			if (got <= 0)
				in_open = 0;
			else
				write_all(master, buf, (size_t)got);
		}
	}
	return 0;
}
