/*
 * reports/html/target.c - the HTML report's per-target detail: versions
 * (GnuTLS and enumeration), suites in server order with their registry
 * attributes, groups, signature schemes, extensions, the certificate
 * chain with revocation, HTTP facts, chain validation, findings.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "common/model/registry.h"
#include "common/util.h"
#include "reports/escape.h"
#include "reports/html/html.h"

/* ---- per-target detail --------------------------------------------------------- */

static const char *state_class(enum probe_state s)
{
    switch (s) {
    case PROBE_ACCEPTED:
        return "v-pass";
    case PROBE_REFUSED:
        return "v-na";
    case PROBE_INCONCLUSIVE:
        return "v-inconclusive";
    case PROBE_NOT_TESTED:
        break;
    }
    return "v-na";
}

static void put_versions(struct html_ctx *c, const struct target_result *r)
{
    const struct enum_facts *e = &r->enumeration;
    fputs("<h4>Protocol versions</h4>\n", c->out);
    fputs("<table>\n<thead><tr><th>Version</th><th>Enumeration (raw ClientHellos)</th>"
          "<th class=\"num\">Suites</th><th>Order</th><th>Handshake (GnuTLS)</th></tr></thead>\n"
          "<tbody>\n",
          c->out);
    for (int v = TLSV_COUNT - 1; v >= 0; v--) {
        fprintf(c->out, "<tr><td class=\"nowrap\">%s</td><td>",
                tls_version_name((enum tls_version)v));
        const struct enum_version_fact *ev = &e->versions[v];
        if (!fact_collected(&e->header)) {
            fputs("<span class=\"muted\">not collected</span></td><td></td><td></td>", c->out);
        } else {
            fprintf(c->out, "<span class=\"badge %s\">%s</span>", state_class(ev->state),
                    probe_state_name(ev->state));
            if (ev->reason[0] != '\0') {
                fputs(" ", c->out);
                html_text(c, ev->reason);
            }
            if (ev->incomplete) {
                fputs("<br><span class=\"v-warn\">incomplete: ", c->out);
                html_text_or(c, ev->incomplete_why, "some probes ended without clear evidence");
                fputs("</span>", c->out);
            }
            fprintf(c->out, "</td><td class=\"num\">%zu</td><td>%s</td>", ev->n_suites,
                    ev->n_suites > 0 ? enum_order_name(ev->order) : "");
        }
        fputs("<td>", c->out);
        if (tls_version_is_hs((enum tls_version)v)) {
            const struct version_fact *vf = &r->versions[v];
            fprintf(c->out, "<span class=\"badge %s\">%s</span>", state_class(vf->state),
                    probe_state_name(vf->state));
            if (vf->state == PROBE_ACCEPTED) {
                fputs(" <span class=\"mono\">", c->out);
                html_text(c, vf->suite_name);
                fprintf(c->out, "</span> (0x%04X)", (unsigned)vf->suite);
                if (vf->group[0] != '\0') {
                    fputs(", group ", c->out);
                    html_text(c, vf->group);
                }
                if (vf->dh_bits > 0) {
                    fprintf(c->out, ", DH %d bits", vf->dh_bits);
                }
                if (vf->hrr) {
                    fputs(", HelloRetryRequest", c->out);
                }
            }
            if (vf->reason[0] != '\0') {
                fputs(" ", c->out);
                html_text(c, vf->reason);
            }
        } else {
            fputs("<span class=\"muted\">not probed</span>", c->out);
        }
        fputs("</td></tr>\n", c->out);
    }
    fputs("</tbody>\n</table>\n", c->out);
}

static const char *yes_no(bool b)
{
    return b ? "yes" : "no";
}

static void put_suites(struct html_ctx *c, const struct target_result *r)
{
    const struct enum_facts *e = &r->enumeration;
    fputs("<h4>Cipher suites</h4>\n", c->out);
    if (!fact_collected(&e->header)) {
        fputs("<p class=\"muted\">The enumeration was not collected for this target: only the "
              "suites negotiated by the handshakes above are known.</p>\n",
              c->out);
        return;
    }
    bool any = false;
    for (int v = TLSV_COUNT - 1; v >= 0; v--) {
        const struct enum_version_fact *ev = &e->versions[v];
        if (ev->n_suites == 0) {
            continue;
        }
        any = true;
        fprintf(c->out, "<p><strong>%s</strong>: %zu suite%s, ",
                tls_version_name((enum tls_version)v), ev->n_suites, ev->n_suites == 1 ? "" : "s");
        switch (ev->order) {
        case ORDER_SERVER:
            fputs("in the server's order of preference", c->out);
            break;
        case ORDER_CLIENT:
            fputs("the server follows the client's order (listed by code)", c->out);
            break;
        case ORDER_UNKNOWN:
            fputs("order unknown", c->out);
            break;
        }
        fputs(".</p>\n<table>\n<thead><tr><th class=\"num\">#</th><th>Code</th><th>Name "
              "(IANA)</th><th>Kx</th><th>Auth</th><th>Cipher</th><th class=\"num\">Bits</th>"
              "<th>Mode</th><th>MAC</th><th>AEAD</th><th>FS</th><th>Export</th>"
              "<th>Kx group / size</th><th>IANA rec.</th></tr></thead>\n<tbody>\n",
              c->out);
        for (size_t i = 0; i < ev->n_suites; i++) {
            const struct enum_suite *es = &ev->suites[i];
            const struct suite_info *si = registry_suite_by_code(es->code);
            if (es->server_rank >= 0) {
                fprintf(c->out, "<tr><td class=\"num\">%d</td><td>", es->server_rank + 1);
            } else {
                fputs("<tr><td class=\"num\">-</td><td>", c->out);
            }
            html_put_suite_code(c, es->code);
            fputs("</td><td>", c->out);
            html_put_suite_name(c, es->code);
            if (si != NULL) {
                fprintf(c->out,
                        "</td><td>%s</td><td>%s</td><td>%s</td><td class=\"num\">%d</td>"
                        "<td>%s</td><td>%s</td><td>%s</td><td>%s</td>",
                        si->kx, si->auth, si->cipher, si->bits, si->mode, si->mac, yes_no(si->aead),
                        si->pfs ? "yes" : "<span class=\"v-warn\">no</span>");
                fprintf(c->out, "<td>%s</td>",
                        si->export_grade ? "<span class=\"v-fail\">export</span>" : "no");
            } else {
                fputs("</td><td colspan=\"9\" class=\"muted\"></td>", c->out);
            }
            fputs("<td>", c->out);
            const struct group_info *g = es->ec_group ? registry_group_by_code(es->ec_group) : NULL;
            if (g != NULL) {
                fputs(g->name, c->out);
            } else if (es->ec_group != 0) {
                fprintf(c->out, "0x%04X", (unsigned)es->ec_group);
            }
            if (es->kx_bits > 0) {
                fprintf(c->out, "%s%d bits", es->ec_group ? ", " : "", es->kx_bits);
            }
            fprintf(c->out, "</td><td>%c</td></tr>\n", si != NULL ? si->recommended : '?');
        }
        fputs("</tbody>\n</table>\n", c->out);
    }
    if (!any) {
        fputs("<p class=\"muted\">No suite was accepted.</p>\n", c->out);
    }
}

static void put_code_list(struct html_ctx *c, const uint16_t *codes, size_t n, bool groups)
{
    if (n == 0) {
        fputs("<span class=\"muted\">none</span>", c->out);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", c->out);
        const char *name = NULL;
        if (groups) {
            const struct group_info *g = registry_group_by_code(codes[i]);
            name = g ? g->name : NULL;
        } else {
            const struct sigscheme_info *s = registry_sigscheme_by_code(codes[i]);
            name = s ? s->name : NULL;
        }
        if (name != NULL) {
            fprintf(c->out, "<span class=\"mono\">%s</span>", name);
        } else {
            fprintf(c->out, "<span class=\"mono\">0x%04X</span>", (unsigned)codes[i]);
        }
    }
}

static const char *tri_text(enum fact_tri t)
{
    return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

static void put_groups_sigs_exts(struct html_ctx *c, const struct target_result *r)
{
    const struct enum_facts *e = &r->enumeration;
    if (!fact_collected(&e->header)) {
        return;
    }
    fputs("<h4>Key-exchange groups and signature schemes</h4>\n<table class=\"kv\">\n", c->out);
    fputs("<tr><th>Groups, TLS 1.2 and below</th><td>", c->out);
    put_code_list(c, e->groups12, e->n_groups12, true);
    fputs(" <span class=\"muted\">(in the order the server chose them)</span></td></tr>\n"
          "<tr><th>Groups, TLS 1.3</th><td>",
          c->out);
    put_code_list(c, e->groups13, e->n_groups13, true);
    fputs(" <span class=\"muted\">(server's order)</span></td></tr>\n"
          "<tr><th>Signature schemes, TLS 1.2</th><td>",
          c->out);
    put_code_list(c, e->sigalgs12, e->n_sigalgs12, false);
    fputs("</td></tr>\n<tr><th>Signature schemes, TLS 1.3</th><td>", c->out);
    if (fact_collected(&e->sigalgs13_header)) {
        put_code_list(c, e->sigalgs13, e->n_sigalgs13, false);
        fputs(" <span class=\"muted\">(registry order, not preference)</span>", c->out);
    } else {
        fputs("<span class=\"muted\">not tested</span>", c->out);
    }
    fputs("</td></tr>\n</table>\n", c->out);

    fputs("<h4>Extensions and behaviour</h4>\n<table class=\"kv\">\n", c->out);
    fprintf(c->out,
            "<tr><th>Secure renegotiation (RFC 5746)</th><td>%s</td></tr>\n"
            "<tr><th>Extended master secret (RFC 7627)</th><td>%s</td></tr>\n"
            "<tr><th>Encrypt-then-MAC (RFC 7366)</th><td>%s</td></tr>\n"
            "<tr><th>OCSP status_request</th><td>%s</td></tr>\n"
            "<tr><th>Session ticket (RFC 5077)</th><td>%s</td></tr>\n"
            "<tr><th>Heartbeat (RFC 6520)</th><td>%s</td></tr>\n",
            tri_text(e->secure_renegotiation), tri_text(e->extended_master_secret),
            tri_text(e->encrypt_then_mac), tri_text(e->status_request), tri_text(e->session_ticket),
            tri_text(e->heartbeat));
    fputs("<tr><th>ALPN (of h2, http/1.1)</th><td>", c->out);
    html_text_or(c, e->alpn, "none");
    fputs("</td></tr>\n<tr><th>Anomalies</th><td>", c->out);
    html_text_or(c, e->anomalies, "none");
    fprintf(c->out, "</td></tr>\n<tr><th>Connections used</th><td>%lu</td></tr>\n</table>\n",
            e->n_probes);
}

static void put_list(struct html_ctx *c, const struct strlist *l)
{
    if (l->n_items == 0) {
        fputs("<span class=\"muted\">none</span>", c->out);
        return;
    }
    fputs("<ul class=\"plain\">", c->out);
    for (size_t i = 0; i < l->n_items; i++) {
        fputs("<li>", c->out);
        html_text(c, l->items[i]);
        fputs("</li>", c->out);
    }
    fputs("</ul>", c->out);
}

void html_put_key(struct html_ctx *c, const struct cert_fact *cf)
{
    html_text_or(c, cf->key_type, "?");
    if (cf->key_bits > 0) {
        fprintf(c->out, " %d bits", cf->key_bits);
    }
    if (cf->curve[0] != '\0') {
        fputs(" ", c->out);
        html_text(c, cf->curve);
    }
}

static void put_cert(struct html_ctx *c, size_t pos, const struct cert_fact *cf)
{
    fprintf(c->out, "<table class=\"kv\">\n<tr><th>#%zu %s</th><td><strong>", pos,
            pos == 0 ? "leaf" : "chain");
    html_text_or(c, cf->subject, "(unparsable certificate)");
    fputs("</strong></td></tr>\n<tr><th>Issuer</th><td>", c->out);
    html_text_or(c, cf->issuer, "-");
    fputs("</td></tr>\n<tr><th>Subject alternative names</th><td>", c->out);
    put_list(c, &cf->san);
    fputs("</td></tr>\n<tr><th>Key</th><td>", c->out);
    html_put_key(c, cf);
    fputs("</td></tr>\n<tr><th>Signature</th><td>", c->out);
    html_text_or(c, cf->sig_alg, "-");
    fputs("</td></tr>\n<tr><th>Validity</th><td>", c->out);
    html_put_date(c, cf->not_before);
    fputs(" to ", c->out);
    html_put_date(c, cf->not_after);
    fprintf(c->out, " <span class=\"%s\">(%lld days left at scan time)</span>",
            cf->days_left < 0    ? "v-fail"
            : cf->days_left < 30 ? "v-warn"
                                 : "muted",
            (long long)cf->days_left);
    fputs("</td></tr>\n<tr><th>SHA-256 fingerprint</th><td class=\"mono\">", c->out);
    html_text(c, cf->sha256);
    fputs("</td></tr>\n<tr><th>Serial</th><td class=\"mono\">", c->out);
    html_text(c, cf->serial);
    fputs("</td></tr>\n<tr><th>Key usage / EKU</th><td>", c->out);
    if (cf->has_key_usage) {
        for (size_t i = 0; i < cf->key_usage.n_items; i++) {
            fputs(i ? ", " : "", c->out);
            html_text(c, cf->key_usage.items[i]);
        }
    } else {
        fputs("<span class=\"muted\">no key usage</span>", c->out);
    }
    fputs(" / ", c->out);
    for (size_t i = 0; i < cf->eku.n_items; i++) {
        fputs(i ? ", " : "", c->out);
        html_text(c, cf->eku.items[i]);
    }
    if (cf->eku.n_items == 0) {
        fputs("<span class=\"muted\">no EKU</span>", c->out);
    }
    fputs("</td></tr>\n<tr><th>Basic constraints</th><td>", c->out);
    fputs(cf->ca < 0 ? "absent" : cf->ca ? "CA" : "not a CA", c->out);
    if (cf->path_len >= 0) {
        fprintf(c->out, ", path length %d", cf->path_len);
    }
    fprintf(c->out, "%s</td></tr>\n", cf->self_signed ? ", self-signed" : "");
    fputs("<tr><th>OCSP responders</th><td>", c->out);
    put_list(c, &cf->ocsp_urls);
    fputs("</td></tr>\n<tr><th>CA issuers (AIA)</th><td>", c->out);
    put_list(c, &cf->ca_issuer_urls);
    fputs("</td></tr>\n<tr><th>CRL distribution points</th><td>", c->out);
    put_list(c, &cf->crl_urls);
    fprintf(c->out, "</td></tr>\n<tr><th>Must-staple / SCTs</th><td>%s / %d</td></tr>\n</table>\n",
            yes_no(cf->must_staple), cf->n_scts);
}

/* put_revoc writes the revocation status of certificate i, when collected. */
static void put_revoc(struct html_ctx *c, const struct deployment_view *r, size_t i)
{
    if (!fact_collected(&r->revoc_header) || r->revoc == NULL || i >= r->n_revoc) {
        return;
    }
    const struct revoc_fact *rf = &r->revoc[i];
    const char *cls = rf->status == REVOC_GOOD      ? "v-pass"
                      : rf->status == REVOC_REVOKED ? "v-fail"
                                                    : "v-warn";
    fputs("<table class=\"kv\">\n<tr><th>Revocation</th><td>", c->out);
    html_put_badge(c, cls, revoc_status_name(rf->status));
    if (rf->method[0] != '\0') {
        fputs(" via ", c->out);
        html_text(c, rf->method);
    }
    if (rf->status == REVOC_REVOKED && rf->revoked_at > 0) {
        fputs(" at ", c->out);
        html_put_date(c, rf->revoked_at);
        if (rf->reason[0] != '\0') {
            fputs(" (", c->out);
            html_text(c, rf->reason);
            fputs(")", c->out);
        }
    }
    if (rf->from_cache) {
        fputs(" <span class=\"muted\">(cached answer)</span>", c->out);
    }
    if (rf->staple[0] != '\0') {
        fputs("; stapled response ", c->out);
        html_text(c, rf->staple);
    }
    if (rf->detail[0] != '\0') {
        fputs("<br><span class=\"muted\">", c->out);
        html_text(c, rf->detail);
        fputs("</span>", c->out);
    }
    fputs("</td></tr>\n</table>\n", c->out);
}

/* put_http writes the HSTS and port-80 redirect facts, when checked. */
static void put_http(struct html_ctx *c, const struct target_result *r)
{
    const struct http_fact *hf = &r->http;
    if (!fact_attempted(&hf->hsts) && !fact_attempted(&hf->redirect)) {
        return;
    }
    fputs("<h4>HTTP security headers</h4>\n<table class=\"kv\">\n", c->out);
    if (fact_attempted(&hf->hsts)) {
        fputs("<tr><th>Strict-Transport-Security</th><td>", c->out);
        if (hf->hsts.state == FACT_COULD_NOT_TEST) {
            html_put_badge(c, "v-warn", "not checked");
            fputs(" ", c->out);
            html_text(c, hf->hsts.detail);
        } else if (!hf->hsts_present) {
            html_put_badge(c, "v-fail", "absent");
        } else {
            html_put_badge(c, hf->hsts_valid ? "v-pass" : "v-fail",
                           hf->hsts_valid ? "present" : "invalid");
            fprintf(c->out, " max-age %lld%s%s <span class=\"mono\">", (long long)hf->hsts_max_age,
                    hf->hsts_include_subdomains ? ", includeSubDomains" : "",
                    hf->hsts_preload ? ", preload" : "");
            html_text(c, hf->hsts_header);
            fputs("</span>", c->out);
        }
        fputs("</td></tr>\n", c->out);
    }
    if (fact_attempted(&hf->redirect)) {
        fputs("<tr><th>HTTP (port 80) redirect</th><td>", c->out);
        if (hf->redirect.state == FACT_COULD_NOT_TEST) {
            html_put_badge(c, "v-warn", "not checked");
            fputs(" ", c->out);
            html_text(c, hf->redirect.detail);
        } else {
            html_put_badge(c, hf->redirects_to_https ? "v-pass" : "v-fail",
                           hf->redirects_to_https ? "redirects to HTTPS" : "no HTTPS redirect");
            fprintf(c->out, " status %ld ", hf->http_status);
            html_text(c, hf->redirect_location);
        }
        fputs("</td></tr>\n", c->out);
    }
    fputs("</table>\n", c->out);
}

/* The generic probe results: a table, one row each (nothing when the
 * probes were not collected and left no result). */
static void put_probes(struct html_ctx *c, const struct probe_list *l)
{
    if (l->header.state == FACT_NOT_COLLECTED && l->n_items == 0) {
        return;
    }
    fputs("<h4>Probes</h4>\n", c->out);
    if (l->header.state != FACT_COLLECTED || l->header.detail[0] != '\0') {
        fputs("<p>", c->out);
        html_put_badge(c, l->header.state == FACT_COLLECTED ? "v-pass" : "v-warn",
                       fact_state_name(l->header.state));
        fputs(" ", c->out);
        html_text(c, l->header.detail);
        fputs("</p>\n", c->out);
    }
    if (l->n_items == 0) {
        return;
    }
    fputs("<table>\n<thead><tr><th>Probe</th><th>Version</th><th>Suite</th><th>Result</th>"
          "<th>Detail</th><th>Evidence</th></tr></thead>\n<tbody>\n",
          c->out);
    for (size_t i = 0; i < l->n_items; i++) {
        const struct probe_result *p = &l->items[i];
        const struct suite_info *si = p->suite ? registry_suite_by_code(p->suite) : NULL;
        fputs("<tr><td class=\"mono\">", c->out);
        html_text(c, p->id);
        fprintf(c->out, "</td><td class=\"nowrap\">%s</td><td class=\"mono\">",
                p->version != PROBE_NO_VERSION ? tls_version_name(p->version) : "");
        if (si != NULL) {
            html_text(c, si->iana_name);
        } else if (p->suite != 0) {
            fprintf(c->out, "0x%04X", (unsigned)p->suite);
        }
        fputs("</td><td>", c->out);
        html_put_badge(c,
                       p->state == PR_POSITIVE   ? "v-fail"
                       : p->state == PR_NEGATIVE ? "v-pass"
                       : p->state == PR_INFO     ? "v-na"
                                                 : "v-inconclusive",
                       probe_result_state_name(p->state));
        fputs("</td><td>", c->out);
        html_text(c, p->detail);
        fputs("</td><td class=\"mono\">", c->out);
        if (p->evidence != NULL) {
            html_text(c, p->evidence);
        }
        fputs("</td></tr>\n", c->out);
    }
    fputs("</tbody>\n</table>\n", c->out);
}

static void put_chain(struct html_ctx *c, const struct deployment_view *r)
{
    fputs("<h4>Certificate chain</h4>\n", c->out);
    if (!fact_collected(&r->chain_header) && r->n_certs == 0) {
        fputs("<p class=\"muted\">No certificate was collected.</p>\n", c->out);
        return;
    }
    fprintf(c->out, "<p>%zu certificate%s served, leaf first.</p>\n", r->n_certs,
            r->n_certs == 1 ? "" : "s");
    for (size_t i = 0; i < r->n_certs; i++) {
        put_cert(c, i, &r->certs[i]);
        put_revoc(c, r, i);
    }
    if (!fact_collected(&r->chain_header)) {
        return;
    }
    const struct chain_fact *ch = r->chain;
    fputs("<h4>Chain validation</h4>\n<table class=\"kv\">\n<tr><th>Trusted</th><td>", c->out);
    html_put_badge(c, ch->trusted ? "v-pass" : "v-fail", ch->trusted ? "trusted" : "not trusted");
    if (ch->verify_text[0] != '\0') {
        fputs(" ", c->out);
        html_text(c, ch->verify_text);
    }
    fputs("</td></tr>\n<tr><th>Host name</th><td>", c->out);
    if (ch->hostname_checked) {
        html_put_badge(c, ch->hostname_match ? "v-pass" : "v-fail",
                       ch->hostname_match ? "matches" : "does not match");
        fputs(" ", c->out);
        html_text(c, ch->hostname);
    } else {
        fputs("<span class=\"muted\">not checked (no name)</span>", c->out);
    }
    fputs("</td></tr>\n<tr><th>Problems</th><td>", c->out);
    struct {
        bool on;
        const char *what;
    } p[] = {
        {ch->expired, "expired"},
        {ch->not_yet_valid, "not yet valid"},
        {ch->self_signed, "self-signed leaf"},
        {ch->incomplete, "incomplete chain"},
        {ch->wrong_order, "wrong order"},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
        if (p[i].on) {
            fputs(n++ ? " " : "", c->out);
            html_put_badge(c, "v-fail", p[i].what);
        }
    }
    if (n == 0) {
        fputs("none", c->out);
    }
    fprintf(c->out, "</td></tr>\n<tr><th>Fewest days left</th><td>%lld</td></tr>\n",
            (long long)ch->min_days_left);
    fputs("<tr><th>OCSP staple</th><td>", c->out);
    if (ch->ocsp_staple) {
        html_text_or(c, ch->ocsp_status, "?");
        if (ch->ocsp_detail[0] != '\0') {
            fputs(": ", c->out);
            html_text(c, ch->ocsp_detail);
        }
    } else {
        fputs("none", c->out);
    }
    fputs("</td></tr>\n<tr><th>Completed through AIA</th><td>", c->out);
    if (ch->aia_attempted) {
        html_put_badge(c, ch->aia_completed && ch->aia_trusted ? "v-pass" : "v-fail",
                       !ch->aia_completed ? "not completed"
                       : ch->aia_trusted  ? "completed, trusted"
                                          : "completed, not trusted");
        fprintf(c->out, " %d fetched ", ch->aia_fetched);
        html_text(c, ch->aia_detail);
    } else {
        fputs("<span class=\"muted\">not needed or not tried</span>", c->out);
    }
    fputs("</td></tr>\n</table>\n", c->out);
}

/* put_deployments writes every certificate deployment's chain; a server
 * with several says which one each is. */
static void put_deployments(struct html_ctx *c, const struct target_result *r)
{
    size_t n = target_n_deployments(r);
    for (size_t i = 0; i < n; i++) {
        struct deployment_view d;
        target_deployment(r, i, &d);
        if (n > 1) {
            fprintf(c->out, "<h4>Certificate deployment %zu of %zu: ", i + 1, n);
            html_text(c, d.label);
            fputs("</h4>\n", c->out);
        }
        put_chain(c, &d);
    }
    if (fact_collected(&r->chain_header)) {
        put_http(c, r); /* after the chain validation, as always */
    }
}

static void put_findings(struct html_ctx *c, size_t t)
{
    const struct report_data *d = c->d;
    size_t first, end;
    html_target_findings(c, (long)t, &first, &end);
    fputs("<h4>Findings</h4>\n", c->out);
    if (d->n_runs == 0) {
        fputs("<p class=\"muted\">No policy was evaluated.</p>\n", c->out);
        return;
    }
    for (size_t r = 0; r < d->n_runs; r++) {
        const char *cls;
        const char *v = html_run_target_verdict(c, r, t, &cls);
        fputs("<p><strong>", c->out);
        html_text_or(c, d->runs[r].policy_id, "?");
        fputs("</strong> ", c->out);
        html_text(c, d->runs[r].policy_version);
        char gate[64];
        fprintf(c->out, ": <span class=\"badge %s\">%s</span> at --fail-on %s</p>\n", cls, v,
                report_gate_text(&d->runs[r].gate, gate, sizeof(gate)));
        bool head = false;
        for (size_t i = first; i < end; i++) {
            if (c->frefs[i].run != r) {
                continue;
            }
            const struct store_finding_row *fr = html_fref_row(c, &c->frefs[i]);
            if (!head) {
                fputs("<table>\n<thead><tr><th>Verdict</th><th>Severity</th><th>Rule</th>"
                      "<th>Requirement</th><th>Evidence</th></tr></thead>\n<tbody>\n",
                      c->out);
                head = true;
            }
            fputs("<tr><td>", c->out);
            html_put_verdict(c, fr->verdict);
            if (verdict_is(fr->verdict, VERDICT_FAIL) && !report_blocks(&d->runs[r], fr)) {
                fputs("<br><em>below the gate</em>", c->out);
            }
            fputs("</td><td>", c->out);
            html_put_severity(c, fr->severity);
            fputs("</td><td class=\"rule\"><span class=\"mono\">", c->out);
            html_text_or(c, fr->rule_id, "?");
            fputs("</span><br>", c->out);
            html_text(c, fr->title);
            fputs("</td><td class=\"ref\">", c->out);
            html_text_or(c, fr->ref, "-");
            fputs("</td><td>", c->out);
            html_text_or(c, fr->evidence, "-");
            if (report_verdict_parse(fr->verdict) == VERDICT_WAIVED || fr->waiver_reason != NULL) {
                fputs("<br><strong>Waived:</strong> ", c->out);
                html_text_or(c, fr->waiver_reason, "(no justification stored)");
                fputs("<br>owner ", c->out);
                html_text_or(c, fr->waiver_owner, "(none)");
                fputs(", expires ", c->out);
                html_text_or(c, fr->waiver_expires, "(never)");
            }
            fputs("</td></tr>\n", c->out);
        }
        if (head) {
            fputs("</tbody>\n</table>\n", c->out);
        }
    }
}

/* The target's application protocol and, when one ran, what its STARTTLS
 * dialogue saw before TLS (the kv row's cell). */
static void put_starttls(struct html_ctx *c, const struct target_result *r)
{
    html_text_or(c, strcmp(r->starttls, "none") != 0 ? r->starttls : "",
                 "none (TLS from the first byte)");
    const struct starttls_fact *f = &r->dialogue;
    if (!fact_attempted(&f->header)) {
        return;
    }
    fputs(": ", c->out);
    if (f->header.state == FACT_COULD_NOT_TEST) {
        fputs("no answer: ", c->out);
        html_text(c, f->header.detail);
    } else if (f->upgraded) {
        html_put_badge(c, "v-pass", "STARTTLS offered and accepted");
    } else {
        html_put_badge(c, "v-fail", "no upgrade");
        fputs(" ", c->out);
        html_text(c, f->failure);
    }
    if (f->caps[0] != '\0') {
        fputs("; offered before TLS: ", c->out);
        html_text(c, f->caps);
    }
    if (f->plain_auth) {
        fputs("; ", c->out);
        html_put_badge(c, "v-fail", "plaintext login before TLS");
    }
    if (f->banner[0] != '\0') {
        fputs("; greeting: ", c->out);
        html_text(c, f->banner);
    }
}

/* html_put_targets_open writes the section's head: n_detail of n_targets
 * are shown in detail. */
void html_put_targets_open(struct html_ctx *c, size_t n_targets, size_t n_detail)
{
    fputs("<section id=\"targets\">\n<h2>Targets in detail</h2>\n", c->out);
    if (n_targets == 0) {
        fputs("<p class=\"muted\">This scan has no targets.</p>\n", c->out);
    } else if (c->summary) {
        fprintf(c->out,
                "<p>The summary layout: %zu of %zu targets in detail, those not compliant "
                "under some policy or not scanned, worst first (the summary gives every "
                "target's verdict). "
                "<code>tlsaudit report --format html --detail all</code> shows every "
                "target; the CSV and JSON reports hold every fact of every target.</p>\n",
                n_detail, n_targets);
    }
}

/* html_put_target_article writes target t in detail. */
void html_put_target_article(struct html_ctx *c, size_t t)
{
    const struct target_result *r = &c->d->targets[t];
    fprintf(c->out, "<article class=\"target\" id=\"t%zu\">\n<h3>", c->t_base + t);
    html_put_target_name(c, r);
    fputs("</h3>\n<table class=\"kv\">\n<tr><th>Address tested</th><td>", c->out);
    html_text_or(c, r->ip, "(none: not connected)");
    fputs("</td></tr>\n<tr><th>SNI</th><td>", c->out);
    html_text_or(c, r->sni, "(none sent)");
    fputs("</td></tr>\n<tr><th>Application protocol</th><td>", c->out);
    put_starttls(c, r);
    fputs("</td></tr>\n<tr><th>Tags</th><td>", c->out);
    for (size_t i = 0; i < r->tags.n_items; i++) {
        fputs(i ? ", " : "", c->out);
        html_text(c, r->tags.items[i]);
    }
    if (r->tags.n_items == 0) {
        fputs("<span class=\"muted\">none</span>", c->out);
    }
    fputs("</td></tr>\n<tr><th>Status</th><td>", c->out);
    html_put_badge(c, report_scanned(r) ? "v-pass" : "v-fail", target_status_name(r->status));
    if (r->error[0] != '\0') {
        fputs(" ", c->out);
        html_text(c, r->error);
    }
    fputs("</td></tr>\n<tr><th>Scanned</th><td>", c->out);
    html_put_ms(c, r->started_ms);
    fputs(" to ", c->out);
    html_put_ms(c, r->finished_ms);
    fputs("</td></tr>\n</table>\n", c->out);
    if (!report_scanned(r)) {
        fputs("<p class=\"v-fail\">This target was not scanned: no protocol, suite or "
              "certificate facts, and no policy was evaluated on it.</p>\n",
              c->out);
    } else {
        put_versions(c, r);
        put_suites(c, r);
        put_groups_sigs_exts(c, r);
        put_deployments(c, r);
        html_put_grade(c, r);
    }
    put_probes(c, &r->probes);
    put_findings(c, t);
    fputs("</article>\n", c->out);
}

void html_put_targets(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    html_put_targets_open(c, d->n_targets, c->n_detail);
    for (size_t k = 0; k < d->n_targets; k++) {
        size_t t = c->order[k];
        if (c->detail[t]) {
            html_put_target_article(c, t);
        }
    }
    fputs("</section>\n", c->out);
}
