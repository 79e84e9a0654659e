/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vm_exec_server.h - `strata exec` at the vm level, the VMM's side: the VMM
 * (vm_host.c, state.pid) listens on ROOT/ID/exec.sock and relays each
 * connected client's process to the guest agent as one EXEC k.
 *
 * The socket speaks the agent's own framing (kvm-shim/agent_protocol.h:
 * 12-byte header type/id/length, little-endian, payload).  Conversation:
 *   client -> EXEC(0, process.json)          once, first; the runtime-spec
 *                                            `process` object (config.md#process);
 *                                            stdin /dev/null
 *          or EXEC_STDIN(0, process.json)    the same, stdin fed by STDIN frames
 *   server -> STARTED(k, guest pid) | ERROR(k, text)   ERROR here is final
 *   server -> STDOUT(k, bytes)... STDERR(k, bytes)...  the process's output
 *   client -> STDIN(0, bytes)... STDIN(0, empty)  after EXEC_STDIN; empty = EOF
 *   client -> SIGNAL(0, signo)               any time after STARTED
 *   server -> ERROR(k, text)                 after STARTED: a STDIN or SIGNAL
 *                                            the agent refused (e.g. the process
 *                                            closed its stdin); not final
 *   server -> EXIT(k, status)                last frame (0-255, 128+N for signal N);
 *                                            then the server closes the connection
 * k >= 1 is the agent's id for the process (never reused in one VMM).
 * stdin has no flow control: the agent buffers AGENT_STDIN_BUFFER_MAX unread
 * bytes per process and refuses more (ERROR, the bytes are dropped).
 * The connection closing without EXIT means the VMM stopped (the
 * container's init exited and the guest powered off, killing the process).
 *
 * A client that disconnects early leaves its process running (as a runc
 * exec whose caller dies); its output is dropped and its stdin closed.  A client that reads too
 * slowly (VM_EXEC_CLIENT_BUFFER_MAX unread bytes) is disconnected: the
 * VMM never blocks the agent channel, which the container shares.
 * Everything runs on the VMM's main thread, from its poll(2) loop.
 * Source: design.md §5; runc exec(8) behaviour.
 */
#ifndef STRATA_RUNTIME_VM_EXEC_SERVER_H
#define STRATA_RUNTIME_VM_EXEC_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/error.h"
#include "../kvm-shim/agent_protocol.h"

/* The socket's name in the container's state directory ROOT/ID. */
#define VM_EXEC_SOCKET "exec.sock"

/* Concurrent exec connections (the agent relays AGENT_PROCS_MAX processes, the init included). */
#define VM_EXEC_CLIENTS_MAX 31

/* Bytes of output queued for one client before it is disconnected. */
#define VM_EXEC_CLIENT_BUFFER_MAX (16u << 20)

/* Poll entries vm_exec_server_pollfds() may fill. */
#define VM_EXEC_POLLFDS_MAX (1 + VM_EXEC_CLIENTS_MAX)

struct vm_exec_server;

/* Sends one frame to the guest agent; 0 or -1 (the agent is gone). */
typedef int (*vm_exec_send_fn)(void *ctx, uint32_t type, uint32_t id, const void *payload, uint32_t len);

/*
 * vm_exec_server_open - create ROOT/ID/exec.sock (dir_fd: the O_PATH fd of
 * ROOT/ID; any stale socket there is replaced), mode 0600 from the start
 * (umask during bind(2): call before other threads exist), listening,
 * non-blocking, close-on-exec.  *out is owned by the caller
 * (vm_exec_server_close).  Errors: the socket/bind/listen errno.
 */
int vm_exec_server_open(int dir_fd, struct vm_exec_server **out, strata_error_t *err);

/*
 * vm_exec_server_pollfds - fill pf (room for VM_EXEC_POLLFDS_MAX entries)
 * with the listening socket and every connected client; returns how many.
 * Pass the same array, after poll(2), to vm_exec_server_handle().
 */
size_t vm_exec_server_pollfds(struct vm_exec_server *s, struct pollfd *pf);

/*
 * vm_exec_server_handle - act on pf[0..n-1] (from vm_exec_server_pollfds,
 * revents set): accept clients, read their requests (EXEC and SIGNAL go to
 * the agent through send(ctx, ...)), flush queued output, drop clients that
 * hung up.  running: whether the container's process runs (before that an
 * EXEC is refused with ERROR "container not running").
 */
void vm_exec_server_handle(struct vm_exec_server *s, const struct pollfd *pf, size_t n, bool running,
			   vm_exec_send_fn send, void *ctx);

/*
 * vm_exec_server_agent_frame - route an agent frame about an EXEC process
 * (h->id >= 1: STARTED, ERROR, STDOUT, STDERR, EXIT) to its client.
 * Returns true when the frame was about an exec (consumed, even if its
 * client is gone), false for id 0 (the caller's).
 */
bool vm_exec_server_agent_frame(struct vm_exec_server *s, const struct agent_frame_header *h, const uint8_t *payload);

/*
 * vm_exec_server_close - flush what each client can take without blocking,
 * close every connection (clients see EOF), remove ROOT/ID/exec.sock and
 * free s.  NULL is fine.
 */
void vm_exec_server_close(struct vm_exec_server *s);

#endif
