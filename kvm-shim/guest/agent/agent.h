/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * agent.h - the guest agent of the vm level: PID 1 of the guest, speaks
 * kvm-shim/agent_protocol.h to the host over a virtio-console port and runs
 * the container with the native runtime code of the tree (the strata CLI
 * linked into the same static binary: `create`, `start`, `exec`, `delete`).
 *
 * Files: agent_main.c (entry, event loop), agent_boot.c (PID 1 duties:
 * mounts, root switch, power off), agent_channel.c (frames on the port),
 * agent_cli.c (running the strata CLI), agent_container.c (the container
 * and its processes), agent_stdio.c (stdin/stdout/stderr relay).
 * Source: design.md §5-6, issue 8; runtime-spec runtime.md#lifecycle.
 */
#ifndef STRATA_KVM_SHIM_GUEST_AGENT_H
#define STRATA_KVM_SHIM_GUEST_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../../common/error.h"
#include "../../agent_protocol.h"

/* Guest paths the agent owns (on the tmpfs /run). */
#define AGENT_RUN_DIR "/run/strata-agent"
#define AGENT_BUNDLE_DIR AGENT_RUN_DIR "/bundle"
#define AGENT_STATE_ROOT "/run/strata"
#define AGENT_CONTAINER_ID "container"
#define AGENT_DEFAULT_PORT "/dev/hvc0"

/* Processes the agent relays: the init (id 0) and EXEC processes. */
#define AGENT_PROCS_MAX 32

struct agent_proc {
	bool used;
	uint32_t id;       /* protocol id: 0 = init, k = EXEC k */
	pid_t wait_pid;    /* the pid the agent reaps: the init, or the `strata exec` child */
	pid_t pid;         /* the process in the container (what SIGNAL targets); 0 until known */
	int out_fd, err_fd; /* read ends of its stdout/stderr pipes, -1 when closed */
	int in_fd;         /* write end of its stdin pipe (AGENT_CREATE_STDIN), -1 if none */
	uint8_t *in_buf;   /* STDIN bytes not yet written (in_len of them) */
	size_t in_len;
	bool in_eof;       /* close in_fd once in_buf is written */
	bool reaped;
	int status;        /* exit status (0-255, 128+signal) once reaped */
};

/* Byte stream of the host port with a receive buffer for partial frames. */
struct agent_channel {
	int fd;
	uint8_t *buf;      /* received bytes not yet consumed */
	size_t len, cap;
	size_t consumed;   /* bytes of buf already handed out as frames */
};

struct agent {
	struct agent_channel ch;
	int sigfd;                 /* signalfd for SIGCHLD */
	bool have_container, started;
	uint32_t flags;            /* AGENT_CREATE_* of the current container */
	unsigned n_mounts;         /* shares mounted for the current container */
	char *mounts[AGENT_SHARES_MAX];
	struct agent_proc procs[AGENT_PROCS_MAX];
};

/* ---- agent_boot.c ---- */

/*
 * agent_boot - PID 1 setup: devtmpfs on /dev, stdio on /dev/console, move a
 * fresh tmpfs over the initramfs root (pivot_root(2) refuses the initramfs
 * "rootfs" mount, and the runtime pivots into the container's root), then
 * proc, sysfs, cgroup2 on /sys/fs/cgroup, tmpfs on /tmp and /run.
 * Errors: the failing mount's errno, with the target.
 */
int agent_boot(strata_error_t *err);

/* agent_log - one line "strata-agent: ..." on the guest console (the VMM's
 * UART, i.e. the strata log), never on the protocol port. */
void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* agent_power_off - kill every process, sync, and reboot the guest (with
 * `reboot=t` the guest triple-faults and the VMM stops; qemu -no-reboot
 * exits).  Drains the port first so the last frames reach the host.  Never
 * returns.  Source: reboot(2). */
void agent_power_off(int port_fd) __attribute__((noreturn));

/*
 * agent_port_path - the protocol port from the kernel command line
 * (`strata.agent_port=PATH`, /proc/cmdline) or AGENT_DEFAULT_PORT.  Returns
 * heap memory owned by the caller, or NULL on allocation failure.
 */
char *agent_port_path(void);

/* ---- agent_channel.c ---- */

/*
 * agent_channel_open - open the port at `path` (waiting up to timeout_ms
 * milliseconds for the device node to appear), switch a tty to raw mode (no
 * echo, no line editing, no CR/NL translation: the stream carries binary
 * frames).  Errors: the open/tcsetattr errno.
 */
int agent_channel_open(struct agent_channel *ch, const char *path, int timeout_ms, strata_error_t *err);

/* agent_send - write one frame (type, id, payload of len bytes) to the port.
 * Returns 0, or -1 with errno set (the host is gone). */
int agent_send(struct agent_channel *ch, uint32_t type, uint32_t id, const void *payload, size_t len);

/* agent_send_u32 - a frame whose payload is one little-endian u32. */
int agent_send_u32(struct agent_channel *ch, uint32_t type, uint32_t id, uint32_t v);

/* agent_send_error - an ERROR frame with formatted text (truncated to 4 KiB). */
int agent_send_error(struct agent_channel *ch, uint32_t id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * agent_channel_fill - read what the port has into the receive buffer.
 * Returns the number of bytes read (> 0), 0 at end of stream, -1 on error
 * (errno set; EAGAIN/EINTR are not errors: they return -1 with errno kept).
 */
ssize_t agent_channel_fill(struct agent_channel *ch);

/*
 * agent_channel_next - take the next complete frame from the receive buffer.
 * Returns 1 with *h and *payload (valid until the next agent_channel_fill; h->length
 * bytes) set, 0 when no complete frame is buffered, -1 when the header is
 * corrupt (length over AGENT_FRAME_MAX_PAYLOAD: the stream is lost).
 */
int agent_channel_next(struct agent_channel *ch, struct agent_frame_header *h, const uint8_t **payload);

/* ---- agent_cli.c ---- */

/* agent_status_code - a wait(2) status as a shell reports it: 0-255, or
 * 128+N for death by signal N. */
int agent_status_code(int wstatus);

/*
 * agent_cli_spawn - start the agent's own binary (/proc/self/exe) as the
 * strata CLI: `strata --root AGENT_STATE_ROOT --log LOG ARGS...` (args
 * NULL-terminated, at most 16), stdio on in/out/errfd, every other fd
 * closed, signal mask cleared.  LOG is removed first, so it holds only this
 * command's messages.  Returns the child's pid, or -1 (errno set by fork).
 */
pid_t agent_cli_spawn(const char *log, const char *const *args, int in, int out, int errfd);

/* agent_cli_wait - wait for a CLI child; returns agent_status_code of it. */
int agent_cli_wait(pid_t pid);

/* agent_cli_log_tail - the message of the last line of a CLI log (the
 * runtime's error) into buf (n bytes, NUL-terminated). */
void agent_cli_log_tail(const char *log, char *buf, size_t n);

/*
 * agent_cli_run - run one CLI command to completion, stdin /dev/null,
 * stdout/stderr on the console, log AGENT_RUN_DIR/NAME.log.  Returns its exit
 * status; when not 0, errbuf (errlen bytes) holds the runtime's message.
 */
int agent_cli_run(const char *name, const char *const *args, char *errbuf, size_t errlen);

/* agent_read_pid_file - the pid in a runtime pid file; 0 when absent. */
pid_t agent_read_pid_file(const char *path);

/* ---- agent_container.c ---- */

/* agent_proc_find - the relayed process with protocol id `id`, or NULL. */
struct agent_proc *agent_proc_find(struct agent *a, uint32_t id);

/* agent_handle_create - CREATE: mount the shares, write config.json, run
 * `strata create`; answers CREATED or ERROR on the port. */
void agent_handle_create(struct agent *a, const uint8_t *payload, size_t len);

/* agent_handle_start - START: `strata start`; answers STARTED or ERROR. */
void agent_handle_start(struct agent *a);

/* agent_handle_exec - EXEC k (EXEC_STDIN k when with_stdin: the process's
 * stdin is a pipe fed by STDIN(k), else /dev/null): `strata exec --process`
 * in the background; answers STARTED(k) (or ERROR(k) then EXIT(k)). */
void agent_handle_exec(struct agent *a, uint32_t id, const uint8_t *payload, size_t len, bool with_stdin);

/* agent_handle_signal - SIGNAL: kill(2) process `id` with the signal. */
void agent_handle_signal(struct agent *a, uint32_t id, const uint8_t *payload, size_t len);

/*
 * agent_reap - reap every exited child (waitpid WNOHANG); for each relayed
 * process: drain its pipes, send EXIT; after the init: delete the container,
 * unmount its shares, and power off when the CREATE asked for it.
 */
void agent_reap(struct agent *a);

/* agent_kill_all - SIGKILL the container's init and exec processes (POWEROFF). */
void agent_kill_all(struct agent *a);

/* ---- agent_stdio.c ---- */

/* agent_handle_stdin - STDIN: queue bytes for process id's stdin (empty: EOF). */
void agent_handle_stdin(struct agent *a, uint32_t id, const uint8_t *payload, size_t len);

/* agent_flush_stdin - write queued STDIN bytes to a process whose stdin pipe
 * poll(2) found writable; closes it after the last byte once EOF was asked. */
void agent_flush_stdin(struct agent_proc *p);

/* agent_relay_output - read one process pipe that poll(2) found readable
 * and forward the bytes as STDOUT/STDERR frames; closes it at EOF. */
void agent_relay_output(struct agent *a, struct agent_proc *p, bool err_stream);

#endif
