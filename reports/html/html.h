/*
 * reports/html/html.h - what the files of the HTML report share: the
 * rendering context (indexes built once per report) and the small writers.
 *
 * Pipeline position: report_load -> report_write_html (html/writer.c) ->
 * one section per file: summary.c, target.c (per-target detail),
 * inventories.c (PCI inventories, expiring certificates), provenance.c.
 * Streamed (report_stream_html, html/stream.c): report_load_heads ->
 * report_each_target -> each target's pieces rendered by the same
 * functions over a one-target view (t_base, n_scan) into a sort spool
 * (store/spool.h) -> html/stream_out.c writes the sections from it.
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
    /* A streamed view of one target (d->targets[0]): its index in the scan
     * (anchors are "t" + t_base + t) and the scan's number of targets (the
     * layout's choice); 0 and 0 for a whole scan. */
    size_t t_base;
    size_t n_scan;
};

/* What one policy run's row of the summary counts. */
struct html_run_tally {
    size_t n_pass, n_fail, n_inc, n_na;             /* targets by verdict */
    size_t sev[5], n_warn, n_waived, n_unknown_sev; /* findings */
};

/* In the summary layout, how many targets an inventory row names before
 * "and N more" (the CSV and JSON reports list them all). */
#define HTML_SUMMARY_LIST_MAX 12

/* How many failing findings the summary lists before "and N more". */
#define HTML_WORST_MAX 25

/* The end of a table's body; the count cell of a rule's row (then its
 * targets). */
#define HTML_TABLE_END "</tbody>\n</table>\n"
#define HTML_RULE_COUNT "</td><td class=\"num\">%zu</td><td>"

/* ---- html/stream.c, html/stream_out.c: the streamed report */
struct store_spool;

/* The sections of the spool: each target's pieces, sorted and grouped
 * there (see stream.c for each one's group and key). */
enum html_sec {
    HS_ROW,     /* the summary's row of each target, in report order */
    HS_ARTICLE, /* each target shown in detail, in report order */
    HS_ADDRESS, /* the provenance's row of each target, in stored order */
    HS_WORST,   /* each failing finding, worst first */
    HS_RULE,    /* by (severity, run, rule): its row's head, then each target */
    HS_CERT,    /* by SHA-256: the certificate's row head, then each place */
    HS_VERSION, /* by version, newest first: the row's head, then each target */
    HS_SUITE,   /* by (version, code): the row's head, then each target */
};

/* One streamed report: what the walk accumulates besides the spool. */
struct html_stream {
    struct store *s;
    struct store_spool *sp;
    struct report_data *d; /* the scan's head and runs (report_load_heads) */
    const struct report_options *o;
    size_t n_scan;  /* the scan's targets, read in the walk's snapshot */
    size_t n;       /* targets walked */
    size_t scanned; /* of those, scanned */
    bool gate_fails;
    struct html_run_tally *tally; /* per run, over every target walked */
    char err[512];
};

/* html_stream_write writes the report from w's spool once every target
 * was walked. Returns 0, or -1 with the reason in w->err. */
int html_stream_write(struct html_stream *w, FILE *out);

/* ---- html/writer.c: small writers and the finding indexes */
/* html_ctx_build fills c's indexes from c->d (c->out, d, o, t_base, n_scan
 * set); 0, or -1 when out of memory. html_ctx_free frees them. */
int html_ctx_build(struct html_ctx *c);
void html_ctx_free(struct html_ctx *c);
/* html_target_rank: 4 not scanned, else t's worst verdict over the runs
 * (3 non-compliant .. 0 not evaluated): the report's order, worst first. */
int html_target_rank(const struct html_ctx *c, size_t t);
void html_put_head(struct html_ctx *c);
void html_put_footer(struct html_ctx *c);
/* html_put_fref_target: a link to f's target, or "not a target". */
void html_put_fref_target(struct html_ctx *c, const struct html_fref *f);
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
/* The summary's pieces, for the streamed report: the head and counts; the
 * targets table (open: false when there is no target); the tally of run r
 * over c's targets, added to k, and the policies table from them; the
 * worst findings (open: false when none fails; close: the "and N more");
 * the rules' rows (head, then HTML_RULE_COUNT and the targets). */
void html_put_summary_open(struct html_ctx *c, size_t n_targets, size_t scanned);
bool html_put_targets_table_open(struct html_ctx *c, size_t n_targets);
void html_put_target_row(struct html_ctx *c, size_t t);
void html_tally_run(const struct html_ctx *c, size_t r, struct html_run_tally *k);
void html_put_policies_table(struct html_ctx *c, const struct html_run_tally *k);
bool html_put_worst_open(struct html_ctx *c, size_t n_fail);
void html_put_worst_row(struct html_ctx *c, const struct html_fref *f);
void html_put_worst_close(struct html_ctx *c, size_t n_fail);
void html_put_by_rule_open(struct html_ctx *c);
void html_put_rule_head(struct html_ctx *c, const struct html_fref *f);

/* ---- html/target.c */
void html_put_key(struct html_ctx *c, const struct cert_fact *cf);
void html_put_targets(struct html_ctx *c);
void html_put_targets_open(struct html_ctx *c, size_t n_targets, size_t n_detail);
void html_put_target_article(struct html_ctx *c, size_t t);
/* html_put_grade: the Grade block of r (reports/html/grade.c). */
void html_put_grade(struct html_ctx *c, const struct target_result *r);
/* html_put_grade_badge: r's grade as a badge ("-" when not graded). */
void html_put_grade_badge(struct html_ctx *c, const struct target_result *r);

/* ---- html/inventories.c */
int html_put_expiring(struct html_ctx *c);
void html_put_cert_inventory(struct html_ctx *c);
void html_put_protocol_inventory(struct html_ctx *c);
/* The inventories' pieces (open: false when the section has no table). */
bool html_put_cert_inventory_open(struct html_ctx *c, size_t n_unique);
void html_put_cert_head(struct html_ctx *c, const struct cert_fact *cf);
void html_put_cert_place(struct html_ctx *c, const struct inventory_place *p);
bool html_put_protocol_inventory_open(struct html_ctx *c, size_t n_versions);
void html_put_version_head(struct html_ctx *c, enum tls_version v);
void html_put_suites_open(struct html_ctx *c);
void html_put_suite_head(struct html_ctx *c, enum tls_version v, uint32_t code);
size_t html_use_shown(const struct html_ctx *c, size_t n);
void html_put_use_more(struct html_ctx *c, size_t n, size_t shown);

/* ---- html/provenance.c */
void html_put_provenance(struct html_ctx *c);
bool html_put_provenance_open(struct html_ctx *c, size_t n_targets);
void html_put_address_row(struct html_ctx *c, size_t t);

#endif
