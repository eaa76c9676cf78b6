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
 * - One policy run per policy: the newest, or the one --run names
 *   (report_keep_runs); each judged at the gate stored with it, or at
 *   --fail-on / --fail-on-inconclusive when given (report_regate): every
 *   format then gives each target the verdict the run's exit code gave.
 * - Exit codes: 0 written; 1 (only with --fail-on or
 *   --fail-on-inconclusive) a target fails that gate; 2 usage, database or
 *   output error.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "common/util.h"
#include "reports/report.h"
#include "store/store.h"

enum report_opt_id {
    OPT_FORMAT = CLI_OPT_OWN,
    OPT_RUN,
    OPT_DETAIL,
    OPT_SUMMARY,
};

static const struct opt_doc report_opts[] = {
    CLI_DOC_SCAN("report"),
    CLI_DOC_DB_READER,
    {"format", required_argument, OPT_FORMAT, "F",
     "text (default), json, csv, junit, markdown, html or sarif (SARIF 2.1.0: the failing "
     "findings, for code-scanning dashboards)"},
    CLI_DOC_OUTPUT("report"),
    {"expiring", required_argument, CLI_OPT_EXPIRING, "DAYS",
     "also list every certificate of every served chain that expires within DAYS"},
    {"run", required_argument, OPT_RUN, "ID",
     "render policy run ID for its policy (default: the newest run of each policy)"},
    {"fail-on", required_argument, CLI_OPT_FAIL_ON, "SEV",
     "judge every policy run at SEV (info, low, medium, high, critical) instead of the gate "
     "stored with it, and exit 1 when a target fails there"},
    CLI_DOC_FAIL_ON_INCONCLUSIVE,
    {"detail", required_argument, OPT_DETAIL, "WHICH",
     "html: the targets shown in detail, 'all' or 'failing' (not compliant under some "
     "policy, or not scanned; inventories then name 12 targets a row); "
     "default: all up to 100 targets, failing above"},
    {"summary", no_argument, OPT_SUMMARY, NULL, "html: the same as --detail failing"},
    CLI_DOC_COLOR,
    CLI_DOC_HELP,
};

static const struct cli_cmd report_cmd = {
    .name = "report",
    .shortopts = ":o:h",
    CLI_CMD_OPTS(report_opts),
    .help_width = 26, /* --fail-on-inconclusive */
    .help_head = "Usage: tlsaudit report [--scan ID | --latest] [--format F] [-o FILE]\n"
                 "                       [OPTIONS]\n"
                 "\n"
                 "Render a stored scan without touching the network: its targets, the facts\n"
                 "found for each (versions, suites, groups, certificates and chain) and the\n"
                 "findings of the policies evaluated over it (by 'tlsaudit check' or\n"
                 "'tlsaudit scan --policy'): one run per policy, the newest unless --run\n"
                 "names another, each judged at the --fail-on it was run with (stored with\n"
                 "the run; runs stored before that: high) unless --fail-on is given. A\n"
                 "target's verdict per policy is 'pass', 'fail' (a finding fails at or above\n"
                 "the gate) or 'not demonstrated' (none fails there, but one there is\n"
                 "inconclusive), the same in every format.\n"
                 "\n"
                 "Options:\n",
    .help_tail = "\n"
                 "Memory: every format reads the scan one target at a time, with\n"
                 "--expiring too but for html, so memory does not grow with the number of\n"
                 "targets; the report is put together in temporary files in $TMPDIR (html\n"
                 "sorts its sections in a temporary SQLite database about the report's\n"
                 "size, in $SQLITE_TMPDIR, else $TMPDIR, else /var/tmp or /tmp). html with\n"
                 "--expiring loads the whole scan.\n"
                 "\n"
                 "Exit codes:\n"
                 "  0  the report was written\n"
                 "  1  with --fail-on or --fail-on-inconclusive: the report was written and\n"
                 "     a target fails that gate (without them report never exits 1)\n"
                 "  2  usage, database or output error (the database is only read; -o FILE\n"
                 "     keeps its old content)\n",
};

struct report_args {
    enum report_format format;
    int64_t run_id; /* --run ID, else 0 */
    enum report_detail detail;
};

static int report_own(void *arg, int id, const char *v)
{
    struct report_args *a = arg;
    unsigned long n = 0;
    if (id == OPT_FORMAT) {
        return cli_format(&report_cmd, v, CLI_FORMATS_ALL, &a->format);
    }
    if (id == OPT_SUMMARY || id == OPT_DETAIL) {
        bool all = id == OPT_DETAIL && strcmp(v, "all") == 0;
        if (id == OPT_DETAIL && !all && strcmp(v, "failing") != 0) {
            fprintf(stderr, "tlsaudit report: --detail: '%s' is not 'all' or 'failing'\n", v);
            return -1;
        }
        a->detail = all ? REPORT_DETAIL_ALL : REPORT_DETAIL_FAILING;
        return 0;
    }
    if (!util_parse_ulong(v, 1, LONG_MAX, &n)) {
        fprintf(stderr, "tlsaudit report: --run: '%s' is not a policy run id (a number from 1)\n",
                v);
        return -1;
    }
    a->run_id = (int64_t)n;
    return 0;
}

int cmd_report(int argc, char **argv)
{
    struct cli_common c;
    struct store *store = NULL;
    struct report_data data = {0};
    bool have_data = false;
    struct report_args a = {.format = REPORT_TEXT, .run_id = 0};
    struct cli_out o;
    char err[1024];
    int rc = EXIT_USAGE;
    int64_t scan_id = 0;

    cli_out_init(&o);
    int prc = cli_parse(&report_cmd, argc, argv, &c, report_own, &a);
    if (prc != 0) {
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (cli_no_operands(&report_cmd, argc, argv) != 0 || cli_scan_choice(&report_cmd, &c) != 0 ||
        cli_open_readonly(&report_cmd, &c, &store) != 0 ||
        cli_resolve_scan(&report_cmd, &c, store, false, &scan_id) != 0) {
        goto out;
    }
    /* Every format (HTML without --expiring, which sorts the certificates
     * of every target) reads one target at a time (memory flat in the
     * number of targets); HTML with --expiring loads the whole scan. */
    bool stream = report_streams(a.format, c.expiring >= 0);
    if ((stream ? report_load_heads(store, scan_id, c.db_path, &data, err, sizeof(err))
                : report_load(store, scan_id, c.db_path, &data, err, sizeof(err))) != 0) {
        fprintf(stderr, "tlsaudit report: %s: %s\n", c.db_path, err);
        goto out;
    }
    have_data = true;
    if (report_keep_runs(&data, a.run_id, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit report: --run: %s\n", err);
        goto out;
    }
    bool gate_asked = c.fail_on_given || c.fail_on_inconclusive;
    report_regate(&data, c.fail_on_given, c.fail_on, c.fail_on_inconclusive);
    if (cli_output_open(&report_cmd, &c, &o) != 0) {
        goto out;
    }
    struct report_options ro = {
        .color = cli_color(&c, &o),
        .now_ms = 0,
        .expiring_days = c.expiring,
        .detail = a.detail,
    };
    bool fails = false;
    int wrc = !stream ? report_write(o.f, a.format, &data, &ro, err, sizeof(err))
                      : report_stream(o.f, a.format, store, &data, &ro, &fails, err, sizeof(err));
    if (cli_output_finish(&report_cmd, &o, "report", wrc, err) != 0) {
        goto out;
    }
    fails = stream ? fails : report_gate_fails(&data);
    rc = gate_asked && fails ? EXIT_FINDINGS : EXIT_OK;
out:
    cli_out_discard(&o);
    if (have_data) {
        report_data_cleanup(&data);
    }
    store_close(store);
    return rc;
}
