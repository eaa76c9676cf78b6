/*
 * policies/checks/checks.h - the table of policy checks and what the check
 * files share. Private to policies/: used by load.c (rules), eval.c (rule
 * evaluation) and the files of policies/checks/, one per family of checks.
 *
 * A check is one entry of check_table (table.c), indexed by enum
 * check_kind (policy_int.h): its YAML key, a load function that resolves
 * its parameters from the rule's value into struct check (every name
 * checked, errors "FILE:LINE:COLUMN: ..." through load_fail), a describe
 * function that renders them in one line for `policies show`, and an eval
 * function that judges one target's facts.
 *
 * The YAML nodes stay opaque here: yaml_node_t is only declared (libyaml's
 * yaml.h is included by the loader's adapter files alone, tests/layers.sh),
 * and the check files read them through the typed accessors below
 * (policies/load_node.c). Ownership: what a load function allocates
 * belongs to the struct check (policy_rule_cleanup frees it).
 */
#ifndef TLSAUDIT_POLICIES_CHECKS_CHECKS_H
#define TLSAUDIT_POLICIES_CHECKS_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "policies/policy.h"
#include "policies/policy_int.h"

/* ---- reading parameters (policies/load_node.c) ----------------------------- */

/* One file being loaded (load_yaml.h) and one node of its document: opaque
 * here (repeating libyaml's typedef is valid C11). */
struct pfile;
typedef struct yaml_node_s yaml_node_t;
struct yaml_node_pair_s;

/* A mapping, checked by load_map_open: every key is a string, none repeats. */
struct load_map {
    const yaml_node_t *node;
    size_t n_pairs;
    const struct yaml_node_pair_s *pairs;
};

/* load_fail reports a problem at node n as "FILE:LINE:COLUMN: ..." and
 * returns false; load_oom reports "out of memory". */
__attribute__((format(printf, 3, 4))) bool load_fail(struct pfile *f, const yaml_node_t *n,
                                                     const char *fmt, ...);
bool load_oom(struct pfile *f);
/* load_text returns the text of scalar n, or NULL after an error saying
 * `what` was expected (null, NUL bytes and tags rejected). */
const char *load_text(struct pfile *f, const yaml_node_t *n, const char *what);
/* load_string copies scalar n into out (out_size bytes, non-empty text). */
bool load_string(struct pfile *f, const yaml_node_t *n, const char *what, char *out,
                 size_t out_size);
/* load_int reads a plain decimal integer in [min, max]. */
bool load_int(struct pfile *f, const yaml_node_t *n, const char *what, unsigned long min,
              unsigned long max, int *out);
/* load_true accepts exactly `true`: a check that tests nothing is no rule. */
bool load_true(struct pfile *f, const yaml_node_t *n, const char *check);
/* load_date parses YYYY-MM-DD into the Unix seconds of 00:00 UTC that day. */
bool load_date(struct pfile *f, const yaml_node_t *n, const char *what, int64_t *out,
               char text[16]);
/* load_list checks that n is a list of 1..LOAD_MAX_LIST items (0.. with
 * may_be_empty); load_seq_len / load_seq_item read it. */
bool load_list(struct pfile *f, const yaml_node_t *n, const char *what, bool may_be_empty);
size_t load_seq_len(const yaml_node_t *n);
yaml_node_t *load_seq_item(struct pfile *f, const yaml_node_t *n, size_t i);
/* load_is_list: n is a sequence (nothing checked yet). */
bool load_is_list(const yaml_node_t *n);
/* load_scalar_is: n is a scalar whose text is exactly word (any style). */
bool load_scalar_is(const yaml_node_t *n, const char *word);
/* load_map_open checks n as a mapping (what = "a rule", ...). When allowed
 * is not NULL, every key must be one of its words (expected_text lists them
 * in the error). */
bool load_map_open(struct pfile *f, const yaml_node_t *n, const char *what,
                   const char *const *allowed, const char *expected_text, struct load_map *out);
/* load_map_get returns the value of key (and its key node), or NULL. */
yaml_node_t *load_map_get(struct pfile *f, const struct load_map *m, const char *key,
                          yaml_node_t **out_key);
/* load_map_key / load_map_value return pair i (< m->n_pairs) of m. */
yaml_node_t *load_map_key(struct pfile *f, const struct load_map *m, size_t i);
yaml_node_t *load_map_value(struct pfile *f, const struct load_map *m, size_t i);

/* ---- names shared by several checks ----------------------------------------- */

/* load_version / load_versions read one protocol version or a list of them
 * (1u << enum tls_version bits); check_version_canon is the spelling
 * policies use ("TLS1.2"). (versions.c) */
bool load_version(struct pfile *f, const yaml_node_t *n, enum tls_version *out);
bool load_versions(struct pfile *f, const yaml_node_t *n, unsigned *out);
/* load_any_of reads the value of a *_required check: a list (every item
 * required), or {any_of: LIST} (one suffices: sets c->any_of). Returns the
 * list node, or NULL after an error. (versions.c) */
const yaml_node_t *load_any_of(struct pfile *f, const yaml_node_t *v, struct check *c);
const char *check_version_canon(enum tls_version v);
/* load_group_lookup finds a group by IANA name or a known alias (kex.c). */
const struct group_info *load_group_lookup(const char *name);
/* load_steps reads a list of {from: DATE, max_days: N} steps in date order
 * into c->steps; load_describe_steps writes them ("398 days from
 * 2020-09-01; ..."); eval_step_in_force is the step in force at t (the
 * last whose from <= t), NULL before the first. (cert.c) */
/* load_which_certs reads the optional `certificates: leaf | chain` of a
 * certificate check's mapping into c->whole_chain (cert.c). */
bool load_which_certs(struct pfile *f, const struct load_map *m, struct check *c);
struct load_buf;
bool load_steps(struct pfile *f, const yaml_node_t *v, struct check *c);
void load_describe_steps(struct load_buf *b, const struct check *c);
const struct lifetime_step *eval_step_in_force(const struct check *c, int64_t t);
/* eval_validity_period: notBefore to notAfter in seconds, both included
 * (CA/B Forum BR §6.3.2); 0 when notAfter is before notBefore. (cert.c) */
int64_t eval_validity_period(const struct cert_fact *cf);

/* ---- the parameters in one line (judge.c) ----------------------------------- */

/* A growing text; oom once an allocation failed (the text is then dropped). */
struct load_buf {
    char *s;
    size_t len;
    size_t cap;
    bool oom;
};
__attribute__((format(printf, 2, 3))) void load_buf_add(struct load_buf *b, const char *fmt, ...);
/* load_describe_versions: "SSLv2, SSLv3" (versions.c). */
void load_describe_versions(struct load_buf *b, unsigned versions);

/* ---- evidence and verdicts (judge.c) ---------------------------------------- */

#define EVAL_TEXT 1024 /* = sizeof(struct finding.evidence) */

/* A bounded text under construction; too much text ends in "...". */
struct ev {
    char buf[EVAL_TEXT];
    size_t len;
    bool cut;
};
void ev_init(struct ev *e);
__attribute__((format(printf, 2, 3))) void ev_add(struct ev *e, const char *fmt, ...);
/* ev_sep starts a new item: "; " unless e is empty. */
void ev_sep(struct ev *e);

/* The three outcomes a check collects evidence for, and a warning level. */
struct judge {
    struct ev fail;
    struct ev warn;
    struct ev unknown;
    struct ev ok;
    bool failed;
    bool warned;
    bool unsure;
};
void judge_init(struct judge *j);
/* judge_fail / judge_warn / judge_unknown / judge_ok return the buffer to
 * write the next item to (separator added). */
struct ev *judge_fail(struct judge *j);
struct ev *judge_warn(struct judge *j);
struct ev *judge_unknown(struct judge *j);
struct ev *judge_ok(struct judge *j);
/* judge_end picks the verdict (fail > inconclusive > warn > pass) and its
 * evidence; a failure also mentions what could not be determined. */
enum verdict judge_end(struct judge *j, char *out, size_t out_size);

/* ---- versions and suites as the facts show them (versions.c) ---------------- */

/* What is known about one protocol version. */
struct vview {
    enum probe_state state; /* ACCEPTED, REFUSED or INCONCLUSIVE (also: not tested) */
    const char *source;
    const char *why; /* INCONCLUSIVE: why */
};

/* The suites known to be accepted under one version. */
struct vsuites {
    const struct enum_suite *list; /* the enumeration's, when it saw the version */
    size_t n_list;
    uint32_t extra; /* the GnuTLS handshake's suite when the list lacks it */
    bool has_extra;
    bool complete;   /* every accepted suite is known */
    const char *why; /* !complete: why */
};

const struct version_fact *eval_gnutls(const struct target_result *r, enum tls_version v);
void eval_version(const struct target_result *r, enum tls_version v, struct vview *out);
void eval_suites(const struct target_result *r, enum tls_version v, const struct vview *vv,
                 struct vsuites *out);
size_t vs_count(const struct vsuites *s);
uint32_t vs_code(const struct vsuites *s, size_t i);
int vs_kx_bits(const struct target_result *r, enum tls_version v, const struct vsuites *s,
               size_t i);
const char *eval_suite_name(uint32_t code, char *buf, size_t buf_size);
void ev_suites(struct ev *e, const struct vsuites *s);
void ev_version_accepted(struct ev *e, const struct target_result *r, enum tls_version v,
                         const struct vview *vv);
/* eval_have_certs: true when certificates were collected, else an
 * inconclusive item (cert.c). */
bool eval_have_certs(const struct target_result *r, struct judge *j);
const char *eval_cert_label(size_t i, char *buf, size_t buf_size);

/* ---- the table (table.c) ---------------------------------------------------- */

typedef bool (*check_load_fn)(struct pfile *f, const yaml_node_t *v, struct check *c);
typedef void (*check_describe_fn)(struct load_buf *b, const struct check *c);
typedef void (*check_eval_fn)(const struct target_result *r, const struct check *c, int64_t now,
                              struct judge *j);

/* eval_each_deployment runs one over every certificate deployment of r
 * (deployment 0 and r->deployments), each as a target of its own, and
 * gathers their evidence into j, each item under its deployment's name;
 * with one deployment it is one(r, c, now, j) (deployments.c). */
void eval_each_deployment(const struct target_result *r, const struct check *c, int64_t now,
                          struct judge *j, check_eval_fn one);

struct check_def {
    const char *name; /* the rule's key: "protocols_forbidden" */
    check_load_fn load;
    check_describe_fn describe;
    check_eval_fn eval;
    /* eval judges one certificate deployment: the rule's evaluation runs it
     * on each one the target serves (eval_each_deployment), the evidence
     * naming the deployment when there are several. */
    bool per_deployment;
};

/* Indexed by enum check_kind, CHECK_COUNT entries. */
extern const struct check_def check_table[CHECK_COUNT];

/* check_nearest returns the word of words (NULL-terminated) or the check
 * name nearest to key, within 3 edits ("did you mean"), or NULL (table.c). */
const char *check_nearest(const char *key, const char *const *words);

/* The checks whose value is `true` (table.c). */
bool load_c_true(struct pfile *f, const yaml_node_t *v, struct check *c);
void describe_true(struct load_buf *b, const struct check *c);

/* The function sets, one family per file: load_c_* (parameters),
 * describe_* (one line), eval_* (a verdict). */
#define CHECK_EVAL(name)                                                                           \
    void eval_##name(const struct target_result *r, const struct check *c, int64_t now,            \
                     struct judge *j)
#define CHECK_LOAD(name) bool load_c_##name(struct pfile *f, const yaml_node_t *v, struct check *c)
#define CHECK_DESCRIBE(name) void describe_##name(struct load_buf *b, const struct check *c)

/* versions.c */
CHECK_LOAD(versions);
CHECK_LOAD(versions_required);
CHECK_LOAD(server_order);
CHECK_DESCRIBE(versions);
CHECK_DESCRIBE(versions_required);
CHECK_DESCRIBE(server_order);
CHECK_EVAL(protocols_forbidden);
CHECK_EVAL(protocols_allowed);
CHECK_EVAL(protocols_required);
CHECK_EVAL(server_order);
/* suites.c */
CHECK_LOAD(suites_allowed);
CHECK_LOAD(suites_forbidden);
CHECK_DESCRIBE(suites_allowed);
CHECK_DESCRIBE(suites_forbidden);
CHECK_EVAL(suites_allowed);
CHECK_EVAL(suites_forbidden);
/* kex.c */
CHECK_LOAD(groups);
CHECK_LOAD(groups_required);
CHECK_LOAD(min_bits);
CHECK_DESCRIBE(groups);
CHECK_DESCRIBE(min_bits);
CHECK_EVAL(groups_allowed);
CHECK_EVAL(groups_required);
CHECK_EVAL(dh_min_bits);
CHECK_EVAL(ecdh_min_bits);
/* extensions.c */
CHECK_EVAL(secure_renegotiation);
CHECK_EVAL(extended_master_secret);
CHECK_EVAL(encrypt_then_mac);
CHECK_EVAL(heartbeat);
/* cert.c */
CHECK_LOAD(cert_key);
CHECK_LOAD(sig_forbidden);
CHECK_LOAD(lifetime);
CHECK_LOAD(expiry);
CHECK_DESCRIBE(cert_key);
CHECK_DESCRIBE(sig_forbidden);
CHECK_DESCRIBE(lifetime);
CHECK_DESCRIBE(expiry);
CHECK_EVAL(cert_key);
CHECK_EVAL(cert_sig);
CHECK_EVAL(lifetime);
CHECK_EVAL(expiry);
CHECK_EVAL(san);
CHECK_EVAL(eku);
/* cert_profile.c */
CHECK_LOAD(sig_allowed);
CHECK_LOAD(crl_url);
CHECK_DESCRIBE(sig_allowed);
CHECK_DESCRIBE(crl_url);
CHECK_EVAL(sig_allowed);
CHECK_EVAL(key_usage);
CHECK_EVAL(serial);
CHECK_EVAL(aia);
CHECK_EVAL(ocsp_url);
CHECK_EVAL(policy_oid);
CHECK_EVAL(crl_url);
/* chain.c */
CHECK_LOAD(chain_order);
CHECK_DESCRIBE(chain_order);
CHECK_EVAL(chain);
/* revocation.c */
CHECK_EVAL(ocsp_staple);
CHECK_EVAL(not_revoked);
CHECK_EVAL(must_staple);
/* http.c */
CHECK_LOAD(max_age);
CHECK_DESCRIBE(max_age);
CHECK_EVAL(hsts);
CHECK_EVAL(http_redirect);
/* inventory.c */
CHECK_LOAD(inventory);
CHECK_DESCRIBE(inventory);
CHECK_EVAL(inventory);
/* probe.c */
CHECK_LOAD(probe);
CHECK_DESCRIBE(probe);
CHECK_EVAL(probe);

#endif
