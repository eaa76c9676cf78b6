/*
 * policies/load.c - reads policy files (YAML, docs/policy-language.md) into
 * a struct policy (policy_int.h), following `extends`.
 *
 * Where it sits: policy files -> [load] -> struct policy -> policy_eval.
 * libyaml's document API builds the node tree (an adapter file, with
 * load_node.c's typed reads); this file walks the document: the event
 * pre-pass caps, rules, `extends`, waivers. A rule's check parameters are
 * read by its load function in the table of checks (policies/checks/).
 *
 * Invariants:
 * - A policy is accepted whole or not at all: the first problem anywhere
 *   (this file or one it extends) frees everything and returns NULL with
 *   "FILE:LINE:COLUMN: what was expected" (1-based, from libyaml's marks).
 * - Every name in a rule is resolved at load time: evaluation never meets
 *   an unknown one.
 * - `extends` is followed depth-first with the chain of open files kept in
 *   struct load: a file that is already on the chain is a cycle.
 * - The SHA-256 covers the bytes of every file in the order they are read
 *   (the named file first, then the one it extends, ...).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "common/infile.h"
#include "common/util.h"
#include "policies/hash.h"
#include "policies/policy.h"
#include "policies/policy_int.h"
#include "policies/load_yaml.h"

/* ---- rules and waivers ------------------------------------------------------ */

static const char *const load_rule_meta[] = {"id", "title", "ref", "severity", "applies_to", NULL};

/* load_unknown_rule_key reports an unknown key in a rule, with the nearest
 * known key or check when one is close. */
static bool load_unknown_rule_key(struct pfile *f, const yaml_node_t *k, const char *key)
{
    const char *best = check_nearest(key, load_rule_meta);
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

/* load_rule_check finds the one check among the keys of rule map m (every
 * other key must be a rule key): its kind and value, or none (*out_val
 * NULL). */
static bool load_rule_check(struct pfile *f, const struct load_map *m, enum check_kind *out_kind,
                            yaml_node_t **out_val)
{
    yaml_node_t *check_key = NULL;
    *out_val = NULL;
    for (size_t i = 0; i < m->n_pairs; i++) {
        yaml_node_t *k = load_node(f, m->pairs[i].key);
        const char *key = (const char *)k->data.scalar.value;
        bool meta = false;
        for (const char *const *x = load_rule_meta; *x != NULL; x++) {
            meta = meta || strcmp(*x, key) == 0;
        }
        if (meta) {
            continue;
        }
        unsigned c = 0;
        while (c < CHECK_COUNT && strcmp(key, check_table[c].name) != 0) {
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
        *out_val = load_node(f, m->pairs[i].value);
        *out_kind = (enum check_kind)c;
    }
    return true;
}

/* load_rule_meta_keys reads a rule's id, title, ref, severity and applies_to. */
static bool load_rule_meta_keys(struct pfile *f, const yaml_node_t *n, const struct load_map *m,
                                struct rule *out)
{
    yaml_node_t *v = load_map_get(f, m, "id", NULL);
    if (v == NULL) {
        return load_fail(f, n, "rule without 'id': expected a stable rule id");
    }
    if (!load_id(f, v, "a rule id", out->id)) {
        return false;
    }
    if ((v = load_map_get(f, m, "title", NULL)) == NULL) {
        return load_fail(f, n, "rule '%s' has no 'title': expected a one-line title", out->id);
    }
    if (!load_string(f, v, "a title", out->title, sizeof(out->title))) {
        return false;
    }
    if ((v = load_map_get(f, m, "ref", NULL)) == NULL) {
        return load_fail(f, n,
                         "rule '%s' has no 'ref': expected the clause it implements, e.g. "
                         "\"PCI DSS v4.0.1 Req 4.2.1\"",
                         out->id);
    }
    if (!load_string(f, v, "a reference", out->ref, sizeof(out->ref))) {
        return false;
    }
    if ((v = load_map_get(f, m, "severity", NULL)) == NULL) {
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
    if ((v = load_map_get(f, m, "applies_to", NULL)) != NULL &&
        !load_strings(f, v, "a target tag", &out->applies_to)) {
        return false;
    }
    return true;
}

/* load_describe renders c's parameters in one line ("SSLv2, SSLv3"). */
static char *load_describe(const struct check *c)
{
    struct load_buf b = {NULL, 0, 0, false};
    load_buf_add(&b, "%s", "");
    check_table[c->kind].describe(&b, c);
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

static bool load_rule(struct pfile *f, const yaml_node_t *n, struct rule *out)
{
    struct load_map m;
    if (!load_map_open(f, n, "a rule (id, title, ref, severity and one check)", NULL, NULL, &m)) {
        return false;
    }
    /* First the keys: which are known, and at most one check. */
    enum check_kind kind = CHECK_COUNT;
    yaml_node_t *check_val = NULL;
    if (!load_rule_check(f, &m, &kind, &check_val) || !load_rule_meta_keys(f, n, &m, out)) {
        return false;
    }
    if (check_val == NULL) {
        return load_fail(f, n,
                         "rule '%s' has no check: expected exactly one check, e.g. "
                         "protocols_forbidden (see docs/policy-language.md)",
                         out->id);
    }
    out->check.kind = kind;
    if (!check_table[kind].load(f, check_val, &out->check)) {
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

/* load_grow returns items with room for one more than n (capacity *cap,
 * doubled from first), or NULL (out of memory: items unchanged). */
static void *load_grow(void *items, size_t n, size_t *cap, size_t size, size_t first)
{
    if (n < *cap) {
        return items;
    }
    size_t ncap = *cap ? *cap * 2 : first;
    void *grown = realloc(items, ncap * size);
    if (grown != NULL) {
        *cap = ncap;
    }
    return grown;
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
            struct rule *grown = load_grow(p->rules, p->n_rules, &p->cap_rules, sizeof(r), 16);
            if (grown == NULL) {
                policy_rule_cleanup(&r);
                load_oom(f);
                goto out;
            }
            p->rules = grown;
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
        struct waiver *grown = load_grow(p->waivers, p->n_waivers, &p->cap_waivers, sizeof(w), 8);
        if (grown == NULL) {
            policy_waiver_cleanup(&w);
            return load_oom(f);
        }
        p->waivers = grown;
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

/* load_head reads a policy's id, title, version and sources. */
static bool load_head(struct pfile *f, const yaml_node_t *root, const struct load_map *m,
                      struct policy *p)
{
    yaml_node_t *v = load_map_get(f, m, "id", NULL);
    if (v == NULL) {
        return load_fail(f, root, "policy without 'id': expected a policy id such as my-policy");
    }
    if (!load_id(f, v, "a policy id", p->id)) {
        return false;
    }
    if ((v = load_map_get(f, m, "title", NULL)) == NULL) {
        return load_fail(f, root, "policy '%s' has no 'title': expected a one-line title", p->id);
    }
    if (!load_string(f, v, "a title", p->title, sizeof(p->title))) {
        return false;
    }
    if ((v = load_map_get(f, m, "version", NULL)) == NULL) {
        return load_fail(f, root,
                         "policy '%s' has no 'version': expected a version such as \"1.0\"", p->id);
    }
    if (!load_string(f, v, "a version", p->version, sizeof(p->version))) {
        return false;
    }
    if ((v = load_map_get(f, m, "source", NULL)) != NULL &&
        !load_strings(f, v, "a source reference", &p->sources)) {
        return false;
    }
    return true;
}

/* load_inherit takes over the rules, waivers and sources of parent (the
 * policy p extends) into p. */
static bool load_inherit(struct pfile *f, struct policy *p, struct policy *parent)
{
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
            return load_oom(f);
        }
    }
    return true;
}

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
    if (!load_head(f, root, &m, p)) {
        goto out;
    }
    yaml_node_t *v;
    if ((v = load_map_get(f, &m, "extends", NULL)) != NULL) {
        if (!load_string(f, v, "a shipped policy name or a relative path", p->extends,
                         sizeof(p->extends))) {
            goto out;
        }
        if (!load_extends(f, v, p->extends, &parent)) {
            goto out;
        }
        if (!load_inherit(f, p, parent)) {
            goto out;
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
    /* a whole regular file; a FIFO or a device is refused without blocking */
    char *text = infile_read(path, NULL, LOAD_MAX_FILE, &len, ld->err, ld->err_len);
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
        load_not_found(name_or_path, err, err_len);
        return NULL;
    }
    return policy_load_file(path, err, err_len);
}
