/*
 * scanner/fetch.c - bounded HTTP fetches over libcurl (see fetch.h).
 *
 * Pipeline position: called by scanner/revocation.c (OCSP, CRL, CA issuers)
 * and scanner/http.c (HSTS, redirects) from the scan's worker threads. The
 * one place libcurl is used; its error codes are turned into words here.
 *
 * libcurl is not linked: it and the ~20 libraries it needs would cost every
 * start of tlsaudit (report, check, ciphers, --offline scans) several ms in
 * the dynamic loader. The first fetch dlopen()s the soname configure found
 * (TLSAUDIT_LIBCURL_SONAME in config.h; no environment variable chooses
 * another) and takes the few functions used below from it with dlsym; the
 * headers still give the types and constants. The load and
 * curl_global_init run once (pthread_once) on whichever worker fetches
 * first; a failed load is remembered and every fetch then fails with the
 * loader's reason. The library stays loaded until exit.
 *
 * Invariants:
 * - One easy handle per call, CURLOPT_NOSIGNAL (threads), no redirects,
 *   only http and https, a connect and a total deadline, no cookies, no
 *   proxy from the environment (a scan must reach what it names).
 * - The body is collected through fetch_write, which refuses to grow past
 *   max_bytes: the transfer is aborted and the call fails with
 *   "response larger than N bytes", so a hostile responder costs at most
 *   that much memory.
 * - No curl function is called before fetch_load succeeded, and none
 *   except through fetch_api.
 */
#include "scanner/fetch.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
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

/* The libcurl functions used, typed from the header's own declarations
 * (curl_easy_setopt and curl_easy_getinfo keep their variadic prototype;
 * the names are not followed by '(' so curl's type-checking macros do not
 * expand). */
struct fetch_curl {
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_perform) *easy_perform;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_header) *easy_header;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
};

/* dlsym returns an object pointer; POSIX guarantees it converts to a
 * function pointer, which the copy in fetch_load relies on. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym needs code pointers of data size");

static const struct {
    const char *name;
    size_t offset;
} fetch_symbols[] = {
    {"curl_global_init", offsetof(struct fetch_curl, global_init)},
    {"curl_easy_init", offsetof(struct fetch_curl, easy_init)},
    {"curl_easy_setopt", offsetof(struct fetch_curl, easy_setopt)},
    {"curl_easy_perform", offsetof(struct fetch_curl, easy_perform)},
    {"curl_easy_getinfo", offsetof(struct fetch_curl, easy_getinfo)},
    {"curl_easy_header", offsetof(struct fetch_curl, easy_header)},
    {"curl_easy_strerror", offsetof(struct fetch_curl, easy_strerror)},
    {"curl_easy_cleanup", offsetof(struct fetch_curl, easy_cleanup)},
    {"curl_slist_append", offsetof(struct fetch_curl, slist_append)},
    {"curl_slist_free_all", offsetof(struct fetch_curl, slist_free_all)},
};

/* Written only by fetch_load (inside pthread_once), read after
 * pthread_once returned: the once call orders the two. fetch_state is
 * atomic because fetch_global_init reads it without the once call. */
enum { FETCH_NOT_LOADED = 0, FETCH_LOADED = 1, FETCH_FAILED = -1 };
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static atomic_int fetch_state = FETCH_NOT_LOADED;
static atomic_bool fetch_load_started = false;
static struct fetch_curl fetch_api;
static char fetch_load_error[FACT_TEXT];
static const char *fetch_soname = TLSAUDIT_LIBCURL_SONAME;

/* fetch_load opens libcurl, takes its functions and runs
 * curl_global_init (not thread-safe itself: pthread_once serialises it
 * before any easy handle exists). On failure fetch_load_error says why. */
static void fetch_load(void)
{
    struct fetch_curl api;
    atomic_store(&fetch_load_started, true);
    void *lib = dlopen(fetch_soname, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        const char *why = dlerror();
        snprintf(fetch_load_error, sizeof(fetch_load_error),
                 "libcurl could not be loaded (%s); use --offline",
                 why != NULL ? why : fetch_soname);
        goto fail;
    }
    for (size_t i = 0; i < sizeof(fetch_symbols) / sizeof(fetch_symbols[0]); i++) {
        /* None of these functions can be a NULL symbol: NULL means missing. */
        void *sym = dlsym(lib, fetch_symbols[i].name);
        if (sym == NULL) {
            snprintf(fetch_load_error, sizeof(fetch_load_error),
                     "libcurl could not be loaded (%s has no %s); use --offline", fetch_soname,
                     fetch_symbols[i].name);
            goto fail;
        }
        memcpy((char *)&api + fetch_symbols[i].offset, &sym, sizeof(sym));
    }
    CURLcode cr = api.global_init(CURL_GLOBAL_DEFAULT);
    if (cr != CURLE_OK) {
        snprintf(fetch_load_error, sizeof(fetch_load_error),
                 "libcurl could not be initialised (%s); use --offline", api.easy_strerror(cr));
        goto fail;
    }
    fetch_api = api;
    atomic_store(&fetch_state, FETCH_LOADED);
    return;
fail:
    /* A library that loaded but is unusable stays mapped: its
     * constructors may have run, so unloading it is not known to be safe. */
    atomic_store(&fetch_state, FETCH_FAILED);
}

/* fetch_ready loads libcurl on first use. Returns 0, or -1 with the
 * reason of the (remembered) failure in err. */
static int fetch_ready(char *err, size_t err_len)
{
    pthread_once(&fetch_once, fetch_load);
    if (atomic_load(&fetch_state) != FETCH_LOADED) {
        snprintf(err, err_len, "%s", fetch_load_error);
        return -1;
    }
    return 0;
}

int fetch_global_init(void)
{
    return atomic_load(&fetch_state) == FETCH_FAILED ? -1 : 0;
}

int fetch_set_library_for_test(const char *soname)
{
    if (soname == NULL || atomic_load(&fetch_load_started)) {
        return -1;
    }
    fetch_soname = soname;
    return 0;
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
    if (fetch_api.easy_header(c, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK || h == NULL ||
        h->value == NULL) {
        return NULL;
    }
    return strdup(h->value);
}

/* fetch_configure sets every option of the transfer on c: the request's
 * URL, body and headers, the deadlines (timeout ms), no redirects or
 * proxy, the body into sink, libcurl's message into errbuf. The lists it
 * builds go to *hdrs and *resolve, for the caller to free after the
 * transfer. Returns 0, or -1 with err. */
static int fetch_configure(CURL *c, const struct fetch_request *req, struct fetch_sink *sink,
                           char *errbuf, long timeout, struct curl_slist **hdrs,
                           struct curl_slist **resolve, char *err, size_t err_len)
{
    CURLcode cr = CURLE_OK;
    /* Each setopt can only fail on memory or an unknown option here; the
     * first failure is kept and reported. */
#define FETCH_SET(opt, val)                                                                        \
    do {                                                                                           \
        if (cr == CURLE_OK) {                                                                      \
            cr = fetch_api.easy_setopt(c, opt, val);                                               \
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
    FETCH_SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
    FETCH_SET(CURLOPT_WRITEFUNCTION, fetch_write);
    FETCH_SET(CURLOPT_WRITEDATA, sink);
    FETCH_SET(CURLOPT_SSL_VERIFYPEER, req->verify_peer ? 1L : 0L);
    FETCH_SET(CURLOPT_SSL_VERIFYHOST, req->verify_peer ? 2L : 0L);
    if (req->verify_peer && req->ca_file != NULL) {
        FETCH_SET(CURLOPT_CAINFO, req->ca_file);
    }
    if (req->resolve != NULL) {
        struct curl_slist *n = fetch_api.slist_append(NULL, req->resolve);
        if (n == NULL) {
            snprintf(err, err_len, "out of memory");
            return -1;
        }
        *resolve = n;
        FETCH_SET(CURLOPT_RESOLVE, *resolve);
    }
    if (req->head_only) {
        FETCH_SET(CURLOPT_NOBODY, 1L);
    }
    if (req->post != NULL) {
        char ct[160];
        snprintf(ct, sizeof(ct), "Content-Type: %s",
                 req->content_type != NULL ? req->content_type : "application/octet-stream");
        struct curl_slist *n = fetch_api.slist_append(*hdrs, ct);
        if (n == NULL) {
            snprintf(err, err_len, "out of memory");
            return -1;
        }
        *hdrs = n;
        FETCH_SET(CURLOPT_POST, 1L);
        FETCH_SET(CURLOPT_POSTFIELDS, (const char *)req->post);
        FETCH_SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->post_len);
        FETCH_SET(CURLOPT_HTTPHEADER, *hdrs);
    }
#undef FETCH_SET
    if (cr != CURLE_OK) {
        snprintf(err, err_len, "libcurl refused an option: %s", fetch_api.easy_strerror(cr));
        return -1;
    }
    return 0;
}

/* fetch_finish turns the outcome cr of the transfer on c into out (status,
 * content type, HSTS and Location headers, the body taken from sink), or a
 * reason in err. Returns 0 or -1. */
static int fetch_finish(CURL *c, CURLcode cr, struct fetch_sink *sink, const char *errbuf,
                        long timeout, struct fetch_response *out, char *err, size_t err_len)
{
    if (sink->too_big || cr == CURLE_FILESIZE_EXCEEDED) {
        snprintf(err, err_len, "response larger than %zu bytes", sink->max);
        return -1;
    }
    if (sink->oom) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    if (cr != CURLE_OK) {
        if (cr == CURLE_OPERATION_TIMEDOUT) {
            snprintf(err, err_len, "timed out after %ld ms", timeout);
        } else {
            snprintf(err, err_len, "%s", errbuf[0] != '\0' ? errbuf : fetch_api.easy_strerror(cr));
        }
        return -1;
    }
    fetch_api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    char *ctype = NULL;
    if (fetch_api.easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype != NULL) {
        util_copy(out->content_type, sizeof(out->content_type), ctype);
    }
    out->hsts = fetch_header_dup(c, "Strict-Transport-Security");
    out->location = fetch_header_dup(c, "Location");
    out->body = sink->buf;
    out->body_len = sink->len;
    sink->buf = NULL;
    return 0;
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
    if (strncmp(req->url, "http://", 7) != 0 && strncmp(req->url, "https://", 8) != 0) {
        snprintf(err, err_len, "unsupported URL scheme (only http and https are fetched)");
        return -1;
    }
    if (fetch_ready(err, err_len) != 0) {
        return -1;
    }
    CURL *c = fetch_api.easy_init();
    if (c == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : 5000;
    if (fetch_configure(c, req, &sink, errbuf, timeout, &hdrs, &resolve, err, err_len) == 0) {
        CURLcode cr = fetch_api.easy_perform(c);
        rc = fetch_finish(c, cr, &sink, errbuf, timeout, out, err, err_len);
    }
    free(sink.buf);
    fetch_api.slist_free_all(hdrs);
    fetch_api.slist_free_all(resolve);
    fetch_api.easy_cleanup(c);
    return rc;
}

void fetch_response_cleanup(struct fetch_response *r)
{
    free(r->body);
    free(r->hsts);
    free(r->location);
    memset(r, 0, sizeof(*r));
}
