/*
 * cli/cmd_scan.c - `tlsaudit scan`: parse options, load targets and trust
 * anchors, open the store, run the scan, store and print each target as it
 * finishes, and choose the exit code.
 *
 * Order matters for "nothing stored is lost": every piece of user input is
 * checked (options, targets, CA file, output file) before the database is
 * opened, so a usage error never touches it. Each finished target is
 * committed in its own transaction; SIGINT/SIGTERM stop the scan after the
 * probes in flight, and the scan is then marked "interrupted".
 *
 * The database stays off the critical path: before the first packet only
 * store_open_check runs (reads only: a wrong --db still fails with exit 2
 * before any traffic). Then scan_run starts on its own thread while this
 * thread does the writing part (store_prepare: WAL, migrations, abandoned
 * scans; the fetch cache preload; the scan row; the JSON writer) and opens
 * the ready gate. Deliveries (on_result) and revocation checks wait for
 * the gate; everything they read in scan_run_ctx is written before it
 * opens. If the writing part fails, the gate opens failed, the stop flag
 * ends the scan, and the error is printed with exit 2; nothing was stored.
 *
 * Output (cli/output.h): text and JSON stream into stdout or a temporary
 * file next to -o FILE, renamed over FILE only when the run ends without
 * error (exit 0, 1 or 3). A failed write or close is exit 2, and the
 * message says what the store holds by then (scan id, targets, state,
 * policy runs); an exit 2 after storing leaves -o FILE as it was.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/check.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "common/util.h"
#include "config.h"
#include "reports/json.h"
#include "reports/report.h"
#include "reports/text.h"
#include "scanner/handshake.h"
#include "common/model/registry.h"
#include "scanner/scan.h"
#include "scanner/target.h"
#include "scanner/x509.h"
#include "store/store.h"

#define DEFAULT_JOBS 4
#define DEFAULT_TIMEOUT_S 10
#define MAX_JOBS 256
#define MAX_TIMEOUT_S 600
#define MAX_TARGET_BUDGET_S 86400

enum opt_id {
    OPT_TARGETS = 'f',
    OPT_JOBS = 'j',
    OPT_OUTPUT = 'o',
    OPT_HELP = 'h',
    OPT_DB = 256,
    OPT_TIMEOUT,
    OPT_CA_FILE,
    OPT_SNI,
    OPT_FIRST_IP,
    OPT_FORMAT,
    OPT_COLOR,
    OPT_NO_ENUM,
    OPT_MAX_CONN,
    OPT_MAX_CONN_TOTAL,
    OPT_POLICY,
    OPT_FAIL_ON,
    OPT_EXPIRING,
    OPT_OFFLINE,
    OPT_HSTS,
    OPT_HTTP_REDIRECT,
    OPT_TARGET_BUDGET,
};

/* The one table of scan options: getopt_long and --help both come from it. */
static const struct opt_doc scan_opts[] = {
    {"targets", required_argument, OPT_TARGETS, "FILE",
     "read targets from FILE (one per line: TARGET [sni=NAME] [tags=TAG,...]; '#' comments; "
     "'-' = stdin)"},
    {"db", required_argument, OPT_DB, "FILE",
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
     "trust only the CA certificates in FILE (PEM) instead of the system store"},
    {"sni", required_argument, OPT_SNI, "NAME",
     "send NAME as SNI (and check the certificate against it) for targets without sni="},
    {"first-ip", no_argument, OPT_FIRST_IP, NULL,
     "scan only the first address a name resolves to (default: every address)"},
    {"no-enumerate", no_argument, OPT_NO_ENUM, NULL,
     "skip the raw-ClientHello enumeration (SSLv2-TLS 1.3, every suite, order, groups); "
     "only the GnuTLS handshakes and the certificate work"},
    {"max-conn", required_argument, OPT_MAX_CONN, "N",
     "enumeration: connections open at once per target (1-64, default 4)"},
    {"max-conn-total", required_argument, OPT_MAX_CONN_TOTAL, "N",
     "enumeration: connections open at once in all (1-4096, default 64)"},
    {"policy", required_argument, OPT_POLICY, "P",
     "after the scan, evaluate policy P (a shipped name, see 'tlsaudit policies list', or a "
     "YAML file); may be repeated"},
    {"fail-on", required_argument, OPT_FAIL_ON, "SEV",
     "exit 1 when a policy finding fails at or above SEV (info, low, medium, high, critical; "
     "default high) and is not waived"},
    {"format", required_argument, OPT_FORMAT, "F",
     "output format: text (default; each target as it finishes) or json (the scan document), "
     "or csv, junit, markdown, html (the stored scan rendered as 'tlsaudit report' does, "
     "after the scan and its --policy evaluation)"},
    {"expiring", required_argument, OPT_EXPIRING, "DAYS",
     "also list every certificate of every served chain that expires within DAYS "
     "(expired ones included)"},
    {"output", required_argument, OPT_OUTPUT, "FILE",
     "write the output to FILE (replaced only when complete), not stdout"},
    {"color", required_argument, OPT_COLOR, "WHEN",
     "colour the text output: auto (default: on a terminal, unless NO_COLOR is set), "
     "always, never"},
    {"offline", no_argument, OPT_OFFLINE, NULL,
     "fetch nothing besides the handshakes: no OCSP, CRL, CA-issuer (AIA) or HTTP requests; "
     "revocation is then 'not checked' (policies: inconclusive)"},
    {"hsts", no_argument, OPT_HSTS, NULL,
     "ask every target for its Strict-Transport-Security header (default: targets on port "
     "443 only)"},
    {"http-redirect", no_argument, OPT_HTTP_REDIRECT, NULL,
     "also check that plain HTTP on port 80 of each target redirects to HTTPS"},
    {"help", no_argument, OPT_HELP, NULL, "show this help"},
};
#define N_SCAN_OPTS (sizeof(scan_opts) / sizeof(scan_opts[0]))

static void scan_usage(FILE *out)
{
    fprintf(out, "Usage: tlsaudit scan [OPTIONS] [TARGET...]\n"
                 "\n"
                 "Scan TLS servers. For each target and each address it resolves to:\n"
                 "  - enumeration with raw ClientHellos: for SSLv2, SSLv3 and TLS 1.0-1.3,\n"
                 "    every registry cipher suite the server accepts, its order, the TLS 1.2\n"
                 "    and 1.3 groups, TLS 1.2 signature schemes, key-exchange sizes and the\n"
                 "    extensions it echoes (all targets share one event loop);\n"
                 "  - one GnuTLS handshake per version TLS 1.0-1.3 (what a real client\n"
                 "    negotiates), the certificate chain and its validation;\n"
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
                 "Options:\n");
    opts_print(out, scan_opts, N_SCAN_OPTS, 24);
    fprintf(out, "\n"
                 "Exit codes, in this precedence: 2 usage, input, policy, database or output\n"
                 "error (before the scan starts nothing is stored; after it, what is stored\n"
                 "stays stored and the message says what it is; -o FILE is then left as it\n"
                 "was); 1 a policy finding fails at or above --fail-on and is not waived;\n"
                 "3 at least one target could not be scanned (unresolvable, unreachable,\n"
                 "silent) or the scan was interrupted; 0 otherwise.\n");
}

struct scan_run_ctx {
    struct store *store;
    struct revoc_cache *cache;
    int64_t scan_id;
    FILE *out;
    bool json;
    bool quiet; /* csv, junit, markdown, html: nothing until the scan is stored */
    bool color;
    struct json_report *jr;
    size_t n_done;
    size_t n_stored; /* targets committed to the store */
    size_t n_failed;
    bool store_failed;
    char store_err[512];
};

/* cache_put stores one verified fetch (revoc_cache_drain callback). */
static int cache_put(void *arg, const char *kind, const char *key, const unsigned char *data,
                     size_t len, int64_t expires)
{
    return store_cache_put(arg, kind, key, data, len, expires);
}

/* cache_preload feeds one stored entry to the scan's cache. */
static int cache_preload(void *arg, const char *kind, const char *key, const unsigned char *data,
                         size_t len, int64_t expires)
{
    return revoc_cache_preload(arg, kind, key, data, len, expires);
}

static int on_result(const struct target_result *r, void *arg)
{
    struct scan_run_ctx *c = arg;
    if (store_put_target(c->store, c->scan_id, r) != 0) {
        c->store_failed = true;
        snprintf(c->store_err, sizeof(c->store_err), "%s", store_errmsg(c->store));
        return -1;
    }
    c->n_stored++;
    /* What this target's checks fetched and verified goes to the cache
     * table now, so a killed scan keeps it too. */
    if (c->cache != NULL && revoc_cache_drain(c->cache, cache_put, c->store) != 0) {
        c->store_failed = true;
        snprintf(c->store_err, sizeof(c->store_err), "%s", store_errmsg(c->store));
        return -1;
    }
    c->n_done++;
    if (r->status != TARGET_OK && r->status != TARGET_NO_TLS) {
        c->n_failed++;
    }
    if (c->json) {
        if (json_report_add_target(c->jr, r) != 0) {
            return -1;
        }
    } else if (!c->quiet) {
        text_print_target(c->out, r, c->color);
        fflush(c->out);
    }
    return 0;
}

static volatile sig_atomic_t stop_flag;

/* What the scan thread runs: scan_run, its result kept for the main
 * thread (read after pthread_join). */
struct scan_thread_arg {
    const struct target_list *targets;
    const struct scan_options *so;
    struct scan_run_ctx *ctx;
    int rc;
};

static void *scan_thread(void *arg)
{
    struct scan_thread_arg *a = arg;
    a->rc = scan_run(a->targets, a->so, on_result, a->ctx);
    return NULL;
}

/* prepare_store is the writing part of opening the store for a scan, run
 * while the scan already probes: WAL and migrations, the fetch cache
 * preload, the scan row, the JSON writer. Returns 0 and fills
 * *out_scan_id and *out_jr, or -1 with the message (the form the CLI
 * printed before) in err. */
static int prepare_store(struct store *store, const char *db_path, struct revoc_cache *cache,
                         const struct scan_meta *meta, bool json, int64_t *out_scan_id,
                         struct json_report **out_jr, char *err, size_t err_len)
{
    if (store_prepare(store) != 0) {
        snprintf(err, err_len, "%s", store_errmsg(store));
        return -1;
    }
    if (cache != NULL && store_cache_load(store, util_now_ms() / 1000, cache_preload, cache) != 0) {
        snprintf(err, err_len, "%s: %s", db_path, store_errmsg(store));
        return -1;
    }
    if (store_scan_begin(store, meta, out_scan_id) != 0) {
        snprintf(err, err_len, "%s: %s", db_path, store_errmsg(store));
        return -1;
    }
    if (json) {
        struct json_scan_info info = {*out_scan_id, meta->started_ms, db_path, meta->trust_store};
        *out_jr = json_report_new(&info);
        if (*out_jr == NULL) {
            snprintf(err, err_len, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* Every access to stop_flag is an atomic builtin (lock-free on an int, so
 * async-signal-safe): the handler and the main thread write it, the scan's
 * threads (scan.c, probe.c, handshake.c) read it. */
static void on_signal(int sig)
{
    (void)sig;
    __atomic_store_n(&stop_flag, 1, __ATOMIC_SEQ_CST);
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

int cmd_scan(int argc, char **argv)
{
    struct option long_opts[N_SCAN_OPTS + 1];
    opts_to_getopt(scan_opts, N_SCAN_OPTS, long_opts);

    struct target_list targets;
    target_list_init(&targets);
    const char *db_path = getenv("TLSAUDIT_DB");
    const char *ca_file = NULL;
    const char *sni = NULL;
    const char *out_path = NULL;
    const char *color_when = "auto";
    bool first_ip = false;
    bool json = false;
    enum report_format format = REPORT_TEXT;
    int expiring = -1;
    unsigned long expiring_days = 0;
    struct report_data rdata = {0};
    bool have_rdata = false;
    unsigned long jobs = DEFAULT_JOBS;
    unsigned long timeout_s = DEFAULT_TIMEOUT_S;
    unsigned long max_conn = 4;
    unsigned long max_conn_total = 64;
    unsigned long target_budget_s = 0;
    bool have_target_budget = false;
    bool enumerate = true;
    bool offline = false;
    bool hsts_all = false;
    bool http_redirect = false;
    struct revoc_cache *cache = NULL;
    char *policy_names[64];
    size_t n_policy_names = 0;
    struct policy **pols = NULL;
    enum severity fail_on = SEV_HIGH;
    char *check_buf = NULL;
    size_t check_len = 0;
    char err[1024];
    int rc = EXIT_USAGE;
    struct x509_trust *trust = NULL;
    struct store *store = NULL;
    struct json_report *jr = NULL;
    struct cli_out o;
    FILE *out = stdout;
    bool gnutls_ready = false;
    char *cmdline = NULL;
    struct scan_gate gate;
    bool gate_ready = false;

    cli_out_init(&o);
    if (db_path == NULL || db_path[0] == '\0') {
        db_path = "tlsaudit.db";
    }
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:j:o:h", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_TARGETS:
            if (target_list_load_file(&targets, optarg, err, sizeof(err)) != 0) {
                fprintf(stderr, "tlsaudit scan: %s\n", err);
                goto out;
            }
            break;
        case OPT_DB:
            db_path = optarg;
            break;
        case OPT_JOBS:
            if (!util_parse_ulong(optarg, 1, MAX_JOBS, &jobs)) {
                fprintf(stderr, "tlsaudit scan: --jobs: '%s' is not a number from 1 to %d\n",
                        optarg, MAX_JOBS);
                goto out;
            }
            break;
        case OPT_TIMEOUT:
            if (!util_parse_ulong(optarg, 1, MAX_TIMEOUT_S, &timeout_s)) {
                fprintf(stderr,
                        "tlsaudit scan: --timeout: '%s' is not a whole number of seconds from 1 "
                        "to %d\n",
                        optarg, MAX_TIMEOUT_S);
                goto out;
            }
            break;
        case OPT_CA_FILE:
            ca_file = optarg;
            break;
        case OPT_NO_ENUM:
            enumerate = false;
            break;
        case OPT_OFFLINE:
            offline = true;
            break;
        case OPT_HSTS:
            hsts_all = true;
            break;
        case OPT_HTTP_REDIRECT:
            http_redirect = true;
            break;
        case OPT_POLICY:
            if (n_policy_names == sizeof(policy_names) / sizeof(policy_names[0])) {
                fprintf(stderr, "tlsaudit scan: --policy: at most 64 policies\n");
                goto out;
            }
            policy_names[n_policy_names++] = optarg;
            break;
        case OPT_FAIL_ON:
            if (!severity_parse(optarg, &fail_on)) {
                fprintf(stderr,
                        "tlsaudit scan: --fail-on: '%s' is not one of: info, low, medium, high, "
                        "critical\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_MAX_CONN:
            if (!util_parse_ulong(optarg, 1, 64, &max_conn)) {
                fprintf(stderr, "tlsaudit scan: --max-conn: '%s' is not a number from 1 to 64\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_TARGET_BUDGET:
            if (!util_parse_ulong(optarg, 0, MAX_TARGET_BUDGET_S, &target_budget_s)) {
                fprintf(stderr,
                        "tlsaudit scan: --target-budget: '%s' is not a whole number of seconds "
                        "from 0 to %d\n",
                        optarg, MAX_TARGET_BUDGET_S);
                goto out;
            }
            have_target_budget = true;
            break;
        case OPT_MAX_CONN_TOTAL:
            if (!util_parse_ulong(optarg, 1, 4096, &max_conn_total)) {
                fprintf(stderr,
                        "tlsaudit scan: --max-conn-total: '%s' is not a number from 1 to 4096\n",
                        optarg);
                goto out;
            }
            break;
        case OPT_SNI:
            if (!target_valid_sni(optarg)) {
                fprintf(stderr, "tlsaudit scan: --sni: '%s' is not a DNS host name\n", optarg);
                goto out;
            }
            sni = optarg;
            break;
        case OPT_FIRST_IP:
            first_ip = true;
            break;
        case OPT_FORMAT:
            if (!report_format_parse(optarg, &format)) {
                fprintf(stderr, "tlsaudit scan: --format: '%s' is not one of: %s\n", optarg,
                        REPORT_FORMAT_NAMES);
                goto out;
            }
            json = format == REPORT_JSON;
            break;
        case OPT_EXPIRING:
            if (!util_parse_ulong(optarg, 0, 36500, &expiring_days)) {
                fprintf(stderr,
                        "tlsaudit scan: --expiring: '%s' is not a number of days (0 to 36500)\n",
                        optarg);
                goto out;
            }
            expiring = (int)expiring_days;
            break;
        case OPT_OUTPUT:
            out_path = optarg;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "always") != 0 &&
                strcmp(optarg, "never") != 0) {
                fprintf(stderr, "tlsaudit scan: --color: '%s' is not one of: auto, always, never\n",
                        optarg);
                goto out;
            }
            color_when = optarg;
            break;
        case OPT_HELP:
            scan_usage(stdout);
            rc = EXIT_OK;
            goto out;
        case ':':
            fprintf(stderr,
                    "tlsaudit scan: option '%s' needs a value (see 'tlsaudit scan --help')\n",
                    argv[optind - 1]);
            goto out;
        default:
            fprintf(stderr, "tlsaudit scan: unknown option '%s' (see 'tlsaudit scan --help')\n",
                    argv[optind - 1]);
            goto out;
        }
    }
    for (int i = optind; i < argc; i++) {
        char origin[32];
        snprintf(origin, sizeof(origin), "argument %d", i - optind + 1);
        if (target_list_add(&targets, argv[i], NULL, NULL, origin, err, sizeof(err)) != 0) {
            fprintf(stderr, "tlsaudit scan: %s\n", err);
            goto out;
        }
    }
    if (targets.n_items == 0) {
        fprintf(stderr, "tlsaudit scan: no targets (give TARGET arguments or -f FILE; see "
                        "'tlsaudit scan --help')\n");
        goto out;
    }
    if (n_policy_names > 0 &&
        policy_run_load_policies(policy_names, n_policy_names, &pols, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: --policy: %s\n", err);
        goto out;
    }
    if (handshake_global_init() != 0) {
        fprintf(stderr, "tlsaudit scan: GnuTLS could not be initialised\n");
        goto out;
    }
    gnutls_ready = true;
    handshake_set_stop_flag(&stop_flag);
    if (x509_trust_new(ca_file, &trust, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s%s\n", ca_file ? "--ca-file: " : "", err);
        goto out;
    }
    /* -o FILE: a temporary file next to it, renamed over it at the end. */
    if (cli_out_open(&o, out_path) != 0) {
        fprintf(stderr, "tlsaudit scan: --output: cannot write '%s': %s\n", out_path,
                strerror(errno));
        goto out;
    }
    out = o.f;
    /* Before the first packet: only what catches a wrong --db (reads). */
    if (store_open_check(db_path, &store, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        goto out;
    }
    if (!offline) {
        /* libcurl is loaded by the first fetch; one that cannot be loaded
         * makes every fetch inconclusive with the reason, not the scan fail. */
        if ((cache = revoc_cache_new()) == NULL) {
            fprintf(stderr, "tlsaudit scan: out of memory\n");
            goto out;
        }
    }

    cmdline = join_args(argc, argv);
    struct scan_meta meta = {
        .started_ms = util_now_ms(),
        .tool_version = PACKAGE_VERSION,
        .options = cmdline ? cmdline : "",
        .trust_store = ca_file ? ca_file : "system",
        .registry_version = registry_version,
    };
    int64_t scan_id = 0;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second signal ends the process at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    bool color =
        strcmp(color_when, "always") == 0 || (strcmp(color_when, "auto") == 0 && o.path == NULL &&
                                              isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL);
    /* scan_id and jr are filled in by prepare_store before the gate opens. */
    struct scan_run_ctx ctx = {.store = store,
                               .cache = cache,
                               .out = out,
                               .json = json,
                               .quiet = !json && format != REPORT_TEXT,
                               .color = color};
    struct revoc_options rvo = {
        .offline = offline, .timeout_ms = (int)timeout_s * 1000, .trust = trust, .cache = cache};
    struct http_options ho = {.hsts_all_ports = hsts_all,
                              .redirect = http_redirect,
                              .offline = offline,
                              .timeout_ms = (int)timeout_s * 1000};
    scan_gate_init(&gate);
    gate_ready = true;
    struct scan_options so = {
        .jobs = (int)jobs,
        .enumerate = enumerate,
        .max_conn = (unsigned)max_conn,
        .max_conn_total = (unsigned)max_conn_total,
        .progress = targets.n_items > 1 && isatty(STDERR_FILENO),
        .timeout_ms = (int)timeout_s * 1000,
        .target_budget_ms = have_target_budget ? (int64_t)target_budget_s * 1000
                                               : scan_budget_default((int)timeout_s * 1000),
        .first_ip = first_ip,
        .sni_override = sni,
        .trust = trust,
        .stop = &stop_flag,
        .revoc = &rvo,
        .http = &ho,
        .ready = &gate,
    };
    struct scan_thread_arg sta = {.targets = &targets, .so = &so, .ctx = &ctx, .rc = 0};
    pthread_t scan_tid;
    bool scan_threaded = pthread_create(&scan_tid, NULL, scan_thread, &sta) == 0;

    /* The writing part, while the scan probes. */
    char prep_err[sizeof(err)];
    bool prep_ok = prepare_store(store, db_path, cache, &meta, json, &scan_id, &jr, prep_err,
                                 sizeof(prep_err)) == 0;
    if (prep_ok) {
        ctx.scan_id = scan_id;
        ctx.jr = jr;
    } else {
        /* As a signal would: the probes in flight give up. */
        __atomic_store_n(&stop_flag, 1, __ATOMIC_SEQ_CST);
    }
    scan_gate_open(&gate, prep_ok);
    if (scan_threaded) {
        pthread_join(scan_tid, NULL);
    } else if (prep_ok) {
        scan_thread(&sta); /* no thread: scan after the preparation, as before */
    } else {
        sta.rc = 1;
    }
    if (!prep_ok) {
        fprintf(stderr, "tlsaudit scan: %s\n", prep_err);
        if (scan_id > 0) {
            /* The scan row exists (the JSON writer failed): close it. A
             * failure here adds nothing to the message above; the next
             * open marks the row incomplete. */
            if (store_scan_finish(store, scan_id, "interrupted", util_now_ms()) != 0) {
                fprintf(stderr, "tlsaudit scan: %s: %s\n", db_path, store_errmsg(store));
            }
        }
        rc = EXIT_USAGE;
        goto out;
    }
    int srun = sta.rc;
    bool interrupted = srun != 0 || __atomic_load_n(&stop_flag, __ATOMIC_SEQ_CST);
    const char *state = interrupted ? "interrupted" : "complete";
    int64_t finished = util_now_ms();
    bool finish_stored = store_scan_finish(store, scan_id, state, finished) == 0;
    if (!finish_stored && !ctx.store_failed) {
        ctx.store_failed = true;
        snprintf(ctx.store_err, sizeof(ctx.store_err), "%s", store_errmsg(store));
    }
    bool text = format == REPORT_TEXT;
    if (text) {
        fprintf(out, "Scan %lld %s: %zu target%s scanned, %zu not scanned; stored in %s\n",
                (long long)scan_id, state, ctx.n_done - ctx.n_failed,
                ctx.n_done - ctx.n_failed == 1 ? "" : "s", ctx.n_failed, db_path);
    }
    int check_exit = EXIT_OK;
    bool check_failed = false;
    char runs_stored[512] = ""; /* the policy runs check_evaluate_scan stored */
    if (n_policy_names > 0 && !ctx.store_failed) {
        /* Policies read the facts back from the store, as `tlsaudit check`
         * does, so both give the same findings. JSON output nests the check
         * document in the scan document. */
        struct check_options co = {.fail_on = fail_on, .json = json, .db_path = db_path};
        /* csv, junit, markdown, html render the stored findings below; the
         * check's own text report is not shown then. */
        FILE *cout = text ? out : open_memstream(&check_buf, &check_len);
        if (text) {
            fputc('\n', out);
        }
        if (cout == NULL ||
            check_evaluate_scan(store, scan_id, pols, n_policy_names, &co, cout, &check_exit,
                                runs_stored, sizeof(runs_stored), err, sizeof(err)) != 0) {
            fprintf(stderr, "tlsaudit scan: policy check: %s\n", cout ? err : "out of memory");
            check_failed = true;
        }
        if (!text && cout != NULL) {
            fclose(cout);
        }
        if (json && cout != NULL) {
            if (!check_failed &&
                json_report_attach(jr, "policy_check", check_buf, check_len) != 0) {
                fprintf(stderr, "tlsaudit scan: policy check: unreadable JSON\n");
                check_failed = true;
            }
        }
    }
    /* The stored scan, read back, for what the streaming output cannot
     * say: the other formats and the expiring certificates. */
    bool report_failed = false;
    if (!ctx.store_failed && !check_failed && (expiring >= 0 || (!text && !json))) {
        if (report_load(store, scan_id, db_path, &rdata, err, sizeof(err)) != 0) {
            fprintf(stderr, "tlsaudit scan: reading the scan back: %s\n", err);
            report_failed = true;
        } else {
            have_rdata = true;
        }
    }
    struct report_options ro = {.color = color, .now_ms = 0, .expiring_days = expiring};
    if (have_rdata && text && expiring >= 0 &&
        report_write_expiring_text(out, &rdata, &ro, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        report_failed = true;
    }
    if (have_rdata && json && expiring >= 0) {
        char *ebuf = NULL;
        size_t elen = 0;
        FILE *eout = open_memstream(&ebuf, &elen);
        int erc =
            eout == NULL ? -1 : report_write_expiring_json(eout, &rdata, &ro, err, sizeof(err));
        if (eout != NULL && fclose(eout) != 0) {
            erc = -1;
        }
        if (erc != 0 || json_report_attach(jr, "expiring", ebuf, elen) != 0) {
            fprintf(stderr, "tlsaudit scan: listing the expiring certificates failed\n");
            report_failed = true;
        }
        free(ebuf);
    }
    if (have_rdata && !text && !json &&
        report_write(out, format, &rdata, &ro, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        report_failed = true;
    }
    bool json_failed = json && json_report_write(jr, out, finished, state) != 0;
    int json_errno = errno;
    if (ctx.store_failed) {
        fprintf(stderr, "tlsaudit scan: %s: %s (the targets stored before this are kept)\n",
                db_path, ctx.store_err);
        rc = EXIT_USAGE;
    } else if (__atomic_load_n(&stop_flag, __ATOMIC_SEQ_CST)) {
        fprintf(stderr, "tlsaudit scan: interrupted; %zu finished target%s stored in %s\n",
                ctx.n_done, ctx.n_done == 1 ? "" : "s", db_path);
        rc = EXIT_SCAN_ERROR;
    } else if (srun < 0) {
        fprintf(stderr, "tlsaudit scan: could not start the scan threads\n");
        rc = EXIT_SCAN_ERROR;
    } else if (check_failed || report_failed) {
        rc = EXIT_USAGE;
    } else if (check_exit == EXIT_FINDINGS) {
        rc = EXIT_FINDINGS;
    } else {
        rc = ctx.n_failed > 0 ? EXIT_SCAN_ERROR : EXIT_OK;
    }
    /* The output is complete unless the run failed (exit 2): only then is
     * -o FILE replaced. Either way the message says what was stored. */
    char oerr[256] = "";
    bool out_failed = false;
    if (json_failed) {
        if (!cli_out_write_failed(&o, json_errno, oerr, sizeof(oerr))) {
            snprintf(oerr, sizeof(oerr), "the JSON document could not be built (out of memory)");
        }
        out_failed = true;
        cli_out_discard(&o);
    } else if (rc == EXIT_USAGE) {
        cli_out_discard(&o);
    } else if (cli_out_commit(&o, oerr, sizeof(oerr)) != 0) {
        out_failed = true;
    }
    if (out_failed || rc == EXIT_USAGE) {
        char what[1024];
        int n = snprintf(what, sizeof(what), "scan %lld was stored in %s with %zu target%s",
                         (long long)scan_id, db_path, ctx.n_stored, ctx.n_stored == 1 ? "" : "s");
        if (n > 0 && (size_t)n < sizeof(what)) {
            snprintf(what + n, sizeof(what) - (size_t)n, " (state %s)%s%s",
                     finish_stored ? state : "running; the next open marks it incomplete",
                     runs_stored[0] ? " and " : "", runs_stored);
        }
        if (out_failed) {
            fprintf(stderr, "tlsaudit scan: %s; the output to %s was not written: %s\n", what,
                    cli_out_name(&o), oerr);
        } else {
            fprintf(stderr, "tlsaudit scan: %s%s%s%s\n", what, o.path ? "; " : "",
                    o.path ? o.path : "", o.path ? " was left as it was" : "");
        }
        rc = EXIT_USAGE;
    }
out:
    cli_out_discard(&o);
    if (have_rdata) {
        report_data_cleanup(&rdata);
    }
    free(cmdline);
    free(check_buf);
    policy_run_free_policies(pols, n_policy_names);
    json_report_free(jr);
    store_close(store);
    revoc_cache_free(cache);
    x509_trust_free(trust);
    if (gnutls_ready) {
        handshake_global_deinit();
    }
    if (gate_ready) {
        scan_gate_destroy(&gate);
    }
    target_list_cleanup(&targets);
    return rc;
}
