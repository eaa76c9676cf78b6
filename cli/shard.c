/*
 * cli/shard.c - `scan --shard K/N --run-id R`: which part of the targets
 * this machine scans, and the logical run its scan belongs to, so that
 * `tlsaudit merge` can make the N shards one scan again (store/merge.c).
 *
 * Invariants: the partition is scanner/target.c's target_shard_of (a hash
 * of each target's endpoint identity: stable across machines and runs, so
 * N machines given the same targets scan disjoint parts that cover them
 * all). A run id is 1 to 128 of [A-Za-z0-9._:-]; without --run-id it is
 * $TLSAUDIT_RUN_ID, else "slurm-$SLURM_ARRAY_JOB_ID" in a Slurm job array,
 * else an error: a guessed id could join two different runs.
 */
#include "cli/shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

int cli_shard_parse(const char *v, int *k, int *n, char *err, size_t err_len)
{
    const char *slash = strchr(v, '/');
    unsigned long kk = 0, nn = 0;
    char kbuf[16];
    size_t klen = slash != NULL ? (size_t)(slash - v) : 0;
    if (slash == NULL || klen == 0 || klen >= sizeof(kbuf)) {
        snprintf(err, err_len, "--shard: '%s' is not K/N (e.g. 2/4)", v);
        return -1;
    }
    memcpy(kbuf, v, klen);
    kbuf[klen] = '\0';
    if (!util_parse_ulong(slash + 1, 1, CLI_SHARD_MAX, &nn) ||
        !util_parse_ulong(kbuf, 1, nn, &kk)) {
        snprintf(err, err_len, "--shard: '%s' is not K/N with 1 <= K <= N <= %d", v, CLI_SHARD_MAX);
        return -1;
    }
    *k = (int)kk;
    *n = (int)nn;
    return 0;
}

static bool run_id_ok(const char *id)
{
    size_t n = strlen(id);
    return n >= 1 && n <= 128 &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

int cli_run_id(const char *given, char *out, size_t out_len, char *err, size_t err_len)
{
    const char *env = getenv("TLSAUDIT_RUN_ID");
    const char *slurm = getenv("SLURM_ARRAY_JOB_ID");
    const char *from = "--run-id";
    if (given != NULL) {
        snprintf(out, out_len, "%s", given);
    } else if (env != NULL && env[0] != '\0') {
        snprintf(out, out_len, "%s", env);
        from = "$TLSAUDIT_RUN_ID";
    } else if (slurm != NULL && slurm[0] != '\0') {
        snprintf(out, out_len, "slurm-%s", slurm);
        from = "$SLURM_ARRAY_JOB_ID";
    } else {
        snprintf(err, err_len,
                 "--shard needs the run's id, the same on every shard: give --run-id R (or set "
                 "$TLSAUDIT_RUN_ID; in a Slurm job array $SLURM_ARRAY_JOB_ID is used)");
        return -1;
    }
    if (!run_id_ok(out)) {
        snprintf(err, err_len, "%s: '%.140s' is not a run id (1 to 128 of A-Z a-z 0-9 . _ : -)",
                 from, out);
        return -1;
    }
    return 0;
}

int cli_shard_select(struct target_list *l, const char *sni, int k, int n, const char *given,
                     char *run_id, size_t run_id_len)
{
    char err[256];
    if (n == 0) {
        if (given != NULL) {
            fprintf(stderr, "tlsaudit scan: --run-id is for a --shard scan\n");
            return -1;
        }
        return 0;
    }
    if (cli_run_id(given, run_id, run_id_len, err, sizeof(err)) != 0) {
        fprintf(stderr, "tlsaudit scan: %s\n", err);
        return -1;
    }
    size_t all = l->n_items;
    size_t kept = target_list_keep_shard(l, sni, k, n);
    fprintf(stderr, "tlsaudit scan: shard %d/%d of run %s: %zu of %zu targets\n", k, n, run_id,
            kept, all);
    return 0;
}
