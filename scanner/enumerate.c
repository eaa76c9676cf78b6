/*
 * scanner/enumerate.c - complete enumeration with raw ClientHellos (see
 * enumerate.h).
 *
 * A job (one target) runs tasks; a task is one probe: a hello built from
 * its offer, and a first-flight parser for the answer. Phases per version:
 *   1. SUITES: the version's registry suites cut into bundles, one chain
 *      of probes per bundle; each answer's suite is recorded and dropped
 *      from the bundle, which is offered again until the server refuses.
 *      A bundle answered by a reset, silence or garbage is split in two
 *      (servers that choke on long hellos) down to ENUM_MIN_SPLIT suites;
 *      after a timeout only once per version (the halves of a timed-out
 *      bundle are not split again: a slow server would otherwise cost a
 *      timeout per split).
 *      TLS 1.0-1.2 suite probes offer EC groups only; when the chains end,
 *      one more chain offers the DHE suites not accepted yet with the RFC
 *      7919 FFDHE groups too (see enum_groups_ffdhe).
 *   2. ORDER (two or more suites): two offers of the accepted suites with
 *      different first suites (forward, and reversed with, where possible,
 *      a suite the server signs nothing for first); the same pick both
 *      ways means the server decides. With one bundle, the chain's first
 *      probe (every candidate, registry order) is the forward offer, and
 *      the chain's picks are already the server's order; otherwise both
 *      offers are probed and an elimination chain over the accepted
 *      suites yields the order.
 * The TLS 1.2 ECDHE groups and signature schemes are found by one
 * elimination (each signed ECDHE answer names both: on_kx), started as soon
 * as the TLS 1.2 chain picks a signed ECDHE suite (early_extras), alongside
 * the chains. After the last version: those two
 * for the newest pre-1.3 version accepted if they have not started, TLS 1.3
 * groups by
 * HelloRetryRequest elimination, and one probe for echoed extensions plus
 * one with CBC suites only for encrypt_then_mac. Where the choice does not
 * change what is learnt, probes offer the suites that cost a server least
 * (no signature, ECDHE before DHE): a single-process server's CPU is what
 * bounds a scan's wall time.
 *
 * A job may have a deadline (the target's time budget, enforced by the
 * probe loop for the job's group): from the first probe that ends with
 * NET_EXPIRED on, nothing new is queued, and what was not finished is
 * recorded as inconclusive (a version with no suite yet) or incomplete (an
 * accepted one), with the reason; enum_facts.budget_ran_out says so.
 *
 * Invariant: job->pending counts the job's probes queued or in flight;
 * when it drops to zero no phase can start any more and the job ends.
 */
#include "scanner/enumerate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/hello.h"
#include "common/model/registry.h"

/* Largest bundle per probe. One bundle per version (a TLS 1.2 hello with
 * every registry suite is about 850 bytes) makes the discovery chain give
 * the server's order for free; a server that chokes on it gets the bundle
 * split (ENUM_MIN_SPLIT). */
#define ENUM_MAX_BUNDLE 512
/* A bundle that gets no clear answer is split in two while both halves
 * keep at least this many suites. */
#define ENUM_MIN_SPLIT 8
#define ENUM_MAX_LIST 512

enum task_kind {
    T_SUITES,
    T_ORDER_FWD,
    T_ORDER_REV,
    T_ORDER_ELIM,
    T_GROUPS12,
    T_GROUPS13,
    T_SIGALGS12,
    T_KX12,
    T_EXTS,
    T_ETM,
    T_SSL2,
};

struct vstate {
    int bundles_left;      /* SUITES chains still running */
    bool any_inconclusive; /* some bundle ended without clear evidence */
    bool any_refused;
    char refusal[FACT_TEXT];
    char inconclusive[FACT_TEXT];
    uint32_t order_fwd, order_rev;
    int order_answers; /* 0..2 of the forward/reverse probes */
    int next_rank;
    bool single_bundle; /* one bundle offered every candidate, none was split */
    bool ffdhe_tried;   /* the FFDHE-groups probe for the DHE suites left was queued */
    bool ffdhe_found;   /* some suite was accepted only with FFDHE groups offered */
    uint32_t rev_first; /* first suite of the reversed order offer */
    bool timeout_split; /* a timed-out bundle was split: the halves are not */
    bool done;          /* suites and order are final */
};

struct job {
    struct net_loop *loop;
    unsigned group;
    struct sockaddr_storage sa;
    socklen_t sa_len;
    char *sni;
    struct enum_facts *out;
    int pending;
    struct vstate vs[WV_COUNT];
    bool extras_started;
    bool groups12_started;  /* the TLS 1.2 group elimination is queued */
    bool sigalgs12_started; /* the TLS 1.2 signature-scheme elimination is queued */
    bool silent;            /* timeouts and no answer at all: stop probing */
    bool out_of_time;       /* the target's time budget ran out: stop probing */
    int n_timeouts;
    bool any_answer;
    void (*on_done)(void *arg);
    void *arg;
};

struct task {
    struct job *job;
    enum task_kind kind;
    enum wire_version wv;
    uint32_t *suites; /* offered, owned */
    size_t n_suites;
    uint16_t *list; /* groups or signature schemes offered, owned */
    size_t n_list;
    /* T_KX12 (groups and signature schemes eliminated together): list holds
     * the groups, list2 the schemes; a finished side (gdone, sdone) offers
     * its whole list and learns nothing more. */
    uint16_t *list2;
    size_t n_list2;
    bool gdone, sdone;
    bool ffdhe; /* TLS <= 1.2: also offer the RFC 7919 FFDHE groups */
    struct hello_params params;
    struct hello_flight flight;
    bool flight_ready;
    uint8_t *hello; /* the bytes sent on every attempt, owned */
    size_t hello_len;
    enum net_outcome outcome; /* how the probe ended (set in task_done) */
};

static const char *const enum_alpn[] = {"h2", "http/1.1"};

/* Suite probes for TLS 1.2 and older offer hello.c's default groups, which
 * leave out the RFC 7919 FFDHE groups: a server then signs its DHE
 * exchange with its own DH parameters, the size a client without RFC 7919
 * gets (and the cheaper key generation for servers like GnuTLS, which
 * otherwise generate a full-size FFDHE exponent per probe). DHE suites
 * that a server accepts only with an FFDHE group offered (RFC 7919 §4)
 * are looked for afterwards with this list: the EC groups, then FFDHE. */
static const uint16_t enum_groups_ffdhe[] = {29, 23, 24, 25, 30, 26, 27,  28,  22,  21,  20, 19,
                                             18, 17, 16, 15, 14, 13, 12,  11,  10,  9,   8,  7,
                                             6,  5,  4,  3,  2,  1,  256, 257, 258, 259, 260};

static void job_maybe_finish(struct job *j);
static void phase_after_suites(struct job *j, enum wire_version wv);
static void early_extras(struct job *j, uint32_t pick);

static void task_free(struct task *t)
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

static void note(char *dst, size_t dst_size, const char *text)
{
    if (dst[0] == '\0') {
        util_copy(dst, dst_size, text);
    }
}

static void anomaly(struct job *j, const char *what)
{
    j->out->unoffered_choice = true;
    note(j->out->anomalies, sizeof(j->out->anomalies), what);
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

static void task_done(void *ctx, enum net_outcome o, const char *why);

static const struct net_probe_ops task_ops = {
    .on_connect = task_on_connect,
    .on_bytes = task_feed,
    .reset = task_reset,
    .done = task_done,
};

/* Fills t->params for its kind and version from t's owned lists. */
static void task_params(struct task *t)
{
    struct hello_params *p = &t->params;
    hello_params_init(p, wire_version_code(t->wv));
    p->suites = t->suites;
    p->n_suites = t->n_suites;
    p->sni = t->job->sni;
    if (t->ffdhe && t->wv < WV_TLS13) {
        p->groups = enum_groups_ffdhe;
        p->n_groups = sizeof(enum_groups_ffdhe) / sizeof(enum_groups_ffdhe[0]);
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
static int task_submit(struct task *t)
{
    uint8_t buf[HELLO_MAX_LEN];
    struct wbuf w;
    task_params(t);
    wbuf_init_fixed(&w, buf, sizeof(buf));
    if (hello_build(&t->params, &w) != HELLO_OK || !wbuf_ok(&w)) {
        task_free(t);
        return -1;
    }
    if (hello_flight_init(&t->flight, &t->params, 0, 0) != HELLO_OK) {
        task_free(t);
        return -1;
    }
    t->flight_ready = true;
    t->hello = malloc(wbuf_len(&w));
    if (t->hello == NULL) {
        task_free(t);
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
    };
    if (net_submit(t->job->loop, &r) != 0) {
        task_free(t);
        return -1;
    }
    t->job->pending++;
    t->job->out->n_probes++;
    return 0;
}

static struct task *task_new(struct job *j, enum task_kind kind, enum wire_version wv,
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
        task_free(t);
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
static bool spawn_x(struct job *j, enum task_kind kind, enum wire_version wv,
                    const uint32_t *suites, size_t n_suites, const uint16_t *list, size_t n_list,
                    bool ffdhe)
{
    if (j->silent || j->out_of_time) {
        note(j->vs[wv].inconclusive, sizeof(j->vs[wv].inconclusive),
             j->out_of_time ? "not probed: the target's time budget ran out"
                            : "not probed: the server answers nothing");
        j->vs[wv].any_inconclusive = true;
        return false;
    }
    struct task *t = task_new(j, kind, wv, suites, n_suites, list, n_list);
    if (t != NULL) {
        t->ffdhe = ffdhe;
    }
    if (t == NULL || task_submit(t) != 0) {
        note(j->vs[wv].inconclusive, sizeof(j->vs[wv].inconclusive),
             "could not build or queue a probe");
        j->vs[wv].any_inconclusive = true;
        return false;
    }
    return true;
}

static bool spawn(struct job *j, enum task_kind kind, enum wire_version wv, const uint32_t *suites,
                  size_t n_suites, const uint16_t *list, size_t n_list)
{
    return spawn_x(j, kind, wv, suites, n_suites, list, n_list, false);
}

/* ---- answers ------------------------------------------------------------ */

enum answer {
    ANS_PICK,         /* a ServerHello (or HRR) under the version offered */
    ANS_REFUSED,      /* a fatal alert, a close before any byte, a lower version */
    ANS_INCONCLUSIVE, /* timeout, reset, garbage, a close inside the answer, an
                         unoffered choice (suite, version, group, compression) */
};

/* A ServerHello naming an older SSL/TLS version than the one offered (and
 * one the hello allowed, RFC 5246 §E.1): the server does not speak the
 * offered version. A TLS answer to the SSLv2 hello says the same of SSLv2.
 * Anything else that is not the offered version (higher, unlisted, not a
 * TLS version at all like DTLS 0xFEFD) is no evidence either way. */
static bool answer_is_lower_version(const struct task *t, const struct hello_result *res)
{
    uint16_t v = res->sh.version;
    bool known = v >= HELLO_SSL3 && v <= HELLO_TLS13;
    if (t->wv == WV_SSL2) {
        return known;
    }
    return known && !res->version_not_offered && v < wire_version_code(t->wv);
}

/* Records an unoffered choice as the anomaly and the probe's reason. */
static enum answer unoffered(struct job *j, char *why, size_t why_len, const char *what)
{
    anomaly(j, what);
    util_copy(why, why_len, what);
    return ANS_INCONCLUSIVE;
}

/* Classifies a finished probe; why says what decided it. Only a fatal
 * alert (or SSLv2 ERROR), a close before the server sent a byte, or an
 * older version is a refusal; what the parser flags as not offered is an
 * anomaly and never support. */
static enum answer classify(struct task *t, enum net_outcome o, const char *pwhy,
                            const struct hello_result **out_res, char *why, size_t why_len)
{
    struct job *j = t->job;
    const struct hello_result *res = hello_flight_result(&t->flight);
    const char *vname = wire_version_name(t->wv);
    char a[160];
    *out_res = res;
    if (o == NET_CLOSED && t->flight_ready) {
        (void)hello_flight_eof(&t->flight);
    }
    switch (res->answer) {
    case HELLO_ANS_SERVER_HELLO:
    case HELLO_ANS_HRR:
        if (res->sh.version != wire_version_code(t->wv) || res->version_not_offered) {
            if (answer_is_lower_version(t, res)) {
                snprintf(why, why_len, "server answered with version 0x%04x", res->sh.version);
                return ANS_REFUSED;
            }
            snprintf(a, sizeof(a), "%s: server answered with version 0x%04x that was not offered",
                     vname, res->sh.version);
            return unoffered(j, why, why_len, a);
        }
        if (res->suite_not_offered) {
            snprintf(a, sizeof(a), "%s: server chose suite 0x%04X that was not offered", vname,
                     res->sh.suite);
            return unoffered(j, why, why_len, a);
        }
        if (res->group_not_offered) {
            snprintf(a, sizeof(a),
                     res->sh.hrr ? "%s: HelloRetryRequest for group 0x%04x that was not offered "
                                   "or already had a key share"
                                 : "%s: server chose group 0x%04x without a key share sent for it",
                     vname, res->sh.key_share_group);
            return unoffered(j, why, why_len, a);
        }
        if (res->compression_not_offered) {
            snprintf(a, sizeof(a), "%s: server chose compression method %u that was not offered",
                     vname, (unsigned)res->sh.compression);
            return unoffered(j, why, why_len, a);
        }
        return ANS_PICK;
    case HELLO_ANS_ALERT:
        snprintf(why, why_len, "alert: %s", hello_alert_name(res->alert.description));
        return ANS_REFUSED;
    case HELLO_ANS_SSL2_SERVER_HELLO:
        if (res->version_not_offered) {
            snprintf(a, sizeof(a), "%s: SSLv2 SERVER-HELLO with version 0x%04x", vname,
                     res->ssl2.version);
            return unoffered(j, why, why_len, a);
        }
        return ANS_PICK;
    case HELLO_ANS_SSL2_ERROR:
        snprintf(why, why_len, "SSLv2 error 0x%04x", res->ssl2_error);
        return ANS_REFUSED;
    case HELLO_ANS_NONE:
        break;
    }
    switch (o) {
    case NET_CLOSED:
        if (res->n_bytes == 0) {
            util_copy(why, why_len, "connection closed by the server");
            return ANS_REFUSED;
        }
        /* Some bytes, then a close without an alert: no clear answer. */
        snprintf(why, why_len, "connection closed inside the answer after %zu bytes", res->n_bytes);
        return ANS_INCONCLUSIVE;
    case NET_BAD_ANSWER: {
        const struct hello_error *e = hello_flight_error(&t->flight);
        snprintf(why, why_len, "unparsable answer at byte %zu: %s", e->offset,
                 e->reason ? e->reason : "?");
        return ANS_INCONCLUSIVE;
    }
    default:
        snprintf(why, why_len, "%s%s%s", net_outcome_name(o), pwhy[0] ? ": " : "", pwhy);
        return ANS_INCONCLUSIVE;
    }
}

static int suite_index(const uint32_t *list, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == code) {
            return (int)i;
        }
    }
    return -1;
}

static struct enum_suite *find_suite(struct enum_version_fact *vf, uint32_t code)
{
    for (size_t i = 0; i < vf->n_suites; i++) {
        if (vf->suites[i].code == code) {
            return &vf->suites[i];
        }
    }
    return NULL;
}

static void add_suite(struct enum_version_fact *vf, uint32_t code, const struct hello_result *res)
{
    if (find_suite(vf, code) != NULL) {
        return;
    }
    struct enum_suite *n = realloc(vf->suites, (vf->n_suites + 1) * sizeof(*n));
    if (n == NULL) {
        return;
    }
    vf->suites = n;
    struct enum_suite *s = &vf->suites[vf->n_suites++];
    memset(s, 0, sizeof(*s));
    s->code = code;
    s->server_rank = -1;
    if (res != NULL && res->have_ske) {
        const struct hello_ske *k = &res->ske;
        switch (k->kx) {
        case HELLO_KX_DHE:
        case HELLO_KX_DH_ANON:
        case HELLO_KX_DHE_PSK:
            s->kx_bits = (int)k->dh_p_bits;
            break;
        case HELLO_KX_ECDHE:
        case HELLO_KX_ECDH_ANON:
        case HELLO_KX_ECDHE_PSK:
            s->ec_group = k->ec_group;
            if (k->ec_curve_type == 3) {
                const struct group_info *g = registry_group_by_code(k->ec_group);
                s->kx_bits = g ? g->bits : 0;
            } else {
                s->kx_bits = (int)k->ec_field_bits;
            }
            break;
        case HELLO_KX_RSA_EXPORT:
            s->kx_bits = (int)k->rsa_modulus_bits;
            break;
        default:
            break;
        }
    } else if (res != NULL && res->sh.key_share_group != 0) {
        s->ec_group = res->sh.key_share_group;
        const struct group_info *g = registry_group_by_code(s->ec_group);
        s->kx_bits = g ? g->bits : 0;
    }
}

/* A SUITES answer: record the pick and offer the rest of the bundle. */
static void on_suites(struct task *t, enum answer a, const struct hello_result *res,
                      const char *why)
{
    struct job *j = t->job;
    struct vstate *vs = &j->vs[t->wv];
    struct enum_version_fact *vf = &j->out->versions[t->wv];
    if (a == ANS_PICK && t->wv == WV_SSL2) {
        /* The SSLv2 SERVER-HELLO lists every kind the server has. */
        for (size_t i = 0; i < res->ssl2.n_kinds; i++) {
            if (suite_index(t->suites, t->n_suites, res->ssl2.kinds[i]) >= 0) {
                add_suite(vf, res->ssl2.kinds[i], NULL);
                vf->suites[vf->n_suites - 1].server_rank = (int)vf->n_suites - 1;
            }
        }
        if (vf->n_suites == 0) {
            vs->any_refused = true;
            note(vs->refusal, sizeof(vs->refusal), "SSLv2 SERVER-HELLO with no shared cipher");
        }
        vs->bundles_left--;
        return;
    }
    if (a == ANS_PICK) {
        vf->echoed_exts |= res->sh.exts;
        add_suite(vf, res->sh.suite, res);
        if (t->wv == WV_TLS12) {
            early_extras(j, res->sh.suite);
        }
        int idx = suite_index(t->suites, t->n_suites, res->sh.suite);
        if (idx >= 0) {
            memmove(&t->suites[idx], &t->suites[idx + 1],
                    (t->n_suites - (size_t)idx - 1) * sizeof(*t->suites));
            t->n_suites--;
        }
        if (t->ffdhe) {
            /* Accepted only with FFDHE groups offered: the discovery
             * chain's picks no longer cover every suite. */
            vs->ffdhe_found = true;
            vs->single_bundle = false;
        }
        if (t->n_suites > 0 &&
            spawn_x(j, T_SUITES, t->wv, t->suites, t->n_suites, NULL, 0, t->ffdhe)) {
            return; /* the chain goes on */
        }
        /* The chain ends here (spawn_x noted why when it could not go on):
         * it must be counted down, or the version would never be decided
         * and stay "not-tested" with the suites it accepted. */
    } else if (a == ANS_REFUSED) {
        vs->any_refused = true;
        note(vs->refusal, sizeof(vs->refusal), why);
    } else if (t->n_suites >= 2 * ENUM_MIN_SPLIT && !j->silent && !j->out_of_time &&
               !j->out->unoffered_choice && !(t->outcome == NET_TIMEOUT && vs->timeout_split)) {
        /* Some servers choke on long hellos (reset, silence, garbage):
         * offer the two halves of the bundle instead, down to a small
         * size, before calling the evidence unclear. A slow server times
         * out whatever the length: after a timeout, split once only. */
        size_t half = t->n_suites / 2;
        vs->single_bundle = false;
        if (t->outcome == NET_TIMEOUT) {
            vs->timeout_split = true;
        }
        bool a_ok = spawn_x(j, T_SUITES, t->wv, t->suites, half, NULL, 0, t->ffdhe);
        bool b_ok =
            spawn_x(j, T_SUITES, t->wv, t->suites + half, t->n_suites - half, NULL, 0, t->ffdhe);
        vs->bundles_left += (int)a_ok + (int)b_ok;
        if (!a_ok || !b_ok) {
            vs->any_inconclusive = true;
            note(vs->inconclusive, sizeof(vs->inconclusive), why);
        }
    } else {
        vs->any_inconclusive = true;
        note(vs->inconclusive, sizeof(vs->inconclusive), why);
    }
    vs->bundles_left--;
}

static int cmp_rank(const void *a, const void *b)
{
    const struct enum_suite *x = a, *y = b;
    int rx = x->server_rank < 0 ? 1 << 30 : x->server_rank;
    int ry = y->server_rank < 0 ? 1 << 30 : y->server_rank;
    return (rx > ry) - (rx < ry);
}

static void version_final(struct job *j, enum wire_version wv)
{
    struct vstate *vs = &j->vs[wv];
    struct enum_version_fact *vf = &j->out->versions[wv];
    if (vs->done) {
        return;
    }
    vs->done = true;
    if (vf->order == ORDER_SERVER) {
        qsort(vf->suites, vf->n_suites, sizeof(*vf->suites), cmp_rank);
    }
    phase_after_suites(j, wv);
}

/* Offers the accepted suites not ranked yet, in discovery order. */
static void order_elim_next(struct job *j, enum wire_version wv)
{
    struct enum_version_fact *vf = &j->out->versions[wv];
    uint32_t rest[ENUM_MAX_LIST];
    size_t n = 0;
    for (size_t i = 0; i < vf->n_suites && n < ENUM_MAX_LIST; i++) {
        if (vf->suites[i].server_rank < 0) {
            rest[n++] = vf->suites[i].code;
        }
    }
    if (n == 1) {
        find_suite(vf, rest[0])->server_rank = j->vs[wv].next_rank++;
        n = 0;
    }
    if (n == 0 || !spawn_x(j, T_ORDER_ELIM, wv, rest, n, NULL, 0, j->vs[wv].ffdhe_found)) {
        version_final(j, wv);
    }
}

static void on_order(struct task *t, enum answer a, const struct hello_result *res, const char *why)
{
    struct job *j = t->job;
    struct vstate *vs = &j->vs[t->wv];
    struct enum_version_fact *vf = &j->out->versions[t->wv];
    uint32_t pick = a == ANS_PICK ? res->sh.suite : 0;
    if (t->kind == T_ORDER_ELIM) {
        struct enum_suite *s = a == ANS_PICK ? find_suite(vf, pick) : NULL;
        if (s == NULL || s->server_rank >= 0) {
            /* Refused an offer of suites it accepted one by one, or answered
             * with something else: the order is known only this far. */
            vf->incomplete = true;
            note(vf->incomplete_why, sizeof(vf->incomplete_why),
                 a == ANS_PICK ? "server order: unexpected pick" : why);
            version_final(j, t->wv);
            return;
        }
        s->server_rank = vs->next_rank++;
        order_elim_next(j, t->wv);
        return;
    }
    if (t->kind == T_ORDER_FWD) {
        vs->order_fwd = pick;
    } else {
        vs->order_rev = pick;
    }
    if (++vs->order_answers < 2) {
        return;
    }
    uint32_t first_fwd = vf->suites[0].code;
    uint32_t first_rev = vs->rev_first;
    if (vs->order_fwd != 0 && vs->order_fwd == vs->order_rev) {
        vf->order = ORDER_SERVER;
        if (vs->single_bundle && vs->order_fwd == first_fwd) {
            /* One bundle held every candidate, so each pick of the
             * discovery chain was the server's favourite among all it had
             * left: the discovery order is the server's order. */
            for (size_t i = 0; i < vf->n_suites; i++) {
                vf->suites[i].server_rank = (int)i;
            }
            version_final(j, t->wv);
            return;
        }
        find_suite(vf, vs->order_fwd)->server_rank = vs->next_rank++;
        order_elim_next(j, t->wv);
        return;
    }
    if (vs->order_fwd == first_fwd && vs->order_rev == first_rev) {
        vf->order = ORDER_CLIENT;
    } else {
        vf->order = ORDER_UNKNOWN;
        if (vs->order_fwd == 0 || vs->order_rev == 0) {
            vf->incomplete = true;
            note(vf->incomplete_why, sizeof(vf->incomplete_why), why);
        }
    }
    version_final(j, t->wv);
}

static size_t candidates(enum wire_version wv, uint32_t *out, size_t max);

/* Suites whose key exchange is finite-field Diffie-Hellman (RFC 7919 §4
 * "FFDHE cipher suites"). */
static bool is_ffdhe_kx(const struct suite_info *s)
{
    return (s->attrs & SUITE_KX_DHE) != 0;
}

/* Suites for which the server signs no key exchange (RSA, PSK, static DH,
 * anon ...): the cheapest answers a server can give. */
static bool is_unsigned_kx(uint32_t code)
{
    const struct suite_info *s = registry_suite_by_code(code);
    if (s == NULL || (s->attrs & (SUITE_ANON | SUITE_PSK)) != 0) {
        return true;
    }
    return (s->attrs & (SUITE_KX_ECDHE | SUITE_KX_DHE)) == 0;
}

/* Queues one probe offering the DHE suites of wv not accepted so far, with
 * the FFDHE groups offered too (see enum_groups_ffdhe). Returns whether it
 * was queued. */
static bool ffdhe_probe(struct job *j, enum wire_version wv)
{
    struct vstate *vs = &j->vs[wv];
    const struct enum_version_fact *vf = &j->out->versions[wv];
    vs->ffdhe_tried = true;
    if (wv < WV_TLS10 || wv > WV_TLS12 || j->silent || j->out_of_time) {
        return false;
    }
    uint32_t all[ENUM_MAX_LIST], rest[ENUM_MAX_LIST];
    size_t n = candidates(wv, all, ENUM_MAX_LIST);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct suite_info *s = registry_suite_by_code(all[i]);
        bool seen = false;
        for (size_t k = 0; k < vf->n_suites && !seen; k++) {
            seen = vf->suites[k].code == all[i];
        }
        if (s != NULL && is_ffdhe_kx(s) && !seen) {
            rest[m++] = all[i];
        }
    }
    if (m == 0 || !spawn_x(j, T_SUITES, wv, rest, m, NULL, 0, true)) {
        return false;
    }
    vs->bundles_left = 1;
    return true;
}

/* Called when a version's SUITES chains have all ended. */
static void suites_finished(struct job *j, enum wire_version wv)
{
    struct vstate *vs = &j->vs[wv];
    struct enum_version_fact *vf = &j->out->versions[wv];
    if (!vs->ffdhe_tried && ffdhe_probe(j, wv)) {
        return; /* back here when that chain ends */
    }
    if (vf->n_suites > 0) {
        vf->state = PROBE_ACCEPTED;
        if (vs->any_inconclusive) {
            vf->incomplete = true;
            note(vf->incomplete_why, sizeof(vf->incomplete_why), vs->inconclusive);
        }
    } else if (vs->any_inconclusive) {
        vf->state = PROBE_INCONCLUSIVE;
        util_copy(vf->reason, sizeof(vf->reason), vs->inconclusive);
    } else {
        vf->state = PROBE_REFUSED;
        util_copy(vf->reason, sizeof(vf->reason), vs->refusal);
    }
    if (vf->n_suites == 1 && wv != WV_SSL2) {
        vf->suites[0].server_rank = 0;
    }
    if (vf->n_suites < 2 || wv == WV_SSL2) {
        version_final(j, wv);
        return;
    }
    /* Two offers with different first suites, both holding every accepted
     * suite: a server that decides picks the same suite from both; one
     * that follows the client picks each offer's first. The reversed offer
     * starts, where possible, with a suite the server signs nothing for, so
     * that a client-order server answers it cheaply. */
    uint32_t fwd[ENUM_MAX_LIST], rev[ENUM_MAX_LIST];
    size_t n = vf->n_suites < ENUM_MAX_LIST ? vf->n_suites : ENUM_MAX_LIST;
    for (size_t i = 0; i < n; i++) {
        fwd[i] = vf->suites[i].code;
        rev[n - 1 - i] = vf->suites[i].code;
    }
    for (size_t i = 0; i + 1 < n; i++) {
        if (is_unsigned_kx(rev[i])) {
            uint32_t c = rev[i];
            memmove(&rev[1], &rev[0], i * sizeof(*rev));
            rev[0] = c;
            break;
        }
    }
    vs->rev_first = rev[0];
    bool ok = true;
    if (vs->single_bundle) {
        /* The chain's first probe offered every candidate (registry
         * order) and got fwd[0]: that was the forward offer already. */
        vs->order_fwd = fwd[0];
        vs->order_answers = 1;
    } else {
        ok = spawn_x(j, T_ORDER_FWD, wv, fwd, n, NULL, 0, vs->ffdhe_found);
    }
    ok = spawn_x(j, T_ORDER_REV, wv, rev, n, NULL, 0, vs->ffdhe_found) && ok;
    if (!ok) {
        version_final(j, wv);
    }
}

/* Removes v from list; false when it was not there. */
static bool list_drop(uint16_t *list, size_t *n, uint16_t v)
{
    for (size_t i = 0; i < *n; i++) {
        if (list[i] == v) {
            memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof(*list));
            (*n)--;
            return true;
        }
    }
    return false;
}

/* Appends v to a list of the server's choices; false when out of memory. */
static bool list_append(uint16_t **dst, size_t *n_dst, uint16_t v)
{
    uint16_t *grown = realloc(*dst, (*n_dst + 1) * sizeof(**dst));
    if (grown == NULL) {
        return false;
    }
    *dst = grown;
    (*dst)[(*n_dst)++] = v;
    return true;
}

/* A group or signature scheme the server chose without its being offered. */
static void not_offered(struct job *j, bool group, uint16_t v)
{
    char what[96];
    snprintf(what, sizeof(what), "server chose %s 0x%04x that was not offered",
             group ? "group" : "signature scheme", v);
    anomaly(j, what);
}

/* Elimination over a list (groups or signature schemes): record the
 * server's choice, drop it, offer the rest. */
static void on_list(struct task *t, enum answer a, const struct hello_result *res)
{
    struct job *j = t->job;
    struct enum_facts *e = j->out;
    uint16_t choice = 0;
    if (a == ANS_PICK) {
        if (t->kind == T_GROUPS13) {
            choice = res->sh.key_share_group;
        } else if (t->kind == T_GROUPS12 && res->have_ske && res->ske.ec_curve_type == 3) {
            choice = res->ske.ec_group;
        } else if (t->kind == T_SIGALGS12 && res->have_ske && res->ske.has_signature) {
            choice = res->ske.sig_scheme;
        }
    }
    if (choice == 0) {
        return; /* refused, or nothing more to learn */
    }
    if (!list_drop(t->list, &t->n_list, choice)) {
        not_offered(j, t->kind != T_SIGALGS12, choice);
        return;
    }
    uint16_t **dst = t->kind == T_GROUPS12   ? &e->groups12
                     : t->kind == T_GROUPS13 ? &e->groups13
                                             : &e->sigalgs12;
    size_t *n_dst = t->kind == T_GROUPS12   ? &e->n_groups12
                    : t->kind == T_GROUPS13 ? &e->n_groups13
                                            : &e->n_sigalgs12;
    if (list_append(dst, n_dst, choice) && t->n_list > 0) {
        spawn(j, t->kind, t->wv, t->suites, t->n_suites, t->list, t->n_list);
    }
}

static size_t groups_of_kind(uint16_t *out, size_t max, bool tls13);
static size_t sigschemes_all(uint16_t *out, size_t max);

/* Queues a T_KX12 probe: ECDHE suites with groups (gdone: the whole list)
 * and signature schemes (sdone: the whole list). */
static bool spawn_kx(struct job *j, const uint32_t *suites, size_t n_suites, const uint16_t *groups,
                     size_t n_groups, bool gdone, const uint16_t *schemes, size_t n_schemes,
                     bool sdone)
{
    if (j->silent || j->out_of_time) {
        return false;
    }
    struct task *t = task_new(j, T_KX12, WV_TLS12, suites, n_suites, groups, n_groups);
    if (t == NULL) {
        return false;
    }
    t->list2 = malloc((n_schemes ? n_schemes : 1) * sizeof(*t->list2));
    if (t->list2 == NULL) {
        task_free(t);
        return false;
    }
    if (n_schemes) {
        memcpy(t->list2, schemes, n_schemes * sizeof(*schemes));
    }
    t->n_list2 = n_schemes;
    t->gdone = gdone;
    t->sdone = sdone;
    return task_submit(t) == 0;
}

/* One side of a T_KX12 pick: records and drops v, or, when v was not
 * offered, notes the anomaly. Returns whether that side is finished. */
static bool kx_side(struct job *j, uint16_t *list, size_t *n, bool group, uint16_t v)
{
    if (!list_drop(list, n, v)) {
        not_offered(j, group, v);
        return true;
    }
    (void)list_append(group ? &j->out->groups12 : &j->out->sigalgs12,
                      group ? &j->out->n_groups12 : &j->out->n_sigalgs12, v);
    return *n == 0;
}

/* TLS 1.2 groups and signature schemes by one elimination: every signed
 * ECDHE answer names both, so each probe drops the group and the scheme
 * the server chose. A refusal means that one of the two lists ran out,
 * but not which: the two go on separately from there, each with the other
 * list offered whole. A side that ran out alone ends at its refusal. */
static void on_kx(struct task *t, enum answer a, const struct hello_result *res)
{
    struct job *j = t->job;
    uint16_t all[ENUM_MAX_LIST];
    bool gdone = t->gdone, sdone = t->sdone;
    if (a == ANS_PICK) {
        if (!res->have_ske || res->ske.ec_curve_type != 3 || !res->ske.has_signature) {
            return; /* only signed ECDHE suites were offered: nothing to learn */
        }
        if (!gdone) {
            gdone = kx_side(j, t->list, &t->n_list, true, res->ske.ec_group);
        }
        if (!sdone) {
            sdone = kx_side(j, t->list2, &t->n_list2, false, res->ske.sig_scheme);
        }
        if (gdone && sdone) {
            return;
        }
        if (gdone && !t->gdone) {
            (void)spawn_kx(j, t->suites, t->n_suites, all,
                           groups_of_kind(all, ENUM_MAX_LIST, false), true, t->list2, t->n_list2,
                           false);
        } else if (sdone && !t->sdone) {
            (void)spawn_kx(j, t->suites, t->n_suites, t->list, t->n_list, false, all,
                           sigschemes_all(all, ENUM_MAX_LIST), true);
        } else {
            (void)spawn_kx(j, t->suites, t->n_suites, t->list, t->n_list, gdone, t->list2,
                           t->n_list2, sdone);
        }
        return;
    }
    if (!gdone && !sdone) {
        uint16_t all2[ENUM_MAX_LIST];
        (void)spawn_kx(j, t->suites, t->n_suites, all, groups_of_kind(all, ENUM_MAX_LIST, false),
                       true, t->list2, t->n_list2, false);
        (void)spawn_kx(j, t->suites, t->n_suites, t->list, t->n_list, false, all2,
                       sigschemes_all(all2, ENUM_MAX_LIST), true);
    }
}

static enum fact_tri tri(bool b)
{
    return b ? TRI_YES : TRI_NO;
}

static void on_exts(struct task *t, enum answer a, const struct hello_result *res)
{
    struct enum_facts *e = t->job->out;
    if (a != ANS_PICK) {
        return;
    }
    unsigned x = res->sh.exts;
    if (t->kind == T_ETM) {
        e->encrypt_then_mac = tri(x & HELLO_EXT_ENCRYPT_THEN_MAC);
        return;
    }
    e->secure_renegotiation = tri(x & HELLO_EXT_RENEGOTIATION_INFO);
    e->extended_master_secret = tri(x & HELLO_EXT_EXTENDED_MASTER_SECRET);
    e->status_request = tri(x & HELLO_EXT_STATUS_REQUEST);
    e->session_ticket = tri(x & HELLO_EXT_SESSION_TICKET);
    e->heartbeat = tri(x & HELLO_EXT_HEARTBEAT);
    size_t n = res->sh.alpn_len < sizeof(e->alpn) - 1 ? res->sh.alpn_len : sizeof(e->alpn) - 1;
    memcpy(e->alpn, res->sh.alpn, n);
    e->alpn[n] = '\0';
}

static void task_done(void *ctx, enum net_outcome o, const char *pwhy)
{
    struct task *t = ctx;
    struct job *j = t->job;
    const struct hello_result *res = NULL;
    char why[FACT_TEXT] = "";
    enum answer a =
        t->flight_ready ? classify(t, o, pwhy, &res, why, sizeof(why)) : ANS_INCONCLUSIVE;
    if (!t->flight_ready) {
        util_copy(why, sizeof(why), "parser could not be set up");
    }
    t->outcome = o;
    if (o == NET_TIMEOUT || o == NET_CONNECT_FAILED) {
        /* Old-format hellos (SSLv2, SSLv3) may go unanswered by servers
         * that answer TLS: only TLS hellos count towards "silent". */
        if (t->wv >= WV_TLS10) {
            j->n_timeouts++;
        }
    } else if (o == NET_EXPIRED) {
        /* The loop ends every other probe of the job the same way. */
        j->out_of_time = true;
        j->out->budget_ran_out = true;
    } else if (o != NET_CANCELLED && o != NET_LOCAL_ERROR) {
        j->any_answer = true;
    }
    if (!j->any_answer && !j->silent && j->n_timeouts >= 2) {
        /* Two TLS probes timed out (each after a retry) or could not
         * connect, and nothing ever answered: stop queueing work for this
         * server. */
        j->silent = true;
        net_cancel_queued(j->loop, j->group);
    }
    switch (t->kind) {
    case T_SUITES:
    case T_SSL2:
        on_suites(t, a, res, why);
        if (j->vs[t->wv].bundles_left == 0) {
            suites_finished(j, t->wv);
        }
        break;
    case T_ORDER_FWD:
    case T_ORDER_REV:
    case T_ORDER_ELIM:
        on_order(t, a, res, why);
        break;
    case T_GROUPS12:
    case T_GROUPS13:
    case T_SIGALGS12:
        on_list(t, a, res);
        break;
    case T_KX12:
        on_kx(t, a, res);
        break;
    case T_EXTS:
    case T_ETM:
        on_exts(t, a, res);
        break;
    }
    j->pending--;
    task_free(t);
    job_maybe_finish(j);
}

/* ---- phases ------------------------------------------------------------- */

/* Registry suites usable with version wv, SCSVs left out. */
static size_t candidates(enum wire_version wv, uint32_t *out, size_t max)
{
    static const unsigned bit[WV_COUNT] = {REG_SSL2,  REG_SSL3,  REG_TLS10,
                                           REG_TLS11, REG_TLS12, REG_TLS13};
    size_t n = 0;
    for (size_t i = 0; i < registry_n_suites && n < max; i++) {
        const struct suite_info *s = &registry_suites[i];
        if ((s->versions & bit[wv]) && !registry_suite_is_scsv(s)) {
            out[n++] = s->code;
        }
    }
    return n;
}

static void start_version(struct job *j, enum wire_version wv)
{
    uint32_t all[ENUM_MAX_LIST];
    size_t n = candidates(wv, all, ENUM_MAX_LIST);
    struct vstate *vs = &j->vs[wv];
    if (n == 0) {
        j->out->versions[wv].state = PROBE_NOT_TESTED;
        vs->done = true;
        return;
    }
    if (wv == WV_SSL2) {
        vs->bundles_left = 1;
        if (!spawn(j, T_SSL2, wv, all, n, NULL, 0)) {
            vs->bundles_left = 0;
            suites_finished(j, wv);
        }
        return;
    }
    struct hello_params p;
    hello_params_init(&p, wire_version_code(wv));
    p.suites = all;
    p.n_suites = n;
    p.sni = j->sni;
    size_t fit = hello_max_suites(&p, HELLO_MAX_LEN);
    size_t bundle = fit < ENUM_MAX_BUNDLE ? fit : ENUM_MAX_BUNDLE;
    if (bundle == 0) {
        bundle = 1;
    }
    size_t n_bundles = (n + bundle - 1) / bundle;
    bundle = (n + n_bundles - 1) / n_bundles; /* even sizes */
    vs->bundles_left = (int)n_bundles;
    vs->single_bundle = n_bundles == 1;
    for (size_t off = 0; off < n; off += bundle) {
        size_t len = n - off < bundle ? n - off : bundle;
        if (!spawn(j, T_SUITES, wv, all + off, len, NULL, 0)) {
            vs->bundles_left--;
        }
    }
    if (vs->bundles_left == 0) {
        suites_finished(j, wv);
    }
}

static bool all_versions_done(const struct job *j)
{
    for (int v = 0; v < WV_COUNT; v++) {
        if (!j->vs[v].done) {
            return false;
        }
    }
    return true;
}

/* Accepted suites of vf whose registry entry satisfies pred. */
static size_t pick_suites(const struct enum_version_fact *vf,
                          bool (*pred)(const struct suite_info *), uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < vf->n_suites && n < max; i++) {
        const struct suite_info *s = registry_suite_by_code(vf->suites[i].code);
        if (s != NULL && pred(s)) {
            out[n++] = s->code;
        }
    }
    return n;
}

static bool is_ecdhe_signed(const struct suite_info *s)
{
    return (s->attrs & SUITE_KX_ECDHE) != 0 && (s->attrs & (SUITE_ANON | SUITE_PSK)) == 0;
}

static bool is_ecdhe_rsa(const struct suite_info *s)
{
    return (s->attrs & (SUITE_KX_ECDHE | SUITE_AUTH_RSA)) == (SUITE_KX_ECDHE | SUITE_AUTH_RSA);
}

static bool is_fs_signed(const struct suite_info *s)
{
    return (s->attrs & (SUITE_KX_ECDHE | SUITE_KX_DHE)) != 0 &&
           (s->attrs & (SUITE_ANON | SUITE_PSK)) == 0;
}

static bool is_cbc(const struct suite_info *s)
{
    return (s->attrs & SUITE_CBC) != 0;
}

static bool is_any(const struct suite_info *s)
{
    (void)s;
    return true;
}

static bool is_unsigned(const struct suite_info *s)
{
    return is_unsigned_kx(s->code);
}

static bool is_unsigned_cbc(const struct suite_info *s)
{
    return is_cbc(s) && is_unsigned_kx(s->code);
}

static size_t groups_of_kind(uint16_t *out, size_t max, bool tls13)
{
    size_t n = 0;
    for (size_t i = 0; i < registry_n_groups && n < max; i++) {
        const struct group_info *g = &registry_groups[i];
        bool ec = strcmp(g->kind, "ecdhe") == 0;
        if (tls13 ? (ec || strcmp(g->kind, "ffdhe") == 0 || strcmp(g->kind, "hybrid-pq") == 0 ||
                     strcmp(g->kind, "pq") == 0)
                  : ec) {
            out[n++] = g->code;
        }
    }
    return n;
}

/* Registry suites of version wv that satisfy pred, SCSVs left out. */
static size_t candidates_where(enum wire_version wv, bool (*pred)(const struct suite_info *),
                               uint32_t *out, size_t max)
{
    uint32_t all[ENUM_MAX_LIST];
    size_t n = candidates(wv, all, ENUM_MAX_LIST);
    size_t m = 0;
    for (size_t i = 0; i < n && m < max; i++) {
        const struct suite_info *s = registry_suite_by_code(all[i]);
        if (s != NULL && pred(s)) {
            out[m++] = all[i];
        }
    }
    return m;
}

static size_t sigschemes_all(uint16_t *out, size_t max)
{
    size_t m = 0;
    for (size_t i = 0; i < registry_n_sigschemes && m < max; i++) {
        out[m++] = registry_sigschemes[i].code;
    }
    return m;
}

/* The TLS 1.2 group and signature-scheme eliminations need only one suite
 * of a kind the server accepts, not the whole list: they start at the
 * discovery chain's first such pick and run alongside the chains, so that
 * the scan's longest sequence of probes is the TLS 1.2 chain alone. They
 * offer every registry suite of that kind; the server picks among the ones
 * it accepts, as it would among the accepted ones (start_extras). A pick
 * proves TLS 1.2 accepted, so TLS 1.2 is the version start_extras would
 * choose too. */
static void early_extras(struct job *j, uint32_t pick)
{
    const struct suite_info *p = registry_suite_by_code(pick);
    uint32_t s[ENUM_MAX_LIST];
    uint16_t l[ENUM_MAX_LIST];
    if (p == NULL || j->silent || j->out_of_time || j->extras_started) {
        return;
    }
    if (!j->groups12_started && !j->sigalgs12_started && is_ecdhe_signed(p)) {
        uint16_t l2[ENUM_MAX_LIST];
        size_t n = candidates_where(WV_TLS12, is_ecdhe_signed, s, ENUM_MAX_LIST);
        bool ok = spawn_kx(j, s, n, l, groups_of_kind(l, ENUM_MAX_LIST, false), false, l2,
                           sigschemes_all(l2, ENUM_MAX_LIST), false);
        j->groups12_started = j->sigalgs12_started = ok;
    }
}

/* After every version: groups, signature schemes, extensions. */
static void start_extras(struct job *j)
{
    j->extras_started = true;
    struct enum_facts *e = j->out;
    enum wire_version legacy = WV_COUNT;
    for (int v = WV_TLS12; v >= WV_SSL3; v--) {
        if (e->versions[v].state == PROBE_ACCEPTED) {
            legacy = (enum wire_version)v;
            break;
        }
    }
    uint32_t s[ENUM_MAX_LIST];
    uint16_t l[ENUM_MAX_LIST];
    if (legacy != WV_COUNT) {
        const struct enum_version_fact *vf = &e->versions[legacy];
        /* RSA-signed ECDHE suites first: with an ECDSA certificate the
         * server also needs its certificate's curve among the offered
         * groups (RFC 8422 §5.1), which would end the elimination early. */
        size_t n = pick_suites(vf, is_ecdhe_rsa, s, ENUM_MAX_LIST);
        if (n == 0) {
            n = pick_suites(vf, is_ecdhe_signed, s, ENUM_MAX_LIST);
        }
        if (n > 0 && !j->groups12_started) {
            j->groups12_started =
                spawn(j, T_GROUPS12, legacy, s, n, l, groups_of_kind(l, ENUM_MAX_LIST, false));
        }
        if (legacy == WV_TLS12 && !j->sigalgs12_started) {
            /* The scheme a server signs with does not depend on the key
             * exchange: ECDHE suites first, which cost a server less than
             * DHE ones. */
            n = pick_suites(vf, is_ecdhe_signed, s, ENUM_MAX_LIST);
            if (n == 0) {
                n = pick_suites(vf, is_fs_signed, s, ENUM_MAX_LIST);
            }
            size_t m = sigschemes_all(l, ENUM_MAX_LIST);
            if (n > 0 && m > 0) {
                j->sigalgs12_started = spawn(j, T_SIGALGS12, legacy, s, n, l, m);
            }
        }
        if (legacy != WV_SSL3) {
            /* Which extensions a server echoes does not depend on the
             * suite either (encrypt_then_mac only needs a CBC one): suites
             * it signs nothing for first, the cheapest answer. */
            n = pick_suites(vf, is_unsigned, s, ENUM_MAX_LIST);
            if (n == 0) {
                n = pick_suites(vf, is_any, s, ENUM_MAX_LIST);
            }
            spawn(j, T_EXTS, legacy, s, n, NULL, 0);
            n = pick_suites(vf, is_unsigned_cbc, s, ENUM_MAX_LIST);
            if (n == 0) {
                n = pick_suites(vf, is_cbc, s, ENUM_MAX_LIST);
            }
            if (n > 0) {
                spawn(j, T_ETM, legacy, s, n, NULL, 0);
            }
        }
    }
    const struct enum_version_fact *v13 = &e->versions[WV_TLS13];
    if (v13->state == PROBE_ACCEPTED) {
        size_t n = pick_suites(v13, is_any, s, ENUM_MAX_LIST);
        spawn(j, T_GROUPS13, WV_TLS13, s, n, l, groups_of_kind(l, ENUM_MAX_LIST, true));
    }
}

static void phase_after_suites(struct job *j, enum wire_version wv)
{
    (void)wv;
    if (!j->extras_started && all_versions_done(j)) {
        start_extras(j);
    }
}

static void job_maybe_finish(struct job *j)
{
    if (j->pending > 0) {
        return;
    }
    /* Versions whose work could not be queued end here. */
    for (int v = 0; v < WV_COUNT; v++) {
        j->vs[v].done = true;
    }
    if (!j->extras_started) {
        start_extras(j);
        if (j->pending > 0) {
            return;
        }
    }
    enum_facts_settle(j->out);
    j->out->collected = true;
    /* The group's deadline has nothing left to end; a passing deadline
     * costs the loop a walk of its queue. */
    int rc = net_group_deadline(j->loop, j->group, 0);
    (void)rc;
    void (*cb)(void *) = j->on_done;
    void *arg = j->arg;
    free(j->sni);
    free(j);
    cb(arg);
}

int enum_start(struct net_loop *l, unsigned group, const struct sockaddr_storage *sa,
               socklen_t sa_len, const char *sni, int64_t deadline_ms, struct enum_facts *out,
               void (*on_done)(void *arg), void *arg)
{
    if (net_group_deadline(l, group, deadline_ms) != 0) {
        return -1;
    }
    struct job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        return -1;
    }
    j->loop = l;
    j->group = group;
    j->sa = *sa;
    j->sa_len = sa_len;
    j->sni = sni ? strdup(sni) : NULL;
    j->out = out;
    j->on_done = on_done;
    j->arg = arg;
    if (sni != NULL && j->sni == NULL) {
        free(j);
        return -1;
    }
    /* Hold the job open while the first probes are queued. */
    j->pending = 1;
    for (int v = 0; v < WV_COUNT; v++) {
        start_version(j, (enum wire_version)v);
    }
    j->pending--;
    if (j->pending == 0 && out->n_probes == 0) {
        free(j->sni);
        free(j);
        return -1;
    }
    job_maybe_finish(j);
    return 0;
}
