// SPDX-License-Identifier: MIT
/*
 * Logging: "<PRIO>nvmemfs: message\n" on stderr. journald reads the
 * priority prefix (SyslogLevelPrefix=yes is its default), so no syslog
 * connection is needed and foreground runs stay readable.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

static atomic_int log_level = LOG_INFO;

void log_set_level(int prio)
{
	atomic_store_explicit(&log_level, prio, memory_order_relaxed);
}

int log_get_level(void)
{
	return atomic_load_explicit(&log_level, memory_order_relaxed);
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, m;

	if (prio > log_get_level())
		return;

	n = snprintf(line, sizeof(line), "<%d>nvmemfs: ", prio);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;	/* truncated: still end the line */
	if (line[n - 1] != '\n')
		line[n++] = '\n';

	/* One write per line keeps concurrent messages whole. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
