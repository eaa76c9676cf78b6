/*
 * scanner/enum/answer.c - what a first flight says (see enum.h): a pick, a
 * refusal, or inconclusive; what the first-flight driver flags as not
 * offered is an anomaly and leaves the probe inconclusive, never support.
 */
#include "scanner/enum/enum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* A ServerHello naming an older SSL/TLS version than the one offered (and
 * one the hello allowed, RFC 5246 §E.1): the server does not speak the
 * offered version. A TLS answer to the SSLv2 hello says the same of SSLv2.
 * Anything else that is not the offered version (higher, unlisted, not a
 * TLS version at all like DTLS 0xFEFD) is no evidence either way. */
static bool answer_is_lower_version(const struct task *t, const struct hello_result *res)
{
    uint16_t v = res->sh.version;
    bool known = v >= TLS_WIRE_SSL3 && v <= TLS_WIRE_TLS13;
    if (t->wv == TLSV_SSL2) {
        return known;
    }
    return known && !res->version_not_offered && v < tls_version_wire(t->wv);
}

/* Records an unoffered choice as the anomaly and the probe's reason. */
static enum answer unoffered(struct job *j, char *why, size_t why_len, const char *what)
{
    enum_anomaly(j, what);
    util_copy(why, why_len, what);
    return ANS_INCONCLUSIVE;
}

/* Classifies a finished probe; why says what decided it. Only a fatal
 * alert (or SSLv2 ERROR), a close before the server sent a byte, or an
 * older version is a refusal; what the parser flags as not offered is an
 * anomaly and never support. */
enum answer enum_classify(struct task *t, enum net_outcome o, const char *pwhy,
                          const struct hello_result **out_res, char *why, size_t why_len)
{
    struct job *j = t->job;
    const struct hello_result *res = hello_flight_result(&t->flight);
    const char *vname = tls_version_name(t->wv);
    char a[160];
    *out_res = res;
    if (o == NET_CLOSED && t->flight_ready) {
        (void)hello_flight_eof(&t->flight);
    }
    switch (res->answer) {
    case HELLO_ANS_SERVER_HELLO:
    case HELLO_ANS_HRR:
        if (res->sh.version != tls_version_wire(t->wv) || res->version_not_offered) {
            if (answer_is_lower_version(t, res)) {
                snprintf(why, why_len, "server answered with version 0x%04x", res->sh.version);
                return ANS_REFUSED;
            }
            snprintf(a, sizeof(a), "%s: server answered with version 0x%04x that was not offered",
                     vname, res->sh.version);
            return unoffered(j, why, why_len, a);
        }
        if (res->suite_not_offered) {
            snprintf(a, sizeof(a), "%s: server chose suite 0x%04X that was not offered", vname,
                     res->sh.suite);
            return unoffered(j, why, why_len, a);
        }
        if (res->group_not_offered) {
            snprintf(a, sizeof(a),
                     res->sh.hrr ? "%s: HelloRetryRequest for group 0x%04x that was not offered "
                                   "or already had a key share"
                                 : "%s: server chose group 0x%04x without a key share sent for it",
                     vname, res->sh.key_share_group);
            return unoffered(j, why, why_len, a);
        }
        if (res->compression_not_offered) {
            snprintf(a, sizeof(a), "%s: server chose compression method %u that was not offered",
                     vname, (unsigned)res->sh.compression);
            return unoffered(j, why, why_len, a);
        }
        return ANS_PICK;
    case HELLO_ANS_ALERT:
        snprintf(why, why_len, "alert: %s", hello_alert_name(res->alert.description));
        return ANS_REFUSED;
    case HELLO_ANS_SSL2_SERVER_HELLO:
        if (res->version_not_offered) {
            snprintf(a, sizeof(a), "%s: SSLv2 SERVER-HELLO with version 0x%04x", vname,
                     res->ssl2.version);
            return unoffered(j, why, why_len, a);
        }
        return ANS_PICK;
    case HELLO_ANS_SSL2_ERROR:
        snprintf(why, why_len, "SSLv2 error 0x%04x", res->ssl2_error);
        return ANS_REFUSED;
    case HELLO_ANS_NONE:
        break;
    }
    switch (o) {
    case NET_CLOSED:
        if (res->n_bytes == 0) {
            util_copy(why, why_len, "connection closed by the server");
            return ANS_REFUSED;
        }
        /* Some bytes, then a close without an alert: no clear answer. */
        snprintf(why, why_len, "connection closed inside the answer after %zu bytes", res->n_bytes);
        return ANS_INCONCLUSIVE;
    case NET_BAD_ANSWER: {
        const struct hello_error *e = hello_flight_error(&t->flight);
        snprintf(why, why_len, "unparsable answer at byte %zu: %s", e->offset,
                 e->reason ? e->reason : "?");
        return ANS_INCONCLUSIVE;
    }
    default:
        snprintf(why, why_len, "%s%s%s", net_outcome_name(o), pwhy[0] ? ": " : "", pwhy);
        return ANS_INCONCLUSIVE;
    }
}
