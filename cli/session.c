/*
 * cli/session.c - the scan session (cli/session.h): moved out of
 * cli/cmd_scan.c so that the command only parses, prints and chooses the
 * exit code.
 *
 * The database stays off the critical path: before the first packet only
 * store_open_check runs (reads only). Then scan_run starts on its own
 * thread while this thread does the writing part (store_prepare: WAL,
 * migrations, abandoned scans; the fetch cache preload; the scan row; the
 * caller's on_ready) and opens the ready gate. Deliveries (on_result) and
 * revocation checks wait for the gate; everything they read in struct
 * session is written before it opens. If the writing part fails, the gate
 * opens failed, the stop flag ends the scan, and nothing is stored.
 *
 * Each finished target is committed in its own transaction, followed by
 * what its revocation checks fetched (the cache table), so a killed scan
 * keeps both.
 */
#include "cli/session.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/model/registry.h"
#include "common/util.h"
#include "config.h"
#include "scanner/handshake.h"
#include "scanner/http.h"

int session_init(struct session *s, const struct session_options *o, char *err, size_t err_len)
{
    char terr[1024];
    memset(s, 0, sizeof(*s));
    s->o = o;
    if (handshake_global_init() != 0) {
        snprintf(err, err_len, "GnuTLS could not be initialised");
        return -1;
    }
    s->gnutls_ready = true;
    handshake_set_stop_flag(o->stop);
    if (x509_trust_new(o->ca_file, &s->trust, terr, sizeof(terr)) != 0) {
        snprintf(err, err_len, "%s%s", o->ca_file ? "--ca-file: " : "", terr);
        return -1;
    }
    return 0;
}

int session_open_store(struct session *s, char *err, size_t err_len)
{
    if (store_open_check(s->o->db_path, &s->store, err, err_len) != 0) {
        return -1;
    }
    /* libcurl is loaded by the first fetch; one that cannot be loaded
     * makes every fetch inconclusive with the reason, not the scan fail. */
    if (!s->o->offline && (s->cache = revoc_cache_new()) == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    return 0;
}

/* cache_put stores one verified fetch (revoc_cache_drain callback). */
static int cache_put(void *arg, const char *kind, const char *key, const unsigned char *data,
                     size_t len, int64_t expires)
{
    return store_cache_put(arg, kind, key, data, len, expires);
}

/* cache_preload feeds one stored entry to the scan's cache. */
static int cache_preload(void *arg, const char *kind, const char *key, const unsigned char *data,
                         size_t len, int64_t expires)
{
    return revoc_cache_preload(arg, kind, key, data, len, expires);
}

static void session_store_failed(struct session *s)
{
    s->store_failed = true;
    snprintf(s->store_err, sizeof(s->store_err), "%s", store_errmsg(s->store));
}

/* on_result stores one finished target, then hands it to the caller. */
static int on_result(const struct target_result *r, void *arg)
{
    struct session *s = arg;
    if (store_put_target(s->store, s->scan_id, r) != 0) {
        session_store_failed(s);
        return -1;
    }
    s->n_stored++;
    if (s->cache != NULL && revoc_cache_drain(s->cache, cache_put, s->store) != 0) {
        session_store_failed(s);
        return -1;
    }
    s->n_done++;
    if (r->status != TARGET_OK && r->status != TARGET_NO_TLS) {
        s->n_failed++;
    }
    if (s->p->on_target_done != NULL) {
        return s->p->on_target_done(s->p->arg, r);
    }
    return 0;
}

/* What the scan thread runs: scan_run, its result kept for the main
 * thread (read after pthread_join). */
struct scan_thread_arg {
    const struct target_list *targets;
    const struct scan_options *so;
    struct session *s;
    int rc;
};

static void *scan_thread(void *arg)
{
    struct scan_thread_arg *a = arg;
    a->rc = scan_run(a->targets, a->so, on_result, a->s);
    return NULL;
}

/* prepare_store is the writing part of opening the store for a scan, run
 * while the scan already probes: WAL and migrations, the fetch cache
 * preload, the scan row, the caller's on_ready. Returns 0, or -1 with the
 * message in err. */
static int prepare_store(struct session *s, const struct scan_meta *meta, char *err, size_t err_len)
{
    const char *db_path = s->o->db_path;
    if (store_prepare(s->store) != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s->store));
        return -1;
    }
    if (s->cache != NULL &&
        store_cache_load(s->store, util_now_ms() / 1000, cache_preload, s->cache) != 0) {
        snprintf(err, err_len, "%s: %s", db_path, store_errmsg(s->store));
        return -1;
    }
    int64_t id = 0;
    if (store_scan_begin(s->store, meta, &id) != 0) {
        snprintf(err, err_len, "%s: %s", db_path, store_errmsg(s->store));
        return -1;
    }
    s->scan_id = id;
    if (s->p->on_ready != NULL &&
        s->p->on_ready(s->p->arg, id, meta->started_ms, err, err_len) != 0) {
        return -1;
    }
    return 0;
}

/* session_finish closes the scan row once the scanner is done, after the
 * checks across the stored targets (DROWN through another endpoint's key:
 * store_drown_shared_key), which need every target of the scan stored. */
static void session_finish(struct session *s)
{
    bool stopped = __atomic_load_n(s->o->stop, __ATOMIC_SEQ_CST) != 0;
    s->state = s->scan_rc != 0 || stopped ? "interrupted" : "complete";
    if (!s->store_failed &&
        store_drown_shared_key(s->store, s->scan_id,
                               s->o->no_vulns ? "not run: the scan was asked for no "
                                                "vulnerability checks (--no-vulns)"
                                              : NULL) != 0) {
        session_store_failed(s);
    }
    s->finished_ms = util_now_ms();
    s->finish_stored = store_scan_finish(s->store, s->scan_id, s->state, s->finished_ms) == 0;
    if (!s->finish_stored && !s->store_failed) {
        session_store_failed(s);
    }
}

/* session_meta: the scan row's provenance. */
static struct scan_meta session_meta(const struct session *s)
{
    const struct session_options *o = s->o;
    return (struct scan_meta){
        .started_ms = s->started_ms,
        .tool_version = PACKAGE_VERSION,
        .options = o->cmdline ? o->cmdline : "",
        .trust_store = o->ca_file ? o->ca_file : "system",
        .registry_version = registry_version,
        .run_id = o->run_id,
        .shard_k = o->shard_k,
        .shard_n = o->shard_n,
    };
}

int session_run(struct session *s, const struct target_list *targets,
                const struct session_progress *p, char *err, size_t err_len)
{
    const struct session_options *o = s->o;
    s->p = p;
    s->started_ms = util_now_ms();
    struct scan_meta meta = session_meta(s);
    struct revoc_options rvo = {
        .offline = o->offline, .timeout_ms = o->timeout_ms, .trust = s->trust, .cache = s->cache};
    struct http_options ho = {.hsts_all_ports = o->hsts_all,
                              .redirect = o->http_redirect,
                              .offline = o->offline,
                              .timeout_ms = o->timeout_ms};
    struct scan_gate gate;
    scan_gate_init(&gate);
    struct scan_options so = {
        .jobs = o->jobs,
        .enumerate = o->enumerate,
        .max_conn = o->max_conn,
        .max_conn_total = o->max_conn_total,
        .timeout_ms = o->timeout_ms,
        .target_budget_ms = o->target_budget_ms,
        .first_ip = o->first_ip,
        .no_vulns = o->no_vulns,
        .ids_friendly = o->ids_friendly,
        .no_vuln_cache = o->no_vuln_cache,
        .sni_override = o->sni,
        .starttls = o->starttls,
        .greeting_timeout_ms = o->greeting_timeout_ms,
        .starttls_max_conn = o->starttls_max_conn,
        .xmpp_host = o->xmpp_host,
        .trust = s->trust,
        .stop = o->stop,
        .revoc = &rvo,
        .http = &ho,
        .ready = &gate,
        .on_progress = p->on_progress,
        .on_warning = p->on_warning,
        .report_arg = p->arg,
    };
    struct scan_thread_arg sta = {.targets = targets, .so = &so, .s = s, .rc = 0};
    pthread_t scan_tid;
    bool scan_threaded = pthread_create(&scan_tid, NULL, scan_thread, &sta) == 0;

    /* The writing part, while the scan probes. */
    bool prep_ok = prepare_store(s, &meta, err, err_len) == 0;
    if (!prep_ok) {
        /* As a signal would: the probes in flight give up. */
        __atomic_store_n(o->stop, 1, __ATOMIC_SEQ_CST);
    }
    scan_gate_open(&gate, prep_ok);
    if (scan_threaded) {
        pthread_join(scan_tid, NULL);
    } else if (prep_ok) {
        scan_thread(&sta); /* no thread: scan after the preparation, as before */
    } else {
        sta.rc = 1;
    }
    scan_gate_destroy(&gate);
    s->scan_rc = sta.rc;
    if (!prep_ok) {
        /* The scan row exists (on_ready failed): close it. A failure here
         * is for the caller to add; the next open marks the row
         * incomplete. */
        if (s->scan_id > 0 &&
            store_scan_finish(s->store, s->scan_id, "interrupted", util_now_ms()) != 0) {
            session_store_failed(s);
        }
        return -1;
    }
    session_finish(s);
    return 0;
}

void session_cleanup(struct session *s)
{
    store_close(s->store);
    revoc_cache_free(s->cache);
    x509_trust_free(s->trust);
    if (s->gnutls_ready) {
        handshake_global_deinit();
    }
    memset(s, 0, sizeof(*s));
}
