/*
 * cli/cmd_history.c - `tlsaudit history TARGET`: one line per stored scan
 * of one endpoint, oldest first: when, scan id and state, versions
 * accepted, suite count, leaf certificate fingerprint and expiry, and the
 * verdict of every policy evaluated over it.
 *
 * Pipeline position: store (store_target_history lists the rows) ->
 * reports/report.c (report_load, one scan at a time) -> reports/diff.h
 * (the per-target summary) -> text, JSON or Markdown on stdout.
 *
 * Invariants:
 * - TARGET is parsed as `tlsaudit scan` parses it (target_parse: the port
 *   defaults to 443, IPv6 in brackets); it is matched against the host and
 *   port stored (store/store_history.c): the host as typed at scan time,
 *   ASCII case-insensitively. SNI is not part of the match: each row shows
 *   the SNI it was scanned with, and one scan gives one row per address.
 * - Only one scan is held in memory at a time.
 * - Read only (store_open_readonly: the file is never written); exit 0 (listed) or 2 (usage,
 * database, unknown target).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "common/util.h"
#include "config.h"
#include "reports/diff.h"
#include "reports/escape.h"
#include "reports/report.h"
#include "scanner/target.h"
#include "store/store.h"

#define HISTORY_JSON_SCHEMA_VERSION 1
#define HISTORY_MAX_POLICIES 32

enum history_opt_id {
    OPT_HELP = 'h',
    OPT_DB = 256,
    OPT_FORMAT,
};

static const struct opt_doc history_opts[] = {
    {"db", required_argument, OPT_DB, "FILE",
     "the database (default: $TLSAUDIT_DB, else ./tlsaudit.db)"},
    {"format", required_argument, OPT_FORMAT, "F", "text (default), json or markdown"},
    {"help", no_argument, OPT_HELP, NULL, "show this help"},
};
#define N_HISTORY_OPTS (sizeof(history_opts) / sizeof(history_opts[0]))

static void history_usage(FILE *out)
{
    fprintf(out, "Usage: tlsaudit history TARGET [--db FILE] [--format F]\n"
                 "\n"
                 "List every stored scan of TARGET, oldest first, one line each: when the scan\n"
                 "started, its id and state, the target's status, the versions accepted, the\n"
                 "number of suites accepted, the leaf certificate's SHA-256 (first 16 hex\n"
                 "digits) and expiry date, and for each policy evaluated over the scan (its\n"
                 "newest run) the verdict on TARGET with the number of failing and passing\n"
                 "rules. No network.\n"
                 "\n"
                 "TARGET is written as for 'tlsaudit scan': host, host:port or [ipv6]:port;\n"
                 "the port defaults to 443, so 'example.com' is 'example.com:443'. The host is\n"
                 "compared with the host stored (as it was typed for the scan), ignoring ASCII\n"
                 "case; an IPv6 address must be written as it was for the scan. SNI is not part\n"
                 "of the match: every SNI the endpoint was scanned with is listed (the row\n"
                 "says which), and a name that resolved to several addresses gives one row\n"
                 "per address.\n"
                 "\n"
                 "Options:\n");
    opts_print(out, history_opts, N_HISTORY_OPTS, 20);
    fprintf(out, "\n"
                 "Exit codes:\n"
                 "  0  the history was written\n"
                 "  2  usage or database error, or TARGET was never scanned\n");
}

/* One row, computed from the scan it belongs to. */
struct hrow {
    const struct report_data *d;
    size_t t;
    const struct target_result *r;
    char versions[64]; /* "TLS1.2,TLS1.3" or "-" */
    size_t n_suites;
    struct diff_policy_counts pols[HISTORY_MAX_POLICIES];
    size_t n_pols;
};

static void hrow_fill(struct hrow *h, const struct report_data *d, size_t t)
{
    memset(h, 0, sizeof(*h));
    h->d = d;
    h->t = t;
    h->r = &d->targets[t];
    size_t n = 0;
    for (int v = 0; v < WV_COUNT; v++) {
        if (!diff_version_accepted(h->r, (enum wire_version)v)) {
            continue;
        }
        const char *name = wire_version_name((enum wire_version)v);
        if (n > 0 && n + 1 < sizeof(h->versions)) {
            h->versions[n++] = ',';
        }
        for (const char *p = name; *p != '\0' && n + 1 < sizeof(h->versions); p++) {
            if (*p != ' ') {
                h->versions[n++] = *p;
            }
        }
    }
    h->versions[n] = '\0';
    if (n == 0) {
        util_copy(h->versions, sizeof(h->versions), "-");
    }
    h->n_suites = diff_suite_count(h->r);
    h->n_pols = diff_policy_counts(d, t, h->pols, HISTORY_MAX_POLICIES);
}

static const struct cert_fact *hrow_leaf(const struct hrow *h)
{
    return h->r->chain_collected && h->r->n_certs > 0 ? &h->r->certs[0] : NULL;
}

/* ---- text and Markdown ---------------------------------------------------- */

static void put_policies(FILE *out, const struct hrow *h, void (*esc)(FILE *, const char *))
{
    if (h->n_pols == 0) {
        fputs("-", out);
    }
    for (size_t i = 0; i < h->n_pols; i++) {
        const struct diff_policy_counts *p = &h->pols[i];
        fputs(i ? "; " : "", out);
        esc(out, p->policy_id);
        fprintf(out, " %s (%zu fail, %zu pass", p->n_fail > 0 ? "FAIL" : "pass", p->n_fail,
                p->n_pass);
        if (p->n_warn > 0) {
            fprintf(out, ", %zu warn", p->n_warn);
        }
        if (p->n_inconclusive > 0) {
            fprintf(out, ", %zu inconclusive", p->n_inconclusive);
        }
        if (p->n_waived > 0) {
            fprintf(out, ", %zu waived", p->n_waived);
        }
        fputs(")", out);
    }
}

/* put_row writes one row: a Markdown table row, or a text line whose
 * fields are labelled (they vary in width, so no column can line up). */
static void put_row(FILE *out, const struct hrow *h, bool md)
{
    void (*esc)(FILE *, const char *) = md ? esc_markdown : esc_visible;
    const struct cert_fact *leaf = hrow_leaf(h);
    const char *ip = h->r->ip[0] != '\0' ? h->r->ip : "-";
    const char *sni = h->r->sni != NULL ? h->r->sni : "-";
    char when[32], day[16];
    util_iso_time(h->d->info.started_ms, when, sizeof(when));
    if (leaf != NULL) {
        util_iso_date(leaf->not_after, day, sizeof(day));
    }
    if (md) {
        fprintf(out, "| %s | %lld | %s | %s | ", when, (long long)h->d->info.id, h->d->info.state,
                target_status_name(h->r->status));
        esc(out, ip);
        fputs(" | ", out);
        esc(out, sni);
        fprintf(out, " | %s | %zu | %.16s | %s | ", h->versions, h->n_suites,
                leaf != NULL ? leaf->sha256 : "-", leaf != NULL ? day : "-");
        put_policies(out, h, esc);
        fputs(" |\n", out);
        return;
    }
    fprintf(out, "%s  scan %lld  %s  %s  ", when, (long long)h->d->info.id, h->d->info.state,
            target_status_name(h->r->status));
    esc(out, ip);
    fputs(" SNI ", out);
    esc(out, sni);
    fprintf(out, "  %s  %zu suites  ", h->versions, h->n_suites);
    if (leaf != NULL) {
        fprintf(out, "leaf %.16s expires %s  ", leaf->sha256, day);
    } else {
        fputs("no certificate  ", out);
    }
    put_policies(out, h, esc);
    fputs("\n", out);
}

static void put_header(FILE *out, const char *host, uint16_t port, bool md,
                       void (*esc)(FILE *, const char *))
{
    bool v6 = strchr(host, ':') != NULL;
    fputs(md ? "## tlsaudit history: " : "tlsaudit history: ", out);
    fputs(v6 ? "[" : "", out);
    esc(out, host);
    fprintf(out, "%s:%u (oldest first)\n\n", v6 ? "]" : "", (unsigned)port);
    if (md) {
        fputs("| when | scan | state | status | address | SNI | versions | suites | leaf SHA-256 "
              "| expires | policies |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|\n",
              out);
    }
}

/* ---- JSON --------------------------------------------------------------------- */

/* jtext: a JSON string for s with non-UTF-8 bytes made visible; null for
 * NULL or "". */
static json_t *jtext(const char *s)
{
    if (s == NULL || s[0] == '\0') {
        return json_null();
    }
    json_t *j = json_string(s);
    if (j != NULL) {
        return j;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL) {
        return NULL;
    }
    esc_visible(m, s);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    j = json_stringn(buf, len);
    free(buf);
    return j;
}

static json_t *jrow(const struct hrow *h)
{
    char when[32], day[16];
    const struct cert_fact *leaf = hrow_leaf(h);
    json_t *versions = json_array();
    json_t *pols = json_array();
    json_t *o = json_object();
    int bad = versions == NULL || pols == NULL || o == NULL;
    for (int v = 0; v < WV_COUNT && !bad; v++) {
        if (diff_version_accepted(h->r, (enum wire_version)v)) {
            bad |= json_array_append_new(versions,
                                         json_string(wire_version_name((enum wire_version)v)));
        }
    }
    for (size_t i = 0; i < h->n_pols && !bad; i++) {
        const struct diff_policy_counts *p = &h->pols[i];
        bad |= json_array_append_new(
            pols,
            json_pack("{s:o, s:s, s:I, s:I, s:I, s:I, s:I}", "policy", jtext(p->policy_id),
                      "verdict", p->n_fail > 0 ? "fail" : "pass", "fail", (json_int_t)p->n_fail,
                      "pass", (json_int_t)p->n_pass, "warn", (json_int_t)p->n_warn, "inconclusive",
                      (json_int_t)p->n_inconclusive, "waived", (json_int_t)p->n_waived));
    }
    if (bad) {
        json_decref(versions);
        json_decref(pols);
        json_decref(o);
        return NULL;
    }
    bad |= json_object_set_new(o, "scan_id", json_integer((json_int_t)h->d->info.id));
    bad |= json_object_set_new(
        o, "started", json_string(util_iso_time(h->d->info.started_ms, when, sizeof(when))));
    bad |= json_object_set_new(o, "scan_state", json_string(h->d->info.state));
    bad |= json_object_set_new(o, "target_id", json_integer((json_int_t)h->d->target_ids[h->t]));
    bad |= json_object_set_new(o, "ip", jtext(h->r->ip));
    bad |= json_object_set_new(o, "sni", jtext(h->r->sni));
    bad |= json_object_set_new(o, "status", json_string(target_status_name(h->r->status)));
    bad |= json_object_set_new(o, "versions", versions);
    bad |= json_object_set_new(o, "suites", json_integer((json_int_t)h->n_suites));
    if (leaf != NULL) {
        bad |= json_object_set_new(o, "leaf",
                                   json_pack("{s:s, s:s, s:o}", "sha256", leaf->sha256, "not_after",
                                             util_iso_date(leaf->not_after, day, sizeof(day)),
                                             "subject", jtext(leaf->subject)));
        bad |= json_object_set_new(o, "chain_trusted", json_boolean(h->r->chain.trusted));
    } else {
        bad |= json_object_set_new(o, "leaf", json_null());
        bad |= json_object_set_new(o, "chain_trusted", json_null());
    }
    bad |= json_object_set_new(o, "policies", pols);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int cmd_history(int argc, char **argv)
{
    struct option long_opts[N_HISTORY_OPTS + 1];
    opts_to_getopt(history_opts, N_HISTORY_OPTS, long_opts);

    const char *db_path = getenv("TLSAUDIT_DB");
    enum report_format format = REPORT_TEXT;
    struct store *store = NULL;
    struct store_target_ref *refs = NULL;
    size_t n_refs = 0;
    struct report_data data = {0};
    bool have_data = false;
    char *host = NULL;
    uint16_t port = 0;
    json_t *rows = NULL;
    char err[1024];
    int rc = EXIT_USAGE;

    if (db_path == NULL || db_path[0] == '\0') {
        db_path = "tlsaudit.db";
    }
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            db_path = optarg;
            break;
        case OPT_FORMAT:
            if (!report_format_parse(optarg, &format) ||
                (format != REPORT_TEXT && format != REPORT_JSON && format != REPORT_MARKDOWN)) {
                fprintf(stderr,
                        "tlsaudit history: --format: '%s' is not one of: text, json, markdown\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_HELP:
            history_usage(stdout);
            rc = EXIT_OK;
            goto out;
        case ':':
            fprintf(stderr,
                    "tlsaudit history: option '%s' needs a value (see 'tlsaudit history "
                    "--help')\n",
                    argv[optind - 1]);
            goto out;
        default:
            fprintf(stderr,
                    "tlsaudit history: unknown option '%s' (see 'tlsaudit history --help')\n",
                    argv[optind - 1]);
            goto out;
        }
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
    struct stat st;
    if (stat(db_path, &st) != 0) {
        fprintf(stderr,
                "tlsaudit history: cannot open database %s: %s (run 'tlsaudit scan' first)\n",
                db_path, strerror(errno));
        goto out;
    }
    if (store_open_readonly(db_path, &store, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit history: %s\n", err);
        goto out;
    }
    if (store_target_history(store, host, port, &refs, &n_refs) != 0) {
        fprintf(stderr, "tlsaudit history: %s\n", store_errmsg(store));
        goto out;
    }
    if (n_refs == 0) {
        fprintf(stderr, "tlsaudit history: no scan of %s (host %s, port %u) in %s\n", target, host,
                (unsigned)port, db_path);
        goto out;
    }
    if (format == REPORT_JSON) {
        rows = json_array();
        if (rows == NULL) {
            fprintf(stderr, "tlsaudit history: out of memory\n");
            goto out;
        }
    } else {
        put_header(stdout, host, port, format == REPORT_MARKDOWN,
                   format == REPORT_MARKDOWN ? esc_markdown : esc_visible);
    }
    for (size_t i = 0; i < n_refs; i++) {
        if (!have_data || data.info.id != refs[i].scan_id) {
            if (have_data) {
                report_data_cleanup(&data);
                have_data = false;
            }
            if (report_load(store, refs[i].scan_id, db_path, &data, err, sizeof(err)) != 0) {
                fprintf(stderr, "tlsaudit history: %s: %s\n", db_path, err);
                goto out;
            }
            have_data = true;
        }
        long t = report_target_index(&data, refs[i].target_id);
        if (t < 0) {
            /* Written between the two reads: not part of this snapshot. */
            continue;
        }
        struct hrow h;
        hrow_fill(&h, &data, (size_t)t);
        if (rows != NULL) {
            if (json_array_append_new(rows, jrow(&h)) != 0) {
                fprintf(stderr, "tlsaudit history: out of memory\n");
                goto out;
            }
        } else {
            put_row(stdout, &h, format == REPORT_MARKDOWN);
        }
    }
    if (rows != NULL) {
        json_t *root =
            json_pack("{s:s, s:i, s:{s:s, s:s}, s:{s:o, s:i}, s:s, s:O}", "schema",
                      "tlsaudit-history", "schema_version", HISTORY_JSON_SCHEMA_VERSION, "tool",
                      "name", PACKAGE_NAME, "version", PACKAGE_VERSION, "target", "host",
                      jtext(host), "port", (int)port, "order", "oldest_first", "scans", rows);
        if (root == NULL || json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
            int e = errno;
            struct cli_out so;
            char oerr[256];
            json_decref(root);
            cli_out_init(&so);
            if (root != NULL && cli_out_write_failed(&so, e, oerr, sizeof(oerr))) {
                fprintf(stderr, "tlsaudit history: writing the history to stdout: %s\n", oerr);
            } else {
                fprintf(stderr, "tlsaudit history: writing the JSON failed\n");
            }
            goto out;
        }
        json_decref(root);
        fputs("\n", stdout);
    }
    rc = EXIT_OK; /* a failed write to stdout: main's cli_stdout_finish, exit 2 */
out:
    json_decref(rows);
    if (have_data) {
        report_data_cleanup(&data);
    }
    free(refs);
    free(host);
    store_close(store);
    return rc;
}
