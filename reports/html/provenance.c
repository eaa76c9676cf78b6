/*
 * reports/html/provenance.c - the HTML report's provenance: scan, tool,
 * registry, trust store, command line, host, database, the policies
 * evaluated (id, version, file, SHA-256) and every address tested.
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

/* ---- provenance ------------------------------------------------------------------- */

/* put_scan_table writes the scan's own provenance: id, state, times,
 * versions, trust store, command line, host, database. */
static void put_scan_table(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    const struct store_scan_info *in = &d->info;
    fputs("<table class=\"kv\">\n", c->out);
    fprintf(c->out, "<tr><th>Scan</th><td>%lld</td></tr>\n<tr><th>State</th><td>",
            (long long)in->id);
    html_text_or(c, in->state, "unknown");
    if (in->note != NULL && in->note[0] != '\0') {
        fputs(" (", c->out);
        html_text(c, in->note);
        fputs(")", c->out);
    }
    fputs("</td></tr>\n<tr><th>Started</th><td>", c->out);
    html_put_ms(c, in->started_ms);
    fputs("</td></tr>\n<tr><th>Finished</th><td>", c->out);
    html_put_ms(c, in->finished_ms);
    fputs("</td></tr>\n<tr><th>tlsaudit version</th><td>", c->out);
    html_text_or(c, in->tool_version, "not recorded");
    fputs("</td></tr>\n<tr><th>Cipher-suite registry</th><td>", c->out);
    html_text_or(c, in->registry_version, "not recorded");
    fputs("</td></tr>\n<tr><th>Trust store</th><td>", c->out);
    html_text_or(c, in->trust_store, "not recorded");
    fputs("</td></tr>\n<tr><th>Command line</th><td class=\"mono\">", c->out);
    html_text_or(c, in->options, "not recorded");
    fputs("</td></tr>\n<tr><th>Scanning host</th><td>", c->out);
    html_text_or(c, in->hostname, "not recorded");
    fputs("</td></tr>\n<tr><th>Database</th><td class=\"mono\">", c->out);
    html_text_or(c, d->db_path, "-");
    fputs("</td></tr>\n</table>\n", c->out);
}

/* put_policies_table writes every policy run: id, version, file, SHA-256,
 * when and by which tlsaudit. */
static void put_policies_table(struct html_ctx *c)
{
    const struct report_data *d = c->d;
    fputs("<h3>Policies evaluated</h3>\n", c->out);
    if (d->n_runs == 0) {
        fputs("<p class=\"muted\">none</p>\n", c->out);
        return;
    }
    fputs("<table>\n<thead><tr><th>Policy</th><th>Version</th><th>File</th>"
          "<th>SHA-256 of the policy files</th><th>Evaluated</th><th>by tlsaudit</th>"
          "</tr></thead>\n<tbody>\n",
          c->out);
    for (size_t r = 0; r < d->n_runs; r++) {
        const struct store_run *run = &d->runs[r];
        fputs("<tr><td>", c->out);
        html_text_or(c, run->policy_id, "?");
        fputs("</td><td>", c->out);
        html_text_or(c, run->policy_version, "-");
        fputs("</td><td class=\"mono\">", c->out);
        html_text_or(c, run->policy_path, "-");
        fputs("</td><td class=\"mono\">", c->out);
        html_text_or(c, run->policy_sha256, "-");
        fputs("</td><td class=\"nowrap\">", c->out);
        html_put_ms(c, run->evaluated_ms);
        fputs("</td><td>", c->out);
        html_text_or(c, run->tool_version, "-");
        fputs("</td></tr>\n", c->out);
    }
    fputs("</tbody>\n</table>\n", c->out);
}

/* html_put_address_row writes target t's row of the addresses tested. */
void html_put_address_row(struct html_ctx *c, size_t t)
{
    const struct target_result *r = &c->d->targets[t];
    bool linked = c->detail == NULL || c->detail[t]; /* an article to point at */
    fputs("<tr><td>", c->out);
    if (linked) {
        fprintf(c->out, "<a href=\"#t%zu\">", c->t_base + t);
    }
    html_text_or(c, r->host, "(no host)");
    fputs(linked ? "</a>" : "", c->out);
    fputs("</td><td class=\"mono\">", c->out);
    html_text_or(c, r->ip, "(not connected)");
    fprintf(c->out, "</td><td>%u</td><td>", (unsigned)r->port);
    html_text_or(c, r->sni, "-");
    fprintf(c->out, "</td><td>%s</td><td class=\"nowrap\">", target_status_name(r->status));
    html_put_ms(c, r->started_ms);
    fputs("</td><td class=\"nowrap\">", c->out);
    html_put_ms(c, r->finished_ms);
    fputs("</td></tr>\n", c->out);
}

bool html_put_provenance_open(struct html_ctx *c, size_t n_targets)
{
    fputs("<section id=\"provenance\">\n<h2>Provenance</h2>\n", c->out);
    put_scan_table(c);
    put_policies_table(c);
    fputs("<h3>Addresses tested</h3>\n", c->out);
    if (n_targets == 0) {
        fputs("<p class=\"muted\">none</p>\n", c->out);
        return false;
    }
    fputs("<table>\n<thead><tr><th>Target</th><th>Address</th><th>Port</th><th>SNI</th>"
          "<th>Status</th><th>Started</th><th>Finished</th></tr></thead>\n<tbody>\n",
          c->out);
    return true;
}

void html_put_provenance(struct html_ctx *c)
{
    if (html_put_provenance_open(c, c->d->n_targets)) {
        for (size_t t = 0; t < c->d->n_targets; t++) {
            html_put_address_row(c, t);
        }
        fputs(HTML_TABLE_END, c->out);
    }
    fputs("</section>\n", c->out);
}
