/*
 * scanner/enum/extras.c - what runs after every version (see enum.h): the
 * TLS 1.2 groups and schemes if not started early, TLS 1.3 groups, and the
 * probes for echoed extensions and encrypt_then_mac.
 */
#include "scanner/enum/enum.h"

#include <string.h>

static enum fact_tri tri(bool b)
{
    return b ? TRI_YES : TRI_NO;
}

void enum_on_exts(struct task *t, enum answer a, const struct hello_result *res)
{
    struct enum_facts *e = t->job->out;
    if (a != ANS_PICK) {
        return;
    }
    unsigned x = res->sh.exts;
    if (t->kind == T_ETM) {
        e->encrypt_then_mac = tri(x & HELLO_EXT_ENCRYPT_THEN_MAC);
        return;
    }
    e->secure_renegotiation = tri(x & HELLO_EXT_RENEGOTIATION_INFO);
    e->extended_master_secret = tri(x & HELLO_EXT_EXTENDED_MASTER_SECRET);
    e->status_request = tri(x & HELLO_EXT_STATUS_REQUEST);
    e->session_ticket = tri(x & HELLO_EXT_SESSION_TICKET);
    e->heartbeat = tri(x & HELLO_EXT_HEARTBEAT);
    size_t n = res->sh.alpn_len < sizeof(e->alpn) - 1 ? res->sh.alpn_len : sizeof(e->alpn) - 1;
    memcpy(e->alpn, res->sh.alpn, n);
    e->alpn[n] = '\0';
}

/* After every version: groups, signature schemes, extensions. */
void enum_start_extras(struct job *j)
{
    j->extras_started = true;
    struct enum_facts *e = j->out;
    enum tls_version legacy = TLSV_COUNT;
    for (int v = TLSV_TLS12; v >= TLSV_SSL3; v--) {
        if (e->versions[v].state == PROBE_ACCEPTED) {
            legacy = (enum tls_version)v;
            break;
        }
    }
    uint32_t s[ENUM_MAX_LIST];
    uint16_t l[ENUM_MAX_LIST];
    if (legacy != TLSV_COUNT) {
        const struct enum_version_fact *vf = &e->versions[legacy];
        /* RSA-signed ECDHE suites first: with an ECDSA certificate the
         * server also needs its certificate's curve among the offered
         * groups (RFC 8422 §5.1), which would end the elimination early. */
        size_t n = enum_pick_suites(vf, enum_is_ecdhe_rsa, s, ENUM_MAX_LIST);
        if (n == 0) {
            n = enum_pick_suites(vf, enum_is_ecdhe_signed, s, ENUM_MAX_LIST);
        }
        if (n > 0 && !j->groups12_started) {
            j->groups12_started = enum_spawn(j, T_GROUPS12, legacy, s, n, l,
                                             enum_groups_of_kind(l, ENUM_MAX_LIST, false));
        }
        if (legacy == TLSV_TLS12 && !j->sigalgs12_started) {
            /* The scheme a server signs with does not depend on the key
             * exchange: ECDHE suites first, which cost a server less than
             * DHE ones. */
            n = enum_pick_suites(vf, enum_is_ecdhe_signed, s, ENUM_MAX_LIST);
            if (n == 0) {
                n = enum_pick_suites(vf, enum_is_fs_signed, s, ENUM_MAX_LIST);
            }
            size_t m = enum_sigschemes_all(l, ENUM_MAX_LIST);
            if (n > 0 && m > 0) {
                j->sigalgs12_started = enum_spawn(j, T_SIGALGS12, legacy, s, n, l, m);
            }
        }
        if (legacy != TLSV_SSL3) {
            /* Which extensions a server echoes does not depend on the
             * suite either (encrypt_then_mac only needs a CBC one): suites
             * it signs nothing for first, the cheapest answer. */
            n = enum_pick_suites(vf, enum_is_unsigned, s, ENUM_MAX_LIST);
            if (n == 0) {
                n = enum_pick_suites(vf, enum_is_any, s, ENUM_MAX_LIST);
            }
            enum_spawn(j, T_EXTS, legacy, s, n, NULL, 0);
            n = enum_pick_suites(vf, enum_is_unsigned_cbc, s, ENUM_MAX_LIST);
            if (n == 0) {
                n = enum_pick_suites(vf, enum_is_cbc, s, ENUM_MAX_LIST);
            }
            if (n > 0) {
                enum_spawn(j, T_ETM, legacy, s, n, NULL, 0);
            }
        }
    }
    const struct enum_version_fact *v13 = &e->versions[TLSV_TLS13];
    if (v13->state == PROBE_ACCEPTED) {
        size_t n = enum_pick_suites(v13, enum_is_any, s, ENUM_MAX_LIST);
        enum_spawn(j, T_GROUPS13, TLSV_TLS13, s, n, l, enum_groups_of_kind(l, ENUM_MAX_LIST, true));
    }
}
