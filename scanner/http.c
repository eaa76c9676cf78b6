/*
 * scanner/http.c - HSTS and HTTP-to-HTTPS redirect checks (see http.h).
 *
 * Pipeline position: scan worker -> [http_check] -> target_result.http.
 *
 * Decisions:
 * - HSTS is asked of targets on port 443, or of every target with --hsts:
 *   any other port may not speak HTTP at all, and a request there only
 *   waits for the timeout.
 * - One HEAD request to https://NAME:PORT/ with NAME the SNI (else the
 *   address), pinned to the scanned address. The header is parsed
 *   strictly (RFC 6797 §6.1): a header that does not parse counts as
 *   present but invalid, which browsers ignore.
 * - The redirect check (only with --http-redirect) asks http://NAME/ on
 *   port 80 of the same address and records whether it answers 3xx with a
 *   Location starting with "https://".
 */
#include "scanner/http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "scanner/fetch.h"

/* http_escape copies s into dst with control bytes and 0x7f as \xNN. */
static void http_escape(char *dst, size_t dst_len, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; s[i] != '\0' && o + 5 < dst_len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x20 || b == 0x7f || b == '\\') {
            dst[o++] = '\\';
            dst[o++] = 'x';
            dst[o++] = hex[b >> 4];
            dst[o++] = hex[b & 0x0f];
        } else {
            dst[o++] = (char)b;
        }
    }
    dst[o] = '\0';
}

static const char *http_skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    return p;
}

/* Which directives one Strict-Transport-Security value has had (each at
 * most once, RFC 6797 §6.1 item 3). */
struct hsts_seen {
    bool max_age;
    bool sub;
    bool preload;
};

/* Reads a directive's optional "= value" at *pp (a token or a
 * quoted-string, kept to cap - 1 bytes) and the white space after it.
 * False on an unterminated quoted-string. */
static bool http_hsts_value(const char **pp, char *val, size_t cap, bool *has_val)
{
    const char *p = *pp;
    size_t n = 0;
    *has_val = false;
    val[0] = '\0';
    if (*p != '=') {
        return true;
    }
    *has_val = true;
    p = http_skip_ws(p + 1);
    if (*p == '"') {
        p++;
        while (*p != '\0' && *p != '"') {
            if (n + 1 < cap) {
                val[n++] = *p;
            }
            p++;
        }
        if (*p != '"') {
            return false;
        }
        p++;
    } else {
        while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t') {
            if (n + 1 < cap) {
                val[n++] = *p;
            }
            p++;
        }
    }
    val[n] = '\0';
    *pp = http_skip_ws(p);
    return true;
}

/* Applies one directive to out: max-age (once, with a value),
 * includeSubDomains and preload (once, without); unknown directives are
 * ignored (§6.1 item 2). next is the byte after the directive; an empty
 * name is only allowed before ';' or the end. */
static bool http_hsts_directive(const char *name, size_t name_len, bool has_val, const char *val,
                                char next, struct hsts_seen *seen, struct http_fact *out)
{
    if (name_len == 7 && strncasecmp(name, "max-age", 7) == 0) {
        unsigned long v = 0;
        if (seen->max_age || !has_val || !util_parse_ulong(val, 0, 0x7fffffffffUL, &v)) {
            return false;
        }
        seen->max_age = true;
        out->hsts_max_age = (int64_t)v;
    } else if (name_len == 17 && strncasecmp(name, "includeSubDomains", 17) == 0) {
        if (seen->sub || has_val) {
            return false;
        }
        seen->sub = true;
        out->hsts_include_subdomains = true;
    } else if (name_len == 7 && strncasecmp(name, "preload", 7) == 0) {
        if (seen->preload || has_val) {
            return false;
        }
        seen->preload = true;
        out->hsts_preload = true;
    } else if (name_len == 0 && next != ';' && next != '\0') {
        return false;
    }
    return true;
}

/* http_parse_hsts_fields does the work of http_parse_hsts, leaving what it
 * had read when it fails. */
static bool http_parse_hsts_fields(const char *value, struct http_fact *out)
{
    struct hsts_seen seen = {false, false, false};
    out->hsts_max_age = -1;
    out->hsts_include_subdomains = false;
    out->hsts_preload = false;
    out->hsts_valid = false;
    const char *p = value;
    for (;;) {
        p = http_skip_ws(p);
        /* directive-name: a token */
        const char *name = p;
        while (*p != '\0' && *p != '=' && *p != ';' && *p != ' ' && *p != '\t') {
            p++;
        }
        size_t name_len = (size_t)(p - name);
        p = http_skip_ws(p);
        char val[64];
        bool has_val;
        if (!http_hsts_value(&p, val, sizeof(val), &has_val) ||
            !http_hsts_directive(name, name_len, has_val, val, *p, &seen, out)) {
            return false;
        }
        if (*p == '\0') {
            break;
        }
        if (*p != ';') {
            return false;
        }
        p++;
    }
    if (!seen.max_age) {
        out->hsts_max_age = -1;
        return false;
    }
    out->hsts_valid = true;
    return true;
}

bool http_parse_hsts(const char *value, struct http_fact *out)
{
    if (http_parse_hsts_fields(value, out)) {
        return true;
    }
    /* an invalid header gives no directive (facts.h: max-age -1) */
    out->hsts_max_age = -1;
    out->hsts_include_subdomains = false;
    out->hsts_preload = false;
    out->hsts_valid = false;
    return false;
}

void http_record_hsts(const char *value, struct http_fact *h)
{
    h->hsts_present = true;
    http_escape(h->hsts_header, sizeof(h->hsts_header), value);
    (void)http_parse_hsts(value, h);
}

void http_record_redirect(long status, const char *location, struct http_fact *h)
{
    h->http_status = status;
    if (location != NULL) {
        http_escape(h->redirect_location, sizeof(h->redirect_location), location);
    }
    h->redirects_to_https = status >= 300 && status < 400 && location != NULL &&
                            strncasecmp(location, "https://", 8) == 0;
}

/* http_name returns the name for URLs: the SNI, else the address. */
static const char *http_name(const struct target_result *r)
{
    return r->sni != NULL ? r->sni : r->ip;
}

void http_check(const struct http_options *o, struct target_result *r)
{
    struct http_fact *h = &r->http;
    if (o->offline || r->ip[0] == '\0' || (!o->hsts_all_ports && r->port != 443 && !o->redirect)) {
        return;
    }
    const char *name = http_name(r);
    bool v6 = strchr(name, ':') != NULL;
    bool ip_v6 = strchr(r->ip, ':') != NULL;
    char url[512];
    char resolve[512];
    char err[FACT_TEXT];
    struct fetch_response resp;

    if (o->hsts_all_ports || r->port == 443) {
        snprintf(url, sizeof(url), "https://%s%s%s:%u/", v6 ? "[" : "", name, v6 ? "]" : "",
                 (unsigned)r->port);
        snprintf(resolve, sizeof(resolve), "%s:%u:%s%s%s", name, (unsigned)r->port,
                 ip_v6 ? "[" : "", r->ip, ip_v6 ? "]" : "");
        struct fetch_request req = {.url = url,
                                    .timeout_ms = o->timeout_ms,
                                    .head_only = true,
                                    .max_bytes = 64 * 1024,
                                    .resolve = v6 ? NULL : resolve};
        fact_mark(&h->hsts, true);
        if (fetch_http(&req, &resp, err, sizeof(err)) != 0) {
            util_copy(h->hsts.detail, sizeof(h->hsts.detail), err);
        } else {
            h->https_status = resp.status;
            if (resp.hsts != NULL) {
                http_record_hsts(resp.hsts, h);
            }
        }
        fetch_response_cleanup(&resp);
    }
    if (o->redirect) {
        snprintf(url, sizeof(url), "http://%s%s%s/", v6 ? "[" : "", name, v6 ? "]" : "");
        snprintf(resolve, sizeof(resolve), "%s:80:%s%s%s", name, ip_v6 ? "[" : "", r->ip,
                 ip_v6 ? "]" : "");
        struct fetch_request req = {.url = url,
                                    .timeout_ms = o->timeout_ms,
                                    .head_only = true,
                                    .max_bytes = 64 * 1024,
                                    .resolve = v6 ? NULL : resolve};
        fact_mark(&h->redirect, true);
        if (fetch_http(&req, &resp, err, sizeof(err)) != 0) {
            util_copy(h->redirect.detail, sizeof(h->redirect.detail), err);
        } else {
            http_record_redirect(resp.status, resp.location, h);
        }
        fetch_response_cleanup(&resp);
    }
}
