/*
 * reports/html/html.h - what the files of the HTML report share: the
 * rendering context (indexes built once per report) and the small writers.
 *
 * Pipeline position: report_load -> report_write_html (html/writer.c) ->
 * one section per file: summary.c, target.c (per-target detail),
 * inventories.c (PCI inventories, expiring certificates), provenance.c.
 *
 * Invariants (for every file here): every string from the database goes
 * through html_text / html_text_or (esc_html); markup, classes, ids and
 * links come only from literals and indexes; no script, no external asset.
 * Private to reports/html/.
 */
#ifndef TLSAUDIT_REPORTS_HTML_HTML_H
#define TLSAUDIT_REPORTS_HTML_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/inventory.h"
#include "reports/report.h"

/* A finding of a run, placed: which run, which finding, which target. */
struct html_fref {
    size_t run;
    size_t finding;
    long target; /* index in d->targets, -1 when not a target of the scan */
};

/* Target ids sorted, to place findings without a linear search each. */
struct html_idmap {
    int64_t id;
    size_t index;
};

struct html_ctx {
    FILE *out;
    const struct report_data *d;
    const struct report_options *o;
    struct html_idmap *ids;  /* n_targets, sorted by id */
    struct html_fref *frefs; /* every finding, sorted by (target, run, finding) */
    size_t n_frefs;
    struct inventory inv; /* certificates, versions and suites in use (reports/inventory.h) */
    /* Each run's verdict on each target (n_runs x n_targets, run-major),
     * computed once from frefs; the report's one verdict (report_run_verdict). */
    enum target_verdict *tv;
    /* The targets in report order: worst first (not scanned, non-compliant,
     * not demonstrated, compliant, not evaluated), then host, port. */
    size_t *order;
    bool *detail;    /* n_targets: shown in "Targets in detail" */
    size_t n_detail; /* how many are */
    bool summary;    /* the fleet layout: failing targets only in detail, short lists */
};

/* In the summary layout, how many targets an inventory row names before
 * "and N more" (the CSV and JSON reports list them all). */
#define HTML_SUMMARY_LIST_MAX 12

/* ---- html/writer.c: small writers and the finding indexes */
const char *html_run_target_verdict(const struct html_ctx *c, size_t r, size_t t, const char **cls);
const struct store_finding_row *html_fref_row(const struct html_ctx *c, const struct html_fref *f);
int html_cmp_fref(const void *a, const void *b);
void html_put_badge(struct html_ctx *c, const char *cls, const char *literal);
void html_put_date(struct html_ctx *c, int64_t secs);
void html_put_ms(struct html_ctx *c, int64_t ms);
void html_put_severity(struct html_ctx *c, const char *s);
void html_put_suite_code(struct html_ctx *c, uint32_t code);
void html_put_suite_name(struct html_ctx *c, uint32_t code);
void html_put_target_link(struct html_ctx *c, size_t t);
void html_put_target_name(struct html_ctx *c, const struct target_result *r);
void html_put_verdict(struct html_ctx *c, const char *s);
void html_target_findings(const struct html_ctx *c, long t, size_t *first, size_t *end);
void html_text(struct html_ctx *c, const char *s);
void html_text_or(struct html_ctx *c, const char *s, const char *fallback);

/* ---- html/summary.c */
int html_put_summary(struct html_ctx *c);

/* ---- html/target.c */
void html_put_key(struct html_ctx *c, const struct cert_fact *cf);
void html_put_targets(struct html_ctx *c);
/* html_put_grade: the Grade block of r (reports/html/grade.c). */
void html_put_grade(struct html_ctx *c, const struct target_result *r);
/* html_put_grade_badge: r's grade as a badge ("-" when not graded). */
void html_put_grade_badge(struct html_ctx *c, const struct target_result *r);

/* ---- html/inventories.c */
int html_put_expiring(struct html_ctx *c);
void html_put_cert_inventory(struct html_ctx *c);
void html_put_protocol_inventory(struct html_ctx *c);

/* ---- html/provenance.c */
void html_put_provenance(struct html_ctx *c);

#endif
