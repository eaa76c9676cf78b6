/*
 * reports/simulate.h - client handshake simulation over stored facts
 * (`tlsaudit simulate`): for each client profile of data/clients.tsv, what
 * a stored server would negotiate with it (version, suite, group, key
 * size) or why the handshake fails, and the same after a change (versions
 * or suites removed, or everything a policy forbids) to list the clients
 * that change would break.
 *
 * Pipeline position: store -> report_load -> [simulate] -> text / JSON
 * (reports/simulate_out.c). No network: only the enumeration's facts (the
 * suites accepted per version and whether the server imposes its order,
 * its groups), the certificates of every deployment and the client table.
 *
 * The model, in the order a server decides (docs/simulate.md):
 * 1. version: the highest the client offers that the server accepts; a
 *    version in between whose answer is unknown makes the result unknown;
 * 2. suite under that version: among the server's accepted suites the
 *    client offers (ECDHE suites of TLS <= 1.2 only with a group both
 *    have), the server's first when it imposes its order, the client's
 *    first when it follows the client's; unknown order: the client's,
 *    said in the note;
 * 3. group: TLS 1.3: the first key share the server accepts, else a
 *    HelloRetryRequest for the first common group in the server's order;
 *    TLS <= 1.2 ECDHE: the first common group in the order the suite
 *    order follows;
 * 4. the client's own limits once the server chose: DH prime below its
 *    minimum or above its maximum, RSA key below its minimum, no signature
 *    scheme for the certificate's key.
 * No fallback to a lower version after a failure is modelled (browsers
 * stopped doing it; RFC 7507).
 *
 * Ownership: the client table is static; results are caller storage.
 */
#ifndef TLSAUDIT_REPORTS_SIMULATE_H
#define TLSAUDIT_REPORTS_SIMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/model/facts.h"
#include "common/model/version.h"

struct policy;
struct report_data;

/* Extensions a client sends that the simulation reads (data/clients.tsv's
 * `exts` words: sni ems etm reneg status_request ticket alpn). */
enum sim_ext {
    SIM_EXT_SNI = 1u << 0,
    SIM_EXT_EMS = 1u << 1,
    SIM_EXT_ETM = 1u << 2,
    SIM_EXT_RENEG = 1u << 3,
    SIM_EXT_STATUS = 1u << 4,
    SIM_EXT_TICKET = 1u << 5,
    SIM_EXT_ALPN = 1u << 6,
};

/* One client profile: a row of data/clients.tsv (static). */
struct sim_client {
    const char *name;
    const char *version;
    bool captured;          /* read from the client here; false: from published facts */
    const char *source;     /* how, and where from */
    unsigned versions;      /* TLSV_BIT mask */
    const uint16_t *suites; /* in the client's order */
    size_t n_suites;
    const uint16_t *groups; /* supported_groups, in order; none: the extension is absent */
    size_t n_groups;
    const uint16_t *key_shares; /* TLS 1.3 key_share groups */
    size_t n_key_shares;
    const uint16_t *sigschemes; /* signature_algorithms, in order */
    size_t n_sigschemes;
    unsigned exts; /* enum sim_ext bits */
    int min_dh;    /* bits; 0 unknown */
    int max_dh;
    int min_rsa;
    const char *notes; /* NULL when none */
};

/* The table generated from data/clients.tsv (reports/sim_clients_table.c). */
extern const struct sim_client sim_clients[];
extern const size_t sim_n_clients;

/* What a what-if removes from the server. */
#define SIM_MAX_SUITES 64
struct sim_change {
    unsigned versions;               /* TLSV_BIT mask of versions removed (--without) */
    unsigned attrs;                  /* SUITE_* bits: a suite with one of them is removed */
    bool no_fs;                      /* "non-fs": suites without forward secrecy removed */
    uint32_t suites[SIM_MAX_SUITES]; /* named suites removed */
    size_t n_suites;
    const struct policy *policy; /* --policy: what it forbids removed; NULL none */
};

/* sim_change_active: c removes something. */
bool sim_change_active(const struct sim_change *c);
/* sim_parse_versions adds to c the versions of a comma list ("tls1.0,tls1.1",
 * "ssl3", "TLS 1.0"); sim_parse_suites the suite classes (cbc, 3des, rc4,
 * sha1, md5, rsa-kex, non-fs, dhe, export, null, anon, des, 64bit) and suite
 * names (IANA, OpenSSL or GnuTLS) or codes (0xC013). Each returns 0, or -1
 * with "'WORD' is not ..." in err. */
int sim_parse_versions(struct sim_change *c, const char *list, char *err, size_t err_len);
int sim_parse_suites(struct sim_change *c, const char *list, char *err, size_t err_len);

enum sim_outcome {
    SIM_OK,      /* a handshake would complete */
    SIM_FAIL,    /* it would fail: reason */
    SIM_UNKNOWN, /* the stored facts cannot tell: reason */
};

const char *sim_outcome_name(enum sim_outcome o); /* "ok", "fail", "unknown" */

#define SIM_TEXT 256
struct sim_result {
    enum sim_outcome outcome;
    enum tls_version version; /* SIM_OK, or a FAIL after the server chose (suite != 0) */
    uint32_t suite;           /* the server's choice (IANA code); 0 when it chose none */
    uint16_t group;           /* the key-exchange group, 0 none (RSA, DHE without one) */
    int kx_bits;              /* DHE prime / ECDHE curve bits; 0 none or unknown */
    bool hrr;                 /* TLS 1.3: after a HelloRetryRequest */
    char key_type[16];        /* the certificate's key ("RSA", "EC" ...), "" unknown */
    int key_bits;
    char reason[SIM_TEXT]; /* FAIL / UNKNOWN: why */
    char note[SIM_TEXT];   /* OK: what the stored facts leave open (order unknown, SNI) */
};

/* sim_negotiate simulates client c against stored target r as changed by
 * ch (NULL: as it is); fills out. */
void sim_negotiate(const struct target_result *r, const struct sim_change *ch,
                   const struct sim_client *c, struct sim_result *out);

/* sim_same: a and b negotiate the same (outcome, version, suite). */
bool sim_same(const struct sim_result *a, const struct sim_result *b);

/* What `tlsaudit simulate` renders. */
struct sim_options {
    const struct sim_change *change; /* NULL or inactive: no what-if */
    const char *const *clients;      /* fnmatch patterns over "NAME VERSION"; NULL: every client */
    size_t n_clients;
    const char *const *targets; /* host[:port] operands; NULL: every target */
    size_t n_targets;
    const char *change_text; /* the what-if as the user gave it, for the output */
};

/* sim_client_label writes "NAME VERSION" (NAME alone when it holds the
 * version: "Android 4.4.2") into buf and returns it. */
const char *sim_client_label(const struct sim_client *c, char *buf, size_t len);
/* sim_client_selected: c matches one of o's patterns (or there are none). */
bool sim_client_selected(const struct sim_options *o, const struct sim_client *c);
/* sim_target_selected: r matches one of o's targets (or there are none). */
bool sim_target_selected(const struct sim_options *o, const struct target_result *r);

/* sim_write_text / sim_write_json render the simulation of every selected
 * client against every selected target of d (reports/simulate_out.c).
 * *out_breaks counts the (target, client) pairs the change breaks (0
 * without a change); *out_targets the targets shown. Return 0, or -1
 * with the reason in err. */
int sim_write_text(FILE *out, const struct report_data *d, const struct sim_options *o,
                   size_t *out_breaks, size_t *out_targets, char *err, size_t err_len);
int sim_write_json(FILE *out, const struct report_data *d, const struct sim_options *o,
                   size_t *out_breaks, size_t *out_targets, char *err, size_t err_len);

#endif
