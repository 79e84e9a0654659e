/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - runc-compatible logging.
 *
 * Output goes to the --log file when one is given (opened O_APPEND, as runc
 * does) and errors also go to stderr.  With --log-format json every line is
 *     {"level":"error","msg":"...","time":"2026-11-21T09:02:27Z"}
 * which is what containerd's shim parses: the msg of the last "error" line
 * becomes the user-visible failure.  With the text format lines look like
 * logrus's:  time="..." level=error msg="..."
 *
 * The logger configuration is set once from the parsed global options
 * (log_init) and is the only process-wide state the tree keeps.
 */
#ifndef STRATA_COMMON_LOG_H
#define STRATA_COMMON_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/*
 * log_init - configure logging from the global options.
 * path: the --log file or NULL (stderr only); format: --log-format;
 * debug: --debug (enables debug-level lines).
 * Returns 0, or -1 with errno set when the log file cannot be opened.
 * The fd is opened O_CLOEXEC and kept for the life of the process.
 */
int log_init(const char *path, enum log_format format, bool debug);

/* log_msg - write one line at `level`.  Errors and warnings also go to stderr
 * when a log file is set (the same text, so go-runc sees it in combined output). */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* log_debug_enabled - true when --debug was given. */
bool log_debug_enabled(void);

/* log_fd - the log file fd (or 2 when logging to stderr); valid until exit. */
int log_fd(void);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) do { if (log_debug_enabled()) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__); } while (0)

#endif
