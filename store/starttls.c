/*
 * store/starttls.c - the STARTTLS dialogue's facts (common/model/facts.h,
 * struct starttls_fact) in the starttls_dialogues table: one row per
 * target whose dialogue ran (schema 7, docs/store-schema.md), written in
 * the target's transaction and read back with it. The target's protocol
 * itself is a column of targets (write.c, read.c).
 */
#include "store/read_private.h"
#include "store/store_private.h"

#include "common/model/vocab.h"

int store_put_starttls(struct store *s, int64_t target_id, const struct starttls_fact *f)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_INSERT_STARTTLS);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, target_id);
    bind_text(&b, fact_state_name(f->header.state));
    bind_buf(&b, f->header.detail, sizeof(f->header.detail));
    bind_bool(&b, f->greeted);
    bind_bool(&b, f->capabilities_read);
    bind_bool(&b, f->offered);
    bind_bool(&b, f->plain_auth);
    bind_bool(&b, f->upgraded);
    bind_buf(&b, f->caps, sizeof(f->caps));
    bind_buf(&b, f->banner, sizeof(f->banner));
    bind_buf(&b, f->failure, sizeof(f->failure));
    return store_run(s, &b, "inserting the STARTTLS dialogue");
}

int rd_starttls(struct rd_ctx *c, int64_t tid, struct target_result *r)
{
    sqlite3_stmt *st = c->st[RD_STARTTLS];
    if (rd_start(c, st, tid, "reading the STARTTLS dialogue") != 0) {
        return -1;
    }
    int rc = rd_step(c, st, "reading the STARTTLS dialogue");
    if (rc <= 0) {
        return rc;
    }
    struct starttls_fact *f = &r->dialogue;
    if (!fact_state_parse(col_text(st, 0), &f->header.state)) {
        store_fail(c->s, "target %lld: unknown STARTTLS dialogue state '%s'", (long long)tid,
                   col_text(st, 0));
        return -1;
    }
    col_buf(st, 1, f->header.detail, sizeof(f->header.detail));
    f->greeted = col_int(st, 2) != 0;
    f->capabilities_read = col_int(st, 3) != 0;
    f->offered = col_int(st, 4) != 0;
    f->plain_auth = col_int(st, 5) != 0;
    f->upgraded = col_int(st, 6) != 0;
    col_buf(st, 7, f->caps, sizeof(f->caps));
    col_buf(st, 8, f->banner, sizeof(f->banner));
    col_buf(st, 9, f->failure, sizeof(f->failure));
    return 0;
}
