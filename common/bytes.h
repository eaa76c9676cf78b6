/*
 * common/bytes.h - the byte reader (struct rbuf) and writer (struct wbuf)
 * every wire structure goes through, after BoringSSL's CBS/CBB.
 *
 * An rbuf is a non-owning view of bytes: the getters check bounds, return
 * false when the bytes are not there, and then move nothing. Vectors are the
 * length-prefixed kind of RFC 8446 §3.4 (a 1-, 2- or 3-byte big-endian
 * length, then that many bytes).
 *
 * A wbuf appends bytes up to a cap fixed at init, either in caller storage
 * (wbuf_init_fixed) or in a heap buffer it grows and owns (wbuf_init,
 * wbuf_cleanup frees it). The first failure (cap reached, out of memory, a
 * vector too long for its prefix, a write to a buffer whose child is still
 * open) sets a sticky error: later writes do nothing and wbuf_ok() is false,
 * so a builder can write everything and check once at the end.
 *
 * Length-prefixed children: wbuf_open_vec16(w, &child) reserves the prefix;
 * writes go to the child (and may open grandchildren); wbuf_close(&child)
 * patches the length in. The child lives in caller storage and must not be
 * moved or copied while open. libc only.
 */
#ifndef TLSAUDIT_COMMON_BYTES_H
#define TLSAUDIT_COMMON_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BYTES_MUST_CHECK __attribute__((warn_unused_result))

struct rbuf {
    const uint8_t *data; /* next unread byte; not owned */
    size_t len;          /* bytes left */
};

/* rbuf_init makes r a view of len bytes at data (data may be NULL if len is 0). */
void rbuf_init(struct rbuf *r, const uint8_t *data, size_t len);

/* The getters read a big-endian integer of 1, 2, 3 or 4 bytes into *out and
 * advance r. They return false, leaving r and *out unchanged, when fewer
 * bytes are left. */
BYTES_MUST_CHECK bool rbuf_get_u8(struct rbuf *r, uint8_t *out);
BYTES_MUST_CHECK bool rbuf_get_u16(struct rbuf *r, uint16_t *out);
BYTES_MUST_CHECK bool rbuf_get_u24(struct rbuf *r, uint32_t *out);
BYTES_MUST_CHECK bool rbuf_get_u32(struct rbuf *r, uint32_t *out);

/* rbuf_get_bytes sets *out to a view of the next n bytes and advances r past
 * them; false (nothing moved) when fewer than n are left. */
BYTES_MUST_CHECK bool rbuf_get_bytes(struct rbuf *r, struct rbuf *out, size_t n);

/* rbuf_copy_bytes copies the next n bytes to dst and advances r; false
 * (nothing copied or moved) when fewer than n are left. */
BYTES_MUST_CHECK bool rbuf_copy_bytes(struct rbuf *r, uint8_t *dst, size_t n);

/* rbuf_get_vec8/16/24 read a 1-, 2- or 3-byte length and set *out to a view
 * of that many following bytes, advancing r past both; false (nothing moved)
 * when the prefix or the bytes it announces are not all there. */
BYTES_MUST_CHECK bool rbuf_get_vec8(struct rbuf *r, struct rbuf *out);
BYTES_MUST_CHECK bool rbuf_get_vec16(struct rbuf *r, struct rbuf *out);
BYTES_MUST_CHECK bool rbuf_get_vec24(struct rbuf *r, struct rbuf *out);

/* rbuf_skip advances r by n bytes; false (nothing moved) when fewer are left. */
BYTES_MUST_CHECK bool rbuf_skip(struct rbuf *r, size_t n);

/* rbuf_at_end is true when no bytes are left. */
bool rbuf_at_end(const struct rbuf *r);

/* rbuf_remaining returns the number of bytes left. */
size_t rbuf_remaining(const struct rbuf *r);

struct wbuf {
    /* All fields are private; use the functions. In a root buffer: */
    uint8_t *buf; /* storage: caller's, or heap owned by the wbuf */
    size_t len;   /* bytes written (in a closed child: its final length) */
    size_t alloc; /* bytes of storage */
    size_t max;   /* the cap: len never exceeds it */
    bool heap;    /* buf is ours: grows up to max, freed by wbuf_cleanup */
    bool error;   /* sticky failure */
    /* In every buffer: */
    bool has_child; /* a child is open; writing here is an error until it closes */
    /* In a child: */
    struct wbuf *root;   /* the root holding the bytes; NULL in a root */
    struct wbuf *parent; /* where the child was opened */
    size_t start;        /* offset in root of the child's first content byte */
    uint8_t prefix;      /* size of the length prefix: 1, 2 or 3; 0 once closed */
};

/* wbuf_init sets up an empty heap-backed buffer that may hold up to max bytes.
 * Nothing is allocated until the first write; wbuf_cleanup frees. */
void wbuf_init(struct wbuf *w, size_t max);

/* wbuf_init_fixed sets up an empty buffer writing into the caller's storage
 * buf of size bytes, which is also the cap. wbuf_cleanup is optional. */
void wbuf_init_fixed(struct wbuf *w, uint8_t *buf, size_t size);

/* wbuf_cleanup frees heap storage of a root buffer and resets it to empty
 * (fixed storage is left alone). Not for children. */
void wbuf_cleanup(struct wbuf *w);

/* The writers append a big-endian integer or n bytes. They return false and
 * set the sticky error when the bytes do not fit under the cap, memory runs
 * out, w has an open child, w is a closed child, or an earlier write failed. */
bool wbuf_put_u8(struct wbuf *w, uint8_t v);
bool wbuf_put_u16(struct wbuf *w, uint16_t v);
bool wbuf_put_u24(struct wbuf *w, uint32_t v);
bool wbuf_put_u32(struct wbuf *w, uint32_t v);
bool wbuf_put_bytes(struct wbuf *w, const uint8_t *data, size_t n);
/* wbuf_put_zeros appends n zero bytes. */
bool wbuf_put_zeros(struct wbuf *w, size_t n);

/* wbuf_open_vec8/16/24 write a placeholder length prefix of 1, 2 or 3 bytes
 * into w and make *child (caller storage) a buffer for the vector's contents.
 * Until wbuf_close(child), writing to w is an error. False on error. */
bool wbuf_open_vec8(struct wbuf *w, struct wbuf *child);
bool wbuf_open_vec16(struct wbuf *w, struct wbuf *child);
bool wbuf_open_vec24(struct wbuf *w, struct wbuf *child);

/* wbuf_close patches the child's length into its prefix and reopens its
 * parent for writing. False (sticky error) when the contents are too long for
 * the prefix, the child has an open child itself, or it was already closed. */
bool wbuf_close(struct wbuf *child);

/* wbuf_ok is true when no write has failed and no child of w is open. */
bool wbuf_ok(const struct wbuf *w);

/* wbuf_len returns the bytes written to w (for a child: its contents so far,
 * without the prefix, counting those of open grandchildren; once closed,
 * its final length). */
size_t wbuf_len(const struct wbuf *w);

/* wbuf_data returns the first byte of w's contents (a root's whole output),
 * owned by the wbuf or the caller's storage as at init; NULL when nothing was
 * ever written to a heap buffer. Valid until the next write or cleanup. */
const uint8_t *wbuf_data(const struct wbuf *w);

#endif
