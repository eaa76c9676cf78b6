/*
 * cli/scan_args.h - the options of `tlsaudit scan`: the one table getopt
 * and --help come from, what they set, and the targets they name (see
 * cli/scan_args.c). cli/cmd_scan.c runs the scan with them.
 */
#ifndef TLSAUDIT_CLI_SCAN_ARGS_H
#define TLSAUDIT_CLI_SCAN_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/common.h"
#include "cli/session.h"
#include "reports/report.h"
#include "scanner/target.h"

#define DEFAULT_JOBS 4
#define DEFAULT_TIMEOUT_S 10
#define MAX_JOBS 256
#define MAX_TIMEOUT_S 600
#define MAX_TARGET_BUDGET_S 86400
#define MAX_POLICIES 64
#define STARTTLS_DEFAULT_MAX_CONN 2

/* Everything the options set besides the shared ones (cli/common.h). */
struct scan_args {
    struct target_list targets;
    struct session_options so;
    unsigned long jobs, timeout_s, max_conn, max_conn_total, target_budget_s, greeting_s;
    bool have_target_budget;
    bool have_max_conn;
    enum report_format format;
    char *policy_names[MAX_POLICIES];
    size_t n_policy_names;
    const char *run_id_given; /* --run-id */
    char run_id[160];         /* the run of a --shard scan */
    char err[1024];
};

/* scan_cmd: scan's name, option table and --help text. */
extern const struct cli_cmd scan_cmd;

/* scan_parse parses argv into c and a: options, targets (arguments and
 * -f files), --shard. Returns 0, 1 after --help, -1 after printing an
 * error. The caller sets a->so.stop. */
int scan_parse(int argc, char **argv, struct cli_common *c, struct scan_args *a);

#endif
