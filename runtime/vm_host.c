/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_host.c - the VMM process of the vm level (see vm_host.h).
 *
 * Threads: the main thread (this file's loop: agent frames, signals, the
 * start gate), one thread blocked in open(exec.fifo, O_WRONLY) until `start`
 * opens it for reading (native.h's gate scheme, so container_status() and
 * native_start() work unchanged), and the VMM's vCPU threads.
 */
#include "vm_host.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "../kvm-shim/agent_protocol.h"
#include "../kvm-shim/boot.h"
#include "../kvm-shim/vcpu.h"
#include "../kvm-shim/virtio_9p.h"
#include "../kvm-shim/virtio_console.h"
#include "../kvm-shim/vm.h"
#include "native/native.h"
#include "vm_exec_server.h"

#define KERNEL_CACHE_GLOB "/var/cache/strata/kernel/*/vmlinux"
#define KERNEL_ANNOTATION "io.strata.vm.kernel"
#define PVM_KERNEL_ANNOTATION "io.strata.vm.pvm-kernel"
#define READY_TIMEOUT_ANNOTATION "io.strata.vm.ready-timeout"
#define AGENT_INITRD "agent-initrd.cpio.gz"
#define GUEST_CMDLINE "console=ttyS0 quiet reboot=t panic=-1"

/* The guest kernel image: $STRATA_VM_KERNEL, the annotation, else the cache. */
static char *find_kernel(const struct oci_config *config, strata_error_t *err)
{
	const char *p = getenv("STRATA_VM_KERNEL");
	if (p == NULL || *p == '\0')
		p = oci_string_map_get(&config->annotations, KERNEL_ANNOTATION);
	if (p != NULL && *p != '\0') {
		char *s = strdup(p);
		if (s == NULL)
			strata_error_errno(err, ENOMEM, "kernel path");
		return s;
	}
	glob_t g;
	if (glob(KERNEL_CACHE_GLOB, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		globfree(&g);
		strata_error_set(err, ENOENT,
				 "no guest kernel: none in %s (run kvm-shim/kernel/build-kernel.sh), set $STRATA_VM_KERNEL "
				 "or the annotation %s",
				 KERNEL_CACHE_GLOB, KERNEL_ANNOTATION);
		return NULL;
	}
	char *s = strdup(g.gl_pathv[g.gl_pathc - 1]);
	globfree(&g);
	if (s == NULL)
		strata_error_errno(err, ENOMEM, "kernel path");
	return s;
}

/* Whether the user vouches the guest kernel is PVM-enabled: $STRATA_VM_PVM_KERNEL
 * or the annotation, "true" or "1". */
static bool pvm_kernel_vouched(const struct oci_config *config)
{
	const char *p = getenv("STRATA_VM_PVM_KERNEL");
	if (p == NULL || *p == '\0')
		p = oci_string_map_get(&config->annotations, PVM_KERNEL_ANNOTATION);
	return p != NULL && (strcmp(p, "true") == 0 || strcmp(p, "1") == 0);
}

/* Seconds to wait for the agent: $STRATA_VM_READY_TIMEOUT, the annotation,
 * else VM_HOST_READY_TIMEOUT_S; 1..3600, anything else is an error. */
static int ready_timeout_s(const struct oci_config *config, strata_error_t *err)
{
	const char *p = getenv("STRATA_VM_READY_TIMEOUT");
	const char *what = "$STRATA_VM_READY_TIMEOUT";
	if (p == NULL || *p == '\0') {
		p = oci_string_map_get(&config->annotations, READY_TIMEOUT_ANNOTATION);
		what = "annotation " READY_TIMEOUT_ANNOTATION;
	}
	if (p == NULL || *p == '\0')
		return VM_HOST_READY_TIMEOUT_S;
	char *end = NULL;
	errno = 0;
	long v = strtol(p, &end, 10);
	if (errno != 0 || end == p || *end != '\0' || v < 1 || v > 3600)
		return strata_error_set(err, EINVAL, "%s: expected whole seconds from 1 to 3600, got `%s`", what, p);
	return (int)v;
}

/* The directory of the strata binary the user ran.  /proc/self/exe is the
 * sealed memfd copy (runtime/native/cloned_binary.h) after the re-exec, so
 * use argv[0] from /proc/self/cmdline (fexecve keeps argv), resolved
 * against the cwd or $PATH; /proc/self/exe when that is a real file. */
static char *self_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if (exe[0] == '/' && strncmp(exe, "/memfd:", 7) != 0 && access(exe, X_OK) == 0)
			return strdup(dirname(exe));
	}
	_cleanup_free_ char *cmd = NULL;
	size_t len = 0;
	_cleanup_error_ strata_error_t e = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/cmdline", &cmd, &len, &e) < 0 || len == 0)
		return NULL;
	const char *a0 = cmd;
	char *real = NULL;
	if (strchr(a0, '/') != NULL) {
		real = realpath(a0, NULL);
	} else {
		const char *path = getenv("PATH");
		_cleanup_free_ char *copy = strdup(path != NULL ? path : "/usr/local/bin:/usr/bin:/bin");
		char *save = NULL;
		for (char *d = copy != NULL ? strtok_r(copy, ":", &save) : NULL; d != NULL && real == NULL;
		     d = strtok_r(NULL, ":", &save)) {
			char cand[PATH_MAX];
			snprintf(cand, sizeof(cand), "%s/%s", d, a0);
			if (access(cand, X_OK) == 0)
				real = realpath(cand, NULL);
		}
	}
	if (real == NULL)
		return NULL;
	char *d = strdup(dirname(real));
	free(real);
	return d;
}

/* The agent initrd: $STRATA_VM_INITRD, DIR/../libexec/strata/, DIR/guest/. */
static char *find_initrd(strata_error_t *err)
{
	const char *env = getenv("STRATA_VM_INITRD");
	if (env != NULL && *env != '\0') {
		char *s = strdup(env);
		if (s == NULL)
			strata_error_errno(err, ENOMEM, "initrd path");
		return s;
	}
	_cleanup_free_ char *dir = self_dir();
	if (dir != NULL) {
		const char *fmt[] = { "%s/../libexec/strata/" AGENT_INITRD, "%s/guest/" AGENT_INITRD };
		for (size_t i = 0; i < 2; i++) {
			char *cand = NULL;
			if (asprintf(&cand, fmt[i], dir) < 0)
				break;
			if (access(cand, R_OK) == 0)
				return cand;
			free(cand);
		}
	}
	strata_error_set(err, ENOENT,
			 "the guest agent initrd (%s) is not next to strata (%s/../libexec/strata or %s/guest): run "
			 "`make guest` or set $STRATA_VM_INITRD",
			 AGENT_INITRD, dir ? dir : "?", dir ? dir : "?");
	return NULL;
}

/* Guest RAM: the memory limit + overhead, or the default + overhead; 2 MiB rounded, capped. */
uint64_t vm_host_guest_mem_bytes(const struct oci_config *config)
{
	uint64_t base = VM_DEFAULT_MEM_BYTES;
	const struct oci_resources *r = config->linux_ != NULL ? config->linux_->resources : NULL;
	if (r != NULL && r->memory != NULL && r->memory->has_limit && r->memory->limit > 0)
		base = (uint64_t)r->memory->limit;
	uint64_t m = base + VM_HOST_MEM_OVERHEAD;
	if (m > VM_MAX_MEM_BYTES)
		m = VM_MAX_MEM_BYTES;
	return (m + (2ULL << 20) - 1) & ~((2ULL << 20) - 1);
}

void vm_host_cgroup_memory(const struct oci_config *config, const struct oci_memory *in, struct oci_memory *out)
{
	*out = *in;
	if (!in->has_limit || in->limit <= 0)
		return;
	uint64_t host = vm_host_guest_mem_bytes(config) + VM_HOST_VMM_OVERHEAD;
	if (host <= (uint64_t)in->limit)
		return;
	int64_t delta = (int64_t)host - in->limit;
	out->limit = (int64_t)host;
	if (in->has_swap && in->swap > 0)
		out->swap = in->swap + delta;
	if (in->has_reservation && in->reservation > out->limit)
		out->reservation = out->limit;
}

/* --- frames to and from the agent --- */

struct rx {
	uint8_t *buf;
	size_t len, cap;
};

/* The channel to the agent: the console device, and the host end of its
 * output with the receive buffer that send_frame() keeps draining. */
struct agent_link {
	struct vm *vm;
	struct virtio_mmio_dev *con;
	struct rx *rx;
	int rx_fd;
};

static int rx_fill(struct rx *r, int fd);

/* Give the guest a whole frame; the receive queue may be full or not yet
 * posted, so retry for up to 10 s.  While waiting, keep reading the guest's
 * output into l->rx: a guest blocked writing output (its vCPU waits on the
 * full socket) would never take input, and both sides would stall until the
 * deadline (exec stdin into a process that echoes it back). */
static int send_frame(struct agent_link *l, uint32_t type, uint32_t id, const void *payload, uint32_t len,
		      strata_error_t *err)
{
	struct vm *vm = l->vm;
	struct virtio_mmio_dev *con = l->con;
	_cleanup_free_ uint8_t *f = malloc(AGENT_FRAME_HEADER_SIZE + (size_t)len);
	if (f == NULL)
		return strata_error_errno(err, ENOMEM, "agent frame");
	agent_frame_header_encode(f, type, id, len);
	if (len > 0)
		memcpy(f + AGENT_FRAME_HEADER_SIZE, payload, len);
	size_t total = AGENT_FRAME_HEADER_SIZE + (size_t)len, off = 0;
	uint64_t deadline = vm_monotonic_ns() + 10000000000ULL;
	while (off < total) {
		size_t n = virtio_console_input(con, f + off, total - off);
		off += n;
		if (n > 0)
			continue;
		if (atomic_load(&vm->stopping) || vm_monotonic_ns() > deadline)
			return strata_error_set(err, EPIPE, "the guest agent does not take input (virtio-console)");
		struct pollfd pf = { l->rx_fd, POLLIN, 0 };
		if (poll(&pf, 1, 1) > 0 && (pf.revents & POLLIN))
			(void)rx_fill(l->rx, l->rx_fd); /* EOF: the main loop sees it too */
	}
	return 0;
}

/* Read what is available on fd into r; -1 on EOF/error. */
static int rx_fill(struct rx *r, int fd)
{
	if (r->cap - r->len < 65536) {
		size_t cap = r->cap ? r->cap * 2 : 131072;
		uint8_t *b = realloc(r->buf, cap);
		if (b == NULL)
			return -1;
		r->buf = b;
		r->cap = cap;
	}
	ssize_t n = read(fd, r->buf + r->len, r->cap - r->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	r->len += (size_t)n;
	return 0;
}

/* Take the next complete frame: 1 (h, payload copied to *p, heap), 0 none yet, -1 bad stream. */
static int rx_next(struct rx *r, struct agent_frame_header *h, uint8_t **p)
{
	if (r->len < AGENT_FRAME_HEADER_SIZE)
		return 0;
	if (agent_frame_header_decode(r->buf, h) < 0)
		return -1;
	size_t total = AGENT_FRAME_HEADER_SIZE + (size_t)h->length;
	if (r->len < total)
		return 0;
	*p = malloc((size_t)h->length + 1);
	if (*p == NULL)
		return -1;
	memcpy(*p, r->buf + AGENT_FRAME_HEADER_SIZE, h->length);
	(*p)[h->length] = '\0';
	memmove(r->buf, r->buf + total, r->len - total);
	r->len -= total;
	return 1;
}

/* --- the start gate --- */

struct gate {
	int dir_fd;
	int notify_fd; /* write end: the opened fifo fd as an int */
};

static void *gate_thread(void *arg)
{
	struct gate *g = arg;
	/* Blocks until `start` opens the FIFO for reading (native.h). */
	int fd = openat(g->dir_fd, NATIVE_EXEC_FIFO, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, "\0", 1) != 1) {
		close(fd);
		fd = -1;
	}
	if (write(g->notify_fd, &fd, sizeof(fd)) != (ssize_t)sizeof(fd) && fd >= 0)
		close(fd);
	return NULL;
}

/* --- the process --- */

static void report(int *status_fd, const char *msg)
{
	if (*status_fd >= 0) {
		(void)!write(*status_fd, msg, strlen(msg));
		close(*status_fd);
		*status_fd = -1;
	}
}

static int enter_netns(const struct oci_config *config, strata_error_t *err)
{
	const struct oci_namespace *ns = oci_config_find_namespace(config, OCI_NS_NETWORK);
	if (ns == NULL)
		return 0;
	if (ns->path == NULL) {
		/* The VMM's own sockets (none yet, vsock/net later) belong to the
		 * container's network, never the host's. */
		if (unshare(CLONE_NEWNET) < 0)
			return strata_error_errno(err, errno, "unshare the network namespace");
		return 0;
	}
	_cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strata_error_errno(err, errno, "open network namespace `%s`", ns->path);
	if (setns(fd, CLONE_NEWNET) < 0)
		return strata_error_errno(err, errno, "join network namespace `%s`", ns->path);
	return 0;
}

/* vm_exec_send_fn over send_frame. */
static int exec_send(void *ctx, uint32_t type, uint32_t id, const void *payload, uint32_t len)
{
	struct agent_link *l = ctx;
	_cleanup_error_ strata_error_t e = NULL;
	if (send_frame(l, type, id, payload, len, &e) < 0) {
		log_warning("exec %u: %s", id, e->msg);
		return -1;
	}
	return 0;
}

enum phase { P_READY, P_CREATED, P_WAIT_START, P_STARTING, P_RUNNING };

int vm_host_main(const struct vm_host_args *a)
{
	int status_fd = a->status_fd;
	char go;
	if (read(a->go_fd, &go, 1) != 1)
		return 1;
	close(a->go_fd);

	strata_error_t err = NULL;
	struct vm *vm = NULL;
	struct virtio_mmio_dev *con = NULL;
	int sv[2] = { -1, -1 }, sfd = -1, gate_pipe[2] = { -1, -1 }, fifo_fd = -1;
	struct rx rx = { 0 };
	struct vm_exec_server *xs = NULL;
	int exit_status = -1;
	char msg[2048];
	_cleanup_free_ char *kernel = NULL, *initrd = NULL;

	sigset_t set;
	sigfillset(&set);
	sigdelset(&set, VCPU_KICK_SIGNAL);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, SIGKILL);
	sigdelset(&set, SIGSTOP);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

	if (sfd < 0) {
		strata_error_errno(&err, errno, "signalfd");
		goto fail;
	}
	if (enter_netns(a->config, &err) < 0)
		goto fail;
	/* Before any thread exists (the server sets the umask around bind) and
	 * before `create` returns, so an exec never finds the socket missing. */
	if (vm_exec_server_open(a->dir_fd, &xs, &err) < 0)
		goto fail;
	if ((kernel = find_kernel(a->config, &err)) == NULL || (initrd = find_initrd(&err)) == NULL)
		goto fail;
	int ready_s = ready_timeout_s(a->config, &err);
	if (ready_s < 0)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(gate_pipe, O_CLOEXEC) < 0) {
		strata_error_errno(&err, errno, "socketpair");
		goto fail;
	}
	int lfd = log_fd();
	/* The guest's kernel log goes to the strata log file, never the container's stdio. */
	/* seccomp: every vCPU thread and the device I/O thread run under their
	 * thread class's filter (kvm-shim/vmm_seccomp.h), installed right before
	 * they first touch the guest. */
	struct vm_config cfg = { .mem_bytes = vm_host_guest_mem_bytes(a->config),
				 .console_fd = lfd > 2 ? lfd : -1,
				 .seccomp = true };
	if (vm_create(&cfg, &vm, &err) < 0 || vm_add_virtio_console(vm, sv[1], &con, &err) < 0 ||
	    vm_add_virtio_9p(vm, "rootfs", a->rootfs, false, &err) < 0)
		goto fail;

	/* Shares: rootfs, then the staging directory that holds every bind
	 * mount's source, files and directories alike (vm_shares.h).  Staged
	 * before vm_start: unshare(CLONE_NEWNS) fails once the vCPU threads
	 * share this process's fs_struct. */
	const char *tags[2], *paths[2];
	uint32_t nshares = 0;
	const char *rp = a->config->root != NULL ? a->config->root->path : "rootfs";
	tags[nshares] = "rootfs";
	paths[nshares++] = rp;
	if (a->binds != NULL && a->binds->len > 0) {
		if (vm_shares_stage(a->binds, &err) < 0 ||
		    vm_add_virtio_9p(vm, VM_SHARES_TAG, a->binds->staging, false, &err) < 0)
			goto fail;
		tags[nshares] = VM_SHARES_TAG;
		paths[nshares++] = VM_SHARES_GUEST_DIR;
	}
	struct vm_kernel k = { .path = kernel, .cmdline = GUEST_CMDLINE, .initrd = initrd };
	/* A PVM-enabled kernel (the user's word for it) runs 64-bit from its
	 * first instruction: no PVH 32-bit entry. */
	bool pvm_vouched = vm_host_is_pvm() && pvm_kernel_vouched(a->config);
	if (pvm_vouched)
		k.flags |= VM_KERNEL_PVM_OK | VM_KERNEL_FORCE_LINUX64;
	if (vm_load_kernel(vm, &k, &err) < 0 || vm_start(vm, &err) < 0)
		goto fail;

	enum phase phase = P_READY;
	uint64_t deadline = vm_monotonic_ns() + (uint64_t)ready_s * 1000000000ULL;
	struct gate gate = { a->dir_fd, gate_pipe[1] };
	struct agent_link link = { vm, con, &rx, sv[0] };
	for (;;) {
		if (atomic_load(&vm->stopping))
			break;
		if ((phase == P_READY || phase == P_CREATED) && vm_monotonic_ns() > deadline) {
			strata_error_set(&err, ETIMEDOUT, "the guest agent did not answer within %d s (%s)%s", ready_s,
					 phase == P_READY ? "READY" : "CREATED",
					 pvm_vouched ? "; this host is PVM and the kernel was given as PVM-enabled "
						       "(" PVM_KERNEL_ANNOTATION "): an ordinary kernel never gets "
						       "this far here"
						     : "");
			goto fail;
		}
		struct pollfd pf[3 + VM_EXEC_POLLFDS_MAX] = { { sv[0], POLLIN, 0 }, { sfd, POLLIN, 0 },
							      { gate_pipe[0], POLLIN, 0 } };
		size_t nx = vm_exec_server_pollfds(xs, pf + 3);
		if (poll(pf, 3 + nx, 100) < 0) {
			if (errno != EINTR) {
				strata_error_errno(&err, errno, "poll");
				goto fail;
			}
			nx = 0;
		}
		vm_exec_server_handle(xs, pf + 3, nx, phase == P_RUNNING, exec_send, &link);
		if (pf[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGCHLD || si.ssi_signo == SIGPIPE)
					continue;
				if (phase == P_READY || phase == P_CREATED)
					goto killed;
				uint8_t b[4];
				agent_put_u32(b, si.ssi_signo);
				_cleanup_error_ strata_error_t se = NULL;
				if (send_frame(&link, AGENT_MSG_SIGNAL, 0, b, 4, &se) < 0)
					log_warning("forward signal %u: %s", si.ssi_signo, se->msg);
			}
		}
		if (pf[2].revents & POLLIN) {
			if (read(gate_pipe[0], &fifo_fd, sizeof(fifo_fd)) != (ssize_t)sizeof(fifo_fd) || fifo_fd < 0) {
				strata_error_set(&err, EIO, "start gate failed");
				goto fail;
			}
			if (send_frame(&link, AGENT_MSG_START, 0, NULL, 0, &err) < 0)
				goto fail;
			phase = P_STARTING;
		}
		if (pf[0].revents & (POLLIN | POLLHUP)) {
			if (rx_fill(&rx, sv[0]) < 0) {
				strata_error_set(&err, EIO, "the guest agent channel closed");
				goto fail;
			}
		}
		struct agent_frame_header h;
		uint8_t *p = NULL;
		int r;
		while ((r = rx_next(&rx, &h, &p)) == 1) {
			_cleanup_free_ uint8_t *payload = p;
			if (vm_exec_server_agent_frame(xs, &h, payload))
				continue;
			switch (h.type) {
			case AGENT_MSG_READY: {
				if (phase != P_READY)
					break;
				size_t need = agent_create_encode(NULL, 0, AGENT_CREATE_POWEROFF_ON_EXIT, nshares, tags, paths,
								  a->config_text, a->config_len);
				_cleanup_free_ uint8_t *cp = need ? malloc(need) : NULL;
				if (cp == NULL ||
				    agent_create_encode(cp, need, AGENT_CREATE_POWEROFF_ON_EXIT, nshares, tags, paths,
							a->config_text, a->config_len) != need) {
					strata_error_set(&err, E2BIG, "config.json and shares do not fit one CREATE frame");
					goto fail;
				}
				if (send_frame(&link, AGENT_MSG_CREATE, 0, cp, (uint32_t)need, &err) < 0)
					goto fail;
				phase = P_CREATED;
				break;
			}
			case AGENT_MSG_CREATED: {
				pthread_t t;
				if (pthread_create(&t, NULL, gate_thread, &gate) != 0) {
					strata_error_set(&err, EAGAIN, "start gate thread");
					goto fail;
				}
				pthread_detach(t);
				report(&status_fd, "OK");
				phase = P_WAIT_START;
				break;
			}
			case AGENT_MSG_STARTED:
				if (h.id == 0 && fifo_fd >= 0) {
					close(fifo_fd);
					fifo_fd = -1;
					phase = P_RUNNING;
				}
				break;
			case AGENT_MSG_STDOUT:
			case AGENT_MSG_STDERR:
				if (h.id == 0 && write_all(h.type == AGENT_MSG_STDOUT ? 1 : 2, payload, h.length) < 0 &&
				    errno != EPIPE)
					log_warning("container output: %s", strerror(errno));
				break;
			case AGENT_MSG_EXIT:
				if (h.id == 0 && h.length >= 4)
					exit_status = (int)(agent_get_u32(payload) & 0xff);
				break;
			case AGENT_MSG_ERROR:
				if (phase == P_STARTING && fifo_fd >= 0) {
					(void)!write(fifo_fd, payload, h.length);
					close(fifo_fd);
					fifo_fd = -1;
					exit_status = 1;
					(void)send_frame(&link, AGENT_MSG_POWEROFF, 0, NULL, 0, NULL);
					break;
				}
				if (phase == P_READY || phase == P_CREATED) {
					strata_error_set(&err, EINVAL, "%s", (char *)payload);
					goto fail;
				}
				log_warning("guest agent: %s", (char *)payload);
				break;
			default:
				break;
			}
		}
		if (r < 0) {
			strata_error_set(&err, EPROTO, "the guest agent sent a malformed frame");
			goto fail;
		}
	}
	/* The guest stopped (after EXIT it powers off). */
	{
		struct vm_exit ex;
		vm_stop(vm, VM_EXIT_STOPPED, &ex);
		if (exit_status < 0) {
			snprintf(msg, sizeof(msg), "the guest stopped before the container exited: %s%s%s",
				 vm_exit_reason_name(ex.reason), ex.detail[0] ? ": " : "", ex.detail);
			if (status_fd >= 0)
				report(&status_fd, msg);
			else
				log_error("%s", msg);
			exit_status = 255;
		}
	}
	vm_exec_server_close(xs);
	vm_destroy(vm);
	free(rx.buf);
	return exit_status;

killed:
	vm_exec_server_close(xs);
	vm_destroy(vm);
	free(rx.buf);
	return 128 + SIGTERM;
fail:
	snprintf(msg, sizeof(msg), "%s", err != NULL ? err->msg : "vm level: failed");
	if (status_fd >= 0)
		report(&status_fd, msg);
	else
		log_error("%s", msg);
	if (fifo_fd >= 0) {
		(void)!write(fifo_fd, msg, strlen(msg));
		close(fifo_fd);
	}
	strata_error_free(&err);
	vm_exec_server_close(xs);
	vm_destroy(vm);
	free(rx.buf);
	return 1;
}
