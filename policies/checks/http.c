/*
 * policies/checks/http.c - what the HTTP fetch saw: hsts_min_max_age
 * (RFC 6797) and http_redirect_required (plain HTTP redirects to HTTPS),
 * their parameters and verdicts.
 *
 * Where it sits: check_table (table.c) -> [load, describe, eval here].
 * Invariant: no HTTP fetch collected is inconclusive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "common/model/registry.h"
#include "policies/checks/checks.h"

bool load_c_max_age(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    return load_int(f, v, "a minimum HSTS max-age in seconds", 0, 2147483647UL, &c->min_max_age);
}

/* check_hsts: RFC 6797; the header must be present, valid, and its
 * max-age at least the policy's minimum. */
static void check_hsts(const struct target_result *r, const struct check *c, struct judge *j)
{
    const struct http_fact *h = &r->http;
    if (!fact_attempted(&h->hsts)) {
        ev_add(judge_unknown(j), "HSTS not checked (only port 443 is asked unless the scan runs "
                                 "with --hsts; never with --offline)");
    } else if (h->hsts.state == FACT_COULD_NOT_TEST) {
        ev_add(judge_unknown(j), "HTTPS request failed: %s", h->hsts.detail);
    } else if (!h->hsts_present) {
        ev_add(judge_fail(j), "no Strict-Transport-Security header (HTTP status %ld)",
               h->https_status);
    } else if (!h->hsts_valid) {
        ev_add(judge_fail(j), "invalid Strict-Transport-Security header (ignored by browsers): %s",
               h->hsts_header);
    } else if (h->hsts_max_age < c->min_max_age) {
        ev_add(judge_fail(j), "HSTS max-age %lld is below %d seconds", (long long)h->hsts_max_age,
               c->min_max_age);
    } else {
        ev_add(judge_ok(j), "HSTS max-age=%lld%s%s (>= %d)", (long long)h->hsts_max_age,
               h->hsts_include_subdomains ? "; includeSubDomains" : "",
               h->hsts_preload ? "; preload" : "", c->min_max_age);
    }
}

static void check_http_redirect(const struct target_result *r, struct judge *j)
{
    const struct http_fact *h = &r->http;
    if (!fact_attempted(&h->redirect)) {
        ev_add(judge_unknown(j), "plain HTTP not checked (scan with --http-redirect)");
    } else if (h->redirect.state == FACT_COULD_NOT_TEST) {
        ev_add(judge_unknown(j), "HTTP request to port 80 failed: %s", h->redirect.detail);
    } else if (h->redirects_to_https) {
        ev_add(judge_ok(j), "HTTP %ld redirect to %s", h->http_status, h->redirect_location);
    } else {
        ev_add(judge_fail(j), "plain HTTP answers %ld without a redirect to HTTPS%s%s",
               h->http_status, h->redirect_location[0] != '\0' ? " (Location: " : "",
               h->redirect_location[0] != '\0' ? h->redirect_location : "");
        if (h->redirect_location[0] != '\0') {
            ev_add(&j->fail, ")");
        }
    }
}

/* ---- the table's functions -------------------------------------------------- */

void describe_max_age(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "%d seconds", c->min_max_age);
}

void eval_hsts(const struct target_result *r, const struct check *c, int64_t now, struct judge *j)
{
    (void)now;
    check_hsts(r, c, j);
}

void eval_http_redirect(const struct target_result *r, const struct check *c, int64_t now,
                        struct judge *j)
{
    (void)c;
    (void)now;
    check_http_redirect(r, j);
}
