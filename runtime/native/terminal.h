/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * terminal.h - process.terminal: the container's pty and the console
 * socket, plus the relay `strata run` uses when it has no --console-socket.
 *
 * Container side (terminal_setup): the pty is allocated inside the
 * container, from the devpts instance mounted at the container's /dev/pts
 * (newinstance), so the container's ptys are its own.  The master goes to
 * the caller of `create` over --console-socket with SCM_RIGHTS, in runc's
 * format (the message's data is the pty name, e.g. "/dev/pts/0"), which
 * go-runc's console receiver (containerd) and conmon accept.
 *
 * Caller side, `strata run` with terminal=true and no --console-socket:
 *
 *     int pair[2];
 *     terminal_attach_socketpair(pair, &err);  // pair[1] is the console socket
 *     ... create the container with console_socket_fd = pair[1] ...
 *     close(pair[1]);                          // in the runtime, after the init has it
 *     ... start it ...
 *     terminal_run_attach(pair[0], init_pid, &err);   // returns when the container exits
 *     close(pair[0]); waitpid(init_pid) for the exit status
 *
 * Source: runtime-spec v1.3.0 config.md#process (terminal, consoleSize),
 * runtime.md#create; runc docs/terminals.md (the console-socket protocol);
 * pty(7), pts(4) TIOCGPTN/TIOCSPTLCK/TIOCGPTPEER, tty_ioctl(4) TIOCSCTTY,
 * TIOCSWINSZ, unix(7) SCM_RIGHTS, termios(3) cfmakeraw.
 */
#ifndef STRATA_RUNTIME_NATIVE_TERMINAL_H
#define STRATA_RUNTIME_NATIVE_TERMINAL_H

#include <sys/types.h>

#include "../../common/error.h"
#include "../../oci-spec/config.h"

/*
 * terminal_setup - in the container's init, after pivot_root (so /dev/pts
 * is the container's devpts), when p->terminal is true:
 *  1. open /dev/pts/ptmx (O_RDWR|O_NOCTTY|O_CLOEXEC), unlockpt, and open the
 *     slave through the master with TIOCGPTPEER (no path lookup);
 *  2. apply p->console_size with TIOCSWINSZ (rows = height, cols = width);
 *  3. send the master over console_socket_fd (SCM_RIGHTS, data = the pty
 *     name) and close the runtime's copy of the master;
 *  4. setsid() (unless already a session leader), TIOCSCTTY on the slave;
 *  5. dup2 the slave onto 0, 1 and 2;
 *  6. bind-mount the slave onto /dev/console: created as an empty file when
 *     missing, refused if it is a symlink or anything but a regular file or
 *     character device (resolved with openat2 RESOLVE_NO_SYMLINKS|
 *     RESOLVE_IN_ROOT and mounted through the fd with open_tree/move_mount,
 *     so a hostile rootfs cannot redirect the mount).
 * console_socket_fd is not closed (the caller owns it; keep it O_CLOEXEC).
 * Returns 0, or -1 with *err set naming the failing step.
 */
int terminal_setup(const struct oci_process *p, int console_socket_fd, strata_error_t *err);

/*
 * terminal_send_fd / terminal_recv_fd - one fd over a unix socket with
 * SCM_RIGHTS; `name` is the data of the message (NUL not sent).
 * terminal_recv_fd stores the received fd (O_CLOEXEC, owned by the caller)
 * in *fd and, when name/name_size are given, the data NUL-terminated.
 * Errors: the sendmsg/recvmsg errno; EBADMSG when no fd came.
 */
int terminal_send_fd(int sock, int fd, const char *name, strata_error_t *err);
int terminal_recv_fd(int sock, int *fd, char *name, size_t name_size, strata_error_t *err);

/*
 * terminal_attach_socketpair - an AF_UNIX SOCK_STREAM pair, both ends
 * O_CLOEXEC: pair[0] stays with `run`, pair[1] is given to the container
 * init as its console socket.  Errors: the socketpair errno.
 */
int terminal_attach_socketpair(int pair[2], strata_error_t *err);

/*
 * terminal_run_attach - attach the caller's stdin/stdout to the container's
 * pty.  Receives the master from `sock` (pair[0]), puts stdin in raw mode
 * when it is a tty (restored before returning, also on error), copies the
 * caller's window size to the pty now and on every SIGWINCH, and relays
 * stdin -> master and master -> stdout until the process `pid` has exited
 * (pidfd) and the master has no more output (EIO/HUP).  EOF on stdin is
 * forwarded as the terminal's EOF character (VEOF).  SIGWINCH is blocked
 * in the calling thread for the relay and restored afterwards.
 * Does not reap pid.  Returns 0, or -1 with *err set.
 */
int terminal_run_attach(int sock, pid_t pid, strata_error_t *err);

#endif
