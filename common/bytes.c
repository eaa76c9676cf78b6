/*
 * common/bytes.c - bounds-checked byte reader and capped byte writer (see
 * bytes.h). Every wire structure tlsaudit reads or writes passes through
 * here, so these functions never index past a view and never write past a
 * cap. Invariants: a failed rbuf call changes nothing; a root wbuf has
 * len <= alloc <= max; an open child's prefix bytes sit at root offset
 * start - prefix.
 */
#include "common/bytes.h"

#include <stdlib.h>
#include <string.h>

void rbuf_init(struct rbuf *r, const uint8_t *data, size_t len)
{
    r->data = data;
    r->len = data != NULL ? len : 0;
}

/* Reads an n-byte (1..4) big-endian integer. */
static bool rbuf_get_uint(struct rbuf *r, size_t n, uint32_t *out)
{
    if (r->len < n) {
        return false;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | r->data[i];
    }
    r->data += n;
    r->len -= n;
    *out = v;
    return true;
}

bool rbuf_get_u8(struct rbuf *r, uint8_t *out)
{
    uint32_t v;
    if (!rbuf_get_uint(r, 1, &v)) {
        return false;
    }
    *out = (uint8_t)v;
    return true;
}

bool rbuf_get_u16(struct rbuf *r, uint16_t *out)
{
    uint32_t v;
    if (!rbuf_get_uint(r, 2, &v)) {
        return false;
    }
    *out = (uint16_t)v;
    return true;
}

bool rbuf_get_u24(struct rbuf *r, uint32_t *out)
{
    return rbuf_get_uint(r, 3, out);
}

bool rbuf_get_u32(struct rbuf *r, uint32_t *out)
{
    return rbuf_get_uint(r, 4, out);
}

bool rbuf_get_bytes(struct rbuf *r, struct rbuf *out, size_t n)
{
    if (r->len < n) {
        return false;
    }
    out->data = r->data;
    out->len = n;
    r->data += n;
    r->len -= n;
    return true;
}

bool rbuf_copy_bytes(struct rbuf *r, uint8_t *dst, size_t n)
{
    if (r->len < n) {
        return false;
    }
    if (n > 0) {
        memcpy(dst, r->data, n);
    }
    r->data += n;
    r->len -= n;
    return true;
}

/* Reads a vector with an n-byte length prefix; moves nothing on failure. */
static bool rbuf_get_vec(struct rbuf *r, size_t n, struct rbuf *out)
{
    struct rbuf tmp = *r;
    uint32_t len;
    if (!rbuf_get_uint(&tmp, n, &len) || !rbuf_get_bytes(&tmp, out, len)) {
        return false;
    }
    *r = tmp;
    return true;
}

bool rbuf_get_vec8(struct rbuf *r, struct rbuf *out)
{
    return rbuf_get_vec(r, 1, out);
}

bool rbuf_get_vec16(struct rbuf *r, struct rbuf *out)
{
    return rbuf_get_vec(r, 2, out);
}

bool rbuf_get_vec24(struct rbuf *r, struct rbuf *out)
{
    return rbuf_get_vec(r, 3, out);
}

bool rbuf_skip(struct rbuf *r, size_t n)
{
    struct rbuf ignored;
    return rbuf_get_bytes(r, &ignored, n);
}

bool rbuf_at_end(const struct rbuf *r)
{
    return r->len == 0;
}

size_t rbuf_remaining(const struct rbuf *r)
{
    return r->len;
}

/* ---- writer --------------------------------------------------------------- */

void wbuf_init(struct wbuf *w, size_t max)
{
    memset(w, 0, sizeof(*w));
    w->max = max;
    w->heap = true;
}

void wbuf_init_fixed(struct wbuf *w, uint8_t *buf, size_t size)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->alloc = buf != NULL ? size : 0;
    w->max = w->alloc;
}

void wbuf_cleanup(struct wbuf *w)
{
    if (w->root != NULL) {
        return;
    }
    if (w->heap) {
        free(w->buf);
        wbuf_init(w, w->max);
        return;
    }
    w->len = 0;
    w->error = false;
    w->has_child = false;
}

static struct wbuf *wbuf_root(struct wbuf *w)
{
    return w->root != NULL ? w->root : w;
}

static const struct wbuf *wbuf_root_const(const struct wbuf *w)
{
    return w->root != NULL ? w->root : w;
}

/* Makes room for n more bytes in w's root and returns where they go, or NULL
 * after setting the sticky error. */
static uint8_t *wbuf_reserve(struct wbuf *w, size_t n)
{
    struct wbuf *r = wbuf_root(w);
    if (r->error) {
        return NULL;
    }
    if (w->has_child || (w->root != NULL && w->prefix == 0) || n > r->max - r->len) {
        r->error = true;
        return NULL;
    }
    if (n > r->alloc - r->len) {
        /* only a heap buffer can get here: a fixed one has alloc == max */
        size_t want = r->len + n;
        size_t new_alloc = r->alloc < 32 ? 64 : r->alloc;
        if (new_alloc > r->max / 2) {
            new_alloc = r->max;
        } else {
            new_alloc *= 2;
        }
        if (new_alloc < want) {
            new_alloc = want;
        }
        uint8_t *p = realloc(r->buf, new_alloc);
        if (p == NULL) {
            r->error = true;
            return NULL;
        }
        r->buf = p;
        r->alloc = new_alloc;
    }
    uint8_t *at = r->buf + r->len;
    r->len += n;
    return at;
}

/* Writes v as an n-byte (1..4) big-endian integer at p. */
static void wbuf_store_uint(uint8_t *p, size_t n, uint32_t v)
{
    for (size_t i = n; i > 0; i--) {
        p[i - 1] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static bool wbuf_put_uint(struct wbuf *w, size_t n, uint32_t v)
{
    uint8_t *p = wbuf_reserve(w, n);
    if (p == NULL) {
        return false;
    }
    wbuf_store_uint(p, n, v);
    return true;
}

bool wbuf_put_u8(struct wbuf *w, uint8_t v)
{
    return wbuf_put_uint(w, 1, v);
}

bool wbuf_put_u16(struct wbuf *w, uint16_t v)
{
    return wbuf_put_uint(w, 2, v);
}

bool wbuf_put_u24(struct wbuf *w, uint32_t v)
{
    if (v > 0xffffffu) {
        wbuf_root(w)->error = true;
        return false;
    }
    return wbuf_put_uint(w, 3, v);
}

bool wbuf_put_u32(struct wbuf *w, uint32_t v)
{
    return wbuf_put_uint(w, 4, v);
}

bool wbuf_put_bytes(struct wbuf *w, const uint8_t *data, size_t n)
{
    uint8_t *p = wbuf_reserve(w, n);
    if (p == NULL) {
        return false;
    }
    if (n > 0) {
        memcpy(p, data, n);
    }
    return true;
}

bool wbuf_put_zeros(struct wbuf *w, size_t n)
{
    uint8_t *p = wbuf_reserve(w, n);
    if (p == NULL) {
        return false;
    }
    if (n > 0) {
        memset(p, 0, n);
    }
    return true;
}

static bool wbuf_open_vec(struct wbuf *w, uint8_t prefix, struct wbuf *child)
{
    memset(child, 0, sizeof(*child));
    struct wbuf *r = wbuf_root(w);
    child->root = r;
    child->parent = w;
    if (!wbuf_put_zeros(w, prefix)) {
        /* a dead child: prefix 0 makes every write to it fail */
        return false;
    }
    child->start = r->len;
    child->prefix = prefix;
    w->has_child = true;
    return true;
}

bool wbuf_open_vec8(struct wbuf *w, struct wbuf *child)
{
    return wbuf_open_vec(w, 1, child);
}

bool wbuf_open_vec16(struct wbuf *w, struct wbuf *child)
{
    return wbuf_open_vec(w, 2, child);
}

bool wbuf_open_vec24(struct wbuf *w, struct wbuf *child)
{
    return wbuf_open_vec(w, 3, child);
}

bool wbuf_close(struct wbuf *child)
{
    struct wbuf *r = child->root;
    if (r == NULL) {
        return false; /* a root is not a child */
    }
    if (child->prefix == 0) {
        r->error = true;
        return false;
    }
    child->parent->has_child = false;
    uint8_t prefix = child->prefix;
    child->prefix = 0;
    if (child->has_child) {
        r->error = true;
        return false;
    }
    if (r->error) {
        return false;
    }
    size_t len = r->len - child->start;
    size_t limit = ((size_t)1 << (8 * prefix)) - 1;
    if (len > limit) {
        r->error = true;
        return false;
    }
    wbuf_store_uint(r->buf + child->start - prefix, prefix, (uint32_t)len);
    child->len = len;
    return true;
}

bool wbuf_ok(const struct wbuf *w)
{
    return !wbuf_root_const(w)->error && !w->has_child;
}

size_t wbuf_len(const struct wbuf *w)
{
    const struct wbuf *r = wbuf_root_const(w);
    if (w->root == NULL || w->prefix == 0) {
        return w->len; /* a root, or a closed (or dead) child: its final length */
    }
    return r->len - w->start;
}

const uint8_t *wbuf_data(const struct wbuf *w)
{
    const struct wbuf *r = wbuf_root_const(w);
    if (r->buf == NULL) {
        return NULL;
    }
    return w->root == NULL ? r->buf : r->buf + w->start;
}
