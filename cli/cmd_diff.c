/*
 * cli/cmd_diff.c - `tlsaudit diff [SCAN_A [SCAN_B]]`: what changed between
 * two stored scans, as text, JSON or Markdown, with an exit code a cron
 * job can alert on.
 *
 * Pipeline position: store (store_history.c picks the scans) ->
 * reports/report.c (report_load_heads, twice: the scans and their policy
 * runs) -> reports/diff_stream.c (diff_stream: the targets read in
 * identity order one pair at a time, compared, written) -> a file or
 * stdout.
 *
 * Invariants:
 * - Options and scan ids are checked first, then the database (which must
 *   exist: diff never creates one); nothing in the database changes (it
 *   is opened read-only, store_open_readonly).
 * - Which scans: none given = the newest scan and the newest earlier scan
 *   that shares a target (host and port) with it; one = that scan and the
 *   newest scan; two = those, in that order (A is "before", B "after").
 * - With -o FILE the diff is written to a temporary file next to FILE and
 *   renamed over it only when complete.
 * - Exit codes: 0 nothing got worse; 1 something got worse (reports/diff.h
 *   says what counts); 2 usage, database or output error.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "common/util.h"
#include "reports/diff.h"
#include "reports/report.h"
#include "store/store.h"

enum diff_opt_id {
    OPT_FORMAT = CLI_OPT_OWN,
};

static const struct opt_doc diff_opts[] = {
    CLI_DOC_DB_READER,
    {"format", required_argument, OPT_FORMAT, "F", "text (default), json or markdown"},
    CLI_DOC_OUTPUT("diff"),
    CLI_DOC_QUIET("--format text writes nothing to stdout (-o FILE and the other formats still "
                  "get the diff); errors and one summary line on stderr"),
    CLI_DOC_HELP,
};

static const struct cli_cmd diff_cmd = {
    .name = "diff",
    .shortopts = ":o:h",
    CLI_CMD_OPTS(diff_opts),
    .help_head = "Usage: tlsaudit diff [SCAN_A [SCAN_B]] [--db FILE] [--format F] [-o FILE]\n"
                 "\n"
                 "Show what changed from stored scan SCAN_A to stored scan SCAN_B, without\n"
                 "touching the network. With no scan given: the newest scan against the newest\n"
                 "earlier scan that shares a target (host and port) with it. With one: SCAN_A\n"
                 "against the newest scan.\n"
                 "\n"
                 "Targets are paired by endpoint: host, port, SNI and address (never by\n"
                 "the order they finished in). For each pair: status (a target that stopped\n"
                 "answering is worse; its findings are 'not evaluated', never resolved),\n"
                 "versions enabled or disabled, suites added or removed per version, server\n"
                 "order, TLS 1.2/1.3 groups, the leaf certificate of every deployment\n"
                 "(paired by label: RSA, ECDSA, ...) rotated, added or removed, chain changed,\n"
                 "chain problems that appeared or went away, and, for every policy evaluated\n"
                 "over both scans (newest run of each), new and resolved failing findings\n"
                 "(matched by policy and rule id) and changes of the target's verdict, each\n"
                 "scan's at the gate stored with its run (compliant, not-demonstrated,\n"
                 "non-compliant: what 'tlsaudit report' says). Targets in only one scan are\n"
                 "listed.\n"
                 "\n"
                 "Options:\n",
    .help_tail = "\n"
                 "Exit codes:\n"
                 "  0  nothing got worse\n"
                 "  1  something got worse: a target reached before is unreachable now, a\n"
                 "     new failing finding, a target's verdict that\n"
                 "     got worse at the stored gate (compliant -> not-demonstrated ->\n"
                 "     non-compliant), a protocol version or a suite newly accepted, or a\n"
                 "     chain problem that appeared (untrusted, expired, not yet valid,\n"
                 "     self-signed, incomplete, wrong order, hostname mismatch)\n"
                 "  2  usage or database error (unknown scan, only one scan, no earlier\n"
                 "     scan sharing a target), or the output could not be written\n",
};

/* diff_own parses --format (text, json, markdown). */
static int diff_own(void *arg, int id, const char *v)
{
    (void)id; /* OPT_FORMAT, the only own option */
    return cli_format(
        &diff_cmd, v,
        CLI_FORMAT(REPORT_TEXT) | CLI_FORMAT(REPORT_JSON) | CLI_FORMAT(REPORT_MARKDOWN), arg);
}

/* pick_scans fills a and b from the arguments (0 = not given). Returns 0,
 * or -1 after printing why. */
static int pick_scans(struct store *store, const char *db_path, int64_t *a, int64_t *b)
{
    int64_t latest;
    size_t n_scans = 0;
    if (store_count_scans(store, &n_scans) != 0) {
        fprintf(stderr, "tlsaudit diff: %s\n", store_errmsg(store));
        return -1;
    }
    if (n_scans == 0) {
        fprintf(stderr, "tlsaudit diff: no scan in %s: nothing to compare\n", db_path);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        int64_t id = i == 0 ? *a : *b;
        bool exists = false;
        if (id != 0 && store_scan_exists(store, id, &exists) != 0) {
            fprintf(stderr, "tlsaudit diff: %s\n", store_errmsg(store));
            return -1;
        }
        if (id != 0 && !exists) {
            fprintf(stderr, "tlsaudit diff: %s: no scan %lld in %s\n", i == 0 ? "SCAN_A" : "SCAN_B",
                    (long long)id, db_path);
            return -1;
        }
    }
    if (*a != 0 && *b != 0) {
        return 0;
    }
    if (n_scans == 1) {
        fprintf(stderr,
                "tlsaudit diff: %s holds only one scan: nothing to compare it with (scan "
                "again, then run diff)\n",
                db_path);
        return -1;
    }
    if (store_latest_scan(store, &latest) != 0) {
        fprintf(stderr, "tlsaudit diff: %s\n", store_errmsg(store));
        return -1;
    }
    if (*a != 0) {
        if (*a == latest) {
            fprintf(stderr,
                    "tlsaudit diff: scan %lld is the newest scan: give a second scan to "
                    "compare it with\n",
                    (long long)*a);
            return -1;
        }
        *b = latest;
        return 0;
    }
    bool found = false;
    if (store_previous_sharing_scan(store, latest, a, &found) != 0) {
        fprintf(stderr, "tlsaudit diff: %s\n", store_errmsg(store));
        return -1;
    }
    if (!found) {
        fprintf(stderr,
                "tlsaudit diff: no earlier scan shares a target (host and port) with the "
                "newest scan %lld; give SCAN_A and SCAN_B\n",
                (long long)latest);
        return -1;
    }
    *b = latest;
    return 0;
}

/* diff_output writes the diff of da and db (with --quiet, text meant for
 * stdout goes nowhere and one summary line goes to stderr). Returns the
 * exit code. */
static int diff_output(const struct cli_common *c, struct cli_out *o, enum report_format format,
                       struct store *store, struct report_data *da, struct report_data *db)
{
    char err[1024];
    struct diff_summary sum = {0};
    FILE *sink =
        c->quiet && format == REPORT_TEXT && c->out_path == NULL ? fopen("/dev/null", "w") : o->f;
    int wrc = sink == NULL ? -1 : diff_stream(sink, format, store, da, db, &sum, err, sizeof(err));
    if (sink == NULL) {
        snprintf(err, sizeof(err), "/dev/null: cannot open");
    } else if (sink != o->f) {
        fclose(sink);
    }
    if (cli_output_finish(&diff_cmd, o, "diff", wrc, err) != 0) {
        return EXIT_USAGE;
    }
    int rc = sum.n_worse > 0 ? EXIT_WORSE : EXIT_OK;
    if (c->quiet) {
        fprintf(stderr, "tlsaudit diff: scan %lld -> scan %lld: %zu change%s, %zu worse; exit %d\n",
                (long long)da->info.id, (long long)db->info.id, sum.n_entries,
                sum.n_entries == 1 ? "" : "s", sum.n_worse, rc);
    }
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    struct cli_common c;
    struct store *store = NULL;
    struct report_data da = {0}, db = {0};
    bool have_a = false, have_b = false;
    enum report_format format = REPORT_TEXT;
    int64_t scan[2] = {0, 0};
    struct cli_out o;
    char err[1024];
    int rc = EXIT_USAGE;

    cli_out_init(&o);
    int prc = cli_parse(&diff_cmd, argc, argv, &c, diff_own, &format);
    if (prc != 0) {
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (argc - optind > 2) {
        fprintf(stderr,
                "tlsaudit diff: unexpected argument '%s': at most two scan ids (see 'tlsaudit "
                "diff --help')\n",
                argv[optind + 2]);
        goto out;
    }
    for (int i = 0; optind + i < argc; i++) {
        unsigned long v;
        if (!util_parse_ulong(argv[optind + i], 1, LONG_MAX, &v)) {
            fprintf(stderr, "tlsaudit diff: %s: '%s' is not a scan id (a number from 1)\n",
                    i == 0 ? "SCAN_A" : "SCAN_B", argv[optind + i]);
            goto out;
        }
        scan[i] = (int64_t)v;
    }
    if (scan[0] != 0 && scan[0] == scan[1]) {
        fprintf(stderr, "tlsaudit diff: SCAN_A and SCAN_B are both scan %lld\n",
                (long long)scan[0]);
        goto out;
    }
    if (cli_open_readonly(&diff_cmd, &c, &store) != 0 ||
        pick_scans(store, c.db_path, &scan[0], &scan[1]) != 0) {
        goto out;
    }
    if (report_load_heads(store, scan[0], c.db_path, &da, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit diff: %s: %s\n", c.db_path, err);
        goto out;
    }
    have_a = true;
    if (report_load_heads(store, scan[1], c.db_path, &db, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit diff: %s: %s\n", c.db_path, err);
        goto out;
    }
    have_b = true;
    if (cli_output_open(&diff_cmd, &c, &o) != 0) {
        goto out;
    }
    rc = diff_output(&c, &o, format, store, &da, &db);
out:
    cli_out_discard(&o);
    if (have_a) {
        report_data_cleanup(&da);
    }
    if (have_b) {
        report_data_cleanup(&db);
    }
    store_close(store);
    return rc;
}
