/*
 * scanner/wire/flight.c - the first-flight driver (hello.h): feeds the
 * bytes of one probe through the record reassembler to the message parsers
 * and flags every choice the server made that was not offered (suite,
 * SCSV, version, compression, a TLS 1.3 group without a key share sent,
 * an extension not asked for).
 */
#include "scanner/hello.h"

#include <stdlib.h>
#include <string.h>

#include "common/model/registry.h"
#include "scanner/wire/wire.h"

/* ---- the first-flight driver -------------------------------------------------- */

/* Order of the TLS <= 1.2 messages after the ServerHello (RFC 5246 §7.3). */
enum {
    HELLO_STAGE_HELLO = 0,
    HELLO_STAGE_CERTIFICATE,
    HELLO_STAGE_CERTIFICATE_STATUS,
    HELLO_STAGE_SKE,
    HELLO_STAGE_CERTIFICATE_REQUEST,
    HELLO_STAGE_DONE,
};

/* The extensions a hello built from p sends, as HELLO_EXT_* bits. */
static unsigned hello_offered_exts(const struct hello_params *p)
{
    unsigned e = 0;
    if (p->version == TLS_WIRE_SSL2) {
        return 0;
    }
    if (p->version > TLS_WIRE_SSL3) {
        /* RFC 8701 §3.2: a GREASE extension is never a valid answer */
        e = hello_sent_extensions(p) & ~HELLO_EXT_GREASE;
    }
    /* RFC 5746 §3.6: the SCSV asks for renegotiation_info as the extension does */
    if (p->options & HELLO_OPT_SCSV_RENEGOTIATION) {
        e |= HELLO_EXT_RENEGOTIATION_INFO;
    }
    return e;
}

int hello_flight_init(struct hello_flight *f, const struct hello_params *offer, unsigned flags,
                      size_t max_bytes)
{
    memset(f, 0, sizeof(*f));
    if (offer->n_versions > HELLO_MAX_VERSIONS || offer->n_groups > HELLO_MAX_GROUPS ||
        (offer->n_suites > 0 && offer->suites == NULL) ||
        (offer->n_versions > 0 && offer->versions == NULL) ||
        (offer->n_groups > 0 && offer->groups == NULL) || offer->n_suites > HELLO_MAX_LEN / 2) {
        return HELLO_E_PARAM;
    }
    size_t n = offer->n_suites + 1;
    f->offer_suites = malloc(n * sizeof(*f->offer_suites));
    if (f->offer_suites == NULL) {
        return HELLO_E_NOMEM;
    }
    if (offer->n_suites > 0) {
        memcpy(f->offer_suites, offer->suites, offer->n_suites * sizeof(*f->offer_suites));
    }
    f->n_offer_suites = offer->n_suites;
    if (offer->version != TLS_WIRE_SSL2 && (offer->options & HELLO_OPT_SCSV_RENEGOTIATION)) {
        f->offer_suites[f->n_offer_suites++] = TLS_EMPTY_RENEGOTIATION_INFO_SCSV;
    }
    f->ssl2_offer = offer->version == TLS_WIRE_SSL2;
    f->offer_version = offer->version;
    f->offer_exts = hello_offered_exts(offer);
    bool exts_sent = offer->version > TLS_WIRE_SSL3 && !f->ssl2_offer;
    if (exts_sent) {
        f->n_offer_versions = offer->n_versions;
        if (offer->n_versions > 0) {
            memcpy(f->offer_versions, offer->versions, offer->n_versions * sizeof(uint16_t));
        }
        f->n_offer_groups = offer->n_groups;
        if (offer->n_groups > 0) {
            memcpy(f->offer_groups, offer->groups, offer->n_groups * sizeof(uint16_t));
        }
        f->offer_shares = (offer->ext & HELLO_EXT_KEY_SHARE) ? offer->shares : 0;
    }
    f->offer_deflate = !f->ssl2_offer && (offer->options & HELLO_OPT_DEFLATE) != 0;
    f->flags = flags;
    f->status = HELLO_NEED_MORE;
    hello_reader_init(&f->rd, max_bytes);
    return HELLO_OK;
}

void hello_flight_cleanup(struct hello_flight *f)
{
    hello_reader_cleanup(&f->rd);
    free(f->offer_suites);
    memset(f, 0, sizeof(*f));
}

const struct hello_result *hello_flight_result(const struct hello_flight *f)
{
    return &f->res;
}

const struct hello_error *hello_flight_error(const struct hello_flight *f)
{
    return &f->err;
}

static enum hello_status hello_flight_fail(struct hello_flight *f, size_t offset,
                                           const char *reason)
{
    f->status = HELLO_FAILED;
    f->err.offset = offset;
    f->err.reason = reason;
    return HELLO_FAILED;
}

/* Fails *f for a parse error found err->offset bytes into the body of the
 * handshake message whose header starts at msg_offset in the handshake stream. */
static enum hello_status hello_flight_fail_msg(struct hello_flight *f, size_t msg_offset,
                                               const struct hello_error *err)
{
    size_t raw = hello_reader_raw_offset(&f->rd, msg_offset + 4 + err->offset);
    return hello_flight_fail(f, raw, err->reason);
}

static bool hello_offered_suite(const struct hello_flight *f, uint32_t code)
{
    for (size_t i = 0; i < f->n_offer_suites; i++) {
        if (f->offer_suites[i] == code) {
            return true;
        }
    }
    return false;
}

static bool hello_share_sent(const struct hello_flight *f, uint16_t group)
{
    return (group == TLS_GROUP_X25519 && (f->offer_shares & HELLO_SHARE_X25519)) ||
           (group == TLS_GROUP_SECP256R1 && (f->offer_shares & HELLO_SHARE_SECP256R1));
}

/* Compares a ServerHello / HRR with what we offered. */
static void hello_flight_check_offer(struct hello_flight *f)
{
    struct hello_result *res = &f->res;
    const struct hello_server_hello *sh = &res->sh;

    /* The SCSVs signal something to the server; they are never a choice. */
    res->suite_not_offered = !hello_offered_suite(f, sh->suite) ||
                             sh->suite == TLS_EMPTY_RENEGOTIATION_INFO_SCSV ||
                             sh->suite == TLS_FALLBACK_SCSV;
    res->compression_not_offered =
        sh->compression != 0 && !(sh->compression == 1 && f->offer_deflate);
    if (f->ssl2_offer) {
        res->version_not_offered = true;
    } else if (sh->exts & HELLO_EXT_SUPPORTED_VERSIONS) {
        bool found = false;
        for (size_t i = 0; i < f->n_offer_versions; i++) {
            found = found || f->offer_versions[i] == sh->version;
        }
        res->version_not_offered = !found;
    } else {
        /* RFC 5246 §E.1: any version up to the client's is acceptable to it */
        res->version_not_offered = sh->version > f->offer_version || sh->version < TLS_WIRE_SSL3;
    }
    unsigned allowed = f->offer_exts | (sh->hrr ? HELLO_EXT_COOKIE : 0);
    res->exts_not_offered = sh->exts & ~allowed;
    if (sh->exts & HELLO_EXT_KEY_SHARE) {
        if (sh->hrr) {
            /* RFC 8446 §4.1.4: in supported_groups, and not a group we sent a share for */
            bool listed = false;
            for (size_t i = 0; i < f->n_offer_groups; i++) {
                listed = listed || f->offer_groups[i] == sh->key_share_group;
            }
            res->group_not_offered = !listed || hello_share_sent(f, sh->key_share_group);
        } else {
            res->group_not_offered = !hello_share_sent(f, sh->key_share_group);
        }
    }
}

static bool hello_is_tls13(uint16_t version)
{
    /* TLS 1.3 and its drafts (0x7fxx) */
    return version >= TLS_WIRE_TLS13 || (version >> 8) == 0x7f;
}

static enum hello_status hello_flight_server_hello(struct hello_flight *f,
                                                   const struct hello_rec_event *ev)
{
    struct hello_error perr = {0, NULL};
    struct hello_result *res = &f->res;

    if (ev->type != TLS_HS_SERVER_HELLO) {
        return hello_flight_fail(f, ev->raw_offset, "expected a ServerHello");
    }
    if (!hello_parse_server_hello(&ev->body, &res->sh, &perr)) {
        return hello_flight_fail_msg(f, ev->msg_offset, &perr);
    }
    res->answer = res->sh.hrr ? HELLO_ANS_HRR : HELLO_ANS_SERVER_HELLO;
    hello_flight_check_offer(f);
    res->kx = hello_kx_of_suite(res->sh.suite);
    if (res->sh.hrr || hello_is_tls13(res->sh.version)) {
        /* RFC 8446 §5.1: nothing of the handshake may follow in the same record */
        res->kx = HELLO_KX_NONE;
        res->trailing_bytes =
            f->rd.hs_pos < f->rd.hs_len || (f->rd.in_record && f->rd.rec_type == TLS_CT_HANDSHAKE);
        f->status = HELLO_DONE;
    } else if (f->flags & HELLO_FLIGHT_HELLO_ONLY) {
        f->status = HELLO_DONE;
    }
    return f->status;
}

/* One TLS <= 1.2 message after the ServerHello (RFC 5246 §7.3 order). */
static enum hello_status hello_flight_message(struct hello_flight *f,
                                              const struct hello_rec_event *ev)
{
    struct hello_error perr = {0, NULL};
    struct hello_result *res = &f->res;
    uint16_t version = res->sh.version;
    int stage;

    switch (ev->type) {
    case TLS_HS_CERTIFICATE:
        stage = HELLO_STAGE_CERTIFICATE;
        break;
    case TLS_HS_CERTIFICATE_STATUS:
        stage = HELLO_STAGE_CERTIFICATE_STATUS;
        break;
    case TLS_HS_SERVER_KEY_EXCHANGE:
        stage = HELLO_STAGE_SKE;
        break;
    case TLS_HS_CERTIFICATE_REQUEST:
        stage = HELLO_STAGE_CERTIFICATE_REQUEST;
        break;
    case TLS_HS_SERVER_HELLO_DONE:
        stage = HELLO_STAGE_DONE;
        break;
    default:
        return hello_flight_fail(f, ev->raw_offset, "unexpected handshake message type");
    }
    if (stage <= f->stage) {
        return hello_flight_fail(f, ev->raw_offset, "handshake message out of order");
    }
    f->stage = stage;
    bool ok = true;
    switch (stage) {
    case HELLO_STAGE_CERTIFICATE:
        ok = hello_parse_certificate(&ev->body, HELLO_MAX_CERTS, &res->certificate, &perr);
        res->have_certificate = ok;
        f->cert_off = ev->msg_offset + 4;
        f->cert_len = ev->body.len;
        break;
    case HELLO_STAGE_CERTIFICATE_STATUS:
        ok = hello_parse_certificate_status(&ev->body, &perr);
        res->have_certificate_status = ok;
        break;
    case HELLO_STAGE_SKE:
        ok = hello_parse_server_key_exchange(&ev->body, res->kx, version, &res->ske, &perr);
        res->have_ske = ok;
        f->ske_off = ev->msg_offset + 4;
        f->ske_len = ev->body.len;
        break;
    case HELLO_STAGE_CERTIFICATE_REQUEST:
        ok = hello_parse_certificate_request(&ev->body, version, &perr);
        res->have_certificate_request = ok;
        break;
    default:
        ok = hello_parse_server_hello_done(&ev->body, &perr);
        res->have_done = ok;
        if (ok) {
            res->trailing_bytes = hello_reader_pending(&f->rd);
            f->status = HELLO_DONE;
        }
        break;
    }
    if (!ok) {
        return hello_flight_fail_msg(f, ev->msg_offset, &perr);
    }
    return f->status;
}

static enum hello_status hello_flight_ssl2(struct hello_flight *f, const struct hello_rec_event *ev)
{
    struct hello_error perr = {0, NULL};
    struct hello_result *res = &f->res;
    struct rbuf peek = ev->body;
    uint8_t type = 0xff;

    if (!rbuf_get_u8(&peek, &type) || (type != SSL2_MT_SERVER_HELLO && type != SSL2_MT_ERROR)) {
        return hello_flight_fail(f, 2, "SSLv2: neither SERVER-HELLO nor ERROR");
    }
    if (type == SSL2_MT_ERROR) {
        if (!hello_parse_ssl2_error(&ev->body, &res->ssl2_error, &perr)) {
            return hello_flight_fail(f, 2 + perr.offset, perr.reason);
        }
        res->answer = HELLO_ANS_SSL2_ERROR;
        f->status = HELLO_DONE;
        return f->status;
    }
    if (!hello_parse_ssl2_server_hello(&ev->body, &res->ssl2, &perr)) {
        return hello_flight_fail(f, 2 + perr.offset, perr.reason);
    }
    res->answer = HELLO_ANS_SSL2_SERVER_HELLO;
    res->version_not_offered = !f->ssl2_offer || res->ssl2.version != TLS_WIRE_SSL2;
    for (size_t i = 0; i < res->ssl2.n_kinds; i++) {
        if (!hello_offered_suite(f, res->ssl2.kinds[i])) {
            res->suite_not_offered = true;
        }
    }
    f->status = HELLO_DONE;
    return f->status;
}

static enum hello_status hello_flight_alert(struct hello_flight *f,
                                            const struct hello_rec_event *ev)
{
    struct hello_result *res = &f->res;
    if (ev->alert.level == 1 && ev->alert.description != 0) {
        /* a warning (unrecognized_name is common): the handshake goes on */
        res->have_warning = true;
        res->warning = ev->alert;
        return f->status;
    }
    res->have_alert = true;
    res->alert = ev->alert;
    if (res->answer == HELLO_ANS_NONE) {
        res->answer = HELLO_ANS_ALERT;
    }
    f->status = HELLO_DONE;
    return f->status;
}

/* Parses the Certificate and ServerKeyExchange again over the final buffer so
 * the result's views stay valid until cleanup (the buffer moved as it grew). */
static void hello_flight_finish(struct hello_flight *f)
{
    struct hello_result *res = &f->res;
    struct rbuf body;
    res->n_bytes = f->rd.n_raw;
    res->record_version = f->rd.first_version;
    if (res->have_certificate) {
        rbuf_init(&body, f->rd.hs + f->cert_off, f->cert_len);
        res->have_certificate =
            hello_parse_certificate(&body, HELLO_MAX_CERTS, &res->certificate, NULL);
    }
    if (res->have_ske) {
        rbuf_init(&body, f->rd.hs + f->ske_off, f->ske_len);
        res->have_ske =
            hello_parse_server_key_exchange(&body, res->kx, res->sh.version, &res->ske, NULL);
    }
}

enum hello_status hello_flight_feed(struct hello_flight *f, const uint8_t *data, size_t len)
{
    const uint8_t *in = data;
    size_t in_len = data != NULL ? len : 0;

    if (f->status != HELLO_NEED_MORE) {
        return f->status;
    }
    while (f->status == HELLO_NEED_MORE) {
        struct hello_rec_event ev;
        switch (hello_reader_next(&f->rd, &in, &in_len, &ev)) {
        case HELLO_REC_NEED_MORE:
            f->res.n_bytes = f->rd.n_raw;
            return f->status;
        case HELLO_REC_ERROR:
            hello_flight_fail(f, ev.err.offset, ev.err.reason);
            break;
        case HELLO_REC_OTHER:
            hello_flight_fail(f, ev.raw_offset,
                              ev.type == TLS_CT_CHANGE_CIPHER_SPEC
                                  ? "unexpected ChangeCipherSpec record"
                                  : "unexpected application data or heartbeat record");
            break;
        case HELLO_REC_ALERT:
            hello_flight_alert(f, &ev);
            break;
        case HELLO_REC_SSL2:
            hello_flight_ssl2(f, &ev);
            break;
        case HELLO_REC_HANDSHAKE:
            if (f->res.answer == HELLO_ANS_NONE) {
                hello_flight_server_hello(f, &ev);
            } else {
                hello_flight_message(f, &ev);
            }
            break;
        }
    }
    hello_flight_finish(f);
    return f->status;
}

enum hello_status hello_flight_eof(struct hello_flight *f)
{
    if (f->status != HELLO_NEED_MORE) {
        return f->status;
    }
    const char *reason = f->rd.n_raw == 0                  ? "connection closed before any byte"
                         : f->res.answer == HELLO_ANS_NONE ? "connection closed inside the answer"
                                                           : "connection closed inside the flight";
    hello_flight_fail(f, f->rd.n_raw, reason);
    hello_flight_finish(f);
    return f->status;
}
