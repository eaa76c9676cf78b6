/*
 * scanner/probes/conv.h - what the conversation vulnerability probes
 * (heartbleed.c, ccs_injection.c) share: the choice of a version and a
 * suite from the enumeration's facts, the reader of what a server sends
 * after its first flight (records after ServerHelloDone: alerts, heartbeat
 * messages, anything else), and the heartbeat message parser.
 *
 * Private to scanner/probes/. Everything read here is hostile: the reader
 * keeps at most CONV_HEAD_MAX bytes of a record (the alert, or a
 * heartbeat message's header and the first bytes of its payload, only to
 * compare them with what we sent), counts the rest without keeping it,
 * and stops at CONV_MAX_RAW bytes. No byte a server sent beyond those is
 * ever kept, and none of the kept ones is printed: evidence names lengths
 * and types.
 *
 * The driver (conv_start): one connection per probe (the loop retries
 * once after a reset or a timeout): the ClientHello offering the picked
 * version and suite, the first flight up to ServerHelloDone, then the
 * probe's trigger (a HeartbeatRequest, an early ChangeCipherSpec) and the
 * records that answer it, decided by the probe's callbacks; one
 * probe_result row at the end, with the version and the suite.
 *
 * Ownership: struct conv_reader and struct conv_event are caller storage
 * with nothing on the heap; a struct conv_probe is the driver's (heap,
 * freed after its row is recorded).
 */
#ifndef TLSAUDIT_SCANNER_PROBES_CONV_H
#define TLSAUDIT_SCANNER_PROBES_CONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "scanner/hello.h"
#include "scanner/net/loop.h"
#include "scanner/probes/registry.h"

/* RFC 6520 §3: HeartbeatMessageType */
#define CONV_HB_REQUEST 1
#define CONV_HB_RESPONSE 2
/* RFC 6520 §4: at least 16 bytes of padding */
#define CONV_HB_MIN_PADDING 16

/* Bytes of a record body the reader keeps: the heartbeat header (3) and the
 * first 16 bytes of its payload, as many as a probe sends (so a payload
 * past what was sent is counted, never copied), or the alert. */
#define CONV_HEAD_MAX (3 + 16)
/* Bytes read after the flight before the reader gives up. */
#define CONV_MAX_RAW (64 * 1024)

/* The version and suite a conversation probe uses. */
struct conv_pick {
    enum tls_version version; /* TLSV_TLS12 .. TLSV_SSL3 */
    uint32_t suite;           /* an accepted suite of that version */
};

/* conv_pick returns true with the newest of TLS 1.2, 1.1, 1.0 and SSL 3.0
 * the enumeration found accepted and its suite the server prefers (its
 * first choice when its order is known, else the first accepted); false
 * when none was accepted, with *out_not_applicable true when every one of
 * them was refused (nothing to test: a TLS 1.3-only server) and false when
 * some was left undecided, and why in why. */
bool conv_pick(const struct enum_facts *e, struct conv_pick *out, bool *out_not_applicable,
               char *why, size_t why_len);

enum conv_kind {
    CONV_NEED_MORE, /* all input consumed, no complete record */
    CONV_ALERT,     /* an alert record (its first alert in ev->alert) */
    CONV_HEARTBEAT, /* a heartbeat record (ev->hb) */
    CONV_OTHER,     /* a record of another type (ev->type): body skipped */
    CONV_ERROR,     /* malformed or over a cap (ev->why): the reader stays failed */
};

/* A heartbeat message as read (RFC 6520 §4). */
struct conv_heartbeat {
    uint8_t type;
    uint16_t payload_length;         /* as the message claims */
    size_t record_len;               /* TLSPlaintext.length */
    bool fits;                       /* 3 + payload_length + 16 <= record_len */
    uint8_t head[CONV_HEAD_MAX - 3]; /* the payload's first bytes (never printed) */
    size_t head_len;
};

struct conv_event {
    enum conv_kind kind;
    uint8_t type;      /* record content type */
    uint16_t version;  /* record version */
    size_t record_len; /* body length */
    size_t raw_offset; /* of the record in the bytes after the flight */
    struct hello_alert alert;
    struct conv_heartbeat hb;
    const char *why; /* CONV_ERROR: static text */
};

struct conv_reader {
    size_t n_raw; /* bytes consumed */
    uint8_t hdr[5];
    uint8_t hdr_len;
    bool in_body;
    bool failed;
    const char *why;
    size_t rec_start;
    uint8_t type;
    uint16_t version;
    size_t rec_len;
    size_t got; /* body bytes consumed */
    uint8_t head[CONV_HEAD_MAX];
    size_t head_len;
};

/* conv_reader_init zeroes r. */
void conv_reader_init(struct conv_reader *r);
/* conv_reader_next consumes bytes from *in (advancing *in and *in_len) up
 * to the next complete record and returns its event (also in *ev); call it
 * again with the rest until CONV_NEED_MORE. A record is refused (CONV_ERROR)
 * when its type is not 20..24, its version's major is not 3, its length is
 * 0 or over HELLO_RECORD_MAX, an alert record is not 2*n bytes, or the
 * bytes read pass CONV_MAX_RAW. */
enum conv_kind conv_reader_next(struct conv_reader *r, const uint8_t **in, size_t *in_len,
                                struct conv_event *ev);

/* conv_parse_heartbeat reads a heartbeat message from the first head_len
 * kept bytes of a record of record_len bytes into *out: false (why set)
 * when the header is missing. */
bool conv_parse_heartbeat(const uint8_t *head, size_t head_len, size_t record_len,
                          struct conv_heartbeat *out, const char **why);

/* conv_alert_text writes "fatal unexpected_message (10)" into buf. */
void conv_alert_text(const struct hello_alert *a, char *buf, size_t len);

/* conv_suite_name is the IANA name of suite, or its hex code in buf. */
const char *conv_suite_name(uint32_t suite, char *buf, size_t len);

/* ---- the driver ---------------------------------------------------------- */

struct conv_probe;

/* What a conversation probe adds to the driver. */
struct conv_ops {
    const char *id;     /* the probe_result id */
    unsigned hello_ext; /* HELLO_EXT_* sent besides the defaults */
    /* trigger: the flight reached ServerHelloDone (res); append what the
     * probe sends (at most NET_MAX_OUT bytes) and return true, or decide
     * (conv_decide) and return false to end. */
    bool (*trigger)(struct conv_probe *p, const struct hello_result *res, struct wbuf *out);
    /* on_record: one record after the trigger; NET_MORE reads on, NET_DONE
     * once conv_decide was called. */
    enum net_step (*on_record)(struct conv_probe *p, const struct conv_event *ev);
    /* on_end: the connection ended after the trigger without a decision
     * (NET_CLOSED: closed by the server; NET_TIMEOUT: silence; a reset, a
     * bad answer): decide. */
    void (*on_end)(struct conv_probe *p, enum net_outcome o, const char *why);
    void *arg; /* the probe's own constants */
};

struct conv_probe {
    const struct conv_ops *ops;
    struct probe_ctx *c;
    void (*done)(void *arg);
    void *done_arg;
    struct conv_pick pick;
    uint32_t suites[1];
    struct hello_params params;
    struct hello_flight flight;
    bool flight_ready;
    uint8_t *hello; /* the built ClientHello (heap) */
    size_t hello_len;
    bool hello_sent; /* on_connect ran: the evidence says "sent: ..." */
    bool after;      /* the trigger was sent: rd reads */
    struct conv_reader rd;
    uint16_t wire;  /* the negotiated version's wire code */
    uint32_t suite; /* the suite the server chose */
    bool decided;
    enum probe_result_state st;
    char detail[FACT_TEXT];
    char evidence[1024];
    char sent[256]; /* the trigger in words, for the evidence */
    uint32_t state; /* the probe's own counters (what it saw) */
};

/* conv_start picks the version and suite from c's enumeration, queues the
 * conversation on c->loop and returns 0: done(arg) is then called once
 * after the probe's row is recorded. Returns -1 with a not-applicable or
 * could-not-test row recorded when nothing could be queued. */
int conv_start(struct probe_ctx *c, const struct conv_ops *ops, void (*done)(void *arg), void *arg);

/* conv_decide sets p's result: state, detail and the evidence (printf
 * format; the driver puts the hello and the trigger in front). The first
 * decision stands. */
void conv_decide(struct conv_probe *p, enum probe_result_state st, const char *detail,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
