/*
 * reports/diff.h - what changed between two stored scans (`tlsaudit diff`),
 * and the per-target summary `tlsaudit history` prints.
 *
 * Pipeline position: store -> reports/report.c (report_load_heads, twice)
 * -> [diff_stream: the targets read from the store in identity order, one
 * pair at a time] -> text, JSON, Markdown; or, for two scans loaded whole
 * (report_load), [diff_compute] -> a diff model -> diff_write. Both give
 * the same bytes (one pairing, one comparison, one writer).
 *
 * diff_compute is pure: two loaded scans in, a list of changes out; no
 * I/O, no clock, no database. Targets are paired by their endpoint
 * identity (common/model/endpoint.h: host, port, SNI, protocol, address),
 * never by the order they finished in: both scans' targets are sorted by
 * identity and merged; a target whose name did not resolve (no address)
 * pairs with one of the same host, port, SNI and protocol. The model lists the targets in
 * identity order. Facts are compared only for targets scanned in both
 * scans (status ok or no-tls); a status change is reported by itself, and
 * findings of a target not scanned in one of the two are "not evaluated"
 * (one entry per policy), never resolved or new.
 *
 * "Worse" (the exit code 1 of `tlsaudit diff`): a new failing finding, a
 * target reached in A that is unreachable (or no longer resolves) in B, a
 * policy whose verdict on a target got worse at the gate stored with each
 * run (compliant -> not-demonstrated -> non-compliant, the verdict
 * `report` gives: report_run_verdict), a protocol version or a
 * suite newly accepted (whatever its strength: the attack surface grew,
 * the policies say whether that is allowed), and a chain problem that
 * appeared (untrusted, expired, not yet valid, self-signed, incomplete,
 * wrong order, hostname mismatch). Everything else is reported but not
 * worse.
 *
 * Ownership: diff_compute returns a model the caller frees with diff_free;
 * it owns every string in it (copies), so the two report_data may be freed
 * before it.
 */
#ifndef TLSAUDIT_REPORTS_DIFF_H
#define TLSAUDIT_REPORTS_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/report.h"

/* The version of the JSON document diff_write writes (docs/diff-output.md). */
#define DIFF_JSON_SCHEMA_VERSION 2

enum diff_kind {
    DIFF_STATUS_CHANGED,     /* the target's status (ok, unreachable ...) */
    DIFF_VERSION_ENABLED,    /* worse: a version newly accepted */
    DIFF_VERSION_DISABLED,   /* a version no longer accepted */
    DIFF_SUITE_ADDED,        /* worse: a suite newly accepted under a version */
    DIFF_SUITE_REMOVED,      /* a suite no longer accepted */
    DIFF_ORDER_CHANGED,      /* who decides (server/client), or the server's order */
    DIFF_GROUP_ADDED,        /* a key-exchange group newly accepted (TLS 1.2 / 1.3) */
    DIFF_GROUP_REMOVED,      /* a group no longer accepted */
    DIFF_CERT_ROTATED,       /* another leaf (SHA-256) of a deployment (name: its label) */
    DIFF_CHAIN_CHANGED,      /* the certificates after the leaf changed */
    DIFF_CHAIN_PROBLEM_NEW,  /* worse: a chain problem appeared */
    DIFF_CHAIN_PROBLEM_GONE, /* a chain problem went away */
    DIFF_FINDING_NEW,        /* worse: a rule fails that did not before */
    DIFF_FINDING_RESOLVED,   /* a rule that failed no longer fails */
    DIFF_FINDING_CHANGED,    /* another verdict change (pass -> warn ...) */
    DIFF_POLICY_VERDICT,     /* a policy's verdict on the target at the gate changed */
    DIFF_DEPLOYMENT_ADDED,   /* a certificate deployment (name: its label) in B only */
    DIFF_DEPLOYMENT_REMOVED, /* a certificate deployment in A only */
    DIFF_NOT_EVALUATED,      /* a policy's findings: the target not scanned in A or B */
    DIFF_KIND_COUNT
};

/* diff_kind_name returns the JSON name of k: "status_changed",
 * "version_enabled", ... (docs/diff-output.md). */
const char *diff_kind_name(enum diff_kind k);

/* One change on one target. Fields that do not apply are NULL / -1 / 0. */
struct diff_entry {
    enum diff_kind kind;
    size_t target; /* index in diff.targets */
    bool worse;
    int version;     /* enum tls_version of version, suite, order, group entries; -1 */
    uint32_t code;   /* suite or group code (suite, group entries) */
    char *name;      /* the suite's or group's IANA name, the problem's name */
    char *policy_id; /* finding and policy entries */
    char *rule_id;   /* finding entries */
    char *severity;  /* finding entries: the rule's severity in B (else A) */
    char *before;    /* the value in scan A (a verdict, a SHA-256, an order ...) */
    char *after;     /* the value in scan B */
    char *detail;    /* free text: evidence, the new leaf's subject and expiry ... */
};

enum diff_presence { DIFF_IN_BOTH, DIFF_ONLY_A, DIFF_ONLY_B };

/* One target (host, port, address) of either scan. */
struct diff_target {
    enum diff_presence presence;
    char *host;
    uint16_t port;
    char *ip;       /* "" when no address was connected to */
    char *sni;      /* NULL when none (of B when in both, B's may differ from A's) */
    char *starttls; /* the application protocol ("none", "smtp" ...): part of the pairing */
    long a;         /* index in scan A's targets, -1 */
    long b;         /* index in scan B's targets, -1 */
    size_t n_changes;
    size_t n_worse;
};

struct diff {
    int64_t scan_a, scan_b;
    int64_t started_a_ms, started_b_ms;
    char state_a[16], state_b[16];
    struct diff_target *targets; /* B's targets by identity, then those only in A */
    size_t n_targets;
    struct diff_entry *entries; /* grouped by target, in targets' order */
    size_t n_entries;
    size_t n_worse;
    struct strlist policies_compared; /* policy ids evaluated in both scans */
    struct strlist policies_only_a;
    struct strlist policies_only_b;
};

/* diff_compute compares scan a (older) with scan b (newer). Returns a new
 * model, or NULL when memory runs out. */
struct diff *diff_compute(const struct report_data *a, const struct report_data *b);

/* What diff_stream tells its caller (the exit code, the summary line). */
struct diff_summary {
    size_t n_entries, n_worse;
};

/* diff_stream writes the diff of stored scans a (older) and b (newer) in
 * format f (text, JSON, Markdown) to out: the bytes diff_write writes for
 * diff_compute over the two scans loaded whole, exit-relevant counts in
 * *sum. a and b are loaded by report_load_heads (their runs are cut to the
 * newest of each policy, report_keep_runs); the targets are read from s
 * in identity order, one pair at a time (store_walk_*: one snapshot), each
 * with only its findings. Memory: the runs' heads, the targets of one name
 * (host, port, SNI, protocol; its addresses) of each scan and one pair's
 * facts, findings and changes; nothing per target of the scans (what waits
 * to be printed waits in temporary files). Returns 0, or -1 with the
 * reason in err (database error, out of memory, a temporary file failed);
 * out may then hold part of a text diff. */
__attribute__((warn_unused_result)) int diff_stream(FILE *out, enum report_format f,
                                                    struct store *s, struct report_data *a,
                                                    struct report_data *b, struct diff_summary *sum,
                                                    char *err, size_t err_len);

/* diff_free frees d; accepts NULL. */
void diff_free(struct diff *d);

/* diff_write renders d as text, JSON or Markdown (REPORT_TEXT, REPORT_JSON,
 * REPORT_MARKDOWN) to out. Returns 0, or -1 with the reason in err
 * (another format, out of memory). Write errors of out are the caller's. */
__attribute__((warn_unused_result)) int diff_write(FILE *out, enum report_format f,
                                                   const struct diff *d, char *err, size_t err_len);

/* ---- per-target summary (tlsaudit history) ---------------------------- */

/* diff_version_accepted says whether r accepted version v: by the
 * enumeration when it ran, or by the GnuTLS handshake (TLS 1.0-1.3). */
bool diff_version_accepted(const struct target_result *r, enum tls_version v);

/* diff_suite_count returns the number of suites r accepted over every
 * version (enumeration; 0 when it did not run). */
size_t diff_suite_count(const struct target_result *r);

/* One policy's findings on one target: the newest run of that policy in
 * the scan, with the target's verdict at the gate stored with that run
 * (report_run_verdict: what `report` says for the same target and run). */
struct diff_policy_counts {
    const char *policy_id; /* borrowed from the report_data */
    size_t n_pass, n_fail, n_warn, n_inconclusive, n_waived;
    enum target_verdict verdict; /* at gate */
    struct gate gate;            /* the run's stored gate */
};

/* diff_policy_counts fills out[] (at most cap, one per distinct policy id,
 * in the order first evaluated) for target index t of d. Returns the
 * number written. */
size_t diff_policy_counts(const struct report_data *d, size_t t, struct diff_policy_counts *out,
                          size_t cap);

#endif
