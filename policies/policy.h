/*
 * policies/policy.h - policy files and their evaluation over stored facts.
 *
 * A policy is a YAML file (docs/policy-language.md) with an id, title,
 * version, source references, optional `extends`, rules and waivers. A rule
 * has a stable id, a title, the requirement it implements ("PCI DSS v4.0.1
 * Req 4.2.1"), a severity, an optional scope (target tags) and one check
 * over the facts of a struct target_result. Evaluating a policy against a
 * target gives one finding per rule: pass, fail, warn, inconclusive (the
 * fact the check needs was not collected: never "pass") or waived.
 *
 * Ownership: policy_load returns a policy the caller frees with
 * policy_free. A finding_list owns its findings; finding_list_cleanup
 * frees them. Error text goes to the caller's buffer.
 */
#ifndef TLSAUDIT_POLICIES_POLICY_H
#define TLSAUDIT_POLICIES_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strlist.h"
#include "common/model/facts.h"
#include "common/model/vocab.h"

/* enum severity, enum verdict and their names and parses are in
 * common/model/vocab.h. */

struct finding {
    char rule_id[64];
    char title[256];
    char ref[256]; /* the clause: "PCI DSS v4.0.1 Req 4.2.1" */
    enum severity severity;
    enum verdict verdict;
    char evidence[1024];     /* what decided it: "TLS 1.0 accepted; suites: ..." */
    char waiver_reason[512]; /* waived: the justification */
    char waiver_owner[128];
    char waiver_expires[16]; /* YYYY-MM-DD */
};

struct finding_list {
    struct finding *items;
    size_t n_items;
    size_t cap;
};

void finding_list_init(struct finding_list *l);
void finding_list_cleanup(struct finding_list *l);

struct policy;

/* policy_load loads a policy by shipped name ("pci-dss-4.0": looked up in
 * $TLSAUDIT_POLICY_DIR, then the installed policy directory, then, for a
 * program of the build tree only, the source tree's policies/) or by path (anything with a '/' or
 * ending in .yaml/.yml), following `extends`. Returns NULL with "FILE:LINE:COLUMN: what was
 * expected" (or why the file cannot be read) in err when the policy is invalid in any way: the
 * whole policy is rejected. */
struct policy *policy_load(const char *name_or_path, char *err, size_t err_len);
void policy_free(struct policy *p);

const char *policy_id(const struct policy *p);
const char *policy_title(const struct policy *p);
const char *policy_version(const struct policy *p);
/* policy_sha256 returns the hex SHA-256 over the policy file and every file
 * it extends, in load order: what an auditor needs to know which text was
 * applied. */
const char *policy_sha256(const struct policy *p);
/* policy_path returns the file the policy was loaded from. */
const char *policy_path(const struct policy *p);

/* policy_eval evaluates every rule of p against r (a target with tags,
 * e.g. "pan"; tags may be NULL) at time now (Unix seconds: waiver expiry
 * and date-dependent limits), appending one finding per rule in scope to
 * out. Returns 0 or -1 (out of memory). */
__attribute__((warn_unused_result)) int policy_eval(const struct policy *p,
                                                    const struct target_result *r,
                                                    const struct strlist *tags, int64_t now,
                                                    struct finding_list *out);

/* policy_list_shipped appends the names of the shipped policies. */
__attribute__((warn_unused_result)) int policy_list_shipped(struct strlist *out);

/* policy_installed_dir returns the installed policy directory compiled in
 * ($(pkgdatadir)/policies), "" when none was. Static storage. */
const char *policy_installed_dir(void);

/* policy_shipped_where writes to out (always terminated) every directory
 * searched for shipped policies and why it gave nothing: "DIR (No such
 * file or directory); ...", for the message that none was found. */
void policy_shipped_where(char *out, size_t out_size);

/* ---- added with the policy language (docs/policy-language.md) ------------ */

/* policy_load_file loads the file at path (never a shipped name, even
 * without a '/'), following `extends`. Errors as policy_load. */
struct policy *policy_load_file(const char *path, char *err, size_t err_len);
/* policy_load_buffer loads a policy from text_len bytes of text as if they
 * were the file `name`: errors say "NAME:LINE:COLUMN: ...", and a relative
 * `extends` path resolves against NAME's directory. Errors as policy_load. */
struct policy *policy_load_buffer(const char *name, const char *text, size_t text_len, char *err,
                                  size_t err_len);

/* policy_extends returns the `extends` value as written, "" when none. */
const char *policy_extends(const struct policy *p);
/* policy_sources returns the `source` references (the policy's own, then
 * those of the policies it extends). Owned by p. */
const struct strlist *policy_sources(const struct policy *p);

/* A read-only view of one rule; pointers stay valid until policy_free. */
struct policy_rule_info {
    const char *id;
    const char *title;
    const char *ref;
    enum severity severity;
    const char *check;                /* the check's key: "protocols_forbidden" */
    const char *params;               /* its parameters in one line: "SSLv2, SSLv3" */
    const struct strlist *applies_to; /* target tags; empty: every target */
};
/* policy_n_rules returns the number of rules (after `extends`). */
size_t policy_n_rules(const struct policy *p);
/* policy_rule_at fills out for rule i; false when i >= policy_n_rules(p). */
bool policy_rule_at(const struct policy *p, size_t i, struct policy_rule_info *out);

/* A read-only view of one waiver; pointers stay valid until policy_free. */
struct policy_waiver_info {
    const char *rule;
    const struct strlist *targets; /* fnmatch patterns over "host:port" */
    const char *justification;
    const char *owner;
    const char *expires; /* YYYY-MM-DD: the last day it applies (UTC) */
};
size_t policy_n_waivers(const struct policy *p);
/* policy_waiver_at fills out for waiver i; false when i >= policy_n_waivers(p). */
bool policy_waiver_at(const struct policy *p, size_t i, struct policy_waiver_info *out);

/* policy_permits_version: the rules of p in scope for tags (a target's;
 * NULL: none) that forbid a version outright (protocols_forbidden,
 * protocols_allowed) allow v; when not, why names the first rule that
 * forbids it ("ID (check)"; why may be NULL). policy_permits_suite asks the
 * same of suite code under v, adding suites_allowed and suites_forbidden.
 * Waivers are not applied. (policies/permits.c) */
bool policy_permits_version(const struct policy *p, const struct strlist *tags, enum tls_version v,
                            char *why, size_t why_len);
bool policy_permits_suite(const struct policy *p, const struct strlist *tags, enum tls_version v,
                          uint32_t code, char *why, size_t why_len);

/* policy_check_names returns the names of every check, NULL-terminated. Static. */
const char *const *policy_check_names(void);

/* finding_list_fails returns true when some finding of l is "fail" (not
 * waived) with a severity >= min: what `--fail-on SEVERITY` turns into exit
 * status 1. Warnings and inconclusive findings never count. */
bool finding_list_fails(const struct finding_list *l, enum severity min);

#endif
