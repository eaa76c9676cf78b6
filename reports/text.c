/*
 * reports/text.c - the terminal summary of a target (text.h).
 */
#include "reports/text.h"
#include "reports/grade_view.h"

#include <string.h>

#include "common/util.h"
#include "common/model/probe_result.h"
#include "common/model/registry.h"
#include "reports/escape.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"

static const char *col(bool color, const char *code)
{
    return color ? code : "";
}

void text_visible(FILE *out, const char *s)
{
    /* The one walker and UTF-8 validator of every format (escape.h). */
    esc_visible(out, s);
}

static void print_version(FILE *out, enum tls_version v, const struct version_fact *f, bool color)
{
    const char *c = "";
    switch (f->state) {
    case PROBE_ACCEPTED:
        c = (v <= TLSV_TLS11) ? C_YELLOW : C_GREEN;
        break;
    case PROBE_REFUSED:
        c = C_DIM;
        break;
    case PROBE_INCONCLUSIVE:
        c = C_RED;
        break;
    case PROBE_NOT_TESTED:
        break;
    }
    fprintf(out, "  %-8s %s%-12s%s", tls_version_name(v), col(color, c), probe_state_name(f->state),
            col(color, C_RESET));
    if (f->state == PROBE_ACCEPTED) {
        fprintf(out, " ");
        text_visible(out, f->suite_name);
        fprintf(out, " (0x%04X)", f->suite);
        if (f->group[0] != '\0') {
            fprintf(out, "  group ");
            text_visible(out, f->group);
        }
        if (f->dh_bits > 0) {
            fprintf(out, "  DH %d bits", f->dh_bits);
        }
        if (f->hrr) {
            fprintf(out, "  (HelloRetryRequest)");
        }
        if (f->reason[0] != '\0') {
            fprintf(out, "  [");
            text_visible(out, f->reason);
            fprintf(out, "]");
        }
    } else if (f->reason[0] != '\0') {
        fprintf(out, " ");
        text_visible(out, f->reason);
    }
    fputc('\n', out);
}

/* The chain's problems as one comma-separated line; returns how many. */
static int print_problems(FILE *out, const struct deployment_view *r, bool color)
{
    const struct chain_fact *ch = r->chain;
    bool revoked = false;
    for (size_t i = 0; fact_collected(&r->revoc_header) && i < r->n_revoc; i++) {
        revoked = revoked || r->revoc[i].status == REVOC_REVOKED;
    }
    struct {
        bool on;
        const char *what;
    } p[] = {
        {!ch->trusted, "untrusted"},
        {ch->hostname_checked && !ch->hostname_match, "hostname mismatch"},
        {ch->expired, "expired"},
        {ch->not_yet_valid, "not yet valid"},
        {ch->self_signed, "self-signed"},
        {ch->incomplete, "incomplete chain"},
        {ch->wrong_order, "wrong order"},
        {strcmp(ch->ocsp_status, "revoked") == 0, "OCSP: revoked"},
        {strcmp(ch->ocsp_status, "invalid") == 0, "OCSP staple invalid"},
        {revoked, "REVOKED"},
        {r->n_certs > 0 && r->certs[0].must_staple && !ch->ocsp_staple,
         "must-staple without a staple"},
    };
    int n = 0;
    fprintf(out, "  %-8s ", "Problems");
    for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
        if (p[i].on) {
            fprintf(out, "%s%s%s%s", n ? ", " : "", col(color, C_RED), p[i].what,
                    col(color, C_RESET));
            n++;
        }
    }
    if (n == 0) {
        fprintf(out, "%snone%s", col(color, C_GREEN), col(color, C_RESET));
    }
    fputc('\n', out);
    return n;
}

static void print_cert(FILE *out, size_t i, const struct cert_fact *c)
{
    char date[16];
    fprintf(out, "  #%zu ", i);
    text_visible(out, c->subject ? c->subject : "(unparsable certificate)");
    fprintf(out, "\n     issuer ");
    text_visible(out, c->issuer);
    fprintf(out, "\n     %s %d%s%s, %s, expires %s (%lld days), sha256 %.16s...\n", c->key_type,
            c->key_bits, c->curve[0] ? " " : "", c->curve, c->sig_alg,
            util_iso_date(c->not_after, date, sizeof(date)), (long long)c->days_left, c->sha256);
    if (i == 0 && c->san.n_items > 0) {
        fprintf(out, "     SAN ");
        for (size_t k = 0; k < c->san.n_items && k < 8; k++) {
            fprintf(out, "%s", k ? ", " : "");
            text_visible(out, c->san.items[k]);
        }
        if (c->san.n_items > 8) {
            fprintf(out, ", ... (%zu in all)", c->san.n_items);
        }
        fputc('\n', out);
    }
}

static const char *tri_word(enum fact_tri t)
{
    return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "?";
}

static void print_code_list(FILE *out, const char *label, const uint16_t *codes, size_t n,
                            bool groups)
{
    fprintf(out, "%s", label);
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL;
        if (groups) {
            const struct group_info *g = registry_group_by_code(codes[i]);
            name = g ? g->name : NULL;
        } else {
            const struct sigscheme_info *sg = registry_sigscheme_by_code(codes[i]);
            name = sg ? sg->name : NULL;
        }
        if (name != NULL) {
            fprintf(out, "%s%s", i ? ", " : " ", name);
        } else {
            fprintf(out, "%s0x%04x", i ? ", " : " ", codes[i]);
        }
    }
    if (n == 0) {
        fprintf(out, " -");
    }
}

static void print_enumeration(FILE *out, const struct enum_facts *e, bool color)
{
    fprintf(out, "  Enumeration (raw ClientHellos, %lu connections)\n", e->n_probes);
    for (int v = 0; v < TLSV_COUNT; v++) {
        const struct enum_version_fact *f = &e->versions[v];
        bool old = v <= TLSV_TLS11;
        const char *c = f->state == PROBE_ACCEPTED       ? (old ? C_RED : C_GREEN)
                        : f->state == PROBE_INCONCLUSIVE ? C_YELLOW
                                                         : C_DIM;
        fprintf(out, "  %-8s %s%-12s%s", tls_version_name((enum tls_version)v), col(color, c),
                probe_state_name(f->state), col(color, C_RESET));
        if (f->state == PROBE_ACCEPTED) {
            fprintf(out, " %zu suite%s, %s order", f->n_suites, f->n_suites == 1 ? "" : "s",
                    enum_order_name(f->order));
        } else if (f->reason[0] != '\0') {
            fputc(' ', out);
            text_visible(out, f->reason);
        }
        if (f->incomplete) {
            fprintf(out, " %s(incomplete: ", col(color, C_YELLOW));
            text_visible(out, f->incomplete_why);
            fprintf(out, ")%s", col(color, C_RESET));
        }
        fputc('\n', out);
        for (size_t i = 0; i < f->n_suites; i++) {
            const struct enum_suite *es = &f->suites[i];
            const struct suite_info *si = registry_suite_by_code(es->code);
            bool weak =
                si != NULL && (si->export_grade || strcmp(si->cipher, "NULL") == 0 ||
                               strcmp(si->auth, "anon") == 0 || strcmp(si->cipher, "RC4") == 0 ||
                               strcmp(si->cipher, "DES") == 0 || strcmp(si->cipher, "3DES") == 0);
            fprintf(out, "      %s%*s0x%0*X  %-44s%s", col(color, weak ? C_RED : ""),
                    es->code > 0xffff ? 0 : 2, "", es->code > 0xffff ? 6 : 4, es->code,
                    si ? si->iana_name : "(unknown)", col(color, weak ? C_RESET : ""));
            if (es->ec_group != 0) {
                const struct group_info *g = registry_group_by_code(es->ec_group);
                fprintf(out, " %s", g ? g->name : "?");
            }
            if (es->kx_bits > 0) {
                fprintf(out, " %d bits", es->kx_bits);
            }
            fputc('\n', out);
        }
    }
    print_code_list(out, "  Groups   TLS 1.2:", e->groups12, e->n_groups12, true);
    print_code_list(out, "; TLS 1.3:", e->groups13, e->n_groups13, true);
    fputc('\n', out);
    print_code_list(out, "  Sigalgs  TLS 1.2:", e->sigalgs12, e->n_sigalgs12, false);
    if (fact_collected(&e->sigalgs13_header)) {
        print_code_list(out, "; TLS 1.3:", e->sigalgs13, e->n_sigalgs13, false);
    }
    fputc('\n', out);
    fprintf(out,
            "  Echoes   secure renegotiation %s, extended master secret %s, "
            "encrypt-then-MAC %s, status_request %s, session ticket %s, heartbeat %s, ALPN ",
            tri_word(e->secure_renegotiation), tri_word(e->extended_master_secret),
            tri_word(e->encrypt_then_mac), tri_word(e->status_request), tri_word(e->session_ticket),
            tri_word(e->heartbeat));
    text_visible(out, e->alpn[0] ? e->alpn : "-");
    fputc('\n', out);
    if (e->anomalies[0] != '\0') {
        fprintf(out, "  %sAnomaly%s  ", col(color, C_RED), col(color, C_RESET));
        text_visible(out, e->anomalies);
        fputc('\n', out);
    }
}

/* The revocation status of each served certificate, and AIA completion. */
static void print_revocation(FILE *out, const struct deployment_view *r, bool color)
{
    const struct chain_fact *ch = r->chain;
    if (ch->aia_attempted || ch->aia_detail[0] != '\0') {
        fprintf(out, "  %-8s ", "AIA");
        if (ch->aia_attempted && ch->aia_completed) {
            fprintf(out, "incomplete chain completed through AIA: %s%s%s",
                    col(color, ch->aia_trusted ? C_GREEN : C_RED),
                    ch->aia_trusted ? "trusted" : "NOT trusted", col(color, C_RESET));
        } else {
            fprintf(out, "%s", ch->aia_attempted ? "not completed" : "not tried");
        }
        if (ch->aia_detail[0] != '\0') {
            fprintf(out, " (");
            text_visible(out, ch->aia_detail);
            fprintf(out, ")");
        }
        fputc('\n', out);
    }
    if (!fact_collected(&r->revoc_header)) {
        return;
    }
    for (size_t i = 0; i < r->n_revoc; i++) {
        const struct revoc_fact *f = &r->revoc[i];
        const char *c = f->status == REVOC_GOOD ? C_GREEN : f->status == REVOC_REVOKED ? C_RED : "";
        fprintf(out, "  %-8s #%zu %s%s%s", i == 0 ? "Revoked?" : "", i, col(color, c),
                revoc_status_name(f->status), col(color, c[0] ? C_RESET : ""));
        if (f->method[0] != '\0' && f->status != REVOC_INCONCLUSIVE) {
            fprintf(out, " via %s", f->method);
        }
        if (f->from_cache) {
            fprintf(out, " (cached)");
        }
        if (f->staple[0] != '\0') {
            fprintf(out, "; the stapled response %s", f->staple);
        }
        if (f->detail[0] != '\0') {
            fprintf(out, ": ");
            text_visible(out, f->detail);
        }
        fputc('\n', out);
    }
}

/* One certificate deployment: its chain's validation, problems,
 * revocation and certificates. */
static void print_deployment(FILE *out, const struct deployment_view *r, bool color)
{
    if (fact_collected(&r->chain_header)) {
        const struct chain_fact *ch = r->chain;
        fprintf(out, "  %-8s %s%s%s", "Chain", col(color, ch->trusted ? C_GREEN : C_RED),
                ch->trusted ? "trusted" : "NOT trusted", col(color, C_RESET));
        if (!ch->trusted && ch->verify_text[0] != '\0') {
            fprintf(out, " (");
            text_visible(out, ch->verify_text);
            fprintf(out, ")");
        }
        if (ch->hostname_checked) {
            fprintf(out, "; ");
            text_visible(out, ch->hostname);
            fprintf(out, " %s", ch->hostname_match ? "matches" : "does NOT match");
        } else {
            fprintf(out, "; hostname not checked (no name)");
        }
        long long left = (long long)ch->min_days_left;
        fprintf(out, "; %zu certificate%s; ", r->n_certs, r->n_certs == 1 ? "" : "s");
        if (left < 0) {
            fprintf(out, "a certificate expired %lld day%s ago", -left, left == -1 ? "" : "s");
        } else {
            fprintf(out, "soonest expiry in %lld day%s", left, left == 1 ? "" : "s");
        }
        fprintf(out, "; OCSP staple: %s\n", ch->ocsp_status);
        print_problems(out, r, color);
        print_revocation(out, r, color);
        for (size_t i = 0; i < r->n_certs; i++) {
            print_cert(out, i, &r->certs[i]);
        }
    }
}

/* The HTTP security headers, when they were asked for. */
static void print_http(FILE *out, const struct http_fact *h, bool color)
{
    if (fact_attempted(&h->hsts)) {
        fprintf(out, "  %-8s ", "HSTS");
        if (h->hsts.state == FACT_COULD_NOT_TEST) {
            fprintf(out, "not known: ");
            text_visible(out, h->hsts.detail);
        } else if (!h->hsts_present) {
            fprintf(out, "%sabsent%s (HTTP %ld)", col(color, C_RED), col(color, C_RESET),
                    h->https_status);
        } else if (!h->hsts_valid) {
            fprintf(out, "%sinvalid header%s: ", col(color, C_RED), col(color, C_RESET));
            text_visible(out, h->hsts_header);
        } else {
            fprintf(out, "max-age=%lld%s%s", (long long)h->hsts_max_age,
                    h->hsts_include_subdomains ? ", includeSubDomains" : "",
                    h->hsts_preload ? ", preload" : "");
        }
        fputc('\n', out);
    }
    if (fact_attempted(&h->redirect)) {
        fprintf(out, "  %-8s ", "HTTP:80");
        if (h->redirect.state == FACT_COULD_NOT_TEST) {
            fprintf(out, "not known: ");
            text_visible(out, h->redirect.detail);
        } else {
            fprintf(out, "%s%s%s (HTTP %ld", col(color, h->redirects_to_https ? C_GREEN : C_RED),
                    h->redirects_to_https ? "redirects to HTTPS" : "does NOT redirect to HTTPS",
                    col(color, C_RESET), h->http_status);
            if (h->redirect_location[0] != '\0') {
                fprintf(out, ", Location ");
                text_visible(out, h->redirect_location);
            }
            fputc(')', out);
        }
        fputc('\n', out);
    }
}

/* What the STARTTLS dialogue saw, when one ran. */
static void print_starttls(FILE *out, const struct starttls_fact *f, bool color)
{
    if (!fact_attempted(&f->header)) {
        return;
    }
    fprintf(out, "  %-8s ", "STARTTLS");
    if (f->header.state == FACT_COULD_NOT_TEST) {
        fprintf(out, "not known: ");
        text_visible(out, f->header.detail);
    } else if (f->upgraded) {
        fprintf(out, "%soffered and accepted%s", col(color, C_GREEN), col(color, C_RESET));
    } else {
        fprintf(out, "%sno upgrade%s: ", col(color, C_RED), col(color, C_RESET));
        text_visible(out, f->failure);
    }
    if (f->capabilities_read || f->caps[0] != '\0') {
        fprintf(out, "; before TLS: ");
        text_visible(out, f->caps[0] ? f->caps : "-");
    }
    if (f->plain_auth) {
        fprintf(out, "; %splaintext login offered before TLS%s", col(color, C_RED),
                col(color, C_RESET));
    }
    if (f->banner[0] != '\0') {
        fprintf(out, "; greeting ");
        text_visible(out, f->banner);
    }
    fputc('\n', out);
}

/* The generic probe results, one line each; nothing when the probes were
 * not collected and left no result. */
static void print_probes(FILE *out, const struct probe_list *l, bool color)
{
    if (l->header.state == FACT_NOT_COLLECTED && l->n_items == 0) {
        return;
    }
    if (l->header.state == FACT_COULD_NOT_TEST || l->n_items == 0) {
        fprintf(out, "  %-8s %s", "Probes", fact_state_name(l->header.state));
        if (l->header.detail[0] != '\0') {
            fprintf(out, ": ");
            text_visible(out, l->header.detail);
        }
        fputc('\n', out);
    }
    for (size_t i = 0; i < l->n_items; i++) {
        const struct probe_result *p = &l->items[i];
        const char *c = p->state == PR_POSITIVE ? C_RED : p->state == PR_NEGATIVE ? C_GREEN : "";
        fprintf(out, "  %-8s ", i == 0 ? "Probes" : "");
        text_visible(out, p->id);
        if (p->version != PROBE_NO_VERSION || p->suite != 0) {
            const struct suite_info *si = p->suite ? registry_suite_by_code(p->suite) : NULL;
            fprintf(out, " (%s%s",
                    p->version != PROBE_NO_VERSION ? tls_version_name(p->version) : "",
                    p->version != PROBE_NO_VERSION && p->suite != 0 ? ", " : "");
            if (si != NULL) {
                fprintf(out, "%s", si->iana_name);
            } else if (p->suite != 0) {
                fprintf(out, "0x%04X", (unsigned)p->suite);
            }
            fputc(')', out);
        }
        fprintf(out, ": %s%s%s", col(color, c), probe_result_state_name(p->state),
                col(color, c[0] ? C_RESET : ""));
        if (p->detail[0] != '\0') {
            fprintf(out, ": ");
            text_visible(out, p->detail);
        }
        if (p->evidence != NULL) {
            fprintf(out, "; evidence: ");
            text_visible(out, p->evidence);
        }
        fputc('\n', out);
    }
}

void text_print_target(FILE *out, const struct target_result *r, bool color)
{
    bool v6 = strchr(r->host, ':') != NULL;
    fprintf(out, "%s%s", col(color, C_BOLD), v6 ? "[" : "");
    text_visible(out, r->host);
    fprintf(out, "%s:%u%s", v6 ? "]" : "", (unsigned)r->port, col(color, C_RESET));
    if (r->ip[0] != '\0' && strcmp(r->ip, r->host) != 0) {
        fprintf(out, " [%s]", r->ip);
    }
    if (r->sni != NULL) {
        fprintf(out, " sni=");
        text_visible(out, r->sni);
    }
    if (r->starttls[0] != '\0' && strcmp(r->starttls, "none") != 0) {
        fprintf(out, " starttls=");
        text_visible(out, r->starttls);
    }
    bool ok = r->status == TARGET_OK;
    fprintf(out, "  %s%s%s", col(color, ok ? C_GREEN : C_RED), target_status_name(r->status),
            col(color, C_RESET));
    if (r->error[0] != '\0') {
        fprintf(out, ": ");
        text_visible(out, r->error);
    }
    fputc('\n', out);
    if (r->status == TARGET_OK || r->status == TARGET_NO_TLS) {
        for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
            print_version(out, (enum tls_version)v, &r->versions[v], color);
        }
    }
    if (fact_collected(&r->enumeration.header) &&
        (r->status == TARGET_OK || r->status == TARGET_NO_TLS)) {
        print_enumeration(out, &r->enumeration, color);
    }
    size_t n_dep = target_n_deployments(r);
    for (size_t i = 0; i < n_dep; i++) {
        struct deployment_view d;
        target_deployment(r, i, &d);
        if (n_dep > 1) {
            /* Several chains: say which one each block is. */
            fprintf(out, "  %-8s #%zu of %zu: ", "Deploy", i, n_dep);
            text_visible(out, d.label);
            fputc('\n', out);
        }
        print_deployment(out, &d, color);
    }
    print_http(out, &r->http, color);
    print_starttls(out, &r->dialogue, color);
    print_probes(out, &r->probes, color);
    grade_view_text(out, r, color);
    fputc('\n', out);
}
