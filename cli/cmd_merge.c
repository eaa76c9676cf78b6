/*
 * cli/cmd_merge.c - `tlsaudit merge --into CENTRAL.db SOURCE.db...`: copy
 * the scans of other tlsaudit databases (the shards of `scan --shard K/N`
 * written on several machines, or any other machine's file) into one.
 *
 * Pipeline position: store_merge_file (store/merge.c) per source file ->
 * one line per file on stdout.
 *
 * Invariants:
 * - Each source is opened read-only and never written; each is merged in
 *   one transaction of CENTRAL (all of it or nothing), in the order given.
 * - Idempotent: a scan merged before (by its uuid) is skipped, so the same
 *   command run twice changes nothing the second time.
 * - Exit 0 when every file merged (or was merged before), 2 when one could
 *   not be (usage, a file that is not a tlsaudit database, a scan still
 *   running, a database error): the files before it stay merged, it and
 *   the ones after it are not.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "common/util.h"
#include "store/store.h"

enum merge_opt_id {
    OPT_INTO = CLI_OPT_OWN,
};

static const struct opt_doc merge_opts[] = {
    {"into", required_argument, OPT_INTO, "FILE",
     "the database to merge into (created when missing; default: --db, $TLSAUDIT_DB, else "
     "./tlsaudit.db)"},
    {"db", required_argument, CLI_OPT_DB, "FILE", "the same as --into"},
    CLI_DOC_HELP,
};

static const struct cli_cmd merge_cmd = {
    .name = "merge",
    .shortopts = ":h",
    CLI_CMD_OPTS(merge_opts),
    .help_head =
        "Usage: tlsaudit merge --into CENTRAL.db SOURCE.db...\n"
        "\n"
        "Copy every scan of each SOURCE database into CENTRAL: its targets with every\n"
        "fact, its certificates (stored once), its policy runs with their findings and the\n"
        "unexpired entries of its fetch cache. Each SOURCE is opened read-only and merged\n"
        "in one transaction: all of it or nothing. A scan is known by its uuid: one that\n"
        "was merged before is skipped, so merging a file again changes nothing.\n"
        "\n"
        "The shards of one run ('tlsaudit scan --shard K/N --run-id R' on N machines)\n"
        "become ONE scan of CENTRAL: check, report, history and diff treat it like a scan\n"
        "made on one machine. It reads 'complete' once every shard 1..N is merged and\n"
        "complete, 'incomplete' (its note says how many) before. A shard's policy run\n"
        "joins the run of the same policy file and gate, so 'report' shows one run per\n"
        "policy over every target. A scan still running is refused.\n"
        "\n"
        "Options:\n",
    .help_tail = "\n"
                 "Exit codes:\n"
                 "  0  every SOURCE was merged (or had been before)\n"
                 "  2  usage or database error, a SOURCE that is not a tlsaudit database or\n"
                 "     holds a scan still running: the SOURCEs before it stay merged, it and\n"
                 "     the ones after it are not\n",
};

static int merge_own(void *arg, int id, const char *v)
{
    (void)id; /* OPT_INTO, the only own option */
    *(const char **)arg = v;
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    struct cli_common c;
    const char *into = NULL;
    int prc = cli_parse(&merge_cmd, argc, argv, &c, merge_own, &into);
    if (prc != 0) {
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    const char *central = into != NULL ? into : c.db_path;
    if (optind >= argc) {
        fprintf(stderr, "tlsaudit merge: give at least one SOURCE database (see 'tlsaudit merge "
                        "--help')\n");
        return EXIT_USAGE;
    }
    struct store *s = NULL;
    char err[1024];
    if (store_open(central, &s, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit merge: %s\n", err);
        return EXIT_USAGE;
    }
    int rc = EXIT_OK;
    for (int i = optind; i < argc && rc == EXIT_OK; i++) {
        struct store_merge_stats st;
        if (store_merge_file(s, argv[i], util_now_ms(), &st) != 0) {
            fprintf(stderr, "tlsaudit merge: %s\n", store_errmsg(s));
            rc = EXIT_USAGE;
            break;
        }
        if (st.n_scans == 0) {
            printf("%s: nothing new (%zu scan%s merged before)\n", argv[i], st.n_skipped,
                   st.n_skipped == 1 ? "" : "s");
            continue;
        }
        printf("%s: %zu scan%s into scan %lld: %zu target%s, %zu policy run%s, %zu cache "
               "entr%s%s\n",
               argv[i], st.n_scans, st.n_scans == 1 ? "" : "s", (long long)st.last_dest,
               st.n_targets, st.n_targets == 1 ? "" : "s", st.n_runs, st.n_runs == 1 ? "" : "s",
               st.n_cache, st.n_cache == 1 ? "y" : "ies",
               st.n_skipped > 0 ? " (some merged before)" : "");
    }
    store_close(s);
    return rc;
}
