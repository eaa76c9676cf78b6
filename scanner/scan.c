/*
 * scanner/scan.c - the scan driver (see scan.h).
 *
 * Work unit: one target spec. A worker resolves it, then for each address
 * probes TLS 1.3 down to TLS 1.0 with the GnuTLS handshake, takes the
 * chain from the first accepted version (the newest), and validates it.
 * Results go to the callback under one mutex, so the callback needs no
 * locking of its own. The stop flag is checked between probes; a probe in
 * flight is bounded by the timeout.
 */
#include "scanner/scan.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/handshake.h"

struct pool {
    const struct target_list *l;
    const struct scan_options *o;
    scan_result_fn fn;
    void *arg;
    pthread_mutex_t lock;
    size_t next;   /* next target index to take */
    bool failed;   /* the callback asked to stop */
};

static bool stopping(const struct scan_options *o)
{
    return o->stop != NULL && *o->stop;
}

/* The SNI for t: its own sni=, else --sni, else its host when it is a name. */
static const char *sni_for(const struct target_spec *t, const struct scan_options *o)
{
    if (t->sni != NULL) {
        return t->sni;
    }
    if (o->sni_override != NULL) {
        return o->sni_override;
    }
    return target_valid_sni(t->host) ? t->host : NULL;
}

static void collect_chain(struct target_result *r, struct hs_capture *cap,
                          const struct scan_options *o)
{
    int64_t now = util_now_ms() / 1000;
    r->certs = calloc(cap->n_certs ? cap->n_certs : 1, sizeof(*r->certs));
    if (r->certs == NULL) {
        return;
    }
    for (size_t i = 0; i < cap->n_certs; i++) {
        char why[FACT_TEXT];
        cert_fact_init(&r->certs[i]);
        /* A certificate GnuTLS cannot parse is still recorded (DER and
         * hash); the chain check then reports the failure. */
        if (x509_cert_facts(cap->der[i], cap->der_len[i], now, &r->certs[i], why,
                            sizeof(why)) != 0 &&
            r->certs[i].subject == NULL) {
            r->certs[i].subject = strdup("(unparsable certificate)");
        }
        r->n_certs++;
    }
    const char *ip = r->sni == NULL ? r->ip : NULL;
    if (x509_chain_check(o->trust, r->certs, r->n_certs, r->sni, ip, cap->ocsp, cap->ocsp_len,
                         now, &r->chain) == 0) {
        r->chain_collected = true;
    }
}

void scan_one_address(const struct target_spec *t, const struct target_addr *a,
                      const struct scan_options *o, struct target_result *r)
{
    (void)t; /* per-target options (STARTTLS, ...) will come from here */
    r->started_ms = util_now_ms();
    util_copy(r->ip, sizeof(r->ip), a->ip);

    struct hs_capture cap = {0};
    bool have_chain = false;
    bool any_accepted = false;
    bool connected = false;
    char connect_error[FACT_TEXT] = "";

    for (int v = PV_COUNT - 1; v >= 0; v--) {
        if (stopping(o)) {
            r->status = TARGET_INTERRUPTED;
            util_copy(r->error, sizeof(r->error), "scan interrupted");
            goto out;
        }
        struct version_fact *vf = &r->versions[v];
        enum hs_result hr =
            handshake_probe((const struct sockaddr *)&a->sa, a->sa_len, r->sni,
                            (enum probe_version)v, o->timeout_ms, vf, have_chain ? NULL : &cap);
        if (stopping(o)) {
            /* The probe may have been cut short: this target is unfinished. */
            r->status = TARGET_INTERRUPTED;
            util_copy(r->error, sizeof(r->error), "scan interrupted");
            goto out;
        }
        if (hr == HS_CONNECT_FAILED) {
            util_copy(connect_error, sizeof(connect_error), vf->reason);
            if (!connected) {
                /* Nothing listens (or answers) there: do not try the other
                 * versions against a dead address. */
                break;
            }
            continue;
        }
        if (hr == HS_LOCAL_ERROR) {
            r->status = TARGET_ERROR;
            util_copy(r->error, sizeof(r->error), vf->reason);
            goto out;
        }
        connected = true;
        if (vf->state == PROBE_ACCEPTED) {
            any_accepted = true;
            if (!have_chain && cap.n_certs > 0) {
                have_chain = true;
            }
        }
    }
    if (!connected) {
        r->status = TARGET_UNREACHABLE;
        for (int v = 0; v < PV_COUNT; v++) {
            memset(&r->versions[v], 0, sizeof(r->versions[v]));
        }
        util_copy(r->error, sizeof(r->error), connect_error);
        goto out;
    }
    r->status = any_accepted ? TARGET_OK : TARGET_NO_TLS;
    if (!any_accepted) {
        util_copy(r->error, sizeof(r->error), "no protocol version accepted");
    }
    if (have_chain) {
        collect_chain(r, &cap, o);
    }
out:
    hs_capture_cleanup(&cap);
    r->finished_ms = util_now_ms();
}

static int deliver(struct pool *p, struct target_result *r)
{
    pthread_mutex_lock(&p->lock);
    int rc = 0;
    if (!p->failed && p->fn(r, p->arg) != 0) {
        p->failed = true;
        rc = -1;
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

/* Scans one target spec: every address, each delivered as it finishes. */
static void scan_spec(struct pool *p, const struct target_spec *t)
{
    const struct scan_options *o = p->o;
    struct target_addr *addrs = NULL;
    size_t n_addrs = 0;
    char err[FACT_TEXT];
    const char *sni = sni_for(t, o);

    if (target_resolve(t, o->first_ip, &addrs, &n_addrs, err, sizeof(err)) != 0) {
        struct target_result r;
        target_result_init(&r);
        r.host = strdup(t->host);
        r.sni = sni ? strdup(sni) : NULL;
        r.port = t->port;
        r.started_ms = r.finished_ms = util_now_ms();
        r.status = TARGET_RESOLVE_FAILED;
        util_copy(r.error, sizeof(r.error), err);
        (void)deliver(p, &r);
        target_result_cleanup(&r);
        return;
    }
    for (size_t i = 0; i < n_addrs; i++) {
        if (stopping(o)) {
            break;
        }
        struct target_result r;
        target_result_init(&r);
        r.host = strdup(t->host);
        r.sni = sni ? strdup(sni) : NULL;
        r.port = t->port;
        if (r.host == NULL || (sni != NULL && r.sni == NULL)) {
            r.status = TARGET_ERROR;
            util_copy(r.error, sizeof(r.error), "out of memory");
        } else {
            scan_one_address(t, &addrs[i], o, &r);
        }
        /* An interrupted target is not a finished one: it is not delivered. */
        int rc = r.status == TARGET_INTERRUPTED ? 0 : deliver(p, &r);
        target_result_cleanup(&r);
        if (rc != 0) {
            break;
        }
    }
    free(addrs);
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        bool done = p->failed || stopping(p->o) || p->next >= p->l->n_items;
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (done) {
            return NULL;
        }
        scan_spec(p, &p->l->items[i]);
    }
}

int scan_run(const struct target_list *l, const struct scan_options *o, scan_result_fn fn,
             void *arg)
{
    struct pool p = {.l = l, .o = o, .fn = fn, .arg = arg};
    pthread_mutex_init(&p.lock, NULL);
    size_t n_threads = (size_t)(o->jobs > 0 ? o->jobs : 1);
    if (n_threads > l->n_items) {
        n_threads = l->n_items ? l->n_items : 1;
    }
    pthread_t *threads = calloc(n_threads, sizeof(*threads));
    if (threads == NULL) {
        pthread_mutex_destroy(&p.lock);
        return -1;
    }
    size_t started = 0;
    int rc = 0;
    for (; started < n_threads; started++) {
        if (pthread_create(&threads[started], NULL, worker, &p) != 0) {
            break;
        }
    }
    if (started == 0) {
        rc = -1;
    }
    for (size_t i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
    free(threads);
    pthread_mutex_destroy(&p.lock);
    if (rc == 0 && (p.failed || stopping(o) || p.next < l->n_items)) {
        rc = 1;
    }
    return rc;
}
