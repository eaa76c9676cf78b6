/*
 * scanner/probes/heartbleed.c - the "heartbleed" probe (loop track, after
 * the enumeration; CVE-2014-0160): does the server answer a
 * HeartbeatRequest whose payload_length claims more bytes than were sent?
 *
 * One connection (conv.c's driver): a ClientHello with the heartbeat
 * extension (RFC 6520 §2, peer_allowed_to_send) under the newest accepted
 * version up to TLS 1.2 and a suite the enumeration found; a server that
 * does not echo the extension is negative ("heartbeat extension not
 * negotiated") and gets nothing more. Otherwise, after ServerHelloDone, in
 * one write:
 *
 *   1. the over-long request: payload_length HB_SENT + HB_OVER with only
 *      HB_SENT payload bytes and no padding. A vulnerable OpenSSL copies
 *      payload_length bytes from the payload: HB_OVER (16) bytes past
 *      what we sent, and no more (as sslyze asks for a few bytes, never
 *      64 KiB);
 *   2. a well-formed request (HB_SENT payload bytes, 16 bytes of padding),
 *      which a patched server answers after dropping the first (RFC 6520
 *      §4: a message whose payload_length is too large is discarded).
 *
 * The first heartbeat response decides: a payload_length over HB_SENT
 * answering request 1 (its payload starts with our bytes) is positive; one
 * echoing request 2 (or request 1 cut to what was sent) is negative; an
 * alert, a close or silence after the requests is negative; anything else
 * is could-not-test. The evidence names lengths only: the bytes past what
 * we sent are compared with nothing, never kept beyond conv.h's head and
 * never printed.
 */
#include <stdio.h>
#include <string.h>

#include "scanner/probes/conv.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

#define HB_SENT 16 /* payload bytes actually sent */
#define HB_OVER 16 /* bytes claimed beyond them in request 1 */
#define HB_MARK_1 0xA5
#define HB_MARK_2 0x5A
#define HB_WHAT "received: heartbeat message type %u, payload_length %u, record %zu bytes%s"

/* Appends one HeartbeatRequest record (RFC 6520 §4) under version: type,
 * payload_length claimed, HB_SENT payload bytes of mark, padding bytes. */
static void put_request(struct wbuf *out, uint16_t version, uint16_t claimed, uint8_t mark,
                        size_t padding)
{
    struct wbuf rec;
    uint8_t payload[HB_SENT];
    memset(payload, mark, sizeof(payload));
    (void)wbuf_put_u8(out, TLS_CT_HEARTBEAT);
    (void)wbuf_put_u16(out, version);
    if (wbuf_open_vec16(out, &rec)) {
        (void)wbuf_put_u8(&rec, CONV_HB_REQUEST);
        (void)wbuf_put_u16(&rec, claimed);
        (void)wbuf_put_bytes(&rec, payload, sizeof(payload));
        (void)wbuf_put_zeros(&rec, padding);
        (void)wbuf_close(&rec);
    }
}

static bool hb_trigger(struct conv_probe *p, const struct hello_result *res, struct wbuf *out)
{
    if ((res->sh.exts & HELLO_EXT_HEARTBEAT) == 0) {
        conv_decide(p, PR_NEGATIVE, "heartbeat extension not negotiated",
                    "received: a ServerHello without the heartbeat extension; no "
                    "HeartbeatRequest sent");
        return false;
    }
    put_request(out, p->wire, HB_SENT + HB_OVER, HB_MARK_1, 0);
    put_request(out, p->wire, HB_SENT, HB_MARK_2, CONV_HB_MIN_PADDING);
    snprintf(p->sent, sizeof(p->sent),
             "HeartbeatRequest payload_length %d with %d payload bytes and no padding, and one "
             "well-formed (payload_length %d, %d bytes of padding); the server's heartbeat mode %u",
             HB_SENT + HB_OVER, HB_SENT, HB_SENT, CONV_HB_MIN_PADDING,
             (unsigned)res->sh.heartbeat_mode);
    return true;
}

/* Whether the first n bytes of the response's payload are all mark. */
static bool starts_with(const struct conv_heartbeat *hb, uint8_t mark, size_t n)
{
    if (hb->head_len < n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (hb->head[i] != mark) {
            return false;
        }
    }
    return true;
}

/* The first heartbeat message after the requests. */
static void hb_response(struct conv_probe *p, const struct conv_heartbeat *hb)
{
    const char *tail = hb->fits ? "" : " (too short for that payload and 16 bytes of padding)";
    if (hb->type != CONV_HB_RESPONSE) {
        conv_decide(p, PR_COULD_NOT_TEST, "the server sent a heartbeat message that is no response",
                    HB_WHAT, (unsigned)hb->type, (unsigned)hb->payload_length, hb->record_len,
                    tail);
        return;
    }
    size_t n = hb->payload_length < HB_SENT ? hb->payload_length : HB_SENT;
    bool ours_1 = starts_with(hb, HB_MARK_1, n);
    bool ours_2 = starts_with(hb, HB_MARK_2, n);
    if (hb->payload_length > HB_SENT && ours_1 && hb->fits) {
        conv_decide(p, PR_POSITIVE,
                    "the server answered a HeartbeatRequest with more bytes than "
                    "were sent (CVE-2014-0160)",
                    "received: HeartbeatResponse payload_length %u in a %zu-byte record: %u bytes "
                    "past the %d sent (server memory, not kept)",
                    (unsigned)hb->payload_length, hb->record_len,
                    (unsigned)(hb->payload_length - HB_SENT), HB_SENT);
        return;
    }
    if (hb->payload_length <= HB_SENT && (ours_1 || ours_2) && hb->fits) {
        conv_decide(
            p, PR_NEGATIVE, "the over-long HeartbeatRequest was not answered beyond the bytes sent",
            "received: HeartbeatResponse payload_length %u in a %zu-byte record echoing "
            "the %s request",
            (unsigned)hb->payload_length, hb->record_len, ours_2 ? "well-formed" : "over-long");
        return;
    }
    conv_decide(p, PR_COULD_NOT_TEST, "the server's heartbeat response matches neither request",
                HB_WHAT, (unsigned)hb->type, (unsigned)hb->payload_length, hb->record_len, tail);
}

static enum net_step hb_on_record(struct conv_probe *p, const struct conv_event *ev)
{
    char a[64];
    switch (ev->kind) {
    case CONV_HEARTBEAT:
        hb_response(p, &ev->hb);
        return NET_DONE;
    case CONV_ALERT:
        conv_alert_text(&ev->alert, a, sizeof(a));
        conv_decide(p, PR_NEGATIVE, "the server refused the HeartbeatRequests with an alert",
                    "received: alert %s", a);
        return NET_DONE;
    default:
        p->state++; /* another record: read on (the reader's cap ends it) */
        return NET_MORE;
    }
}

static void hb_on_end(struct conv_probe *p, enum net_outcome o, const char *why)
{
    const char *other = p->state > 0 ? " (after records of other types)" : "";
    switch (o) {
    case NET_CLOSED:
        conv_decide(p, PR_NEGATIVE, "the server closed the connection after the HeartbeatRequests",
                    "received: close, no heartbeat response%s", other);
        return;
    case NET_TIMEOUT:
        conv_decide(p, PR_NEGATIVE, "no heartbeat response before the deadline",
                    "received: no heartbeat response before the %d ms deadline of the attempt "
                    "(tried twice)%s",
                    p->c->o->timeout_ms, other);
        return;
    default:
        conv_decide(p, PR_COULD_NOT_TEST, "the connection failed after the HeartbeatRequests",
                    "received: %s%s%s", net_outcome_name(o), why[0] != '\0' ? ": " : "", why);
        return;
    }
}

static const struct conv_ops hb_ops = {
    .id = "heartbleed",
    .hello_ext = HELLO_EXT_HEARTBEAT,
    .trigger = hb_trigger,
    .on_record = hb_on_record,
    .on_end = hb_on_end,
};

int probe_heartbleed_start(struct probe_ctx *c, void (*done)(void *arg), void *arg)
{
    return conv_start(c, &hb_ops, done, arg);
}
