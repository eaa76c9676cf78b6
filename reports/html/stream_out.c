/*
 * reports/html/stream_out.c - the streamed HTML report's second half:
 * once every target was walked (html/stream.c), each section is written
 * from the spool in the whole-scan renderer's order, around the same
 * heads and ends (html/summary.c, target.c, inventories.c,
 * provenance.c). A group of HS_RULE, HS_CERT, HS_VERSION or HS_SUITE is
 * its head (row 0) and then its elements: the count a row shows is the
 * group's size less its head.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "reports/html/html.h"
#include "store/spool.h"

/* How a grouped section's rows are written. */
enum hs_kind {
    HK_RULE, /* the count cell, then the targets, ", " between */
    HK_CERT, /* a list of places */
    HK_USE,  /* "N: ", then the targets, ", " between, at most html_use_shown */
};

struct hs_out {
    struct html_stream *w;
    struct html_ctx *c;
    enum hs_kind kind;
};

/* hs_copy writes a row's body. A write error of the output stops the
 * section (1) and is the caller's to see (ferror), as with
 * report_write. */
static int hs_copy(void *arg, const struct store_spool_row *r)
{
    struct hs_out *x = arg;
    if (r->body_len > 0 && fwrite(r->body, 1, r->body_len, x->c->out) != r->body_len) {
        return 1;
    }
    return 0;
}

/* hs_group_row writes one row of a grouped section: its head (index 0)
 * or one of its elements, and after the last one shown the row's end. */
static int hs_group_row(void *arg, const struct store_spool_row *r)
{
    struct hs_out *x = arg;
    FILE *out = x->c->out;
    size_t n = r->n_group - 1; /* the elements */
    size_t shown = x->kind == HK_USE ? html_use_shown(x->c, n) : n;
    if (r->index == 0) {
        if (hs_copy(arg, r) != 0) {
            return 1;
        }
        if (x->kind == HK_RULE) {
            fprintf(out, HTML_RULE_COUNT, n);
        } else if (x->kind == HK_CERT) {
            fputs("<ul class=\"plain\">", out);
        } else {
            fprintf(out, "%zu: ", n);
        }
    } else {
        fputs(r->index > 1 && x->kind != HK_CERT ? ", " : "", out);
        if (hs_copy(arg, r) != 0) {
            return 1;
        }
    }
    if (r->index == shown) {
        if (x->kind == HK_USE) {
            html_put_use_more(x->c, n, shown);
        }
        fputs(x->kind == HK_CERT ? "</ul></td></tr>\n" : "</td></tr>\n", out);
    }
    return ferror(out) ? 1 : 0;
}

/* hs_section writes section sec's rows: copied, or (grouped) as kind,
 * at most max (0: all) per group. */
static int hs_section(struct hs_out *x, int sec, bool grouped, enum hs_kind kind, size_t max)
{
    x->kind = kind;
    int rc = store_spool_each(x->w->sp, sec, max, grouped ? hs_group_row : hs_copy, x);
    if (rc < 0) {
        snprintf(x->w->err, sizeof(x->w->err), "%s", store_spool_errmsg(x->w->sp));
        return -1;
    }
    return 0; /* rc > 0: the output failed, ferror(out) says so */
}

static int hs_count(struct hs_out *x, int sec, size_t *rows, size_t *groups)
{
    if (store_spool_count(x->w->sp, sec, rows, groups) != 0) {
        snprintf(x->w->err, sizeof(x->w->err), "%s", store_spool_errmsg(x->w->sp));
        return -1;
    }
    return 0;
}

/* hs_summary: the summary section. */
static int hs_summary(struct hs_out *x)
{
    struct html_ctx *c = x->c;
    size_t n_fail, n_rules, g;
    html_put_summary_open(c, x->w->n, x->w->scanned);
    if (html_put_targets_table_open(c, x->w->n)) {
        if (hs_section(x, HS_ROW, false, HK_RULE, 0) != 0) {
            return -1;
        }
        fputs(HTML_TABLE_END, c->out);
    }
    html_put_policies_table(c, x->w->tally);
    if (hs_count(x, HS_WORST, &n_fail, &g) != 0) {
        return -1;
    }
    if (html_put_worst_open(c, n_fail)) {
        if (hs_section(x, HS_WORST, false, HK_RULE, HTML_WORST_MAX) != 0) {
            return -1;
        }
        html_put_worst_close(c, n_fail);
    }
    if (hs_count(x, HS_RULE, &n_rules, &g) != 0) {
        return -1;
    }
    if (n_rules > 0) {
        html_put_by_rule_open(c);
        if (hs_section(x, HS_RULE, true, HK_RULE, 0) != 0) {
            return -1;
        }
        fputs(HTML_TABLE_END, c->out);
    }
    fputs("</section>\n", c->out);
    return 0;
}

/* hs_inventories: the certificate and the protocol inventories. */
static int hs_inventories(struct hs_out *x)
{
    struct html_ctx *c = x->c;
    size_t rows, n_certs, n_versions;
    size_t max = c->summary ? HTML_SUMMARY_LIST_MAX + 1 : 0; /* and the head */
    if (hs_count(x, HS_CERT, &rows, &n_certs) != 0) {
        return -1;
    }
    if (html_put_cert_inventory_open(c, n_certs)) {
        if (hs_section(x, HS_CERT, true, HK_CERT, 0) != 0) {
            return -1;
        }
        fputs(HTML_TABLE_END "</section>\n", c->out);
    }
    if (hs_count(x, HS_VERSION, &rows, &n_versions) != 0) {
        return -1;
    }
    if (html_put_protocol_inventory_open(c, n_versions)) {
        if (hs_section(x, HS_VERSION, true, HK_USE, max) != 0) {
            return -1;
        }
        html_put_suites_open(c);
        if (hs_section(x, HS_SUITE, true, HK_USE, max) != 0) {
            return -1;
        }
        fputs(HTML_TABLE_END "</section>\n", c->out);
    }
    return 0;
}

int html_stream_write(struct html_stream *w, FILE *out)
{
    const struct report_options *o = w->o;
    struct html_ctx c = {.out = out, .d = w->d, .o = o};
    struct hs_out x = {.w = w, .c = &c};
    size_t n_detail, g;
    /* the layout ctx_order chooses (html/writer.c), for the scan's count */
    c.summary = o->detail == REPORT_DETAIL_FAILING ||
                (o->detail == REPORT_DETAIL_AUTO && w->n > REPORT_DETAIL_AUTO_MAX);
    html_put_head(&c);
    if (hs_summary(&x) != 0 || hs_count(&x, HS_ARTICLE, &n_detail, &g) != 0) {
        return -1;
    }
    html_put_targets_open(&c, w->n, n_detail);
    if (hs_section(&x, HS_ARTICLE, false, HK_RULE, 0) != 0) {
        return -1;
    }
    fputs("</section>\n", out);
    if (hs_inventories(&x) != 0) {
        return -1;
    }
    if (html_put_provenance_open(&c, w->n)) {
        if (hs_section(&x, HS_ADDRESS, false, HK_RULE, 0) != 0) {
            return -1;
        }
        fputs(HTML_TABLE_END, out);
    }
    fputs("</section>\n", out);
    html_put_footer(&c);
    return 0;
}
