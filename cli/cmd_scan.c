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
#include "cli/opts.h"
#include "cli/output.h"
#include "cli/session.h"
#include "common/util.h"
#include "reports/json.h"
#include "reports/report.h"
#include "reports/text.h"
#include "scanner/scan.h"
#include "scanner/target.h"

#define DEFAULT_JOBS 4
#define DEFAULT_TIMEOUT_S 10
#define MAX_JOBS 256
#define MAX_TIMEOUT_S 600
#define MAX_TARGET_BUDGET_S 86400
#define MAX_POLICIES 64
#define STARTTLS_DEFAULT_MAX_CONN 2

enum opt_id {
    OPT_TARGETS = 'f',
    OPT_JOBS = 'j',
    OPT_TIMEOUT = CLI_OPT_OWN,
    OPT_CA_FILE,
    OPT_SNI,
    OPT_FIRST_IP,
    OPT_FORMAT,
    OPT_NO_ENUM,
    OPT_MAX_CONN,
    OPT_MAX_CONN_TOTAL,
    OPT_POLICY,
    OPT_OFFLINE,
    OPT_HSTS,
    OPT_HTTP_REDIRECT,
    OPT_TARGET_BUDGET,
    OPT_NO_VULNS,
    OPT_IDS_FRIENDLY,
    OPT_STARTTLS,
    OPT_GREETING_TIMEOUT,
    OPT_XMPP_HOST,
};

/* The one table of scan options: getopt_long and --help both come from it. */
static const struct opt_doc scan_opts[] = {
    {"targets", required_argument, OPT_TARGETS, "FILE",
     "read targets from FILE (one per line: TARGET [sni=NAME] [tags=TAG,...] "
     "[starttls=PROTO]; '#' comments; '-' = stdin)"},
    {"db", required_argument, CLI_OPT_DB, "FILE",
     "SQLite database (default: $TLSAUDIT_DB, else ./tlsaudit.db)"},
    {"jobs", required_argument, OPT_JOBS, "N",
     "GnuTLS handshakes and certificate work for N targets in parallel (1-256, default 4)"},
    {"timeout", required_argument, OPT_TIMEOUT, "S",
     "seconds allowed for each connect and each handshake (1-600, default 10)"},
    {"target-budget", required_argument, OPT_TARGET_BUDGET, "S",
     "seconds for each target's enumeration and, on their own, its handshakes; what is not "
     "finished then is recorded as inconclusive and the target as partial (0-86400, 0 = no "
     "limit; default 20 x --timeout)"},
    {"ca-file", required_argument, OPT_CA_FILE, "FILE",
     "trust only the CA certificates in FILE (PEM or DER, a regular file of at most 64 MiB) "
     "instead of the system store"},
    {"sni", required_argument, OPT_SNI, "NAME",
     "send NAME as SNI (and check the certificate against it) for targets without sni="},
    {"starttls", required_argument, OPT_STARTTLS, "PROTO",
     "the application protocol of targets without starttls=: auto (default: by port, see "
     "below), none (TLS from the first byte), or one of smtp, lmtp, imap, pop3, sieve, ftp, "
     "nntp, irc, ldap, xmpp, xmpp-server, postgres, mysql (STARTTLS) and smtps, imaps, pop3s, "
     "ldaps, ftps, xmpps, dot (direct TLS)"},
    {"greeting-timeout", required_argument, OPT_GREETING_TIMEOUT, "S",
     "STARTTLS targets: seconds allowed for the server's greeting and the plaintext dialogue, "
     "on top of --timeout (1-600, default --timeout); a late greeting is retried once"},
    {"xmpp-host", required_argument, OPT_XMPP_HOST, "NAME",
     "XMPP targets: the domain of the stream header's to= (default: the SNI or host)"},
    {"first-ip", no_argument, OPT_FIRST_IP, NULL,
     "scan only the first address a name resolves to (default: every address)"},
    {"no-enumerate", no_argument, OPT_NO_ENUM, NULL,
     "skip the raw-ClientHello enumeration (SSLv2-TLS 1.3, every suite, order, groups); "
     "only the GnuTLS handshakes and the certificate work"},
    {"max-conn", required_argument, OPT_MAX_CONN, "N",
     "enumeration: connections open at once per target (1-64, default 4; 2 for STARTTLS "
     "targets, which mail servers rate-limit, unless given)"},
    {"max-conn-total", required_argument, OPT_MAX_CONN_TOTAL, "N",
     "enumeration: connections open at once in all (1-4096, default 64)"},
    {"policy", required_argument, OPT_POLICY, "P",
     "after the scan, evaluate policy P (a shipped name, see 'tlsaudit policies list', or a "
     "YAML file); may be repeated"},
    {"fail-on", required_argument, CLI_OPT_FAIL_ON, "SEV",
     "exit 1 when a policy finding fails at or above SEV (info, low, medium, high, critical; "
     "default high) and is not waived"},
    CLI_DOC_FAIL_ON_INCONCLUSIVE,
    {"format", required_argument, OPT_FORMAT, "F",
     "output format: text (default; each target as it finishes) or json (the scan document), "
     "or csv, junit, markdown, html (the stored scan rendered as 'tlsaudit report' does, "
     "after the scan and its --policy evaluation)"},
    {"expiring", required_argument, CLI_OPT_EXPIRING, "DAYS",
     "also list every certificate of every served chain that expires within DAYS "
     "(expired ones included)"},
    CLI_DOC_OUTPUT("output"),
    CLI_DOC_COLOR,
    {"offline", no_argument, OPT_OFFLINE, NULL,
     "fetch nothing besides the handshakes: no OCSP, CRL, CA-issuer (AIA) or HTTP requests; "
     "revocation is then 'not checked' (policies: inconclusive)"},
    {"hsts", no_argument, OPT_HSTS, NULL,
     "ask every target for its Strict-Transport-Security header (default: targets on port "
     "443 only)"},
    {"http-redirect", no_argument, OPT_HTTP_REDIRECT, NULL,
     "also check that plain HTTP on port 80 of each target redirects to HTTPS"},
    {"no-vulns", no_argument, OPT_NO_VULNS, NULL,
     "run no vulnerability check (POODLE, BEAST, SWEET32, ... and the probes that send "
     "their own hellos); each is stored as not-run, so a policy that needs it is "
     "inconclusive"},
    {"ids-friendly", no_argument, OPT_IDS_FRIENDLY, NULL,
     "leave out the checks whose traffic an IDS may flag as an attack (Heartbleed, CCS "
     "injection, ROBOT, Ticketbleed); each is stored as not-run"},
    CLI_DOC_HELP,
};

static const struct cli_cmd scan_cmd = {
    .name = "scan",
    .shortopts = ":f:j:o:h",
    CLI_CMD_OPTS(scan_opts),
    .help_width = 26,
    .help_head = "Usage: tlsaudit scan [OPTIONS] [TARGET...]\n"
                 "\n"
                 "Scan TLS servers. For each target and each address it resolves to:\n"
                 "  - enumeration with raw ClientHellos: for SSLv2, SSLv3 and TLS 1.0-1.3,\n"
                 "    every registry cipher suite the server accepts, its order, the TLS 1.2\n"
                 "    and 1.3 groups, TLS 1.2 signature schemes, key-exchange sizes and the\n"
                 "    extensions it echoes (all targets share one event loop);\n"
                 "  - one GnuTLS handshake per version TLS 1.0-1.3 (what a real client\n"
                 "    negotiates), the certificate chain and its validation;\n"
                 "  - every other chain the server serves (a server may hold an RSA and\n"
                 "    an ECDSA certificate, or another one for clients without SNI): one\n"
                 "    handshake per authentication type (RSA, ECDSA, EdDSA, DSA) and one\n"
                 "    without SNI; each new chain is validated and checked like the first;\n"
                 "  - revocation of every served certificate (OCSP, else the CRL; the\n"
                 "    stapled response compared), missing issuers fetched through AIA,\n"
                 "    and the HSTS header of HTTPS targets (port 443, or --hsts), unless\n"
                 "    --offline. OCSP responses, CRLs and issuers are cached in the\n"
                 "    database until their nextUpdate / expiry.\n"
                 "Results are stored in SQLite (one transaction per finished target) and\n"
                 "written to stdout (or -o FILE) in the --format chosen.\n"
                 "\n"
                 "TARGET is host, host:port, [ipv6]:port or a bare IPv6 address; the port\n"
                 "defaults to 443. A DNS name is also sent as SNI and checked against the\n"
                 "certificate; for an IP address the certificate's IP SANs are checked.\n"
                 "\n"
                 "STARTTLS: with --starttls auto (the default) a target on a well-known port\n"
                 "speaks its protocol first and every probe runs after its upgrade: 25 and\n"
                 "587 smtp, 24 lmtp, 110 pop3, 143 imap, 4190 sieve, 21 ftp, 119 nntp,\n"
                 "6667 irc, 389 ldap, 5222 xmpp, 5269 xmpp-server, 5432 postgres, 3306\n"
                 "mysql; 465, 993, 995, 636, 990, 5223 and 853 are direct TLS; every\n"
                 "other port (443 ...) is plain TLS with no dialogue. A server that does\n"
                 "not offer STARTTLS is a scan error with that reason (exit 3), stored\n"
                 "with what it offered before TLS (plaintext logins).\n"
                 "\n"
                 "Options:\n",
    .help_tail = "\n"
                 "Exit codes, in this precedence: 2 usage, input, policy, database or output\n"
                 "error (before the scan starts nothing is stored; after it, what is stored\n"
                 "stays stored and the message says what it is; -o FILE is then left as it\n"
                 "was); 1 a policy finding fails at or above --fail-on and is not waived\n"
                 "(with --fail-on-inconclusive also a target 'not demonstrated': an\n"
                 "inconclusive finding at or above --fail-on and none failing there);\n"
                 "3 at least one target could not be scanned (unresolvable, unreachable,\n"
                 "silent, a STARTTLS server that does not upgrade) or the scan was\n"
                 "interrupted; 0 otherwise.\n",
};

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
    char err[1024];
};

/* The numeric options: their range and how the error names the value. */
static const struct scan_number {
    int id;
    const char *name;
    unsigned long min, max;
    const char *what; /* "'X' is not WHAT from MIN to MAX" */
    size_t field;     /* offset of the unsigned long in struct scan_args */
} scan_numbers[] = {
    {OPT_JOBS, "jobs", 1, MAX_JOBS, "a number", offsetof(struct scan_args, jobs)},
    {OPT_TIMEOUT, "timeout", 1, MAX_TIMEOUT_S, "a whole number of seconds",
     offsetof(struct scan_args, timeout_s)},
    {OPT_TARGET_BUDGET, "target-budget", 0, MAX_TARGET_BUDGET_S, "a whole number of seconds",
     offsetof(struct scan_args, target_budget_s)},
    {OPT_MAX_CONN, "max-conn", 1, 64, "a number", offsetof(struct scan_args, max_conn)},
    {OPT_GREETING_TIMEOUT, "greeting-timeout", 1, MAX_TIMEOUT_S, "a whole number of seconds",
     offsetof(struct scan_args, greeting_s)},
    {OPT_MAX_CONN_TOTAL, "max-conn-total", 1, 4096, "a number",
     offsetof(struct scan_args, max_conn_total)},
};

/* scan_number parses a numeric option; 1 when id is not one. */
static int scan_number(struct scan_args *a, int id, const char *v)
{
    for (size_t i = 0; i < sizeof(scan_numbers) / sizeof(scan_numbers[0]); i++) {
        const struct scan_number *n = &scan_numbers[i];
        if (n->id != id) {
            continue;
        }
        if (!util_parse_ulong(v, n->min, n->max, (unsigned long *)((char *)a + n->field))) {
            fprintf(stderr, "tlsaudit scan: --%s: '%s' is not %s from %lu to %lu\n", n->name, v,
                    n->what, n->min, n->max);
            return -1;
        }
        a->have_target_budget = a->have_target_budget || id == OPT_TARGET_BUDGET;
        a->have_max_conn = a->have_max_conn || id == OPT_MAX_CONN;
        return 0;
    }
    return 1;
}

/* scan_own handles scan's own options (cli_own_fn). */
static int scan_own(void *arg, int id, const char *v)
{
    struct scan_args *a = arg;
    int rc = scan_number(a, id, v);
    if (rc != 1) {
        return rc;
    }
    switch (id) {
    case OPT_TARGETS:
        if (target_list_load_file(&a->targets, v, a->err, sizeof(a->err)) != 0) {
            fprintf(stderr, "tlsaudit scan: %s\n", a->err);
            return -1;
        }
        return 0;
    case OPT_CA_FILE:
        a->so.ca_file = v;
        return 0;
    case OPT_NO_ENUM:
        a->so.enumerate = false;
        return 0;
    case OPT_OFFLINE:
        a->so.offline = true;
        return 0;
    case OPT_HSTS:
        a->so.hsts_all = true;
        return 0;
    case OPT_HTTP_REDIRECT:
        a->so.http_redirect = true;
        return 0;
    case OPT_NO_VULNS:
        a->so.no_vulns = true;
        return 0;
    case OPT_IDS_FRIENDLY:
        a->so.ids_friendly = true;
        return 0;
    case OPT_FIRST_IP:
        a->so.first_ip = true;
        return 0;
    case OPT_POLICY:
        if (a->n_policy_names == MAX_POLICIES) {
            fprintf(stderr, "tlsaudit scan: --policy: at most 64 policies\n");
            return -1;
        }
        a->policy_names[a->n_policy_names++] = (char *)v;
        return 0;
    case OPT_STARTTLS:
        if (starttls_resolve(v, TARGET_DEFAULT_PORT) == NULL) {
            char names[512];
            starttls_names(names, sizeof(names));
            fprintf(stderr,
                    "tlsaudit scan: --starttls: unknown protocol '%s' (expected one of: %s)\n", v,
                    names);
            return -1;
        }
        a->so.starttls = v;
        return 0;
    case OPT_XMPP_HOST:
        if (!target_valid_sni(v) && !target_is_ip_literal(v)) {
            fprintf(stderr, "tlsaudit scan: --xmpp-host: '%s' is not a DNS name\n", v);
            return -1;
        }
        a->so.xmpp_host = v;
        return 0;
    case OPT_SNI:
        if (!target_valid_sni(v)) {
            fprintf(stderr, "tlsaudit scan: --sni: '%s' is not a DNS host name\n", v);
            return -1;
        }
        a->so.sni = v;
        return 0;
    default: /* OPT_FORMAT */
        return cli_format(&scan_cmd, v, CLI_FORMATS_ALL, &a->format);
    }
}

/* scan_operands adds the TARGET arguments; -1 after printing. */
static int scan_operands(struct scan_args *a, int argc, char **argv)
{
    for (int i = optind; i < argc; i++) {
        char origin[32];
        snprintf(origin, sizeof(origin), "argument %d", i - optind + 1);
        if (target_list_add(&a->targets, argv[i], NULL, NULL, origin, a->err, sizeof(a->err)) !=
            0) {
            fprintf(stderr, "tlsaudit scan: %s\n", a->err);
            return -1;
        }
    }
    if (a->targets.n_items == 0) {
        fprintf(stderr, "tlsaudit scan: no targets (give TARGET arguments or -f FILE; see "
                        "'tlsaudit scan --help')\n");
        return -1;
    }
    return 0;
}

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
        snprintf(err, err_len, "out of memory");
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
    char *check_buf;
    size_t check_len;
    struct report_data rdata;
    bool have_rdata;
};

/* scan_policy_check evaluates --policy over the stored scan. Policies read
 * the facts back from the store, as `tlsaudit check` does, so both give
 * the same findings; JSON output nests the check document in the scan
 * document; csv, junit, markdown, html render the stored findings later
 * (the check's own text report is not shown then). */
static void scan_policy_check(struct scan_after *x)
{
    char err[1024];
    FILE *out = x->so->out;
    struct check_options co = {
        .gate = {.fail_on = x->c->fail_on, .fail_on_inconclusive = x->c->fail_on_inconclusive},
        .json = x->so->json,
        .db_path = x->c->db_path};
    FILE *cout = x->text ? out : open_memstream(&x->check_buf, &x->check_len);
    if (x->text) {
        fputc('\n', out);
    }
    if (cout == NULL ||
        check_evaluate_scan(x->ss->store, x->ss->scan_id, x->pols, x->a->n_policy_names, &co, cout,
                            &x->check_exit, x->runs_stored, sizeof(x->runs_stored), err,
                            sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: policy check: %s\n", cout ? err : "out of memory");
        x->check_failed = true;
    }
    if (!x->text && cout != NULL) {
        fclose(cout);
    }
    if (x->so->json && cout != NULL && !x->check_failed &&
        json_report_attach(x->so->jr, "policy_check", x->check_buf, x->check_len) != 0) {
        fprintf(stderr, "tlsaudit scan: policy check: unreadable JSON\n");
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

/* scan_render_stored reads the stored scan back for what the streaming
 * output cannot say: the other formats and the expiring certificates. */
static void scan_render_stored(struct scan_after *x)
{
    char err[1024];
    bool json = x->so->json;
    int expiring = x->c->expiring;
    if (x->ss->store_failed || x->check_failed || (expiring < 0 && (x->text || json))) {
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
    if (x->check_exit == EXIT_FINDINGS) {
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
    bool json_failed =
        x->so->json && json_report_write(x->so->jr, x->so->out, ss->finished_ms, ss->state) != 0;
    int json_errno = errno;
    int rc = scan_exit_code(x);
    return scan_finish_output(x, o, rc, json_failed, json_errno);
}

/* ---- the command ---------------------------------------------------------- */

/* scan_parse parses argv into c and a. Returns 0, 1 after --help, -1 after
 * an error. */
static int scan_parse(int argc, char **argv, struct cli_common *c, struct scan_args *a)
{
    a->jobs = DEFAULT_JOBS;
    a->timeout_s = DEFAULT_TIMEOUT_S;
    a->max_conn = 4;
    a->max_conn_total = 64;
    a->so.enumerate = true;
    a->format = REPORT_TEXT;
    int prc = cli_parse(&scan_cmd, argc, argv, c, scan_own, a);
    if (prc != 0) {
        return prc;
    }
    if (scan_operands(a, argc, argv) != 0) {
        return -1;
    }
    int timeout_ms = (int)a->timeout_s * 1000;
    a->so.db_path = c->db_path;
    a->so.jobs = (int)a->jobs;
    a->so.max_conn = (unsigned)a->max_conn;
    a->so.max_conn_total = (unsigned)a->max_conn_total;
    a->so.timeout_ms = timeout_ms;
    a->so.greeting_timeout_ms = (int)a->greeting_s * 1000; /* 0: --timeout */
    a->so.starttls_max_conn = a->have_max_conn ? (unsigned)a->max_conn : STARTTLS_DEFAULT_MAX_CONN;
    a->so.target_budget_ms = a->have_target_budget ? (int64_t)a->target_budget_s * 1000
                                                   : scan_budget_default(timeout_ms);
    a->so.stop = &stop_flag;
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
    char err[1024];
    int rc = EXIT_USAGE;

    target_list_init(&a.targets);
    cli_out_init(&o);
    int prc = scan_parse(argc, argv, &c, &a);
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
    so = (struct scan_out){.out = o.f,
                           .json = a.format == REPORT_JSON,
                           .quiet = a.format != REPORT_JSON && a.format != REPORT_TEXT,
                           .color = cli_color(&c, &o),
                           .db_path = c.db_path,
                           .trust_store = a.so.ca_file ? a.so.ca_file : "system",
                           .target_budget_ms = a.so.target_budget_ms};
    bool progress = a.targets.n_items > 1 && isatty(STDERR_FILENO);
    struct session_progress sp = {.arg = &so,
                                  .on_ready = out_ready,
                                  .on_target_done = out_target,
                                  .on_progress = progress ? out_progress : NULL,
                                  .on_warning = out_warning};
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
    cli_out_discard(&o);
    if (x.have_rdata) {
        report_data_cleanup(&x.rdata);
    }
    free(x.check_buf);
    policy_run_free_policies(x.pols, a.n_policy_names);
    json_report_free(so.jr);
    session_cleanup(&ss);
    target_list_cleanup(&a.targets);
    return rc;
}
