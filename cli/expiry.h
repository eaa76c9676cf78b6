/*
 * cli/expiry.h - `--fail-on-expiring DAYS` of `scan` and `check`: the
 * certificates of a stored scan that expire within DAYS fail the run
 * (exit 1), each named on stderr. The certificates are exactly those
 * `--expiring DAYS` lists (reports/report.h, report_expiring: every
 * served chain of every deployment, expired ones included, days counted
 * from now), so the listing and the gate never disagree.
 *
 * Ownership: nothing is kept; d is borrowed.
 */
#ifndef TLSAUDIT_CLI_EXPIRY_H
#define TLSAUDIT_CLI_EXPIRY_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/report.h"

/* cli_expiry_gate lists on stderr ("tlsaudit CMD: --fail-on-expiring
 * DAYS: N certificates expire within DAYS days:" and one line each) the
 * certificates of d expiring within days of now. Returns the number found
 * (0: the gate passes, nothing printed), or -1 after printing when out of
 * memory. */
int cli_expiry_gate(const char *cmd, const struct report_data *d, int days);

#endif
