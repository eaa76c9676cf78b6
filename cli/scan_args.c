/*
 * cli/scan_args.c - the options of `tlsaudit scan` (cli/scan_args.h): one
 * table feeds getopt_long and --help, numeric options come from one range
 * table, targets from the arguments and -f files, then --shard keeps this
 * shard's part. Every error names the option or file and what was expected.
 */
#include "cli/scan_args.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"
#include "cli/shard.h"
#include "common/util.h"
#include "scanner/scan.h"

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
    OPT_NO_VULN_CACHE,
    OPT_SHARD,
    OPT_RUN_ID,
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
     "raw conversations (the enumeration and the probes that send their own hellos): "
     "connections open at once per target (1-64, default 4; 2 for STARTTLS targets, which "
     "mail servers rate-limit, unless given)"},
    {"max-conn-total", required_argument, OPT_MAX_CONN_TOTAL, "N",
     "raw conversations: connections open at once in all (1-4096, default 64)"},
    {"policy", required_argument, OPT_POLICY, "P",
     "after the scan, evaluate policy P (a shipped name, see 'tlsaudit policies list', or a "
     "YAML file); may be repeated"},
    {"fail-on", required_argument, CLI_OPT_FAIL_ON, "SEV",
     "exit 1 when a policy finding fails at or above SEV (info, low, medium, high, critical; "
     "default high) and is not waived"},
    CLI_DOC_FAIL_ON_INCONCLUSIVE,
    {"format", required_argument, OPT_FORMAT, "F",
     "output format: text (default; each target as it finishes) or json (the scan document), "
     "or csv, junit, markdown, html, sarif (the stored scan rendered as 'tlsaudit report' does, "
     "after the scan and its --policy evaluation)"},
    {"expiring", required_argument, CLI_OPT_EXPIRING, "DAYS",
     "also list every certificate of every served chain that expires within DAYS "
     "(expired ones included)"},
    CLI_DOC_FAIL_ON_EXPIRING,
    CLI_DOC_QUIET("no progress or warnings, and --format text writes nothing to stdout (-o "
                  "FILE and the other formats still get the output); errors and one summary "
                  "line on stderr"),
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
    {"no-vuln-cache", no_argument, OPT_NO_VULN_CACHE, NULL,
     "run every vulnerability check for each target; by default targets on the same address "
     "and port share the results that depend on the server only (and those of the same SNI "
     "name), the evidence naming the target that ran them: use this behind a proxy that "
     "routes by SNI to different servers"},
    {"shard", required_argument, OPT_SHARD, "K/N",
     "scan only shard K of N of the targets (a hash of host, port and SNI: the same on every "
     "machine and run), for N machines writing N databases that 'tlsaudit merge' makes one "
     "scan again"},
    {"run-id", required_argument, OPT_RUN_ID, "R",
     "the run a --shard scan belongs to, the same on every shard (default: $TLSAUDIT_RUN_ID, "
     "else slurm-$SLURM_ARRAY_JOB_ID)"},
    CLI_DOC_HELP,
};

const struct cli_cmd scan_cmd = {
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
                 "inconclusive finding at or above --fail-on and none failing there), or a\n"
                 "certificate expires within --fail-on-expiring DAYS;\n"
                 "3 at least one target could not be scanned (unresolvable, unreachable,\n"
                 "silent, a STARTTLS server that does not upgrade) or the scan was\n"
                 "interrupted; 0 otherwise.\n",
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

/* scan_name handles the options that name something (a protocol, a host
 * name); 1 when id is not one. */
static int scan_name(struct scan_args *a, int id, const char *v)
{
    switch (id) {
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
    default:
        return 1;
    }
}

/* scan_own handles scan's own options (cli_own_fn). */
static int scan_own(void *arg, int id, const char *v)
{
    struct scan_args *a = arg;
    int rc = scan_number(a, id, v);
    if (rc == 1) {
        rc = scan_name(a, id, v);
    }
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
    case OPT_NO_VULN_CACHE:
        a->so.no_vuln_cache = true;
        return 0;
    case OPT_SHARD:
        if (cli_shard_parse(v, &a->so.shard_k, &a->so.shard_n, a->err, sizeof(a->err)) != 0) {
            fprintf(stderr, "tlsaudit scan: %s\n", a->err);
            return -1;
        }
        return 0;
    case OPT_RUN_ID:
        a->run_id_given = v;
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
    if (cli_shard_select(&a->targets, a->so.sni, a->so.shard_k, a->so.shard_n, a->run_id_given,
                         a->run_id, sizeof(a->run_id)) != 0) {
        return -1;
    }
    a->so.run_id = a->so.shard_n > 0 ? a->run_id : NULL;
    return 0;
}

/* scan_parse parses argv into c and a. Returns 0, 1 after --help, -1 after
 * an error. */
int scan_parse(int argc, char **argv, struct cli_common *c, struct scan_args *a)
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
    return 0;
}
