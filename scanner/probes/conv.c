/*
 * scanner/probes/conv.c - what the conversation vulnerability probes
 * share (see conv.h): the version and suite they use, and the driver of
 * one conversation (hello, flight, trigger, answer, row). The reader of
 * the answer is conv_read.c.
 */
#include "scanner/probes/conv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/registry.h"
#include "common/util.h"

/* The versions the probes may use, newest first. */
static const enum tls_version conv_versions[] = {TLSV_TLS12, TLSV_TLS11, TLSV_TLS10, TLSV_SSL3};
#define N_CONV_VERSIONS (sizeof(conv_versions) / sizeof(conv_versions[0]))

/* The suite of v the server prefers: rank 0 when it has an order, else
 * the first listed. */
static uint32_t preferred_suite(const struct enum_version_fact *v)
{
    const struct enum_suite *best = &v->suites[0];
    for (size_t i = 0; i < v->n_suites; i++) {
        const struct enum_suite *s = &v->suites[i];
        if (s->server_rank >= 0 && (best->server_rank < 0 || s->server_rank < best->server_rank)) {
            best = s;
        }
    }
    return best->code;
}

bool conv_pick(const struct enum_facts *e, struct conv_pick *out, bool *out_not_applicable,
               char *why, size_t why_len)
{
    const char *undecided = NULL;
    *out_not_applicable = false;
    for (size_t i = 0; i < N_CONV_VERSIONS; i++) {
        const struct enum_version_fact *v = &e->versions[conv_versions[i]];
        if (v->state == PROBE_ACCEPTED && v->n_suites > 0) {
            out->version = conv_versions[i];
            out->suite = preferred_suite(v);
            util_copy(why, why_len, "");
            return true;
        }
        if (v->state != PROBE_REFUSED && undecided == NULL) {
            undecided = tls_version_name(conv_versions[i]);
        }
    }
    if (undecided == NULL) {
        *out_not_applicable = true;
        util_copy(why, why_len,
                  "no TLS 1.2 or older version accepted (SSL 3.0 to TLS 1.2 refused)");
    } else {
        snprintf(why, why_len,
                 "no TLS 1.2 or older version accepted, and %s was not decided by the enumeration",
                 undecided);
    }
    return false;
}

const char *conv_suite_name(uint32_t suite, char *buf, size_t len)
{
    const struct suite_info *s = registry_suite_by_code(suite);
    if (s != NULL && s->iana_name != NULL) {
        return s->iana_name;
    }
    snprintf(buf, len, "0x%04X", (unsigned)suite);
    return buf;
}

/* ---- the driver ----------------------------------------------------------- */

static void conv_free(struct conv_probe *p)
{
    if (p->flight_ready) {
        hello_flight_cleanup(&p->flight);
    }
    free(p->hello);
    free(p);
}

void conv_decide(struct conv_probe *p, enum probe_result_state st, const char *detail,
                 const char *fmt, ...)
{
    if (p->decided) {
        return;
    }
    p->decided = true;
    p->st = st;
    util_copy(p->detail, sizeof(p->detail), detail);
    char tail[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tail, sizeof(tail), fmt, ap);
    va_end(ap);
    if (!p->hello_sent) {
        snprintf(p->evidence, sizeof(p->evidence), "nothing sent; %s", tail);
        return;
    }
    char sname[16];
    int n = snprintf(
        p->evidence, sizeof(p->evidence), "sent: ClientHello %s offering %s%s%s%s; %s",
        tls_version_name(p->pick.version), conv_suite_name(p->pick.suite, sname, sizeof(sname)),
        (p->ops->hello_ext & HELLO_EXT_HEARTBEAT) ? " with the heartbeat extension" : "",
        p->sent[0] != '\0' ? ", then " : "", p->sent, tail);
    if (n < 0 || (size_t)n >= sizeof(p->evidence)) {
        memcpy(p->evidence + sizeof(p->evidence) - 4, "...", 4); /* cut, and says so */
    }
}

static void conv_on_connect(void *ctx, struct wbuf *out)
{
    struct conv_probe *p = ctx;
    p->hello_sent = true; /* queued: the loop writes it or fails the attempt */
    (void)wbuf_put_bytes(out, p->hello, p->hello_len);
}

/* The flight is complete: a refusal decides, ServerHelloDone triggers. */
static enum net_step conv_flight_done(struct conv_probe *p, struct wbuf *out)
{
    const struct hello_result *res = hello_flight_result(&p->flight);
    char a[64];
    if (res->answer == HELLO_ANS_ALERT || res->have_alert) {
        conv_alert_text(&res->alert, a, sizeof(a));
        conv_decide(p, PR_COULD_NOT_TEST, "the server refused the handshake",
                    "received: alert %s before ServerHelloDone", a);
        return NET_DONE;
    }
    if (res->answer != HELLO_ANS_SERVER_HELLO || !res->have_done ||
        res->sh.version != tls_version_wire(p->pick.version)) {
        conv_decide(p, PR_COULD_NOT_TEST, "the server's flight did not end with ServerHelloDone",
                    "received: a first flight without ServerHelloDone under %s",
                    tls_version_name(p->pick.version));
        return NET_DONE;
    }
    p->wire = res->sh.version;
    p->suite = res->sh.suite;
    if (!p->ops->trigger(p, res, out)) {
        return NET_DONE;
    }
    p->after = true;
    return NET_MORE;
}

static enum net_step conv_on_bytes(void *ctx, const uint8_t *in, size_t len, struct wbuf *out)
{
    struct conv_probe *p = ctx;
    if (!p->after) {
        switch (hello_flight_feed(&p->flight, in, len)) {
        case HELLO_NEED_MORE:
            return NET_MORE;
        case HELLO_DONE:
            return conv_flight_done(p, out);
        case HELLO_FAILED:
            break;
        }
        const struct hello_error *e = hello_flight_error(&p->flight);
        conv_decide(p, PR_COULD_NOT_TEST, "the server's first flight could not be read",
                    "received: an unreadable first flight (byte %zu: %s)", e->offset,
                    e->reason != NULL ? e->reason : "malformed");
        return NET_DONE;
    }
    const uint8_t *at = in;
    size_t left = len;
    struct conv_event ev;
    while (conv_reader_next(&p->rd, &at, &left, &ev) != CONV_NEED_MORE) {
        if (ev.kind == CONV_ERROR) {
            conv_decide(p, PR_COULD_NOT_TEST, "the server's answer could not be read",
                        "received: %s (byte %zu after the flight)", ev.why, ev.raw_offset);
            return NET_DONE;
        }
        if (p->ops->on_record(p, &ev) == NET_DONE) {
            return NET_DONE;
        }
    }
    return NET_MORE;
}

static void conv_reset(void *ctx)
{
    struct conv_probe *p = ctx;
    hello_flight_cleanup(&p->flight);
    p->flight_ready = hello_flight_init(&p->flight, &p->params, 0, 0) == HELLO_OK;
    p->after = false;
    p->sent[0] = '\0';
    p->state = 0;
    conv_reader_init(&p->rd);
}

static void conv_done(void *ctx, enum net_outcome o, const char *why)
{
    struct conv_probe *p = ctx;
    if (!p->decided) {
        if (o == NET_EXPIRED || o == NET_CANCELLED) {
            conv_decide(p, PR_COULD_NOT_TEST,
                        o == NET_EXPIRED ? PROBE_NOT_TESTED_BUDGET : "not tested: the scan stopped",
                        "received: %s", net_outcome_name(o));
        } else if (p->after) {
            p->ops->on_end(p, o, why);
        } else {
            conv_decide(p, PR_COULD_NOT_TEST, "the handshake did not reach ServerHelloDone",
                        "received: %s%s%s before ServerHelloDone", net_outcome_name(o),
                        why[0] != '\0' ? ": " : "", why);
        }
    }
    /* The row names the suite the server chose, or the one offered. */
    probe_record(p->c, p->ops->id, p->pick.version, p->suite != 0 ? p->suite : p->pick.suite, p->st,
                 p->detail, p->evidence);
    int rc = net_group_deadline(p->c->loop, p->c->group, 0);
    (void)rc;
    void (*cb)(void *) = p->done;
    void *arg = p->done_arg;
    conv_free(p);
    cb(arg);
}

static const struct net_probe_ops conv_net_ops = {
    .on_connect = conv_on_connect,
    .on_bytes = conv_on_bytes,
    .reset = conv_reset,
    .done = conv_done,
};

/* Builds p's hello and flight parser; false when that failed. */
static bool conv_build(struct conv_probe *p, const char *sni)
{
    uint8_t buf[HELLO_MAX_LEN];
    struct wbuf w;
    p->suites[0] = p->pick.suite;
    hello_params_init(&p->params, tls_version_wire(p->pick.version));
    p->params.suites = p->suites;
    p->params.n_suites = 1;
    p->params.sni = sni;
    p->params.ext |= p->ops->hello_ext;
    wbuf_init_fixed(&w, buf, sizeof(buf));
    if (hello_build(&p->params, &w) != HELLO_OK || !wbuf_ok(&w)) {
        return false;
    }
    p->hello = malloc(wbuf_len(&w));
    if (p->hello == NULL) {
        return false;
    }
    memcpy(p->hello, wbuf_data(&w), wbuf_len(&w));
    p->hello_len = wbuf_len(&w);
    p->params.sni = NULL; /* the flight copies what it needs; sni is not kept */
    p->flight_ready = hello_flight_init(&p->flight, &p->params, 0, 0) == HELLO_OK;
    return p->flight_ready;
}

int conv_start(struct probe_ctx *c, const struct conv_ops *ops, void (*done)(void *arg), void *arg)
{
    struct conv_pick pick;
    bool na = false;
    char why[FACT_TEXT];
    if (!conv_pick(&c->r->enumeration, &pick, &na, why, sizeof(why))) {
        probe_record(c, ops->id, PROBE_NO_VERSION, 0, na ? PR_NOT_APPLICABLE : PR_COULD_NOT_TEST,
                     why, NULL);
        return -1;
    }
    struct conv_probe *p = calloc(1, sizeof(*p));
    const char *fail = "not tested: out of memory";
    if (p != NULL) {
        p->ops = ops;
        p->c = c;
        p->done = done;
        p->done_arg = arg;
        p->pick = pick;
        fail = "not tested: the ClientHello could not be built";
        if (conv_build(p, c->r->sni)) {
            struct net_req req = {
                .sa = c->addr->sa,
                .sa_len = c->addr->sa_len,
                .group = c->group,
                .ops = &conv_net_ops,
                .ctx = p,
            };
            fail = "not tested: the connection could not be queued";
            if (net_group_deadline(c->loop, c->group, c->deadline) == 0 &&
                net_submit(c->loop, &req) == 0) {
                return 0;
            }
        }
        conv_free(p);
    }
    probe_record(c, ops->id, pick.version, pick.suite, PR_COULD_NOT_TEST, fail, NULL);
    return -1;
}
