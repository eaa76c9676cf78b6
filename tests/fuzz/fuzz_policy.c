/*
 * tests/fuzz/fuzz_policy.c - fuzz target for the policy loader
 * (policy_load_buffer in policies/load.c, on libyaml).
 *
 * Input: the bytes of a policy file, named "fuzz.yaml" (an `extends` of a
 * shipped name reads that shipped policy). Invariants: exactly one of a
 * policy and an error; an error is one line naming a file, without control
 * characters; a policy has
 * an id, a title, a version, a SHA-256 and rules and waivers whose every
 * field is readable. Any broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "policies/policy.h"
#include "tests/fuzz/fuzz.h"

static size_t policy_fz_str(const char *s)
{
    if (s == NULL) {
        abort();
    }
    return strlen(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[2048];
    memset(err, 'x', sizeof(err));
    struct policy *p = policy_load_buffer("fuzz.yaml", (const char *)data, size, err, sizeof(err));
    if (memchr(err, '\0', sizeof(err)) == NULL) {
        abort();
    }
    if (p == NULL) {
        if (err[0] == '\0' || strstr(err, ".yaml") == NULL) {
            abort();
        }
        for (const char *c = err; *c != '\0'; c++) {
            if ((unsigned char)*c < 0x20 || *c == 0x7f) {
                abort(); /* one line, nothing for a terminal to act on */
            }
        }
        return 0;
    }
    if (policy_fz_str(policy_id(p)) == 0 || policy_fz_str(policy_sha256(p)) != 64) {
        abort();
    }
    (void)policy_fz_str(policy_title(p));
    (void)policy_fz_str(policy_version(p));
    size_t n = policy_n_rules(p);
    for (size_t i = 0; i < n; i++) {
        struct policy_rule_info r;
        if (!policy_rule_at(p, i, &r)) {
            abort();
        }
        if (policy_fz_str(r.id) == 0 || policy_fz_str(r.check) == 0) {
            abort();
        }
        (void)policy_fz_str(r.title);
        (void)policy_fz_str(r.ref);
        (void)policy_fz_str(r.params);
        (void)policy_fz_str(severity_name(r.severity));
        for (size_t j = 0; j < r.applies_to->n_items; j++) {
            (void)policy_fz_str(r.applies_to->items[j]);
        }
    }
    struct policy_rule_info past;
    if (policy_rule_at(p, n, &past)) {
        abort();
    }
    size_t nw = policy_n_waivers(p);
    for (size_t i = 0; i < nw; i++) {
        struct policy_waiver_info w;
        if (!policy_waiver_at(p, i, &w) || policy_fz_str(w.rule) == 0 ||
            policy_fz_str(w.expires) != 10) {
            abort();
        }
        (void)policy_fz_str(w.justification);
        for (size_t j = 0; j < w.targets->n_items; j++) {
            (void)policy_fz_str(w.targets->items[j]);
        }
    }
    policy_free(p);
    return 0;
}
