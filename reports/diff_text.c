/*
 * reports/diff_text.c - the text and Markdown renderings of a diff: one
 * sentence per change, grouped by target, then the targets in one scan
 * only and (text) the totals.
 *
 * Pipeline position: one target's view of a diff at a time
 * (reports/diff_out.c's writer) -> [diff_text_*] -> out or its temporary
 * files.
 *
 * Invariant: every string that came from a server (certificate subject,
 * evidence, error text, and the host/SNI/IP as stored) is written through
 * the escaping of its format: esc_visible (text), esc_markdown (Markdown).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "reports/diff_private.h"
#include "reports/escape.h"

typedef void (*esc_fn)(FILE *out, const char *s);

/* put_target writes host:port (IPv6 in brackets) [ip] (SNI name). */
static void put_target(FILE *out, const struct diff_target *t, esc_fn esc)
{
    bool v6 = strchr(t->host, ':') != NULL;
    fputs(v6 ? "[" : "", out);
    esc(out, t->host);
    fprintf(out, "%s:%u", v6 ? "]" : "", (unsigned)t->port);
    if (t->starttls != NULL && strcmp(t->starttls, "none") != 0) {
        fputs(" (", out);
        esc(out, t->starttls);
        fputs(")", out);
    }
    if (t->ip[0] != '\0' && strcmp(t->ip, t->host) != 0) {
        fputs(" address ", out);
        esc(out, t->ip);
    }
    if (t->sni != NULL) {
        fputs(" SNI ", out);
        esc(out, t->sni);
    }
}

static const char *or_none(const char *s)
{
    return s != NULL ? s : "none";
}

/* put_arrow writes "BEFORE -> AFTER". */
static void put_arrow(FILE *out, esc_fn esc, const char *before, const char *after)
{
    esc(out, before);
    fputs(" -> ", out);
    esc(out, after);
}

/* put_paren writes " (S)". */
static void put_paren(FILE *out, esc_fn esc, const char *s)
{
    fputs(" (", out);
    esc(out, s);
    fputs(")", out);
}

/* put_fact_entry writes a change of status, version, suite, order or group. */
static void put_fact_entry(FILE *out, const struct diff_entry *e, esc_fn esc)
{
    const char *ver = e->version >= 0 ? tls_version_name((enum tls_version)e->version) : "";
    switch (e->kind) {
    case DIFF_STATUS_CHANGED:
        fputs(e->worse ? "unreachable now, was reachable: status " : "status ", out);
        put_arrow(out, esc, e->before, e->after);
        if (e->worse && e->detail != NULL) {
            put_paren(out, esc, e->detail);
        }
        break;
    case DIFF_VERSION_ENABLED:
    case DIFF_VERSION_DISABLED:
        fprintf(out, "%s %s (", ver, e->kind == DIFF_VERSION_ENABLED ? "enabled" : "disabled");
        put_arrow(out, esc, e->before, e->after);
        fputs(")", out);
        break;
    case DIFF_SUITE_ADDED:
    case DIFF_SUITE_REMOVED:
        fprintf(out, "%s suite %s: ", ver, e->kind == DIFF_SUITE_ADDED ? "added" : "removed");
        esc(out, e->name);
        fprintf(out, " (0x%04X)", (unsigned)e->code);
        break;
    case DIFF_ORDER_CHANGED:
        fprintf(out, "%s ", ver);
        esc(out, e->name);
        fputs(": ", out);
        put_arrow(out, esc, e->before, e->after);
        break;
    case DIFF_GROUP_ADDED:
    case DIFF_GROUP_REMOVED:
        fprintf(out, "%s group %s: ", ver, e->kind == DIFF_GROUP_ADDED ? "added" : "removed");
        esc(out, e->name);
        break;
    default:
        break;
    }
}

/* put_deployment writes " (LABEL: DETAIL)" of a deployment entry: which
 * deployment and its (new) leaf's subject and expiry. */
static void put_deployment(FILE *out, const struct diff_entry *e, esc_fn esc)
{
    fputs(" (", out);
    esc(out, or_none(e->name));
    if (e->detail != NULL) {
        fputs(": ", out);
        esc(out, e->detail);
    }
    fputs(")", out);
}

/* put_chain_entry writes a change of the leaf, the chain or a chain problem. */
static void put_chain_entry(FILE *out, const struct diff_entry *e, esc_fn esc)
{
    switch (e->kind) {
    case DIFF_CERT_ROTATED:
        fputs("certificate rotated: ", out);
        put_arrow(out, esc, e->before[0] ? e->before : "none", e->after[0] ? e->after : "none");
        put_deployment(out, e, esc);
        break;
    case DIFF_DEPLOYMENT_ADDED:
    case DIFF_DEPLOYMENT_REMOVED:
        fprintf(out, "certificate deployment %s: ",
                e->kind == DIFF_DEPLOYMENT_ADDED ? "added" : "removed");
        esc(out, or_none(e->kind == DIFF_DEPLOYMENT_ADDED ? e->after : e->before));
        put_deployment(out, e, esc);
        break;
    case DIFF_CHAIN_CHANGED:
        fputs("chain changed (after the leaf): ", out);
        put_arrow(out, esc, e->before[0] ? e->before : "none", e->after[0] ? e->after : "none");
        break;
    case DIFF_CHAIN_PROBLEM_NEW:
    case DIFF_CHAIN_PROBLEM_GONE:
        fprintf(out,
                "chain problem %s: ", e->kind == DIFF_CHAIN_PROBLEM_NEW ? "appeared" : "resolved");
        esc(out, e->name);
        if (e->detail != NULL) {
            put_paren(out, esc, e->detail);
        }
        break;
    default:
        break;
    }
}

/* put_finding_entry writes a change of a finding or of a policy's verdict. */
static void put_finding_entry(FILE *out, const struct diff_entry *e, esc_fn esc)
{
    if (e->kind == DIFF_NOT_EVALUATED) {
        fputs("findings of ", out);
        esc(out, e->policy_id);
        fputs(" not evaluated: ", out);
        put_arrow(out, esc, e->before, e->after);
        put_paren(out, esc, e->detail);
        return;
    }
    if (e->kind == DIFF_POLICY_VERDICT) {
        fputs("policy ", out);
        esc(out, e->policy_id);
        fputs(" verdict: ", out);
        put_arrow(out, esc, e->before, e->after);
        put_paren(out, esc, e->detail);
        return;
    }
    fputs(e->kind == DIFF_FINDING_NEW        ? "new failing finding "
          : e->kind == DIFF_FINDING_RESOLVED ? "resolved finding "
                                             : "finding ",
          out);
    esc(out, e->policy_id);
    fputs(" ", out);
    esc(out, e->rule_id);
    if (e->severity != NULL) {
        put_paren(out, esc, e->severity);
    }
    fputs(": ", out);
    put_arrow(out, esc, or_none(e->before), or_none(e->after));
    if (e->detail != NULL && e->kind != DIFF_FINDING_RESOLVED) {
        fputs(": ", out);
        esc(out, e->detail);
    }
}

/* put_entry writes one change as a sentence (no sign, no newline). */
static void put_entry(FILE *out, const struct diff_entry *e, esc_fn esc)
{
    switch (e->kind) {
    case DIFF_STATUS_CHANGED:
    case DIFF_VERSION_ENABLED:
    case DIFF_VERSION_DISABLED:
    case DIFF_SUITE_ADDED:
    case DIFF_SUITE_REMOVED:
    case DIFF_ORDER_CHANGED:
    case DIFF_GROUP_ADDED:
    case DIFF_GROUP_REMOVED:
        put_fact_entry(out, e, esc);
        break;
    case DIFF_CERT_ROTATED:
    case DIFF_DEPLOYMENT_ADDED:
    case DIFF_DEPLOYMENT_REMOVED:
    case DIFF_CHAIN_CHANGED:
    case DIFF_CHAIN_PROBLEM_NEW:
    case DIFF_CHAIN_PROBLEM_GONE:
        put_chain_entry(out, e, esc);
        break;
    case DIFF_FINDING_NEW:
    case DIFF_FINDING_RESOLVED:
    case DIFF_FINDING_CHANGED:
    case DIFF_POLICY_VERDICT:
    case DIFF_NOT_EVALUATED:
        put_finding_entry(out, e, esc);
        break;
    case DIFF_KIND_COUNT:
        break;
    }
}

static char entry_sign(const struct diff_entry *e)
{
    switch (e->kind) {
    case DIFF_VERSION_ENABLED:
    case DIFF_SUITE_ADDED:
    case DIFF_GROUP_ADDED:
    case DIFF_DEPLOYMENT_ADDED:
    case DIFF_CHAIN_PROBLEM_NEW:
    case DIFF_FINDING_NEW:
        return '+';
    case DIFF_VERSION_DISABLED:
    case DIFF_SUITE_REMOVED:
    case DIFF_GROUP_REMOVED:
    case DIFF_DEPLOYMENT_REMOVED:
    case DIFF_CHAIN_PROBLEM_GONE:
    case DIFF_FINDING_RESOLVED:
        return '-';
    default:
        return '~';
    }
}

static void put_scan(FILE *out, int64_t id, int64_t started_ms, const char *state)
{
    char t[32];
    fprintf(out, "scan %lld (%s, %s)", (long long)id, util_iso_time(started_ms, t, sizeof(t)),
            state);
}

static void put_list(FILE *out, const struct strlist *l, esc_fn esc)
{
    for (size_t i = 0; i < l->n_items; i++) {
        fputs(i ? ", " : "", out);
        esc(out, l->items[i]);
    }
}

static void put_policies(FILE *out, const struct diff *d, esc_fn esc, const char *bullet)
{
    fprintf(out, "%sPolicies compared: ", bullet);
    if (d->policies_compared.n_items == 0) {
        fputs("none (no policy was evaluated over both scans)", out);
    }
    put_list(out, &d->policies_compared, esc);
    fputs("\n", out);
    if (d->policies_only_a.n_items > 0) {
        fprintf(out, "%sOnly evaluated over scan %lld (not compared): ", bullet,
                (long long)d->scan_a);
        put_list(out, &d->policies_only_a, esc);
        fputs("\n", out);
    }
    if (d->policies_only_b.n_items > 0) {
        fprintf(out, "%sOnly evaluated over scan %lld (not compared): ", bullet,
                (long long)d->scan_b);
        put_list(out, &d->policies_only_b, esc);
        fputs("\n", out);
    }
}

/* How the text and the Markdown rendering differ around the changes and
 * the targets in one scan only; the loops over them are shared. */
struct diff_style {
    esc_fn esc;
    /* writes what comes before each change (sign, worse mark, bullet) */
    void (*put_mark)(FILE *out, const struct diff_entry *e);
    /* written before and after the heading "Only in scan N" */
    const char *only_open, *only_close;
    /* written before each target in one scan only */
    const char *only_item;
};

static void mark_text(FILE *out, const struct diff_entry *e)
{
    fprintf(out, "  %c %s", entry_sign(e), e->worse ? "WORSE " : "");
}

static void mark_markdown(FILE *out, const struct diff_entry *e)
{
    fputs(e->worse ? "- **worse** " : "- ", out);
}

static const struct diff_style text_style = {esc_visible, mark_text, "\n", ":\n", "  "};
static const struct diff_style markdown_style = {esc_markdown, mark_markdown, "\n### ", "\n\n",
                                                 "- "};

/* put_changes writes the changes of one's target, one a line, each after
 * its mark. */
static void put_changes(FILE *out, const struct diff *one, const struct diff_style *s)
{
    for (size_t k = 0; k < one->n_entries; k++) {
        const struct diff_entry *e = &one->entries[k];
        s->put_mark(out, e);
        put_entry(out, e, s->esc);
        fputs("\n", out);
    }
}

void diff_text_only_item(FILE *out, bool markdown, const struct diff_target *t)
{
    const struct diff_style *s = markdown ? &markdown_style : &text_style;
    fputs(s->only_item, out);
    put_target(out, t, s->esc);
    fputs("\n", out);
}

/* The lists of the targets only in scan A, then those only in scan B, each
 * under its heading (none when empty). */
int diff_text_only_lists(FILE *out, bool markdown, const struct diff *head, FILE *only[2],
                         const struct diff_totals *k)
{
    const struct diff_style *s = markdown ? &markdown_style : &text_style;
    for (int p = 0; p < 2; p++) {
        if ((p == 0 ? k->only_a : k->only_b) == 0) {
            continue;
        }
        fprintf(out, "%sOnly in scan %lld%s", s->only_open,
                (long long)(p == 0 ? head->scan_a : head->scan_b), s->only_close);
        if (diff_copy_file(out, only[p], 0) != 0) {
            return -1;
        }
    }
    return 0;
}

void diff_text_head(FILE *out, bool markdown, const struct diff *d, const struct diff_totals *k)
{
    if (!markdown) {
        fputs("tlsaudit diff: ", out);
        put_scan(out, d->scan_a, d->started_a_ms, d->state_a);
        fputs(" -> ", out);
        put_scan(out, d->scan_b, d->started_b_ms, d->state_b);
        fputs("\n", out);
        put_policies(out, d, esc_visible, "");
        return;
    }
    fprintf(out, "## tlsaudit diff: scan %lld → scan %lld\n\n", (long long)d->scan_a,
            (long long)d->scan_b);
    fputs("- From: ", out);
    put_scan(out, d->scan_a, d->started_a_ms, d->state_a);
    fputs("\n- To: ", out);
    put_scan(out, d->scan_b, d->started_b_ms, d->state_b);
    fputs("\n", out);
    put_policies(out, d, esc_markdown, "- ");
    fprintf(out, "- **%zu change%s worse**\n", k->n_worse, k->n_worse == 1 ? " is" : "s are");
}

void diff_text_target(FILE *out, bool markdown, const struct diff *one)
{
    const struct diff_target *t = &one->targets[0];
    if (!markdown) {
        fputs("\n", out);
        put_target(out, t, esc_visible);
        fprintf(out, ": %zu change%s, %zu worse\n", t->n_changes, t->n_changes == 1 ? "" : "s",
                t->n_worse);
        put_changes(out, one, &text_style);
        return;
    }
    fputs("\n### ", out);
    put_target(out, t, esc_markdown);
    fprintf(out, "\n\n%zu change%s, %zu worse\n\n", t->n_changes, t->n_changes == 1 ? "" : "s",
            t->n_worse);
    put_changes(out, one, &markdown_style);
}

void diff_text_totals(FILE *out, const struct diff *d, const struct diff_totals *k)
{
    fprintf(out,
            "\n%zu target%s changed, %zu unchanged, %zu only in scan %lld, %zu only in scan "
            "%lld; %zu change%s worse.\n",
            k->changed, k->changed == 1 ? "" : "s", k->unchanged, k->only_a, (long long)d->scan_a,
            k->only_b, (long long)d->scan_b, k->n_worse, k->n_worse == 1 ? " is" : "s are");
}
