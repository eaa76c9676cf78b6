/*
 * scanner/enum/enum.h - what the parts of the enumeration share (private to
 * scanner/enum/ and scanner/enumerate.c; scanner/enumerate.h is the
 * interface the scan uses).
 *
 * One file per part: probe.c (a task: its hello, its conversation ops,
 * queueing), answer.c (what a first flight says: pick, refusal,
 * inconclusive), select.c (registry selections and suite predicates),
 * suites.c (per-version suite bundles: pick, drop, offer the rest; the
 * version's state), order.c (client-vs-server order, the discovery chain
 * or elimination), ffdhe.c (the FFDHE follow-up), lists.c (group and
 * signature-scheme elimination, TLS 1.2 and TLS 1.3 by HelloRetryRequest),
 * kx12.c (the joint TLS 1.2 group and scheme elimination), extras.c (what
 * runs after the versions: groups, schemes, extensions); the driver that
 * starts and sequences them is scanner/enumerate.c.
 *
 * Ownership: a task owns its lists and hello and is freed by
 * enum_task_done (or by enum_task_submit when it cannot be queued); the
 * job owns its SNI and is freed when it ends (enum_job_maybe_finish).
 */
#ifndef TLSAUDIT_SCANNER_ENUM_ENUM_H
#define TLSAUDIT_SCANNER_ENUM_ENUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "common/model/registry.h"
#include "scanner/enumerate.h"
#include "scanner/hello.h"
#include "scanner/net/loop.h"

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
    const struct net_dialogue *dialogue; /* the target's pre-TLS dialogue, NULL: none (borrowed) */
    struct enum_facts *out;
    int pending;
    struct vstate vs[TLSV_COUNT];
    bool extras_started;
    bool groups12_started;  /* the TLS 1.2 group elimination is queued */
    bool sigalgs12_started; /* the TLS 1.2 signature-scheme elimination is queued */
    bool silent;            /* timeouts and no answer at all: stop probing */
    bool out_of_time;       /* the target's time budget ran out: stop probing */
    int n_timeouts;
    bool any_answer;
    void (*on_done)(void *arg);
    void *arg;
    /* How a built probe is queued: net_submit, or a unit test's recorder
     * (tests/unit/enumerate_test.c) that answers it by hand. */
    int (*submit)(struct net_loop *l, const struct net_req *r);
    /* The last leaf certificate seen (SHA-256 of its DER) and its SPKI's
     * SHA-256 (kex.c): a server sends the same leaf every time. */
    char leaf_der_sha256[65];
    char leaf_spki_sha256[65];
};

struct task {
    struct job *job;
    enum task_kind kind;
    enum tls_version wv;
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

enum answer {
    ANS_PICK,         /* a ServerHello (or HRR) under the version offered */
    ANS_REFUSED,      /* a fatal alert, a close before any byte, a lower version */
    ANS_INCONCLUSIVE, /* timeout, reset, garbage, a close inside the answer, an
                         unoffered choice (suite, version, group, compression) */
};

/* probe.c */
void enum_note(char *dst, size_t dst_size, const char *text);
void enum_anomaly(struct job *j, const char *what);
struct task *enum_task_new(struct job *j, enum task_kind kind, enum tls_version wv,
                           const uint32_t *suites, size_t n_suites, const uint16_t *list,
                           size_t n_list);
void enum_task_free(struct task *t);
int enum_task_submit(struct task *t);
bool enum_spawn_x(struct job *j, enum task_kind kind, enum tls_version wv, const uint32_t *suites,
                  size_t n_suites, const uint16_t *list, size_t n_list, bool ffdhe);
bool enum_spawn(struct job *j, enum task_kind kind, enum tls_version wv, const uint32_t *suites,
                size_t n_suites, const uint16_t *list, size_t n_list);

/* answer.c */
enum answer enum_classify(struct task *t, enum net_outcome o, const char *pwhy,
                          const struct hello_result **out_res, char *why, size_t why_len);

/* select.c */
size_t enum_candidates(enum tls_version wv, uint32_t *out, size_t max);
size_t enum_candidates_where(enum tls_version wv, bool (*pred)(const struct suite_info *),
                             uint32_t *out, size_t max);
size_t enum_pick_suites(const struct enum_version_fact *vf, bool (*pred)(const struct suite_info *),
                        uint32_t *out, size_t max);
size_t enum_groups_of_kind(uint16_t *out, size_t max, bool tls13);
size_t enum_sigschemes_all(uint16_t *out, size_t max);
bool enum_is_unsigned_kx(uint32_t code);
bool enum_is_ffdhe_kx(const struct suite_info *s);
bool enum_is_ecdhe_signed(const struct suite_info *s);
bool enum_is_ecdhe_rsa(const struct suite_info *s);
bool enum_is_fs_signed(const struct suite_info *s);
bool enum_is_cbc(const struct suite_info *s);
bool enum_is_any(const struct suite_info *s);
bool enum_is_unsigned(const struct suite_info *s);
bool enum_is_unsigned_cbc(const struct suite_info *s);

/* suites.c */
size_t enum_bundle_size(size_t n, size_t fit, size_t *out_n_bundles);
struct enum_suite *enum_find_suite(struct enum_version_fact *vf, uint32_t code);
void enum_start_version(struct job *j, enum tls_version wv);
void enum_on_suites(struct task *t, enum answer a, const struct hello_result *res, const char *why);
void enum_version_settle(const struct vstate *vs, struct enum_version_fact *vf,
                         enum tls_version wv);
void enum_suites_finished(struct job *j, enum tls_version wv);

/* order.c */
void enum_order_start(struct job *j, enum tls_version wv);
void enum_on_order(struct task *t, enum answer a, const struct hello_result *res, const char *why);
void enum_version_final(struct job *j, enum tls_version wv);

/* ffdhe.c */
extern const uint16_t enum_groups_ffdhe[];
extern const size_t enum_n_groups_ffdhe;
bool enum_ffdhe_probe(struct job *j, enum tls_version wv);

/* lists.c */
bool enum_list_drop(uint16_t *list, size_t *n, uint16_t v);
bool enum_list_append(uint16_t **dst, size_t *n_dst, uint16_t v);
void enum_not_offered(struct job *j, bool group, uint16_t v);
void enum_on_list(struct task *t, enum answer a, const struct hello_result *res);

/* kx12.c */
bool enum_spawn_kx(struct job *j, const uint32_t *suites, size_t n_suites, const uint16_t *groups,
                   size_t n_groups, bool gdone, const uint16_t *schemes, size_t n_schemes,
                   bool sdone);
void enum_on_kx(struct task *t, enum answer a, const struct hello_result *res);
void enum_early_extras(struct job *j, uint32_t pick);

/* extras.c */
void enum_start_extras(struct job *j);
void enum_on_exts(struct task *t, enum answer a, const struct hello_result *res);

/* scanner/enumerate.c (the driver) */
struct job *enum_job_new(struct net_loop *l, unsigned group, const struct sockaddr_storage *sa,
                         socklen_t sa_len, const char *sni, struct enum_facts *out,
                         void (*on_done)(void *arg), void *arg);
void enum_task_done(void *ctx, enum net_outcome o, const char *why);
/* kex.c: enum_collect_kex adds what a picked answer's first flight carried
 * (DH prime, DH/ECDH public value, leaf SPKI, by SHA-256) to
 * j->out->kex. */
void enum_collect_kex(struct job *j, enum tls_version wv, const struct hello_result *res);
void enum_phase_after_suites(struct job *j, enum tls_version wv);
void enum_job_maybe_finish(struct job *j);

#endif
