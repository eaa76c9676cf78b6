/*
 * common/model/vocab.h - the words every layer shares: severities, verdicts,
 * the states of a fact family, of a GnuTLS probe, of a target, of a probe
 * result, of a revocation check, and the suite order a server follows.
 *
 * Each word set is one enum with its names and a parse, kept here once:
 * the store writes these names and reads them back, the JSON, text, CSV,
 * JUnit, Markdown and HTML outputs print them, the policy language reads
 * the severities. The names are on disk and in documented outputs: never
 * rename one.
 *
 * X_COUNT is the number of values (a macro where the enum had no count, so
 * the switches over it need no case for it).
 *
 * One order: each enum's order is the order of its names, and every output
 * that lists the values of a set (the verdict counts of `check` and
 * `report`, a table per severity) lists them in it. Severities ascend
 * (info .. critical: `>=` compares them); verdicts run from the worst to
 * the best as the reports show them: fail, warn, inconclusive, waived, pass.
 *
 * For each set X: X_name(value) returns its name, "?" out of range (a
 * static string); X_parse(name, &out) stores the value named name in *out
 * and returns true, or returns false (*out untouched) for NULL or a name it
 * does not know. Names match exactly, but severities ignore case (policy
 * files and --fail-on take "High"). Libc only (common/model/).
 */
#ifndef TLSAUDIT_MODEL_VOCAB_H
#define TLSAUDIT_MODEL_VOCAB_H

#include <stdbool.h>

/* How much a policy rule matters: "info", "low", "medium", "high", "critical". */
enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };
#define SEV_COUNT (SEV_CRITICAL + 1)
const char *severity_name(enum severity s);
bool severity_parse(const char *name, enum severity *out);

/* What a policy rule found: "fail", "warn", "inconclusive" (the fact the
 * check needs was not collected: never "pass"), "waived", "pass". */
enum verdict {
    VERDICT_FAIL,
    VERDICT_WARN,
    VERDICT_INCONCLUSIVE,
    VERDICT_WAIVED,
    VERDICT_PASS,
};
#define VERDICT_COUNT (VERDICT_PASS + 1)
const char *verdict_name(enum verdict v);
bool verdict_parse(const char *name, enum verdict *out);
/* verdict_is returns true when name is the name of v (false for NULL). */
bool verdict_is(const char *name, enum verdict v);

/* Whether a fact family was collected (struct fact_header in facts.h):
 * "not-collected", "collected", "could-not-test". */
enum fact_state {
    FACT_NOT_COLLECTED = 0, /* not attempted: disabled, not applicable, the scan stopped */
    FACT_COLLECTED,         /* the facts below it were filled in */
    FACT_COULD_NOT_TEST,    /* attempted, but nothing could be learned: see detail */
    FACT_STATE_COUNT
};
const char *fact_state_name(enum fact_state s);
bool fact_state_parse(const char *name, enum fact_state *out);

/* The outcome of offering one protocol version (a GnuTLS handshake or the
 * enumeration): "not-tested", "accepted", "refused", "inconclusive". */
enum probe_state {
    PROBE_NOT_TESTED = 0, /* not attempted (scan stopped, target unreachable) */
    PROBE_ACCEPTED,       /* the handshake completed with this version */
    PROBE_REFUSED,        /* the server refused: alert, version mismatch, close */
    PROBE_INCONCLUSIVE,   /* timeout, reset or local error: no clear evidence */
};
#define PROBE_STATE_COUNT (PROBE_INCONCLUSIVE + 1)
const char *probe_state_name(enum probe_state s);
bool probe_state_parse(const char *name, enum probe_state *out);

/* What became of one target: "ok", "no-tls", "unreachable",
 * "resolve-failed", "error", "interrupted". */
enum target_status {
    TARGET_OK = 0,      /* at least one version was accepted */
    TARGET_NO_TLS,      /* reachable, but every version was refused */
    TARGET_UNREACHABLE, /* connection refused, timed out or reset before TLS */
    TARGET_RESOLVE_FAILED,
    TARGET_ERROR,       /* local failure (out of memory, ...), or a STARTTLS server that
                           does not upgrade (the dialogue's reason) */
    TARGET_INTERRUPTED, /* the scan was stopped before this target finished */
};
#define TARGET_STATUS_COUNT (TARGET_INTERRUPTED + 1)
const char *target_status_name(enum target_status s);
bool target_status_parse(const char *name, enum target_status *out);

/* What a generic probe found (probe_result.h): "not-run",
 * "not-applicable", "could-not-test", "negative", "positive", "info". */
enum probe_result_state {
    PR_NOT_RUN = 0,    /* the probe did not run (scan stopped, probe disabled) */
    PR_NOT_APPLICABLE, /* its question does not arise here (no TLS 1.2, no RSA kx ...) */
    PR_COULD_NOT_TEST, /* it ran but got no clear answer (timeout, reset): see detail */
    PR_NEGATIVE,       /* not vulnerable / not present */
    PR_POSITIVE,       /* vulnerable / present */
    PR_INFO,           /* an observation, neither good nor bad */
    PR_STATE_COUNT
};
const char *probe_result_state_name(enum probe_result_state s);
bool probe_result_state_parse(const char *name, enum probe_result_state *out);

/* What a key-exchange value (facts.h, struct kex_value) is: "dh_prime"
 * (a DHE ServerKeyExchange's p), "dh_public" (a DHE Ys or a TLS 1.3 FFDHE
 * key share), "ecdh_public" (an ECDHE point or a TLS 1.3 EC key share),
 * "cert_spki" (the leaf certificate's SubjectPublicKeyInfo). */
enum kex_kind { KEX_DH_PRIME = 0, KEX_DH_PUBLIC, KEX_ECDH_PUBLIC, KEX_CERT_SPKI, KEX_KIND_COUNT };
const char *kex_kind_name(enum kex_kind k);
bool kex_kind_parse(const char *name, enum kex_kind *out);

/* The revocation status of one certificate: "not-checked", "good",
 * "revoked", "unknown", "inconclusive". */
enum revoc_status {
    REVOC_NOT_CHECKED = 0, /* --offline, no URL, or the scan did not get that far */
    REVOC_GOOD,            /* a verified, fresh OCSP response or CRL says good */
    REVOC_REVOKED,         /* ... says revoked */
    REVOC_UNKNOWN,         /* the OCSP responder does not know the certificate */
    REVOC_INCONCLUSIVE,    /* responder down, garbage, bad signature, stale: see detail */
};
#define REVOC_STATUS_COUNT (REVOC_INCONCLUSIVE + 1)
const char *revoc_status_name(enum revoc_status s);
bool revoc_status_parse(const char *name, enum revoc_status *out);

/* Who picks the suite: "unknown", "server", "client". enum_order_name
 * returns "unknown" (not "?") out of range, as it always has. */
enum enum_order {
    ORDER_UNKNOWN = 0, /* fewer than two suites, or the probes disagreed */
    ORDER_SERVER,      /* the server picks by its own preference */
    ORDER_CLIENT,      /* the server takes the client's first acceptable suite */
};
#define ORDER_COUNT (ORDER_CLIENT + 1)
const char *enum_order_name(enum enum_order o);
bool enum_order_parse(const char *name, enum enum_order *out);

#endif
