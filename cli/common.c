/*
 * cli/common.c - the option handling and database plumbing every command
 * shares (cli/common.h), so each message exists once.
 */
#include "cli/common.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"

#define CLI_MAX_OPTS 64

void cli_usage(FILE *out, const struct cli_cmd *cmd)
{
    fputs(cmd->help_head, out);
    opts_print(out, cmd->opts, cmd->n_opts,
               cmd->help_width != 0 ? cmd->help_width : CLI_HELP_WIDTH);
    fputs(cmd->help_tail, out);
}

/* cli_shared handles a shared option; returns 0, -1 (printed), or 1 when
 * id is not a shared option. */
static int cli_shared(const struct cli_cmd *cmd, struct cli_common *c, int id, const char *v)
{
    unsigned long n = 0;
    switch (id) {
    case CLI_OPT_DB:
        c->db_path = v;
        return 0;
    case CLI_OPT_OUTPUT:
        c->out_path = v;
        return 0;
    case CLI_OPT_LATEST:
        c->latest = true;
        return 0;
    case CLI_OPT_SCAN:
        if (!util_parse_ulong(v, 1, LONG_MAX, &n)) {
            fprintf(stderr, "tlsaudit %s: --scan: '%s' is not a scan id (a number from 1)\n",
                    cmd->name, v);
            return -1;
        }
        c->have_scan = true;
        c->scan_id = (int64_t)n;
        return 0;
    case CLI_OPT_FAIL_ON:
        if (!severity_parse(v, &c->fail_on)) {
            fprintf(stderr,
                    "tlsaudit %s: --fail-on: '%s' is not one of: info, low, medium, high, "
                    "critical\n",
                    cmd->name, v);
            return -1;
        }
        c->fail_on_given = true;
        return 0;
    case CLI_OPT_FAIL_ON_INCONCLUSIVE:
        c->fail_on_inconclusive = true;
        return 0;
    case CLI_OPT_EXPIRING:
        if (!util_parse_ulong(v, 0, 36500, &n)) {
            fprintf(stderr, "tlsaudit %s: --expiring: '%s' is not a number of days (0 to 36500)\n",
                    cmd->name, v);
            return -1;
        }
        c->expiring = (int)n;
        return 0;
    case CLI_OPT_FAIL_ON_EXPIRING:
        if (!util_parse_ulong(v, 0, 36500, &n)) {
            fprintf(stderr,
                    "tlsaudit %s: --fail-on-expiring: '%s' is not a number of days (0 to "
                    "36500)\n",
                    cmd->name, v);
            return -1;
        }
        c->fail_on_expiring = (int)n;
        return 0;
    case CLI_OPT_QUIET:
        c->quiet = true;
        return 0;
    case CLI_OPT_COLOR:
        if (strcmp(v, "auto") == 0) {
            c->color = -1;
        } else if (strcmp(v, "always") == 0) {
            c->color = 1;
        } else if (strcmp(v, "never") == 0) {
            c->color = 0;
        } else {
            fprintf(stderr, "tlsaudit %s: --color: '%s' is not one of: auto, always, never\n",
                    cmd->name, v);
            return -1;
        }
        return 0;
    default:
        return 1;
    }
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_common *c,
              cli_own_fn own, void *arg)
{
    struct option long_opts[CLI_MAX_OPTS + 1];
    if (cmd->n_opts > CLI_MAX_OPTS) {
        fprintf(stderr, "tlsaudit %s: too many options\n", cmd->name);
        return -1;
    }
    opts_to_getopt(cmd->opts, cmd->n_opts, long_opts);
    *c = (struct cli_common){.db_path = getenv("TLSAUDIT_DB"),
                             .fail_on = SEV_HIGH,
                             .expiring = -1,
                             .fail_on_expiring = -1,
                             .color = -1};
    if (c->db_path == NULL || c->db_path[0] == '\0') {
        c->db_path = "tlsaudit.db";
    }
    optind = 1;
    opterr = 0;
    int id;
    while ((id = getopt_long(argc, argv, cmd->shortopts, long_opts, NULL)) != -1) {
        if (id == CLI_OPT_HELP) {
            cli_usage(stdout, cmd);
            return 1;
        }
        if (id == ':') {
            fprintf(stderr, "tlsaudit %s: option '%s' needs a value (see 'tlsaudit %s --help')\n",
                    cmd->name, argv[optind - 1], cmd->name);
            return -1;
        }
        if (id == '?') {
            fprintf(stderr, "tlsaudit %s: unknown option '%s' (see 'tlsaudit %s --help')\n",
                    cmd->name, argv[optind - 1], cmd->name);
            return -1;
        }
        int rc = cli_shared(cmd, c, id, optarg);
        if (rc == 1) {
            rc = own != NULL ? own(arg, id, optarg) : -1;
        }
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

int cli_format(const struct cli_cmd *cmd, const char *v, unsigned allowed, enum report_format *out)
{
    enum report_format f;
    if (report_format_parse(v, &f) && (allowed & CLI_FORMAT(f)) != 0) {
        *out = f;
        return 0;
    }
    char names[128] = "";
    size_t len = 0;
    for (unsigned i = 0; i < 32 && len < sizeof(names); i++) {
        if ((allowed & (1u << i)) != 0) {
            int n = snprintf(names + len, sizeof(names) - len, "%s%s", len > 0 ? ", " : "",
                             report_format_name((enum report_format)i));
            len += n > 0 ? (size_t)n : 0;
        }
    }
    fprintf(stderr, "tlsaudit %s: --format: '%s' is not one of: %s\n", cmd->name, v, names);
    return -1;
}

int cli_no_operands(const struct cli_cmd *cmd, int argc, char **argv)
{
    if (optind < argc) {
        fprintf(stderr, "tlsaudit %s: unexpected argument '%s' (see 'tlsaudit %s --help')\n",
                cmd->name, argv[optind], cmd->name);
        return -1;
    }
    return 0;
}

int cli_scan_choice(const struct cli_cmd *cmd, const struct cli_common *c)
{
    if (c->have_scan && c->latest) {
        fprintf(stderr, "tlsaudit %s: give --scan ID or --latest, not both\n", cmd->name);
        return -1;
    }
    return 0;
}

int cli_db_exists(const struct cli_cmd *cmd, const struct cli_common *c)
{
    struct stat st;
    if (stat(c->db_path, &st) != 0) {
        fprintf(stderr, "tlsaudit %s: cannot open database %s: %s (run 'tlsaudit scan' first)\n",
                cmd->name, c->db_path, strerror(errno));
        return -1;
    }
    return 0;
}

int cli_open_readonly(const struct cli_cmd *cmd, const struct cli_common *c, struct store **out)
{
    char err[1024];
    if (cli_db_exists(cmd, c) != 0) {
        return -1;
    }
    if (store_open_readonly(c->db_path, out, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit %s: %s\n", cmd->name, err);
        return -1;
    }
    return 0;
}

/* latest_finished gives the newest scan, or, while that one is still
 * running, the newest complete one and says so on stderr: a running scan
 * has only the targets finished so far. */
static int latest_finished(const struct cli_cmd *cmd, struct store *s, int64_t *out_id)
{
    int64_t newest = 0, complete = 0;
    bool running = false;
    if (store_latest_finished_scan(s, &newest, &running, &complete) != 0) {
        fprintf(stderr, "tlsaudit %s: %s\n", cmd->name, store_errmsg(s));
        return -1;
    }
    *out_id = newest;
    if (!running) {
        return 0;
    }
    if (complete == 0) {
        fprintf(stderr,
                "tlsaudit %s: scan %lld is still running and no earlier scan is complete; "
                "use --scan %lld to see what it has stored so far\n",
                cmd->name, (long long)newest, (long long)newest);
        return -1;
    }
    fprintf(stderr, "tlsaudit %s: scan %lld is still running; showing scan %lld\n", cmd->name,
            (long long)newest, (long long)complete);
    *out_id = complete;
    return 0;
}

int cli_resolve_scan(const struct cli_cmd *cmd, const struct cli_common *c, struct store *s,
                     bool verify, int64_t *out_id)
{
    *out_id = c->scan_id;
    if (!c->have_scan) {
        return latest_finished(cmd, s, out_id);
    }
    if (!verify) {
        return 0;
    }
    bool exists = false;
    if (store_scan_exists(s, c->scan_id, &exists) != 0) {
        fprintf(stderr, "tlsaudit %s: %s: %s\n", cmd->name, c->db_path, store_errmsg(s));
        return -1;
    }
    if (!exists) {
        fprintf(stderr, "tlsaudit %s: no scan %lld in %s\n", cmd->name, (long long)c->scan_id,
                c->db_path);
        return -1;
    }
    return 0;
}

int cli_output_open(const struct cli_cmd *cmd, const struct cli_common *c, struct cli_out *o)
{
    if (cli_out_open(o, c->out_path) != 0) {
        fprintf(stderr, "tlsaudit %s: --output: cannot write '%s': %s\n", cmd->name, c->out_path,
                strerror(errno));
        return -1;
    }
    return 0;
}

int cli_output_finish(const struct cli_cmd *cmd, struct cli_out *o, const char *what, int write_rc,
                      const char *write_err)
{
    char oerr[256];
    if (write_rc != 0) {
        int e = errno;
        if (cli_out_write_failed(o, e, oerr, sizeof(oerr))) {
            fprintf(stderr, "tlsaudit %s: writing the %s to %s: %s\n", cmd->name, what,
                    cli_out_name(o), oerr);
        } else {
            fprintf(stderr, "tlsaudit %s: %s\n", cmd->name, write_err);
        }
        return -1;
    }
    if (cli_out_commit(o, oerr, sizeof(oerr)) != 0) {
        fprintf(stderr, "tlsaudit %s: writing the %s to %s: %s\n", cmd->name, what, cli_out_name(o),
                oerr);
        return -1;
    }
    return 0;
}

bool cli_color(const struct cli_common *c, const struct cli_out *o)
{
    return c->color == 1 || (c->color == -1 && o->path == NULL && isatty(STDOUT_FILENO) &&
                             getenv("NO_COLOR") == NULL);
}
