/*
 * scanner/starttls/ldap.c - LDAP's StartTLS extended operation (binary.h).
 *
 * RFC 4511 §4.14: the client sends an ExtendedRequest naming
 * 1.3.6.1.4.1.1466.20037 and the server answers an ExtendedResponse whose
 * resultCode is success (0) before TLS starts. Messages are BER
 * (RFC 4511 §5.1: definite lengths only). The reader here takes exactly one
 * LDAPMessage, up to LDAP_MAX_MESSAGE bytes, into the per-connection state,
 * then walks it flat (message, protocolOp, its first fields: no recursion).
 * A notice of disconnection (messageID 0, RFC 4511 §4.4.1) and a reply to
 * another message are failures like a refusal.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "scanner/starttls/binary.h"

/* The answer to StartTLS is a few dozen bytes; a long diagnostic fits. */
#define LDAP_MAX_MESSAGE 4096
#define LDAP_MESSAGE_ID 1

/* BER identifier octets (X.690 §8.1.2) of what the reply holds. */
#define BER_INTEGER 0x02
#define BER_OCTET_STRING 0x04
#define BER_ENUMERATED 0x0a
#define BER_SEQUENCE 0x30
#define LDAP_EXTENDED_REQ 0x77  /* [APPLICATION 23] constructed */
#define LDAP_EXTENDED_RESP 0x78 /* [APPLICATION 24] constructed */
#define LDAP_REQUEST_NAME 0x80  /* [0] primitive */

static const char ldap_starttls_oid[] = "1.3.6.1.4.1.1466.20037";

struct ldap_ctx {
    size_t n;    /* bytes of the message so far */
    size_t need; /* its whole length once the header is read, else 0 */
    uint8_t msg[LDAP_MAX_MESSAGE];
};

/* The resultCode names of RFC 4511 Appendix A. */
static const char *ldap_result_name(int64_t rc)
{
    static const struct {
        int code;
        const char *name;
    } names[] = {
        {0, "success"},
        {1, "operationsError"},
        {2, "protocolError"},
        {3, "timeLimitExceeded"},
        {4, "sizeLimitExceeded"},
        {7, "authMethodNotSupported"},
        {8, "strongerAuthRequired"},
        {10, "referral"},
        {11, "adminLimitExceeded"},
        {12, "unavailableCriticalExtension"},
        {13, "confidentialityRequired"},
        {14, "saslBindInProgress"},
        {32, "noSuchObject"},
        {48, "inappropriateAuthentication"},
        {49, "invalidCredentials"},
        {50, "insufficientAccessRights"},
        {51, "busy"},
        {52, "unavailable"},
        {53, "unwillingToPerform"},
        {54, "loopDetect"},
        {80, "other"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].code == rc) {
            return names[i].name;
        }
    }
    return "unknown";
}

static enum net_dialogue_step ldap_start(void *ctx, const void *arg, struct wbuf *out, char *why,
                                         size_t why_len)
{
    (void)ctx;
    (void)arg;
    struct wbuf msg, op, name;
    (void)wbuf_put_u8(out, BER_SEQUENCE); /* LDAPMessage */
    (void)wbuf_open_vec8(out, &msg);
    (void)wbuf_put_u8(&msg, BER_INTEGER); /* messageID */
    (void)wbuf_put_u8(&msg, 1);
    (void)wbuf_put_u8(&msg, LDAP_MESSAGE_ID);
    (void)wbuf_put_u8(&msg, LDAP_EXTENDED_REQ);
    (void)wbuf_open_vec8(&msg, &op);
    (void)wbuf_put_u8(&op, LDAP_REQUEST_NAME);
    (void)wbuf_open_vec8(&op, &name);
    (void)wbuf_put_bytes(&name, (const uint8_t *)ldap_starttls_oid, sizeof(ldap_starttls_oid) - 1);
    (void)wbuf_close(&name);
    (void)wbuf_close(&op);
    (void)wbuf_close(&msg);
    if (!wbuf_ok(out)) {
        snprintf(why, why_len, "cannot build the ExtendedRequest");
        return NET_DIALOGUE_FAILED;
    }
    return NET_DIALOGUE_MORE;
}

/* ber_get reads one BER element (X.690 §8.1: a one-octet identifier, a
 * definite length of at most 4 octets) from r: its identifier in *tag and a
 * view of its contents. False, r unmoved, when it is malformed or does not
 * fit in r. */
static bool ber_get(struct rbuf *r, uint8_t *tag, struct rbuf *content)
{
    struct rbuf t = *r;
    uint8_t id, first;
    size_t len = 0;
    if (!rbuf_get_u8(&t, &id) || (id & 0x1f) == 0x1f || !rbuf_get_u8(&t, &first)) {
        return false;
    }
    if (first < 0x80) {
        len = first;
    } else {
        size_t n = first & 0x7f;
        if (n == 0 || n > 4) {
            return false; /* indefinite, or longer than anything we take */
        }
        for (size_t i = 0; i < n; i++) {
            uint8_t b;
            if (!rbuf_get_u8(&t, &b)) {
                return false;
            }
            len = len << 8 | b;
        }
    }
    if (!rbuf_get_bytes(&t, content, len)) {
        return false;
    }
    *tag = id;
    *r = t;
    return true;
}

/* ber_get_int reads an INTEGER or ENUMERATED of tag want (at most 4 content
 * octets, two's complement) into *out. */
static bool ber_get_int(struct rbuf *r, uint8_t want, int64_t *out)
{
    struct rbuf t = *r, c;
    uint8_t tag;
    if (!ber_get(&t, &tag, &c) || tag != want || c.len == 0 || c.len > 4) {
        return false;
    }
    int64_t v = (c.data[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < c.len; i++) {
        v = v * 256 + c.data[i];
    }
    *out = v;
    *r = t;
    return true;
}

/* Judges one whole LDAPMessage (RFC 4511 §4.2, §4.12). */
static enum net_dialogue_step ldap_judge(const struct ldap_ctx *c, char *why, size_t why_len)
{
    struct rbuf all, msg, op, dn, diag;
    uint8_t tag;
    int64_t id, rc;
    rbuf_init(&all, c->msg, c->n);
    if (!ber_get(&all, &tag, &msg) || !ber_get_int(&msg, BER_INTEGER, &id) ||
        !ber_get(&msg, &tag, &op)) {
        snprintf(why, why_len, "malformed LDAPMessage");
        return NET_DIALOGUE_FAILED;
    }
    if (tag != LDAP_EXTENDED_RESP) {
        snprintf(why, why_len, "answer is protocolOp 0x%02x, not an ExtendedResponse", tag);
        return NET_DIALOGUE_FAILED;
    }
    if (!ber_get_int(&op, BER_ENUMERATED, &rc) || !ber_get(&op, &tag, &dn) ||
        tag != BER_OCTET_STRING || !ber_get(&op, &tag, &diag) || tag != BER_OCTET_STRING) {
        snprintf(why, why_len, "malformed ExtendedResponse");
        return NET_DIALOGUE_FAILED;
    }
    if (id == LDAP_MESSAGE_ID && rc == 0) {
        return NET_DIALOGUE_READY;
    }
    char text[72] = "";
    starttls_bin_text(text, sizeof(text), diag.data, diag.len);
    const char *what = id == 0                 ? "server sent a notice of disconnection"
                       : id == LDAP_MESSAGE_ID ? "LDAP StartTLS refused"
                                               : "answer to another messageID";
    snprintf(why, why_len, "%s: resultCode %lld (%s)%s%s", what, (long long)rc,
             ldap_result_name(rc), text[0] != '\0' ? ": " : "", text);
    return NET_DIALOGUE_FAILED;
}

/* After each byte: learns the message's length from its header as soon as
 * the header is complete. Returns FAILED (why set) or MORE. */
static enum net_dialogue_step ldap_header(struct ldap_ctx *c, char *why, size_t why_len)
{
    if (c->msg[0] != BER_SEQUENCE) {
        snprintf(why, why_len, "not an LDAPMessage (first byte 0x%02x)", c->msg[0]);
        return NET_DIALOGUE_FAILED;
    }
    if (c->n < 2) {
        return NET_DIALOGUE_MORE;
    }
    uint8_t first = c->msg[1];
    size_t n_len = first < 0x80 ? 0 : (size_t)(first & 0x7f);
    if (first == 0x80 || n_len > 4) {
        snprintf(why, why_len, "%s length in the LDAPMessage (RFC 4511 section 5.1)",
                 first == 0x80 ? "indefinite" : "oversized");
        return NET_DIALOGUE_FAILED;
    }
    if (c->n < 2 + n_len) {
        return NET_DIALOGUE_MORE;
    }
    uint64_t len = first < 0x80 ? first : 0;
    for (size_t i = 0; i < n_len; i++) {
        len = len << 8 | c->msg[2 + i];
    }
    if (len + 2 + n_len > LDAP_MAX_MESSAGE) {
        snprintf(why, why_len, "LDAPMessage of %llu bytes (cap %d)", (unsigned long long)len,
                 LDAP_MAX_MESSAGE);
        return NET_DIALOGUE_FAILED;
    }
    c->need = (size_t)len + 2 + n_len;
    return NET_DIALOGUE_MORE;
}

static enum net_dialogue_step ldap_on_bytes(void *ctx, const void *arg, const uint8_t *in,
                                            size_t len, struct wbuf *out, char *why, size_t why_len)
{
    struct ldap_ctx *c = ctx;
    (void)arg;
    (void)out;
    for (size_t i = 0; i < len; i++) {
        c->msg[c->n++] = in[i]; /* n < need <= LDAP_MAX_MESSAGE, or the header's few bytes */
        if (c->need == 0 && ldap_header(c, why, why_len) == NET_DIALOGUE_FAILED) {
            return NET_DIALOGUE_FAILED;
        }
        if (c->need == 0 || c->n < c->need) {
            continue;
        }
        enum net_dialogue_step s = ldap_judge(c, why, why_len);
        if (s == NET_DIALOGUE_READY && i + 1 != len) {
            snprintf(why, why_len,
                     "bytes after the server's go-ahead (the ExtendedResponse), before TLS");
            return NET_DIALOGUE_FAILED;
        }
        return s;
    }
    return NET_DIALOGUE_MORE;
}

const struct net_dialogue_ops starttls_ldap_ops = {
    .name = "ldap",
    .ctx_size = sizeof(struct ldap_ctx),
    .start = ldap_start,
    .on_bytes = ldap_on_bytes,
};
