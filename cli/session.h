/*
 * cli/session.h - the scan session: the service behind `tlsaudit scan`,
 * apart from its options and its output. It initialises GnuTLS and the
 * trust anchors, checks the database before the first packet, runs the
 * scanner (scanner/scan.c: resolution, enumeration, handshakes,
 * certificate work) while it prepares the store, delivers each finished
 * unit to the store (one transaction each, with what the revocation
 * checks fetched), and finishes the scan row. The policy run that may
 * follow is the policy-run service (policies/run.h) on session->store.
 *
 * It prints nothing: progress, each stored target and warnings go to the
 * caller's callbacks (struct session_progress), errors to its buffers.
 * It lives in cli/ because it is the one piece that joins scanner/,
 * store/ and policies/ (docs/ARCHITECTURE.md, "Where the scan session
 * lives"); cli/cmd_scan.c keeps the options, the output and the exit code.
 *
 * Ownership: struct session is caller storage, set up by session_init and
 * released by session_cleanup (also after a failed init); it borrows the
 * options, the targets and the callbacks.
 */
#ifndef TLSAUDIT_CLI_SESSION_H
#define TLSAUDIT_CLI_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "scanner/revocation.h"
#include "scanner/scan.h"
#include "scanner/target.h"
#include "scanner/x509.h"
#include "store/store.h"

/* What the caller is told while the session runs. Every callback may be
 * NULL; they run on the scan's threads, serialised with each other. */
struct session_progress {
    void *arg;
    /* The store is prepared and the scan row written (before the first
     * target is delivered). Returns 0, or -1 with the reason in err: the
     * preparation then fails as a store failure would. */
    int (*on_ready)(void *arg, int64_t scan_id, int64_t started_ms, char *err, size_t err_len);
    /* Target r was stored (committed). Returns 0, or -1 to stop the scan. */
    int (*on_target_done)(void *arg, const struct target_result *r);
    /* n_done of n_units (target, address) units finished. */
    void (*on_progress)(void *arg, size_t n_done, size_t n_units);
    /* The scanner's warnings (connection limits). */
    void (*on_warning)(void *arg, const char *text);
};

struct session_options {
    const char *db_path;
    const char *ca_file; /* NULL: the system trust store */
    bool offline;        /* no OCSP, CRL, AIA or HTTP fetches */
    bool hsts_all;       /* HSTS on every port, not only 443 */
    bool http_redirect;  /* also the port-80 redirect */
    int jobs;
    bool enumerate;
    unsigned max_conn;
    unsigned max_conn_total;
    int timeout_ms;
    int64_t target_budget_ms;
    bool first_ip;
    const char *run_id; /* --shard: the run, K and N; NULL, 0, 0 otherwise */
    int shard_k, shard_n;
    bool no_vulns;               /* --no-vulns */
    bool ids_friendly;           /* --ids-friendly */
    bool no_vuln_cache;          /* --no-vuln-cache */
    const char *sni;             /* --sni, or NULL */
    const char *starttls;        /* --starttls PROTO, or NULL (auto) */
    int greeting_timeout_ms;     /* --greeting-timeout */
    unsigned starttls_max_conn;  /* the per-target cap of STARTTLS targets */
    const char *xmpp_host;       /* --xmpp-host, or NULL */
    const char *cmdline;         /* for provenance */
    volatile sig_atomic_t *stop; /* set by a signal handler to stop early */
};

struct session {
    const struct session_options *o;
    struct x509_trust *trust;
    struct store *store; /* open after session_open_store; the policy run uses it */
    struct revoc_cache *cache;
    bool gnutls_ready;
    const struct session_progress *p;
    /* The outcome of session_run. */
    int64_t scan_id; /* 0 until the scan row exists */
    int64_t started_ms;
    int64_t finished_ms;
    size_t n_done;      /* targets stored and handed on */
    size_t n_stored;    /* targets committed to the store */
    size_t n_failed;    /* of n_done: status neither ok nor no-tls */
    int scan_rc;        /* scan_run's: 0 all delivered, 1 stopped early, -1 no threads */
    const char *state;  /* "complete" or "interrupted" */
    bool finish_stored; /* the scan row's state was written */
    bool store_failed;  /* a write to the store failed; store_err says why */
    char store_err[512];
};

/* session_init sets s up for options o: GnuTLS and the trust anchors.
 * Returns 0, or -1 with the message in err ("GnuTLS could not be
 * initialised", "--ca-file: ..."). */
__attribute__((warn_unused_result)) int
session_init(struct session *s, const struct session_options *o, char *err, size_t err_len);

/* session_open_store checks the database read-only (store_open_check: a
 * wrong --db fails before any traffic) and makes the fetch cache. Returns
 * 0, or -1 with the message in err. */
__attribute__((warn_unused_result)) int session_open_store(struct session *s, char *err,
                                                           size_t err_len);

/* session_run scans targets: the scanner on its own thread while this one
 * prepares the store (store_prepare, the fetch cache preload, the scan
 * row, p->on_ready), each target stored as it finishes, then the scan row
 * finished ("complete", or "interrupted" when stopped). Returns 0 with
 * the outcome in s (a store failure during the scan is s->store_failed),
 * or -1 when the preparation failed, with its message in err: nothing was
 * delivered, the scan row (if one was written) is finished "interrupted",
 * and when that failed too s->store_err says why. */
__attribute__((warn_unused_result)) int session_run(struct session *s,
                                                    const struct target_list *targets,
                                                    const struct session_progress *p, char *err,
                                                    size_t err_len);

/* session_cleanup releases what s holds; accepts one never initialised
 * (zeroed) or half set up. */
void session_cleanup(struct session *s);

#endif
