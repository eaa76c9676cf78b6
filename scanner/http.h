/*
 * scanner/http.h - HTTP security headers of an HTTPS target: HSTS
 * (RFC 6797) and, when asked, whether plain HTTP on port 80 redirects to
 * HTTPS.
 *
 * Pipeline position: a GnuTLS worker of scanner/scan.c calls http_check
 * after the handshakes, on the address it scanned (the name is pinned to
 * that address, never resolved again). The requests go through
 * scanner/fetch.c; the certificate is not verified here (the chain facts
 * say what is wrong with it).
 */
#ifndef TLSAUDIT_SCANNER_HTTP_H
#define TLSAUDIT_SCANNER_HTTP_H

#include <stdbool.h>

#include "common/model/facts.h"

struct http_options {
    bool hsts_all_ports; /* --hsts: every target, not only port 443 */
    bool redirect;       /* --http-redirect: also ask http://NAME:80/ */
    bool offline;        /* --offline: no request at all */
    int timeout_ms;
};

/* http_check fills r->http for a target that accepted TLS (r->ip, r->port,
 * r->sni or r->host). Failures are facts (http.hsts and http.redirect: could-not-test with the
 * error). */
void http_check(const struct http_options *o, struct target_result *r);

/* http_parse_hsts parses a Strict-Transport-Security value (RFC 6797
 * §6.1) into the hsts_* fields of out (hsts_present set by the caller).
 * Returns true when it is valid: max-age present once with digits only,
 * no directive twice. An invalid value leaves max-age -1 and both flags
 * false, whatever it said before the problem. Exposed for tests. */
bool http_parse_hsts(const char *value, struct http_fact *out);

/* http_record_hsts records a Strict-Transport-Security value the server
 * sent into h: present, the header escaped (control bytes as \xNN, cut
 * to fit), and what http_parse_hsts makes of it. */
void http_record_hsts(const char *value, struct http_fact *h);

/* http_record_redirect records the answer to http://NAME/ into h: status,
 * the Location value (NULL: none) escaped as above, and whether it is a
 * 3xx redirect to an https:// URL. */
void http_record_redirect(long status, const char *location, struct http_fact *h);

#endif
