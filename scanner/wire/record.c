/*
 * scanner/wire/record.c - the record reassembler of the raw prober
 * (hello.h): split and coalesced records, handshake messages across
 * records, SSLv2 records, with caps on record length, message length,
 * records per flight and bytes per probe.
 */
#include "scanner/hello.h"

#include <stdlib.h>
#include <string.h>

#include "common/model/registry.h"
#include "scanner/wire/wire.h"

/* ---- record reassembly ------------------------------------------------------ */

void hello_reader_init(struct hello_reader *r, size_t max_bytes)
{
    memset(r, 0, sizeof(*r));
    if (max_bytes == 0) {
        max_bytes = HELLO_FLIGHT_DEFAULT_MAX;
    }
    r->max_bytes = max_bytes < HELLO_FLIGHT_MAX_MAX ? max_bytes : HELLO_FLIGHT_MAX_MAX;
}

void hello_reader_cleanup(struct hello_reader *r)
{
    free(r->hs);
    free(r->map);
    hello_reader_init(r, r->max_bytes);
}

static enum hello_rec_kind hello_reader_error(struct hello_reader *r, struct hello_rec_event *ev,
                                              size_t raw_offset, const char *reason)
{
    r->failed = true;
    r->err.offset = raw_offset;
    r->err.reason = reason;
    ev->kind = HELLO_REC_ERROR;
    ev->err = r->err;
    return HELLO_REC_ERROR;
}

/* Makes room for n more handshake bytes; false when out of memory. The total
 * never exceeds max_bytes, since each byte was counted against it. */
static bool hello_reader_grow(struct hello_reader *r, size_t n)
{
    if (n <= r->hs_alloc - r->hs_len) {
        return true;
    }
    size_t want = r->hs_len + n;
    size_t alloc = r->hs_alloc < 1024 ? 2048 : r->hs_alloc * 2;
    if (alloc < want) {
        alloc = want;
    }
    if (alloc > r->max_bytes) {
        alloc = r->max_bytes < want ? want : r->max_bytes;
    }
    uint8_t *p = realloc(r->hs, alloc);
    if (p == NULL) {
        return false;
    }
    r->hs = p;
    r->hs_alloc = alloc;
    return true;
}

size_t hello_reader_raw_offset(const struct hello_reader *r, size_t hs_offset)
{
    /* the last record whose body starts at or before hs_offset */
    size_t lo = 0;
    size_t hi = r->n_map;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->map[mid].hs_off <= hs_offset) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return hs_offset; /* an SSLv2 record, or nothing mapped yet */
    }
    return r->map[lo - 1].raw_off + (hs_offset - r->map[lo - 1].hs_off);
}

bool hello_reader_pending(const struct hello_reader *r)
{
    return r->in_record || r->hdr_len > 0 || r->alert_len > 0 || r->hs_pos < r->hs_len;
}

/* A complete handshake message at hs_pos becomes an event (RFC 5246 §7.4:
 * HandshakeType msg_type; uint24 length; body). */
static enum hello_rec_kind hello_reader_message(struct hello_reader *r, struct hello_rec_event *ev)
{
    struct rbuf rest;
    struct rbuf body;
    uint8_t type;
    uint32_t len;

    if (r->hs == NULL) {
        return HELLO_REC_NEED_MORE;
    }
    rbuf_init(&rest, r->hs + r->hs_pos, r->hs_len - r->hs_pos);
    if (!rbuf_get_u8(&rest, &type) || !rbuf_get_u24(&rest, &len)) {
        return HELLO_REC_NEED_MORE;
    }
    if (len > r->max_bytes) {
        return hello_reader_error(r, ev, hello_reader_raw_offset(r, r->hs_pos + 1),
                                  "handshake message longer than the bytes allowed per probe");
    }
    if (!rbuf_get_bytes(&rest, &body, len)) {
        return HELLO_REC_NEED_MORE;
    }
    ev->kind = HELLO_REC_HANDSHAKE;
    ev->type = type;
    ev->body = body;
    ev->msg_offset = r->hs_pos;
    ev->raw_offset = hello_reader_raw_offset(r, r->hs_pos);
    r->hs_pos += 4 + len;
    return HELLO_REC_HANDSHAKE;
}

/* Parses a complete record header (RFC 5246 §6.2.1, RFC 8446 §5.1):
 * ContentType type; ProtocolVersion version; uint16 length. */
static enum hello_rec_kind hello_reader_header(struct hello_reader *r, struct hello_rec_event *ev)
{
    size_t start = r->n_raw - r->hdr_len;
    struct rbuf h;
    uint16_t len;

    rbuf_init(&h, r->hdr, r->hdr_len);
    r->hdr_len = 0;
    if (r->ssl2) {
        /* SSL 2.0 two-byte header: top bit set, 15-bit length */
        /* the shortest first message a server sends is a 3-byte ERROR */
        if (!rbuf_get_u16(&h, &len) || (len & 0x7fff) < 3) {
            return hello_reader_error(r, ev, start, "SSLv2 record: too short");
        }
        r->rec_left = len & 0x7fff;
        r->in_record = true;
        r->seen_record = true;
        return HELLO_REC_NEED_MORE;
    }
    if (!rbuf_get_u8(&h, &r->rec_type) || !rbuf_get_u16(&h, &r->rec_version) ||
        !rbuf_get_u16(&h, &len)) {
        return hello_reader_error(r, ev, start, "record: truncated header");
    }
    if (r->rec_type < TLS_CT_CHANGE_CIPHER_SPEC || r->rec_type > TLS_CT_HEARTBEAT) {
        return hello_reader_error(r, ev, start, "record: unknown content type");
    }
    if ((r->rec_version >> 8) != 3) {
        return hello_reader_error(r, ev, start + 1, "record: version is not 3.x");
    }
    if (len > HELLO_RECORD_MAX) {
        return hello_reader_error(r, ev, start + 3, "record: longer than 2^14 + 2048");
    }
    if (len == 0 && r->rec_type != TLS_CT_APPLICATION_DATA) {
        /* RFC 5246 §6.2.1: no zero-length handshake, alert or CCS fragments */
        return hello_reader_error(r, ev, start + 3, "record: empty");
    }
    if (r->alert_len > 0 && r->rec_type != TLS_CT_ALERT) {
        return hello_reader_error(r, ev, start, "record: alert split around another record");
    }
    if (r->hs_pos < r->hs_len && r->rec_type != TLS_CT_HANDSHAKE) {
        /* RFC 8446 §5.1: handshake fragments must not be interleaved */
        return hello_reader_error(r, ev, start,
                                  "record: handshake message split around another record");
    }
    if (!r->seen_record) {
        r->first_version = r->rec_version;
    }
    r->seen_record = true;
    r->rec_left = len;
    r->in_record = true;
    r->n_records++;
    if (r->rec_type == TLS_CT_HANDSHAKE) {
        if (r->n_map == HELLO_MAX_RECORDS) {
            return hello_reader_error(r, ev, start, "record: too many handshake records");
        }
        if (r->n_map == r->map_alloc) {
            size_t n = r->map_alloc == 0 ? 8 : r->map_alloc * 2;
            struct hello_rec_map *m = realloc(r->map, n * sizeof(*m));
            if (m == NULL) {
                return hello_reader_error(r, ev, start, "out of memory");
            }
            r->map = m;
            r->map_alloc = n;
        }
        r->map[r->n_map].hs_off = r->hs_len;
        r->map[r->n_map].raw_off = r->n_raw;
        r->n_map++;
    }
    if (r->rec_type != TLS_CT_HANDSHAKE && r->rec_type != TLS_CT_ALERT) {
        ev->kind = HELLO_REC_OTHER;
        ev->type = r->rec_type;
        ev->raw_offset = start;
        return HELLO_REC_OTHER;
    }
    return HELLO_REC_NEED_MORE;
}

/* Bytes still missing from the handshake message at hs_pos (its header
 * first); only called when that message is incomplete. */
static size_t hello_reader_need(const struct hello_reader *r)
{
    struct rbuf rest;
    uint8_t type;
    uint32_t len;
    if (r->hs == NULL) {
        return 4;
    }
    rbuf_init(&rest, r->hs + r->hs_pos, r->hs_len - r->hs_pos);
    if (!rbuf_get_u8(&rest, &type) || !rbuf_get_u24(&rest, &len)) {
        return 4 - (r->hs_len - r->hs_pos);
    }
    return len - rbuf_remaining(&rest);
}

/* Moves n bytes of the input on: consumed from *in, counted in n_raw. */
static void hello_reader_consume(struct hello_reader *r, const uint8_t **in, size_t *in_len,
                                 size_t n)
{
    r->n_raw += n;
    *in += n;
    *in_len -= n;
}

/* Copies what src has of the next record header (2 bytes for SSLv2, which
 * only the first record may be, else 5) and parses it once complete. */
static enum hello_rec_kind hello_reader_take_header(struct hello_reader *r, struct rbuf *src,
                                                    const uint8_t **in, size_t *in_len,
                                                    struct hello_rec_event *ev)
{
    size_t avail = rbuf_remaining(src);
    if (r->hdr_len == 0) {
        struct rbuf peek = *src;
        uint8_t b0 = 0;
        r->ssl2 = !r->seen_record && rbuf_get_u8(&peek, &b0) && (b0 & 0x80) != 0;
    }
    size_t need = (r->ssl2 ? 2u : 5u) - r->hdr_len;
    size_t n = avail < need ? avail : need;
    if (!rbuf_copy_bytes(src, r->hdr + r->hdr_len, n)) {
        return hello_reader_error(r, ev, r->n_raw, "internal: header copy");
    }
    r->hdr_len = (uint8_t)(r->hdr_len + n);
    hello_reader_consume(r, in, in_len, n);
    return n == need ? hello_reader_header(r, ev) : HELLO_REC_NEED_MORE;
}

/* How many of avail body bytes to take now. */
static size_t hello_reader_body_chunk(const struct hello_reader *r, size_t avail)
{
    size_t n = avail < r->rec_left ? avail : r->rec_left;
    if (!r->ssl2 && r->rec_type == TLS_CT_HANDSHAKE) {
        /* take no more than the current message needs, so the bytes
         * consumed at an event do not depend on how reads were split */
        size_t need = hello_reader_need(r);
        n = n < need ? n : need;
    }
    return n;
}

/* Stores *n body bytes from src where the record's type keeps them: the
 * handshake stream (or the SSLv2 record), the alert bytes (at most one
 * alert, *n may shrink), nowhere for the others. */
static enum hello_rec_kind hello_reader_store(struct hello_reader *r, struct rbuf *src, size_t *n,
                                              struct hello_rec_event *ev)
{
    if (r->ssl2 && r->hs_len == 0) {
        /* decide on the first byte: a server's first SSLv2 message is
         * an ERROR or a SERVER-HELLO, anything else is not SSLv2 */
        struct rbuf peek = *src;
        uint8_t mt = 0xff;
        if (!rbuf_get_u8(&peek, &mt) || (mt != SSL2_MT_ERROR && mt != SSL2_MT_SERVER_HELLO)) {
            return hello_reader_error(r, ev, r->n_raw,
                                      "SSLv2 record: not a server's first message");
        }
    }
    if (r->ssl2 || r->rec_type == TLS_CT_HANDSHAKE) {
        if (!hello_reader_grow(r, *n)) {
            return hello_reader_error(r, ev, r->n_raw, "out of memory");
        }
        if (!rbuf_copy_bytes(src, r->hs + r->hs_len, *n)) {
            return hello_reader_error(r, ev, r->n_raw, "internal: body copy");
        }
        r->hs_len += *n;
    } else if (r->rec_type == TLS_CT_ALERT) {
        /* one alert at a time: stop after the byte that completes one */
        size_t want = 2u - r->alert_len;
        *n = *n < want ? *n : want;
        if (!rbuf_copy_bytes(src, r->alert + r->alert_len, *n)) {
            return hello_reader_error(r, ev, r->n_raw, "internal: alert copy");
        }
        r->alert_len = (uint8_t)(r->alert_len + *n);
    }
    return HELLO_REC_NEED_MORE;
}

/* The event a stored body completes: the whole SSLv2 record, or an alert. */
static enum hello_rec_kind hello_reader_body_event(struct hello_reader *r,
                                                   struct hello_rec_event *ev)
{
    if (r->ssl2 && !r->in_record) {
        r->ssl2 = false;
        ev->kind = HELLO_REC_SSL2;
        rbuf_init(&ev->body, r->hs, r->hs_len);
        r->hs_pos = r->hs_len;
        ev->raw_offset = 0;
        return HELLO_REC_SSL2;
    }
    if (!r->ssl2 && r->rec_type == TLS_CT_ALERT && r->alert_len == 2) {
        struct rbuf a;
        rbuf_init(&a, r->alert, 2);
        r->alert_len = 0;
        ev->kind = HELLO_REC_ALERT;
        ev->raw_offset = r->n_raw - 2; /* approximate when the alert was split */
        if (!hello_parse_alert(&a, &ev->alert, &ev->err)) {
            return hello_reader_error(r, ev, ev->raw_offset, ev->err.reason);
        }
        return HELLO_REC_ALERT;
    }
    return HELLO_REC_NEED_MORE;
}

/* Takes what src has of the current record's body. */
static enum hello_rec_kind hello_reader_take_body(struct hello_reader *r, struct rbuf *src,
                                                  const uint8_t **in, size_t *in_len,
                                                  struct hello_rec_event *ev)
{
    size_t n = hello_reader_body_chunk(r, rbuf_remaining(src));
    enum hello_rec_kind k = hello_reader_store(r, src, &n, ev);
    if (k != HELLO_REC_NEED_MORE) {
        return k;
    }
    hello_reader_consume(r, in, in_len, n);
    r->rec_left -= n;
    if (r->rec_left == 0) {
        r->in_record = false;
    }
    return hello_reader_body_event(r, ev);
}

enum hello_rec_kind hello_reader_next(struct hello_reader *r, const uint8_t **in, size_t *in_len,
                                      struct hello_rec_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (r->failed) {
        ev->kind = HELLO_REC_ERROR;
        ev->err = r->err;
        return HELLO_REC_ERROR;
    }
    for (;;) {
        enum hello_rec_kind k = r->ssl2 ? HELLO_REC_NEED_MORE : hello_reader_message(r, ev);
        if (k != HELLO_REC_NEED_MORE) {
            return k;
        }
        if (*in_len == 0) {
            ev->kind = HELLO_REC_NEED_MORE;
            return HELLO_REC_NEED_MORE;
        }
        if (r->n_raw == r->max_bytes) {
            return hello_reader_error(r, ev, r->n_raw, "more bytes than allowed per probe");
        }
        size_t avail = *in_len;
        if (avail > r->max_bytes - r->n_raw) {
            avail = r->max_bytes - r->n_raw;
        }
        struct rbuf src;
        rbuf_init(&src, *in, avail);
        k = r->in_record ? hello_reader_take_body(r, &src, in, in_len, ev)
                         : hello_reader_take_header(r, &src, in, in_len, ev);
        if (k != HELLO_REC_NEED_MORE) {
            return k;
        }
    }
}
