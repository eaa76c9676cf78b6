/*
 * cli/cmd_simulate.c - `tlsaudit simulate`: for each stored target and each
 * client profile (data/clients.tsv), what the server would negotiate or why
 * the handshake would fail, and with --without / --without-suites /
 * --policy the clients that change would break. No network.
 *
 * Pipeline position: store -> reports/report.c (report_load) ->
 * reports/simulate.c (the engine) -> reports/simulate_out.c -> stdout / -o.
 *
 * Invariants: options first, then the database (never created: opened
 * read-only), then the scan; -o through a temporary file renamed when
 * complete. Exit codes: 0 written (and, with a what-if, no client breaks);
 * 1 a what-if breaks at least one client; 2 usage, policy, database or
 * output error.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "cli/output.h"
#include "policies/policy.h"
#include "reports/report.h"
#include "reports/simulate.h"
#include "store/store.h"

enum simulate_opt_id {
    OPT_FORMAT = CLI_OPT_OWN,
    OPT_WITHOUT,
    OPT_WITHOUT_SUITES,
    OPT_POLICY,
    OPT_CLIENT,
};

#define SIM_MAX_PATTERNS 32

static const struct opt_doc simulate_opts[] = {
    CLI_DOC_SCAN("simulate the clients against"),
    CLI_DOC_DB_READER,
    {"format", required_argument, OPT_FORMAT, "F", "text (default) or json"},
    CLI_DOC_OUTPUT("simulation"),
    {"without", required_argument, OPT_WITHOUT, "VERSIONS",
     "what-if: the server without these versions (comma list: ssl3, tls1.0, tls1.1, tls1.2, "
     "tls1.3)"},
    {"without-suites", required_argument, OPT_WITHOUT_SUITES, "LIST",
     "what-if: the server without these suites (comma list of classes: cbc, 3des, des, rc4, "
     "rc2, idea, sha1, md5, rsa-kex, non-fs, dhe, export, null, anon, 64bit, psk; or suite "
     "names or codes such as TLS_RSA_WITH_AES_128_CBC_SHA, AES128-SHA, 0x002F)"},
    {"policy", required_argument, OPT_POLICY, "P",
     "what-if: the server without every version and suite policy P forbids (its "
     "protocols_forbidden, protocols_allowed, suites_allowed and suites_forbidden rules in "
     "scope for the target's tags; waivers not applied); P is a shipped name or a file"},
    {"client", required_argument, OPT_CLIENT, "PATTERN",
     "only the clients whose \"NAME VERSION\" or NAME matches the shell PATTERN (ignoring case; "
     "repeatable), e.g. 'Android*' or 'Java 8*'"},
    CLI_DOC_HELP,
};

static const struct cli_cmd simulate_cmd = {
    .name = "simulate",
    .shortopts = ":o:h",
    CLI_CMD_OPTS(simulate_opts),
    .help_width = 26,
    .help_head = "Usage: tlsaudit simulate [--scan ID | --latest] [--db FILE] [--format F]\n"
                 "         [--without VERSIONS] [--without-suites LIST] [--policy P]\n"
                 "         [--client PATTERN]... [TARGET...]\n"
                 "\n"
                 "Simulate the handshake of each client profile (data/clients.tsv: clients\n"
                 "captured from this machine's Debian packages [here], and historical clients\n"
                 "from SSL Labs' published hellos [pub.]) against each stored target (TARGET:\n"
                 "host or host:port; default every target of the scan), from the stored facts\n"
                 "only: the version, suite, group and key size the server would negotiate, or\n"
                 "why the handshake would fail (no common protocol version, no common suite,\n"
                 "DH too small, ...), or 'unknown' where the scan did not decide a fact the\n"
                 "answer needs. The server's suite order is the enumerated one; where it is\n"
                 "unknown the client's is assumed and said. No connection is made.\n"
                 "\n"
                 "With --without, --without-suites or --policy (a what-if) the server is\n"
                 "simulated as it would be after the change too, and the clients whose\n"
                 "handshake would break or change are listed.\n"
                 "\n"
                 "Options:\n",
    .help_tail = "\n"
                 "Exit codes:\n"
                 "  0  the simulation was written (with a what-if: no client breaks)\n"
                 "  1  a what-if breaks at least one client that connects today\n"
                 "  2  usage, policy, database or output error\n",
};

struct simulate_args {
    enum report_format format;
    struct sim_change change;
    struct policy *policy;
    const char *patterns[SIM_MAX_PATTERNS];
    size_t n_patterns;
    char change_text[512];
};

static void simulate_note(struct simulate_args *a, const char *opt, const char *v)
{
    size_t len = strlen(a->change_text);
    snprintf(a->change_text + len, sizeof(a->change_text) - len, "%s--%s %s", len ? " " : "", opt,
             v);
}

static int simulate_own(void *arg, int id, const char *v)
{
    struct simulate_args *a = arg;
    char err[512];
    switch (id) {
    case OPT_FORMAT:
        return cli_format(&simulate_cmd, v, CLI_FORMAT(REPORT_TEXT) | CLI_FORMAT(REPORT_JSON),
                          &a->format);
    case OPT_WITHOUT:
    case OPT_WITHOUT_SUITES: {
        int rc = id == OPT_WITHOUT ? sim_parse_versions(&a->change, v, err, sizeof(err))
                                   : sim_parse_suites(&a->change, v, err, sizeof(err));
        if (rc != 0) {
            fprintf(stderr, "tlsaudit simulate: --%s: %s\n",
                    id == OPT_WITHOUT ? "without" : "without-suites", err);
            return -1;
        }
        simulate_note(a, id == OPT_WITHOUT ? "without" : "without-suites", v);
        return 0;
    }
    case OPT_POLICY:
        if (a->policy != NULL) {
            fprintf(stderr, "tlsaudit simulate: --policy: give one policy\n");
            return -1;
        }
        a->policy = policy_load(v, err, sizeof(err));
        if (a->policy == NULL) {
            fprintf(stderr, "tlsaudit simulate: --policy: %s\n", err);
            return -1;
        }
        a->change.policy = a->policy;
        simulate_note(a, "policy", v);
        return 0;
    default:
        if (a->n_patterns == SIM_MAX_PATTERNS) {
            fprintf(stderr, "tlsaudit simulate: --client: at most %d patterns\n", SIM_MAX_PATTERNS);
            return -1;
        }
        a->patterns[a->n_patterns++] = v;
        return 0;
    }
}

/* simulate_check_clients: every --client pattern matches some profile. */
static int simulate_check_clients(const struct sim_options *so, const struct simulate_args *a)
{
    for (size_t i = 0; i < a->n_patterns; i++) {
        struct sim_options one = *so;
        one.clients = &a->patterns[i];
        one.n_clients = 1;
        bool any = false;
        for (size_t k = 0; k < sim_n_clients && !any; k++) {
            any = sim_client_selected(&one, &sim_clients[k]);
        }
        if (!any) {
            fprintf(stderr,
                    "tlsaudit simulate: --client: '%s' matches no client profile "
                    "(data/clients.tsv)\n",
                    a->patterns[i]);
            return -1;
        }
    }
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    struct cli_common c;
    struct store *store = NULL;
    struct report_data data = {0};
    bool have_data = false;
    struct simulate_args a = {.format = REPORT_TEXT};
    struct cli_out o;
    char err[1024];
    int rc = EXIT_USAGE;
    int64_t scan_id = 0;
    size_t n_breaks = 0, n_targets = 0;

    cli_out_init(&o);
    int prc = cli_parse(&simulate_cmd, argc, argv, &c, simulate_own, &a);
    if (prc != 0) {
        rc = prc > 0 ? EXIT_OK : EXIT_USAGE;
        goto out;
    }
    struct sim_options so = {
        .change = &a.change,
        .clients = a.patterns,
        .n_clients = a.n_patterns,
        .targets = (const char *const *)(argv + optind),
        .n_targets = (size_t)(argc - optind),
        .change_text = a.change_text,
    };
    if (simulate_check_clients(&so, &a) != 0 || cli_scan_choice(&simulate_cmd, &c) != 0 ||
        cli_open_readonly(&simulate_cmd, &c, &store) != 0 ||
        cli_resolve_scan(&simulate_cmd, &c, store, false, &scan_id) != 0) {
        goto out;
    }
    if (report_load(store, scan_id, c.db_path, &data, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit simulate: %s: %s\n", c.db_path, err);
        goto out;
    }
    have_data = true;
    for (size_t i = 0; i < so.n_targets; i++) {
        struct sim_options one = so;
        one.targets = &so.targets[i];
        one.n_targets = 1;
        size_t k = 0;
        while (k < data.n_targets && !sim_target_selected(&one, &data.targets[k])) {
            k++;
        }
        if (k == data.n_targets) {
            fprintf(stderr, "tlsaudit simulate: %s: not a target of scan %lld\n", so.targets[i],
                    (long long)scan_id);
            goto out;
        }
    }
    if (cli_output_open(&simulate_cmd, &c, &o) != 0) {
        goto out;
    }
    int wrc = a.format == REPORT_JSON
                  ? sim_write_json(o.f, &data, &so, &n_breaks, &n_targets, err, sizeof(err))
                  : sim_write_text(o.f, &data, &so, &n_breaks, &n_targets, err, sizeof(err));
    if (cli_output_finish(&simulate_cmd, &o, "simulation", wrc, err) != 0) {
        goto out;
    }
    rc = n_breaks > 0 ? EXIT_FINDINGS : EXIT_OK;
out:
    cli_out_discard(&o);
    if (have_data) {
        report_data_cleanup(&data);
    }
    policy_free(a.policy);
    store_close(store);
    return rc;
}
