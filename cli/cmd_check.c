/*
 * cli/cmd_check.c - `tlsaudit check`: evaluate policies over a stored scan
 * without touching the network, store the findings, report them, and
 * choose the exit code. check_evaluate_scan is also what `tlsaudit scan
 * --policy` calls after its scan (cli/check.h).
 *
 * Pipeline position: the policy-run service (policies/run.c: the targets
 * read one at a time, policy_eval, the findings staged, then stored) ->
 * report (text or JSON; each target's part written to a temporary file as
 * it is evaluated, the whole report once the findings are stored) -> exit
 * code. Memory does not grow with the number of targets.
 *
 * Invariants:
 * - Every piece of input is checked before anything is stored: options,
 *   then every policy (one invalid policy: exit 2, nothing stored), then
 *   the output file, then the database (which must exist: check never
 *   creates one) and the scan id.
 * - The report is written only after the findings are stored (one
 *   transaction per policy, policies/run.c), so what the report says is
 *   what the database holds.
 * - Targets not scanned appear in the report as such and give exit 3.
 * - Exit precedence: 2 (usage, policy, database, output) > 1 (a FAIL at or
 *   above --fail-on, not waived) > 3 (a target not scanned, or a scan that
 *   did not complete) > 0.
 * - The report itself (text, JSON) is rendered by reports/check_report.c;
 *   SARIF by reports/report_sarif_stream.c from the scan read back one
 *   target at a time with only the policy runs this evaluation stored, so
 *   it says what `report --format sarif --run ID` of them would; all three
 *   in memory flat in the number of targets.
 * - -o FILE is written through a temporary file renamed only when complete
 *   (cli/output.h); an output error after the findings were stored is
 *   exit 2 with the policy runs stored named.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/check.h"
#include "cli/common.h"
#include "cli/expiry.h"
#include "cli/opts.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "config.h"
#include "reports/check_report.h"
#include "reports/report.h"

/* ---- the evaluation and its report -------------------------------------- */

/* check_exit_code: 1 before 3 before 0 (cli/check.h). */
static int check_exit_code(const struct policy_run *run)
{
    struct policy_run_summary sum;
    policy_run_summarize(run, &sum);
    if (sum.gate_fails) {
        return EXIT_FINDINGS;
    }
    if (sum.n_not_scanned > 0 || !sum.complete) {
        return EXIT_SCAN_ERROR;
    }
    return EXIT_OK;
}

/* One check_evaluate_scan while the policy run walks the targets: each
 * target's part of the report goes to a temporary file (body) as it is
 * evaluated, the totals are added up; the head names the stored runs, so
 * the whole report is written once they are stored. */
struct check_walk {
    struct check_report rep;
    struct check_totals tot;
    FILE *body;
    bool json;
    size_t n_written;
    int saved_errno; /* of a failed write to body */
};

static int check_on_target(void *arg, const struct policy_run *r, const struct policy_run_target *t)
{
    struct check_walk *w = arg;
    struct check_target ct = {.target = t->target, .id = t->id, .findings = t->findings};
    w->rep.info = &r->info;
    w->rep.evaluated_ms = r->evaluated_ms;
    check_report_add_totals(&w->rep, &ct, &w->tot);
    if (w->json) {
        if (check_report_json_target(w->body, &w->rep, &ct, w->n_written == 0) != 0) {
            w->saved_errno = errno;
            return -1;
        }
    } else {
        check_report_text_target(w->body, &w->rep, &ct);
    }
    w->n_written++;
    if (ferror(w->body)) {
        w->saved_errno = errno;
        return -1;
    }
    return 0;
}

/* check_write_report writes the whole report to out once the runs are
 * stored. Returns 0, or -1 with err set (errno kept for the caller). */
static int check_write_report(FILE *out, struct check_walk *w, const struct policy_run *run,
                              char *err, size_t err_len)
{
    w->rep.info = &run->info;
    w->rep.evaluated_ms = run->evaluated_ms;
    w->rep.run_ids = run->run_ids;
    w->rep.n_targets = run->n_targets;
    int rc = w->json ? check_report_json_finish(out, &w->rep, w->body, w->n_written, &w->tot,
                                                check_exit_code(run))
                     : check_report_text_finish(out, &w->rep, w->body, &w->tot);
    if (rc != 0) {
        snprintf(err, err_len, "writing the %s report failed", w->json ? "JSON" : "text");
    }
    return rc;
}

/* check_write_sarif renders the stored scan with only the policy runs of
 * run (the evaluation just stored) as SARIF, one target at a time. Returns
 * 0 or -1 with err. */
static int check_write_sarif(struct store *s, const struct policy_run *run,
                             const struct check_options *opts, FILE *out, char *err, size_t err_len)
{
    struct report_data d;
    if (report_load_heads(s, run->scan_id, opts->db_path, &d, err, err_len) != 0) {
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < d.n_runs; i++) {
        bool ours = false;
        for (size_t k = 0; k < run->n_stored; k++) {
            ours = ours || run->run_ids[k] == d.runs[i].id;
        }
        if (ours) {
            d.runs[n++] = d.runs[i];
        } else {
            store_run_cleanup(&d.runs[i]);
        }
    }
    d.n_runs = n;
    struct report_options ro = {.now_ms = opts->now_ms, .expiring_days = -1};
    bool fails = false; /* the exit code is the evaluation's (check_exit_code) */
    int rc = report_stream_sarif(out, s, &d, &ro, &fails, err, err_len);
    report_data_cleanup(&d);
    return rc;
}

int check_evaluate_scan(struct store *s, int64_t scan_id, struct policy *const *pols, size_t n_pols,
                        const struct check_options *opts, FILE *out, int *out_exit, char *stored,
                        size_t stored_len, char *err, size_t err_len)
{
    struct policy_run run = {0};
    int ret = -1;
    int saved_errno = 0;
    struct check_walk w = {
        .rep = {.scan_id = scan_id,
                .db_path = opts->db_path,
                .gate = opts->gate,
                .pols = pols,
                .n_pols = n_pols,
                .ascii = opts->json_ascii},
        .json = opts->json,
    };
    stored[0] = '\0';
    w.body = tmpfile();
    if (w.body == NULL) {
        snprintf(err, err_len, "a temporary file for the report: %s", strerror(errno));
        goto out;
    }
    int prc = policy_run_scan(s, scan_id, pols, n_pols, &opts->gate, opts->now_ms, check_on_target,
                              &w, &run, err, err_len);
    snprintf(stored, stored_len, "%s", run.stored);
    if (prc != 0) {
        if (w.saved_errno != 0) {
            saved_errno = w.saved_errno;
            snprintf(err, err_len, "writing the report to a temporary file failed: %s",
                     strerror(saved_errno));
        }
        goto out;
    }
    if (opts->sarif ? check_write_sarif(s, &run, opts, out, err, err_len) != 0
                    : check_write_report(out, &w, &run, err, err_len) != 0) {
        saved_errno = errno; /* the caller asks the stream why (cli/output.h) */
        goto out;
    }
    *out_exit = check_exit_code(&run);
    ret = 0;
out:
    if (w.body != NULL) {
        fclose(w.body);
    }
    policy_run_cleanup(&run);
    if (saved_errno != 0) {
        errno = saved_errno;
    }
    return ret;
}

/* ---- the command ---------------------------------------------------------- */

enum check_opt_id {
    OPT_POLICY = 'p',
    OPT_FORMAT = CLI_OPT_OWN,
};

/* The one table of check options: getopt_long and --help both come from it. */
static const struct opt_doc check_opts[] = {
    {"policy", required_argument, OPT_POLICY, "P",
     "evaluate policy P: a shipped name (see 'tlsaudit policies list') or a YAML file; "
     "repeat for several (required)"},
    CLI_DOC_SCAN("evaluate"),
    {"db", required_argument, CLI_OPT_DB, "FILE",
     "SQLite database (default: $TLSAUDIT_DB, else ./tlsaudit.db); must exist"},
    {"fail-on", required_argument, CLI_OPT_FAIL_ON, "SEV",
     "exit 1 when a finding fails at or above SEV: info, low, medium, high (default), "
     "critical"},
    CLI_DOC_FAIL_ON_INCONCLUSIVE,
    CLI_DOC_FAIL_ON_EXPIRING,
    {"format", required_argument, OPT_FORMAT, "F",
     "output format: text (default), json or sarif (SARIF 2.1.0: the failing findings of this "
     "evaluation)"},
    CLI_DOC_QUIET("write no text report to stdout (-o FILE and --format json or sarif still get "
                  "it); "
                  "errors and one summary line on stderr"),
    CLI_DOC_OUTPUT("report"),
    CLI_DOC_HELP,
};

static const struct cli_cmd check_cmd = {
    .name = "check",
    .shortopts = ":p:o:h",
    CLI_CMD_OPTS(check_opts),
    .help_width = 27, /* --fail-on-expiring DAYS */
    .help_head = "Usage: tlsaudit check --policy P [--policy P...] [--scan ID | --latest]\n"
                 "                      [OPTIONS]\n"
                 "\n"
                 "Evaluate policies over a stored scan without touching the network: each\n"
                 "policy on each target the scan reached (status ok or no-tls). The findings\n"
                 "of each policy are stored in the database in one transaction, with the\n"
                 "policy's id, version, SHA-256 and the gate (--fail-on,\n"
                 "--fail-on-inconclusive), then reported: per target and policy its verdict\n"
                 "at the gate (pass; FAIL: a finding fails at or above --fail-on; NOT\n"
                 "DEMONSTRATED: none fails there but one there is inconclusive), the verdict\n"
                 "counts and every finding that is not a pass, with its rule id, severity,\n"
                 "requirement and evidence. 'tlsaudit report' of the scan says the same.\n"
                 "\n"
                 "Options:\n",
    .help_tail = "\n"
                 "Exit codes (the first that applies):\n"
                 "  2  usage, policy, database or output error; an invalid policy is\n"
                 "     rejected with FILE:LINE:COLUMN and no finding is stored; when the\n"
                 "     report fails after the findings were stored, they stay stored, the\n"
                 "     message names the policy runs and -o FILE is left as it was\n"
                 "  1  a finding fails at or above --fail-on and is not waived (the target\n"
                 "     is 'fail'); with --fail-on-inconclusive also a target that is 'not\n"
                 "     demonstrated': nothing fails at the gate, but a finding at or above\n"
                 "     --fail-on is inconclusive (without the option it exits as compliant\n"
                 "     and the report says 'not demonstrated'); or a certificate of the\n"
                 "     scan expires within --fail-on-expiring DAYS\n"
                 "  3  a target of the scan could not be scanned, or the scan did not\n"
                 "     complete (interrupted, incomplete, still running)\n"
                 "  0  no target fails at the gate\n",
};

/* check's own options: the policy names (room for argc) and the format. */
struct check_args {
    char **names;
    size_t n_names;
    enum report_format format;
};

static int check_own(void *arg, int id, const char *v)
{
    struct check_args *a = arg;
    if (id == OPT_POLICY) {
        a->names[a->n_names++] = (char *)v;
        return 0;
    }
    enum report_format f;
    unsigned allowed = CLI_FORMAT(REPORT_TEXT) | CLI_FORMAT(REPORT_JSON) | CLI_FORMAT(REPORT_SARIF);
    if (cli_format(&check_cmd, v, allowed, &f) != 0) {
        return -1;
    }
    a->format = f;
    return 0;
}

/* check_report_failed says why the evaluation or its report failed, and
 * what was stored before (stored: "" for nothing). */
static void check_report_failed(const struct cli_common *c, struct cli_out *o, const char *stored,
                                const char *err)
{
    int e = errno;
    char oerr[256];
    if (stored[0] != '\0' && cli_out_write_failed(o, e, oerr, sizeof(oerr))) {
        fprintf(stderr, "tlsaudit check: stored in %s: %s; the report to %s was not written: %s\n",
                c->db_path, stored, cli_out_name(o), oerr);
        return;
    }
    fprintf(stderr, "tlsaudit check: %s\n", err);
    if (stored[0] != '\0') {
        fprintf(stderr, "tlsaudit check: stored in %s: %s; %s\n", c->db_path, stored,
                o->path ? "the report was not written and the old file was kept"
                        : "the report is incomplete");
    }
}

/* check_after applies --fail-on-expiring to the stored scan and, with
 * --quiet, writes the summary line. Returns the exit code (1 before 3). */
static int check_after(const struct cli_common *c, struct store *store, int64_t scan_id,
                       const char *stored, int code)
{
    int n_exp = 0, policy_code = code;
    if (c->fail_on_expiring >= 0) {
        /* one target at a time: the scan is not loaded whole */
        n_exp = cli_expiry_gate_scan("check", store, scan_id, c->fail_on_expiring);
        if (n_exp < 0) {
            return EXIT_USAGE;
        }
        code = n_exp > 0 ? EXIT_FINDINGS : code;
    }
    if (c->quiet) {
        fprintf(stderr, "tlsaudit check: stored %s in %s; %s%s; exit %d\n", stored, c->db_path,
                policy_code == EXIT_FINDINGS ? "findings fail the gate"
                : policy_code == EXIT_OK     ? "compliant"
                                             : "a target not scanned or the scan not complete",
                n_exp > 0 ? "; certificates expire within --fail-on-expiring" : "", code);
    }
    return code;
}

int cmd_check(int argc, char **argv)
{
    struct cli_common c;
    struct check_args a = {0};
    struct policy **pols = NULL;
    struct store *store = NULL;
    struct cli_out o;
    char err[1024];
    char stored[1024] = "";
    int rc = EXIT_USAGE;
    int64_t scan_id = 0;

    cli_out_init(&o);
    a.names = calloc((size_t)argc + 1, sizeof(*a.names));
    if (a.names == NULL) {
        fprintf(stderr, "tlsaudit check: out of memory\n");
        goto out;
    }
    int prc = cli_parse(&check_cmd, argc, argv, &c, check_own, &a);
    if (prc != 0) {
        rc = prc > 0 ? EXIT_OK : EXIT_USAGE;
        goto out;
    }
    if (cli_no_operands(&check_cmd, argc, argv) != 0 || cli_scan_choice(&check_cmd, &c) != 0) {
        goto out;
    }
    if (a.n_names == 0) {
        fprintf(stderr, "tlsaudit check: no policy (give --policy NAME|FILE; see 'tlsaudit "
                        "check --help')\n");
        goto out;
    }
    /* Every policy first: one invalid policy and nothing is evaluated. */
    if (policy_run_load_policies(a.names, a.n_names, &pols, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit check: %s\n", err);
        goto out;
    }
    /* -o FILE: a temporary file next to it, renamed over it when complete. */
    if (cli_db_exists(&check_cmd, &c) != 0 || cli_output_open(&check_cmd, &c, &o) != 0) {
        goto out;
    }
    if (store_open(c.db_path, &store, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit check: %s\n", err);
        goto out;
    }
    if (cli_resolve_scan(&check_cmd, &c, store, true, &scan_id) != 0) {
        goto out;
    }
    struct check_options opts = {
        .gate = {.fail_on = c.fail_on, .fail_on_inconclusive = c.fail_on_inconclusive},
        .json = a.format == REPORT_JSON,
        .sarif = a.format == REPORT_SARIF,
        .db_path = c.db_path};
    int code = EXIT_USAGE;
    /* --quiet: the text report to stdout goes nowhere (a file or JSON still gets it). */
    bool text = a.format == REPORT_TEXT;
    FILE *rout = c.quiet && text && c.out_path == NULL ? fopen("/dev/null", "w") : o.f;
    int erc = rout == NULL ? -1
                           : check_evaluate_scan(store, scan_id, pols, a.n_names, &opts, rout,
                                                 &code, stored, sizeof(stored), err, sizeof(err));
    if (rout != NULL && rout != o.f) {
        fclose(rout);
    }
    if (erc != 0) {
        check_report_failed(&c, &o, stored, rout == NULL ? "cannot open /dev/null" : err);
        goto out;
    }
    char oerr[256];
    if (cli_out_commit(&o, oerr, sizeof(oerr)) != 0) {
        fprintf(stderr, "tlsaudit check: stored in %s: %s; the report to %s was not written: %s\n",
                c.db_path, stored, cli_out_name(&o), oerr);
        goto out;
    }
    rc = check_after(&c, store, scan_id, stored, code);
out:
    cli_out_discard(&o);
    store_close(store);
    policy_run_free_policies(pols, pols != NULL ? a.n_names : 0);
    free(a.names);
    return rc;
}
