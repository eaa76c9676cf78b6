/*
 * reports/html/stream.c - report_stream_html (reports/report.h): the HTML
 * report of a stored scan, its targets read one at a time.
 *
 * One walk (report_each_target) renders each target's pieces with the
 * functions of the whole-scan renderer, over a view that holds only that
 * target (html_ctx t_base: its index in the scan, n_scan: the scan's
 * number of targets, read in the walk's snapshot, for the layout), and
 * puts them into a sort spool (store/spool.h), keyed so that SQLite gives
 * them back in the whole-scan renderer's order:
 *
 *   section     group                            key
 *   HS_ROW      -                                rank desc, host, port, t
 *   HS_ARTICLE  -                                the same (shown in detail only)
 *   HS_ADDRESS  -                                t
 *   HS_WORST    -                                severity desc, t, run, finding
 *   HS_RULE     severity desc, run, rule id      "" (the row's head), then t, finding
 *   HS_CERT     SHA-256                          "" (the head), then t, deployment, position
 *   HS_VERSION  version desc                     "" (the head), then t
 *   HS_SUITE    version desc, code               "" (the head), then t
 *
 * (t: the target's index in the stored order; finding: its index among
 * the target's findings of the run, which keeps the stored order.) A
 * group's head is put by the first target that has it, which is the one
 * the whole-scan renderer takes it from (the lowest index). Then
 * html/stream_out.c writes the sections from the spool.
 *
 * Memory: one target with its findings and its pieces at a time, the
 * per-run tallies, and SQLite's page cache; every piece is on disk until
 * written. The bytes are report_write_html's for a full load without
 * --expiring (tests/report/golden.sh, html-stream).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/html/html.h"
#include "store/spool.h"

/* The pieces of one target, rendered into one memory stream. */
struct hs_piece {
    FILE *f;
    char *buf;
    size_t len;
    long at;    /* where the current piece starts */
    char *link; /* the target's link (html_put_target_link), kept */
    size_t link_len;
};

/* A spool group or key being built. */
struct hs_key {
    unsigned char b[STORE_SPOOL_KEY_MAX];
    size_t n;
};

static const struct hs_key hs_head_key = {.n = 0}; /* sorts before every element */

static struct hs_key *key_u64(struct hs_key *k, uint64_t v, bool desc)
{
    store_spool_key_u64(k->b, &k->n, v, desc);
    return k;
}

static int hs_oom(struct html_stream *w)
{
    snprintf(w->err, sizeof(w->err), "out of memory while writing the HTML report");
    return -1;
}

static int hs_put_bytes(struct html_stream *w, int sec, const struct hs_key *grp,
                        const struct hs_key *key, const void *body, size_t len)
{
    if (store_spool_put(w->sp, sec, grp != NULL ? grp->b : NULL, grp != NULL ? grp->n : 0, key->b,
                        key->n, body, len) != 0) {
        snprintf(w->err, sizeof(w->err), "%s", store_spool_errmsg(w->sp));
        return -1;
    }
    return 0;
}

static void piece_begin(struct hs_piece *p)
{
    p->at = ftell(p->f);
}

/* hs_put puts the piece written since piece_begin into section sec. */
static int hs_put(struct html_stream *w, struct hs_piece *p, int sec, const struct hs_key *grp,
                  const struct hs_key *key)
{
    if (p->at < 0 || fflush(p->f) != 0) {
        return hs_oom(w);
    }
    return hs_put_bytes(w, sec, grp, key, p->buf + p->at, p->len - (size_t)p->at);
}

/* hs_new_group: 1 when section sec has no row in group grp yet (the
 * caller then puts the group's head), 0 when it has, -1 on an error. */
static int hs_new_group(struct html_stream *w, int sec, const struct hs_key *grp)
{
    bool has = false;
    if (store_spool_has_group(w->sp, sec, grp->b, grp->n, &has) != 0) {
        snprintf(w->err, sizeof(w->err), "%s", store_spool_errmsg(w->sp));
        return -1;
    }
    return has ? 0 : 1;
}

/* hs_put_link puts the target's link as an element of group grp of sec,
 * under key. */
static int hs_put_link(struct html_stream *w, const struct hs_piece *p, int sec,
                       const struct hs_key *grp, const struct hs_key *key)
{
    return hs_put_bytes(w, sec, grp, key, p->link, p->link_len);
}

/* hs_keep_link renders the target's link once, for every section that
 * names it. */
static int hs_keep_link(struct html_stream *w, struct html_ctx *c, struct hs_piece *p)
{
    piece_begin(p);
    html_put_target_link(c, 0);
    if (p->at < 0 || fflush(p->f) != 0) {
        return hs_oom(w);
    }
    p->link_len = p->len - (size_t)p->at;
    p->link = malloc(p->link_len + 1);
    if (p->link == NULL) {
        return hs_oom(w);
    }
    memcpy(p->link, p->buf + p->at, p->link_len);
    return 0;
}

/* hs_target_pieces: the summary's row, the article (when shown in
 * detail), the provenance's row. */
static int hs_target_pieces(struct html_stream *w, struct html_ctx *c, struct hs_piece *p)
{
    const struct target_result *r = &c->d->targets[0];
    struct hs_key ord = {.n = 0}, at = {.n = 0};
    key_u64(&ord, (uint64_t)html_target_rank(c, 0), true);
    store_spool_key_str(ord.b, &ord.n, r->host != NULL ? r->host : "");
    key_u64(key_u64(&ord, r->port, false), c->t_base, false);
    key_u64(&at, c->t_base, false);
    piece_begin(p);
    html_put_target_row(c, 0);
    if (hs_put(w, p, HS_ROW, NULL, &ord) != 0) {
        return -1;
    }
    if (c->detail[0]) {
        piece_begin(p);
        html_put_target_article(c, 0);
        if (hs_put(w, p, HS_ARTICLE, NULL, &ord) != 0) {
            return -1;
        }
    }
    piece_begin(p);
    html_put_address_row(c, 0);
    return hs_put(w, p, HS_ADDRESS, NULL, &at);
}

/* hs_failing_pieces: each failing finding in the worst findings and under
 * its rule. */
static int hs_failing_pieces(struct html_stream *w, struct html_ctx *c, struct hs_piece *p)
{
    for (size_t i = 0; i < c->n_frefs; i++) {
        const struct html_fref *f = &c->frefs[i];
        const struct store_finding_row *fr = html_fref_row(c, f);
        if (!verdict_is(fr->verdict, VERDICT_FAIL)) {
            continue;
        }
        uint64_t sev = (uint64_t)(report_severity_rank(fr->severity) + 1); /* -1: unknown */
        struct hs_key worst = {.n = 0}, grp = {.n = 0}, key = {.n = 0};
        key_u64(key_u64(key_u64(key_u64(&worst, sev, true), c->t_base, false), f->run, false),
                f->finding, false);
        piece_begin(p);
        html_put_worst_row(c, f);
        if (hs_put(w, p, HS_WORST, NULL, &worst) != 0) {
            return -1;
        }
        key_u64(key_u64(&grp, sev, true), f->run, false);
        store_spool_key_str(grp.b, &grp.n, fr->rule_id != NULL ? fr->rule_id : "");
        int fresh = hs_new_group(w, HS_RULE, &grp);
        if (fresh < 0) {
            return -1;
        }
        if (fresh) {
            piece_begin(p);
            html_put_rule_head(c, f);
            if (hs_put(w, p, HS_RULE, &grp, &hs_head_key) != 0) {
                return -1;
            }
        }
        key_u64(key_u64(&key, c->t_base, false), f->finding, false);
        if (hs_put_link(w, p, HS_RULE, &grp, &key) != 0) {
            return -1;
        }
    }
    return 0;
}

/* hs_cert_pieces: each certificate the target serves, its places. */
static int hs_cert_pieces(struct html_stream *w, struct html_ctx *c, struct hs_piece *p)
{
    for (size_t i = 0; i < c->inv.n_certs; i++) {
        const struct inventory_cert *x = &c->inv.certs[i];
        struct hs_key grp = {.n = 0};
        store_spool_key_str(grp.b, &grp.n, x->cert->sha256);
        int fresh = hs_new_group(w, HS_CERT, &grp);
        if (fresh < 0) {
            return -1;
        }
        if (fresh) {
            piece_begin(p);
            html_put_cert_head(c, x->cert);
            if (hs_put(w, p, HS_CERT, &grp, &hs_head_key) != 0) {
                return -1;
            }
        }
        for (size_t k = 0; k < x->n_places; k++) {
            const struct inventory_place *pl = &x->places[k];
            struct hs_key key = {.n = 0};
            key_u64(key_u64(key_u64(&key, c->t_base, false), pl->deployment, false), pl->position,
                    false);
            piece_begin(p);
            html_put_cert_place(c, pl);
            if (hs_put(w, p, HS_CERT, &grp, &key) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* hs_use_pieces: the target under each version and suite it accepts. */
static int hs_use_pieces(struct html_stream *w, struct html_ctx *c, struct hs_piece *p, bool suites)
{
    size_t n = suites ? c->inv.n_suites : c->inv.n_versions;
    int sec = suites ? HS_SUITE : HS_VERSION;
    for (size_t i = 0; i < n; i++) {
        const struct inventory_use *u = suites ? &c->inv.suites[i] : &c->inv.versions[i];
        struct hs_key grp = {.n = 0}, key = {.n = 0};
        key_u64(&grp, (uint64_t)u->version, true);
        if (suites) {
            key_u64(&grp, u->suite, false);
        }
        int fresh = hs_new_group(w, sec, &grp);
        if (fresh < 0) {
            return -1;
        }
        if (fresh) {
            piece_begin(p);
            if (suites) {
                html_put_suite_head(c, u->version, u->suite);
            } else {
                html_put_version_head(c, u->version);
            }
            if (hs_put(w, p, sec, &grp, &hs_head_key) != 0) {
                return -1;
            }
        }
        if (hs_put_link(w, p, sec, &grp, key_u64(&key, c->t_base, false)) != 0) {
            return -1;
        }
    }
    return 0;
}

/* hs_count reads the scan's number of targets in the walk's snapshot. */
static int hs_count(struct html_stream *w)
{
    struct store_scan_info info;
    if (store_scan_info(w->s, w->d->info.id, &info) != 0) {
        snprintf(w->err, sizeof(w->err), "%s", store_errmsg(w->s));
        return -1;
    }
    w->n_scan = info.n_targets;
    store_scan_info_cleanup(&info);
    return 0;
}

/* hs_target: report_each_target's callback, one target's pieces. */
static int hs_target(void *arg, const struct report_data *one)
{
    struct html_stream *w = arg;
    if (w->n == 0 && hs_count(w) != 0) {
        return -1;
    }
    struct html_ctx c = {.d = one, .o = w->o, .t_base = w->n, .n_scan = w->n_scan};
    struct hs_piece p = {0};
    int rc = -1;
    p.f = open_memstream(&p.buf, &p.len);
    if (p.f == NULL || html_ctx_build(&c) != 0) {
        hs_oom(w);
        goto out;
    }
    c.out = p.f;
    if (hs_keep_link(w, &c, &p) != 0 || hs_target_pieces(w, &c, &p) != 0 ||
        hs_failing_pieces(w, &c, &p) != 0 || hs_cert_pieces(w, &c, &p) != 0 ||
        hs_use_pieces(w, &c, &p, false) != 0 || hs_use_pieces(w, &c, &p, true) != 0) {
        goto out;
    }
    for (size_t r = 0; r < one->n_runs; r++) {
        html_tally_run(&c, r, &w->tally[r]);
    }
    w->scanned += report_scanned(&one->targets[0]);
    w->gate_fails = w->gate_fails || report_gate_fails(one);
    w->n++;
    rc = 0;
out:
    if (p.f != NULL) {
        fclose(p.f);
    }
    free(p.buf);
    free(p.link);
    html_ctx_free(&c);
    return rc;
}

int report_stream_html(FILE *out, struct store *s, struct report_data *d,
                       const struct report_options *o, bool *gate_fails, char *err, size_t err_len)
{
    struct html_stream w = {.s = s, .d = d, .o = o};
    int ret = -1;
    w.tally = calloc(d->n_runs ? d->n_runs : 1, sizeof(*w.tally));
    if (w.tally == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    if (store_spool_open(&w.sp, err, err_len) != 0) {
        goto out;
    }
    if (report_each_target(s, d, hs_target, &w, err, err_len) != 0) {
        if (w.err[0] != '\0') {
            snprintf(err, err_len, "%s", w.err);
        }
        goto out;
    }
    if (html_stream_write(&w, out) != 0) {
        snprintf(err, err_len, "%s", w.err);
        goto out;
    }
    *gate_fails = w.gate_fails;
    ret = 0;
out:
    store_spool_close(w.sp);
    free(w.tally);
    return ret;
}
