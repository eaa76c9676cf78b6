/*
 * reports/diff_private.h - what the files of the diff share: the model
 * builder's context and appenders (reports/diff.c), the policy and finding
 * comparison (reports/diff_findings.c), and the renderings diff_write picks
 * (reports/diff_text.c, reports/diff_json.c).
 *
 * Pipeline position: report_load (twice) -> diff_compute (diff.c, with
 * diff_findings.c) -> struct diff -> diff_write (diff.c) -> diff_text.c or
 * diff_json.c.
 *
 * Private to reports/diff*.c; the interface is reports/diff.h.
 *
 * Ownership: the appenders put copies into the model (c->d), which owns
 * them; on out of memory they set c->oom and diff_compute frees the model.
 */
#ifndef TLSAUDIT_REPORTS_DIFF_PRIVATE_H
#define TLSAUDIT_REPORTS_DIFF_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/diff.h"

/* What diff_build hands each finished target to when the diff is
 * streamed: one a view of the model holding that target alone (n_targets
 * 1, its entries), valid during the call. Returns 0, or -1 to stop. */
typedef int (*diff_emit_fn)(void *arg, const struct diff *one);

/* The model being built: diff_compute keeps every target in c->d; a
 * streamed diff (emit set) keeps one target at a time, handed to emit and
 * cleared before the next. a and b give each compared policy's runs (only
 * their findings on the pair at hand when streamed) and, in memory, the
 * targets. */
struct diff_build {
    struct diff *d;
    const struct report_data *a, *b;
    size_t cap_entries;
    size_t cap_targets;
    bool oom;
    diff_emit_fn emit;
    void *emit_arg;
    bool failed;   /* emit or a read failed (the reason is the caller's) */
    bool disorder; /* a side's keys did not come in diff_key_cmp order */
};

/* One target of a scan in the pairing's order: its identity (strings the
 * key owns) and where it is stored. */
struct diff_key {
    char *host;
    uint16_t port;
    char *sni; /* NULL when none stored (the model keeps the difference) */
    char ip[64];
    char starttls[FACT_PROTO_LEN];
    int64_t tid; /* targets.id */
    size_t idx;  /* index in the scan's targets (the order stored) */
    long partner;
};

/* Where the pairing reads the two scans from, in identity order (each
 * side sorted by diff_key_cmp): next gives side's next key (1, 0 at the
 * end, -1 on error), load a key's target (with, when streamed, its
 * findings put into c->a's or c->b's runs), unload frees what load read. */
struct diff_source {
    int (*next)(void *arg, int side, struct diff_key *out);
    int (*load)(void *arg, int side, const struct diff_key *k, const struct target_result **out);
    void (*unload)(void *arg, int side);
    void *arg;
};

/* ---- diff_pair.c: pairing */

/* diff_key_set fills k with copies of the identity of r (tid, idx);
 * returns 0 or -1 (out of memory). diff_key_cleanup frees its strings. */
int diff_key_set(struct diff_key *k, const char *host, uint16_t port, const char *sni,
                 const char *ip, const char *starttls, int64_t tid, size_t idx);
void diff_key_cleanup(struct diff_key *k);

/* diff_key_cmp is the pairing's order: endpoint identity, then the host's
 * bytes, then the order stored. */
int diff_key_cmp(const struct diff_key *x, const struct diff_key *y);

/* diff_walk pairs the two sides of src, one name (host, port, SNI,
 * protocol: the targets an address may tell apart) at a time, and builds
 * the model: B's targets in order, each pair compared (diff_cmp_pair),
 * then A's unpaired ones (streamed: handed to emit as they come). Returns
 * 0, or -1 (c->oom, or c->failed: src or emit failed, or a side out of
 * order). */
int diff_walk(struct diff_build *c, const struct diff_source *src);

/* ---- diff.c: building the model */

/* diff_head_init fills d's scans and policies (no target) from a and b. */
void diff_head_init(struct diff_build *c, struct diff *d);

/* diff_add_target appends the target of key k (presence p, indexes ia, ib)
 * and sets *out_t; -1 when out of memory. */
int diff_add_target(struct diff_build *c, const struct diff_key *k, enum diff_presence p, long ia,
                    long ib, size_t *out_t);

/* diff_cmp_pair appends the entries of target t: ra (targets.id tid_a) in
 * A against rb (tid_b) in B. */
void diff_cmp_pair(struct diff_build *c, size_t t, const struct target_result *ra, int64_t tid_a,
                   const struct target_result *rb, int64_t tid_b);

/* diff_target_done ends target t: streamed, it goes to emit and the model
 * is cleared. Returns 0 or -1 (c->failed). */
int diff_target_done(struct diff_build *c);

/* diff_clear_targets frees d's targets and entries and empties them. */
void diff_clear_targets(struct diff *d);

/* ---- diff.c: building the model */

/* diff_dup_str returns a copy of s (NULL for NULL; NULL and c->oom set when
 * out of memory). */
char *diff_dup_str(struct diff_build *c, const char *s);

/* diff_fmt_str returns a new formatted string, NULL and c->oom set when out
 * of memory. */
char *diff_fmt_str(struct diff_build *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* diff_add_entry appends a zeroed entry of kind k on target t; NULL when out of
 * memory (c->oom set). */
struct diff_entry *diff_add_entry(struct diff_build *c, enum diff_kind k, size_t t, bool worse);

/* ---- diff_findings.c: policies and findings */

/* diff_newest_run returns the newest run of policy_id in d, or NULL. */
const struct store_run *diff_newest_run(const struct report_data *d, const char *policy_id);

/* diff_split_policies sorts the policy ids of c->a and c->b into compared / only. */
void diff_split_policies(struct diff_build *c);

/* diff_cmp_findings appends the finding and policy-verdict entries of target
 * t (tid_a in scan A, tid_b in scan B) for every policy compared; when the
 * target was not scanned in one of them (scanned_a, scanned_b false) it
 * appends one DIFF_NOT_EVALUATED entry per policy with failing findings on
 * the other side instead. */
void diff_cmp_findings(struct diff_build *c, size_t t, int64_t tid_a, int64_t tid_b, bool scanned_a,
                       bool scanned_b);

/* ---- diff_out.c, diff_text.c, diff_json.c: the renderings, one target at
 * a time */

/* The counts the renderings print after (or, JSON and Markdown, before)
 * the targets. */
struct diff_totals {
    size_t n_entries, n_worse;
    size_t changed, unchanged; /* targets in both scans */
    size_t only_a, only_b;
};

/* A diff being written: what is printed where it goes (text: the changed
 * targets straight to out), what is printed later into temporary files
 * (body: Markdown's targets, JSON's elements; only[0], only[1]: the
 * targets in one scan only). */
struct diff_writer {
    FILE *out;
    enum report_format f;
    const struct diff *head; /* the scans and policies; borrowed */
    FILE *body, *only[2];
    struct diff_totals k;
    bool failed;
};

/* diff_writer_begin starts writing head's diff in f to out. Returns 0, or
 * -1 with the reason in err (another format, no temporary file). */
int diff_writer_begin(struct diff_writer *w, FILE *out, enum report_format f,
                      const struct diff *head, char *err, size_t err_len);

/* diff_writer_target writes (or keeps for later) one target's view
 * (n_targets 1 and its entries). Returns 0 or -1. */
int diff_writer_target(struct diff_writer *w, const struct diff *one);

/* diff_writer_end writes what was kept and the totals. Returns 0, or -1
 * with the reason in err. diff_writer_cleanup closes the temporary files
 * (either way). */
int diff_writer_end(struct diff_writer *w, char *err, size_t err_len);
void diff_writer_cleanup(struct diff_writer *w);

/* diff_copy_file copies f (rewound) to out, its first skip bytes left out.
 * Returns 0 or -1. */
int diff_copy_file(FILE *out, FILE *f, long skip);

/* text and Markdown (diff_text.c): the head (with the totals: Markdown's
 * count of worse changes), one target in both with changes, one target in
 * one scan only (its line), the lists of those at the end, the totals. */
void diff_text_head(FILE *out, bool markdown, const struct diff *head, const struct diff_totals *k);
void diff_text_target(FILE *out, bool markdown, const struct diff *one);
void diff_text_only_item(FILE *out, bool markdown, const struct diff_target *t);
int diff_text_only_lists(FILE *out, bool markdown, const struct diff *head, FILE *only[2],
                         const struct diff_totals *k);
void diff_text_totals(FILE *out, const struct diff *head, const struct diff_totals *k);

/* JSON (diff_json.c): one target's element (a "," before it, at its depth
 * in the document), and the document around the elements of body and
 * only_a. Both return 0 or -1. */
int diff_json_element(FILE *f, const struct diff *one);
int diff_json_document(FILE *out, const struct diff *head, const struct diff_totals *k, FILE *body,
                       FILE *only_a, char *err, size_t err_len);

#endif
