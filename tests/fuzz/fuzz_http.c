/*
 * tests/fuzz/fuzz_http.c - fuzz target for what tlsaudit makes of the
 * HTTP headers a server sends (scanner/http.c): the Strict-Transport-
 * Security value (http_record_hsts, http_parse_hsts) and the Location of
 * the answer to plain HTTP (http_record_redirect).
 *
 * Input: byte 0 even: the rest is an HSTS value; odd: bytes 1-2 are the
 * HTTP status (big-endian, modulo 1000) and the rest is a Location value.
 * A value ends at its first NUL, as libcurl hands it over. Invariants: the
 * recorded header is NUL-terminated and free of control bytes; a valid
 * HSTS header has max-age >= 0, an invalid one max-age -1 and no flags
 * (facts.h: "-1 when absent/invalid"); the same value parses the same
 * way twice; a redirect to HTTPS is a 3xx whose Location starts with
 * https://. Any broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/model/facts.h"
#include "scanner/http.h"
#include "tests/fuzz/fuzz.h"

static void http_fz_text(const char *s, size_t cap)
{
    const char *end = memchr(s, '\0', cap);
    if (end == NULL) {
        abort();
    }
    for (const char *p = s; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    long status = 0;
    size_t skip = 1;
    if (mode & 1) {
        if (size < 3) {
            return 0;
        }
        status = (long)(((unsigned)data[1] << 8 | data[2]) % 1000);
        skip = 3;
    }
    char *value = malloc(size - skip + 1);
    if (value == NULL) {
        return 0;
    }
    memcpy(value, data + skip, size - skip);
    value[size - skip] = '\0';

    struct http_fact *a = calloc(1, sizeof(*a));
    struct http_fact *b = calloc(1, sizeof(*b));
    if (a == NULL || b == NULL) {
        abort();
    }
    if ((mode & 1) == 0) {
        http_record_hsts(value, a);
        bool valid = http_parse_hsts(value, b);
        http_fz_text(a->hsts_header, sizeof(a->hsts_header));
        if (!a->hsts_present || valid != a->hsts_valid || valid != b->hsts_valid ||
            a->hsts_max_age != b->hsts_max_age ||
            a->hsts_include_subdomains != b->hsts_include_subdomains ||
            a->hsts_preload != b->hsts_preload) {
            abort();
        }
        if (valid && (a->hsts_max_age < 0 || a->hsts_max_age > 0x7fffffffffLL)) {
            abort();
        }
        if (!valid && (a->hsts_max_age != -1 || a->hsts_include_subdomains || a->hsts_preload)) {
            abort();
        }
    } else {
        http_record_redirect(status, (mode & 2) ? NULL : value, a);
        http_fz_text(a->redirect_location, sizeof(a->redirect_location));
        if (a->http_status != status) {
            abort();
        }
        if (a->redirects_to_https && (status < 300 || status > 399 || (mode & 2) ||
                                      strncasecmp(value, "https://", 8) != 0)) {
            abort();
        }
        if ((mode & 2) && a->redirect_location[0] != '\0') {
            abort();
        }
    }
    free(a);
    free(b);
    free(value);
    return 0;
}
