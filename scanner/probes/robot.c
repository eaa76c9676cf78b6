/*
 * scanner/probes/robot.c - the "robot" probe (loop track, after the
 * enumeration, needs an accepted RSA key-exchange suite): ROBOT, Return Of
 * Bleichenbacher's Oracle Threat (CVE-2017-13099 and the family of
 * CVE-2017-6168, -17382, -17427, -17428, -12373, -1000385, -17874,
 * -13098): whether the server's reactions to a ClientKeyExchange tell a
 * well-formed PKCS#1 v1.5 premaster block from malformed ones.
 *
 * One connection per block (robot.h: five blocks), all five at once
 * within the target's connection cap: a ClientHello offering one accepted
 * TLS_RSA_* suite at the newest version <= TLS 1.2 that accepted one, the
 * server's first flight (hello.h's driver, at most ROBOT_FLIGHT_MAX bytes),
 * the leaf's RSA key (x509.h), the block encrypted with the raw public
 * operation (rsa_raw.h), then ClientKeyExchange, ChangeCipherSpec and a
 * Finished the server cannot decrypt; the reaction is read (robot.h). Five
 * equal reactions: not vulnerable (five connections). Different ones: the
 * five again, and the verdict over both rounds (robot_judge): a block
 * answered differently twice is noise (could-not-test). At most
 * ROBOT_ROUNDS x 5 = 10 connections, plus the loop's one retry of an
 * attempt that was reset or timed out; the budget deadline is the group's.
 * One probe_result row per target, with the suite and version used and
 * every reaction as evidence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/model/registry.h"
#include "common/util.h"
#include "scanner/hello.h"
#include "scanner/probes/registry.h"
#include "scanner/probes/robot.h"
#include "scanner/rsa_raw.h"
#include "scanner/x509.h"

#define ROBOT_ID "robot"
#define ROBOT_ROUNDS 2
#define ROBOT_FLIGHT_MAX (128 * 1024) /* the server's first flight, certificates included */

struct robot_job;

/* One connection: one block of one round. */
struct robot_conn {
    struct robot_job *job;
    enum robot_variant variant;
    bool flight_ready; /* flight initialised */
    bool in_reaction;  /* the second flight went out: what comes now is the reaction */
    bool failed;       /* it never got to the reaction: why */
    char why[FACT_TEXT];
    struct hello_flight flight;
    struct robot_reader rd;
};

struct robot_job {
    struct probe_ctx *c;
    void (*done)(void *arg);
    void *arg;
    enum tls_version version;
    uint16_t wire;
    uint32_t suite;
    uint32_t suites[1];
    struct hello_params hp;
    size_t round; /* the round under way */
    unsigned pending;
    unsigned key_bits;       /* of the key the last block was encrypted to */
    struct x509_rsa_key key; /* scratch for send_block (2.5 KiB: off the loop's stack) */
    struct robot_conn conns[ROBOT_ROUNDS][ROBOT_N_VARIANTS];
};

/* Fills buf with n random bytes (libc's getrandom); false when it fails. */
static bool random_bytes(uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
    }
    return true;
}

static void conn_fail(struct robot_conn *k, const char *why)
{
    k->failed = true;
    util_copy(k->why, sizeof(k->why), why);
}

static void robot_on_connect(void *ctx, struct wbuf *out)
{
    struct robot_conn *k = ctx;
    if (!k->flight_ready) {
        if (hello_flight_init(&k->flight, &k->job->hp, 0, ROBOT_FLIGHT_MAX) != HELLO_OK) {
            conn_fail(k, "out of memory");
            return; /* nothing sent: the read times out, done records the failure */
        }
        k->flight_ready = true;
    }
    if (hello_build(&k->job->hp, out) != HELLO_OK) {
        conn_fail(k, "the ClientHello could not be built");
    }
}

/* What the server's first flight lacks for the test, or NULL. */
static const char *flight_problem(const struct robot_job *j, const struct hello_result *res)
{
    if (res->answer == HELLO_ANS_ALERT) {
        return "the server refused the RSA suite's hello with an alert";
    }
    if (res->answer != HELLO_ANS_SERVER_HELLO) {
        return "the server's answer to the hello is no ServerHello";
    }
    if (res->sh.version != j->wire || res->sh.suite != j->suite) {
        return "the server chose another version or suite than the one offered";
    }
    if (!res->have_certificate || res->certificate.n_certs == 0) {
        return "the server sent no certificate";
    }
    if (!res->have_done || res->have_ske) {
        return "the server's first flight is not Certificate then ServerHelloDone";
    }
    return NULL;
}

/* Encrypts k's block to the leaf's key and appends the second flight;
 * false (k failed) when it cannot. */
static bool send_block(struct robot_conn *k, const struct hello_result *res, struct wbuf *out)
{
    struct robot_job *j = k->job;
    struct x509_rsa_key *key = &j->key;
    char why[FACT_TEXT];
    const struct rbuf *leaf = &res->certificate.certs[0];
    if (x509_rsa_public_key(leaf->data, leaf->len, key, why, sizeof(why)) != 0) {
        conn_fail(k, why);
        return false;
    }
    if (key->n_len < ROBOT_MIN_BLOCK) {
        conn_fail(k, "the certificate's RSA key is too small for a PKCS#1 premaster block");
        return false;
    }
    uint8_t rnd[ROBOT_MAX_BLOCK + ROBOT_FINISHED_LEN];
    uint8_t block[ROBOT_MAX_BLOCK];
    uint8_t enc[ROBOT_MAX_BLOCK];
    if (!random_bytes(rnd, key->n_len + ROBOT_FINISHED_LEN) ||
        robot_pkcs1_block(k->variant, j->wire, rnd, key->n_len, block) != 0 ||
        rsa_raw_public(key->n, key->n_len, key->e, key->e_len, block, key->n_len, enc,
                       key->n_len) != 0 ||
        !robot_build_key_exchange(j->wire, res->have_certificate_request, enc, key->n_len,
                                  rnd + key->n_len, out)) {
        conn_fail(k, "the ClientKeyExchange could not be built");
        return false;
    }
    j->key_bits = key->bits;
    k->in_reaction = true;
    return true;
}

static enum net_step robot_on_bytes(void *ctx, const uint8_t *in, size_t len, struct wbuf *out)
{
    struct robot_conn *k = ctx;
    if (k->failed) {
        return NET_FAILED;
    }
    if (k->in_reaction) {
        return robot_reader_feed(&k->rd, in, len) ? NET_DONE : NET_MORE;
    }
    enum hello_status st = hello_flight_feed(&k->flight, in, len);
    if (st == HELLO_NEED_MORE) {
        return NET_MORE;
    }
    const struct hello_result *res = hello_flight_result(&k->flight);
    const char *problem =
        st == HELLO_FAILED ? hello_flight_error(&k->flight)->reason : flight_problem(k->job, res);
    if (st == HELLO_FAILED || problem != NULL) {
        char why[FACT_TEXT];
        snprintf(why, sizeof(why), "%s", problem != NULL ? problem : "the first flight failed");
        conn_fail(k, why);
        return NET_DONE;
    }
    /* Bytes after ServerHelloDone (there should be none) are ignored. */
    return send_block(k, res, out) ? NET_MORE : NET_DONE;
}

static void robot_reset(void *ctx)
{
    struct robot_conn *k = ctx;
    if (k->flight_ready) {
        hello_flight_cleanup(&k->flight);
    }
    k->flight_ready = k->in_reaction = k->failed = false;
    k->why[0] = '\0';
    robot_reader_init(&k->rd);
}

static void round_done(struct robot_job *j);

static void robot_done(void *ctx, enum net_outcome outcome, const char *why)
{
    struct robot_conn *k = ctx;
    if (k->in_reaction && !k->failed) {
        switch (outcome) {
        case NET_COMPLETED:
            break;
        case NET_CLOSED:
            robot_reader_end(&k->rd, ROBOT_END_CLOSED);
            break;
        case NET_RESET:
            robot_reader_end(&k->rd, ROBOT_END_RESET);
            break;
        case NET_TIMEOUT:
            robot_reader_end(&k->rd, ROBOT_END_TIMEOUT);
            break;
        default:
            conn_fail(k, net_outcome_name(outcome));
            break;
        }
    } else if (!k->failed) {
        char text[FACT_TEXT];
        snprintf(text, sizeof(text), "before the ClientKeyExchange: %s%s%s",
                 net_outcome_name(outcome), why != NULL && why[0] != '\0' ? ": " : "",
                 why != NULL ? why : "");
        conn_fail(k, text);
    }
    if (k->flight_ready) {
        hello_flight_cleanup(&k->flight);
        k->flight_ready = false;
    }
    if (--k->job->pending == 0) {
        round_done(k->job);
    }
}

static const struct net_probe_ops robot_ops = {
    .on_connect = robot_on_connect,
    .on_bytes = robot_on_bytes,
    .reset = robot_reset,
    .done = robot_done,
};

/* Queues the round's five connections; how many were queued (the others
 * are failed). */
static unsigned start_round(struct robot_job *j)
{
    const struct probe_ctx *c = j->c;
    unsigned queued = 0;
    j->pending = ROBOT_N_VARIANTS; /* held while queueing: no round_done inside */
    for (int v = 0; v < ROBOT_N_VARIANTS; v++) {
        struct robot_conn *k = &j->conns[j->round][v];
        memset(k, 0, sizeof(*k));
        k->job = j;
        k->variant = (enum robot_variant)v;
        robot_reader_init(&k->rd);
        struct net_req req = {.sa = c->addr->sa,
                              .sa_len = c->addr->sa_len,
                              .group = c->group,
                              .ops = &robot_ops,
                              .ctx = k,
                              .dialogue = NULL};
        if (net_submit(c->loop, &req) != 0) {
            conn_fail(k, "the connection could not be queued");
            j->pending--;
        } else {
            queued++;
        }
    }
    return queued;
}

/* The evidence: the suite, the key, every reaction of every round run, "; "-separated (one line in
 * every report). */
static void write_evidence(const struct robot_job *j, size_t n_rounds, char *buf, size_t len)
{
    const struct suite_info *s = registry_suite_by_code(j->suite);
    char key[32];
    util_copy(key, sizeof(key), "no RSA key");
    if (j->key_bits > 0) {
        snprintf(key, sizeof(key), "%u-bit RSA key", j->key_bits);
    }
    int n = snprintf(buf, len, "%s %s (0x%04X), %s; %u connections", tls_version_name(j->version),
                     s != NULL ? s->iana_name : "?", (unsigned)j->suite, key,
                     (unsigned)(n_rounds * ROBOT_N_VARIANTS));
    size_t used = n > 0 ? (size_t)n : 0;
    for (size_t r = 0; r < n_rounds && used < len; r++) {
        for (int v = 0; v < ROBOT_N_VARIANTS && used < len; v++) {
            const struct robot_conn *k = &j->conns[r][v];
            char text[FACT_TEXT];
            if (k->failed) {
                snprintf(text, sizeof(text), "not tested: %s", k->why);
            } else {
                robot_reaction_text(&k->rd.reaction, text, sizeof(text));
            }
            n = snprintf(buf + used, len - used, "; round %zu, %s: %s", r + 1,
                         robot_variant_name((enum robot_variant)v), text);
            used += n > 0 ? (size_t)n : 0;
        }
    }
}

/* The first connection of round r that did not get to a reaction, or NULL. */
static const struct robot_conn *first_failed(const struct robot_job *j, size_t r)
{
    for (int v = 0; v < ROBOT_N_VARIANTS; v++) {
        if (j->conns[r][v].failed) {
            return &j->conns[r][v];
        }
    }
    return NULL;
}

/* Records the row of the verdict over n_rounds rounds, frees j, ends the row. */
static void finish(struct robot_job *j, size_t n_rounds, enum robot_verdict v, const char *cnt)
{
    char ev[PROBE_EVIDENCE_MAX];
    char detail[FACT_TEXT];
    enum probe_result_state st = PR_COULD_NOT_TEST;
    write_evidence(j, n_rounds, ev, sizeof(ev));
    const char *rw = "well-formed and malformed PKCS#1 v1.5 premaster blocks got different answers "
                     "(the same ones in both rounds)";
    switch (v) {
    case ROBOT_V_NOT_VULNERABLE:
        st = PR_NEGATIVE;
        snprintf(detail, sizeof(detail),
                 "not vulnerable: every PKCS#1 v1.5 premaster block got the same answer");
        break;
    case ROBOT_V_WEAK:
        st = PR_POSITIVE;
        snprintf(detail, sizeof(detail), "vulnerable (weak oracle, CVE-2017-13099 family): %s", rw);
        break;
    case ROBOT_V_STRONG:
        st = PR_POSITIVE;
        snprintf(detail, sizeof(detail), "vulnerable (strong oracle, CVE-2017-13099 family): %s",
                 rw);
        break;
    case ROBOT_V_INCONSISTENT:
        snprintf(detail, sizeof(detail),
                 "could not test: the same block got different answers in the two rounds (noise, "
                 "or servers behind one address that differ)");
        break;
    case ROBOT_V_NO_ANSWER:
        snprintf(detail, sizeof(detail),
                 "could not test: the server answered no ClientKeyExchange (every one timed out)");
        break;
    case ROBOT_V_MORE:
        snprintf(detail, sizeof(detail), "could not test: %s", cnt != NULL ? cnt : "?");
        break;
    }
    probe_record(j->c, ROBOT_ID, j->version, j->suite, st, detail, ev);
    /* Nothing of the group is left to end (as the enumeration does): a
     * passing deadline costs the loop a walk of its queue. */
    int rc = net_group_deadline(j->c->loop, j->c->group, 0);
    (void)rc;
    void (*done)(void *) = j->done;
    void *arg = j->arg;
    free(j);
    done(arg);
}

static void round_done(struct robot_job *j)
{
    size_t n_rounds = j->round + 1;
    const struct robot_conn *bad = first_failed(j, j->round);
    if (bad != NULL) {
        char why[FACT_TEXT + 64]; /* the row keeps FACT_TEXT - 1 bytes of it */
        snprintf(why, sizeof(why), "the %s block's connection: %s",
                 robot_variant_name(bad->variant), bad->why);
        finish(j, n_rounds, ROBOT_V_MORE, why);
        return;
    }
    struct robot_reaction rounds[ROBOT_ROUNDS * ROBOT_N_VARIANTS];
    for (size_t r = 0; r < n_rounds; r++) {
        for (int i = 0; i < ROBOT_N_VARIANTS; i++) {
            rounds[r * ROBOT_N_VARIANTS + (size_t)i] = j->conns[r][i].rd.reaction;
        }
    }
    enum robot_verdict v = robot_judge(rounds, n_rounds);
    if (v != ROBOT_V_MORE) {
        finish(j, n_rounds, v, NULL);
        return;
    }
    if (j->round + 1 >= ROBOT_ROUNDS || (j->c->deadline != 0 && util_mono_ms() >= j->c->deadline)) {
        finish(j, n_rounds, ROBOT_V_MORE,
               "the answers differed and the time budget ran out "
               "before the second round");
        return;
    }
    j->round++;
    if (start_round(j) == 0) {
        finish(j, n_rounds, ROBOT_V_MORE, "the second round's connections could not be queued");
    }
}

/* Picks the newest version <= TLS 1.2 with an accepted non-export RSA
 * key-exchange suite, and that version's first such suite (the server's
 * order when known); false when there is none. */
static bool pick_suite(const struct enum_facts *e, enum tls_version *out_v, uint32_t *out_suite)
{
    for (int v = TLSV_TLS12; v >= TLSV_SSL3; v--) {
        for (size_t i = 0; i < e->versions[v].n_suites; i++) {
            uint32_t code = e->versions[v].suites[i].code;
            const struct suite_info *s = registry_suite_by_code(code);
            if (s != NULL && (s->attrs & SUITE_KX_RSA) != 0 && (s->attrs & SUITE_EXPORT) == 0) {
                *out_v = (enum tls_version)v;
                *out_suite = code;
                return true;
            }
        }
    }
    return false;
}

int probe_robot_start(struct probe_ctx *c, void (*done)(void *arg), void *arg)
{
    enum tls_version version = TLSV_TLS12;
    uint32_t suite = 0;
    if (!pick_suite(&c->r->enumeration, &version, &suite)) {
        probe_record(c, ROBOT_ID, PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST,
                     "could not test: the accepted RSA key-exchange suites are EXPORT or SSL 2.0 "
                     "ones only",
                     NULL);
        return -1;
    }
    struct robot_job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        probe_record(c, ROBOT_ID, version, suite, PR_COULD_NOT_TEST,
                     "could not test: out of memory", NULL);
        return -1;
    }
    j->c = c;
    j->done = done;
    j->arg = arg;
    j->version = version;
    j->wire = tls_version_wire(version);
    j->suite = suite;
    j->suites[0] = suite;
    hello_params_init(&j->hp, j->wire);
    j->hp.suites = j->suites;
    j->hp.n_suites = 1;
    j->hp.sni = c->r->sni;
    j->hp.options |= HELLO_OPT_SCSV_RENEGOTIATION;
    if ((c->deadline != 0 && net_group_deadline(c->loop, c->group, c->deadline) != 0) ||
        start_round(j) == 0) {
        probe_record(c, ROBOT_ID, version, suite, PR_COULD_NOT_TEST,
                     "could not test: no connection could be queued", NULL);
        free(j);
        return -1;
    }
    return 0;
}
