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

/* The model being built by diff_compute. */
struct diff_build {
    struct diff *d;
    const struct report_data *a, *b;
    size_t cap_entries;
    size_t cap_targets;
    bool oom;
};

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

/* diff_count_presence returns the number of targets of d with presence p. */
size_t diff_count_presence(const struct diff *d, enum diff_presence p);

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

/* ---- diff_text.c, diff_json.c: the renderings */

void diff_write_text(FILE *out, const struct diff *d);
void diff_write_markdown(FILE *out, const struct diff *d);

/* diff_write_json returns 0, or -1 with the reason in err. */
int diff_write_json(FILE *out, const struct diff *d, char *err, size_t err_len);

#endif
