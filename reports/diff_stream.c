/*
 * reports/diff_stream.c - `tlsaudit diff` over the store, one target pair
 * at a time (diff_stream, reports/diff.h): the two scans' targets come in
 * identity order from the store (store_walk_*: SQLite's ORDER BY over
 * both, one read snapshot), diff_walk pairs them one name at a time, each
 * pair is read with its findings, compared, handed to the writer and
 * freed.
 *
 * Pipeline position: report_load_heads (twice, cli/cmd_diff.c) ->
 * [diff_stream] -> diff_walk (reports/diff_pair.c) -> diff_cmp_pair
 * (reports/diff.c) -> the writer (reports/diff_out.c) -> out.
 *
 * Invariant: the output is diff_write's for diff_compute over the scans
 * loaded whole (the same pairing, comparison and renderers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/diff_private.h"

/* The store as a diff_source. */
struct st_source {
    struct store *s;
    struct store_walk *w;
    struct report_data *d[2]; /* heads; the pair's findings loaded into their runs */
    struct target_result r[2];
    bool loaded[2];
    bool db_failed; /* the reason is store_errmsg(s) */
};

static int st_next(void *arg, int side, struct diff_key *out)
{
    struct st_source *m = arg;
    struct store_target_key k;
    int rc = store_walk_next(m->w, side, &k);
    if (rc < 0) {
        m->db_failed = true;
    }
    if (rc != 1) {
        return rc;
    }
    return diff_key_set(out, k.host, k.port, k.sni, k.ip, k.starttls, k.id, k.index) == 0 ? 1 : -1;
}

static void st_unload(void *arg, int side)
{
    struct st_source *m = arg;
    if (!m->loaded[side]) {
        return;
    }
    target_result_cleanup(&m->r[side]);
    for (size_t i = 0; i < m->d[side]->n_runs; i++) {
        store_run_drop_findings(&m->d[side]->runs[i]);
    }
    m->loaded[side] = false;
}

static int st_load(void *arg, int side, const struct diff_key *k, const struct target_result **out)
{
    struct st_source *m = arg;
    st_unload(m, side);
    target_result_init(&m->r[side]);
    m->loaded[side] = true;
    int rc = store_walk_load(m->w, k->tid, &m->r[side]);
    for (size_t i = 0; rc == 0 && i < m->d[side]->n_runs; i++) {
        rc = store_load_target_findings(m->s, &m->d[side]->runs[i], k->tid);
    }
    if (rc != 0) {
        m->db_failed = true;
        return -1;
    }
    *out = &m->r[side];
    return 0;
}

static int st_emit(void *arg, const struct diff *one)
{
    return diff_writer_target(arg, one);
}

/* st_walk runs the walk over the open store source. Returns 0 or -1
 * (the reason in err). */
static int st_walk(struct diff_build *c, struct st_source *m, struct diff_writer *w, char *err,
                   size_t err_len)
{
    struct diff_source src = {st_next, st_load, st_unload, m};
    int rc = diff_walk(c, &src);
    st_unload(m, 0);
    st_unload(m, 1);
    if (rc != 0) {
        snprintf(err, err_len, "%s",
                 m->db_failed  ? store_errmsg(m->s)
                 : c->oom      ? "out of memory"
                 : c->disorder ? "the targets did not come from the database in identity order"
                               : "writing the diff: a temporary file failed");
        return -1;
    }
    return diff_writer_end(w, err, err_len);
}

int diff_stream(FILE *out, enum report_format f, struct store *s, struct report_data *a,
                struct report_data *b, struct diff_summary *sum, char *err, size_t err_len)
{
    struct diff d = {0};
    struct diff_writer w;
    struct st_source m = {.s = s, .d = {a, b}};
    struct diff_build c = {.d = &d, .a = a, .b = b, .emit = st_emit, .emit_arg = &w};
    const int64_t scans[2] = {a->info.id, b->info.id};
    int rc = -1;
    memset(sum, 0, sizeof(*sum));
    if (report_keep_runs(a, 0, err, err_len) != 0 || report_keep_runs(b, 0, err, err_len) != 0) {
        return -1;
    }
    diff_head_init(&c, &d);
    if (c.oom) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    if (diff_writer_begin(&w, out, f, &d, err, err_len) != 0) {
        goto out;
    }
    if (store_walk_open(s, scans, &m.w) != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
    } else {
        rc = st_walk(&c, &m, &w, err, err_len);
        store_walk_close(m.w);
        sum->n_entries = w.k.n_entries;
        sum->n_worse = w.k.n_worse;
    }
    diff_writer_cleanup(&w);
out:
    diff_clear_targets(&d);
    free(d.entries);
    free(d.targets);
    strlist_cleanup(&d.policies_compared);
    strlist_cleanup(&d.policies_only_a);
    strlist_cleanup(&d.policies_only_b);
    return rc;
}
