/*
 * policies/load.c - reads policy files (YAML, docs/policy-language.md) into
 * a struct policy (policy_int.h), following `extends`.
 *
 * Where it sits: policy files -> [load] -> struct policy -> policy_eval.
 * libyaml's document API builds the node tree (libyaml is included here
 * only); this file walks it against the schema. Nothing is parsed by hand.
 *
 * Invariants:
 * - A policy is accepted whole or not at all: the first problem anywhere
 *   (this file or one it extends) frees everything and returns NULL with
 *   "FILE:LINE:COLUMN: what was expected" (1-based, from libyaml's marks).
 * - Every name in a rule (protocol versions, cipher suites, groups, key
 *   types, curves, dates) is resolved here; an unknown one is an error, so
 *   evaluation never meets one.
 * - `extends` is followed depth-first with the chain of open files kept in
 *   struct load: a file that is already on the chain is a cycle.
 * - The SHA-256 covers the bytes of every file in the order they are read
 *   (the named file first, then the one it extends, ...).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "common/infile.h"
#include "common/util.h"
#include "policies/hash.h"
#include "policies/policy.h"
#include "policies/policy_int.h"
#include "common/model/registry.h"

#ifndef TLSAUDIT_POLICY_DIR
#define TLSAUDIT_POLICY_DIR ""
#endif
#ifndef TLSAUDIT_SRC_POLICY_DIR
#define TLSAUDIT_SRC_POLICY_DIR ""
#endif

#define LOAD_MAX_FILE (1024 * 1024) /* bytes of one policy file */
#define LOAD_MAX_DEPTH 16           /* files in one `extends` chain */
#define LOAD_MAX_LIST 1024          /* items of any one list, keys of any one mapping */
#define LOAD_MAX_NODES 100000       /* nodes in a document, aliases counted each time used */
#define LOAD_MAX_NESTING 32         /* lists and mappings inside each other */
#define LOAD_MAX_ANCHORS 256        /* &anchors in one file */

/* The state of one policy_load call across the files of an `extends` chain. */
struct load {
    char *err;
    size_t err_len;
    struct policy_hash hash;
    char *canon[LOAD_MAX_DEPTH];   /* real paths of the files being loaded, outermost first */
    char *display[LOAD_MAX_DEPTH]; /* their names as shown in errors */
    size_t depth;
};

/* One file being parsed. */
struct pfile {
    struct load *ld;
    const char *path; /* display name, for errors */
    yaml_document_t doc;
};

/* ---- errors ---------------------------------------------------------------- */

__attribute__((format(printf, 4, 5))) static bool load_fail_at(struct pfile *f, size_t line,
                                                               size_t col, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(f->ld->err, f->ld->err_len, "%s:%zu:%zu: %s", f->path, line, col, msg);
    return false;
}

/* load_fail reports a problem at node n (1-based line and column). */
__attribute__((format(printf, 3, 4))) static bool load_fail(struct pfile *f, const yaml_node_t *n,
                                                            const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return load_fail_at(f, n->start_mark.line + 1, n->start_mark.column + 1, "%s", msg);
}

/* load_escape_err rewrites the control characters of err (C0, DEL, and C1
 * in UTF-8) as \xNN, so that an error quoting the file's text stays one
 * line and cannot drive a terminal. Idempotent: it writes none of them. */
static void load_escape_err(char *err, size_t err_len)
{
    static const char hex[] = "0123456789abcdef";
    char out[2048];
    size_t o = 0;
    if (err_len == 0) {
        return;
    }
    for (size_t i = 0; err[i] != '\0' && o + 9 < sizeof(out); i++) {
        unsigned char c = (unsigned char)err[i];
        unsigned char next = (unsigned char)err[i + 1];
        if (c < 0x20 || c == 0x7f || (c == 0xc2 && next >= 0x80 && next <= 0x9f)) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0x0f];
            if (c == 0xc2) {
                out[o++] = '\\';
                out[o++] = 'x';
                out[o++] = hex[next >> 4];
                out[o++] = hex[next & 0x0f];
                i++;
            }
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    snprintf(err, err_len, "%s", out);
}

static bool load_oom(struct pfile *f)
{
    snprintf(f->ld->err, f->ld->err_len, "%s: out of memory", f->path);
    return false;
}

/* ---- node helpers ---------------------------------------------------------- */

static yaml_node_t *load_node(struct pfile *f, int index)
{
    return yaml_document_get_node(&f->doc, index);
}

static bool load_is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        return false;
    }
    const char *v = (const char *)n->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* A description of a node for "expected X, found Y". */
struct load_found {
    char text[96];
};

/* load_kind describes n: "'TLS1.0'", "the quoted string '2048'", "a list". */
static const char *load_kind(const yaml_node_t *n, struct load_found *buf)
{
    switch (n->type) {
    case YAML_SCALAR_NODE: {
        if (load_is_null(n)) {
            return "nothing (null)";
        }
        const char *v = (const char *)n->data.scalar.value;
        bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        int len = (int)strnlen(v, 40);
        snprintf(buf->text, sizeof(buf->text), "%s'%.*s%s'", plain ? "" : "the quoted string ", len,
                 v, v[len] != '\0' ? "..." : "");
        return buf->text;
    }
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

/* load_tag_ok rejects explicit tags (!!int, !custom): the schema decides types. */
static bool load_tag_ok(struct pfile *f, const yaml_node_t *n)
{
    const char *want = n->type == YAML_SCALAR_NODE     ? YAML_DEFAULT_SCALAR_TAG
                       : n->type == YAML_SEQUENCE_NODE ? YAML_DEFAULT_SEQUENCE_TAG
                                                       : YAML_DEFAULT_MAPPING_TAG;
    if (n->tag != NULL && strcmp((const char *)n->tag, want) != 0) {
        return load_fail(f, n, "unexpected tag '%s': expected plain YAML without tags",
                         (const char *)n->tag);
    }
    return true;
}

/* load_text returns the text of scalar n, or NULL after an error saying
 * `what` was expected. Rejects null, embedded NUL bytes and tags. */
static const char *load_text(struct pfile *f, const yaml_node_t *n, const char *what)
{
    struct load_found found;
    if (n->type != YAML_SCALAR_NODE || load_is_null(n)) {
        load_fail(f, n, "expected %s, found %s", what, load_kind(n, &found));
        return NULL;
    }
    if (!load_tag_ok(f, n)) {
        return NULL;
    }
    const char *v = (const char *)n->data.scalar.value;
    if (strlen(v) != n->data.scalar.length) {
        load_fail(f, n, "expected %s, found a string with a NUL character", what);
        return NULL;
    }
    return v;
}

/* load_string copies scalar n into out (out_size bytes, non-empty text). */
static bool load_string(struct pfile *f, const yaml_node_t *n, const char *what, char *out,
                        size_t out_size)
{
    const char *v = load_text(f, n, what);
    if (v == NULL) {
        return false;
    }
    if (v[0] == '\0') {
        return load_fail(f, n, "expected %s, found an empty string", what);
    }
    if (strlen(v) >= out_size) {
        return load_fail(f, n, "expected %s of at most %zu characters", what, out_size - 1);
    }
    util_copy(out, out_size, v);
    return true;
}

/* load_int reads a plain decimal integer in [min, max]. */
static bool load_int(struct pfile *f, const yaml_node_t *n, const char *what, unsigned long min,
                     unsigned long max, int *out)
{
    struct load_found found;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        load_is_null(n)) {
        return load_fail(f, n, "expected %s (a number from %lu to %lu), found %s", what, min, max,
                         load_kind(n, &found));
    }
    const char *v = load_text(f, n, what);
    unsigned long x = 0;
    if (v == NULL) {
        return false;
    }
    if (!util_parse_ulong(v, min, max, &x)) {
        return load_fail(f, n, "expected %s (a number from %lu to %lu), found '%s'", what, min, max,
                         v);
    }
    *out = (int)x;
    return true;
}

/* load_true accepts exactly `true`: a check that tests nothing is no rule. */
static bool load_true(struct pfile *f, const yaml_node_t *n, const char *check)
{
    struct load_found found;
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        strcmp((const char *)n->data.scalar.value, "true") == 0) {
        return load_tag_ok(f, n);
    }
    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        strcmp((const char *)n->data.scalar.value, "false") == 0) {
        return load_fail(f, n, "expected 'true' for %s (to not require it, leave the rule out)",
                         check);
    }
    return load_fail(f, n, "expected 'true' for %s, found %s", check, load_kind(n, &found));
}

static bool load_is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* load_days_from_civil returns the days since 1970-01-01 of a valid date
 * (the proleptic Gregorian calendar; H. Hinnant's algorithm). */
static int64_t load_days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = m > 2 ? m - 3 : m + 9; /* March = 0 */
    unsigned doy = (153 * mp + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

/* load_date parses YYYY-MM-DD into the Unix seconds of 00:00 UTC that day. */
static bool load_date(struct pfile *f, const yaml_node_t *n, const char *what, int64_t *out,
                      char text[16])
{
    const char *v = load_text(f, n, what);
    if (v == NULL) {
        return false;
    }
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool shape = strlen(v) == 10 && v[4] == '-' && v[7] == '-';
    for (unsigned i = 0; shape && i < 10; i++) {
        if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9')) {
            shape = false;
        }
    }
    if (shape) {
        long y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
        unsigned m = (unsigned)((v[5] - '0') * 10 + (v[6] - '0'));
        unsigned d = (unsigned)((v[8] - '0') * 10 + (v[9] - '0'));
        if (y >= 1970 && m >= 1 && m <= 12 && d >= 1 &&
            d <= mdays[m - 1] + (m == 2 && load_is_leap(y))) {
            *out = load_days_from_civil(y, m, d) * 86400;
            util_copy(text, 16, v);
            return true;
        }
    }
    return load_fail(f, n, "expected %s as a date YYYY-MM-DD, found '%s'", what, v);
}

static bool load_want(struct pfile *f, const yaml_node_t *n, yaml_node_type_t type,
                      const char *what)
{
    struct load_found found;
    if (n->type != type) {
        return load_fail(f, n, "expected %s, found %s", what, load_kind(n, &found));
    }
    return load_tag_ok(f, n);
}

static size_t load_seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *load_seq_item(struct pfile *f, const yaml_node_t *n, size_t i)
{
    return load_node(f, n->data.sequence.items.start[i]);
}

/* load_list checks that n is a list of 1..LOAD_MAX_LIST items (or 0.. with
 * may_be_empty). */
static bool load_list(struct pfile *f, const yaml_node_t *n, const char *what, bool may_be_empty)
{
    if (!load_want(f, n, YAML_SEQUENCE_NODE, what)) {
        return false;
    }
    size_t len = load_seq_len(n);
    if (len == 0 && !may_be_empty) {
        return load_fail(f, n, "expected %s, found an empty list", what);
    }
    if (len > LOAD_MAX_LIST) {
        return load_fail(f, n, "expected %s of at most %d items", what, LOAD_MAX_LIST);
    }
    return true;
}

/* A mapping, checked: every key is a string, none repeats. */
struct load_map {
    const yaml_node_t *node;
    size_t n_pairs;
    const yaml_node_pair_t *pairs;
};

/* load_map_open checks n as a mapping (what = "a rule", ...). When allowed
 * is not NULL, every key must be one of its words (expected_text lists them
 * in the error). */
static bool load_map_open(struct pfile *f, const yaml_node_t *n, const char *what,
                          const char *const *allowed, const char *expected_text,
                          struct load_map *out)
{
    struct load_found found;
    if (n->type != YAML_MAPPING_NODE) {
        return load_fail(f, n, "expected %s (a mapping), found %s", what, load_kind(n, &found));
    }
    if (!load_tag_ok(f, n)) {
        return false;
    }
    out->node = n;
    out->pairs = n->data.mapping.pairs.start;
    out->n_pairs = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    /* the duplicate check below compares each key with all before it */
    if (out->n_pairs > LOAD_MAX_LIST) {
        return load_fail(f, n, "expected %s of at most %d keys", what, LOAD_MAX_LIST);
    }
    for (size_t i = 0; i < out->n_pairs; i++) {
        yaml_node_t *k = load_node(f, out->pairs[i].key);
        const char *key = load_text(f, k, "a key");
        if (key == NULL) {
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            yaml_node_t *k2 = load_node(f, out->pairs[j].key);
            if (strcmp(key, (const char *)k2->data.scalar.value) == 0) {
                return load_fail(f, k,
                                 "duplicate key '%s' (first at line %zu): expected each key "
                                 "once",
                                 key, (size_t)k2->start_mark.line + 1);
            }
        }
        if (allowed == NULL) {
            continue;
        }
        bool known = false;
        for (const char *const *a = allowed; *a != NULL; a++) {
            known = known || strcmp(*a, key) == 0;
        }
        if (!known) {
            return load_fail(f, k, "unknown key '%s' in %s: expected %s", key, what, expected_text);
        }
    }
    return true;
}

/* load_map_get returns the value of key (and its key node), or NULL. */
static yaml_node_t *load_map_get(struct pfile *f, const struct load_map *m, const char *key,
                                 yaml_node_t **out_key)
{
    for (size_t i = 0; i < m->n_pairs; i++) {
        yaml_node_t *k = load_node(f, m->pairs[i].key);
        if (strcmp((const char *)k->data.scalar.value, key) == 0) {
            if (out_key != NULL) {
                *out_key = k;
            }
            return load_node(f, m->pairs[i].value);
        }
    }
    return NULL;
}

/* load_id checks an id: letters, digits, '.', '_', '-', starting with a
 * letter or digit, at most 63 characters. */
static bool load_id(struct pfile *f, const yaml_node_t *n, const char *what, char out[64])
{
    char tmp[256];
    if (!load_string(f, n, what, tmp, sizeof(tmp))) {
        return false;
    }
    bool ok =
        strlen(tmp) < 64 && ((tmp[0] >= 'a' && tmp[0] <= 'z') || (tmp[0] >= 'A' && tmp[0] <= 'Z') ||
                             (tmp[0] >= '0' && tmp[0] <= '9'));
    for (const char *c = tmp; ok && *c != '\0'; c++) {
        ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
             *c == '.' || *c == '_' || *c == '-';
    }
    if (!ok) {
        return load_fail(f, n,
                         "expected %s of letters, digits, '.', '_' and '-' (at most 63 "
                         "characters, starting with a letter or digit), found '%s'",
                         what, tmp);
    }
    util_copy(out, 64, tmp);
    return true;
}

/* load_strings appends a string or a list of strings to out. */
static bool load_strings(struct pfile *f, const yaml_node_t *n, const char *what,
                         struct strlist *out)
{
    if (n->type == YAML_SCALAR_NODE) {
        const char *v = load_text(f, n, what);
        if (v == NULL) {
            return false;
        }
        if (v[0] == '\0') {
            return load_fail(f, n, "expected %s, found an empty string", what);
        }
        return strlist_add(out, v) == 0 ? true : load_oom(f);
    }
    if (!load_list(f, n, what, false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(n); i++) {
        yaml_node_t *item = load_seq_item(f, n, i);
        const char *v = load_text(f, item, what);
        if (v == NULL) {
            return false;
        }
        if (v[0] == '\0') {
            return load_fail(f, item, "expected %s, found an empty string", what);
        }
        if (strlist_add(out, v) != 0) {
            return load_oom(f);
        }
    }
    return true;
}

/* ---- names in checks -------------------------------------------------------- */

static const struct {
    const char *name;
    enum wire_version v;
} load_version_names[] = {
    {"SSLv2", WV_SSL2},    {"SSL2", WV_SSL2},     {"SSL2.0", WV_SSL2},  {"SSLv3", WV_SSL3},
    {"SSL3", WV_SSL3},     {"SSL3.0", WV_SSL3},   {"TLS1.0", WV_TLS10}, {"TLSv1", WV_TLS10},
    {"TLSv1.0", WV_TLS10}, {"TLS1", WV_TLS10},    {"TLS1.1", WV_TLS11}, {"TLSv1.1", WV_TLS11},
    {"TLS1.2", WV_TLS12},  {"TLSv1.2", WV_TLS12}, {"TLS1.3", WV_TLS13}, {"TLSv1.3", WV_TLS13},
};

/* The canonical spelling, indexed by enum wire_version. */
static const char *const load_version_canon[WV_COUNT] = {"SSLv2",  "SSLv3",  "TLS1.0",
                                                         "TLS1.1", "TLS1.2", "TLS1.3"};

static bool load_version(struct pfile *f, const yaml_node_t *n, enum wire_version *out)
{
    const char *v = load_text(f, n, "a protocol version");
    if (v == NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof(load_version_names) / sizeof(load_version_names[0]); i++) {
        if (strcasecmp(v, load_version_names[i].name) == 0) {
            *out = load_version_names[i].v;
            return true;
        }
    }
    return load_fail(f, n,
                     "unknown protocol version '%s': expected SSLv2, SSLv3, TLS1.0, TLS1.1, "
                     "TLS1.2 or TLS1.3",
                     v);
}

static bool load_versions(struct pfile *f, const yaml_node_t *n, unsigned *out)
{
    if (!load_list(f, n, "a list of protocol versions", false)) {
        return false;
    }
    *out = 0;
    for (size_t i = 0; i < load_seq_len(n); i++) {
        enum wire_version v;
        if (!load_version(f, load_seq_item(f, n, i), &v)) {
            return false;
        }
        *out |= 1u << v;
    }
    return true;
}

/* Other spellings of group names (OpenSSL's, NIST's) -> IANA names. */
static const struct {
    const char *alias;
    const char *iana;
} load_group_aliases[] = {
    {"prime256v1", "secp256r1"}, {"P-256", "secp256r1"},   {"P256", "secp256r1"},
    {"P-384", "secp384r1"},      {"P384", "secp384r1"},    {"P-521", "secp521r1"},
    {"P521", "secp521r1"},       {"curve25519", "x25519"}, {"curve448", "x448"},
};

static const struct group_info *load_group_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof(load_group_aliases) / sizeof(load_group_aliases[0]); i++) {
        if (strcasecmp(name, load_group_aliases[i].alias) == 0) {
            return registry_group_by_name(load_group_aliases[i].iana);
        }
    }
    return registry_group_by_name(name);
}

static bool load_groups(struct pfile *f, const yaml_node_t *n, struct check *c)
{
    if (!load_list(f, n, "a list of group names", false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(n); i++) {
        yaml_node_t *item = load_seq_item(f, n, i);
        const char *v = load_text(f, item, "a group name");
        if (v == NULL) {
            return false;
        }
        const struct group_info *g = load_group_lookup(v);
        if (g == NULL) {
            return load_fail(f, item,
                             "unknown group '%s': expected an IANA group name such as x25519, "
                             "secp256r1, ffdhe2048 or X25519MLKEM768",
                             v);
        }
        bool dup = false;
        for (size_t j = 0; j < c->n_groups; j++) {
            dup = dup || c->groups[j] == g->code;
        }
        if (dup) {
            continue;
        }
        if (c->n_groups == CHECK_MAX_GROUPS) {
            return load_fail(f, item, "expected at most %d groups", CHECK_MAX_GROUPS);
        }
        c->groups[c->n_groups++] = g->code;
    }
    return true;
}

/* ---- the checks' parameters ------------------------------------------------- */

typedef bool (*load_check_fn)(struct pfile *f, const yaml_node_t *v, struct check *c);

static bool load_c_versions(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_versions(f, v, &c->versions);
}

static bool load_c_suites_allowed(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    struct load_map m;
    if (!load_map_open(f, v, "suites_allowed (protocol versions with their suites)", NULL, NULL,
                       &m)) {
        return false;
    }
    if (m.n_pairs == 0) {
        return load_fail(f, v, "expected at least one protocol version with its suite list");
    }
    for (size_t i = 0; i < m.n_pairs; i++) {
        yaml_node_t *k = load_node(f, m.pairs[i].key);
        yaml_node_t *list = load_node(f, m.pairs[i].value);
        enum wire_version ver;
        if (!load_version(f, k, &ver)) {
            return false;
        }
        if (c->suite_versions & (1u << ver)) {
            return load_fail(f, k, "duplicate protocol version %s: expected each version once",
                             load_version_canon[ver]);
        }
        c->suite_versions |= 1u << ver;
        if (!load_list(f, list, "a list of cipher suite names", true)) {
            return false;
        }
        size_t len = load_seq_len(list);
        c->suites[ver] = calloc(len ? len : 1, sizeof(uint32_t));
        if (c->suites[ver] == NULL) {
            return load_oom(f);
        }
        for (size_t j = 0; j < len; j++) {
            yaml_node_t *item = load_seq_item(f, list, j);
            const char *name = load_text(f, item, "a cipher suite name");
            if (name == NULL) {
                return false;
            }
            const struct suite_info *s = registry_suite_by_name(name);
            if (s == NULL) {
                return load_fail(f, item,
                                 "unknown cipher suite '%s': expected an IANA, OpenSSL or GnuTLS "
                                 "suite name (see tlsaudit ciphers)",
                                 name);
            }
            if (registry_suite_is_scsv(s)) {
                return load_fail(f, item, "'%s' is a signalling value: expected a cipher suite",
                                 name);
            }
            if ((s->versions & (1u << ver)) == 0) {
                return load_fail(f, item,
                                 "cipher suite '%s' cannot be negotiated with %s: expected a "
                                 "suite of that version",
                                 name, load_version_canon[ver]);
            }
            c->suites[ver][c->n_suites[ver]++] = s->code;
        }
    }
    return true;
}

static const struct {
    const char *name;
    unsigned bit;
} load_attrs[] = {
    {"null", ATTR_NULL},
    {"anon", ATTR_ANON},
    {"export", ATTR_EXPORT},
    {"rc4", ATTR_RC4},
    {"rc2", ATTR_RC2},
    {"des", ATTR_DES},
    {"3des", ATTR_3DES},
    {"idea", ATTR_IDEA},
    {"md5", ATTR_MD5},
    {"cbc", ATTR_CBC},
    {"no_forward_secrecy", ATTR_NO_FS},
    {"no_aead", ATTR_NO_AEAD},
};
#define LOAD_N_ATTRS (sizeof(load_attrs) / sizeof(load_attrs[0]))

static bool load_c_suites_forbidden(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    static const char *const keys[] = {"attributes", "min_bits", NULL};
    struct load_map m;
    if (!load_map_open(f, v, "suites_forbidden", keys, "attributes or min_bits", &m)) {
        return false;
    }
    yaml_node_t *attrs = load_map_get(f, &m, "attributes", NULL);
    yaml_node_t *bits = load_map_get(f, &m, "min_bits", NULL);
    if (attrs == NULL && bits == NULL) {
        return load_fail(f, v, "expected 'attributes' (a list) and/or 'min_bits' (a number)");
    }
    if (bits != NULL && !load_int(f, bits, "min_bits", 1, 512, &c->min_bits)) {
        return false;
    }
    if (attrs == NULL) {
        return true;
    }
    if (!load_list(f, attrs, "a list of suite attributes", false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(attrs); i++) {
        yaml_node_t *item = load_seq_item(f, attrs, i);
        /* The attribute `null` is a word here, not YAML's null. */
        const char *a = item->type == YAML_SCALAR_NODE &&
                                strcmp((const char *)item->data.scalar.value, "null") == 0
                            ? "null"
                            : load_text(f, item, "a suite attribute");
        if (a == NULL) {
            return false;
        }
        size_t j = 0;
        while (j < LOAD_N_ATTRS && strcasecmp(a, load_attrs[j].name) != 0) {
            j++;
        }
        if (j == LOAD_N_ATTRS) {
            return load_fail(f, item,
                             "unknown suite attribute '%s': expected null, anon, export, rc4, "
                             "rc2, des, 3des, idea, md5, cbc, no_forward_secrecy or no_aead",
                             a);
        }
        c->attrs |= load_attrs[j].bit;
    }
    return true;
}

static bool load_c_groups(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_groups(f, v, c);
}

static bool load_c_min_bits(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_int(f, v, "a minimum size in bits", 1, 16384, &c->min_bits);
}

static bool load_c_server_order(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    if (v->type == YAML_SEQUENCE_NODE) {
        return load_versions(f, v, &c->versions);
    }
    if (!load_true(f, v, "server_order_required (or a list of protocol versions)")) {
        return false;
    }
    c->versions = (1u << WV_COUNT) - 1;
    return true;
}

static bool load_c_max_age(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_int(f, v, "a minimum HSTS max-age in seconds", 0, 2147483647UL, &c->min_max_age);
}

static bool load_c_true(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_true(f, v, policy_check_name(c->kind));
}

static const struct {
    const char *name;
    const char *canon; /* as scanner/gnutls/x509_facts.c writes cert_fact.key_type */
} load_key_types[] = {
    {"RSA", "RSA"},         {"RSA-PSS", "RSA-PSS"}, {"EC", "EC"},   {"ECDSA", "EC"},
    {"Ed25519", "Ed25519"}, {"Ed448", "Ed448"},     {"DSA", "DSA"},
};

static bool load_c_cert_key(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    static const char *const keys[] = {"certificates", "min_bits", "curves", NULL};
    struct load_map m;
    if (!load_map_open(f, v, "cert_key", keys, "certificates, min_bits or curves", &m)) {
        return false;
    }
    yaml_node_t *which = load_map_get(f, &m, "certificates", NULL);
    if (which != NULL) {
        const char *w = load_text(f, which, "'leaf' or 'chain'");
        if (w == NULL) {
            return false;
        }
        if (strcmp(w, "chain") == 0) {
            c->whole_chain = true;
        } else if (strcmp(w, "leaf") != 0) {
            return load_fail(f, which, "expected 'leaf' or 'chain', found '%s'", w);
        }
    }
    yaml_node_t *mins = load_map_get(f, &m, "min_bits", NULL);
    if (mins == NULL) {
        return load_fail(f, v,
                         "cert_key has no 'min_bits': expected the allowed key types with their "
                         "minimum sizes, e.g. {RSA: 2048, EC: 256}");
    }
    struct load_map km;
    if (!load_map_open(f, mins, "min_bits (key types with their sizes)", NULL, NULL, &km)) {
        return false;
    }
    if (km.n_pairs == 0 || km.n_pairs > CHECK_MAX_KEY_TYPES) {
        return load_fail(f, mins, "expected 1 to %d key types", CHECK_MAX_KEY_TYPES);
    }
    for (size_t i = 0; i < km.n_pairs; i++) {
        yaml_node_t *k = load_node(f, km.pairs[i].key);
        const char *t = (const char *)k->data.scalar.value;
        size_t j = 0;
        while (j < sizeof(load_key_types) / sizeof(load_key_types[0]) &&
               strcasecmp(t, load_key_types[j].name) != 0) {
            j++;
        }
        if (j == sizeof(load_key_types) / sizeof(load_key_types[0])) {
            return load_fail(f, k,
                             "unknown key type '%s': expected RSA, RSA-PSS, EC (or ECDSA), "
                             "Ed25519, Ed448 or DSA",
                             t);
        }
        for (size_t x = 0; x < c->n_keys; x++) {
            if (strcmp(c->keys[x].type, load_key_types[j].canon) == 0) {
                return load_fail(f, k, "duplicate key type '%s': expected each type once", t);
            }
        }
        struct key_min *km1 = &c->keys[c->n_keys];
        util_copy(km1->type, sizeof(km1->type), load_key_types[j].canon);
        if (!load_int(f, load_node(f, km.pairs[i].value), "a minimum key size in bits", 0, 16384,
                      &km1->min_bits)) {
            return false;
        }
        c->n_keys++;
    }
    yaml_node_t *curves = load_map_get(f, &m, "curves", NULL);
    if (curves == NULL) {
        return true;
    }
    if (!load_list(f, curves, "a list of curve names", false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(curves); i++) {
        yaml_node_t *item = load_seq_item(f, curves, i);
        const char *name = load_text(f, item, "a curve name");
        if (name == NULL) {
            return false;
        }
        const struct group_info *g = load_group_lookup(name);
        if (g == NULL || strcmp(g->kind, "ecdhe") != 0) {
            return load_fail(f, item,
                             "unknown curve '%s': expected an elliptic curve name such as "
                             "secp256r1 (P-256), secp384r1 (P-384) or secp521r1 (P-521)",
                             name);
        }
        if (c->n_curves == CHECK_MAX_CURVES) {
            return load_fail(f, item, "expected at most %d curves", CHECK_MAX_CURVES);
        }
        util_copy(c->curves[c->n_curves++], sizeof(c->curves[0]), g->name);
    }
    return true;
}

static bool load_c_sig_forbidden(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    if (!load_list(f, v, "a list of signature hashes", false)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(v); i++) {
        yaml_node_t *item = load_seq_item(f, v, i);
        const char *h = load_text(f, item, "a signature hash");
        if (h == NULL) {
            return false;
        }
        if (strcasecmp(h, "md2") == 0) {
            c->sig_hashes |= SIGHASH_MD2;
        } else if (strcasecmp(h, "md5") == 0) {
            c->sig_hashes |= SIGHASH_MD5;
        } else if (strcasecmp(h, "sha1") == 0) {
            c->sig_hashes |= SIGHASH_SHA1;
        } else {
            return load_fail(f, item, "unknown signature hash '%s': expected md2, md5 or sha1", h);
        }
    }
    return true;
}

static bool load_c_lifetime(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    static const char *const keys[] = {"from", "max_days", NULL};
    if (!load_list(f, v, "a list of {from: DATE, max_days: N} steps", false)) {
        return false;
    }
    if (load_seq_len(v) > CHECK_MAX_STEPS) {
        return load_fail(f, v, "expected at most %d steps", CHECK_MAX_STEPS);
    }
    for (size_t i = 0; i < load_seq_len(v); i++) {
        yaml_node_t *item = load_seq_item(f, v, i);
        struct load_map m;
        if (!load_map_open(f, item, "a lifetime step", keys, "from or max_days", &m)) {
            return false;
        }
        struct lifetime_step *s = &c->steps[c->n_steps];
        yaml_node_t *from = load_map_get(f, &m, "from", NULL);
        yaml_node_t *days = load_map_get(f, &m, "max_days", NULL);
        if (days == NULL) {
            return load_fail(f, item, "lifetime step has no 'max_days': expected a number of days");
        }
        if (!load_int(f, days, "max_days", 1, 36500, &s->max_days)) {
            return false;
        }
        if (from == NULL) {
            if (i != 0) {
                return load_fail(f, item,
                                 "lifetime step has no 'from': expected a date YYYY-MM-DD (only "
                                 "the first step may omit it)");
            }
            s->from = INT64_MIN;
            s->from_text[0] = '\0';
        } else {
            if (!load_date(f, from, "from", &s->from, s->from_text)) {
                return false;
            }
            if (i > 0 && s->from <= c->steps[i - 1].from) {
                return load_fail(f, from,
                                 "expected steps in date order: %s is not after the previous "
                                 "step",
                                 s->from_text);
            }
        }
        c->n_steps++;
    }
    return true;
}

static bool load_c_expiry(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    static const char *const keys[] = {"warn_days", "fail_days", NULL};
    struct load_map m;
    if (!load_map_open(f, v, "cert_expiry", keys, "warn_days or fail_days", &m)) {
        return false;
    }
    yaml_node_t *warn = load_map_get(f, &m, "warn_days", NULL);
    yaml_node_t *fail = load_map_get(f, &m, "fail_days", NULL);
    if (warn == NULL && fail == NULL) {
        return load_fail(f, v, "expected 'warn_days' and/or 'fail_days' (numbers of days)");
    }
    c->fail_days = 0;
    if (fail != NULL && !load_int(f, fail, "fail_days", 0, 3650, &c->fail_days)) {
        return false;
    }
    c->warn_days = c->fail_days;
    if (warn != NULL && !load_int(f, warn, "warn_days", 0, 3650, &c->warn_days)) {
        return false;
    }
    if (c->warn_days < c->fail_days) {
        return load_fail(f, warn, "expected warn_days (%d) >= fail_days (%d)", c->warn_days,
                         c->fail_days);
    }
    return true;
}

static bool load_c_inventory(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    const char *w = load_text(f, v, "'certificates' or 'protocols_and_suites'");
    if (w == NULL) {
        return false;
    }
    if (strcmp(w, "certificates") == 0) {
        c->inventory = INVENTORY_CERTIFICATES;
    } else if (strcmp(w, "protocols_and_suites") == 0) {
        c->inventory = INVENTORY_PROTOCOLS_AND_SUITES;
    } else {
        return load_fail(f, v, "expected 'certificates' or 'protocols_and_suites', found '%s'", w);
    }
    return true;
}

/* Indexed by enum check_kind. */
static const load_check_fn load_check_fns[CHECK_COUNT] = {
    [CHECK_PROTOCOLS_FORBIDDEN] = load_c_versions,
    [CHECK_PROTOCOLS_ALLOWED] = load_c_versions,
    [CHECK_PROTOCOLS_REQUIRED] = load_c_versions,
    [CHECK_SUITES_ALLOWED] = load_c_suites_allowed,
    [CHECK_SUITES_FORBIDDEN] = load_c_suites_forbidden,
    [CHECK_GROUPS_ALLOWED] = load_c_groups,
    [CHECK_GROUPS_REQUIRED] = load_c_groups,
    [CHECK_DH_MIN_BITS] = load_c_min_bits,
    [CHECK_ECDH_MIN_BITS] = load_c_min_bits,
    [CHECK_SERVER_ORDER_REQUIRED] = load_c_server_order,
    [CHECK_SECURE_RENEGOTIATION_REQUIRED] = load_c_true,
    [CHECK_EXTENDED_MASTER_SECRET_REQUIRED] = load_c_true,
    [CHECK_ENCRYPT_THEN_MAC_REQUIRED] = load_c_true,
    [CHECK_CERT_KEY] = load_c_cert_key,
    [CHECK_CERT_SIGNATURE_FORBIDDEN] = load_c_sig_forbidden,
    [CHECK_CERT_MAX_LIFETIME] = load_c_lifetime,
    [CHECK_CERT_EXPIRY] = load_c_expiry,
    [CHECK_CERT_SAN_REQUIRED] = load_c_true,
    [CHECK_CERT_SERVER_AUTH_EKU_REQUIRED] = load_c_true,
    [CHECK_CHAIN_TRUSTED_REQUIRED] = load_c_true,
    [CHECK_CHAIN_COMPLETE_REQUIRED] = load_c_true,
    [CHECK_CHAIN_ORDER_REQUIRED] = load_c_true,
    [CHECK_HOSTNAME_MATCH_REQUIRED] = load_c_true,
    [CHECK_OCSP_STAPLE_REQUIRED] = load_c_true,
    [CHECK_CERT_NOT_REVOKED_REQUIRED] = load_c_true,
    [CHECK_MUST_STAPLE_HONOURED] = load_c_true,
    [CHECK_HSTS_MIN_MAX_AGE] = load_c_max_age,
    [CHECK_HTTP_REDIRECT_REQUIRED] = load_c_true,
    [CHECK_INVENTORY] = load_c_inventory,
};

/* ---- the parameters in one line, for `policies show` ----------------------- */

struct load_buf {
    char *s;
    size_t len;
    size_t cap;
    bool oom;
};

__attribute__((format(printf, 2, 3))) static void load_buf_add(struct load_buf *b, const char *fmt,
                                                               ...)
{
    if (b->oom) {
        return;
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s != NULL ? b->s + b->len : NULL, b->s != NULL ? b->cap - b->len : 0,
                          fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->s != NULL && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = (b->cap ? b->cap * 2 : 128) + (size_t)n;
        char *grown = realloc(b->s, ncap);
        if (grown == NULL) {
            b->oom = true;
            return;
        }
        b->s = grown;
        b->cap = ncap;
    }
}

static void load_describe_versions(struct load_buf *b, unsigned versions)
{
    bool first = true;
    for (unsigned v = 0; v < WV_COUNT; v++) {
        if (versions & (1u << v)) {
            load_buf_add(b, "%s%s", first ? "" : ", ", load_version_canon[v]);
            first = false;
        }
    }
}

static void load_describe_groups(struct load_buf *b, const struct check *c)
{
    for (size_t i = 0; i < c->n_groups; i++) {
        const struct group_info *g = registry_group_by_code(c->groups[i]);
        load_buf_add(b, "%s%s", i ? ", " : "", g != NULL ? g->name : "?");
    }
}

/* load_describe renders c's parameters in one line ("SSLv2, SSLv3"). */
static char *load_describe(const struct check *c)
{
    struct load_buf b = {NULL, 0, 0, false};
    load_buf_add(&b, "%s", "");
    switch (c->kind) {
    case CHECK_PROTOCOLS_FORBIDDEN:
    case CHECK_PROTOCOLS_ALLOWED:
    case CHECK_PROTOCOLS_REQUIRED:
        load_describe_versions(&b, c->versions);
        break;
    case CHECK_SERVER_ORDER_REQUIRED:
        if (c->versions == (1u << WV_COUNT) - 1) {
            load_buf_add(&b, "true");
        } else {
            load_describe_versions(&b, c->versions);
        }
        break;
    case CHECK_SUITES_ALLOWED:
        for (unsigned v = 0, first = 1; v < WV_COUNT; v++) {
            if ((c->suite_versions & (1u << v)) == 0) {
                continue;
            }
            load_buf_add(&b, "%s%s: [", first ? "" : "; ", load_version_canon[v]);
            first = 0;
            for (size_t i = 0; i < c->n_suites[v]; i++) {
                const struct suite_info *s = registry_suite_by_code(c->suites[v][i]);
                load_buf_add(&b, "%s%s", i ? ", " : "", s != NULL ? s->iana_name : "?");
            }
            load_buf_add(&b, "]");
        }
        break;
    case CHECK_SUITES_FORBIDDEN: {
        bool first = true;
        for (size_t i = 0; i < LOAD_N_ATTRS; i++) {
            if (c->attrs & load_attrs[i].bit) {
                load_buf_add(&b, "%s%s", first ? "" : ", ", load_attrs[i].name);
                first = false;
            }
        }
        if (c->min_bits > 0) {
            load_buf_add(&b, "%sfewer than %d bits", first ? "" : ", ", c->min_bits);
        }
        break;
    }
    case CHECK_GROUPS_ALLOWED:
    case CHECK_GROUPS_REQUIRED:
        load_describe_groups(&b, c);
        break;
    case CHECK_DH_MIN_BITS:
    case CHECK_ECDH_MIN_BITS:
        load_buf_add(&b, "%d", c->min_bits);
        break;
    case CHECK_CERT_KEY:
        load_buf_add(&b, "%s:", c->whole_chain ? "chain" : "leaf");
        for (size_t i = 0; i < c->n_keys; i++) {
            load_buf_add(&b, "%s %s >= %d", i ? "," : "", c->keys[i].type, c->keys[i].min_bits);
        }
        for (size_t i = 0; i < c->n_curves; i++) {
            load_buf_add(&b, "%s%s", i ? ", " : "; curves ", c->curves[i]);
        }
        break;
    case CHECK_CERT_SIGNATURE_FORBIDDEN:
        load_buf_add(&b, "%s", (c->sig_hashes & SIGHASH_MD2) ? "md2" : "");
        load_buf_add(&b, "%s%s", (c->sig_hashes & SIGHASH_MD5) && b.len ? ", " : "",
                     (c->sig_hashes & SIGHASH_MD5) ? "md5" : "");
        load_buf_add(&b, "%s%s", (c->sig_hashes & SIGHASH_SHA1) && b.len ? ", " : "",
                     (c->sig_hashes & SIGHASH_SHA1) ? "sha1" : "");
        break;
    case CHECK_CERT_MAX_LIFETIME:
        for (size_t i = 0; i < c->n_steps; i++) {
            if (c->steps[i].from_text[0] == '\0') {
                load_buf_add(&b, "%s%d days", i ? "; " : "", c->steps[i].max_days);
            } else {
                load_buf_add(&b, "%s%d days from %s", i ? "; " : "", c->steps[i].max_days,
                             c->steps[i].from_text);
            }
        }
        break;
    case CHECK_CERT_EXPIRY:
        load_buf_add(&b, "warn < %d days, fail < %d days", c->warn_days, c->fail_days);
        break;
    case CHECK_HSTS_MIN_MAX_AGE:
        load_buf_add(&b, "%d seconds", c->min_max_age);
        break;
    case CHECK_INVENTORY:
        load_buf_add(&b, "%s",
                     c->inventory == INVENTORY_CERTIFICATES ? "certificates"
                                                            : "protocols_and_suites");
        break;
    default:
        load_buf_add(&b, "true");
        break;
    }
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- rules and waivers ------------------------------------------------------ */

static const char *const load_rule_meta[] = {"id", "title", "ref", "severity", "applies_to", NULL};

/* load_distance is the edit distance of two short words (for "did you mean"). */
static size_t load_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) {
        return 99;
    }
    size_t row[41];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) {
                best = row[j] + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* load_unknown_rule_key reports an unknown key in a rule, with the nearest
 * known key or check when one is close. */
static bool load_unknown_rule_key(struct pfile *f, const yaml_node_t *k, const char *key)
{
    const char *best = NULL;
    size_t best_d = 4;
    for (const char *const *m = load_rule_meta; *m != NULL; m++) {
        size_t d = load_distance(key, *m);
        if (d < best_d) {
            best_d = d;
            best = *m;
        }
    }
    for (unsigned i = 0; i < CHECK_COUNT; i++) {
        size_t d = load_distance(key, policy_check_name((enum check_kind)i));
        if (d < best_d) {
            best_d = d;
            best = policy_check_name((enum check_kind)i);
        }
    }
    if (best != NULL) {
        return load_fail(f, k,
                         "unknown check or key '%s' in a rule: expected id, title, ref, severity, "
                         "applies_to or a check (did you mean '%s'?)",
                         key, best);
    }
    return load_fail(f, k,
                     "unknown check or key '%s' in a rule: expected id, title, ref, severity, "
                     "applies_to or a check named in docs/policy-language.md",
                     key);
}

static bool load_rule(struct pfile *f, const yaml_node_t *n, struct rule *out)
{
    struct load_map m;
    if (!load_map_open(f, n, "a rule (id, title, ref, severity and one check)", NULL, NULL, &m)) {
        return false;
    }
    /* First the keys: which are known, and at most one check. */
    yaml_node_t *check_key = NULL;
    yaml_node_t *check_val = NULL;
    enum check_kind kind = CHECK_COUNT;
    for (size_t i = 0; i < m.n_pairs; i++) {
        yaml_node_t *k = load_node(f, m.pairs[i].key);
        const char *key = (const char *)k->data.scalar.value;
        bool meta = false;
        for (const char *const *x = load_rule_meta; *x != NULL; x++) {
            meta = meta || strcmp(*x, key) == 0;
        }
        if (meta) {
            continue;
        }
        unsigned c = 0;
        while (c < CHECK_COUNT && strcmp(key, policy_check_name((enum check_kind)c)) != 0) {
            c++;
        }
        if (c == CHECK_COUNT) {
            return load_unknown_rule_key(f, k, key);
        }
        if (check_key != NULL) {
            return load_fail(f, k,
                             "a second check '%s' (the rule already has '%s' at line %zu): "
                             "expected exactly one check per rule",
                             key, (const char *)check_key->data.scalar.value,
                             (size_t)check_key->start_mark.line + 1);
        }
        check_key = k;
        check_val = load_node(f, m.pairs[i].value);
        kind = (enum check_kind)c;
    }
    yaml_node_t *v = load_map_get(f, &m, "id", NULL);
    if (v == NULL) {
        return load_fail(f, n, "rule without 'id': expected a stable rule id");
    }
    if (!load_id(f, v, "a rule id", out->id)) {
        return false;
    }
    if ((v = load_map_get(f, &m, "title", NULL)) == NULL) {
        return load_fail(f, n, "rule '%s' has no 'title': expected a one-line title", out->id);
    }
    if (!load_string(f, v, "a title", out->title, sizeof(out->title))) {
        return false;
    }
    if ((v = load_map_get(f, &m, "ref", NULL)) == NULL) {
        return load_fail(f, n,
                         "rule '%s' has no 'ref': expected the clause it implements, e.g. "
                         "\"PCI DSS v4.0.1 Req 4.2.1\"",
                         out->id);
    }
    if (!load_string(f, v, "a reference", out->ref, sizeof(out->ref))) {
        return false;
    }
    if ((v = load_map_get(f, &m, "severity", NULL)) == NULL) {
        return load_fail(f, n,
                         "rule '%s' has no 'severity': expected critical, high, medium, low or "
                         "info",
                         out->id);
    }
    const char *sev = load_text(f, v, "a severity");
    if (sev == NULL) {
        return false;
    }
    if (!severity_parse(sev, &out->severity)) {
        return load_fail(
            f, v, "unknown severity '%s': expected critical, high, medium, low or info", sev);
    }
    if ((v = load_map_get(f, &m, "applies_to", NULL)) != NULL &&
        !load_strings(f, v, "a target tag", &out->applies_to)) {
        return false;
    }
    if (check_key == NULL) {
        return load_fail(f, n,
                         "rule '%s' has no check: expected exactly one check, e.g. "
                         "protocols_forbidden (see docs/policy-language.md)",
                         out->id);
    }
    out->check.kind = kind;
    if (!load_check_fns[kind](f, check_val, &out->check)) {
        return false;
    }
    out->params = load_describe(&out->check);
    return out->params != NULL ? true : load_oom(f);
}

static const char *const load_waiver_keys[] = {"rule",  "targets", "justification",
                                               "owner", "expires", NULL};

static bool load_waiver(struct pfile *f, const yaml_node_t *n, struct waiver *out)
{
    struct load_map m;
    if (!load_map_open(f, n, "a waiver", load_waiver_keys,
                       "rule, targets, justification, owner or expires", &m)) {
        return false;
    }
    yaml_node_t *v = load_map_get(f, &m, "rule", NULL);
    if (v == NULL) {
        return load_fail(f, n, "waiver without 'rule': expected the id of the rule it waives");
    }
    if (!load_id(f, v, "a rule id", out->rule)) {
        return false;
    }
    char where[PATH_MAX + 64];
    snprintf(where, sizeof(where), "%s:%zu:%zu", f->path, (size_t)v->start_mark.line + 1,
             (size_t)v->start_mark.column + 1);
    out->where = strdup(where);
    if (out->where == NULL) {
        return load_oom(f);
    }
    if ((v = load_map_get(f, &m, "targets", NULL)) == NULL) {
        return load_fail(f, n,
                         "waiver for '%s' has no 'targets': expected a host:port pattern or a "
                         "list of them",
                         out->rule);
    }
    if (!load_strings(f, v, "a host:port pattern", &out->targets)) {
        return false;
    }
    if ((v = load_map_get(f, &m, "justification", NULL)) == NULL) {
        return load_fail(f, n,
                         "waiver for '%s' has no 'justification': expected why it is "
                         "accepted",
                         out->rule);
    }
    if (!load_string(f, v, "a justification", out->justification, sizeof(out->justification))) {
        return false;
    }
    if ((v = load_map_get(f, &m, "owner", NULL)) == NULL) {
        return load_fail(f, n, "waiver for '%s' has no 'owner': expected who answers for it",
                         out->rule);
    }
    if (!load_string(f, v, "an owner", out->owner, sizeof(out->owner))) {
        return false;
    }
    if ((v = load_map_get(f, &m, "expires", NULL)) == NULL) {
        return load_fail(f, n,
                         "waiver for '%s' has no 'expires': expected a date YYYY-MM-DD (every "
                         "waiver expires)",
                         out->rule);
    }
    int64_t day = 0;
    if (!load_date(f, v, "expires", &day, out->expires)) {
        return false;
    }
    out->end = day + 86400; /* through the named day, UTC */
    return true;
}

/* ---- files ------------------------------------------------------------------ */

static bool load_policy_file(struct load *ld, const char *path, const char *canon,
                             struct policy **out);

/* load_read reads a whole (regular, <= LOAD_MAX_FILE) file; a FIFO or a
 * device is refused without blocking (common/infile.h). */
static char *load_read(const char *path, size_t *out_len, char *err, size_t err_len)
{
    return infile_read(path, NULL, LOAD_MAX_FILE, out_len, err, err_len);
}

/* load_yaml_error formats libyaml's error; a reader error (bad UTF-8) has
 * only a byte offset, which becomes a line and column here. */
static bool load_yaml_error(struct pfile *f, const yaml_parser_t *p, const char *text, size_t len)
{
    if (p->error == YAML_MEMORY_ERROR) {
        return load_oom(f);
    }
    const char *problem = p->problem != NULL ? p->problem : "malformed YAML";
    if (p->error == YAML_READER_ERROR) {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
                col++;
            }
        }
        /* NUL and the other control characters are valid UTF-8: say what
         * they are (problem_value holds the character) */
        if (strcmp(problem, "control characters are not allowed") == 0) {
            if (p->problem_value == 0) {
                return load_fail_at(f, line, col,
                                    "a NUL byte: expected YAML text without NUL bytes");
            }
            return load_fail_at(f, line, col,
                                "control character U+%04X: expected YAML text (tab, newline and "
                                "printable characters)",
                                (unsigned)p->problem_value);
        }
        return load_fail_at(f, line, col, "invalid YAML: %s: expected UTF-8 text", problem);
    }
    if (p->context != NULL) {
        return load_fail_at(f, p->problem_mark.line + 1, p->problem_mark.column + 1,
                            "invalid YAML: %s (%s at line %zu)", problem, p->context,
                            (size_t)p->context_mark.line + 1);
    }
    return load_fail_at(f, p->problem_mark.line + 1, p->problem_mark.column + 1, "invalid YAML: %s",
                        problem);
}

/* load_walk counts the nodes under n as the schema walk will meet them (an
 * alias counts each time it is used) and bounds the nesting, so that a few
 * aliases cannot make the walk explode and a self-referencing alias cannot
 * make it loop. Returns false at the first node over a limit. */
static bool load_walk(struct pfile *f, const yaml_node_t *n, unsigned depth, size_t *count)
{
    if (++*count > LOAD_MAX_NODES) {
        return load_fail(f, n,
                         "more than %d YAML nodes (counting each use of an alias): "
                         "expected a policy of reasonable size",
                         LOAD_MAX_NODES);
    }
    if (n->type == YAML_SCALAR_NODE) {
        return true;
    }
    if (depth == LOAD_MAX_NESTING) {
        return load_fail(f, n, "lists and mappings nested more than %d deep: expected a policy",
                         LOAD_MAX_NESTING);
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        for (size_t i = 0; i < load_seq_len(n); i++) {
            if (!load_walk(f, load_seq_item(f, n, i), depth + 1, count)) {
                return false;
            }
        }
        return true;
    }
    for (const yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        if (!load_walk(f, load_node(f, pr->key), depth + 1, count) ||
            !load_walk(f, load_node(f, pr->value), depth + 1, count)) {
            return false;
        }
    }
    return true;
}

/* load_precheck reads text as libyaml events and stops at the first
 * collection nested LOAD_MAX_NESTING deep, at more than LOAD_MAX_NODES nodes
 * or LOAD_MAX_ANCHORS anchors, or at a second document; syntax errors are
 * reported as yaml_parser_load would. It runs before the document is built
 * because libyaml's scanner walks its stack of open flow collections ([ and
 * {) for every token, and its loader compares every anchor with all the
 * earlier ones: the document API alone takes time quadratic in the nesting
 * (minutes for 200 KB of '[') and in the anchors. Stopped here, the scanner
 * has read at most its look-ahead past the cap, and the load after it is
 * linear in the bytes. */
static bool load_precheck(struct pfile *f, const char *text, size_t len)
{
    bool ok = false;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        return load_oom(f);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    unsigned open = 0;
    size_t n_nodes = 0, n_anchors = 0, n_docs = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            load_yaml_error(f, &parser, text, len);
            goto out;
        }
        yaml_event_type_t type = ev.type;
        const yaml_mark_t at = ev.start_mark;
        bool has_anchor =
            (type == YAML_SCALAR_EVENT && ev.data.scalar.anchor != NULL) ||
            (type == YAML_SEQUENCE_START_EVENT && ev.data.sequence_start.anchor != NULL) ||
            (type == YAML_MAPPING_START_EVENT && ev.data.mapping_start.anchor != NULL);
        bool is_node = type == YAML_SCALAR_EVENT || type == YAML_ALIAS_EVENT ||
                       type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT;
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT) {
            break;
        }
        if (type == YAML_DOCUMENT_START_EVENT) {
            n_docs++;
        }
        if (!is_node) {
            if ((type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) && open > 0) {
                open--;
            }
            continue;
        }
        if (n_docs > 1) {
            load_fail_at(f, at.line + 1, at.column + 1,
                         "a second YAML document: expected one policy per file");
            goto out;
        }
        if (++n_nodes > LOAD_MAX_NODES) {
            load_fail_at(f, at.line + 1, at.column + 1,
                         "more than %d YAML nodes (counting each use of an alias): "
                         "expected a policy of reasonable size",
                         LOAD_MAX_NODES);
            goto out;
        }
        if (has_anchor && ++n_anchors > LOAD_MAX_ANCHORS) {
            load_fail_at(f, at.line + 1, at.column + 1,
                         "more than %d anchors (&name): expected a policy of reasonable size",
                         LOAD_MAX_ANCHORS);
            goto out;
        }
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (open == LOAD_MAX_NESTING) {
                load_fail_at(f, at.line + 1, at.column + 1,
                             "lists and mappings nested more than %d deep: expected a policy",
                             LOAD_MAX_NESTING);
                goto out;
            }
            open++;
        }
    }
    ok = true;
out:
    yaml_parser_delete(&parser);
    return ok;
}

/* load_parse loads exactly one YAML document from text into f->doc. */
static bool load_parse(struct pfile *f, const char *text, size_t len, bool *have_doc)
{
    bool ok = false;
    if (len > LOAD_MAX_FILE) {
        load_fail_at(f, 1, 1, "too large (%zu bytes): expected at most %d bytes", len,
                     LOAD_MAX_FILE);
        return false;
    }
    if (!load_precheck(f, text, len)) {
        return false;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        return load_oom(f);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &f->doc)) {
        load_yaml_error(f, &parser, text, len);
        goto out;
    }
    *have_doc = true;
    yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    if (root == NULL) {
        load_fail_at(f, 1, 1, "empty policy: expected a mapping with id, title, version and rules");
        goto out;
    }
    /* load_precheck saw no second document */
    size_t count = 0;
    ok = load_walk(f, root, 0, &count);
out:
    yaml_parser_delete(&parser);
    return ok;
}

static bool load_valid_name(const char *name)
{
    if (name[0] == '\0' || name[0] == '.' || strlen(name) > 64) {
        return false;
    }
    for (const char *c = name; *c != '\0'; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '_' || *c == '-')) {
            return false;
        }
    }
    return true;
}

/* load_dirs lists the shipped-policy directories in lookup order. */
static size_t load_dirs(const char *dirs[3])
{
    size_t n = 0;
    const char *env = getenv("TLSAUDIT_POLICY_DIR");
    if (env != NULL && env[0] != '\0') {
        dirs[n++] = env;
    }
    if (TLSAUDIT_POLICY_DIR[0] != '\0') {
        dirs[n++] = TLSAUDIT_POLICY_DIR;
    }
    if (TLSAUDIT_SRC_POLICY_DIR[0] != '\0') {
        dirs[n++] = TLSAUDIT_SRC_POLICY_DIR;
    }
    return n;
}

/* load_find_shipped writes DIR/NAME.yaml of the first directory that has it. */
static bool load_find_shipped(const char *name, char *out, size_t out_size)
{
    if (!load_valid_name(name)) {
        return false;
    }
    const char *dirs[3];
    size_t n = load_dirs(dirs);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int w = snprintf(out, out_size, "%s/%s.yaml", dirs[i], name);
        if (w > 0 && (size_t)w < out_size && stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
            return true;
        }
    }
    return false;
}

static bool load_is_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') != NULL || (n > 5 && strcmp(s + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

/* load_extends follows `extends` of file f (value node n) into *out. */
static bool load_extends(struct pfile *f, const yaml_node_t *n, const char *value,
                         struct policy **out)
{
    struct load *ld = f->ld;
    char path[PATH_MAX];
    if (load_is_path(value)) {
        while (value[0] == '.' && value[1] == '/') {
            value += 2; /* "./x.yaml" is "x.yaml": one spelling in messages */
        }
        const char *slash = strrchr(f->path, '/');
        int w;
        if (value[0] == '/' || slash == NULL) {
            w = snprintf(path, sizeof(path), "%s", value);
        } else {
            w = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - f->path), f->path, value);
        }
        if (w < 0 || (size_t)w >= sizeof(path)) {
            return load_fail(f, n, "extends path too long");
        }
        struct stat st;
        if (stat(path, &st) != 0) {
            return load_fail(f, n, "cannot read '%s' (%s): expected a policy file", path,
                             strerror(errno));
        }
    } else if (!load_find_shipped(value, path, sizeof(path))) {
        return load_fail(f, n,
                         "unknown policy '%s': expected a shipped policy name (tlsaudit policies "
                         "list) or a relative path to a .yaml file",
                         value);
    }
    char canon[PATH_MAX];
    if (realpath(path, canon) == NULL) {
        return load_fail(f, n, "cannot read '%s' (%s): expected a policy file", path,
                         strerror(errno));
    }
    for (size_t i = 0; i < ld->depth; i++) {
        if (strcmp(ld->canon[i], canon) != 0) {
            continue;
        }
        char chain[1024] = "";
        size_t off = 0;
        for (size_t j = i; j < ld->depth; j++) {
            int w = snprintf(chain + off, sizeof(chain) - off, "%s -> ", ld->display[j]);
            if (w < 0 || (size_t)w >= sizeof(chain) - off) {
                break;
            }
            off += (size_t)w;
        }
        snprintf(chain + off, sizeof(chain) - off, "%s", path);
        return load_fail(f, n, "extends cycle: %s: expected a policy that does not extend itself",
                         chain);
    }
    if (ld->depth == LOAD_MAX_DEPTH) {
        return load_fail(f, n, "extends nested more than %d deep: expected a shorter chain",
                         LOAD_MAX_DEPTH);
    }
    return load_policy_file(ld, path, canon, out);
}

static bool load_grow_rules(struct policy *p)
{
    if (p->n_rules < p->cap_rules) {
        return true;
    }
    size_t ncap = p->cap_rules ? p->cap_rules * 2 : 16;
    struct rule *r = realloc(p->rules, ncap * sizeof(*r));
    if (r == NULL) {
        return false;
    }
    p->rules = r;
    p->cap_rules = ncap;
    return true;
}

static bool load_grow_waivers(struct policy *p)
{
    if (p->n_waivers < p->cap_waivers) {
        return true;
    }
    size_t ncap = p->cap_waivers ? p->cap_waivers * 2 : 8;
    struct waiver *w = realloc(p->waivers, ncap * sizeof(*w));
    if (w == NULL) {
        return false;
    }
    p->waivers = w;
    p->cap_waivers = ncap;
    return true;
}

/* load_rules parses `rules` into p: a rule whose id the extended policy
 * already has replaces that rule in place; ids must be unique in a file. */
static bool load_rules(struct pfile *f, const yaml_node_t *n, struct policy *p)
{
    if (!load_list(f, n, "a list of rules", false)) {
        return false;
    }
    size_t len = load_seq_len(n);
    size_t *mine = calloc(len, sizeof(size_t)); /* indexes in p->rules set by this file */
    size_t *lines = calloc(len, sizeof(size_t));
    bool ok = false;
    if (mine == NULL || lines == NULL) {
        load_oom(f);
        goto out;
    }
    for (size_t i = 0; i < len; i++) {
        yaml_node_t *item = load_seq_item(f, n, i);
        struct rule r;
        memset(&r, 0, sizeof(r));
        strlist_init(&r.applies_to);
        if (!load_rule(f, item, &r)) {
            policy_rule_cleanup(&r);
            goto out;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(p->rules[mine[j]].id, r.id) == 0) {
                /* load_rule accepted item: it is a mapping with an id. */
                struct load_map m;
                yaml_node_t *idn = NULL;
                if (load_map_open(f, item, "a rule", NULL, NULL, &m)) {
                    idn = load_map_get(f, &m, "id", NULL);
                }
                load_fail(f, idn != NULL ? idn : item,
                          "duplicate rule id '%s' (first at line %zu): expected a unique id", r.id,
                          lines[j]);
                policy_rule_cleanup(&r);
                goto out;
            }
        }
        size_t at = p->n_rules;
        for (size_t j = 0; j < p->n_rules; j++) {
            if (strcmp(p->rules[j].id, r.id) == 0) {
                at = j; /* overrides the extended policy's rule */
                break;
            }
        }
        if (at == p->n_rules) {
            if (!load_grow_rules(p)) {
                policy_rule_cleanup(&r);
                load_oom(f);
                goto out;
            }
            p->n_rules++;
        } else {
            policy_rule_cleanup(&p->rules[at]);
        }
        p->rules[at] = r;
        mine[i] = at;
        lines[i] = (size_t)item->start_mark.line + 1;
    }
    ok = true;
out:
    free(mine);
    free(lines);
    return ok;
}

static bool load_waivers(struct pfile *f, const yaml_node_t *n, struct policy *p)
{
    if (!load_list(f, n, "a list of waivers", true)) {
        return false;
    }
    for (size_t i = 0; i < load_seq_len(n); i++) {
        struct waiver w;
        memset(&w, 0, sizeof(w));
        strlist_init(&w.targets);
        if (!load_waiver(f, load_seq_item(f, n, i), &w)) {
            policy_waiver_cleanup(&w);
            return false;
        }
        if (!load_grow_waivers(p)) {
            policy_waiver_cleanup(&w);
            return load_oom(f);
        }
        p->waivers[p->n_waivers++] = w;
    }
    return true;
}

/* load_check_waivers: every waiver must name a rule of the policy. */
static bool load_check_waivers(struct load *ld, const struct policy *p)
{
    for (size_t i = 0; i < p->n_waivers; i++) {
        const struct waiver *w = &p->waivers[i];
        bool found = false;
        for (size_t j = 0; j < p->n_rules && !found; j++) {
            found = strcmp(p->rules[j].id, w->rule) == 0;
        }
        if (!found) {
            snprintf(ld->err, ld->err_len,
                     "%s: waiver for unknown rule '%s': expected the id of a rule of this policy "
                     "or of the one it extends",
                     w->where, w->rule);
            return false;
        }
    }
    return true;
}

static const char *const load_top_keys[] = {"id",      "title", "version", "source",
                                            "extends", "rules", "waivers", NULL};

/* load_document builds *out from the parsed document of f. */
static bool load_document(struct pfile *f, struct policy **out)
{
    struct policy *parent = NULL;
    struct policy *p = calloc(1, sizeof(*p));
    bool ok = false;
    if (p == NULL) {
        return load_oom(f);
    }
    strlist_init(&p->sources);
    p->path = strdup(f->path);
    if (p->path == NULL) {
        load_oom(f);
        goto out;
    }
    yaml_node_t *root = yaml_document_get_root_node(&f->doc);
    struct load_map m;
    if (!load_map_open(f, root, "a policy", load_top_keys,
                       "id, title, version, source, extends, rules or waivers", &m)) {
        goto out;
    }
    yaml_node_t *v = load_map_get(f, &m, "id", NULL);
    if (v == NULL) {
        load_fail(f, root, "policy without 'id': expected a policy id such as my-policy");
        goto out;
    }
    if (!load_id(f, v, "a policy id", p->id)) {
        goto out;
    }
    if ((v = load_map_get(f, &m, "title", NULL)) == NULL) {
        load_fail(f, root, "policy '%s' has no 'title': expected a one-line title", p->id);
        goto out;
    }
    if (!load_string(f, v, "a title", p->title, sizeof(p->title))) {
        goto out;
    }
    if ((v = load_map_get(f, &m, "version", NULL)) == NULL) {
        load_fail(f, root, "policy '%s' has no 'version': expected a version such as \"1.0\"",
                  p->id);
        goto out;
    }
    if (!load_string(f, v, "a version", p->version, sizeof(p->version))) {
        goto out;
    }
    if ((v = load_map_get(f, &m, "source", NULL)) != NULL &&
        !load_strings(f, v, "a source reference", &p->sources)) {
        goto out;
    }
    if ((v = load_map_get(f, &m, "extends", NULL)) != NULL) {
        if (!load_string(f, v, "a shipped policy name or a relative path", p->extends,
                         sizeof(p->extends))) {
            goto out;
        }
        if (!load_extends(f, v, p->extends, &parent)) {
            goto out;
        }
        /* Take over the parent's rules, waivers and sources. */
        p->rules = parent->rules;
        p->n_rules = parent->n_rules;
        p->cap_rules = parent->cap_rules;
        p->waivers = parent->waivers;
        p->n_waivers = parent->n_waivers;
        p->cap_waivers = parent->cap_waivers;
        parent->rules = NULL;
        parent->n_rules = parent->cap_rules = 0;
        parent->waivers = NULL;
        parent->n_waivers = parent->cap_waivers = 0;
        for (size_t i = 0; i < parent->sources.n_items; i++) {
            bool dup = false;
            for (size_t j = 0; j < p->sources.n_items && !dup; j++) {
                dup = strcmp(p->sources.items[j], parent->sources.items[i]) == 0;
            }
            if (!dup && strlist_add(&p->sources, parent->sources.items[i]) != 0) {
                load_oom(f);
                goto out;
            }
        }
    }
    if ((v = load_map_get(f, &m, "rules", NULL)) != NULL) {
        if (!load_rules(f, v, p)) {
            goto out;
        }
    } else if (parent == NULL) {
        load_fail(f, root, "policy '%s' has no 'rules': expected a list of rules", p->id);
        goto out;
    }
    if ((v = load_map_get(f, &m, "waivers", NULL)) != NULL && !load_waivers(f, v, p)) {
        goto out;
    }
    if (!load_check_waivers(f->ld, p)) {
        goto out;
    }
    ok = true;
out:
    policy_free(parent);
    if (!ok) {
        policy_free(p);
        p = NULL;
    }
    *out = p;
    return ok;
}

/* load_text_as parses text as the file `path` (canon: its real path, for
 * cycle detection) and builds *out. */
static bool load_text_as(struct load *ld, const char *path, const char *canon, const char *text,
                         size_t len, struct policy **out)
{
    struct pfile f;
    bool have_doc = false;
    bool ok = false;
    memset(&f, 0, sizeof(f));
    f.ld = ld;
    f.path = path;
    *out = NULL;
    policy_hash_update(&ld->hash, text, len);
    ld->canon[ld->depth] = strdup(canon);
    ld->display[ld->depth] = strdup(path);
    ld->depth++;
    if (ld->canon[ld->depth - 1] == NULL || ld->display[ld->depth - 1] == NULL) {
        load_oom(&f);
        goto out;
    }
    if (!load_parse(&f, text, len, &have_doc)) {
        goto out;
    }
    ok = load_document(&f, out);
out:
    if (have_doc) {
        yaml_document_delete(&f.doc);
    }
    ld->depth--;
    free(ld->canon[ld->depth]);
    free(ld->display[ld->depth]);
    ld->canon[ld->depth] = NULL;
    ld->display[ld->depth] = NULL;
    return ok;
}

static bool load_policy_file(struct load *ld, const char *path, const char *canon,
                             struct policy **out)
{
    size_t len = 0;
    char *text = load_read(path, &len, ld->err, ld->err_len);
    if (text == NULL) {
        return false;
    }
    bool ok = load_text_as(ld, path, canon, text, len, out);
    free(text);
    return ok;
}

static void load_init(struct load *ld, char *err, size_t err_len)
{
    memset(ld, 0, sizeof(*ld));
    ld->err = err;
    ld->err_len = err_len;
    if (err_len > 0) {
        err[0] = '\0';
    }
    policy_hash_init(&ld->hash);
}

struct policy *policy_load_buffer(const char *name, const char *text, size_t text_len, char *err,
                                  size_t err_len)
{
    struct load ld;
    struct policy *p = NULL;
    load_init(&ld, err, err_len);
    char canon[PATH_MAX];
    if (realpath(name, canon) == NULL) {
        util_copy(canon, sizeof(canon), name);
    }
    if (load_text_as(&ld, name, canon, text, text_len, &p)) {
        policy_hash_final(&ld.hash, p->sha256);
    } else {
        load_escape_err(err, err_len);
    }
    return p;
}

struct policy *policy_load_file(const char *path, char *err, size_t err_len)
{
    struct load ld;
    struct policy *p = NULL;
    load_init(&ld, err, err_len);
    char canon[PATH_MAX];
    if (realpath(path, canon) == NULL) {
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(errno));
        load_escape_err(err, err_len);
        return NULL;
    }
    if (load_policy_file(&ld, path, canon, &p)) {
        policy_hash_final(&ld.hash, p->sha256);
    } else {
        load_escape_err(err, err_len);
    }
    return p;
}

struct policy *policy_load(const char *name_or_path, char *err, size_t err_len)
{
    if (load_is_path(name_or_path)) {
        return policy_load_file(name_or_path, err, err_len);
    }
    char path[PATH_MAX];
    if (!load_find_shipped(name_or_path, path, sizeof(path))) {
        struct strlist names;
        strlist_init(&names);
        char *list = NULL;
        if (policy_list_shipped(&names) == 0) {
            list = strlist_join(&names, ", ");
        }
        snprintf(err, err_len,
                 "policy '%s' not found: expected a shipped policy name (%s) or a path to a "
                 ".yaml file",
                 name_or_path, list != NULL && list[0] != '\0' ? list : "none installed");
        free(list);
        strlist_cleanup(&names);
        load_escape_err(err, err_len);
        return NULL;
    }
    return policy_load_file(path, err, err_len);
}

static int load_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int policy_list_shipped(struct strlist *out)
{
    const char *dirs[3];
    size_t n_dirs = load_dirs(dirs);
    struct strlist names;
    strlist_init(&names);
    int rc = -1;
    for (size_t i = 0; i < n_dirs; i++) {
        DIR *d = opendir(dirs[i]);
        if (d == NULL) {
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0) {
                continue;
            }
            char name[80];
            if (len - 5 >= sizeof(name)) {
                continue;
            }
            memcpy(name, e->d_name, len - 5);
            name[len - 5] = '\0';
            bool dup = !load_valid_name(name);
            for (size_t j = 0; j < names.n_items && !dup; j++) {
                dup = strcmp(names.items[j], name) == 0;
            }
            if (!dup && strlist_add(&names, name) != 0) {
                closedir(d);
                goto out;
            }
        }
        closedir(d);
    }
    if (names.n_items > 1) {
        qsort(names.items, names.n_items, sizeof(names.items[0]), load_cmp);
    }
    for (size_t i = 0; i < names.n_items; i++) {
        if (strlist_add(out, names.items[i]) != 0) {
            goto out;
        }
    }
    rc = 0;
out:
    strlist_cleanup(&names);
    return rc;
}
