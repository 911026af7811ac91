/* SPDX-License-Identifier: MIT */
/*
 * --check-config: build every device whose backing can be reached now, as
 * the daemon would at start (factory.h), and print what would be served.
 */
#ifndef NVMEMFS_PLAN_H
#define NVMEMFS_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon/config.h"

/* 0, or -EINVAL when the daemon would refuse @cfg (the reasons logged
 * with file and line, as the daemon logs them). With @probe, every
 * present device is also read and its findings printed (probe.h). */
int plan_print(const struct config *cfg, FILE *out, bool probe);

#endif
