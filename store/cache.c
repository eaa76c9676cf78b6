/*
 * store/cache.c - the fetch cache kept in the store: OCSP responses, CRLs
 * and issuer certificates the revocation checks fetched, each kept until
 * its nextUpdate / expiry (table fetch_cache).
 *
 * Pipeline position: the scan session preloads scanner/revocation.c's
 * cache from here before a scan (store_cache_load) and stores what a
 * finished target fetched (store_cache_put).
 *
 * Invariants:
 * - An entry past its expiry is deleted on load, never handed out.
 * - One entry per (kind, key): a newer fetch replaces the older one.
 */
#include "store/store.h"
#include "store/store_private.h"

#include "common/util.h"

int store_cache_put(struct store *s, const char *kind, const char *key, const unsigned char *data,
                    size_t len, int64_t expires)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_CACHE_PUT);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_text(&b, kind);
    bind_text(&b, key);
    bind_blob(&b, data, len);
    bind_int64(&b, expires);
    bind_int64(&b, util_now_ms());
    return store_run(s, &b, "storing a fetched OCSP response / CRL / certificate");
}

int store_cache_load(struct store *s, int64_t now, store_cache_fn fn, void *arg)
{
    struct binder b;
    sqlite3_stmt *st = store_stmt(s, ST_CACHE_PURGE);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, now);
    if (store_run(s, &b, "dropping expired cache entries") != 0) {
        return -1;
    }
    st = store_stmt(s, ST_CACHE_LOAD);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_int64(&b, now);
    if (b.rc != SQLITE_OK) {
        store_sql_err(s, "reading the fetch cache");
        sqlite3_reset(st);
        return -1;
    }
    int rc = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        const unsigned char *data = sqlite3_column_blob(st, 2);
        int len = sqlite3_column_bytes(st, 2);
        int64_t expires = sqlite3_column_int64(st, 3);
        if (kind == NULL || key == NULL || data == NULL || len <= 0) {
            continue;
        }
        if (fn(arg, kind, key, data, (size_t)len, expires) != 0) {
            rc = -1;
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE) {
        store_sql_err(s, "reading the fetch cache");
        rc = -1;
    }
    sqlite3_reset(st);
    return rc;
}
