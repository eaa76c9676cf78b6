/*
 * scanner/fetch.h - bounded HTTP fetches for revocation, AIA and HSTS
 * (libcurl adapter).
 *
 * Pipeline position: the scanner's workers call it while they validate a
 * chain (OCSP POST, CRL and CA-issuer GET) and while they look at HTTP
 * headers. It is the only file that includes <curl/curl.h>.
 *
 * Every fetch has a total deadline, a byte cap on the body and on the
 * headers, follows no redirects unless asked, and speaks only http:// and
 * https:// (a certificate that names file://, ldap:// or gopher:// gets a
 * clear "unsupported URL scheme", never a fetch). Nothing here trusts what
 * the far end sends: a body over the cap ends the transfer.
 *
 * libcurl is loaded at run time (dlopen) by the first fetch_http, not
 * linked: programs that never fetch never load it, and a libcurl that
 * cannot be loaded makes every fetch fail with the loader's reason.
 *
 * Thread safety: fetch_http may run in many threads at once, each with its
 * own easy handle; the one-time load and curl_global_init are serialised
 * inside it (pthread_once).
 */
#ifndef TLSAUDIT_SCANNER_FETCH_H
#define TLSAUDIT_SCANNER_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"

/* The largest body fetch_http keeps unless the request says less. */
#define FETCH_DEFAULT_MAX_BYTES (1024 * 1024)

struct fetch_request {
    const char *url;
    const unsigned char *post; /* POST body, or NULL for GET */
    size_t post_len;
    const char *content_type; /* of the POST body */
    int timeout_ms;           /* whole transfer, > 0 */
    size_t max_bytes;         /* body cap; 0: FETCH_DEFAULT_MAX_BYTES */
    bool head_only;           /* HEAD-like: headers only (HSTS, redirects) */
    bool verify_peer;         /* https: verify the server (false for header checks) */
    const char *ca_file;      /* https with verify_peer: CA file, NULL for the system store */
    const char *resolve;      /* "host:port:address": connect there, not to DNS's answer */
};

struct fetch_response {
    long status;         /* HTTP status, 0 when none arrived */
    unsigned char *body; /* owned, NUL-terminated (not counted) */
    size_t body_len;
    char *hsts;             /* the first Strict-Transport-Security value, owned, or NULL */
    char *location;         /* the Location header, owned, or NULL */
    char content_type[128]; /* "" when absent */
};

/* fetch_global_init is kept for the scan driver: it loads nothing (the
 * first fetch_http does) and returns 0, or -1 when an earlier fetch already
 * found libcurl unloadable. */
__attribute__((warn_unused_result)) int fetch_global_init(void);

/* fetch_http performs req, loading libcurl on the process's first call.
 * Returns 0 with out filled (any HTTP status: the caller judges it), or -1
 * with the reason in err ("connection refused", "timed out after 5000 ms",
 * "response larger than 1048576 bytes", "unsupported URL scheme",
 * "libcurl could not be loaded (...); use --offline", ...). out is always initialised; free it with
 * fetch_response_cleanup either way. */
__attribute__((warn_unused_result)) int
fetch_http(const struct fetch_request *req, struct fetch_response *out, char *err, size_t err_len);

/* fetch_response_cleanup frees what r owns and zeroes it. */
void fetch_response_cleanup(struct fetch_response *r);

/* fetch_set_library_for_test: FOR TESTS ONLY (tests/unit/fetch_test.c).
 * Makes the coming load open soname instead of the configured libcurl, so a
 * test can exercise the failure path. Call it single-threaded, before any
 * fetch_http. Returns 0, or -1 when soname is NULL or the load already ran.
 * Nothing in tlsaudit calls it, and no input reaches it. */
__attribute__((warn_unused_result)) int fetch_set_library_for_test(const char *soname);

#endif
