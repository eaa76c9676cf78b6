/*
 * reports/html/inventories.c - the HTML report's inventories (PCI DSS
 * v4.0.1 Req 4.2.1.1 certificates and Req 12.3.3 protocols and suites,
 * from reports/inventory.c) and the expiring-certificate list.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/registry.h"
#include "common/util.h"
#include "reports/escape.h"
#include "reports/html/html.h"

/* ---- inventories ------------------------------------------------------------------ */

/* html_put_cert_place writes one place a certificate is served. */
void html_put_cert_place(struct html_ctx *c, const struct inventory_place *p)
{
    fputs("<li>", c->out);
    html_put_target_link(c, p->target);
    fprintf(c->out, " <span class=\"muted\">#%zu%s", p->position, p->position == 0 ? " leaf" : "");
    if (p->deployment > 0) {
        fprintf(c->out, ", deployment %zu", p->deployment);
    }
    fputs("</span></li>", c->out);
}

/* Where a certificate is served: every (target, position) of x. */
static void put_cert_where(struct html_ctx *c, const struct inventory_cert *x)
{
    fputs("<ul class=\"plain\">", c->out);
    for (size_t i = 0; i < x->n_places; i++) {
        html_put_cert_place(c, &x->places[i]);
    }
    fputs("</ul>", c->out);
}

bool html_put_cert_inventory_open(struct html_ctx *c, size_t n_unique)
{
    fputs("<section id=\"cert-inventory\">\n<h2>Certificate inventory</h2>\n", c->out);
    fprintf(c->out,
            "<p>PCI DSS v4.0.1 Req 4.2.1.1: an inventory of the trusted keys and certificates "
            "in use. Every certificate served by a scanned target, once per SHA-256 "
            "fingerprint: <strong>%zu</strong> distinct certificate%s.</p>\n",
            n_unique, n_unique == 1 ? "" : "s");
    if (n_unique == 0) {
        fputs("<p class=\"muted\">No certificate was collected.</p>\n</section>\n", c->out);
        return false;
    }
    fputs("<table>\n<thead><tr><th>Subject</th><th>Issuer</th><th>Key</th><th>Signature</th>"
          "<th>Expires</th><th class=\"num\">Days left at scan</th><th>SHA-256</th>"
          "<th>Where (target, position)</th></tr></thead>\n<tbody>\n",
          c->out);
    return true;
}

/* html_put_cert_head writes the start of certificate cf's row, up to the
 * cell of its places. */
void html_put_cert_head(struct html_ctx *c, const struct cert_fact *cf)
{
    fputs("<tr><td>", c->out);
    html_text_or(c, cf->subject, "(unparsable certificate)");
    fputs("</td><td>", c->out);
    html_text_or(c, cf->issuer, "-");
    fputs("</td><td class=\"nowrap\">", c->out);
    html_put_key(c, cf);
    fputs("</td><td>", c->out);
    html_text_or(c, cf->sig_alg, "-");
    fputs("</td><td class=\"nowrap\">", c->out);
    html_put_date(c, cf->not_after);
    fprintf(c->out, "</td><td class=\"num%s\">%lld</td><td class=\"mono\">",
            cf->days_left < 0 ? " v-fail" : "", (long long)cf->days_left);
    html_text(c, cf->sha256);
    fputs("</td><td>", c->out);
}

void html_put_cert_inventory(struct html_ctx *c)
{
    if (!html_put_cert_inventory_open(c, c->inv.n_certs)) {
        return;
    }
    for (size_t i = 0; i < c->inv.n_certs; i++) {
        html_put_cert_head(c, c->inv.certs[i].cert);
        put_cert_where(c, &c->inv.certs[i]);
        fputs("</td></tr>\n", c->out);
    }
    fputs(HTML_TABLE_END "</section>\n", c->out);
}

/* html_use_shown: how many of n targets a use row links to. */
size_t html_use_shown(const struct html_ctx *c, size_t n)
{
    return c->summary && n > HTML_SUMMARY_LIST_MAX ? HTML_SUMMARY_LIST_MAX : n;
}

/* html_put_use_more ends a use row's list of targets: how many more
 * there are than the shown. */
void html_put_use_more(struct html_ctx *c, size_t n, size_t shown)
{
    if (shown < n) {
        fprintf(c->out, " <span class=\"muted\">and %zu more (CSV and JSON list them)</span>",
                n - shown);
    }
}

/* The targets of u: their number, then a link to each (in the summary
 * layout the first HTML_SUMMARY_LIST_MAX, then how many more). */
static void put_use_targets(struct html_ctx *c, const struct inventory_use *u)
{
    fprintf(c->out, "%zu: ", u->n_targets);
    size_t shown = html_use_shown(c, u->n_targets);
    for (size_t k = 0; k < shown; k++) {
        fputs(k ? ", " : "", c->out);
        html_put_target_link(c, u->targets[k]);
    }
    html_put_use_more(c, u->n_targets, shown);
}

/* html_put_protocol_inventory_open writes the section's head and, when
 * some version is in use (n_versions), the versions table's head. */
bool html_put_protocol_inventory_open(struct html_ctx *c, size_t n_versions)
{
    fputs("<section id=\"protocol-inventory\">\n<h2>Protocol and cipher-suite inventory</h2>\n"
          "<p>PCI DSS v4.0.1 Req 12.3.3: the cryptographic cipher suites and protocols in use, "
          "and where. From the enumeration of each scanned target (for a target without one, "
          "the suites its handshakes negotiated).</p>\n",
          c->out);
    if (n_versions == 0) {
        fputs("<p class=\"muted\">No protocol version was accepted by any target.</p>\n"
              "</section>\n",
              c->out);
        return false;
    }
    fputs("<h3>Protocol versions in use</h3>\n<table>\n<thead><tr><th>Version</th>"
          "<th>Targets accepting it</th></tr></thead>\n<tbody>\n",
          c->out);
    return true;
}

/* html_put_version_head: the start of version v's row, up to its targets. */
void html_put_version_head(struct html_ctx *c, enum tls_version v)
{
    fprintf(c->out, "<tr><td class=\"nowrap\">%s</td><td>", tls_version_name(v));
}

/* html_put_suites_open: the suites table's head (the versions' ends). */
void html_put_suites_open(struct html_ctx *c)
{
    fputs(HTML_TABLE_END "<h3>Cipher suites in use</h3>\n<table>\n<thead><tr><th>Version</th>"
                         "<th>Code</th><th>Name (IANA)</th><th>Kx / Auth</th><th>Cipher</th>"
                         "<th>MAC</th><th>FS</th><th>Where</th></tr></thead>\n<tbody>\n",
          c->out);
}

/* html_put_suite_head: the start of (v, code)'s row, up to its targets. */
void html_put_suite_head(struct html_ctx *c, enum tls_version v, uint32_t code)
{
    const struct suite_info *si = registry_suite_by_code(code);
    fprintf(c->out, "<tr><td class=\"nowrap\">%s</td><td>", tls_version_name(v));
    html_put_suite_code(c, code);
    fputs("</td><td>", c->out);
    html_put_suite_name(c, code);
    if (si != NULL) {
        fprintf(c->out, "</td><td>%s / %s</td><td>%s %d %s%s</td><td>%s</td><td>%s</td><td>",
                si->kx, si->auth, si->cipher, si->bits, si->mode,
                si->export_grade ? " <span class=\"v-fail\">export</span>" : "", si->mac,
                si->pfs ? "yes" : "<span class=\"v-warn\">no</span>");
    } else {
        fputs("</td><td></td><td></td><td></td><td></td><td>", c->out);
    }
}

void html_put_protocol_inventory(struct html_ctx *c)
{
    if (!html_put_protocol_inventory_open(c, c->inv.n_versions)) {
        return;
    }
    for (size_t i = 0; i < c->inv.n_versions; i++) {
        const struct inventory_use *u = &c->inv.versions[i];
        html_put_version_head(c, u->version);
        put_use_targets(c, u);
        fputs("</td></tr>\n", c->out);
    }
    html_put_suites_open(c);
    for (size_t i = 0; i < c->inv.n_suites; i++) {
        const struct inventory_use *u = &c->inv.suites[i];
        html_put_suite_head(c, u->version, u->suite);
        put_use_targets(c, u);
        fputs("</td></tr>\n", c->out);
    }
    fputs(HTML_TABLE_END "</section>\n", c->out);
}

/* ---- expiring certificates ------------------------------------------------------- */

struct html_expiring {
    size_t cert; /* index in c->inv.certs */
    int64_t not_after;
};

static int cmp_expiring(const void *a, const void *b)
{
    const struct html_expiring *x = a, *y = b;
    if (x->not_after != y->not_after) {
        return x->not_after < y->not_after ? -1 : 1;
    }
    return x->cert < y->cert ? -1 : x->cert > y->cert ? 1 : 0;
}

/* Whole days from now_ms to not_after (seconds), rounded down. */
static int64_t days_until(int64_t now_ms, int64_t not_after)
{
    int64_t diff = not_after * 1000 - now_ms;
    int64_t q = diff / 86400000;
    if (diff % 86400000 != 0 && diff < 0) {
        q--;
    }
    return q;
}

int html_put_expiring(struct html_ctx *c)
{
    int64_t now = c->o->now_ms > 0 ? c->o->now_ms : util_now_ms();
    int days = c->o->expiring_days;
    size_t n = 0, cap = 0;
    struct html_expiring *list = NULL;
    for (size_t i = 0; i < c->inv.n_certs; i++) {
        const struct cert_fact *cf = c->inv.certs[i].cert;
        if (cf->not_after != 0 && days_until(now, cf->not_after) <= days) {
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct html_expiring *p = realloc(list, ncap * sizeof(*p));
                if (p == NULL) {
                    free(list);
                    return -1;
                }
                list = p;
                cap = ncap;
            }
            list[n++] = (struct html_expiring){.cert = i, .not_after = cf->not_after};
        }
    }
    if (n > 1) {
        qsort(list, n, sizeof(*list), cmp_expiring);
    }
    fputs("<section id=\"expiring\">\n<h2>Expiring certificates</h2>\n", c->out);
    fprintf(c->out,
            "<p>Every certificate of any served chain (intermediates and roots too) that "
            "expires within <strong>%d</strong> day%s of ",
            days, days == 1 ? "" : "s");
    html_put_ms(c, now);
    fprintf(c->out, ", or has expired: <strong>%zu</strong>.</p>\n", n);
    if (n > 0) {
        fputs("<table>\n<thead><tr><th>Expires</th><th class=\"num\">Days left</th>"
              "<th>Subject</th><th>Issuer</th><th>SHA-256</th><th>Where</th></tr></thead>\n"
              "<tbody>\n",
              c->out);
        for (size_t k = 0; k < n; k++) {
            const struct cert_fact *cf = c->inv.certs[list[k].cert].cert;
            int64_t left = days_until(now, cf->not_after);
            fputs("<tr><td class=\"nowrap\">", c->out);
            html_put_date(c, cf->not_after);
            fprintf(c->out, "</td><td class=\"num %s\">%lld</td><td>",
                    left < 0 ? "v-fail" : "v-warn", (long long)left);
            html_text_or(c, cf->subject, "(unparsable certificate)");
            fputs("</td><td>", c->out);
            html_text_or(c, cf->issuer, "-");
            fputs("</td><td class=\"mono\">", c->out);
            html_text(c, cf->sha256);
            fputs("</td><td>", c->out);
            put_cert_where(c, &c->inv.certs[list[k].cert]);
            fputs("</td></tr>\n", c->out);
        }
        fputs("</tbody>\n</table>\n", c->out);
    }
    fputs("</section>\n", c->out);
    free(list);
    return 0;
}
