/*
 * scanner/probes/hello_conv.c - the extra-ClientHello probes on the loop
 * track (see hello_probes.h): compression, fallback_scsv,
 * grease_intolerance, version_intolerance, long_hello_intolerance. Each
 * row makes its hello from the enumeration's facts (hello_plan.c), sends
 * it as one conversation on the unit's loop group (one connection; the
 * loop's cap per target and its one retry after a reset or timeout apply),
 * reads the first flight and records one probe_result row.
 *
 * The unit's budget deadline is set on the group for the conversation
 * and lifted when it ends (the enumeration does the same), so a spent
 * budget ends it with NET_EXPIRED: could-not-test. Ownership: a
 * conversation's state (plan, flight, hello bytes) is one heap block,
 * freed in done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/probes/hello_probes.h"
#include "scanner/probes/registry.h"

struct hconv {
    struct probe_ctx *c;
    struct hp_plan plan; /* params point into it: the block never moves */
    struct hello_flight flight;
    bool flight_ready;
    uint8_t hello[HELLO_MAX_LEN];
    size_t hello_len;
    void (*done)(void *arg);
    void *arg;
};

static void hconv_on_connect(void *ctx, struct wbuf *out)
{
    struct hconv *h = ctx;
    (void)wbuf_put_bytes(out, h->hello, h->hello_len);
}

static enum net_step hconv_on_bytes(void *ctx, const uint8_t *in, size_t len, struct wbuf *out)
{
    struct hconv *h = ctx;
    (void)out;
    switch (hello_flight_feed(&h->flight, in, len)) {
    case HELLO_NEED_MORE:
        return NET_MORE;
    case HELLO_DONE:
        return NET_DONE;
    case HELLO_FAILED:
        break;
    }
    return NET_FAILED;
}

static void hconv_reset(void *ctx)
{
    struct hconv *h = ctx;
    if (h->flight_ready) {
        hello_flight_cleanup(&h->flight);
    }
    h->flight_ready =
        hello_flight_init(&h->flight, &h->plan.params, HELLO_FLIGHT_HELLO_ONLY, 0) == HELLO_OK;
}

static void hconv_done(void *ctx, enum net_outcome o, const char *why)
{
    struct hconv *h = ctx;
    struct probe_ctx *c = h->c;
    struct hp_verdict v;
    const char *id = hp_id(h->plan.kind);
    if (h->flight_ready) {
        hp_judge(&h->plan, o, why, &h->flight, &v);
        probe_record(c, id, v.version, v.suite, v.state, v.detail, v.evidence);
        hello_flight_cleanup(&h->flight);
    } else {
        probe_record(c, id, h->plan.wv, 0, PR_COULD_NOT_TEST, "out of memory for the answer", NULL);
    }
    if (o == NET_EXPIRED) {
        c->out_of_time = true;
    }
    int rc = net_group_deadline(c->loop, c->group, 0);
    (void)rc;
    void (*done)(void *) = h->done;
    void *arg = h->arg;
    free(h);
    done(arg);
}

static const struct net_probe_ops hconv_ops = {
    .on_connect = hconv_on_connect,
    .on_bytes = hconv_on_bytes,
    .reset = hconv_reset,
    .done = hconv_done,
};

/* Starts probe k on c: 0 with the conversation queued (done called once,
 * later), or -1 after recording the row that says why not (nothing
 * queued, done not called: the runner goes on to the next row). */
static int hconv_start(enum hp_kind k, struct probe_ctx *c, void (*done)(void *), void *arg)
{
    enum probe_result_state st = PR_COULD_NOT_TEST;
    char why[FACT_TEXT] = "out of memory";
    enum tls_version ver = PROBE_NO_VERSION;
    struct wbuf w;
    struct hconv *h = calloc(1, sizeof(*h));
    if (h == NULL ||
        !hp_plan_make(k, &c->r->enumeration, c->r->sni, &h->plan, &st, why, sizeof(why))) {
        goto fail;
    }
    ver = h->plan.wv;
    st = PR_COULD_NOT_TEST;
    wbuf_init_fixed(&w, h->hello, sizeof(h->hello));
    if (hello_build(&h->plan.params, &w) != HELLO_OK || !wbuf_ok(&w)) {
        util_copy(why, sizeof(why), "the hello could not be built");
        goto fail;
    }
    h->hello_len = wbuf_len(&w);
    if (hello_flight_init(&h->flight, &h->plan.params, HELLO_FLIGHT_HELLO_ONLY, 0) != HELLO_OK) {
        goto fail;
    }
    h->flight_ready = true;
    h->c = c;
    h->done = done;
    h->arg = arg;
    struct net_req req = {
        .sa = c->addr->sa,
        .sa_len = c->addr->sa_len,
        .group = c->group,
        .ops = &hconv_ops,
        .ctx = h,
    };
    if (net_group_deadline(c->loop, c->group, c->deadline) != 0 || net_submit(c->loop, &req) != 0) {
        util_copy(why, sizeof(why), "the probe could not be queued");
        hello_flight_cleanup(&h->flight);
        int rc = net_group_deadline(c->loop, c->group, 0);
        (void)rc;
        goto fail;
    }
    return 0;
fail:
    probe_record(c, hp_id(k), ver, 0, st, why, NULL);
    free(h);
    return -1;
}

int probe_compression_start(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    return hconv_start(HP_COMPRESSION, c, done, arg);
}

int probe_fallback_scsv_start(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    return hconv_start(HP_FALLBACK_SCSV, c, done, arg);
}

int probe_grease_intolerance_start(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    return hconv_start(HP_GREASE, c, done, arg);
}

int probe_version_intolerance_start(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    return hconv_start(HP_VERSION, c, done, arg);
}

int probe_long_hello_intolerance_start(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    return hconv_start(HP_LONG_HELLO, c, done, arg);
}
