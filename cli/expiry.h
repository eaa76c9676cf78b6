/*
 * cli/expiry.h - `--fail-on-expiring DAYS` of `scan` and `check`: the
 * certificates of a stored scan that expire within DAYS fail the run
 * (exit 1), each named on stderr. The certificates are exactly those
 * `--expiring DAYS` lists (reports/report.h, report_expiring: every
 * served chain of every deployment, expired ones included, days counted
 * from now), so the listing and the gate never disagree.
 *
 * Memory: only the lines of the certificates found are kept; with
 * cli_expiry_gate_scan, which reads the scan one target at a time, memory
 * does not grow with the number of targets.
 *
 * Ownership: nothing is kept; d and s are borrowed.
 */
#ifndef TLSAUDIT_CLI_EXPIRY_H
#define TLSAUDIT_CLI_EXPIRY_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/report.h"
#include "store/store.h"

/* cli_expiry_gate lists on stderr ("tlsaudit CMD: --fail-on-expiring
 * DAYS: N certificates expire within DAYS days:" and one line each) the
 * certificates of d expiring within days of now. Returns the number found
 * (0: the gate passes, nothing printed), or -1 after printing when out of
 * memory. */
int cli_expiry_gate(const char *cmd, const struct report_data *d, int days);

/* cli_expiry_gate_scan does what cli_expiry_gate does for scan_id of s,
 * read one target at a time (store_each_target), for a caller that has not
 * loaded the scan. Returns the same, or -1 after printing the store's
 * error. */
int cli_expiry_gate_scan(const char *cmd, struct store *s, int64_t scan_id, int days);

#endif
