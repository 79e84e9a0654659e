/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_exec_client.h - `strata exec` at the vm level, the caller's side: talk
 * to the VMM's exec socket (ROOT/ID/exec.sock, protocol in vm_exec_server.h)
 * to run one process in the guest's container and relay its output and
 * exit status.
 * Source: design.md §5; runc exec(8) behaviour (exit status, signals).
 */
#ifndef STRATA_RUNTIME_VM_EXEC_CLIENT_H
#define STRATA_RUNTIME_VM_EXEC_CLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"

/* Bytes of stdin sent in one STDIN frame. */
#define VM_EXEC_STDIN_CHUNK 16384

/* One connection; the receive buffer is plain memory, so a fork(2)ed relay
 * carries on with what the parent had read. */
struct vm_exec_client {
	int fd;              /* the connection, -1 when closed */
	uint8_t *buf;        /* bytes received, not yet a whole frame */
	size_t len, cap;
	uint32_t id;         /* the agent's id k (from STARTED) */
	uint32_t guest_pid;  /* the process's pid in the guest's pid namespace */
};

/*
 * vm_exec_client_connect - connect to the exec socket in the container
 * directory dir_fd (O_PATH fd of ROOT/ID).  Errors: ESRCH "container not
 * running" when no VMM listens there (socket missing or refused), the
 * socket/connect errno otherwise.  Release with vm_exec_client_close().
 */
int vm_exec_client_connect(int dir_fd, struct vm_exec_client *cl, strata_error_t *err);

/*
 * vm_exec_client_start - send the process (runtime-spec `process` JSON,
 * len bytes) and wait for it to run.  with_stdin: its stdin is fed by
 * vm_exec_client_relay (else /dev/null).  Returns 0 with cl->id and
 * cl->guest_pid set, or -1 with *err holding the guest's error text (e.g.
 * the runtime's "exec: ... no such file" line), or EPIPE when the VMM went away.
 */
int vm_exec_client_start(struct vm_exec_client *cl, const char *json, size_t len, bool with_stdin,
			 strata_error_t *err);

/*
 * vm_exec_client_relay - copy in_fd (-1: none; after a start with_stdin) to
 * the process's stdin until EOF (then closes it) or until the process
 * closes its stdin, the process's STDOUT/STDERR to out_fd/err_fd (write
 * errors such as EPIPE drop the bytes), and forward each signal in
 * `forward` (the caller has blocked them) to the process, until its EXIT.
 * No flow control on stdin: more than AGENT_STDIN_BUFFER_MAX bytes the
 * process has not read yet are dropped with a warning.
 * Returns its exit status (0-255, 128+N when killed by signal N); when the
 * VMM closes the connection first (the container's init exited and the
 * guest stopped, killing the process) a warning is logged and 128+SIGKILL
 * returned, as the kernel kills a pid namespace's processes with its init.
 * -1 with *err on a broken stream.
 */
int vm_exec_client_relay(struct vm_exec_client *cl, int in_fd, int out_fd, int err_fd, const sigset_t *forward,
			 strata_error_t *err);

/* vm_exec_client_close - close the connection and free the buffer. */
void vm_exec_client_close(struct vm_exec_client *cl);

#endif
