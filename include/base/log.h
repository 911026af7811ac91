/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr with syslog priority prefixes ("<3>nvmemfs: ...") so
 * that journald files each line under the right priority. Thread-safe: one
 * write(2) per message, so lines from different threads never interleave.
 */
#ifndef NVMEMFS_LOG_H
#define NVMEMFS_LOG_H

#include <syslog.h>

/* Messages above @prio (a LOG_* value) are dropped. Default LOG_INFO. */
void log_set_level(int prio);
int log_get_level(void);

void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
