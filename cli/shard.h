/*
 * cli/shard.h - parsing `scan --shard K/N` and finding the run id (see
 * cli/shard.c).
 */
#ifndef TLSAUDIT_CLI_SHARD_H
#define TLSAUDIT_CLI_SHARD_H

#include <stddef.h>

#include "scanner/target.h"

#define CLI_SHARD_MAX 10000

/* cli_shard_parse reads "K/N" (1 <= K <= N <= CLI_SHARD_MAX). Returns 0,
 * or -1 with why in err. */
int cli_shard_parse(const char *v, int *k, int *n, char *err, size_t err_len);

/* cli_run_id puts the run id into out: given (--run-id), else
 * $TLSAUDIT_RUN_ID, else "slurm-$SLURM_ARRAY_JOB_ID". Returns 0, or -1
 * with why in err (none found, or not 1-128 of [A-Za-z0-9._:-]). */
int cli_run_id(const char *given, char *out, size_t out_len, char *err, size_t err_len);

/* cli_shard_select applies --shard K/N (n 0: none) to l: it keeps shard
 * K's targets (an empty shard is a scan of no target, stored so that merge
 * sees it) and puts the run id (given: --run-id) into run_id, saying on
 * stderr how many targets it kept. Returns 0, or -1 after printing why
 * (--run-id without --shard, no run id, a bad one). */
int cli_shard_select(struct target_list *l, const char *sni, int k, int n, const char *given,
                     char *run_id, size_t run_id_len);

#endif
