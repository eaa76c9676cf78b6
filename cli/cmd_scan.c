/*
 * cli/cmd_scan.c - `tlsaudit scan`: parse options, load targets, run the
 * scan session (cli/session.h: trust anchors, store, scanner, one
 * transaction per finished target), print each target as it finishes,
 * then the optional policy run and the stored scan rendered, and choose
 * the exit code.
 *
 * Order matters for "nothing stored is lost": every piece of user input is
 * checked (options, targets, policies, CA file, output file) before the
 * database is opened, so a usage error never touches it. SIGINT/SIGTERM
 * stop the scan after the probes in flight, and the scan is then marked
 * "interrupted".
 *
 * Output (cli/output.h): text and JSON stream into stdout or a temporary
 * file next to -o FILE, renamed over FILE only when the run ends without
 * error (exit 0, 1 or 3). A failed write or close is exit 2, and the
 * message says what the store holds by then (scan id, targets, state,
 * policy runs); an exit 2 after storing leaves -o FILE as it was.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/check.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "cli/expiry.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/scan_args.h"
#include "cli/session.h"
#include "common/util.h"
#include "reports/json.h"
#include "reports/report.h"
#include "reports/text.h"
#include "scanner/scan.h"
#include "scanner/target.h"

/* ---- what the session tells us ------------------------------------------ */

/* The streaming output while the session runs (its callbacks' argument). */
struct scan_out {
    FILE *out;
    bool json;
    bool quiet; /* csv, junit, markdown, html: nothing until the scan is stored */
    bool color;
    const char *db_path;
    const char *trust_store;
    int64_t target_budget_ms; /* written into the JSON scan object */
    struct json_report *jr;
};

static int out_ready(void *arg, int64_t scan_id, int64_t started_ms, char *err, size_t err_len)
{
    struct scan_out *so = arg;
    if (!so->json) {
        return 0;
    }
    struct json_scan_info info = {scan_id, started_ms, so->db_path, so->trust_store};
    so->jr = json_report_new(&info);
    if (so->jr == NULL || json_report_scan_limit(so->jr, so->target_budget_ms) != 0) {
        snprintf(err, err_len, "out of memory, or no temporary file for the JSON document");
        return -1;
    }
    return 0;
}

static int out_target(void *arg, const struct target_result *r)
{
    struct scan_out *so = arg;
    if (so->json) {
        return json_report_add_target(so->jr, r) != 0 ? -1 : 0;
    }
    if (!so->quiet) {
        text_print_target(so->out, r, so->color);
        fflush(so->out);
    }
    return 0;
}

static void out_progress(void *arg, size_t n_done, size_t n_units)
{
    (void)arg;
    fprintf(stderr, "\rtlsaudit: %zu/%zu targets done", n_done, n_units);
    if (n_done == n_units) {
        fputc('\n', stderr);
    }
}

static void out_warning(void *arg, const char *text)
{
    (void)arg;
    fprintf(stderr, "tlsaudit: warning: %s\n", text);
}

static volatile sig_atomic_t stop_flag;

/* Every access to stop_flag is an atomic builtin (lock-free on an int, so
 * async-signal-safe): the handler and the main thread write it, the scan's
 * threads (scan.c, probe.c, handshake.c) read it. */
static void on_signal(int sig)
{
    (void)sig;
    __atomic_store_n(&stop_flag, 1, __ATOMIC_SEQ_CST);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second signal ends the process at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Returns the command line as one string for provenance (caller frees). */
static char *join_args(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++) {
        len += strlen(argv[i]) + 1;
    }
    char *s = malloc(len);
    if (s == NULL) {
        return NULL;
    }
    size_t off = 0;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]);
        memcpy(s + off, argv[i], n);
        off += n;
        s[off++] = i + 1 < argc ? ' ' : '\0';
    }
    if (off == 0) {
        s[0] = '\0';
    }
    return s;
}

/* ---- after the scan: policies, the stored scan rendered, the exit ------- */

/* What happens after the session ran, and its outcome. */
struct scan_after {
    const struct cli_common *c;
    const struct scan_args *a;
    struct session *ss;
    struct scan_out *so;
    struct policy **pols;
    bool text;
    int check_exit;
    bool check_failed;
    bool report_failed;
    char runs_stored[512]; /* the policy runs check_evaluate_scan stored */
    struct report_data rdata;
    bool have_rdata;
    int n_expiring; /* certificates failing --fail-on-expiring */
};

/* scan_policy_check evaluates --policy over the stored scan. Policies read
 * the facts back from the store, as `tlsaudit check` does, so both give
 * the same findings; JSON output nests the check document in the scan
 * document (written to a temporary file that json_report_write copies into
 * its place: memory flat in the number of targets); csv, junit, markdown,
 * html render the stored findings later (the check's own text report goes
 * to a temporary file and is not shown then). */
static void scan_policy_check(struct scan_after *x)
{
    char err[1024];
    FILE *out = x->so->out;
    struct check_options co = {
        .gate = {.fail_on = x->c->fail_on, .fail_on_inconclusive = x->c->fail_on_inconclusive},
        .json = x->so->json,
        .json_ascii = true,
        .db_path = x->c->db_path};
    FILE *cout = x->text ? out : tmpfile();
    if (x->text) {
        fputc('\n', out);
    }
    if (cout == NULL ||
        check_evaluate_scan(x->ss->store, x->ss->scan_id, x->pols, x->a->n_policy_names, &co, cout,
                            &x->check_exit, x->runs_stored, sizeof(x->runs_stored), err,
                            sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: policy check: %s\n",
                cout ? err : "no temporary file for the check report");
        x->check_failed = true;
    }
    if (x->text || cout == NULL) {
        return;
    }
    if (x->so->json && !x->check_failed && ferror(cout)) {
        fprintf(stderr, "tlsaudit scan: policy check: writing it to a temporary file failed\n");
        x->check_failed = true;
    }
    if (!x->so->json || x->check_failed) {
        fclose(cout);
    } else if (json_report_attach_file(x->so->jr, "policy_check", cout) != 0) {
        fprintf(stderr, "tlsaudit scan: policy check: out of memory\n");
        x->check_failed = true;
    }
}

/* scan_expiring_json attaches the expiring certificates to the JSON. */
static void scan_expiring_json(struct scan_after *x, const struct report_options *ro)
{
    char err[1024];
    char *ebuf = NULL;
    size_t elen = 0;
    FILE *eout = open_memstream(&ebuf, &elen);
    int erc = eout == NULL ? -1 : report_write_expiring_json(eout, &x->rdata, ro, err, sizeof(err));
    if (eout != NULL && fclose(eout) != 0) {
        erc = -1;
    }
    if (erc != 0 || json_report_attach(x->so->jr, "expiring", ebuf, elen) != 0) {
        fprintf(stderr, "tlsaudit scan: listing the expiring certificates failed\n");
        x->report_failed = true;
    }
    free(ebuf);
}

/* scan_stream_stored renders the stored scan in a format other than text
 * and JSON (CSV, Markdown, JUnit, SARIF: report_streams) one target at a
 * time (report_stream: memory flat in the number of targets). */
static void scan_stream_stored(struct scan_after *x)
{
    char err[1024];
    struct report_data d;
    struct report_options ro = {
        .color = x->so->color, .now_ms = 0, .expiring_days = x->c->expiring};
    bool fails = false; /* the exit code is the scan's and the check's */
    if (report_load_heads(x->ss->store, x->ss->scan_id, x->c->db_path, &d, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: reading the scan back: %s\n", err);
        x->report_failed = true;
        return;
    }
    if (report_stream(x->so->out, x->a->format, x->ss->store, &d, &ro, &fails, err, sizeof(err)) !=
        0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        x->report_failed = true;
    }
    report_data_cleanup(&d);
}

/* scan_render_stored reads the stored scan back for what the streaming
 * output cannot say: the other formats and the expiring certificates. */
static void scan_render_stored(struct scan_after *x)
{
    char err[1024];
    bool json = x->so->json;
    int expiring = x->c->expiring;
    bool gate = x->c->fail_on_expiring >= 0;
    if (x->ss->store_failed || x->check_failed || (expiring < 0 && !gate && (x->text || json))) {
        return;
    }
    if (expiring < 0 && (x->text || json)) {
        /* only the gate: one target at a time, the scan not loaded whole */
        x->n_expiring =
            cli_expiry_gate_scan("scan", x->ss->store, x->ss->scan_id, x->c->fail_on_expiring);
        x->report_failed = x->n_expiring < 0;
        return;
    }
    if (!x->text && !json && report_streams(x->a->format, expiring >= 0)) {
        scan_stream_stored(x);
        if (gate) {
            x->n_expiring =
                cli_expiry_gate_scan("scan", x->ss->store, x->ss->scan_id, x->c->fail_on_expiring);
            x->report_failed = x->report_failed || x->n_expiring < 0;
        }
        return;
    }
    if (report_load(x->ss->store, x->ss->scan_id, x->c->db_path, &x->rdata, err, sizeof(err)) !=
        0) {
        fprintf(stderr, "tlsaudit scan: reading the scan back: %s\n", err);
        x->report_failed = true;
        return;
    }
    x->have_rdata = true;
    struct report_options ro = {.color = x->so->color, .now_ms = 0, .expiring_days = expiring};
    if (x->text && expiring >= 0 &&
        report_write_expiring_text(x->so->out, &x->rdata, &ro, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        x->report_failed = true;
    }
    if (json && expiring >= 0) {
        scan_expiring_json(x, &ro);
    }
    if (!x->text && !json &&
        report_write(x->so->out, x->a->format, &x->rdata, &ro, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        x->report_failed = true;
    }
    if (gate) {
        x->n_expiring = cli_expiry_gate("scan", &x->rdata, x->c->fail_on_expiring);
        x->report_failed = x->report_failed || x->n_expiring < 0;
    }
}

/* scan_exit_code: the precedence of the --help text. */
static int scan_exit_code(const struct scan_after *x)
{
    const struct session *ss = x->ss;
    if (ss->store_failed) {
        fprintf(stderr, "tlsaudit scan: %s: %s (the targets stored before this are kept)\n",
                x->c->db_path, ss->store_err);
        return EXIT_USAGE;
    }
    if (__atomic_load_n(&stop_flag, __ATOMIC_SEQ_CST)) {
        fprintf(stderr, "tlsaudit scan: interrupted; %zu finished target%s stored in %s\n",
                ss->n_done, ss->n_done == 1 ? "" : "s", x->c->db_path);
        return EXIT_SCAN_ERROR;
    }
    if (ss->scan_rc < 0) {
        fprintf(stderr, "tlsaudit scan: could not start the scan threads\n");
        return EXIT_SCAN_ERROR;
    }
    if (x->check_failed || x->report_failed) {
        return EXIT_USAGE;
    }
    if (x->check_exit == EXIT_FINDINGS || x->n_expiring > 0) {
        return EXIT_FINDINGS;
    }
    return ss->n_failed > 0 ? EXIT_SCAN_ERROR : EXIT_OK;
}

/* scan_finish_output commits or discards the output for exit code rc and,
 * when the output or the run failed, says what was stored. Returns the
 * exit code. */
static int scan_finish_output(struct scan_after *x, struct cli_out *o, int rc, bool json_failed,
                              int json_errno)
{
    const struct session *ss = x->ss;
    char oerr[256] = "";
    bool out_failed = false;
    if (json_failed) {
        if (!cli_out_write_failed(o, json_errno, oerr, sizeof(oerr))) {
            snprintf(oerr, sizeof(oerr), "the JSON document could not be built (out of memory)");
        }
        out_failed = true;
        cli_out_discard(o);
    } else if (rc == EXIT_USAGE) {
        cli_out_discard(o);
    } else if (cli_out_commit(o, oerr, sizeof(oerr)) != 0) {
        out_failed = true;
    }
    if (!out_failed && rc != EXIT_USAGE) {
        return rc;
    }
    char what[1024];
    int n =
        snprintf(what, sizeof(what), "scan %lld was stored in %s with %zu target%s",
                 (long long)ss->scan_id, x->c->db_path, ss->n_stored, ss->n_stored == 1 ? "" : "s");
    if (n > 0 && (size_t)n < sizeof(what)) {
        snprintf(what + n, sizeof(what) - (size_t)n, " (state %s)%s%s",
                 ss->finish_stored ? ss->state : "running; the next open marks it incomplete",
                 x->runs_stored[0] ? " and " : "", x->runs_stored);
    }
    if (out_failed) {
        fprintf(stderr, "tlsaudit scan: %s; the output to %s was not written: %s\n", what,
                cli_out_name(o), oerr);
    } else {
        fprintf(stderr, "tlsaudit scan: %s%s%s%s\n", what, o->path ? "; " : "",
                o->path ? o->path : "", o->path ? " was left as it was" : "");
    }
    return EXIT_USAGE;
}

/* scan_json_cross adds to the streamed JSON the rows the store computed
 * across targets once the scan was stored (drown_shared_key): the JSON's
 * targets were added in the order they were stored, the order they read
 * back in. A failure leaves the document without them, on stderr. */
/* One scan_json_cross walk: the targets' index in the JSON. */
struct scan_cross_walk {
    struct json_report *jr;
    size_t i;
};

static int scan_cross_target(void *arg, struct target_result *t, int64_t id)
{
    struct scan_cross_walk *w = arg;
    (void)id;
    for (size_t k = 0; k < t->probes.n_items; k++) {
        const struct probe_result *p = &t->probes.items[k];
        if (strcmp(p->id, "drown_shared_key") == 0 && json_report_add_probe(w->jr, w->i, p) != 0) {
            fprintf(stderr, "tlsaudit scan: the JSON lacks %s of target %zu\n", p->id, w->i);
        }
    }
    w->i++;
    return 0;
}

static void scan_json_cross(struct scan_after *x)
{
    /* One target at a time: the scan is not read back whole. */
    struct scan_cross_walk w = {.jr = x->so->jr};
    if (store_each_target(x->ss->store, x->ss->scan_id, scan_cross_target, &w) != 0) {
        fprintf(stderr, "tlsaudit scan: reading the scan back: %s\n", store_errmsg(x->ss->store));
    }
}

/* scan_after_run is everything after a session that ran: the summary
 * line, the policy run, the stored scan rendered, the exit code, the
 * output committed. */
static int scan_after_run(struct scan_after *x, struct cli_out *o)
{
    struct session *ss = x->ss;
    if (x->text) {
        fprintf(x->so->out, "Scan %lld %s: %zu target%s scanned, %zu not scanned; stored in %s\n",
                (long long)ss->scan_id, ss->state, ss->n_done - ss->n_failed,
                ss->n_done - ss->n_failed == 1 ? "" : "s", ss->n_failed, x->c->db_path);
    }
    x->check_exit = EXIT_OK;
    if (x->a->n_policy_names > 0 && !ss->store_failed) {
        scan_policy_check(x);
    }
    scan_render_stored(x);
    if (x->so->json && !ss->store_failed) {
        scan_json_cross(x);
    }
    bool json_failed =
        x->so->json && json_report_write(x->so->jr, x->so->out, ss->finished_ms, ss->state) != 0;
    int json_errno = errno;
    int rc = scan_finish_output(x, o, scan_exit_code(x), json_failed, json_errno);
    if (x->c->quiet) {
        fprintf(stderr,
                "tlsaudit scan: scan %lld %s: %zu target%s scanned, %zu not scanned%s%s; "
                "stored in %s; exit %d\n",
                (long long)ss->scan_id, ss->state, ss->n_done - ss->n_failed,
                ss->n_done - ss->n_failed == 1 ? "" : "s", ss->n_failed,
                x->check_exit == EXIT_FINDINGS ? "; policy findings fail the gate" : "",
                x->n_expiring > 0 ? "; certificates expire within --fail-on-expiring" : "",
                x->c->db_path, rc);
    }
    return rc;
}

/* ---- the command ---------------------------------------------------------- */

/* scan_out_setup fills the streaming output of the session; with --quiet,
 * text meant for stdout goes to /dev/null (*sink, the caller closes it;
 * -o FILE still gets it). Returns 0, or -1 after printing. */
static int scan_out_setup(struct scan_out *so, const struct cli_common *c,
                          const struct scan_args *a, struct cli_out *o, FILE **sink)
{
    if (c->quiet && a->format == REPORT_TEXT && c->out_path == NULL &&
        (*sink = fopen("/dev/null", "w")) == NULL) {
        fprintf(stderr, "tlsaudit scan: --quiet: /dev/null: %s\n", strerror(errno));
        return -1;
    }
    *so = (struct scan_out){.out = *sink != NULL ? *sink : o->f,
                            .json = a->format == REPORT_JSON,
                            .quiet = a->format != REPORT_JSON && a->format != REPORT_TEXT,
                            .color = cli_color(c, o),
                            .db_path = c->db_path,
                            .trust_store = a->so.ca_file ? a->so.ca_file : "system",
                            .target_budget_ms = a->so.target_budget_ms};
    return 0;
}

int cmd_scan(int argc, char **argv)
{
    struct cli_common c;
    struct scan_args a = {0};
    struct session ss = {0};
    struct cli_out o;
    struct scan_out so = {0};
    struct scan_after x = {.c = &c, .a = &a, .ss = &ss, .so = &so};
    char *cmdline = NULL;
    FILE *quiet_sink = NULL;
    char err[1024];
    int rc = EXIT_USAGE;

    target_list_init(&a.targets);
    cli_out_init(&o);
    int prc = scan_parse(argc, argv, &c, &a);
    a.so.stop = &stop_flag;
    if (prc != 0) {
        rc = prc > 0 ? EXIT_OK : EXIT_USAGE;
        goto out;
    }
    if (a.n_policy_names > 0 && policy_run_load_policies(a.policy_names, a.n_policy_names, &x.pols,
                                                         err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: --policy: %s\n", err);
        goto out;
    }
    cmdline = join_args(argc, argv);
    a.so.cmdline = cmdline;
    if (session_init(&ss, &a.so, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        goto out;
    }
    /* -o FILE: a temporary file next to it, renamed over it at the end. */
    if (cli_output_open(&scan_cmd, &c, &o) != 0) {
        goto out;
    }
    /* Before the first packet: only what catches a wrong --db (reads). */
    if (session_open_store(&ss, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        goto out;
    }
    install_signals();
    if (scan_out_setup(&so, &c, &a, &o, &quiet_sink) != 0) {
        goto out;
    }
    bool progress = a.targets.n_items > 1 && isatty(STDERR_FILENO) && !c.quiet;
    struct session_progress sp = {.arg = &so,
                                  .on_ready = out_ready,
                                  .on_target_done = out_target,
                                  .on_progress = progress ? out_progress : NULL,
                                  .on_warning = c.quiet ? NULL : out_warning};
    if (session_run(&ss, &a.targets, &sp, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        if (ss.store_failed) {
            fprintf(stderr, "tlsaudit scan: %s: %s\n", c.db_path, ss.store_err);
        }
        goto out;
    }
    x.text = a.format == REPORT_TEXT;
    rc = scan_after_run(&x, &o);
out:
    free(cmdline);
    if (quiet_sink != NULL) {
        fclose(quiet_sink);
    }
    cli_out_discard(&o);
    if (x.have_rdata) {
        report_data_cleanup(&x.rdata);
    }
    policy_run_free_policies(x.pols, a.n_policy_names);
    json_report_free(so.jr);
    session_cleanup(&ss);
    target_list_cleanup(&a.targets);
    return rc;
}
