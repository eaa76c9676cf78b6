/*
 * scanner/probes/registry.h - the table of probes and the runners that
 * walk it, one per track.
 *
 * A probe is one row of a table (struct probe_def): its stored id, the
 * track it runs on, what it needs (bits over facts: NEED_*), flags, and
 * its run (or, on the loop track, start) function. Three tracks:
 *
 *   PROBE_TRACK_WORKER  blocking GnuTLS / fetch work on a pool thread
 *                       (the per-version handshakes, the chain, HSTS ...)
 *   PROBE_TRACK_LOOP    raw conversations on the epoll loop, each started
 *                       with a done callback (the enumeration)
 *   PROBE_TRACK_DERIVED computed from facts only, once both tracks of the
 *                       unit have finished, just before it is delivered
 *
 * Each runner walks its track's rows in table order. A row whose needs are
 * not met is not run: it gets exactly one probe_result row (its id, the
 * state the row names, "could-not-test" or "not-applicable", and the
 * reason probe_needs_met gives), unless the row is PROBE_OWN_FACTS. The
 * target's time budget and the stop flag are checked before each row.
 *
 * A PROBE_VULN row the scan's options leave out (--no-vulns), or a
 * PROBE_INTRUSIVE one (--ids-friendly), gets one "not-run" row saying
 * which option left it out, so no report reads its silence as "not
 * vulnerable".
 *
 * PROBE_OWN_FACTS rows are the phases the scanner had before the table
 * (versions, chain, HSTS, the TLS 1.3 signature schemes, the
 * enumeration): they write their own fact families exactly as before and
 * no probe_result row, so an unmet need or a spent budget only skips them
 * (their facts say why, as they always did).
 *
 * Who frees what: a probe_ctx is caller storage; probe_ctx_cleanup frees
 * what the worker track captured (the handshake's certificates).
 */
#ifndef TLSAUDIT_SCANNER_PROBES_REGISTRY_H
#define TLSAUDIT_SCANNER_PROBES_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "common/model/probe_result.h"
#include "scanner/handshake.h"
#include "scanner/net/loop.h"
#include "scanner/target.h"

struct scan_options;
struct probe_cache;
struct probe_cache_entry;

enum probe_track { PROBE_TRACK_WORKER, PROBE_TRACK_LOOP, PROBE_TRACK_DERIVED };

/* What a probe needs, as facts of the target_result (probe_needs_met
 * tests them in this order and names the first one missing). */
enum probe_need {
    NEED_TLS_ACCEPTED = 1u << 0, /* a GnuTLS handshake accepted some version (status ok) */
    NEED_TLS13 = 1u << 1,        /* a TLS 1.3 handshake completed */
    NEED_CHAIN = 1u << 2,        /* the certificate chain was collected and checked */
    NEED_HTTPS = 1u << 3,        /* an HTTPS request got an answer (the HSTS check) */
    NEED_ENUMERATION = 1u << 4,  /* the enumeration ran */
    NEED_RSA_KX = 1u << 5,       /* the enumeration found an accepted SUITE_KX_RSA suite */
};
/* The needs only the loop track's facts answer: a worker row may not
 * declare them (probe_table_check); a derived row may, and so may a loop
 * row after the loop row "enumeration" (the loop rows run in turn, so its
 * facts are there when the later row starts). */
#define NEED_FROM_ENUMERATION (NEED_ENUMERATION | NEED_RSA_KX)
/* The needs the worker track's facts answer: a loop row may not declare them. */
#define NEED_FROM_WORKER (NEED_TLS_ACCEPTED | NEED_TLS13 | NEED_CHAIN | NEED_HTTPS)

enum probe_flag {
    PROBE_INTRUSIVE = 1u << 0, /* sends what an IDS may flag: not run with --ids-friendly */
    PROBE_OWN_FACTS = 1u << 1, /* writes its own fact family, never a probe_result row */
    PROBE_VULN = 1u << 2,      /* a vulnerability check: not run with --no-vulns */
    /* Its result may be reused by another unit of the scan at the same
     * address and port (probes/cache.h): ADDR whatever the SNI, SNI for the
     * same SNI only. */
    PROBE_REUSE_ADDR = 1u << 3,
    PROBE_REUSE_SNI = 1u << 4,
};

/* What a worker or derived run says about the rest of its track. */
enum probe_step { PROBE_NEXT = 0, PROBE_END_TRACK };

/* One unit's state while its probes run; caller storage (zeroed, then
 * probe_ctx_init). The worker track's rows share the capture and the
 * flags; the loop track's the loop, its group and the done callback. */
struct probe_ctx {
    const struct target_spec *spec;
    const struct target_addr *addr;
    const struct scan_options *o;
    struct target_result *r;
    /* Where this track's probe_result rows go: &r->probes (probe_ctx_init),
     * except on the loop track, which runs beside the worker track and so
     * writes a list of its own that scan.c appends to r->probes once both
     * tracks are done (before the derived track). */
    struct probe_list *rows;
    struct hs_options hso;
    /* The target's application protocol (never NULL once inited) and, for
     * a STARTTLS one, its dialogue: hso.dialogue and every raw probe's
     * request point at dialogue; dialogue_arg is its argument (owned) or,
     * when that could not be built, dialogue fails at once with
     * dialogue_error. */
    const struct starttls_proto *proto;
    struct net_dialogue dialogue;
    void *dialogue_arg;
    char dialogue_error[FACT_TEXT];
    int64_t deadline; /* the track's budget deadline (util_mono_ms), 0: none */
    bool out_of_time; /* the budget left something untested */
    struct hs_capture cap;
    bool have_chain;       /* cap holds the chain of the newest accepted version */
    bool any_accepted;     /* some GnuTLS version was accepted */
    struct net_loop *loop; /* loop track: the unit's loop and group */
    unsigned group;
    /* loop track: the runner's position and whom to tell at the end */
    const struct probe_table *table;
    size_t next;
    void (*on_track_done)(void *arg);
    void *on_track_done_arg;
    /* The scan's cache of reusable results (probes/cache.h), NULL when
     * this unit shares its address and port with no other unit (or the
     * scan runs without it, --no-vuln-cache); the entry this context owns
     * while its row runs, the first row it recorded then, and the link of
     * the list of contexts parked on an entry (loop track). */
    struct probe_cache *cache;
    struct probe_cache_entry *claim;
    size_t claim_first;
    struct probe_ctx *wait_next;
};

struct probe_def {
    const char *id; /* the stored probe id ([a-z0-9_], < PROBE_ID_LEN) */
    enum probe_track track;
    unsigned needs;                      /* NEED_* bits */
    enum probe_result_state unmet_state; /* PR_NOT_APPLICABLE or PR_COULD_NOT_TEST */
    unsigned flags;                      /* PROBE_* bits */
    /* Whether the scan's options ask for the probe at all (NULL: always); a
     * probe not asked for is left out without a row. */
    bool (*wanted)(const struct scan_options *o);
    /* worker and derived tracks: runs the probe. */
    enum probe_step (*run)(struct probe_ctx *c);
    /* loop track: queues the probe's first conversations on c->loop and
     * returns 0, then calls done(arg) exactly once from inside the loop; or
     * returns -1 with nothing queued (done is then not called). */
    int (*start)(struct probe_ctx *c, void (*done)(void *arg), void *arg);
};

struct probe_table {
    const struct probe_def *defs;
    size_t n_defs;
};

/* probe_table_default is the scanner's table (scanner/probes/registry.c). */
extern const struct probe_table probe_table_default;

/* probe_table_check returns 0 when every row of t is well formed (an id
 * probe_list_add takes, a run or start for its track, needs its track can
 * know), else -1 with the first bad row's id and why in why. */
int probe_table_check(const struct probe_table *t, char *why, size_t why_len);

/* probe_needs_met returns true when r has every fact in needs; else false
 * with the first missing one in words in why ("no RSA key-exchange suite
 * accepted"). */
bool probe_needs_met(unsigned needs, const struct target_result *r, char *why, size_t why_len);

/* probe_ctx_init prepares c for one unit; probe_ctx_cleanup frees what the
 * worker track left in it. */
void probe_ctx_init(struct probe_ctx *c, const struct target_spec *spec,
                    const struct target_addr *addr, const struct scan_options *o,
                    struct target_result *r, int64_t deadline);
void probe_ctx_cleanup(struct probe_ctx *c);
/* probe_dialogue_init (starttls.c, called by probe_ctx_init) sets c->proto
 * and, for a STARTTLS target, c->dialogue and c->hso.dialogue. */
void probe_dialogue_init(struct probe_ctx *c);

/* probe_track_run runs t's rows of track (PROBE_TRACK_WORKER or
 * PROBE_TRACK_DERIVED) on c in table order, until a run ends the track. */
void probe_track_run(const struct probe_table *t, enum probe_track track, struct probe_ctx *c);

/* probe_loop_start starts t's loop-track rows on c->loop, one after the
 * other in table order (a row starts when the one before it is done).
 * Returns 1 when a row is under way: on_done(arg) is then called once,
 * from inside the loop, after the last; 0 when the track finished at once
 * (nothing to start, or nothing could): on_done is not called. */
int probe_loop_start(const struct probe_table *t, struct probe_ctx *c, void (*on_done)(void *arg),
                     void *arg);

/* probe_loop_skipped records, on c's list, the rows t's loop-track rows
 * would record when the loop track does not run at all (a scan without
 * the enumeration has no conversation loop): each row not asked for by
 * the options gets its not-run row, each with an unmet need its unmet
 * row ("the enumeration did not run"), any other could-not-test; so no
 * loop probe is silently missing. */
void probe_loop_skipped(const struct probe_table *t, struct probe_ctx *c);

/* Helpers the probes share. probe_stopping: the scan's stop flag is set.
 * probe_handshake_timeout: the timeout of one handshake before c's
 * deadline (the --timeout, or half of what is left when that is less), 0
 * when the budget is spent. */
bool probe_stopping(const struct scan_options *o);
int probe_handshake_timeout(const struct probe_ctx *c);

/* What chain.c shares with deployments.c. probe_chain_certs: the
 * certificate facts of cap's chain at now into *out_certs (owned by the
 * caller, *out_n of them); 0, or -1 when memory ran out.
 * probe_chain_revocation: revocation and AIA of r's checked chain, once the
 * scan's gate is open (nothing when the scan checks no revocation). */
int probe_chain_certs(const struct hs_capture *cap, int64_t now, struct cert_fact **out_certs,
                      size_t *out_n);
void probe_chain_revocation(const struct probe_ctx *c, struct target_result *r, int64_t now);

/* probe_record appends one probe_result row to c->rows (probe_list_add's
 * arguments); the list's header then says the probes ran. Out of memory
 * the row is lost and the header says so (could-not-test). */
void probe_record(struct probe_ctx *c, const char *id, enum tls_version version, uint32_t suite,
                  enum probe_result_state st, const char *detail, const char *evidence);

#define PROBE_NOT_TESTED_BUDGET "not tested: the target's time budget ran out"

/* The scanner's rows (one file each under scanner/probes/). */
enum probe_step probe_plaintext_session_run(struct probe_ctx *c); /* plaintext.c */
enum probe_step probe_starttls_run(struct probe_ctx *c);          /* starttls.c */
enum probe_step probe_versions_run(struct probe_ctx *c);          /* versions.c */
enum probe_step probe_chain_run(struct probe_ctx *c);             /* chain.c */
enum probe_step probe_deployments_run(struct probe_ctx *c);       /* deployments.c */
enum probe_step probe_hsts_run(struct probe_ctx *c);              /* hsts.c */
bool probe_hsts_wanted(const struct scan_options *o);             /* hsts.c */
/* probe_greeting_ms: the extra time an attempt on c's target gets for its
 * dialogue (the greeting timeout; 0 for direct TLS) (starttls.c). */
int probe_greeting_ms(const struct probe_ctx *c);
enum probe_step probe_sigschemes13_run(struct probe_ctx *c); /* sigschemes13.c */
int probe_enumeration_start(struct probe_ctx *c, void (*done)(void *arg),
                            void *arg);                      /* enumeration.c */
bool probe_enumeration_wanted(const struct scan_options *o); /* enumeration.c */
/* The conversation vulnerability probes (heartbleed.c, ccs_injection.c; conv.c). */
int probe_heartbleed_start(struct probe_ctx *c, void (*done)(void *arg), void *arg);
int probe_ccs_injection_start(struct probe_ctx *c, void (*done)(void *arg), void *arg);
/* The extra-ClientHello probes after the enumeration (hello_conv.c, hello_probes.h). */
int probe_compression_start(struct probe_ctx *c, void (*done)(void *arg), void *arg);
int probe_fallback_scsv_start(struct probe_ctx *c, void (*done)(void *arg), void *arg);
int probe_grease_intolerance_start(struct probe_ctx *c, void (*done)(void *arg), void *arg);
int probe_version_intolerance_start(struct probe_ctx *c, void (*done)(void *arg), void *arg);
int probe_long_hello_intolerance_start(struct probe_ctx *c, void (*done)(void *arg), void *arg);
/* The full-handshake probes (vulns_full.c). */
enum probe_step probe_client_renegotiation_run(struct probe_ctx *c);
enum probe_step probe_resumption_id_run(struct probe_ctx *c);
enum probe_step probe_resumption_ticket_run(struct probe_ctx *c);
enum probe_step probe_early_data_run(struct probe_ctx *c);
enum probe_step probe_ticketbleed_run(struct probe_ctx *c);
/* A command pipelined after STARTTLS (starttls_inject.c). */
enum probe_step probe_starttls_injection_run(struct probe_ctx *c);
/* probe_injection_answered: whether data[0..n) (what the server sent inside
 * TLS, hostile) holds a whole line answering the command the probe
 * pipelines for proto: 1 yes, 0 no, -1 when proto gets no injection. */
int probe_injection_answered(const char *proto, const uint8_t *data, size_t n);
int probe_robot_start(struct probe_ctx *c, void (*done)(void *arg), void *arg); /* robot.c */
/* The derived vulnerability checks over the enumeration's facts (vulns_derived.c). */
enum probe_step probe_poodle_run(struct probe_ctx *c);
enum probe_step probe_beast_run(struct probe_ctx *c);
enum probe_step probe_sweet32_run(struct probe_ctx *c);
enum probe_step probe_freak_run(struct probe_ctx *c);
enum probe_step probe_logjam_run(struct probe_ctx *c);
enum probe_step probe_rc4_run(struct probe_ctx *c);
enum probe_step probe_null_anon_run(struct probe_ctx *c);
enum probe_step probe_lucky13_run(struct probe_ctx *c);
enum probe_step probe_drown_sslv2_run(struct probe_ctx *c);
enum probe_step probe_key_reuse_run(struct probe_ctx *c); /* vulns_kex.c */

#endif
