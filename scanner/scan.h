/*
 * scanner/scan.h - runs a scan: every target of a list, each address it
 * resolves to, every protocol version, then the certificate chain.
 *
 * Every name is resolved first; each (target, address) is then one unit.
 * What runs for a unit is the probe table (scanner/probes/registry.h):
 * its worker track (GnuTLS handshakes, certificates, fetches) on a small
 * pool of threads (-j), its loop track (the enumeration) on one probe loop
 * in one more thread. A unit is finished when both are done; its derived
 * track then runs and it is handed to a callback that is called one unit
 * at a time (never concurrently), which is where the CLI stores and
 * prints it.
 */
#ifndef TLSAUDIT_SCANNER_SCAN_H
#define TLSAUDIT_SCANNER_SCAN_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "common/model/facts.h"
#include "scanner/http.h"
#include "scanner/net/loop.h"
#include "scanner/revocation.h"
#include "scanner/target.h"
#include "scanner/x509.h"

/* A one-shot gate between the thread that prepares what a scan's results
 * need (the CLI: the store and its scan row, the fetch cache preloaded
 * from it) and the scan's threads that use it. It starts closed, is
 * opened exactly once (ok or failed) and never closes again. One mutex and
 * one condition variable: whatever the opener wrote before
 * scan_gate_open is visible to every thread after scan_gate_wait. */
struct scan_gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int state; /* 0 closed, 1 open, -1 failed */
};

/* scan_gate_init makes g closed (caller storage); scan_gate_destroy
 * releases it once no thread uses it. */
void scan_gate_init(struct scan_gate *g);
void scan_gate_destroy(struct scan_gate *g);

/* scan_gate_open opens g for every waiter, now and later: ok true when the
 * preparation succeeded, false when it failed. Call it once. */
void scan_gate_open(struct scan_gate *g, bool ok);

/* scan_gate_wait blocks until g is opened and returns true when it was
 * opened ok; a NULL gate is always open. */
bool scan_gate_wait(struct scan_gate *g);

struct probe_table;

struct scan_options {
    int jobs;                /* targets in parallel for the GnuTLS handshakes, >= 1 */
    bool enumerate;          /* run the raw-ClientHello enumeration too */
    unsigned max_conn;       /* enumeration: connections per target at once */
    unsigned max_conn_total; /* enumeration: connections at once, all targets */
    int timeout_ms;          /* per connection attempt and per handshake */
    /* Each target's time budget (0: none): its enumeration, and apart from
     * it its handshakes, end this long after they start; what was not
     * finished is recorded as inconclusive and the target's error says
     * "partial" (scan_budget_default gives the CLI's default). */
    int64_t target_budget_ms;
    bool first_ip;            /* only the first address of each name */
    const char *sni_override; /* --sni: for every target without its own sni= */
    const struct x509_trust *trust;
    volatile sig_atomic_t *stop;       /* set (by a signal handler) to stop early */
    struct net_stats *stats_out;       /* when not NULL: the probe loop's counters */
    const struct revoc_options *revoc; /* OCSP/CRL/AIA after the chain check; NULL: none */
    const struct http_options *http;   /* HSTS / redirect checks; NULL: none */
    /* When not NULL: a result is handed to the callback, and a revocation
     * check (which reads the fetch cache) starts, only once this gate is
     * open; the handshakes and the enumeration do not wait. A failed gate
     * delivers nothing more and skips revocation (the caller also sets
     * the stop flag to end the scan). */
    struct scan_gate *ready;
    /* The scanner prints nothing: progress and warnings (the probe loop's
     * limits, the open-file limit) go to these callbacks, either may be
     * NULL. on_progress runs after each unit, serialised with the result
     * callback: n_done of n_units (target, address) units finished. */
    void (*on_progress)(void *arg, size_t n_done, size_t n_units);
    void (*on_warning)(void *arg, const char *text);
    void *report_arg; /* passed to on_progress and on_warning */
    /* The probes to run (scanner/probes/registry.h); NULL: the scanner's
     * table, probe_table_default. Tests pass their own. */
    const struct probe_table *probes;
    /* Probes the scan leaves out, each with a "not-run" row saying so
     * (registry.h): every PROBE_VULN row (--no-vulns), every
     * PROBE_INTRUSIVE row (--ids-friendly). */
    bool no_vulns;
    bool ids_friendly;
    /* Run every shared vulnerability probe for each unit, reusing no
     * result of another unit at the same address and port
     * (--no-vuln-cache; scanner/probes/cache.h says what is reused). */
    bool no_vuln_cache;
    /* STARTTLS (scanner/starttls/starttls.h): the protocol of every target
     * without its own starttls= (--starttls: a row's name; NULL: auto, by
     * port); the greeting timeout of a dialogue (--greeting-timeout; 0:
     * timeout_ms), added to each attempt's timeout on STARTTLS targets;
     * their per-target cap (0: max_conn); the XMPP to= domain
     * (--xmpp-host, NULL: the SNI or host); our EHLO name (NULL: the
     * default, STARTTLS_CLIENT_NAME). */
    const char *starttls;
    int greeting_timeout_ms;
    unsigned starttls_max_conn;
    const char *xmpp_host;
    const char *client_name;
};

/* Called once per finished target (including unreachable and unresolvable
 * ones), serialised by the pool, after o->ready (if any) opened ok. r is valid only during the
 * call. Returns 0, or -1 to stop the scan (e.g. the store failed). */
typedef int (*scan_result_fn)(const struct target_result *r, void *arg);

/* scan_budget_default returns the default target budget for a timeout:
 * twice the timeout (an attempt and its retry) for each of the ten first
 * probes of a target, the four GnuTLS versions and the six raw-prober
 * versions (SSLv2-TLS 1.3), so 20 x timeout_ms. */
int64_t scan_budget_default(int timeout_ms);

/* scan_run scans every target of l. Returns 0 when every target was
 * handed to fn, 1 when the scan stopped early (stop flag or fn failure),
 * -1 on a local failure (threads could not start). */
int scan_run(const struct target_list *l, const struct scan_options *o, scan_result_fn fn,
             void *arg);

/* scan_one_address runs the GnuTLS part of one resolved address of t into
 * r (initialised by the caller), within o's target budget. Exposed for
 * tests. */
void scan_one_address(const struct target_spec *t, const struct target_addr *a,
                      const struct scan_options *o, struct target_result *r);

#endif
