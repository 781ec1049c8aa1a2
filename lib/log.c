/* SPDX-License-Identifier: BSD-2-Clause-Patent */
/*
 * log.c - levelled, per-subsystem log lines, sent to whatever sink the
 * platform installed: the EFI console and serial port in the application,
 * a capture buffer in the host tests. A line is formatted once, here, so
 * every sink prints the same text.
 */
#include "rt.h"

static rt_log_sink log_sink;
static enum rt_log_level log_max = RT_LOG_INFO;

void rt_log_set_sink(rt_log_sink sink)
{
	log_sink = sink;
}

void rt_log_set_level(enum rt_log_level max)
{
	log_max = max;
}

const char *rt_log_level_name(enum rt_log_level level)
{
	static const char *const names[] = { "error", "warn", "notice", "info", "debug" };

	return (unsigned)level < RT_ARRAY_SIZE(names) ? names[level] : "?";
}

static void vlog(enum rt_log_level level, const char *subsys, const char *fmt, va_list ap)
{
	char line[512];

	if (level > log_max || !log_sink)
		return;
	rt_vsnprintf(line, sizeof(line), fmt, ap);
	log_sink(level, subsys, line);
}

void rt_log(enum rt_log_level level, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, subsys, fmt, ap);
	va_end(ap);
}

rt_status rt_fail(rt_status st, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(RT_LOG_ERR, subsys, fmt, ap);
	va_end(ap);
	return st;
}

const char *rt_status_name(rt_status st)
{
	static const char *const names[RT_STATUS_MAX] = {
		[RT_OK] = "success",
		[RT_EINVAL] = "invalid argument",
		[RT_ENOMEM] = "out of memory",
		[RT_ERANGE] = "out of range",
		[RT_ENOEXEC] = "not an image of the expected format",
		[RT_ETRUNC] = "truncated",
		[RT_ENOSPC] = "no memory hole fits",
		[RT_E2BIG] = "too big",
		[RT_ENOTSUP] = "not supported",
		[RT_ESEG_COUNT] = "too many segments",
		[RT_ESEG_ALIGN] = "segment not page-aligned",
		[RT_ESEG_WRAP] = "segment wraps around",
		[RT_ESEG_OVERLAP] = "segments overlap",
		[RT_ESEG_BUFSZ] = "segment bufsz larger than memsz",
		[RT_ESEG_NOT_RAM] = "segment destination not in usable RAM",
		[RT_ESEG_REGION] = "segment outside the capture region",
		[RT_EALLOC] = "page allocator returned a page in use",
		[RT_EDIGEST] = "digest mismatch",
		[RT_EACCES] = "memory that must stay intact",
	};

	return (unsigned)st < RT_STATUS_MAX && names[st] ? names[st] : "unknown status";
}
