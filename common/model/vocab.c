/*
 * common/model/vocab.c - the name tables of the shared words (vocab.h).
 *
 * Invariant: each table is indexed by its enum and has exactly X_COUNT
 * entries, every one set (tests/unit/vocab_test.c checks the round trip).
 */
#include "common/model/vocab.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *const severity_names[SEV_COUNT] = {
    [SEV_INFO] = "info", [SEV_LOW] = "low",           [SEV_MEDIUM] = "medium",
    [SEV_HIGH] = "high", [SEV_CRITICAL] = "critical",
};

static const char *const verdict_names[VERDICT_COUNT] = {
    [VERDICT_FAIL] = "fail",     [VERDICT_WARN] = "warn", [VERDICT_INCONCLUSIVE] = "inconclusive",
    [VERDICT_WAIVED] = "waived", [VERDICT_PASS] = "pass",
};

static const char *const fact_state_names[FACT_STATE_COUNT] = {
    [FACT_NOT_COLLECTED] = "not-collected",
    [FACT_COLLECTED] = "collected",
    [FACT_COULD_NOT_TEST] = "could-not-test",
};

static const char *const probe_state_names[PROBE_STATE_COUNT] = {
    [PROBE_NOT_TESTED] = "not-tested",
    [PROBE_ACCEPTED] = "accepted",
    [PROBE_REFUSED] = "refused",
    [PROBE_INCONCLUSIVE] = "inconclusive",
};

static const char *const target_status_names[TARGET_STATUS_COUNT] = {
    [TARGET_OK] = "ok",
    [TARGET_NO_TLS] = "no-tls",
    [TARGET_UNREACHABLE] = "unreachable",
    [TARGET_RESOLVE_FAILED] = "resolve-failed",
    [TARGET_ERROR] = "error",
    [TARGET_INTERRUPTED] = "interrupted",
};

static const char *const probe_result_state_names[PR_STATE_COUNT] = {
    [PR_NOT_RUN] = "not-run",
    [PR_NOT_APPLICABLE] = "not-applicable",
    [PR_COULD_NOT_TEST] = "could-not-test",
    [PR_NEGATIVE] = "negative",
    [PR_POSITIVE] = "positive",
    [PR_INFO] = "info",
};

static const char *const revoc_status_names[REVOC_STATUS_COUNT] = {
    [REVOC_NOT_CHECKED] = "not-checked",   [REVOC_GOOD] = "good",
    [REVOC_REVOKED] = "revoked",           [REVOC_UNKNOWN] = "unknown",
    [REVOC_INCONCLUSIVE] = "inconclusive",
};

static const char *const enum_order_names[ORDER_COUNT] = {
    [ORDER_UNKNOWN] = "unknown",
    [ORDER_SERVER] = "server",
    [ORDER_CLIENT] = "client",
};

/* vocab_name returns names[v], or fallback when v is out of range. */
static const char *vocab_name(const char *const *names, int n, int v, const char *fallback)
{
    return v >= 0 && v < n ? names[v] : fallback;
}

/* vocab_find returns the index of name in names (case-insensitive when
 * nocase), or -1 for NULL or a name not there. */
static int vocab_find(const char *const *names, int n, const char *name, bool nocase)
{
    for (int i = 0; name != NULL && i < n; i++) {
        if ((nocase ? strcasecmp(name, names[i]) : strcmp(name, names[i])) == 0) {
            return i;
        }
    }
    return -1;
}

/* One name and one parse per set; the parse stores through out only on a hit. */
#define VOCAB_DEFINE(type, prefix, table, count, fallback, nocase)                                 \
    const char *prefix##_name(enum type v)                                                         \
    {                                                                                              \
        return vocab_name(table, count, (int)v, fallback);                                         \
    }                                                                                              \
    bool prefix##_parse(const char *name, enum type *out)                                          \
    {                                                                                              \
        int i = vocab_find(table, count, name, nocase);                                            \
        if (i < 0) {                                                                               \
            return false;                                                                          \
        }                                                                                          \
        *out = (enum type)i;                                                                       \
        return true;                                                                               \
    }

VOCAB_DEFINE(severity, severity, severity_names, SEV_COUNT, "?", true)
VOCAB_DEFINE(verdict, verdict, verdict_names, VERDICT_COUNT, "?", false)
VOCAB_DEFINE(fact_state, fact_state, fact_state_names, FACT_STATE_COUNT, "?", false)
VOCAB_DEFINE(probe_state, probe_state, probe_state_names, PROBE_STATE_COUNT, "?", false)
VOCAB_DEFINE(target_status, target_status, target_status_names, TARGET_STATUS_COUNT, "?", false)
static const char *const kex_kind_names[KEX_KIND_COUNT] = {
    [KEX_DH_PRIME] = "dh_prime",
    [KEX_DH_PUBLIC] = "dh_public",
    [KEX_ECDH_PUBLIC] = "ecdh_public",
    [KEX_CERT_SPKI] = "cert_spki",
};
VOCAB_DEFINE(probe_result_state, probe_result_state, probe_result_state_names, PR_STATE_COUNT, "?",
             false)
VOCAB_DEFINE(kex_kind, kex_kind, kex_kind_names, KEX_KIND_COUNT, "?", false)
VOCAB_DEFINE(revoc_status, revoc_status, revoc_status_names, REVOC_STATUS_COUNT, "?", false)
VOCAB_DEFINE(enum_order, enum_order, enum_order_names, ORDER_COUNT, "unknown", false)

bool verdict_is(const char *name, enum verdict v)
{
    enum verdict got;
    return verdict_parse(name, &got) && got == v;
}
