/*
 * scanner/probes/registry.c - the scanner's table of probes, the needs
 * they declare, and the runners that walk a table track by track (see
 * registry.h).
 *
 * The table's order is the order the probes run in on their track: the
 * worker track first asks what the plaintext side says (PostgreSQL
 * without TLS, the STARTTLS dialogue), then the versions (the chain comes
 * from the newest accepted one), then checks the chain, HSTS, and the TLS
 * 1.3 signature schemes, then runs the full-handshake probes
 * (renegotiation, resumption, early data, Ticketbleed) and the STARTTLS
 * injection check; the loop track runs the enumeration, then the
 * probes that need its facts (the extra hellos, heartbleed, ccs_injection,
 * robot). A new probe is one file under scanner/probes/ and one row here.
 */
#include "scanner/probes/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/registry.h"
#include "common/util.h"
#include "scanner/probes/cache.h"
#include "scanner/scan.h"

static const struct probe_def probe_defs_default[] = {
    /* Before the dialogue, so a server that refuses TLS is asked too
     * (plaintext.c: PostgreSQL only). */
    {.id = "plaintext_session", .track = PROBE_TRACK_WORKER, .run = probe_plaintext_session_run},
    {.id = "starttls",
     .track = PROBE_TRACK_WORKER,
     .flags = PROBE_OWN_FACTS,
     .run = probe_starttls_run},
    {.id = "versions",
     .track = PROBE_TRACK_WORKER,
     .flags = PROBE_OWN_FACTS,
     .run = probe_versions_run},
    {.id = "chain",
     .track = PROBE_TRACK_WORKER,
     .needs = NEED_TLS_ACCEPTED,
     .unmet_state = PR_NOT_APPLICABLE,
     .flags = PROBE_OWN_FACTS,
     .run = probe_chain_run},
    {.id = "deployments",
     .track = PROBE_TRACK_WORKER,
     .needs = NEED_CHAIN,
     .unmet_state = PR_NOT_APPLICABLE,
     .flags = PROBE_OWN_FACTS,
     .run = probe_deployments_run},
    {.id = "hsts",
     .track = PROBE_TRACK_WORKER,
     .needs = NEED_TLS_ACCEPTED,
     .unmet_state = PR_NOT_APPLICABLE,
     .flags = PROBE_OWN_FACTS,
     .wanted = probe_hsts_wanted,
     .run = probe_hsts_run},
    {.id = "sigschemes13",
     .track = PROBE_TRACK_WORKER,
     .needs = NEED_TLS13,
     .unmet_state = PR_NOT_APPLICABLE,
     .flags = PROBE_OWN_FACTS,
     .wanted = probe_enumeration_wanted,
     .run = probe_sigschemes13_run},
/* The full-handshake probes (vulns_full.c): GnuTLS sessions of more than
 * one handshake, after the worker rows above. Each answer is the virtual
 * host's (its renegotiation, session cache, tickets, early data), so a
 * result is reused for the same SNI only (probes/cache.h). */
#define FULL_ROW(name, more_flags)                                                                 \
    {                                                                                              \
        .id = #name, .track = PROBE_TRACK_WORKER, .needs = NEED_TLS_ACCEPTED,                      \
        .unmet_state = PR_NOT_APPLICABLE, .flags = PROBE_VULN | (more_flags),                      \
        .run = probe_##name##_run                                                                  \
    }
    FULL_ROW(client_renegotiation, PROBE_REUSE_SNI),
    FULL_ROW(resumption_id, PROBE_REUSE_SNI),
    FULL_ROW(resumption_ticket, PROBE_REUSE_SNI),
    FULL_ROW(early_data, PROBE_REUSE_SNI),
    FULL_ROW(ticketbleed, PROBE_INTRUSIVE | PROBE_REUSE_SNI),
#undef FULL_ROW
    /* CVE-2011-0411 class: a command pipelined after STARTTLS, answered
     * inside TLS (starttls_inject.c); not-applicable to direct TLS. */
    {.id = "starttls_injection",
     .track = PROBE_TRACK_WORKER,
     .needs = NEED_TLS_ACCEPTED,
     .unmet_state = PR_NOT_APPLICABLE,
     .flags = PROBE_VULN,
     .run = probe_starttls_injection_run},
    {.id = "enumeration",
     .track = PROBE_TRACK_LOOP,
     .flags = PROBE_OWN_FACTS,
     .wanted = probe_enumeration_wanted,
     .start = probe_enumeration_start},
    /* The conversation vulnerability probes (heartbleed.c, ccs_injection.c):
     * one connection each (a retry after a reset or timeout), on the
     * version and suite the enumeration found accepted; bugs of the TLS
     * stack's record layer, reused whatever the SNI (probes/cache.h). */
    {.id = "heartbleed",
     .track = PROBE_TRACK_LOOP,
     .needs = NEED_ENUMERATION,
     .unmet_state = PR_COULD_NOT_TEST,
     .flags = PROBE_VULN | PROBE_INTRUSIVE | PROBE_REUSE_ADDR,
     .start = probe_heartbleed_start},
    {.id = "ccs_injection",
     .track = PROBE_TRACK_LOOP,
     .needs = NEED_ENUMERATION,
     .unmet_state = PR_COULD_NOT_TEST,
     .flags = PROBE_VULN | PROBE_INTRUSIVE | PROBE_REUSE_ADDR,
     .start = probe_ccs_injection_start},
/* One extra ClientHello each after the enumeration, from its facts
 * (hello_conv.c): one connection per row. How the stack parses a hello
 * (GREASE, versions, length) and checks the SCSV against the versions the
 * facts name is reused whatever the SNI; compression is an option a
 * virtual host may set, so it is reused for the same SNI only. */
#define HELLO_ROW(name, reuse)                                                                     \
    {                                                                                              \
        .id = #name, .track = PROBE_TRACK_LOOP, .needs = NEED_ENUMERATION,                         \
        .unmet_state = PR_COULD_NOT_TEST, .flags = PROBE_VULN | (reuse),                           \
        .start = probe_##name##_start                                                              \
    }
    HELLO_ROW(compression, PROBE_REUSE_SNI),
    HELLO_ROW(fallback_scsv, PROBE_REUSE_ADDR),
    HELLO_ROW(grease_intolerance, PROBE_REUSE_ADDR),
    HELLO_ROW(version_intolerance, PROBE_REUSE_ADDR),
    HELLO_ROW(long_hello_intolerance, PROBE_REUSE_ADDR),
#undef HELLO_ROW
    {.id = "robot",
     .track = PROBE_TRACK_LOOP,
     .needs = NEED_ENUMERATION | NEED_RSA_KX,
     .unmet_state = PR_NOT_APPLICABLE,
     /* the oracle is the RSA key the virtual host's certificate holds */
     .flags = PROBE_VULN | PROBE_INTRUSIVE | PROBE_REUSE_SNI,
     .start = probe_robot_start},
/* The derived vulnerability checks (vulns_derived.c): facts of the
 * enumeration only, no connection; without the enumeration each records
 * could-not-test "the enumeration did not run". */
#define VULN_ROW(name)                                                                             \
    {                                                                                              \
        .id = #name, .track = PROBE_TRACK_DERIVED, .needs = NEED_ENUMERATION,                      \
        .unmet_state = PR_COULD_NOT_TEST, .flags = PROBE_VULN, .run = probe_##name##_run           \
    }
    VULN_ROW(poodle),
    VULN_ROW(beast),
    VULN_ROW(sweet32),
    VULN_ROW(freak),
    VULN_ROW(logjam),
    VULN_ROW(rc4),
    VULN_ROW(null_anon),
    VULN_ROW(lucky13),
    VULN_ROW(drown_sslv2),
    VULN_ROW(key_reuse),
#undef VULN_ROW
};

const struct probe_table probe_table_default = {
    probe_defs_default, sizeof(probe_defs_default) / sizeof(probe_defs_default[0])};

bool probe_stopping(const struct scan_options *o)
{
    return o->stop != NULL && __atomic_load_n(o->stop, __ATOMIC_SEQ_CST);
}

int probe_handshake_timeout(const struct probe_ctx *c)
{
    int want = c->o->timeout_ms + probe_greeting_ms(c);
    if (c->deadline == 0) {
        return want;
    }
    int64_t half = (c->deadline - util_mono_ms()) / 2;
    if (half <= 0) {
        return 0;
    }
    return half < want ? (int)half : want;
}

static bool id_ok(const char *id)
{
    size_t n = id != NULL ? strlen(id) : 0;
    if (n == 0 || n >= PROBE_ID_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) {
            return false;
        }
    }
    return true;
}

/* Why row d is not well formed, or NULL; after_enum: an earlier loop row
 * is the enumeration, whose facts a later loop row may need (the loop
 * track's rows run one after the other). */
static const char *def_problem(const struct probe_def *d, bool after_enum)
{
    if (!id_ok(d->id)) {
        return "an id of [a-z0-9_], 1 to 47 bytes";
    }
    if (d->unmet_state != PR_NOT_APPLICABLE && d->unmet_state != PR_COULD_NOT_TEST &&
        d->needs != 0 && (d->flags & PROBE_OWN_FACTS) == 0) {
        return "an unmet need must be not-applicable or could-not-test";
    }
    if ((d->flags & (PROBE_REUSE_ADDR | PROBE_REUSE_SNI)) != 0 &&
        (d->track == PROBE_TRACK_DERIVED || (d->flags & PROBE_OWN_FACTS) != 0)) {
        return "only a worker or loop probe that records probe results may be reused";
    }
    switch (d->track) {
    case PROBE_TRACK_WORKER:
        if (d->run == NULL || (d->needs & NEED_FROM_ENUMERATION) != 0) {
            return "a worker probe runs with run and cannot need the enumeration's facts";
        }
        return NULL;
    case PROBE_TRACK_LOOP:
        if (d->start == NULL || (d->needs & NEED_FROM_WORKER) != 0 ||
            (!after_enum && (d->needs & NEED_FROM_ENUMERATION) != 0)) {
            return "a loop probe starts with start and needs only the facts of the enumeration "
                   "row before it";
        }
        return NULL;
    case PROBE_TRACK_DERIVED:
        return d->run == NULL ? "a derived probe runs with run" : NULL;
    }
    return "an unknown track";
}

int probe_table_check(const struct probe_table *t, char *why, size_t why_len)
{
    bool after_enum = false;
    for (size_t i = 0; i < t->n_defs; i++) {
        const char *p = def_problem(&t->defs[i], after_enum);
        after_enum =
            after_enum || (t->defs[i].track == PROBE_TRACK_LOOP &&
                           strcmp(t->defs[i].id != NULL ? t->defs[i].id : "", "enumeration") == 0);
        if (p != NULL) {
            snprintf(why, why_len, "probe %zu (%s): %s", i,
                     t->defs[i].id != NULL ? t->defs[i].id : "no id", p);
            return -1;
        }
    }
    return 0;
}

static bool any_rsa_kx(const struct enum_facts *e)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        for (size_t i = 0; i < e->versions[v].n_suites; i++) {
            const struct suite_info *s = registry_suite_by_code(e->versions[v].suites[i].code);
            if (s != NULL && (s->attrs & SUITE_KX_RSA) != 0) {
                return true;
            }
        }
    }
    return false;
}

/* Whether r has need (one bit); the reason when not. */
static bool need_met(unsigned need, const struct target_result *r, const char **why)
{
    const struct version_fact *v13 = &r->versions[TLSV_TLS13];
    switch (need) {
    case NEED_TLS_ACCEPTED:
        *why = "no protocol version accepted";
        return r->status == TARGET_OK;
    case NEED_TLS13:
        *why = "no TLS 1.3 handshake completed";
        return v13->state == PROBE_ACCEPTED && v13->reason[0] == '\0';
    case NEED_CHAIN:
        *why = "no certificate chain collected";
        return fact_collected(&r->chain_header);
    case NEED_HTTPS:
        *why = "no HTTPS answer";
        return fact_collected(&r->http.hsts);
    case NEED_ENUMERATION:
        *why = "the enumeration did not run";
        return fact_collected(&r->enumeration.header);
    case NEED_RSA_KX:
        *why = "no RSA key-exchange suite accepted";
        return any_rsa_kx(&r->enumeration);
    }
    *why = "an unknown need";
    return false;
}

bool probe_needs_met(unsigned needs, const struct target_result *r, char *why, size_t why_len)
{
    for (unsigned bit = 1; bit != 0 && bit <= needs; bit <<= 1) {
        const char *w = "";
        if ((needs & bit) != 0 && !need_met(bit, r, &w)) {
            util_copy(why, why_len, w);
            return false;
        }
    }
    util_copy(why, why_len, "");
    return true;
}

void probe_ctx_init(struct probe_ctx *c, const struct target_spec *spec,
                    const struct target_addr *addr, const struct scan_options *o,
                    struct target_result *r, int64_t deadline)
{
    memset(c, 0, sizeof(*c));
    c->spec = spec;
    c->addr = addr;
    c->o = o;
    c->r = r;
    c->rows = &r->probes;
    c->hso.sni = r->sni;
    c->deadline = deadline;
    probe_dialogue_init(c);
}

void probe_ctx_cleanup(struct probe_ctx *c)
{
    hs_capture_cleanup(&c->cap);
    free(c->dialogue_arg);
    c->dialogue_arg = NULL;
}

void probe_record(struct probe_ctx *c, const char *id, enum tls_version version, uint32_t suite,
                  enum probe_result_state st, const char *detail, const char *evidence)
{
    struct probe_list *l = c->rows;
    if (probe_list_add(l, id, version, suite, st, detail, evidence) != 0) {
        l->header.state = FACT_COULD_NOT_TEST;
        util_copy(l->header.detail, sizeof(l->header.detail), "a probe result was lost");
        return;
    }
    if (l->header.state == FACT_NOT_COLLECTED) {
        l->header.state = FACT_COLLECTED;
    }
}

/* Appends d's one row about the target, state st with why. */
static void record_row(struct probe_ctx *c, const struct probe_def *d, enum probe_result_state st,
                       const char *why)
{
    probe_record(c, d->id, PROBE_NO_VERSION, 0, st, why, NULL);
}

enum gate { GATE_RUN, GATE_SKIP, GATE_STOP };

/* The state row d records when its needs are unmet: its own, except that
 * without the enumeration's facts nothing is known of the suites, so a
 * row that needs them is could-not-test ("not applicable" would pass a
 * policy rule). */
static enum probe_result_state unmet_state(const struct probe_def *d, const struct target_result *r)
{
    if ((d->needs & NEED_ENUMERATION) != 0 && !fact_collected(&r->enumeration.header)) {
        return PR_COULD_NOT_TEST;
    }
    return d->unmet_state;
}

/* Which of the scan's options leaves row d out, in words, or NULL. */
static const char *left_out_by(const struct probe_def *d, const struct scan_options *o)
{
    if ((d->flags & PROBE_VULN) != 0 && o->no_vulns) {
        return "not run: the scan was asked for no vulnerability checks (--no-vulns)";
    }
    if ((d->flags & PROBE_INTRUSIVE) != 0 && o->ids_friendly) {
        return "not run: an intrusive check, left out by --ids-friendly";
    }
    return NULL;
}

/* Whether row d of track runs on c: not asked for or needs unmet skip it
 * (with its row unless PROBE_OWN_FACTS), the stop flag ends the track, a
 * spent budget skips it (with a could-not-test row). */
static enum gate gate(struct probe_ctx *c, const struct probe_def *d, enum probe_track track)
{
    if (d->track != track || (d->wanted != NULL && !d->wanted(c->o))) {
        return GATE_SKIP;
    }
    if (probe_stopping(c->o)) {
        if (track == PROBE_TRACK_WORKER) {
            /* The worker track owns the status (the loop thread never
             * writes it): the unit is unfinished, as versions.c says. */
            c->r->status = TARGET_INTERRUPTED;
            util_copy(c->r->error, sizeof(c->r->error), "scan interrupted");
        }
        return GATE_STOP;
    }
    bool own = (d->flags & PROBE_OWN_FACTS) != 0;
    const char *left_out = left_out_by(d, c->o);
    if (left_out != NULL) {
        if (!own) {
            record_row(c, d, PR_NOT_RUN, left_out);
        }
        return GATE_SKIP;
    }
    char why[FACT_TEXT];
    if (!probe_needs_met(d->needs, c->r, why, sizeof(why))) {
        if (!own) {
            record_row(c, d, unmet_state(d, c->r), why);
        }
        return GATE_SKIP;
    }
    if (!own && c->deadline != 0 && util_mono_ms() >= c->deadline) {
        record_row(c, d, PR_COULD_NOT_TEST, PROBE_NOT_TESTED_BUDGET);
        c->out_of_time = true;
        return GATE_SKIP;
    }
    return GATE_RUN;
}

void probe_track_run(const struct probe_table *t, enum probe_track track, struct probe_ctx *c)
{
    for (size_t i = 0; i < t->n_defs; i++) {
        const struct probe_def *d = &t->defs[i];
        enum gate g = gate(c, d, track);
        if (g == GATE_STOP) {
            return;
        }
        if (g != GATE_RUN) {
            continue;
        }
        /* A worker waits while another unit runs a shared row (cache.h). */
        enum probe_cache_claim cl = probe_cache_claim(c, d, true);
        if (cl == PROBE_CACHE_REUSED) {
            continue;
        }
        enum probe_step step = d->run(c);
        probe_cache_settle(c, NULL); /* (worker units never park) */
        if (step == PROBE_END_TRACK) {
            return;
        }
    }
}

static void loop_row_done(void *arg);
static void loop_row_settled(void *arg);
static void loop_resume(struct probe_ctx *c);

/* Starts c's next loop row that runs; 1 when one is under way (or c is
 * parked on a shared row another unit runs: its settle resumes c at that
 * row), 0 when the track is over. */
static int loop_walk(struct probe_ctx *c)
{
    while (c->next < c->table->n_defs) {
        const struct probe_def *d = &c->table->defs[c->next++];
        enum gate g = gate(c, d, PROBE_TRACK_LOOP);
        if (g == GATE_STOP) {
            return 0;
        }
        if (g != GATE_RUN) {
            continue;
        }
        switch (probe_cache_claim(c, d, false)) {
        case PROBE_CACHE_REUSED:
            continue;
        case PROBE_CACHE_WAIT:
            c->next--; /* asked again, gate and all, when resumed */
            return 1;
        case PROBE_CACHE_OWNER:
            if (d->start(c, loop_row_settled, c) == 0) {
                return 1;
            }
            probe_cache_settle(c, loop_resume); /* its row was recorded at once */
            continue;
        case PROBE_CACHE_OFF:
            if (d->start(c, loop_row_done, c) == 0) {
                return 1;
            }
            continue;
        }
    }
    return 0;
}

/* A parked context's turn: the row it waited on is asked again. */
static void loop_resume(struct probe_ctx *c)
{
    loop_row_done(c);
}

/* The done of a row c owns in the cache: settle it, then go on. */
static void loop_row_settled(void *arg)
{
    struct probe_ctx *c = arg;
    probe_cache_settle(c, loop_resume);
    loop_row_done(c);
}

static void loop_row_done(void *arg)
{
    struct probe_ctx *c = arg;
    if (loop_walk(c) == 0) {
        c->on_track_done(c->on_track_done_arg);
    }
}

void probe_loop_skipped(const struct probe_table *t, struct probe_ctx *c)
{
    for (size_t i = 0; i < t->n_defs; i++) {
        const struct probe_def *d = &t->defs[i];
        enum gate g = gate(c, d, PROBE_TRACK_LOOP);
        if (g == GATE_STOP) {
            return;
        }
        if (g == GATE_RUN && (d->flags & PROBE_OWN_FACTS) == 0) {
            record_row(c, d, PR_COULD_NOT_TEST, "not run: the scan had no conversation loop");
        }
    }
}

int probe_loop_start(const struct probe_table *t, struct probe_ctx *c, void (*on_done)(void *arg),
                     void *arg)
{
    c->table = t;
    c->next = 0;
    c->on_track_done = on_done;
    c->on_track_done_arg = arg;
    return loop_walk(c);
}
