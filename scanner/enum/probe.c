/*
 * scanner/enum/probe.c - one probe of the enumeration (see enum.h): a task
 * is a hello built from its offer, sent as a one-write conversation on the
 * probe loop, and a first-flight parser for the answer; spawning queues the
 * next one or records why it could not.
 */
#include "scanner/enum/enum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static const char *const enum_alpn[] = {"h2", "http/1.1"};

void enum_task_free(struct task *t)
{
    if (t->flight_ready) {
        hello_flight_cleanup(&t->flight);
    }
    free(t->suites);
    free(t->list);
    free(t->list2);
    free(t->hello);
    free(t);
}

void enum_note(char *dst, size_t dst_size, const char *text)
{
    if (dst[0] == '\0') {
        util_copy(dst, dst_size, text);
    }
}

void enum_anomaly(struct job *j, const char *what)
{
    j->out->unoffered_choice = true;
    enum_note(j->out->anomalies, sizeof(j->out->anomalies), what);
}

/* ---- probe plumbing ----------------------------------------------------- */

/* A probe is a one-write conversation: the hello, then the first flight. */
static void task_on_connect(void *ctx, struct wbuf *out)
{
    struct task *t = ctx;
    (void)wbuf_put_bytes(out, t->hello, t->hello_len);
}

static enum net_step task_feed(void *ctx, const uint8_t *data, size_t len, struct wbuf *out)
{
    struct task *t = ctx;
    (void)out;
    switch (hello_flight_feed(&t->flight, data, len)) {
    case HELLO_NEED_MORE:
        return NET_MORE;
    case HELLO_DONE:
        return NET_DONE;
    case HELLO_FAILED:
        break;
    }
    return NET_FAILED;
}

static void task_reset(void *ctx)
{
    struct task *t = ctx;
    hello_flight_cleanup(&t->flight);
    t->flight_ready = hello_flight_init(&t->flight, &t->params, 0, 0) == HELLO_OK;
}

static const struct net_probe_ops task_ops = {
    .on_connect = task_on_connect,
    .on_bytes = task_feed,
    .reset = task_reset,
    .done = enum_task_done,
};

/* Fills t->params for its kind and version from t's owned lists. */
static void task_params(struct task *t)
{
    struct hello_params *p = &t->params;
    hello_params_init(p, tls_version_wire(t->wv));
    p->suites = t->suites;
    p->n_suites = t->n_suites;
    p->sni = t->job->sni;
    if (t->ffdhe && t->wv < TLSV_TLS13) {
        p->groups = enum_groups_ffdhe;
        p->n_groups = enum_n_groups_ffdhe;
    }
    switch (t->kind) {
    case T_GROUPS12:
        p->groups = t->list;
        p->n_groups = t->n_list;
        break;
    case T_GROUPS13:
        p->groups = t->list;
        p->n_groups = t->n_list;
        p->ext |= HELLO_EXT_KEY_SHARE;
        p->shares = 0; /* empty key_share: the server must say what it wants */
        break;
    case T_SIGALGS12:
        p->sigalgs = t->list;
        p->n_sigalgs = t->n_list;
        break;
    case T_KX12:
        p->groups = t->list;
        p->n_groups = t->n_list;
        p->sigalgs = t->list2;
        p->n_sigalgs = t->n_list2;
        break;
    case T_EXTS:
    case T_ETM:
        p->ext |= HELLO_EXT_EXTENDED_MASTER_SECRET | HELLO_EXT_ENCRYPT_THEN_MAC |
                  HELLO_EXT_STATUS_REQUEST | HELLO_EXT_SESSION_TICKET | HELLO_EXT_HEARTBEAT |
                  HELLO_EXT_RENEGOTIATION_INFO;
        p->alpn = enum_alpn;
        p->n_alpn = sizeof(enum_alpn) / sizeof(enum_alpn[0]);
        break;
    default:
        break;
    }
}

/* Builds and queues t. Takes ownership of t (freed on failure). */
int enum_task_submit(struct task *t)
{
    uint8_t buf[HELLO_MAX_LEN];
    struct wbuf w;
    task_params(t);
    wbuf_init_fixed(&w, buf, sizeof(buf));
    if (hello_build(&t->params, &w) != HELLO_OK || !wbuf_ok(&w)) {
        enum_task_free(t);
        return -1;
    }
    if (hello_flight_init(&t->flight, &t->params, 0, 0) != HELLO_OK) {
        enum_task_free(t);
        return -1;
    }
    t->flight_ready = true;
    t->hello = malloc(wbuf_len(&w));
    if (t->hello == NULL) {
        enum_task_free(t);
        return -1;
    }
    memcpy(t->hello, wbuf_data(&w), wbuf_len(&w));
    t->hello_len = wbuf_len(&w);
    struct net_req r = {
        .sa = t->job->sa,
        .sa_len = t->job->sa_len,
        .group = t->job->group,
        .ops = &task_ops,
        .ctx = t,
        .dialogue = t->job->dialogue,
    };
    if (t->job->submit(t->job->loop, &r) != 0) {
        enum_task_free(t);
        return -1;
    }
    t->job->pending++;
    t->job->out->n_probes++;
    return 0;
}

struct task *enum_task_new(struct job *j, enum task_kind kind, enum tls_version wv,
                           const uint32_t *suites, size_t n_suites, const uint16_t *list,
                           size_t n_list)
{
    struct task *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->job = j;
    t->kind = kind;
    t->wv = wv;
    t->suites = malloc((n_suites ? n_suites : 1) * sizeof(*t->suites));
    t->list = malloc((n_list ? n_list : 1) * sizeof(*t->list));
    if (t->suites == NULL || t->list == NULL) {
        enum_task_free(t);
        return NULL;
    }
    if (n_suites) {
        memcpy(t->suites, suites, n_suites * sizeof(*suites));
    }
    if (n_list) {
        memcpy(t->list, list, n_list * sizeof(*list));
    }
    t->n_suites = n_suites;
    t->n_list = n_list;
    return t;
}

/* Queues a new task (ffdhe: see enum_groups_ffdhe); on failure records why
 * under version wv. */
bool enum_spawn_x(struct job *j, enum task_kind kind, enum tls_version wv, const uint32_t *suites,
                  size_t n_suites, const uint16_t *list, size_t n_list, bool ffdhe)
{
    if (j->silent || j->out_of_time) {
        enum_note(j->vs[wv].inconclusive, sizeof(j->vs[wv].inconclusive),
                  j->out_of_time ? "not probed: the target's time budget ran out"
                                 : "not probed: the server answers nothing");
        j->vs[wv].any_inconclusive = true;
        return false;
    }
    struct task *t = enum_task_new(j, kind, wv, suites, n_suites, list, n_list);
    if (t != NULL) {
        t->ffdhe = ffdhe;
    }
    if (t == NULL || enum_task_submit(t) != 0) {
        enum_note(j->vs[wv].inconclusive, sizeof(j->vs[wv].inconclusive),
                  "could not build or queue a probe");
        j->vs[wv].any_inconclusive = true;
        return false;
    }
    return true;
}

bool enum_spawn(struct job *j, enum task_kind kind, enum tls_version wv, const uint32_t *suites,
                size_t n_suites, const uint16_t *list, size_t n_list)
{
    return enum_spawn_x(j, kind, wv, suites, n_suites, list, n_list, false);
}
