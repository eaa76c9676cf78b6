/*
 * scanner/probes/robot_pkcs1.c - what the ROBOT probe computes without a
 * connection (scanner/probes/robot.h): the five PKCS#1 v1.5 blocks (RFC
 * 8017 §7.2.1 EME-PKCS1-v1_5 and the ways robot-detect breaks it), the
 * client's second flight, the reader of the server's reaction (bytes from
 * the server: bounds-checked, any split, a fixed amount of state) and the
 * verdict over the reactions.
 */
#include "scanner/probes/robot.h"

#include <stdio.h>
#include <string.h>

#include "scanner/hello.h"

const char *robot_variant_name(enum robot_variant v)
{
    switch (v) {
    case ROBOT_WELL_FORMED:
        return "well-formed";
    case ROBOT_WRONG_FIRST_BYTES:
        return "wrong first bytes (41 17)";
    case ROBOT_WRONG_00_POSITION:
        return "00 misplaced";
    case ROBOT_NO_00:
        return "no 00 separator";
    case ROBOT_WRONG_VERSION:
        return "wrong premaster version (02 02)";
    case ROBOT_N_VARIANTS:
        break;
    }
    return "?";
}

/* Copies n random bytes from rnd with every zero made non-zero. */
static void nonzero(uint8_t *out, const uint8_t *rnd, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = rnd[i] != 0 ? rnd[i] : 0x5a;
    }
}

int robot_pkcs1_block(enum robot_variant v, uint16_t version, const uint8_t *rnd, size_t k,
                      uint8_t *out)
{
    if (k < ROBOT_MIN_BLOCK || k > ROBOT_MAX_BLOCK || rnd == NULL || out == NULL ||
        (unsigned)v >= ROBOT_N_VARIANTS) {
        return -1;
    }
    /* Every variant is: 2 leading bytes, k - 51 bytes of padding, then 49
     * bytes that differ by variant (separator, version, 46 random). */
    size_t ps = k - 3 - ROBOT_PMS_LEN;
    uint8_t *tail = out + 2 + ps; /* 49 bytes */
    out[0] = 0x00;
    out[1] = 0x02;
    nonzero(out + 2, rnd, ps);
    nonzero(tail, rnd + 2 + ps, 1 + ROBOT_PMS_LEN);
    switch (v) {
    case ROBOT_WELL_FORMED:
    case ROBOT_WRONG_FIRST_BYTES:
    case ROBOT_WRONG_VERSION:
        if (v == ROBOT_WRONG_FIRST_BYTES) {
            out[0] = 0x41;
            out[1] = 0x17;
        }
        tail[0] = 0x00;
        tail[1] = v == ROBOT_WRONG_VERSION ? 0x02 : (uint8_t)(version >> 8);
        tail[2] = v == ROBOT_WRONG_VERSION ? 0x02 : (uint8_t)version;
        break;
    case ROBOT_WRONG_00_POSITION:
        /* 11, the 46 random bytes, then 00 11: a one-byte "premaster". */
        tail[0] = 0x11;
        memmove(tail + 1, tail + 3, ROBOT_PMS_LEN - 2);
        tail[47] = 0x00;
        tail[48] = 0x11;
        break;
    case ROBOT_NO_00:
        tail[0] = tail[1] = tail[2] = 0x11;
        break;
    case ROBOT_N_VARIANTS:
        return -1;
    }
    return 0;
}

/* Appends one record of type carrying body/len. */
static bool put_record(struct wbuf *out, uint8_t type, uint16_t version, const uint8_t *body,
                       size_t len)
{
    struct wbuf rec;
    return wbuf_put_u8(out, type) && wbuf_put_u16(out, version) && wbuf_open_vec16(out, &rec) &&
           wbuf_put_bytes(&rec, body, len) && wbuf_close(&rec);
}

bool robot_build_key_exchange(uint16_t version, bool certificate_requested, const uint8_t *enc,
                              size_t enc_len, const uint8_t *filler, struct wbuf *out)
{
    bool tls = version > TLS_WIRE_SSL3;
    struct wbuf rec, msg, vec;
    bool ok = wbuf_put_u8(out, TLS_CT_HANDSHAKE) && wbuf_put_u16(out, version) &&
              wbuf_open_vec16(out, &rec);
    if (ok && certificate_requested && tls) {
        /* RFC 5246 §7.4.6: an empty certificate_list. */
        ok =
            wbuf_put_u8(&rec, TLS_HS_CERTIFICATE) && wbuf_put_u24(&rec, 3) && wbuf_put_u24(&rec, 0);
    }
    ok = ok && wbuf_put_u8(&rec, 16 /* client_key_exchange */) && wbuf_open_vec24(&rec, &msg);
    if (ok && tls) {
        ok = wbuf_open_vec16(&msg, &vec) && wbuf_put_bytes(&vec, enc, enc_len) && wbuf_close(&vec);
    } else if (ok) {
        ok = wbuf_put_bytes(&msg, enc, enc_len);
    }
    ok = ok && wbuf_close(&msg) && wbuf_close(&rec);
    static const uint8_t ccs = 1;
    ok = ok && put_record(out, TLS_CT_CHANGE_CIPHER_SPEC, version, &ccs, 1);
    return ok && put_record(out, TLS_CT_HANDSHAKE, version, filler, ROBOT_FINISHED_LEN) &&
           wbuf_ok(out);
}

void robot_reader_init(struct robot_reader *rd)
{
    memset(rd, 0, sizeof(*rd));
}

/* Takes up to want - *have bytes from *in into buf; true once full. */
static bool fill(uint8_t *buf, size_t *have, size_t want, const uint8_t **in, size_t *len)
{
    size_t n = want - *have;
    if (n > *len) {
        n = *len;
    }
    memcpy(buf + *have, *in, n);
    *have += n;
    *in += n;
    *len -= n;
    return *have == want;
}

/* One complete record header in rd->hdr: whether it decides the reaction. */
static bool on_header(struct robot_reader *rd)
{
    struct robot_reaction *a = &rd->reaction;
    uint8_t type = rd->hdr[0];
    uint16_t rec_len = (uint16_t)(rd->hdr[3] << 8 | rd->hdr[4]);
    if (rd->hdr[1] != 3 || type < TLS_CT_CHANGE_CIPHER_SPEC || type > TLS_CT_HEARTBEAT) {
        a->end = ROBOT_END_GARBAGE;
        return true;
    }
    if (type != TLS_CT_ALERT) {
        a->end = ROBOT_END_RECORD;
        a->record_type = type;
        return true;
    }
    if (rec_len != 2) {
        /* One alert per record is what servers send; anything else here
         * (two alerts, an encrypted one) is noted as garbage. */
        a->end = ROBOT_END_GARBAGE;
        return true;
    }
    return false;
}

bool robot_reader_feed(struct robot_reader *rd, const uint8_t *in, size_t len)
{
    struct robot_reaction *a = &rd->reaction;
    while (a->end == ROBOT_END_NONE && len > 0) {
        if (rd->hdr_len < sizeof(rd->hdr)) {
            if (fill(rd->hdr, &rd->hdr_len, sizeof(rd->hdr), &in, &len) && on_header(rd)) {
                return true;
            }
            continue;
        }
        if (!fill(rd->body, &rd->body_len, sizeof(rd->body), &in, &len)) {
            continue;
        }
        a->alerts[a->n_alerts][0] = rd->body[0];
        a->alerts[a->n_alerts][1] = rd->body[1];
        a->n_alerts++;
        rd->hdr_len = rd->body_len = 0;
        if (rd->body[0] != 1) {
            a->end = ROBOT_END_FATAL; /* level 2, or a level that is no warning */
        } else if (a->n_alerts == ROBOT_MAX_ALERTS) {
            a->end = ROBOT_END_MANY;
        }
    }
    return a->end != ROBOT_END_NONE;
}

void robot_reader_end(struct robot_reader *rd, enum robot_end how)
{
    if (rd->reaction.end == ROBOT_END_NONE) {
        rd->reaction.end = how;
    }
}

bool robot_reaction_same(const struct robot_reaction *a, const struct robot_reaction *b)
{
    if (a->end != b->end || a->n_alerts != b->n_alerts ||
        (a->end == ROBOT_END_RECORD && a->record_type != b->record_type)) {
        return false;
    }
    return a->n_alerts == 0 || memcmp(a->alerts, b->alerts, a->n_alerts * 2) == 0;
}

static const char *end_text(enum robot_end e)
{
    switch (e) {
    case ROBOT_END_NONE:
        return "no reaction";
    case ROBOT_END_FATAL:
        return "";
    case ROBOT_END_CLOSED:
        return "closed";
    case ROBOT_END_RESET:
        return "reset";
    case ROBOT_END_TIMEOUT:
        return "timeout";
    case ROBOT_END_RECORD:
        return "a record that is no alert";
    case ROBOT_END_GARBAGE:
        return "bytes that are no alert record";
    case ROBOT_END_MANY:
        return "still open";
    }
    return "?";
}

void robot_reaction_text(const struct robot_reaction *a, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < a->n_alerts && used < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s alert %s(%u)", i > 0 ? ", " : "",
                         a->alerts[i][0] == 1   ? "warning"
                         : a->alerts[i][0] == 2 ? "fatal"
                                                : "odd-level",
                         hello_alert_name(a->alerts[i][1]), a->alerts[i][1]);
        used += n > 0 ? (size_t)n : 0;
    }
    if (used >= len || a->end == ROBOT_END_FATAL) {
        return;
    }
    if (a->end == ROBOT_END_RECORD) {
        snprintf(buf + used, len - used, "%srecord type %u", used > 0 ? ", then " : "",
                 a->record_type);
        return;
    }
    snprintf(buf + used, len - used, "%s%s", used > 0 ? ", then " : "", end_text(a->end));
}

/* Whether every reaction of round r is the same. */
static bool round_same(const struct robot_reaction *r)
{
    for (int v = 1; v < ROBOT_N_VARIANTS; v++) {
        if (!robot_reaction_same(&r[0], &r[v])) {
            return false;
        }
    }
    return true;
}

enum robot_verdict robot_judge(const struct robot_reaction *reactions, size_t n_rounds)
{
    if (n_rounds == 0) {
        return ROBOT_V_MORE;
    }
    const struct robot_reaction *first = reactions;
    if (round_same(first)) {
        return first[0].end == ROBOT_END_TIMEOUT ? ROBOT_V_NO_ANSWER : ROBOT_V_NOT_VULNERABLE;
    }
    if (n_rounds < 2) {
        return ROBOT_V_MORE;
    }
    for (size_t r = 1; r < n_rounds; r++) {
        for (int v = 0; v < ROBOT_N_VARIANTS; v++) {
            if (!robot_reaction_same(&first[v], &reactions[r * ROBOT_N_VARIANTS + (size_t)v])) {
                return ROBOT_V_INCONSISTENT;
            }
        }
    }
    const struct robot_reaction *b1 = &first[ROBOT_WRONG_FIRST_BYTES];
    if (robot_reaction_same(b1, &first[ROBOT_WRONG_00_POSITION]) &&
        robot_reaction_same(b1, &first[ROBOT_NO_00])) {
        return ROBOT_V_WEAK;
    }
    return ROBOT_V_STRONG;
}
