/*
 * store/store.h - the SQLite store of scans and their facts.
 *
 * The only module that includes <sqlite3.h>. One file holds every scan:
 * scans, targets, per-version results, certificates (DER stored once, keyed
 * by SHA-256) and chain validations. WAL mode, a busy timeout, and one
 * transaction per finished target, so a killed scan keeps every target it
 * finished and never leaves a corrupt file. The schema is versioned with
 * PRAGMA user_version and migrated forward on open; a file written by a
 * newer schema is refused.
 *
 * Ownership: store_open() returns a handle the caller frees with
 * store_close(). Error text lives in the handle (store_errmsg) or, for
 * store_open, in the caller's buffer.
 */
#ifndef TLSAUDIT_STORE_STORE_H
#define TLSAUDIT_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "common/model/facts.h"
#include "common/model/gate.h"

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 9

struct store;

/* What is recorded about a scan when it starts. */
struct scan_meta {
    int64_t started_ms;           /* Unix milliseconds */
    const char *tool_version;     /* PACKAGE_VERSION */
    const char *options;          /* the command line as given, for provenance */
    const char *trust_store;      /* "system" or the --ca-file path */
    const char *registry_version; /* registry_version of the suite tables, or NULL */
    /* A shard of a logical run (scan --shard K/N): the run's id and K, N;
     * NULL and 0, 0 for a whole scan. */
    const char *run_id;
    int shard_k;
    int shard_n;
};

/* store_open opens or creates the database at path, migrates it to
 * STORE_SCHEMA_VERSION, and marks as "incomplete" every scan left
 * unfinished by a process that no longer runs (store_open_check, then
 * store_prepare). Returns 0 and *out_store,
 * or -1 with a message in err (naming the file) when the file cannot be
 * opened or written, is not a tlsaudit database, or has a newer schema.
 * Nothing stored is modified on failure. */
__attribute__((warn_unused_result)) int store_open(const char *path, struct store **out_store,
                                                   char *err, size_t err_len);

/* store_open_check is the read-only half of store_open: it opens (creating
 * an empty file when there is none) the database at path and reads, without
 * writing, whether it can be written (not read-only), is a tlsaudit database
 * or an empty file (application_id), and has a schema no newer than
 * STORE_SCHEMA_VERSION. Returns 0 and *out_store, or -1 with the same
 * messages as store_open in err. The handle must go through store_prepare
 * before any other call but store_close. Cheap: the CLI runs it before the
 * first packet of a scan, so a wrong --db fails before any traffic. */
__attribute__((warn_unused_result)) int store_open_check(const char *path, struct store **out_store,
                                                         char *err, size_t err_len);

/* store_prepare is the writing half of store_open, on a handle from
 * store_open_check: WAL mode, every pending migration (one transaction),
 * scans of dead processes marked "incomplete". Returns 0, or -1 with a
 * message naming the file in store_errmsg(s) (s must then only be closed);
 * each write is a transaction, so nothing stored is changed on failure. It
 * may run on another thread than store_open_check as long as no other
 * thread uses s meanwhile (SQLite's serialized mode). */
__attribute__((warn_unused_result)) int store_prepare(struct store *s);

/* store_open_readonly opens the existing database at path for the
 * commands that only read (report, history, diff) and never writes it: no
 * WAL switch, no migration, no scan marked incomplete, and the file's
 * bytes stay as they were (also on a read-only file, directory or mount).
 * The file is opened with SQLite's locking (query_only where it is
 * writable, so SQLite tidies its -wal/-shm on close; mode=ro elsewhere),
 * so a scan writing it meanwhile is read consistently; in a read-only place where a
 * WAL file's -shm cannot be created, it is read as immutable when its
 * -wal is absent or empty, and refused with the reason when the -wal
 * holds commits (they would be missed). A file of an older schema is
 * migrated in a private in-memory copy, never in the file. Refuses what
 * store_open refuses (not SQLite, not tlsaudit's, newer schema). Returns 0
 * and *out_store (every store_put_* and store_prepare on it fail), or -1
 * with a message naming the file in err. */
__attribute__((warn_unused_result)) int
store_open_readonly(const char *path, struct store **out_store, char *err, size_t err_len);

/* store_close closes the handle; accepts NULL. */
void store_close(struct store *s);

/* store_errmsg returns the text of the last failure on s. */
const char *store_errmsg(const struct store *s);

/* store_scan_begin inserts a scan in state "running" and returns its id. */
__attribute__((warn_unused_result)) int
store_scan_begin(struct store *s, const struct scan_meta *meta, int64_t *out_scan_id);

/* store_put_target writes one finished target of scan_id, with its version
 * results, certificates and chain, in one transaction. Returns 0 or -1. */
__attribute__((warn_unused_result)) int store_put_target(struct store *s, int64_t scan_id,
                                                         const struct target_result *r);

/* store_put_target_id is store_put_target that also gives the new
 * targets.id in *out_id. */
__attribute__((warn_unused_result)) int store_put_target_id(struct store *s, int64_t scan_id,
                                                            const struct target_result *r,
                                                            int64_t *out_id);

/* store_scan_finish sets the scan's end time and its state: "complete" or
 * "interrupted". Returns 0 or -1. */
__attribute__((warn_unused_result)) int store_scan_finish(struct store *s, int64_t scan_id,
                                                          const char *state, int64_t finished_ms);

/* store_tx_begin opens one transaction around several writes (tlsaudit
 * merge: a whole shard or nothing): until store_tx_end, store_put_target
 * and store_put_findings write inside it instead of committing each on
 * its own, and the first that fails rolls it all back. store_tx_end
 * commits (commit true; -1 when a write failed or the commit did, with
 * nothing of the transaction stored) or rolls back (commit false; 0).
 * Returns 0 or -1. */
__attribute__((warn_unused_result)) int store_tx_begin(struct store *s);
int store_tx_end(struct store *s, bool commit);

/* ---- policy evaluations and their findings (store/findings.c) ---------- */

/* One evaluation of one policy over the targets of one scan (a row of
 * policy_runs). The store knows nothing of policies/: the CLI fills this in
 * from the loaded policy. Strings are borrowed for the call. */
struct store_policy_run {
    const char *policy_id;      /* "pci-dss-4.0"; required */
    const char *policy_version; /* the policy's `version`, or NULL */
    const char *policy_sha256;  /* hex SHA-256 over the policy file and what it extends (64) */
    const char *policy_path;    /* the file it was loaded from, or NULL */
    int64_t evaluated_ms;       /* Unix milliseconds: the "now" of the evaluation */
    const char *tool_version;   /* the tlsaudit that evaluated it (PACKAGE_VERSION) */
    const struct gate *gate;    /* the gate it was judged at (--fail-on ...), or NULL: not stored */
};

/* One finding of one rule on one target (a row of findings). Strings are
 * borrowed for the call; NULL or "" is stored as NULL where a column allows
 * it. severity and verdict are the names of policies/policy.h
 * (severity_name, verdict_name). */
struct store_finding {
    int64_t target_id;   /* targets.id: a target of the run's scan */
    const char *rule_id; /* required */
    const char *title;
    const char *ref;      /* the clause: "PCI DSS v4.0.1 Req 4.2.1" */
    const char *severity; /* "info", "low", "medium", "high", "critical" */
    const char *verdict;  /* "pass", "fail", "warn", "inconclusive", "waived" */
    const char *evidence;
    const char *waiver_reason; /* waived only: the justification */
    const char *waiver_owner;
    const char *waiver_expires; /* YYYY-MM-DD */
};

/* store_put_findings stores one policy run of scan_id and all its findings
 * (every target, every rule) in one transaction: either the run and every
 * finding are stored, or nothing is. Each finding's target must be a target
 * of scan_id. Returns 0 and the new policy_runs.id in *out_run_id (may be
 * NULL), or -1 with the reason in store_errmsg(s). */
__attribute__((warn_unused_result)) int store_put_findings(struct store *s, int64_t scan_id,
                                                           const struct store_policy_run *run,
                                                           const struct store_finding *findings,
                                                           size_t n_findings, int64_t *out_run_id);

/* store_append_findings adds findings to the stored policy run run_id of
 * scan_id (tlsaudit merge: a shard's findings join the run of the same
 * policy). Each finding's target must be a target of scan_id. Returns 0, or
 * -1 with nothing added. */
__attribute__((warn_unused_result)) int store_append_findings(struct store *s, int64_t scan_id,
                                                              int64_t run_id,
                                                              const struct store_finding *findings,
                                                              size_t n_findings);

/* Staged findings: a policy run evaluated one target at a time (the
 * policy-run service, policies/run.c) without holding every finding in
 * memory or the write lock for the whole evaluation. store_stage_begin
 * makes (or empties) the connection's TEMP table of staged findings;
 * store_stage_findings adds findings under a slot (one per policy; inside
 * store_each_target's transaction they are committed with it);
 * store_stage_commit stores the policy run `run` of scan_id with every
 * finding staged under slot, in the order staged, in one transaction
 * (store_put_findings' contract: the run whole or nothing, each finding's
 * target a target of scan_id; the new policy_runs.id in *out_run_id);
 * store_stage_end drops the table. Each returns 0, or -1 with the reason
 * in store_errmsg(s). */
__attribute__((warn_unused_result)) int store_stage_begin(struct store *s);
__attribute__((warn_unused_result)) int store_stage_findings(struct store *s, size_t slot,
                                                             const struct store_finding *findings,
                                                             size_t n_findings);
__attribute__((warn_unused_result)) int store_stage_commit(struct store *s, int64_t scan_id,
                                                           size_t slot,
                                                           const struct store_policy_run *run,
                                                           int64_t *out_run_id);
void store_stage_end(struct store *s);

/* ---- merging another database's scans (store/merge.c) ------------------ */

/* What store_merge_file did. */
struct store_merge_stats {
    size_t n_scans;    /* source scans merged now */
    size_t n_skipped;  /* source scans merged before (or present): left alone */
    size_t n_targets;  /* targets copied */
    size_t n_runs;     /* policy runs copied (joined or new) */
    size_t n_cache;    /* fetch-cache entries copied */
    int64_t last_dest; /* the scan of s the last merged scan went into */
};

/* store_merge_file copies every scan of the tlsaudit database at path
 * (opened read-only, never written) into s, in one transaction: all of the
 * file or nothing. A scan is identified by its uuid: one merged before is
 * skipped. The shards of one run (scan --shard K/N --run-id R) become one
 * scan of s (uuid "run-R"), complete once every shard is merged. A scan
 * still running is refused. Returns 0 with *st filled, or -1 with the
 * reason (naming the file) in store_errmsg(s) and s unchanged. */
__attribute__((warn_unused_result)) int
store_merge_file(struct store *s, const char *path, int64_t now_ms, struct store_merge_stats *st);

/* store_scan_ids lists the ids of every scan of s, oldest first, into a
 * malloc'ed array (NULL and 0 when none). Returns 0 or -1. */
__attribute__((warn_unused_result)) int store_scan_ids(struct store *s, int64_t **out,
                                                       size_t *n_out);

/* ---- the fetch cache (OCSP responses, CRLs, CA-issuer certs; cache.c) -- */

/* One cache entry: kind "ocsp", "crl" or "cert", its key (the URL, for
 * OCSP the URL and the certificate's SHA-256), the bytes as fetched, and
 * the Unix second it stops being used (nextUpdate, notAfter). */
typedef int (*store_cache_fn)(void *arg, const char *kind, const char *key,
                              const unsigned char *data, size_t len, int64_t expires);

/* store_cache_put stores (or replaces) one entry. Returns 0, or -1 with the
 * reason in store_errmsg(s). */
__attribute__((warn_unused_result)) int store_cache_put(struct store *s, const char *kind,
                                                        const char *key, const unsigned char *data,
                                                        size_t len, int64_t expires);

/* store_cache_load drops entries expired at now, then calls fn for every
 * other one (fn's pointers are valid only during the call). Returns 0, or
 * -1 (a database error, or fn returned non-zero). */
__attribute__((warn_unused_result)) int store_cache_load(struct store *s, int64_t now,
                                                         store_cache_fn fn, void *arg);

/* ---- reading back (store/read.c, store/read_facts.c) ------------------- */

/* What the store knows about one scan, for reports. The strings are owned;
 * store_scan_info_cleanup frees them. */
struct store_scan_info {
    int64_t id;
    int64_t started_ms;
    int64_t finished_ms; /* -1 while running, and for incomplete scans */
    char state[16];      /* "running", "complete", "interrupted", "incomplete" */
    char *tool_version;  /* NULL when not recorded */
    char *options;
    char *trust_store; /* "system" or the --ca-file path */
    char *registry_version;
    char *hostname;       /* the scanning machine */
    char *note;           /* why the store changed the state, or NULL */
    char uuid[64];        /* the scan's unique id (schema 7) */
    char *run_id;         /* the logical run of a shard, or NULL */
    int shard_k, shard_n; /* its place in the run; 0, 0 for a whole scan */
    size_t n_sources;     /* scans merged into this one (tlsaudit merge) */
    size_t n_targets;     /* targets stored for the scan */
    size_t n_not_scanned; /* of those, status neither "ok" nor "no-tls" */
};

/* store_scan_info_cleanup frees what info owns and zeroes it; accepts a
 * zeroed struct. */
void store_scan_info_cleanup(struct store_scan_info *info);

/* store_latest_scan gives the id of the newest scan (the highest id: the
 * one started last), whatever its state. Returns 0, or -1 with "no scan in
 * FILE" (or a database error) in store_errmsg(s). */
__attribute__((warn_unused_result)) int store_latest_scan(struct store *s, int64_t *out_scan_id);

/* store_latest_finished_scan gives the newest scan (*out_newest, as
 * store_latest_scan), whether it is still running (*out_running), and the
 * newest scan in state "complete" (*out_complete, 0 when there is none).
 * Returns 0, or -1 with "no scan in FILE" (or a database error) in
 * store_errmsg(s). */
__attribute__((warn_unused_result)) int store_latest_finished_scan(struct store *s,
                                                                   int64_t *out_newest,
                                                                   bool *out_running,
                                                                   int64_t *out_complete);

/* ---- retention (tlsaudit prune; store/prune.c) ------------------------- */

/* Which scans store_prune deletes: never a running one; not the keep_scans
 * newest (0: no such rule); not those started within keep_days days of
 * now_ms (-1: no such rule). A scan goes when no rule keeps it. */
struct store_prune_options {
    int64_t keep_scans;
    int keep_days;
    int64_t now_ms;
    bool dry_run; /* count and list, change nothing */
};

enum store_prune_count {
    STORE_PRUNE_SCANS,
    STORE_PRUNE_TARGETS,
    STORE_PRUNE_RUNS,     /* policy runs */
    STORE_PRUNE_FINDINGS, /* of those runs */
    STORE_PRUNE_CERTS,    /* certificates no remaining scan serves */
    STORE_PRUNE_CACHE,    /* expired fetch-cache entries */
    STORE_PRUNE_COUNT
};

struct store_prune_scan {
    int64_t id, started_ms, n_targets;
    char state[16];
};

/* What store_prune deleted (or, dry run, would delete). */
struct store_prune_result {
    int64_t n_counts[STORE_PRUNE_COUNT];
    struct store_prune_scan *scans; /* n_scans, by id; owned */
    size_t n_scans;
    int64_t bytes_before, bytes_after; /* page_count x page_size */
    bool incremental;                  /* the store was in auto_vacuum INCREMENTAL mode */
    bool converted;                    /* it was not, and a VACUUM switched it */
};

/* store_prune deletes the scans o chooses with everything under them, the
 * certificates nothing kept serves and the expired fetch-cache entries in
 * one transaction, then reclaims the space (see store/prune.c). Returns 0
 * and fills r (free with store_prune_result_cleanup), or -1 with the
 * reason in store_errmsg(s): before the commit nothing changed; after it
 * (the VACUUM converting an old store failed) the error says the scans
 * were deleted. */
__attribute__((warn_unused_result)) int
store_prune(struct store *s, const struct store_prune_options *o, struct store_prune_result *r);

/* store_prune_result_cleanup frees what r owns and zeroes it. */
void store_prune_result_cleanup(struct store_prune_result *r);

/* store_scan_exists sets *out_exists. Returns 0, or -1 on a database error. */
__attribute__((warn_unused_result)) int store_scan_exists(struct store *s, int64_t scan_id,
                                                          bool *out_exists);

/* store_scan_info fills *out (caller storage; free with
 * store_scan_info_cleanup) for scan_id. Returns 0, or -1 ("no scan N", or a
 * database error); *out is zeroed on failure. */
__attribute__((warn_unused_result)) int store_scan_info(struct store *s, int64_t scan_id,
                                                        struct store_scan_info *out);

/* store_drown_shared_key adds one probe_results row `drown_shared_key` to
 * every target of scan_id whose probes ran (DROWN, CVE-2016-0800, across
 * the store): positive when another endpoint (address and port) whose
 * latest stored row accepts SSLv2 serves one of the target's certificate
 * keys (the leaf SPKIs its enumeration saw, kex_values 'cert_spki'),
 * naming it; negative with the number of endpoints compared; not-applicable
 * when only TLS 1.3 was accepted (no RSA key exchange; the certificate is
 * encrypted); could-not-test when the target's values were not collected or
 * no certificate key was seen. Only endpoints in this database are seen. With
 * not_run set (--no-vulns), each row is not-run with that reason. Run once
 * every target of the scan is stored; one transaction. Returns 0, or -1
 * with the error recorded (nothing written). */
__attribute__((warn_unused_result)) int store_drown_shared_key(struct store *s, int64_t scan_id,
                                                               const char *not_run);

/* store_load_targets rebuilds every target of scan_id as store_put_target
 * wrote it (versions, enumeration, certificates with DER and every parsed
 * field and list, chain validation), in the order they were stored, from
 * one read transaction (a consistent snapshot while a scan is writing).
 * Returns 0 with a malloc'ed array *out of *n_out targets (the caller frees
 * it with store_targets_free; NULL and 0 when the scan has no target) and,
 * when out_ids is not NULL, a malloc'ed array of their targets.id in the
 * same order (caller frees with free()); or -1 with the reason in
 * store_errmsg(s) and nothing allocated. A scan that does not exist is an
 * error. Tags and the generic probe results (with their header) come back
 * in their order. Not stored, hence not restored:
 * enum_version_fact.echoed_exts (0); fact_collected(&enum_facts.sigalgs13_header) is true
 * exactly when some TLS 1.3 scheme is stored, and unoffered_choice exactly
 * when anomalies is not empty (neither is stored by itself). */
__attribute__((warn_unused_result)) int store_load_targets(struct store *s, int64_t scan_id,
                                                           struct target_result **out,
                                                           int64_t **out_ids, size_t *n_out);

/* What store_each_target calls for each target: r (with every fact, as
 * store_load_targets reads it) and its targets.id; r is freed when fn
 * returns. fn returns 0 to go on, non-zero to stop. */
typedef int (*store_target_fn)(void *arg, struct target_result *r, int64_t target_id);

/* store_each_target reads the targets of scan_id in the order
 * store_load_targets gives them, from one transaction (the same
 * consistent snapshot), but one at a time: each is read, handed to fn and
 * freed before the next, so memory does not grow with the number of
 * targets. fn may write the connection's temporary tables
 * (store_stage_findings), which the transaction commits at the end (rolls
 * back when it fails). Returns 0; -1 with the reason in store_errmsg(s)
 * (no such scan, database error); or the non-zero value fn returned, which
 * stopped the walk. */
__attribute__((warn_unused_result)) int store_each_target(struct store *s, int64_t scan_id,
                                                          store_target_fn fn, void *arg);

/* store_each_target_row is store_each_target with only each target's row
 * of targets (host, port, SNI, address, status, error, times, STARTTLS):
 * no fact under it (no version, suite, certificate...). A cheap pass over
 * the targets' names before a walk. Same contract. */
__attribute__((warn_unused_result)) int store_each_target_row(struct store *s, int64_t scan_id,
                                                              store_target_fn fn, void *arg);

/* ---- two scans read in endpoint order (store/read_walk.c: tlsaudit diff) */

/* One stored target's identity (the fields of common/model/endpoint.h's
 * struct endpoint_id, as stored), as store_walk_next gives it. The
 * strings are the walk's: valid until the next store_walk_next of the same
 * side. */
struct store_target_key {
    int64_t id;                    /* targets.id */
    size_t index;                  /* its place in store_load_targets' order, from 0 */
    const char *host;              /* never NULL */
    uint16_t port;                 /* */
    const char *sni;               /* NULL when none was stored */
    char ip[64];                   /* "" when none (as target_result.ip) */
    char starttls[FACT_PROTO_LEN]; /* as stored ("" and "none": direct TLS) */
};

struct store_walk;

/* store_walk_open starts one read transaction (one snapshot) over the
 * stored scans scans[0] and scans[1] for store_walk_next and
 * store_walk_load; store_load_target_findings reads that snapshot too
 * meanwhile, no other store call may run on s until store_walk_close.
 * Returns 0 with *out, or -1 (no such scan, database error, out of memory)
 * with the reason in store_errmsg(s). */
__attribute__((warn_unused_result)) int store_walk_open(struct store *s, const int64_t scans[2],
                                                        struct store_walk **out);

/* store_walk_next gives the next target of scans[side] (side 0 or 1) in
 * endpoint order: the host with its ASCII case ignored, the port, the SNI
 * (none as ""), the protocol ("" as "none"), the address, then the host's
 * bytes, then the order stored: the order of endpoint_cmp, then of
 * reports/diff.c's ties, done by SQLite's ORDER BY (its sorter, not a
 * growing array here). Returns 1 with *out, 0 at the end, -1 on a
 * database error (recorded). */
__attribute__((warn_unused_result)) int store_walk_next(struct store_walk *w, int side,
                                                        struct store_target_key *out);

/* store_walk_load reads target target_id with every fact, as
 * store_load_targets reads it, into r (initialised by the caller with
 * target_result_init, cleaned up by the caller either way). Returns 0, or
 * -1 (no such target, database error; recorded). */
__attribute__((warn_unused_result)) int store_walk_load(struct store_walk *w, int64_t target_id,
                                                        struct target_result *r);

/* store_walk_close ends the read transaction and frees w; accepts NULL. */
void store_walk_close(struct store_walk *w);

/* store_load_target reads target target_id with every fact (as
 * store_load_targets reads it) into r (initialised by the caller with
 * target_result_init, cleaned up by the caller either way), in a read
 * transaction of its own: `tlsaudit history` reads one endpoint's rows
 * without loading their scans. Returns 0; 1 when there is no such target;
 * or -1 with the reason in store_errmsg(s). */
__attribute__((warn_unused_result)) int store_load_target(struct store *s, int64_t target_id,
                                                          struct target_result *r);

/* store_list_tags appends to out, sorted and once each, every tag of the
 * targets of scan_id (none when the targets file gave none). Returns 0, or
 * -1 (database error, out of memory) with out unchanged. */
__attribute__((warn_unused_result)) int store_list_tags(struct store *s, int64_t scan_id,
                                                        struct strlist *out);

/* store_targets_free cleans up and frees an array from store_load_targets;
 * accepts NULL. */
void store_targets_free(struct target_result *targets, size_t n);

/* ---- policy runs and findings read back (store/store_query.c) ---------- */

/* One stored finding (a row of findings); every string is owned and NULL
 * where the column is NULL. */
struct store_finding_row {
    int64_t target_id; /* targets.id */
    char *rule_id;
    char *title;
    char *ref;
    char *severity; /* severity_name() text */
    char *verdict;  /* verdict_name() text */
    char *evidence;
    char *waiver_reason;
    char *waiver_owner;
    char *waiver_expires;
};

/* One stored policy run with its findings in the order they were stored. */
struct store_run {
    int64_t id; /* policy_runs.id */
    char *policy_id;
    char *policy_version;
    char *policy_sha256;
    char *policy_path;
    int64_t evaluated_ms;
    char *tool_version;
    bool gate_stored; /* the run's gate was stored (schema 4 on); else gate is GATE_DEFAULT */
    struct gate gate; /* what it was judged at (common/model/gate.h) */
    struct store_finding_row *findings;
    size_t n_findings;
};

/* store_load_runs reads every policy run of scan_id (oldest first) with
 * its findings, in one read transaction. Returns 0 with a malloc'ed array
 * (NULL and 0 when the scan has none; free with store_runs_free), or -1
 * with the reason in store_errmsg(s). A scan that does not exist has no
 * runs; check it with store_scan_exists. */
__attribute__((warn_unused_result)) int store_load_runs(struct store *s, int64_t scan_id,
                                                        struct store_run **out, size_t *n_out);

/* store_load_run_heads is store_load_runs without the findings (every run
 * with n_findings 0), for a report that reads them one target at a time
 * (store_load_target_findings). Same contract. */
__attribute__((warn_unused_result)) int store_load_run_heads(struct store *s, int64_t scan_id,
                                                             struct store_run **out, size_t *n_out);

/* store_load_target_findings replaces the findings of r (a run read by
 * store_load_run_heads) with its findings on target target_id, in the
 * order stored. Inside store_each_target's callback it reads the same
 * snapshot as the walk. Returns 0, or -1 with the reason in store_errmsg(s)
 * and r without findings. */
__attribute__((warn_unused_result)) int
store_load_target_findings(struct store *s, struct store_run *r, int64_t target_id);

/* store_load_run_rules replaces the findings of r (a run read by
 * store_load_run_heads) with the first finding stored of each rule (rule_id
 * not NULL), in the order stored: one row per rule the run evaluated, what
 * a report listing the rules before the findings reads first. Returns 0,
 * or -1 with the reason in store_errmsg(s) and r without findings. */
__attribute__((warn_unused_result)) int store_load_run_rules(struct store *s, struct store_run *r);

/* store_run_drop_findings frees the findings of r and leaves it without. */
void store_run_drop_findings(struct store_run *r);

/* store_runs_free frees an array from store_load_runs; accepts NULL. */
void store_runs_free(struct store_run *runs, size_t n);

/* store_run_cleanup frees what one run of such an array owns and zeroes it
 * (the array itself stays the caller's). */
void store_run_cleanup(struct store_run *r);

/* ---- history and diff queries (store/store_history.c) ------------------ */

/* One stored target row of one scan (tlsaudit history). */
struct store_target_ref {
    int64_t scan_id;   /* scans.id */
    int64_t target_id; /* targets.id */
};

/* store_target_history lists every stored target row whose host equals
 * host (compared as text, ASCII case-insensitively: the host as the user
 * typed it, IPv6 without brackets) and whose port equals port, oldest scan
 * first (then in the order stored: one row per address and SNI the
 * endpoint was scanned with), and, when starttls is not NULL, whose
 * application protocol is starttls ("none", "smtp" ...; NULL: any). Returns 0 with a malloc'ed
 * array (NULL and 0 when there is none; the caller frees it with free()), or -1 with the reason in
 * store_errmsg(s). */
__attribute__((warn_unused_result)) int store_target_history(struct store *s, const char *host,
                                                             uint16_t port, const char *starttls,
                                                             struct store_target_ref **out,
                                                             size_t *n_out);

/* store_previous_sharing_scan finds the newest scan older than scan_b (a
 * lower id) that has at least one target with the same host and port as a
 * target of scan_b. Returns 0 with *out_found and, when found, *out_scan_a;
 * or -1 on a database error. */
__attribute__((warn_unused_result)) int
store_previous_sharing_scan(struct store *s, int64_t scan_b, int64_t *out_scan_a, bool *out_found);

/* store_count_scans sets *out_n to the number of scans in the database.
 * Returns 0, or -1 on a database error. */
__attribute__((warn_unused_result)) int store_count_scans(struct store *s, size_t *out_n);

#endif
