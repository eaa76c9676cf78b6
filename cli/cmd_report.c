/*
 * cli/cmd_report.c - `tlsaudit report`: render a stored scan (its targets,
 * facts and every stored policy run with its findings) in one of the
 * report formats, without touching the network.
 *
 * Pipeline position: store -> reports/report.c (report_load) ->
 * reports/report_<format>.c -> a file or stdout.
 *
 * Invariants:
 * - Options are checked first, then the database (which must exist: report
 *   never creates one), then the scan id; nothing in the database changes:
 *   it is opened read-only (store_open_readonly), so archived evidence on a
 *   read-only file or mount renders too.
 * - With -o FILE the report is written to a temporary file next to FILE
 *   and renamed over it only when complete, so a failed report never
 *   leaves a truncated file or destroys the previous one.
 * - Exit codes: 0 written; 2 usage, database or output error.
 */
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "reports/report.h"
#include "store/store.h"

enum report_opt_id {
    OPT_FORMAT = CLI_OPT_OWN,
};

static const struct opt_doc report_opts[] = {
    CLI_DOC_SCAN("report"),
    CLI_DOC_DB_READER,
    {"format", required_argument, OPT_FORMAT, "F",
     "text (default), json, csv, junit, markdown or html"},
    CLI_DOC_OUTPUT("report"),
    {"expiring", required_argument, CLI_OPT_EXPIRING, "DAYS",
     "also list every certificate of every served chain that expires within DAYS"},
    CLI_DOC_COLOR,
    CLI_DOC_HELP,
};

static const struct cli_cmd report_cmd = {
    .name = "report",
    .shortopts = ":o:h",
    CLI_CMD_OPTS(report_opts),
    .help_head = "Usage: tlsaudit report [--scan ID | --latest] [--format F] [-o FILE]\n"
                 "                       [OPTIONS]\n"
                 "\n"
                 "Render a stored scan without touching the network: its targets, the facts\n"
                 "found for each (versions, suites, groups, certificates and chain) and the\n"
                 "findings of every policy evaluated over it (by 'tlsaudit check' or\n"
                 "'tlsaudit scan --policy').\n"
                 "\n"
                 "Options:\n",
    .help_tail = "\n"
                 "Exit codes:\n"
                 "  0  the report was written\n"
                 "  2  usage, database or output error (the database is only read; -o FILE\n"
                 "     keeps its old content)\n",
};

static int report_own(void *arg, int id, const char *v)
{
    (void)id; /* OPT_FORMAT, the only own option */
    return cli_format(&report_cmd, v, CLI_FORMATS_ALL, arg);
}

int cmd_report(int argc, char **argv)
{
    struct cli_common c;
    struct store *store = NULL;
    struct report_data data = {0};
    bool have_data = false;
    enum report_format format = REPORT_TEXT;
    struct cli_out o;
    char err[1024];
    int rc = EXIT_USAGE;
    int64_t scan_id = 0;

    cli_out_init(&o);
    int prc = cli_parse(&report_cmd, argc, argv, &c, report_own, &format);
    if (prc != 0) {
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (cli_no_operands(&report_cmd, argc, argv) != 0 || cli_scan_choice(&report_cmd, &c) != 0 ||
        cli_open_readonly(&report_cmd, &c, &store) != 0 ||
        cli_resolve_scan(&report_cmd, &c, store, false, &scan_id) != 0) {
        goto out;
    }
    if (report_load(store, scan_id, c.db_path, &data, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit report: %s: %s\n", c.db_path, err);
        goto out;
    }
    have_data = true;
    if (cli_output_open(&report_cmd, &c, &o) != 0) {
        goto out;
    }
    struct report_options ro = {
        .color = cli_color(&c, &o),
        .now_ms = 0,
        .expiring_days = c.expiring,
    };
    int wrc = report_write(o.f, format, &data, &ro, err, sizeof(err));
    if (cli_output_finish(&report_cmd, &o, "report", wrc, err) != 0) {
        goto out;
    }
    rc = EXIT_OK;
out:
    cli_out_discard(&o);
    if (have_data) {
        report_data_cleanup(&data);
    }
    store_close(store);
    return rc;
}
