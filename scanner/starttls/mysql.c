/*
 * scanner/starttls/mysql.c - MySQL's and MariaDB's switch to TLS
 * (binary.h).
 *
 * The server speaks first: one packet (3-byte little-endian payload length,
 * sequence id 0) holding the initial handshake, protocol version 10: the
 * server version (NUL-terminated), connection id, 8 bytes of scramble, a
 * filler, the lower 16 capability bits, then (optionally) charset, status
 * and the upper capability bits. A server that will not talk to us sends
 * an ERR packet (0xff, error code, '#' and SQLSTATE, message) instead. If
 * the lower bits hold CLIENT_SSL, the client answers with SSLRequest:
 * the first 32 bytes of a HandshakeResponse41 (capabilities with
 * CLIENT_SSL, max packet size, charset, 23 zero bytes) as sequence id 1,
 * and TLS starts (MySQL "Protocol::SSLRequest").
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "scanner/starttls/binary.h"

/* A handshake is about 100 bytes; plugin names and scramble included,
 * nothing real comes near this. */
#define MYSQL_MAX_HANDSHAKE 2048
#define MYSQL_PROTOCOL_10 10
#define MYSQL_ERR_PACKET 0xff

/* Capability flags (MySQL include/mysql_com.h values, the wire facts). */
#define CLIENT_LONG_PASSWORD 0x00000001u
#define CLIENT_LONG_FLAG 0x00000004u
#define CLIENT_PROTOCOL_41 0x00000200u
#define CLIENT_SSL 0x00000800u
#define CLIENT_TRANSACTIONS 0x00002000u
#define CLIENT_SECURE_CONNECTION 0x00008000u
#define CLIENT_PLUGIN_AUTH 0x00080000u

#define MYSQL_MAX_PACKET 0x01000000u /* what we say we accept: 16 MiB */
#define MYSQL_CHARSET_UTF8 33        /* utf8_general_ci */

struct mysql_ctx {
    struct starttls_seen seen; /* first: the protocol table's row says seen */
    size_t n;                  /* bytes of the packet so far, header included */
    size_t length;             /* payload length once the header is read */
    uint8_t pkt[4 + MYSQL_MAX_HANDSHAKE];
    char version[64]; /* the server version, printable */
};

/* Auth plugins whose client half sends the password as it is. */
static const char *const mysql_clear_plugins[] = {"mysql_clear_password", "dialog"};

const char *starttls_mysql_server_version(const void *ctx)
{
    return ((const struct mysql_ctx *)ctx)->version;
}

static enum net_dialogue_step mysql_start(void *ctx, const void *arg, struct wbuf *out, char *why,
                                          size_t why_len)
{
    (void)ctx;
    (void)arg;
    (void)out;
    (void)why;
    (void)why_len;
    return NET_DIALOGUE_MORE; /* the server speaks first */
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* The reason for an ERR packet (payload p of len bytes, p[0] == 0xff). */
static void mysql_error(const uint8_t *p, size_t len, char *why, size_t why_len)
{
    if (len < 3) {
        snprintf(why, why_len, "server sent a truncated error packet");
        return;
    }
    size_t at = 3;
    if (len >= 9 && p[3] == '#') {
        at = 9; /* '#' and the 5-byte SQLSTATE */
    }
    char text[88];
    starttls_bin_text(text, sizeof(text), p + at, len - at);
    snprintf(why, why_len, "server sent error %u: %s", le16(p + 1), text);
}

/* Records what the rest of the handshake says after the lower capability
 * flags (r at the charset): the default auth plugin into seen's caps and
 * plain_auth. Nothing when the optional fields are absent or cut short. */
static void mysql_plugin(struct mysql_ctx *c, struct rbuf *r, uint16_t caps_lo)
{
    struct rbuf skip, name;
    uint16_t caps_hi;
    uint8_t auth_len;
    int n = snprintf(c->seen.caps, sizeof(c->seen.caps), "%s",
                     (caps_lo & CLIENT_SSL) != 0 ? "CLIENT_SSL" : "");
    if (!rbuf_get_bytes(r, &skip, 3) || !rbuf_get_u16(r, &caps_hi) || !rbuf_get_u8(r, &auth_len) ||
        !rbuf_get_bytes(r, &skip, 10)) {
        return;
    }
    caps_hi = (uint16_t)(caps_hi >> 8 | caps_hi << 8); /* little-endian on the wire */
    size_t part2 = auth_len > 8 + 13 ? (size_t)auth_len - 8 : 13;
    if ((caps_lo & CLIENT_SECURE_CONNECTION) != 0 && !rbuf_get_bytes(r, &skip, part2)) {
        return;
    }
    if ((caps_hi & (CLIENT_PLUGIN_AUTH >> 16)) == 0 || rbuf_at_end(r)) {
        return;
    }
    const uint8_t *nul = memchr(r->data, 0, r->len);
    size_t len = nul != NULL ? (size_t)(nul - r->data) : r->len;
    if (!rbuf_get_bytes(r, &name, len)) {
        return;
    }
    char plugin[48];
    starttls_bin_text(plugin, sizeof(plugin), name.data, name.len);
    if (n >= 0 && (size_t)n < sizeof(c->seen.caps)) {
        snprintf(c->seen.caps + n, sizeof(c->seen.caps) - (size_t)n, "%sauth=%s", n > 0 ? " " : "",
                 plugin);
    }
    for (size_t i = 0; i < sizeof(mysql_clear_plugins) / sizeof(mysql_clear_plugins[0]); i++) {
        c->seen.plain_auth |= strcmp(plugin, mysql_clear_plugins[i]) == 0;
    }
    /* The handshake names only the default plugin; accounts may use others,
     * so only a cleartext default is a known answer. */
    c->seen.auth_known = c->seen.plain_auth;
}

/* Judges the whole handshake payload; on success appends SSLRequest. */
static enum net_dialogue_step mysql_judge(struct mysql_ctx *c, struct wbuf *out, char *why,
                                          size_t why_len)
{
    struct rbuf r, scramble;
    rbuf_init(&r, c->pkt + 4, c->length);
    uint8_t proto, filler;
    uint16_t caps_lo;
    uint32_t conn_id;
    if (!rbuf_get_u8(&r, &proto)) {
        snprintf(why, why_len, "empty handshake packet");
        return NET_DIALOGUE_FAILED;
    }
    if (proto == MYSQL_ERR_PACKET) {
        mysql_error(c->pkt + 4, c->length, why, why_len);
        return NET_DIALOGUE_FAILED;
    }
    if (proto != MYSQL_PROTOCOL_10) {
        snprintf(why, why_len, "handshake protocol version %u (only 10 can start TLS)", proto);
        return NET_DIALOGUE_FAILED;
    }
    const uint8_t *nul = memchr(r.data, 0, r.len);
    if (nul == NULL) {
        snprintf(why, why_len, "handshake packet without the end of the server version");
        return NET_DIALOGUE_FAILED;
    }
    size_t vlen = (size_t)(nul - r.data);
    starttls_bin_text(c->version, sizeof(c->version), r.data, vlen);
    if (!rbuf_skip(&r, vlen + 1) || !rbuf_get_u32(&r, &conn_id) ||
        !rbuf_get_bytes(&r, &scramble, 8) || !rbuf_get_u8(&r, &filler) ||
        !rbuf_get_bytes(&r, &scramble, 2)) {
        snprintf(why, why_len, "handshake packet too short");
        return NET_DIALOGUE_FAILED;
    }
    caps_lo = le16(scramble.data);
    c->seen.greeted = true;
    c->seen.capabilities_read = true;
    c->seen.offered = (caps_lo & CLIENT_SSL) != 0;
    util_copy(c->seen.banner, sizeof(c->seen.banner), c->version);
    mysql_plugin(c, &r, caps_lo);
    if ((caps_lo & CLIENT_SSL) == 0) {
        snprintf(why, why_len, "server does not offer TLS (no CLIENT_SSL; version %s)", c->version);
        return NET_DIALOGUE_FAILED;
    }
    if ((caps_lo & CLIENT_PROTOCOL_41) == 0) {
        snprintf(why, why_len, "server lacks CLIENT_PROTOCOL_41 (pre-4.1 servers not supported)");
        return NET_DIALOGUE_FAILED;
    }
    uint32_t caps = CLIENT_LONG_PASSWORD | CLIENT_LONG_FLAG | CLIENT_PROTOCOL_41 | CLIENT_SSL |
                    CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH;
    (void)wbuf_put_u8(out, 32); /* payload length, little-endian */
    (void)wbuf_put_u8(out, 0);
    (void)wbuf_put_u8(out, 0);
    (void)wbuf_put_u8(out, 1); /* sequence id */
    for (int i = 0; i < 4; i++) {
        (void)wbuf_put_u8(out, (uint8_t)(caps >> (8 * i)));
    }
    for (int i = 0; i < 4; i++) {
        (void)wbuf_put_u8(out, (uint8_t)(MYSQL_MAX_PACKET >> (8 * i)));
    }
    (void)wbuf_put_u8(out, MYSQL_CHARSET_UTF8);
    (void)wbuf_put_zeros(out, 23);
    return NET_DIALOGUE_READY;
}

static enum net_dialogue_step mysql_on_bytes(void *ctx, const void *arg, const uint8_t *in,
                                             size_t len, struct wbuf *out, char *why,
                                             size_t why_len)
{
    struct mysql_ctx *c = ctx;
    (void)arg;
    for (size_t i = 0; i < len; i++) {
        c->pkt[c->n++] = in[i]; /* n <= 4 + length <= sizeof(pkt) */
        if (c->n == 4) {
            c->length = (size_t)c->pkt[0] | (size_t)c->pkt[1] << 8 | (size_t)c->pkt[2] << 16;
            if (c->pkt[3] != 0) {
                snprintf(why, why_len, "first packet has sequence id %u, not 0", c->pkt[3]);
                return NET_DIALOGUE_FAILED;
            }
            if (c->length > MYSQL_MAX_HANDSHAKE) {
                snprintf(why, why_len, "handshake packet of %zu bytes (cap %d)", c->length,
                         MYSQL_MAX_HANDSHAKE);
                return NET_DIALOGUE_FAILED;
            }
        }
        if (c->n < 4 || c->n < 4 + c->length) {
            continue;
        }
        enum net_dialogue_step s = mysql_judge(c, out, why, why_len);
        if (s == NET_DIALOGUE_READY && i + 1 != len) {
            snprintf(why, why_len,
                     "bytes after the server's go-ahead (its handshake packet), before TLS");
            return NET_DIALOGUE_FAILED;
        }
        return s;
    }
    return NET_DIALOGUE_MORE;
}

const struct net_dialogue_ops starttls_mysql_ops = {
    .name = "mysql",
    .ctx_size = sizeof(struct mysql_ctx),
    .start = mysql_start,
    .on_bytes = mysql_on_bytes,
};
