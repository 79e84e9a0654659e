/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Parsed global options (--log, --log-format, --debug): set once by log_init. */
static struct {
	int fd;
	enum log_format format;
	bool debug;
} log_opts = { .fd = -1, .format = LOG_FORMAT_TEXT, .debug = false };

int log_init(const char *path, enum log_format format, bool debug)
{
	log_opts.format = format;
	log_opts.debug = debug;
	if (path == NULL || *path == '\0')
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	log_opts.fd = fd;
	return 0;
}

bool log_debug_enabled(void)
{
	return log_opts.debug;
}

int log_fd(void)
{
	return log_opts.fd >= 0 ? log_opts.fd : STDERR_FILENO;
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERROR:
		return "error";
	case LOG_LEVEL_WARNING:
		return "warning";
	case LOG_LEVEL_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* Append s to buf as a JSON string body (without quotes). */
static void json_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
}

static void format_line(char **line, size_t *len, enum log_level level, enum log_format format, const char *msg)
{
	char ts[64];
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%09ldZ", now.tv_nsec);

	FILE *out = open_memstream(line, len);
	if (out == NULL)
		return;
	if (format == LOG_FORMAT_JSON) {
		fprintf(out, "{\"level\":\"%s\",\"msg\":\"", level_name(level));
		json_escape(out, msg);
		fprintf(out, "\",\"time\":\"%s\"}\n", ts);
	} else {
		fprintf(out, "time=\"%s\" level=%s msg=\"", ts, level_name(level));
		json_escape(out, msg);
		fputs("\"\n", out);
	}
	fclose(out);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > LOG_LEVEL_WARNING && !log_opts.debug)
		return; /* podman reads the whole oci-log as one error object: keep it quiet */
	int saved = errno;
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL) {
		errno = saved;
		return;
	}
	char *line = NULL;
	size_t len = 0;
	format_line(&line, &len, level, log_opts.format, msg);
	if (line != NULL) {
		if (log_opts.fd >= 0) {
			if (write(log_opts.fd, line, len) < 0) {
				/* nothing better to do than fall through to stderr */
			}
		}
		if (log_opts.fd < 0 || level <= LOG_LEVEL_WARNING) {
			/* stderr always gets the text form; runc prints errors there too */
			char *text = NULL;
			size_t tlen = 0;
			format_line(&text, &tlen, level, LOG_FORMAT_TEXT, msg);
			if (text != NULL && write(STDERR_FILENO, text, tlen) < 0) {
				/* stderr closed: nowhere left to report */
			}
			free(text);
		}
	}
	free(line);
	free(msg);
	errno = saved;
}
