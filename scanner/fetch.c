/*
 * scanner/fetch.c - bounded HTTP fetches over libcurl (see fetch.h).
 *
 * Pipeline position: called by scanner/revocation.c (OCSP, CRL, CA issuers)
 * and scanner/http.c (HSTS, redirects) from the scan's worker threads. The
 * one place libcurl is used; its error codes are turned into words here.
 *
 * Invariants:
 * - One easy handle per call, CURLOPT_NOSIGNAL (threads), no redirects,
 *   only http and https, a connect and a total deadline, no cookies, no
 *   proxy from the environment (a scan must reach what it names).
 * - The body is collected through fetch_write, which refuses to grow past
 *   max_bytes: the transfer is aborted and the call fails with
 *   "response larger than N bytes", so a hostile responder costs at most
 *   that much memory.
 */
#include "scanner/fetch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "common/util.h"
#include "config.h"

/* The body buffer grows by doubling from this size. */
#define FETCH_INITIAL_CAP 4096

struct fetch_sink {
    unsigned char *buf;
    size_t len;
    size_t cap;
    size_t max;
    bool too_big;
    bool oom;
};

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static int fetch_init_rc = -1;

static void fetch_init_once(void)
{
    fetch_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int fetch_global_init(void)
{
    pthread_once(&fetch_once, fetch_init_once);
    return fetch_init_rc;
}

/* fetch_write appends a chunk of the body, within the cap. Returning less
 * than n makes libcurl abort the transfer (CURLE_WRITE_ERROR). */
static size_t fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct fetch_sink *s = arg;
    size_t n = size * nmemb;
    if (n > s->max - s->len) {
        s->too_big = true;
        return 0;
    }
    if (s->len + n + 1 > s->cap) {
        size_t ncap = s->cap ? s->cap : FETCH_INITIAL_CAP;
        while (ncap < s->len + n + 1) {
            ncap *= 2;
        }
        unsigned char *nb = realloc(s->buf, ncap);
        if (nb == NULL) {
            s->oom = true;
            return 0;
        }
        s->buf = nb;
        s->cap = ncap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    return n;
}

/* fetch_header_dup returns a copy of the last value of header name in
 * the final response, or NULL. */
static char *fetch_header_dup(CURL *c, const char *name)
{
    struct curl_header *h = NULL;
    if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == NULL ||
        h->value == NULL) {
        return NULL;
    }
    return strdup(h->value);
}

int fetch_http(const struct fetch_request *req, struct fetch_response *out, char *err,
               size_t err_len)
{
    memset(out, 0, sizeof(*out));
    struct fetch_sink sink = {
        .max = req->max_bytes ? req->max_bytes : FETCH_DEFAULT_MAX_BYTES,
    };
    struct curl_slist *hdrs = NULL;
    struct curl_slist *resolve = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    int rc = -1;

    if (err_len > 0) {
        err[0] = '\0';
    }
    if (fetch_global_init() != 0) {
        snprintf(err, err_len, "libcurl could not be initialised");
        return -1;
    }
    if (strncmp(req->url, "http://", 7) != 0 && strncmp(req->url, "https://", 8) != 0) {
        snprintf(err, err_len, "unsupported URL scheme (only http and https are fetched)");
        return -1;
    }
    CURL *c = curl_easy_init();
    if (c == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : 5000;
    CURLcode cr = CURLE_OK;
    /* Each setopt can only fail on memory or an unknown option here; the
     * first failure is kept and reported. */
#define FETCH_SET(opt, val)                                                                        \
    do {                                                                                           \
        if (cr == CURLE_OK) {                                                                      \
            cr = curl_easy_setopt(c, opt, val);                                                    \
        }                                                                                          \
    } while (0)
    FETCH_SET(CURLOPT_URL, req->url);
    FETCH_SET(CURLOPT_NOSIGNAL, 1L);
    FETCH_SET(CURLOPT_PROTOCOLS_STR, "http,https");
    FETCH_SET(CURLOPT_FOLLOWLOCATION, 0L);
    FETCH_SET(CURLOPT_TIMEOUT_MS, timeout);
    FETCH_SET(CURLOPT_CONNECTTIMEOUT_MS, timeout);
    FETCH_SET(CURLOPT_NOPROXY, "*");
    FETCH_SET(CURLOPT_ERRORBUFFER, errbuf);
    FETCH_SET(CURLOPT_USERAGENT, "tlsaudit/" PACKAGE_VERSION);
    FETCH_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink.max);
    FETCH_SET(CURLOPT_WRITEFUNCTION, fetch_write);
    FETCH_SET(CURLOPT_WRITEDATA, &sink);
    FETCH_SET(CURLOPT_SSL_VERIFYPEER, req->verify_peer ? 1L : 0L);
    FETCH_SET(CURLOPT_SSL_VERIFYHOST, req->verify_peer ? 2L : 0L);
    if (req->verify_peer && req->ca_file != NULL) {
        FETCH_SET(CURLOPT_CAINFO, req->ca_file);
    }
    if (req->resolve != NULL) {
        struct curl_slist *n = curl_slist_append(NULL, req->resolve);
        if (n == NULL) {
            snprintf(err, err_len, "out of memory");
            goto out;
        }
        resolve = n;
        FETCH_SET(CURLOPT_RESOLVE, resolve);
    }
    if (req->head_only) {
        FETCH_SET(CURLOPT_NOBODY, 1L);
    }
    if (req->post != NULL) {
        char ct[160];
        snprintf(ct, sizeof(ct), "Content-Type: %s",
                 req->content_type != NULL ? req->content_type : "application/octet-stream");
        struct curl_slist *n = curl_slist_append(hdrs, ct);
        if (n == NULL) {
            snprintf(err, err_len, "out of memory");
            goto out;
        }
        hdrs = n;
        FETCH_SET(CURLOPT_POST, 1L);
        FETCH_SET(CURLOPT_POSTFIELDS, (const char *)req->post);
        FETCH_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->post_len);
        FETCH_SET(CURLOPT_HTTPHEADER, hdrs);
    }
#undef FETCH_SET
    if (cr != CURLE_OK) {
        snprintf(err, err_len, "libcurl refused an option: %s", curl_easy_strerror(cr));
        goto out;
    }

    cr = curl_easy_perform(c);
    if (sink.too_big || cr == CURLE_FILESIZE_EXCEEDED) {
        snprintf(err, err_len, "response larger than %zu bytes", sink.max);
        goto out;
    }
    if (sink.oom) {
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    if (cr != CURLE_OK) {
        if (cr == CURLE_OPERATION_TIMEDOUT) {
            snprintf(err, err_len, "timed out after %ld ms", timeout);
        } else {
            snprintf(err, err_len, "%s", errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cr));
        }
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    char *ctype = NULL;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype != NULL) {
        util_copy(out->content_type, sizeof(out->content_type), ctype);
    }
    out->hsts = fetch_header_dup(c, "Strict-Transport-Security");
    out->location = fetch_header_dup(c, "Location");
    out->body = sink.buf;
    out->body_len = sink.len;
    sink.buf = NULL;
    rc = 0;
out:
    free(sink.buf);
    curl_slist_free_all(hdrs);
    curl_slist_free_all(resolve);
    curl_easy_cleanup(c);
    return rc;
}

void fetch_response_cleanup(struct fetch_response *r)
{
    free(r->body);
    free(r->hsts);
    free(r->location);
    memset(r, 0, sizeof(*r));
}
