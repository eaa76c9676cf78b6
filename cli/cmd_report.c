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
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "common/util.h"
#include "reports/report.h"
#include "store/store.h"

enum report_opt_id {
    OPT_OUTPUT = 'o',
    OPT_HELP = 'h',
    OPT_DB = 256,
    OPT_SCAN,
    OPT_LATEST,
    OPT_FORMAT,
    OPT_EXPIRING,
    OPT_COLOR,
};

static const struct opt_doc report_opts[] = {
    {"scan", required_argument, OPT_SCAN, "ID", "report stored scan ID"},
    {"latest", no_argument, OPT_LATEST, NULL, "report the newest stored scan (the default)"},
    {"db", required_argument, OPT_DB, "FILE",
     "the database (default: $TLSAUDIT_DB, else ./tlsaudit.db)"},
    {"format", required_argument, OPT_FORMAT, "F",
     "text (default), json, csv, junit, markdown or html"},
    {"output", required_argument, OPT_OUTPUT, "FILE",
     "write the report to FILE (replaced only when complete), not stdout"},
    {"expiring", required_argument, OPT_EXPIRING, "DAYS",
     "also list every certificate of every served chain that expires within DAYS"},
    {"color", required_argument, OPT_COLOR, "WHEN",
     "colour the text output: auto (default: on a terminal, unless NO_COLOR is set), "
     "always, never"},
    {"help", no_argument, OPT_HELP, NULL, "show this help"},
};
#define N_REPORT_OPTS (sizeof(report_opts) / sizeof(report_opts[0]))

static void report_usage(FILE *out)
{
    fprintf(out, "Usage: tlsaudit report [--scan ID | --latest] [--format F] [-o FILE]\n"
                 "                       [OPTIONS]\n"
                 "\n"
                 "Render a stored scan without touching the network: its targets, the facts\n"
                 "found for each (versions, suites, groups, certificates and chain) and the\n"
                 "findings of every policy evaluated over it (by 'tlsaudit check' or\n"
                 "'tlsaudit scan --policy').\n"
                 "\n"
                 "Options:\n");
    opts_print(out, report_opts, N_REPORT_OPTS, 20);
    fprintf(out, "\n"
                 "Exit codes:\n"
                 "  0  the report was written\n"
                 "  2  usage, database or output error (the database is only read; -o FILE\n"
                 "     keeps its old content)\n");
}

int cmd_report(int argc, char **argv)
{
    struct option long_opts[N_REPORT_OPTS + 1];
    opts_to_getopt(report_opts, N_REPORT_OPTS, long_opts);

    const char *db_path = getenv("TLSAUDIT_DB");
    const char *out_path = NULL;
    struct store *store = NULL;
    struct report_data data = {0};
    bool have_data = false;
    enum report_format format = REPORT_TEXT;
    bool latest = false;
    bool have_scan = false;
    unsigned long scan_arg = 0;
    unsigned long days = 0;
    int expiring = -1;
    int color = -1; /* -1 auto, 0 never, 1 always */
    struct cli_out o;
    char err[1024];
    int rc = EXIT_USAGE;

    cli_out_init(&o);
    if (db_path == NULL || db_path[0] == '\0') {
        db_path = "tlsaudit.db";
    }
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_SCAN:
            if (!util_parse_ulong(optarg, 1, LONG_MAX, &scan_arg)) {
                fprintf(stderr,
                        "tlsaudit report: --scan: '%s' is not a scan id (a number from 1)\n",
                        optarg);
                goto out;
            }
            have_scan = true;
            break;
        case OPT_LATEST:
            latest = true;
            break;
        case OPT_DB:
            db_path = optarg;
            break;
        case OPT_FORMAT:
            if (!report_format_parse(optarg, &format)) {
                fprintf(stderr, "tlsaudit report: --format: '%s' is not one of: %s\n", optarg,
                        REPORT_FORMAT_NAMES);
                goto out;
            }
            break;
        case OPT_OUTPUT:
            out_path = optarg;
            break;
        case OPT_EXPIRING:
            if (!util_parse_ulong(optarg, 0, 36500, &days)) {
                fprintf(stderr,
                        "tlsaudit report: --expiring: '%s' is not a number of days (0 to "
                        "36500)\n",
                        optarg);
                goto out;
            }
            expiring = (int)days;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") == 0) {
                color = -1;
            } else if (strcmp(optarg, "always") == 0) {
                color = 1;
            } else if (strcmp(optarg, "never") == 0) {
                color = 0;
            } else {
                fprintf(stderr,
                        "tlsaudit report: --color: '%s' is not one of: auto, always, "
                        "never\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_HELP:
            report_usage(stdout);
            rc = EXIT_OK;
            goto out;
        case ':':
            fprintf(stderr,
                    "tlsaudit report: option '%s' needs a value (see 'tlsaudit report --help')\n",
                    argv[optind - 1]);
            goto out;
        default:
            fprintf(stderr, "tlsaudit report: unknown option '%s' (see 'tlsaudit report --help')\n",
                    argv[optind - 1]);
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr,
                "tlsaudit report: unexpected argument '%s' (see 'tlsaudit report --help')\n",
                argv[optind]);
        goto out;
    }
    if (have_scan && latest) {
        fprintf(stderr, "tlsaudit report: give --scan ID or --latest, not both\n");
        goto out;
    }
    struct stat st;
    if (stat(db_path, &st) != 0) {
        fprintf(stderr,
                "tlsaudit report: cannot open database %s: %s (run 'tlsaudit scan' first)\n",
                db_path, strerror(errno));
        goto out;
    }
    if (store_open_readonly(db_path, &store, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit report: %s\n", err);
        goto out;
    }
    int64_t scan_id = (int64_t)scan_arg;
    if (!have_scan && store_latest_scan(store, &scan_id) != 0) {
        fprintf(stderr, "tlsaudit report: %s\n", store_errmsg(store));
        goto out;
    }
    if (report_load(store, scan_id, db_path, &data, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit report: %s: %s\n", db_path, err);
        goto out;
    }
    have_data = true;
    if (cli_out_open(&o, out_path) != 0) {
        fprintf(stderr, "tlsaudit report: --output: cannot write '%s': %s\n", out_path,
                strerror(errno));
        goto out;
    }
    struct report_options ro = {
        .color = color == 1 || (color == -1 && o.path == NULL && isatty(STDOUT_FILENO) &&
                                getenv("NO_COLOR") == NULL),
        .now_ms = 0,
        .expiring_days = expiring,
    };
    if (report_write(o.f, format, &data, &ro, err, sizeof(err)) != 0) {
        int e = errno;
        char oerr[256];
        if (cli_out_write_failed(&o, e, oerr, sizeof(oerr))) {
            fprintf(stderr, "tlsaudit report: writing the report to %s: %s\n", cli_out_name(&o),
                    oerr);
        } else {
            fprintf(stderr, "tlsaudit report: %s\n", err);
        }
        goto out;
    }
    if (cli_out_commit(&o, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit report: writing the report to %s: %s\n", cli_out_name(&o), err);
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
