/*
 * cli/cmd_prune.c - `tlsaudit prune (--keep-days N | --keep-scans N)
 * [--dry-run]`: retention for a database a cron job fills every night.
 * Deletes the old scans with every fact, policy run and finding under
 * them, the certificates no remaining scan serves and the expired
 * fetch-cache entries, in one transaction, then reclaims the space.
 *
 * Pipeline position: options -> the store service store_prune
 * (store/prune.c) -> one line per scan (dry run) and a summary on stdout.
 *
 * Invariants:
 * - Options are checked first, then the database, which must exist (prune
 *   never creates one); a running scan is never deleted.
 * - With --dry-run nothing in the file changes (the transaction is rolled
 *   back); the list and the counts are what a real run would delete now.
 * - Exit codes: 0 done (also when nothing was old enough), 2 usage or
 *   database error (nothing deleted, or, when the VACUUM converting an old
 *   store fails after the commit, the message says the scans are gone).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "common/util.h"
#include "store/store.h"

enum prune_opt_id {
    OPT_KEEP_DAYS = CLI_OPT_OWN,
    OPT_KEEP_SCANS,
    OPT_DRY_RUN,
};

static const struct opt_doc prune_opts[] = {
    {"db", required_argument, CLI_OPT_DB, "FILE",
     "SQLite database (default: $TLSAUDIT_DB, else ./tlsaudit.db); must exist"},
    {"keep-days", required_argument, OPT_KEEP_DAYS, "N",
     "keep the scans started within the last N days (0-36500)"},
    {"keep-scans", required_argument, OPT_KEEP_SCANS, "N",
     "keep the N newest scans (1 or more); with --keep-days a scan goes only when neither "
     "keeps it"},
    {"dry-run", no_argument, OPT_DRY_RUN, NULL, "list what would be deleted and change nothing"},
    CLI_DOC_HELP,
};

static const struct cli_cmd prune_cmd = {
    .name = "prune",
    .shortopts = ":h",
    CLI_CMD_OPTS(prune_opts),
    .help_head = "Usage: tlsaudit prune (--keep-days N | --keep-scans N) [--dry-run] [--db FILE]\n"
                 "\n"
                 "Delete old scans: each with its targets and every fact, its policy runs\n"
                 "and their findings; then the certificates no remaining scan serves and\n"
                 "the expired fetch-cache entries; all in one transaction (a failure leaves\n"
                 "the database as it was). A scan still running is never deleted. Then the\n"
                 "space is reclaimed: a database created by this version is in incremental\n"
                 "auto-vacuum mode and gives the freed pages back inside the transaction;\n"
                 "an older one is converted once by a VACUUM after the commit (it rewrites\n"
                 "the file: as much free disk space as the file is needed, and other\n"
                 "writers wait). See docs/store-schema.md for the growth per scan.\n"
                 "\n"
                 "Options:\n",
    .help_tail = "\n"
                 "Exit codes:\n"
                 "  0  done (also when no scan was old enough)\n"
                 "  2  usage or database error\n",
};

struct prune_args {
    struct store_prune_options o;
    bool have_days, have_scans;
};

static int prune_own(void *arg, int id, const char *v)
{
    struct prune_args *a = arg;
    unsigned long n;
    switch (id) {
    case OPT_KEEP_DAYS:
        if (!util_parse_ulong(v, 0, 36500, &n)) {
            fprintf(stderr,
                    "tlsaudit prune: --keep-days: '%s' is not a number of days (0 to "
                    "36500)\n",
                    v);
            return -1;
        }
        a->o.keep_days = (int)n;
        a->have_days = true;
        return 0;
    case OPT_KEEP_SCANS:
        if (!util_parse_ulong(v, 1, LONG_MAX, &n)) {
            fprintf(stderr,
                    "tlsaudit prune: --keep-scans: '%s' is not a number of scans (from 1)\n", v);
            return -1;
        }
        a->o.keep_scans = (int64_t)n;
        a->have_scans = true;
        return 0;
    default: /* OPT_DRY_RUN */
        a->o.dry_run = true;
        return 0;
    }
}

/* put_result writes the list (dry run) and the summary line. */
static void put_result(const struct prune_args *a, const struct store_prune_result *r)
{
    const int64_t *n = r->n_counts;
    char t[32];
    for (size_t i = 0; a->o.dry_run && i < r->n_scans; i++) {
        const struct store_prune_scan *p = &r->scans[i];
        printf("would delete scan %lld (%s, %s, %lld target%s)\n", (long long)p->id,
               util_iso_time(p->started_ms, t, sizeof(t)), p->state, (long long)p->n_targets,
               p->n_targets == 1 ? "" : "s");
    }
    printf("%s %lld scan%s (%lld target%s, %lld policy run%s, %lld finding%s), %lld certificate%s "
           "no remaining scan serves, %lld expired fetch-cache entr%s",
           a->o.dry_run ? "would delete" : "deleted", (long long)n[STORE_PRUNE_SCANS],
           n[STORE_PRUNE_SCANS] == 1 ? "" : "s", (long long)n[STORE_PRUNE_TARGETS],
           n[STORE_PRUNE_TARGETS] == 1 ? "" : "s", (long long)n[STORE_PRUNE_RUNS],
           n[STORE_PRUNE_RUNS] == 1 ? "" : "s", (long long)n[STORE_PRUNE_FINDINGS],
           n[STORE_PRUNE_FINDINGS] == 1 ? "" : "s", (long long)n[STORE_PRUNE_CERTS],
           n[STORE_PRUNE_CERTS] == 1 ? "" : "s", (long long)n[STORE_PRUNE_CACHE],
           n[STORE_PRUNE_CACHE] == 1 ? "y" : "ies");
    if (a->o.dry_run) {
        printf("; nothing changed (%lld bytes)\n", (long long)r->bytes_before);
        return;
    }
    printf("; %lld -> %lld bytes (%s)\n", (long long)r->bytes_before, (long long)r->bytes_after,
           r->converted     ? "VACUUM, now in incremental auto-vacuum mode"
           : r->incremental ? "incremental vacuum"
                            : "nothing to reclaim");
}

int cmd_prune(int argc, char **argv)
{
    struct cli_common c;
    struct prune_args a = {.o = {.keep_days = -1}};
    struct store *store = NULL;
    struct store_prune_result r = {0};
    char err[1024];
    int rc = EXIT_USAGE;

    int prc = cli_parse(&prune_cmd, argc, argv, &c, prune_own, &a);
    if (prc != 0) {
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (cli_no_operands(&prune_cmd, argc, argv) != 0) {
        goto out;
    }
    if (!a.have_days && !a.have_scans) {
        fprintf(stderr, "tlsaudit prune: say what to keep: --keep-days N and/or --keep-scans N "
                        "(see 'tlsaudit prune --help')\n");
        goto out;
    }
    if (cli_db_exists(&prune_cmd, &c) != 0) {
        goto out;
    }
    /* A dry run opens the file as the readers do: nothing is written,
     * migrated or marked. */
    if ((a.o.dry_run ? store_open_readonly(c.db_path, &store, err, sizeof(err))
                     : store_open(c.db_path, &store, err, sizeof(err))) != 0) {
        fprintf(stderr, "tlsaudit prune: %s\n", err);
        goto out;
    }
    a.o.now_ms = util_now_ms();
    if (store_prune(store, &a.o, &r) != 0) {
        fprintf(stderr, "tlsaudit prune: %s: %s\n", c.db_path, store_errmsg(store));
        goto out;
    }
    put_result(&a, &r);
    rc = EXIT_OK;
out:
    store_prune_result_cleanup(&r);
    store_close(store);
    return rc;
}
