/*
 * policies/checks/table.c - the table of policy checks: for each enum
 * check_kind its YAML key and its function set (load its parameters,
 * describe them in one line, evaluate it), in the order
 * docs/policy-language.md lists them. The loader finds a rule's check here
 * by key; the evaluator calls its eval function. Adding a check is one
 * entry here plus its functions in the file of its family
 * (docs/ARCHITECTURE.md, "How to add a policy check").
 */
#include <stddef.h>
#include <string.h>

#include "policies/checks/checks.h"

#define CHECK_TRUE(key, fn)                                                                        \
    {                                                                                              \
        key, load_c_true, describe_true, eval_##fn, false                                          \
    }
/* A `true`-valued check judged on each certificate deployment (per_deployment). */
#define CHECK_TRUE_EACH(key, fn)                                                                   \
    {                                                                                              \
        key, load_c_true, describe_true, eval_##fn, true                                           \
    }

const struct check_def check_table[CHECK_COUNT] = {
    [CHECK_PROTOCOLS_FORBIDDEN] = {"protocols_forbidden", load_c_versions, describe_versions,
                                   eval_protocols_forbidden, false},
    [CHECK_PROTOCOLS_ALLOWED] = {"protocols_allowed", load_c_versions, describe_versions,
                                 eval_protocols_allowed, false},
    [CHECK_PROTOCOLS_REQUIRED] = {"protocols_required", load_c_versions_required,
                                  describe_versions_required, eval_protocols_required, false},
    [CHECK_SUITES_ALLOWED] = {"suites_allowed", load_c_suites_allowed, describe_suites_allowed,
                              eval_suites_allowed, false},
    [CHECK_SUITES_FORBIDDEN] = {"suites_forbidden", load_c_suites_forbidden,
                                describe_suites_forbidden, eval_suites_forbidden, false},
    [CHECK_GROUPS_ALLOWED] = {"groups_allowed", load_c_groups, describe_groups, eval_groups_allowed,
                              false},
    [CHECK_GROUPS_REQUIRED] = {"groups_required", load_c_groups_required, describe_groups,
                               eval_groups_required, false},
    [CHECK_DH_MIN_BITS] = {"dh_min_bits", load_c_min_bits, describe_min_bits, eval_dh_min_bits,
                           false},
    [CHECK_ECDH_MIN_BITS] = {"ecdh_min_bits", load_c_min_bits, describe_min_bits,
                             eval_ecdh_min_bits, false},
    [CHECK_SERVER_ORDER_REQUIRED] = {"server_order_required", load_c_server_order,
                                     describe_server_order, eval_server_order, false},
    [CHECK_SECURE_RENEGOTIATION_REQUIRED] =
        CHECK_TRUE("secure_renegotiation_required", secure_renegotiation),
    [CHECK_EXTENDED_MASTER_SECRET_REQUIRED] =
        CHECK_TRUE("extended_master_secret_required", extended_master_secret),
    [CHECK_ENCRYPT_THEN_MAC_REQUIRED] = CHECK_TRUE("encrypt_then_mac_required", encrypt_then_mac),
    [CHECK_HEARTBEAT_FORBIDDEN] = CHECK_TRUE("heartbeat_forbidden", heartbeat),
    [CHECK_CERT_KEY] = {"cert_key", load_c_cert_key, describe_cert_key, eval_cert_key, true},
    [CHECK_CERT_SIGNATURE_FORBIDDEN] = {"cert_signature_forbidden", load_c_sig_forbidden,
                                        describe_sig_forbidden, eval_cert_sig, true},
    [CHECK_CERT_SIGNATURE_ALLOWED] = {"cert_signature_allowed", load_c_sig_allowed,
                                      describe_sig_allowed, eval_sig_allowed, true},
    [CHECK_CERT_MAX_LIFETIME] = {"cert_max_lifetime", load_c_lifetime, describe_lifetime,
                                 eval_lifetime, true},
    [CHECK_CERT_EXPIRY] = {"cert_expiry", load_c_expiry, describe_expiry, eval_expiry, true},
    [CHECK_CERT_SAN_REQUIRED] = CHECK_TRUE_EACH("cert_san_required", san),
    [CHECK_CERT_SERVER_AUTH_EKU_REQUIRED] = CHECK_TRUE_EACH("cert_server_auth_eku_required", eku),
    [CHECK_CERT_KEY_USAGE_VALID] = CHECK_TRUE_EACH("cert_key_usage_valid", key_usage),
    [CHECK_CERT_SERIAL_VALID] = CHECK_TRUE_EACH("cert_serial_valid", serial),
    [CHECK_CERT_AIA_REQUIRED] = CHECK_TRUE_EACH("cert_aia_required", aia),
    [CHECK_CERT_OCSP_URL_REQUIRED] = CHECK_TRUE_EACH("cert_ocsp_url_required", ocsp_url),
    [CHECK_CERT_CRL_URL_REQUIRED] = {"cert_crl_url_required", load_c_crl_url, describe_crl_url,
                                     eval_crl_url, true},
    [CHECK_CERT_POLICY_REQUIRED] = CHECK_TRUE_EACH("cert_policy_required", policy_oid),
    [CHECK_CHAIN_TRUSTED_REQUIRED] = CHECK_TRUE_EACH("chain_trusted_required", chain),
    [CHECK_CHAIN_COMPLETE_REQUIRED] = CHECK_TRUE_EACH("chain_complete_required", chain),
    [CHECK_CHAIN_ORDER_REQUIRED] = {"chain_order_required", load_c_chain_order,
                                    describe_chain_order, eval_chain, true},
    [CHECK_HOSTNAME_MATCH_REQUIRED] = CHECK_TRUE_EACH("hostname_match_required", chain),
    [CHECK_OCSP_STAPLE_REQUIRED] = CHECK_TRUE_EACH("ocsp_staple_required", ocsp_staple),
    [CHECK_CERT_NOT_REVOKED_REQUIRED] = CHECK_TRUE_EACH("cert_not_revoked_required", not_revoked),
    [CHECK_MUST_STAPLE_HONOURED] = CHECK_TRUE_EACH("must_staple_honoured", must_staple),
    [CHECK_HSTS_MIN_MAX_AGE] = {"hsts_min_max_age", load_c_max_age, describe_max_age, eval_hsts,
                                false},
    [CHECK_HTTP_REDIRECT_REQUIRED] = CHECK_TRUE("http_redirect_required", http_redirect),
    [CHECK_INVENTORY] = {"inventory", load_c_inventory, describe_inventory, eval_inventory, false},
    [CHECK_PROBE] = {"probe", load_c_probe, describe_probe, eval_probe, false},
};

bool load_c_true(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_true(f, v, policy_check_name(c->kind));
}

void describe_true(struct load_buf *b, const struct check *c)
{
    (void)c;
    load_buf_add(b, "true");
}

/* check_distance is the edit distance of two short words (for "did you mean"). */
static size_t check_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) {
        return 99;
    }
    size_t row[41];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) {
                best = row[j] + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *check_nearest(const char *key, const char *const *words)
{
    const char *best = NULL;
    size_t best_d = 4;
    for (const char *const *w = words; *w != NULL; w++) {
        size_t d = check_distance(key, *w);
        if (d < best_d) {
            best_d = d;
            best = *w;
        }
    }
    for (unsigned i = 0; i < CHECK_COUNT; i++) {
        size_t d = check_distance(key, check_table[i].name);
        if (d < best_d) {
            best_d = d;
            best = check_table[i].name;
        }
    }
    return best;
}

const char *policy_check_name(enum check_kind k)
{
    if ((unsigned)k >= CHECK_COUNT) {
        return "?";
    }
    return check_table[k].name;
}

const char *const *policy_check_names(void)
{
    /* Filled from check_table on each call (one list of names); call it
     * from one thread at a time. */
    static const char *names[CHECK_COUNT + 1];
    for (unsigned i = 0; i < CHECK_COUNT; i++) {
        names[i] = check_table[i].name;
    }
    names[CHECK_COUNT] = NULL;
    return names;
}
