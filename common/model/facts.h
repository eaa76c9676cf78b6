/*
 * common/model/facts.h - the facts a scan collects about one target.
 *
 * This is the data model shared by the scanner (which fills it), the store
 * (which writes it to SQLite) and the reports (which render it). It holds
 * no library types: GnuTLS stays inside scanner/handshake.c,
 * scanner/wire/ and scanner/gnutls/, SQLite inside store/.
 *
 * Ownership: a struct target_result owns every pointer inside it, including
 * its certificates; target_result_cleanup() frees them all.
 */
#ifndef TLSAUDIT_MODEL_FACTS_H
#define TLSAUDIT_MODEL_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/vocab.h"
#include "common/model/version.h"
#include "common/strlist.h"

#define FACT_TEXT 256

/* ---- the common header of a fact family --------------------------------
 *
 * Every family of facts says the same three things first: whether it was
 * collected, could not be tested (the scan tried and got no answer), or was
 * not collected at all (disabled, --offline, the scan stopped), and why.
 * The enumeration (enum_facts.header), the certificate chain
 * (target_result.chain_header), revocation (revoc_header) and the probe
 * results (probe_list.header) carry it; every reader asks fact_collected.
 * So do the HTTP requests (http.hsts, http.redirect: could-not-test with
 * the request's error as detail) and the TLS 1.3 signature schemes
 * (enumeration.sigalgs13_header). enum fact_state and its names are in
 * vocab.h. */
struct fact_header {
    enum fact_state state;
    char detail[FACT_TEXT]; /* why (not collected / could not test), or a note; "" none */
};

/* fact_collected is true when the family under h was filled in. */
static inline bool fact_collected(const struct fact_header *h)
{
    return h->state == FACT_COLLECTED;
}

/* fact_attempted is true when the scan tried to collect the family
 * (collected, or could not test). */
static inline bool fact_attempted(const struct fact_header *h)
{
    return h->state != FACT_NOT_COLLECTED;
}

/* fact_set_result records an attempt: collected when error is NULL or "",
 * else could-not-test with error (cut at FACT_TEXT) as the detail. */
void fact_set_result(struct fact_header *h, const char *error);

/* fact_mark sets h to collected or not collected (no detail). */
static inline void fact_mark(struct fact_header *h, bool collected)
{
    h->state = collected ? FACT_COLLECTED : FACT_NOT_COLLECTED;
    h->detail[0] = '\0';
}

/* enum probe_state (vocab.h) is the outcome of each. */

/* The outcome of one handshake offering exactly one protocol version. */
struct version_fact {
    enum probe_state state;
    char reason[FACT_TEXT]; /* refused/inconclusive: the alert or error, else "" */
    uint16_t suite;         /* accepted: IANA code of the negotiated suite */
    char suite_name[96];    /* accepted: IANA name ("TLS_AES_128_GCM_SHA256") */
    char group[48];         /* key-exchange group ("x25519", "ffdhe2048"); "" for none */
    int dh_bits;            /* finite-field DHE prime size in bits, 0 when not DHE */
    bool hrr;               /* TLS 1.3: the server sent a HelloRetryRequest */
};

/* Facts of one X.509 certificate as the server sent it. */
struct cert_fact {
    unsigned char *der; /* owned DER encoding */
    size_t der_len;
    char sha256[65];    /* lowercase hex SHA-256 of der */
    char *subject;      /* RFC 4514 distinguished name, owned */
    char *issuer;       /* RFC 4514 distinguished name, owned */
    char serial[130];   /* lowercase hex, no separators */
    int64_t not_before; /* Unix seconds, UTC */
    int64_t not_after;
    int64_t days_left; /* whole days from scan time to not_after; negative once expired */
    char key_type[16]; /* "RSA", "EC", "Ed25519", "Ed448", "DSA", "unknown" */
    int key_bits;      /* modulus / field size in bits */
    char curve[32];    /* EC: "secp256r1" ...; otherwise "" */
    char sig_alg[64];  /* signature algorithm, e.g. "RSA-SHA256" */
    bool has_key_usage;
    struct strlist key_usage;      /* "digitalSignature", "keyEncipherment", ... */
    struct strlist eku;            /* "serverAuth", "clientAuth", ... or a dotted OID */
    int ca;                        /* basicConstraints: -1 absent, 0 CA:FALSE, 1 CA:TRUE */
    int path_len;                  /* pathLenConstraint, -1 when absent */
    struct strlist san;            /* "DNS:name", "IP:addr", "email:..", "URI:.." */
    struct strlist ocsp_urls;      /* AIA id-ad-ocsp */
    struct strlist ca_issuer_urls; /* AIA id-ad-caIssuers */
    struct strlist crl_urls;       /* CRL distribution points */
    struct strlist policy_oids;    /* certificatePolicies policyIdentifiers, dotted */
    bool must_staple;              /* TLS feature extension with status_request */
    int n_scts;                    /* embedded SCTs (0 when the extension is absent) */
    bool self_signed;              /* subject == issuer and it verifies with its own key */
};

/* The validation of the served chain. */
struct chain_fact {
    bool trusted;                /* the chain verifies to a trust anchor */
    unsigned verify_status;      /* GnuTLS gnutls_certificate_status_t flags, 0 when trusted */
    char verify_text[FACT_TEXT]; /* those flags in words; "" when trusted */
    bool hostname_checked;       /* a name (SNI) or IP was available to check against */
    bool hostname_match;         /* the leaf matches that name or IP */
    char hostname[256];          /* what was checked */
    bool expired;                /* some certificate in the served chain is past notAfter */
    bool not_yet_valid;          /* some certificate is before notBefore */
    bool self_signed;            /* the leaf is self-signed */
    bool incomplete;             /* an issuer needed to reach a trust anchor was not sent */
    bool wrong_order;            /* not every certificate is followed by its issuer */
    int64_t min_days_left;       /* the smallest days_left in the chain */
    bool ocsp_staple;            /* the server stapled an OCSP response */
    char ocsp_status[16];        /* "none", "good", "revoked", "unknown", "invalid" */
    char ocsp_detail[FACT_TEXT]; /* why, for "invalid"/"revoked" */
    /* AIA chasing (scanner/revocation.c): tried when the served chain is
     * incomplete; `incomplete` above keeps saying what the server sent. */
    bool aia_attempted;         /* issuers were looked for through AIA caIssuers URLs */
    bool aia_completed;         /* the fetched issuers reach a trust anchor */
    bool aia_trusted;           /* the completed chain verifies (trusted, as above) */
    int aia_fetched;            /* certificates fetched (or taken from the cache) */
    char aia_detail[FACT_TEXT]; /* what happened, in words */
};

/* ---- revocation (scanner/revocation.c) ----------------------------------- */

/* enum revoc_status and its names are in vocab.h. */

/* The revocation status of one served certificate. */
struct revoc_fact {
    enum revoc_status status;
    char method[8];         /* what decided it: "ocsp", "crl", "" */
    char url[FACT_TEXT];    /* the URL that decided it (or was tried last) */
    char detail[FACT_TEXT]; /* why, in words (every source tried and its outcome) */
    int64_t revoked_at;     /* revoked: Unix seconds; else 0 */
    char reason[32];        /* revoked: RFC 5280 CRLReason name, "" when not given */
    int64_t this_update;    /* of the deciding response / CRL, 0 when none */
    int64_t next_update;    /* 0 when absent */
    bool from_cache;        /* the deciding response came from the cache */
    char staple[16];        /* leaf: the stapled response "agrees" / "disagrees"; else "" */
};

/* ---- the STARTTLS dialogue (scanner/probes/starttls.c) ---------------------- */

#define FACT_PROTO_LEN 24 /* an application protocol's name ("smtp"), with the NUL */
#define FACT_CAPS_LEN 256 /* the plaintext capabilities kept */
#define FACT_BANNER_LEN 128

/* What the pre-TLS dialogue of a STARTTLS target saw, once, before every
 * probe: header collected when the dialogue reached the server's go-ahead
 * or a clear answer against it (failure says which), could-not-test when
 * no answer came (closed, timed out: the reason), not-collected for a
 * direct-TLS target. Every string is printable ASCII. */
struct starttls_fact {
    struct fact_header header;
    bool greeted;                 /* a positive greeting */
    bool capabilities_read;       /* a capability list was read before TLS */
    bool offered;                 /* the list named STARTTLS (the protocol's word for it) */
    bool plain_auth;              /* plaintext authentication offered before TLS */
    bool upgraded;                /* the server said go ahead: TLS followed */
    char caps[FACT_CAPS_LEN];     /* the auditor's capability words, space-separated */
    char banner[FACT_BANNER_LEN]; /* the greeting's text */
    char failure[FACT_TEXT];      /* why the dialogue failed, "" when upgraded */
};

/* ---- HTTP headers (scanner/http.c) ----------------------------------------- */

struct http_fact {
    struct fact_header hsts; /* the HTTPS request: collected (answered), could-not-test (why) */
    long https_status;       /* HTTP status of that answer */
    bool hsts_present;       /* a Strict-Transport-Security header */
    bool hsts_valid;         /* it parsed (RFC 6797 §6.1) */
    int64_t hsts_max_age;    /* seconds, -1 when absent/invalid */
    bool hsts_include_subdomains; /* includeSubDomains */
    bool hsts_preload;            /* preload */
    char hsts_header[FACT_TEXT];  /* the header as sent (control bytes escaped) */
    struct fact_header redirect;  /* plain HTTP on port 80 (--http-redirect), as hsts */
    long http_status;
    bool redirects_to_https; /* a 3xx whose Location is https://... */
    char redirect_location[FACT_TEXT];
};

/* ---- complete enumeration (raw ClientHellos, scanner/enumerate.c) ------ */

/* The versions the raw prober covers: every enum tls_version
 * (common/model/version.h), oldest first. */

/* One suite the server accepted under one version. */
struct enum_suite {
    uint32_t code;     /* IANA code (SSLv2: the 3-byte cipher kind) */
    int server_rank;   /* 0 = the server's first choice ...; -1 when the client decides */
    uint16_t ec_group; /* ECDHE: the group the server chose with it; 0 otherwise */
    int kx_bits;       /* DHE: prime bits; ECDHE: curve bits; RSA_EXPORT: modulus bits; 0 */
};

/* enum enum_order (the server's or the client's order) is in vocab.h. */

struct enum_version_fact {
    enum probe_state state;    /* accepted: at least one suite accepted */
    char reason[FACT_TEXT];    /* refused / inconclusive: why (an alert, a timeout, ...) */
    struct enum_suite *suites; /* owned; in server order when order == ORDER_SERVER */
    size_t n_suites;
    enum enum_order order;
    bool incomplete; /* some bundle ended without clear evidence: suites may be missing */
    char incomplete_why[FACT_TEXT];
    unsigned echoed_exts; /* HELLO_EXT_* bits seen in this version's ServerHellos */
};

/* ---- key-exchange values (scanner/enum/kex.c) ----------------------------
 *
 * What the enumeration's handshakes carried that a later check compares by
 * hash, never by value: each DHE ServerKeyExchange's prime p, each DH/ECDH
 * public value (TLS <= 1.2 ServerKeyExchange, TLS 1.3 key_share) and each
 * leaf certificate's SubjectPublicKeyInfo seen in a first flight (TLS <= 1.2
 * Certificate, SSLv2 SERVER-HELLO). One item per distinct (kind, sha256):
 * n_seen counts the handshakes that carried it (the same public value in two
 * handshakes is key reuse, Raccoon). enum kex_kind and its names are in
 * vocab.h. */
#define KEX_VALUES_MAX 512

struct kex_value {
    enum kex_kind kind;
    enum tls_version version; /* of the first handshake that carried it */
    uint32_t suite;           /* IANA code of that handshake's suite; 0 none */
    uint16_t group;           /* named group (ECDHE, TLS 1.3 key share); 0 none */
    char sha256[65];          /* lowercase hex SHA-256 of the bytes as sent (p and Ys
                                 big-endian, the EC point, the SPKI DER) */
    unsigned bits;            /* dh_prime: bits of p; else 0 */
    uint64_t generator;       /* dh_prime: g (UINT64_MAX when larger); else 0 */
    unsigned n_seen;          /* handshakes that carried it, >= 1 */
};

struct kex_list {
    struct fact_header header; /* collected: the enumeration recorded every value it saw */
    struct kex_value *items;   /* owned, n_items of them */
    size_t n_items;
    size_t cap_items;
    unsigned long n_dropped; /* distinct values left out over KEX_VALUES_MAX; not stored */
};

/* kex_list_add adds v (n_seen ignored) to l, or counts it again when an
 * item of the same kind and sha256 is there. Over KEX_VALUES_MAX or out of
 * memory the value is counted in n_dropped. Returns 0, or -1 when dropped. */
int kex_list_add(struct kex_list *l, const struct kex_value *v);
/* kex_list_find returns the item of that kind and sha256, or NULL. */
const struct kex_value *kex_list_find(const struct kex_list *l, enum kex_kind kind,
                                      const char *sha256);
/* kex_list_cleanup frees the items and zeroes l. */
void kex_list_cleanup(struct kex_list *l);

/* A tri-state for behaviour tests. */
enum fact_tri { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };

struct enum_facts {
    struct fact_header header; /* collected: the enumeration ran (suites below are filled) */
    struct enum_version_fact versions[TLSV_COUNT];
    uint16_t *groups12; /* TLS <= 1.2 ECDHE groups, in the order the server chose them */
    size_t n_groups12;
    uint16_t *groups13; /* TLS 1.3 groups (HelloRetryRequest), server's order */
    size_t n_groups13;
    uint16_t *sigalgs12; /* TLS 1.2 ServerKeyExchange signature schemes */
    size_t n_sigalgs12;
    uint16_t sigalgs13[16]; /* TLS 1.3 schemes the server completed a handshake with (GnuTLS,
                               one scheme offered at a time; registry order, not preference) */
    size_t n_sigalgs13;
    struct fact_header sigalgs13_header; /* collected: every scheme above was tried */
    enum fact_tri secure_renegotiation;  /* renegotiation_info echoed */
    enum fact_tri extended_master_secret;
    enum fact_tri encrypt_then_mac; /* echoed with a CBC suite */
    enum fact_tri status_request;
    enum fact_tri session_ticket;
    enum fact_tri heartbeat;
    char alpn[64];             /* protocol chosen from {h2, http/1.1}, "" none */
    bool unoffered_choice;     /* the server chose a suite / version / group it was not offered */
    char anomalies[FACT_TEXT]; /* the first such anomaly, in words */
    unsigned long n_probes;    /* connections used */
    bool budget_ran_out;       /* the target's time budget ended the enumeration early (the
                                  versions and lists left unfinished say so); not stored */
    struct kex_list kex;       /* key-exchange values by hash (above); owned */
};

/* ---- generic probe results (common/model/probe_result.h) -------------- */

struct probe_result;

/* The results of the probes that report rows rather than fields, in the
 * order they were added. The header says whether the probes ran at all. */
struct probe_list {
    struct fact_header header;
    struct probe_result *items; /* owned, n_items of them (probe_list_add) */
    size_t n_items;
    size_t cap_items; /* allocated */
};

/* ---- certificate deployments (scanner/probes/deployments.c) -------------
 *
 * A server may serve several certificates: one per authentication type
 * (an RSA and an ECDSA certificate in nginx or Apache), or another one to a
 * client that sends no SNI. The chain every scan collected before is
 * deployment 0 (target_result.certs / chain / revoc, as always); every
 * further chain the server served, distinct by its leaf's SHA-256, is one
 * struct deployment in target_result.deployments. */
#define DEPLOYMENT_LABEL 32
#define DEPLOYMENTS_MAX 8

struct deployment {
    /* how it was asked for: "ECDSA", "RSA", "EdDSA", "DSA", "no SNI" */
    char label[DEPLOYMENT_LABEL];
    struct fact_header chain_header; /* collected: certs/chain below are filled in */
    struct cert_fact *certs;         /* n_certs, as served, leaf first; owned */
    size_t n_certs;
    struct chain_fact chain;
    struct fact_header revoc_header; /* collected: revoc[] below is filled */
    struct revoc_fact *revoc;        /* n_revoc == n_certs; owned */
    size_t n_revoc;
};

/* enum target_status and its names are in vocab.h. */

/* Everything learned about one (host, port, address) during one scan. */
struct target_result {
    char *host; /* as the user gave it (IPv6 without brackets), owned */
    uint16_t port;
    char *sni;   /* the SNI name sent, NULL when none, owned */
    char ip[64]; /* the address actually connected to, "" if none */
    /* The application protocol (scanner/starttls/starttls.h's row name):
     * "none" for direct TLS, "smtp", "imaps" ...; part of the endpoint. */
    char starttls[FACT_PROTO_LEN];
    struct strlist tags; /* the target's tags from the targets file (policy scope) */
    int64_t started_ms;  /* Unix milliseconds */
    int64_t finished_ms;
    enum target_status status;
    char error[FACT_TEXT];                    /* why, when status is not TARGET_OK */
    struct version_fact versions[TLSV_COUNT]; /* TLSV_HS_FIRST..TLSV_TLS13: the GnuTLS handshakes */
    struct enum_facts enumeration;            /* raw-ClientHello enumeration */
    struct fact_header chain_header;          /* collected: certs/chain below are filled in */
    struct cert_fact *certs;                  /* n_certs, as served, leaf first; owned */
    size_t n_certs;
    struct chain_fact chain;
    struct fact_header revoc_header; /* collected: revoc[] below is filled */
    struct revoc_fact *revoc;        /* n_revoc == n_certs: revoc[i] is about certs[i]; owned */
    size_t n_revoc;
    struct http_fact http;
    struct starttls_fact dialogue; /* the STARTTLS dialogue's facts */
    struct probe_list probes;      /* generic per-probe results; owned */
    /* The further certificate deployments (deployment 1 ..), owned; none
     * (NULL, 0) for a server that serves one chain. */
    struct deployment *deployments;
    size_t n_deployments;
};

/* A deployment as every reader sees it, deployment 0 included: pointers
 * into a target_result (borrowed, valid while it is). */
struct deployment_view {
    const char *label; /* deployment 0: from its leaf's key ("RSA", "ECDSA" ...) */
    struct fact_header chain_header;
    const struct cert_fact *certs;
    size_t n_certs;
    const struct chain_fact *chain;
    struct fact_header revoc_header;
    const struct revoc_fact *revoc;
    size_t n_revoc;
};

/* target_n_deployments returns 1 + r->n_deployments: deployment 0 always
 * exists (maybe not collected). target_deployment fills out with deployment
 * i (< target_n_deployments). */
size_t target_n_deployments(const struct target_result *r);
void target_deployment(const struct target_result *r, size_t i, struct deployment_view *out);
/* deployment_key_label names the authentication type of a leaf's key type
 * ("RSA" -> "RSA", "EC" -> "ECDSA", "Ed25519"/"Ed448" -> "EdDSA", "DSA");
 * "certificate" for anything else. */
const char *deployment_key_label(const char *key_type);

/* deployment_init zeroes d; deployment_cleanup frees what it owns. */
void deployment_init(struct deployment *d);
void deployment_cleanup(struct deployment *d);

/* target_result_init zeroes r; target_result_cleanup frees what it owns. */
void target_result_init(struct target_result *r);
void target_result_cleanup(struct target_result *r);

/* enum_facts_init sets every tri-state to unknown; enum_facts_cleanup frees. */
void enum_facts_init(struct enum_facts *e);
void enum_facts_cleanup(struct enum_facts *e);
/* enum_facts_settle keeps the invariant "a version with an accepted suite
 * is accepted": such a version in any other state (an enumeration cut
 * short before the version was decided, or a row written that way by an
 * older tlsaudit or a damaged database) becomes accepted and incomplete,
 * with the state it had named in incomplete_why. */
void enum_facts_settle(struct enum_facts *e);

/* cert_fact_init zeroes c; cert_fact_cleanup frees what it owns. */
void cert_fact_init(struct cert_fact *c);
void cert_fact_cleanup(struct cert_fact *c);

#endif
