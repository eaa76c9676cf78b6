/*
 * cli/cmd_history.c - `tlsaudit history TARGET`: one line per stored scan
 * of one endpoint, oldest first: when, scan id and state, versions
 * accepted, suite count, leaf certificate fingerprint and expiry, and the
 * verdict of every policy evaluated over it.
 *
 * Pipeline position: store (store_target_history lists the rows) ->
 * reports/report.c (report_load_heads: each scan's row and policy runs)
 * and store_load_target (each row's target alone, with its findings) ->
 * reports/history.c
 * (the rows, in text, JSON or Markdown) -> stdout.
 *
 * Invariants:
 * - TARGET is parsed as `tlsaudit scan` parses it (target_parse: the port
 *   defaults to 443, IPv6 in brackets); it is matched against the host and
 *   port stored (store/store_history.c): the host as typed at scan time,
 *   ASCII case-insensitively. SNI is not part of the match: each row shows
 *   the SNI it was scanned with, and one scan gives one row per address.
 * - Only one row's target is held in memory at a time (with its scan's
 *   row and policy runs): memory does not grow with the scans' targets.
 * - Read only (store_open_readonly: the file is never written); exit 0 (listed) or 2 (usage,
 * database, unknown target).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "common/util.h"
#include "reports/history.h"
#include "reports/report.h"
#include "scanner/target.h"
#include "store/store.h"

enum history_opt_id {
    OPT_FORMAT = CLI_OPT_OWN,
    OPT_STARTTLS,
};

struct history_args {
    enum report_format format;
    const char *starttls; /* --starttls, NULL: every protocol */
};

static const struct opt_doc history_opts[] = {
    CLI_DOC_DB_READER,
    {"format", required_argument, OPT_FORMAT, "F", "text (default), json or markdown"},
    {"starttls", required_argument, OPT_STARTTLS, "PROTO",
     "only the scans of TARGET with this application protocol (none, smtp, imap ...; "
     "default: every one, each row naming its own)"},
    CLI_DOC_HELP,
};

static const struct cli_cmd history_cmd = {
    .name = "history",
    .shortopts = ":h",
    CLI_CMD_OPTS(history_opts),
    .help_head = "Usage: tlsaudit history TARGET [--db FILE] [--format F] [--starttls PROTO]\n"
                 "\n"
                 "List every stored scan of TARGET, oldest first, one line each: when the scan\n"
                 "started, its id and state, the target's status, the versions accepted, the\n"
                 "number of suites accepted, the leaf certificate of every certificate\n"
                 "deployment as LABEL:SHA-256 (first 16 hex digits, e.g. 'RSA:ab12...,\n"
                 "ECDSA:cd34...') with its expiry date, and for each policy evaluated over\n"
                 "the scan (its newest run) the verdict on TARGET at the gate stored with\n"
                 "that run (pass, FAIL or NOT DEMONSTRATED, as 'tlsaudit report' says) with\n"
                 "the number of rules per verdict. No network.\n"
                 "\n"
                 "TARGET is written as for 'tlsaudit scan': host, host:port or [ipv6]:port;\n"
                 "the port defaults to 443, so 'example.com' is 'example.com:443'. The host is\n"
                 "compared with the host stored (as it was typed for the scan), ignoring ASCII\n"
                 "case; an IPv6 address must be written as it was for the scan. SNI is not part\n"
                 "of the match: every SNI the endpoint was scanned with is listed (the row\n"
                 "says which), and a name that resolved to several addresses gives one row\n"
                 "per address. The application protocol (STARTTLS) is part of the endpoint:\n"
                 "each row names it when it is not 'none'; --starttls keeps one.\n"
                 "\n"
                 "Options:\n",
    .help_tail = "\n"
                 "Exit codes:\n"
                 "  0  the history was written\n"
                 "  2  usage or database error, or TARGET was never scanned\n",
};

static int history_own(void *arg, int id, const char *v)
{
    struct history_args *a = arg;
    if (id == OPT_STARTTLS) {
        if (starttls_find(v) == NULL) {
            char names[512];
            starttls_names(names, sizeof(names));
            fprintf(stderr,
                    "tlsaudit history: --starttls: unknown protocol '%s' (expected one of: %s)\n",
                    v, names + sizeof("auto, ") - 1);
            return -1;
        }
        a->starttls = v;
        return 0;
    }
    return cli_format(&history_cmd, v,
                      CLI_FORMAT(REPORT_TEXT) | CLI_FORMAT(REPORT_JSON) |
                          CLI_FORMAT(REPORT_MARKDOWN),
                      &a->format);
}

/* history_row hands row ref of scan d (loaded by report_load_heads) to w:
 * its target read alone, and its findings in each run. Returns 0, 1 when
 * the target is not there (written between the two reads: not part of
 * this snapshot), or -1 after printing why. */
static int history_row(struct store *store, const char *db_path, struct report_data *d,
                       const struct store_target_ref *ref, struct history_writer *w)
{
    struct target_result r;
    int64_t tid = ref->target_id;
    target_result_init(&r);
    int rc = store_load_target(store, tid, &r);
    for (size_t i = 0; rc == 0 && i < d->n_runs; i++) {
        rc = store_load_target_findings(store, &d->runs[i], tid);
    }
    if (rc < 0) {
        fprintf(stderr, "tlsaudit history: %s: %s\n", db_path, store_errmsg(store));
    }
    if (rc == 0) {
        d->targets = &r;
        d->target_ids = &tid;
        d->n_targets = 1;
        if (history_add(w, d, 0) != 0) {
            fprintf(stderr, "tlsaudit history: out of memory\n");
            rc = -1;
        }
        d->targets = NULL;
        d->target_ids = NULL;
        d->n_targets = 0;
    }
    for (size_t i = 0; i < d->n_runs; i++) {
        store_run_drop_findings(&d->runs[i]);
    }
    target_result_cleanup(&r);
    return rc;
}

/* history_rows hands every row of refs to w, one row read at a time (the
 * scan's row and policy runs, then the target and its findings alone).
 * Returns 0, or -1 after printing why. */
static int history_rows(struct store *store, const char *db_path,
                        const struct store_target_ref *refs, size_t n_refs,
                        struct history_writer *w)
{
    struct report_data data = {0};
    bool have_data = false;
    char err[1024];
    int rc = -1;
    for (size_t i = 0; i < n_refs; i++) {
        if (!have_data || data.info.id != refs[i].scan_id) {
            if (have_data) {
                report_data_cleanup(&data);
                have_data = false;
            }
            if (report_load_heads(store, refs[i].scan_id, db_path, &data, err, sizeof(err)) != 0) {
                fprintf(stderr, "tlsaudit history: %s: %s\n", db_path, err);
                goto out;
            }
            have_data = true;
        }
        if (history_row(store, db_path, &data, &refs[i], w) < 0) {
            goto out;
        }
    }
    rc = 0;
out:
    if (have_data) {
        report_data_cleanup(&data);
    }
    return rc;
}

int cmd_history(int argc, char **argv)
{
    struct cli_common c;
    struct history_args ha = {.format = REPORT_TEXT};
    struct store *store = NULL;
    struct store_target_ref *refs = NULL;
    size_t n_refs = 0;
    char *host = NULL;
    uint16_t port = 0;
    struct history_writer *w = NULL;
    char err[1024];
    int rc = EXIT_USAGE;

    int prc = cli_parse(&history_cmd, argc, argv, &c, history_own, &ha);
    enum report_format format = ha.format;
    if (prc != 0) {
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (argc - optind != 1) {
        fprintf(stderr, "tlsaudit history: %s (see 'tlsaudit history --help')\n",
                argc - optind == 0 ? "give one TARGET (host, host:port or [ipv6]:port)"
                                   : "give exactly one TARGET");
        goto out;
    }
    const char *target = argv[optind];
    if (target_parse(target, &host, &port, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit history: TARGET '%s': %s\n", target, err);
        goto out;
    }
    if (cli_open_readonly(&history_cmd, &c, &store) != 0) {
        goto out;
    }
    if (store_target_history(store, host, port, ha.starttls, &refs, &n_refs) != 0) {
        fprintf(stderr, "tlsaudit history: %s\n", store_errmsg(store));
        goto out;
    }
    if (n_refs == 0) {
        fprintf(stderr, "tlsaudit history: no scan of %s (host %s, port %u) in %s\n", target, host,
                (unsigned)port, c.db_path);
        goto out;
    }
    w = history_begin(stdout, format, host, port);
    if (w == NULL) {
        fprintf(stderr, "tlsaudit history: out of memory\n");
        goto out;
    }
    if (history_rows(store, c.db_path, refs, n_refs, w) != 0) {
        goto out;
    }
    if (history_end(w) != 0) {
        int e = errno;
        struct cli_out so;
        char oerr[256];
        cli_out_init(&so);
        if (cli_out_write_failed(&so, e, oerr, sizeof(oerr))) {
            fprintf(stderr, "tlsaudit history: writing the history to stdout: %s\n", oerr);
        } else {
            fprintf(stderr, "tlsaudit history: writing the JSON failed\n");
        }
        goto out;
    }
    rc = EXIT_OK; /* a failed write to stdout: main's cli_stdout_finish, exit 2 */
out:
    history_free(w);
    free(refs);
    free(host);
    store_close(store);
    return rc;
}
