/*
 * cli/common.h - what the commands share: one option-parsing loop (the
 * usage, unknown-option and missing-value errors, --help), the options
 * that mean the same in every command (--db with its $TLSAUDIT_DB default,
 * --scan ID / --latest, -o FILE, --fail-on, --fail-on-inconclusive,
 * --expiring, --fail-on-expiring, --quiet, --color), opening
 * the database a command reads, the scan it names, and -o FILE finished
 * through cli/output.h. Every message is "tlsaudit CMD: ..." on stderr.
 *
 * A command keeps its own option table (struct opt_doc: its help texts)
 * and uses the shared ids below for the shared options; its own ids start
 * at CLI_OPT_OWN. Ownership: struct cli_cmd and struct cli_common are
 * caller storage; the strings they point to are borrowed (argv, tables).
 */
#ifndef TLSAUDIT_CLI_COMMON_H
#define TLSAUDIT_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/opts.h"
#include "cli/output.h"
#include "policies/policy.h"
#include "reports/report.h"
#include "store/store.h"

/* The ids of the shared options (below 256: also the short letter). */
enum cli_opt_id {
    CLI_OPT_OUTPUT = 'o',
    CLI_OPT_HELP = 'h',
    CLI_OPT_DB = 256,
    CLI_OPT_SCAN,
    CLI_OPT_LATEST,
    CLI_OPT_FAIL_ON,
    CLI_OPT_FAIL_ON_INCONCLUSIVE,
    CLI_OPT_EXPIRING,
    CLI_OPT_COLOR,
    CLI_OPT_FAIL_ON_EXPIRING,
    CLI_OPT_QUIET,
    CLI_OPT_OWN = 300, /* a command's own long-only options start here */
};

/* The option-table rows of the shared options whose --help text is the
 * same in every command that has them (each written once): --db of the
 * commands that only read, -o FILE (WHAT: what it writes, a string
 * literal), --scan ID / --latest (VERB: what the command does with the
 * scan), --color, --help. */
/* clang-format off */
/* (clang-format would brace-wrap these rows) */
#define CLI_DOC_DB_READER \
    {"db", required_argument, CLI_OPT_DB, "FILE", \
     "the database (default: $TLSAUDIT_DB, else ./tlsaudit.db)"}
#define CLI_DOC_OUTPUT(WHAT) \
    {"output", required_argument, CLI_OPT_OUTPUT, "FILE", \
     "write the " WHAT " to FILE (replaced only when complete), not stdout"}
#define CLI_DOC_SCAN(VERB) \
    {"scan", required_argument, CLI_OPT_SCAN, "ID", VERB " stored scan ID"}, \
    {"latest", no_argument, CLI_OPT_LATEST, NULL, VERB " the newest stored scan (the default; while it is still running, the newest complete one, said on stderr)"}
#define CLI_DOC_COLOR \
    {"color", required_argument, CLI_OPT_COLOR, "WHEN", \
     "colour the text output: auto (default: on a terminal, unless NO_COLOR is set), " \
     "always, never"}
#define CLI_DOC_HELP {"help", no_argument, CLI_OPT_HELP, NULL, "show this help"}
#define CLI_DOC_FAIL_ON_INCONCLUSIVE \
    {"fail-on-inconclusive", no_argument, CLI_OPT_FAIL_ON_INCONCLUSIVE, NULL, \
     "also exit 1 when a target is 'not demonstrated': no finding fails at or above " \
     "--fail-on, but one there is inconclusive (e.g. revocation that could not be checked)"}
#define CLI_DOC_FAIL_ON_EXPIRING \
    {"fail-on-expiring", required_argument, CLI_OPT_FAIL_ON_EXPIRING, "DAYS", \
     "exit 1 when a certificate of any served chain expires within DAYS (expired ones " \
     "included; the certificates --expiring DAYS lists), each one named on stderr"}
#define CLI_DOC_QUIET(WHAT) \
    {"quiet", no_argument, CLI_OPT_QUIET, NULL, \
     "for cron: " WHAT}
/* clang-format on */

/* CLI_CMD_OPTS(table) sets .opts and .n_opts of a struct cli_cmd from an
 * option array. */
#define CLI_CMD_OPTS(table) .opts = (table), .n_opts = sizeof(table) / sizeof((table)[0])

/* One command: its name, getopt short options and --help. */
struct cli_cmd {
    const char *name;      /* "check": in every message and in "see 'tlsaudit check --help'" */
    const char *shortopts; /* for getopt_long, starting with ':' */
    const struct opt_doc *opts;
    size_t n_opts;
    int help_width;        /* the option column of --help; 0: CLI_HELP_WIDTH */
    const char *help_head; /* --help up to and including "Options:\n" */
    const char *help_tail; /* --help after the options */
};

#define CLI_HELP_WIDTH 20

/* The values of the shared options. */
struct cli_common {
    const char *db_path;   /* --db, else $TLSAUDIT_DB when set and not empty, else tlsaudit.db */
    const char *out_path;  /* -o FILE, or NULL for stdout */
    bool have_scan;        /* --scan ID given */
    bool latest;           /* --latest given */
    int64_t scan_id;       /* --scan ID, else 0 */
    enum severity fail_on; /* --fail-on, default SEV_HIGH */
    bool fail_on_given;    /* --fail-on given */
    bool fail_on_inconclusive; /* --fail-on-inconclusive */
    int expiring;              /* --expiring DAYS, else -1 */
    int fail_on_expiring;      /* --fail-on-expiring DAYS, else -1 */
    bool quiet;                /* --quiet */
    int color;                 /* --color: -1 auto (default), 0 never, 1 always */
};

/* cli_own_fn handles one of the command's own options (id, its value or
 * NULL). Returns 0, or -1 after printing why. */
typedef int (*cli_own_fn)(void *arg, int id, const char *value);

/* cli_usage writes cmd's --help to out. */
void cli_usage(FILE *out, const struct cli_cmd *cmd);

/* cli_parse sets c to its defaults and parses argv with getopt_long (from
 * optind 1): the shared options into c, --help printed to stdout, the
 * others handed to own (which may be NULL when the command has none).
 * Returns 0 with optind at the first operand, 1 after --help (exit 0), or
 * -1 after printing the error (exit 2). */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_common *c,
              cli_own_fn own, void *arg);

/* The --format values of a command: a bit (1u << REPORT_*) per format. */
#define CLI_FORMAT(f) (1u << (f))
#define CLI_FORMATS_ALL                                                                            \
    (CLI_FORMAT(REPORT_TEXT) | CLI_FORMAT(REPORT_JSON) | CLI_FORMAT(REPORT_CSV) |                  \
     CLI_FORMAT(REPORT_JUNIT) | CLI_FORMAT(REPORT_MARKDOWN) | CLI_FORMAT(REPORT_HTML) |            \
     CLI_FORMAT(REPORT_SARIF))

/* cli_format parses a --format value v into *out when it names one of the
 * formats in allowed (CLI_FORMAT bits). Returns 0, or -1 (*out untouched)
 * after "--format: 'V' is not one of: NAMES", the allowed names in
 * enum report_format order. */
int cli_format(const struct cli_cmd *cmd, const char *v, unsigned allowed, enum report_format *out);

/* cli_no_operands: 0 when argv has nothing from optind on, else -1 after
 * "unexpected argument 'X'". */
int cli_no_operands(const struct cli_cmd *cmd, int argc, char **argv);

/* cli_scan_choice: -1 after printing when both --scan and --latest were
 * given, else 0. */
int cli_scan_choice(const struct cli_cmd *cmd, const struct cli_common *c);

/* cli_db_exists: 0 when c->db_path exists, else -1 after "cannot open
 * database FILE: REASON (run 'tlsaudit scan' first)". Readers never create
 * a database. */
int cli_db_exists(const struct cli_cmd *cmd, const struct cli_common *c);

/* cli_open_readonly checks the database exists and opens it read-only
 * (store_open_readonly). Returns 0 and *out, or -1 after printing. */
int cli_open_readonly(const struct cli_cmd *cmd, const struct cli_common *c, struct store **out);

/* cli_resolve_scan puts the scan to work on in *out_id: --scan ID (with
 * verify, checked to exist: "no scan N in FILE"), else the newest scan;
 * while that one is still running, the newest complete scan, saying on
 * stderr "scan N is still running; showing scan M" (an error when no scan
 * is complete). Returns 0, or -1 after printing. */
int cli_resolve_scan(const struct cli_cmd *cmd, const struct cli_common *c, struct store *s,
                     bool verify, int64_t *out_id);

/* cli_output_open opens -o FILE (or stdout) into o. Returns 0, or -1 after
 * "--output: cannot write 'FILE': REASON". */
int cli_output_open(const struct cli_cmd *cmd, const struct cli_common *c, struct cli_out *o);

/* cli_output_finish ends the output of a writer that returned write_rc
 * (its message in write_err): on success o is committed; on failure of
 * the writer or the commit "writing the WHAT to NAME: REASON" (or the
 * writer's own message when the stream did not fail) is printed and -1
 * returned. */
int cli_output_finish(const struct cli_cmd *cmd, struct cli_out *o, const char *what, int write_rc,
                      const char *write_err);

/* cli_color: the --color decision for output o (auto: a terminal on
 * stdout and no NO_COLOR). */
bool cli_color(const struct cli_common *c, const struct cli_out *o);

#endif
