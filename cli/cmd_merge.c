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
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "common/util.h"
#include "policies/run.h"
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
        "joins the run of the same policy file and gate. DROWN across targets (another\n"
        "endpoint serving the same key with SSLv2) is compared again over the merged\n"
        "database, and each policy is then judged again over the merged scan (a new\n"
        "run, the one 'report' shows) when its file is still where the run says and\n"
        "unchanged; otherwise merge says so. A scan still running is refused.\n"
        "\n"
        "Options:\n",
    .help_tail = "\n"
                 "Exit codes:\n"
                 "  0  every SOURCE was merged (or had been before)\n"
                 "  2  usage or database error, a SOURCE that is not a tlsaudit database or\n"
                 "     holds a scan still running: the SOURCEs before it stay merged, it and\n"
                 "     the ones after it are not\n",
};

/* rejudge evaluates again, over scan dest of s, each policy whose newest
 * run there came from a source: its findings were judged where the source
 * was written, before DROWN across targets could compare the merged
 * endpoints. The policy is loaded from the file its run names, and only
 * when that file still hashes the same; a new run is stored (the newest,
 * which report shows), at the run's gate. Prints one line per policy. */
static void rejudge(struct store *s, int64_t dest)
{
    struct store_run *runs = NULL;
    size_t n = 0;
    if (store_load_run_heads(s, dest, &runs, &n) != 0) { /* the findings are not needed */
        fprintf(stderr, "tlsaudit merge: scan %lld: %s\n", (long long)dest, store_errmsg(s));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        bool newest = true;
        for (size_t k = i + 1; k < n; k++) {
            newest = newest && strcmp(runs[k].policy_id, runs[i].policy_id) != 0;
        }
        if (!newest) {
            continue;
        }
        char err[1024];
        struct policy *p =
            runs[i].policy_path != NULL ? policy_load(runs[i].policy_path, err, sizeof(err)) : NULL;
        if (p == NULL || runs[i].policy_sha256 == NULL ||
            strcmp(policy_sha256(p), runs[i].policy_sha256) != 0) {
            fprintf(stderr,
                    "tlsaudit merge: policy %s: its file %s is not here as it was: the findings "
                    "stay as the sources judged them (DROWN across targets included); run "
                    "'tlsaudit check --policy %s --scan %lld' to judge the merged scan\n",
                    runs[i].policy_id, runs[i].policy_path ? runs[i].policy_path : "(none)",
                    runs[i].policy_id, (long long)dest);
            policy_free(p);
            continue;
        }
        struct policy_run r = {0};
        struct policy *const pols[1] = {p};
        if (policy_run_scan(s, dest, pols, 1, &runs[i].gate, 0, NULL, NULL, &r, err, sizeof(err)) !=
            0) {
            fprintf(stderr, "tlsaudit merge: policy %s: %s\n", runs[i].policy_id, err);
        } else {
            printf("scan %lld: %s judged again over the merged targets (%s)\n", (long long)dest,
                   runs[i].policy_id, r.stored);
        }
        policy_run_cleanup(&r);
        policy_free(p);
    }
    store_runs_free(runs, n);
}

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
    int64_t dests[64]; /* the scans merged into, judged again at the end */
    size_t n_dests = 0;
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
        bool seen = false;
        for (size_t k = 0; k < n_dests; k++) {
            seen = seen || dests[k] == st.last_dest;
        }
        if (!seen && n_dests < sizeof(dests) / sizeof(dests[0])) {
            dests[n_dests++] = st.last_dest;
        }
        printf("%s: %zu scan%s into scan %lld: %zu target%s, %zu policy run%s, %zu cache "
               "entr%s%s\n",
               argv[i], st.n_scans, st.n_scans == 1 ? "" : "s", (long long)st.last_dest,
               st.n_targets, st.n_targets == 1 ? "" : "s", st.n_runs, st.n_runs == 1 ? "" : "s",
               st.n_cache, st.n_cache == 1 ? "y" : "ies",
               st.n_skipped > 0 ? " (some merged before)" : "");
    }
    for (size_t k = 0; k < n_dests; k++) {
        rejudge(s, dests[k]);
    }
    store_close(s);
    return rc;
}
