/*
 * scanner/probes/conv_read.c - the bounded reader of the records a server
 * sends after its first flight (RFC 5246 §6.2.1 TLSPlaintext, §7.2 Alert,
 * RFC 6520 §4 HeartbeatMessage), for the conversation probes (conv.h).
 * Apart from conv.c so the fuzz target links it with the wire code alone.
 *
 * Invariant: the reader holds at most CONV_HEAD_MAX bytes of any record;
 * the rest of a body is counted and dropped as it arrives.
 */
#include <stdio.h>
#include <string.h>

#include "scanner/probes/conv.h"

void conv_reader_init(struct conv_reader *r)
{
    memset(r, 0, sizeof(*r));
}

static enum conv_kind conv_fail(struct conv_reader *r, struct conv_event *ev, const char *why)
{
    r->failed = true;
    r->why = why;
    ev->kind = CONV_ERROR;
    ev->why = why;
    ev->raw_offset = r->rec_start;
    return CONV_ERROR;
}

/* Checks the header just completed (RFC 5246 §6.2.1); NULL when fine. */
static const char *header_problem(const struct conv_reader *r)
{
    if (r->type < TLS_CT_CHANGE_CIPHER_SPEC || r->type > TLS_CT_HEARTBEAT) {
        return "not a TLS record (content type)";
    }
    if ((r->version >> 8) != 3) {
        return "not a TLS record (version)";
    }
    if (r->rec_len == 0) {
        return "an empty record";
    }
    if (r->rec_len > HELLO_RECORD_MAX) {
        return "a record longer than 2^14 + 2048 bytes";
    }
    if (r->type == TLS_CT_ALERT && r->rec_len < 2) {
        return "an alert record shorter than one alert";
    }
    return NULL;
}

/* The event of the record just completed. */
static enum conv_kind conv_complete(struct conv_reader *r, struct conv_event *ev)
{
    ev->type = r->type;
    ev->version = r->version;
    ev->record_len = r->rec_len;
    ev->raw_offset = r->rec_start;
    r->in_body = false;
    r->hdr_len = 0;
    switch (r->type) {
    case TLS_CT_ALERT:
        ev->alert.level = r->head[0];
        ev->alert.description = r->head[1];
        ev->kind = CONV_ALERT;
        break;
    case TLS_CT_HEARTBEAT: {
        const char *why = NULL;
        if (!conv_parse_heartbeat(r->head, r->head_len, r->rec_len, &ev->hb, &why)) {
            return conv_fail(r, ev, why);
        }
        ev->kind = CONV_HEARTBEAT;
        break;
    }
    default:
        ev->kind = CONV_OTHER;
        break;
    }
    return ev->kind;
}

enum conv_kind conv_reader_next(struct conv_reader *r, const uint8_t **in, size_t *in_len,
                                struct conv_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    if (r->failed) {
        ev->kind = CONV_ERROR;
        ev->why = r->why;
        return CONV_ERROR;
    }
    while (*in_len > 0) {
        if (r->n_raw >= CONV_MAX_RAW) {
            return conv_fail(r, ev, "more bytes after the flight than the probe reads");
        }
        if (!r->in_body) {
            if (r->hdr_len == 0) {
                r->rec_start = r->n_raw;
            }
            r->hdr[r->hdr_len++] = **in;
            (*in)++;
            (*in_len)--;
            r->n_raw++;
            if (r->hdr_len < 5) {
                continue;
            }
            r->type = r->hdr[0];
            r->version = (uint16_t)((r->hdr[1] << 8) | r->hdr[2]);
            r->rec_len = (size_t)((r->hdr[3] << 8) | r->hdr[4]);
            r->got = 0;
            r->head_len = 0;
            r->in_body = true;
            const char *bad = header_problem(r);
            if (bad != NULL) {
                return conv_fail(r, ev, bad);
            }
            continue;
        }
        size_t take = r->rec_len - r->got;
        take = take < *in_len ? take : *in_len;
        if (CONV_MAX_RAW - r->n_raw < take) {
            take = CONV_MAX_RAW - r->n_raw;
        }
        size_t keep = r->head_len < CONV_HEAD_MAX ? CONV_HEAD_MAX - r->head_len : 0;
        keep = keep < take ? keep : take;
        memcpy(r->head + r->head_len, *in, keep);
        r->head_len += keep;
        r->got += take;
        r->n_raw += take;
        *in += take;
        *in_len -= take;
        if (r->got == r->rec_len) {
            return conv_complete(r, ev);
        }
    }
    ev->kind = CONV_NEED_MORE;
    return CONV_NEED_MORE;
}

bool conv_parse_heartbeat(const uint8_t *head, size_t head_len, size_t record_len,
                          struct conv_heartbeat *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    if (head_len < 3 || record_len < 3) {
        *why = "a heartbeat record shorter than a heartbeat header";
        return false;
    }
    out->type = head[0];
    out->payload_length = (uint16_t)((head[1] << 8) | head[2]);
    out->record_len = record_len;
    out->fits = (size_t)3 + out->payload_length + CONV_HB_MIN_PADDING <= record_len;
    size_t n = head_len - 3;
    if (n > out->payload_length) {
        n = out->payload_length; /* what follows is padding */
    }
    if (n > sizeof(out->head)) {
        n = sizeof(out->head);
    }
    memcpy(out->head, head + 3, n);
    out->head_len = n;
    return true;
}

void conv_alert_text(const struct hello_alert *a, char *buf, size_t len)
{
    snprintf(buf, len, "%s %s (%u)", hello_alert_level_name(a->level),
             hello_alert_name(a->description), (unsigned)a->description);
}
