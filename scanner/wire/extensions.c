/*
 * scanner/wire/extensions.c - the one table of TLS extensions the raw
 * prober knows (in the style of BoringSSL's kExtensions): for each its type,
 * its name, its HELLO_EXT_* bit, when a ClientHello sends it, the writer of
 * its ClientHello body (add) and the parser of the server's answer (parse).
 *
 * client_hello.c calls hello_put_extensions for the extensions block of a
 * TLS ClientHello; server_msgs.c calls hello_parse_sh_extension for each
 * extension of a ServerHello / HelloRetryRequest. Invariants: the table's
 * order is the order a ClientHello sends its extensions (the ClientHellos
 * built are pinned byte for byte by tests/unit/hello_bytes_test.c), padding
 * stays last because it measures everything before it, and each type
 * appears once. Adding an extension is one row here plus its add and parse
 * functions (docs/ARCHITECTURE.md, "How to add an extension").
 */
#include "scanner/hello.h"

#include <string.h>

#include "scanner/wire/wire.h"

struct hello_ext_def {
    uint16_t type;
    const char *name; /* the IANA registry's name */
    unsigned bit;     /* HELLO_EXT_*: what hello_params.ext asks for, what a result saw */
    /* whether p sends it; NULL: when p->ext has bit */
    bool (*wanted)(const struct hello_params *p);
    /* appends the whole extension (type, the row's type; length; body) to
     * exts, or nothing; msg is the ClientHello being built; NULL: never sent */
    int (*add)(const struct hello_params *p, uint16_t type, const struct wbuf *msg,
               struct wbuf *exts);
    /* reads the server's extension body from *r (what is left must be
     * nothing); base is the ServerHello, for error offsets */
    bool (*parse)(struct rbuf *r, struct hello_server_hello *out, const struct rbuf *base,
                  struct hello_error *err);
};

/* ---- shared helpers ---------------------------------------------------------- */

/* Opens one extension: its type, then a vec16 for its body. */
static void ext_open(struct wbuf *exts, uint16_t type, struct wbuf *body)
{
    wbuf_put_u16(exts, type);
    wbuf_open_vec16(exts, body);
}

static void ext_put_empty(struct wbuf *exts, uint16_t type)
{
    wbuf_put_u16(exts, type);
    wbuf_put_u16(exts, 0);
}

/* An extension whose body is one vector (of prefix 1 or 2 bytes) of u16s,
 * after the GREASE value grease when p asks for GREASE (RFC 8701 §3.1). */
static void ext_put_u16_vec(struct wbuf *exts, uint16_t type, int prefix, const uint16_t *v,
                            size_t n, const struct hello_params *p, uint16_t grease)
{
    struct wbuf body;
    struct wbuf list;
    ext_open(exts, type, &body);
    if (prefix == 1) {
        wbuf_open_vec8(&body, &list);
    } else {
        wbuf_open_vec16(&body, &list);
    }
    if (p->options & HELLO_OPT_GREASE) {
        wbuf_put_u16(&list, grease);
    }
    for (size_t i = 0; i < n; i++) {
        wbuf_put_u16(&list, v[i]);
    }
    wbuf_close(&list);
    wbuf_close(&body);
}

/* An extension whose body is the one byte b, or a vec8 holding it. */
static void ext_put_byte(struct wbuf *exts, uint16_t type, bool in_vec8, uint8_t b)
{
    struct wbuf body;
    struct wbuf list;
    ext_open(exts, type, &body);
    if (in_vec8) {
        wbuf_open_vec8(&body, &list);
        wbuf_put_u8(&list, b);
        wbuf_close(&list);
    } else {
        wbuf_put_u8(&body, b);
    }
    wbuf_close(&body);
}

/* A server extension that must be empty (the caller checks nothing trails). */
static bool ext_parse_empty(struct rbuf *r, struct hello_server_hello *out, const struct rbuf *base,
                            struct hello_error *err)
{
    (void)r;
    (void)out;
    (void)base;
    (void)err;
    return true;
}

/* A server extension recorded, not parsed (not a ServerHello extension, or
 * one whose body says nothing to us). */
static bool ext_parse_skip(struct rbuf *r, struct hello_server_hello *out, const struct rbuf *base,
                           struct hello_error *err)
{
    (void)out;
    (void)base;
    (void)err;
    r->len = 0;
    return true;
}

/* ---- server_name (RFC 6066 §3) ------------------------------------------------ */

static bool ext_want_server_name(const struct hello_params *p)
{
    return p->sni != NULL;
}

/* ServerNameList { NameType host_name(0); HostName }; empty in the ServerHello. */
static int ext_add_server_name(const struct hello_params *p, uint16_t type, const struct wbuf *msg,
                               struct wbuf *exts)
{
    struct wbuf body;
    struct wbuf list;
    struct wbuf item;
    size_t n = strlen(p->sni);
    (void)msg;
    if (n == 0 || n > 255) {
        return HELLO_E_PARAM;
    }
    ext_open(exts, type, &body);
    wbuf_open_vec16(&body, &list);
    wbuf_put_u8(&list, 0);
    wbuf_open_vec16(&list, &item);
    wbuf_put_bytes(&item, (const uint8_t *)p->sni, n);
    wbuf_close(&item);
    wbuf_close(&list);
    wbuf_close(&body);
    return HELLO_OK;
}

/* ---- max_fragment_length (RFC 6066 §4), answer only ---------------------------- */

static bool ext_parse_max_fragment_length(struct rbuf *r, struct hello_server_hello *out,
                                          const struct rbuf *base, struct hello_error *err)
{
    if (!rbuf_get_u8(r, &out->max_fragment_length)) {
        return hello_fail(err, base, r, "max_fragment_length: truncated");
    }
    return true;
}

/* ---- status_request (RFC 6066 §8) ---------------------------------------------- */

/* status_type ocsp(1), empty responder_id_list and request extensions; the
 * server's answer is empty. */
static int ext_add_status_request(const struct hello_params *p, uint16_t type,
                                  const struct wbuf *msg, struct wbuf *exts)
{
    struct wbuf body;
    (void)p;
    (void)msg;
    ext_open(exts, type, &body);
    wbuf_put_u8(&body, 1);
    wbuf_put_u16(&body, 0);
    wbuf_put_u16(&body, 0);
    wbuf_close(&body);
    return HELLO_OK;
}

/* ---- supported_groups (RFC 8422 §5.1.1, RFC 8446 §4.2.7) ----------------------- */

static bool ext_want_supported_groups(const struct hello_params *p)
{
    return p->n_groups > 0;
}

static int ext_add_supported_groups(const struct hello_params *p, uint16_t type,
                                    const struct wbuf *msg, struct wbuf *exts)
{
    (void)msg;
    ext_put_u16_vec(exts, type, 2, p->groups, p->n_groups, p, TLS_GREASE_GROUP);
    return HELLO_OK;
}

/* An EncryptedExtensions extension, sent in the ServerHello by some. */
static bool ext_parse_supported_groups(struct rbuf *r, struct hello_server_hello *out,
                                       const struct rbuf *base, struct hello_error *err)
{
    struct rbuf v;
    (void)out;
    if (!rbuf_get_vec16(r, &v) || v.len % 2 != 0) {
        return hello_fail(err, base, r, "supported_groups: bad list length");
    }
    return true;
}

/* ---- ec_point_formats (RFC 8422 §5.1.2, §5.2) ---------------------------------- */

/* uncompressed only */
static int ext_add_ec_point_formats(const struct hello_params *p, uint16_t type,
                                    const struct wbuf *msg, struct wbuf *exts)
{
    (void)p;
    (void)msg;
    ext_put_byte(exts, type, true, 0);
    return HELLO_OK;
}

/* ec_point_format_list<1..2^8-1> */
static bool ext_parse_ec_point_formats(struct rbuf *r, struct hello_server_hello *out,
                                       const struct rbuf *base, struct hello_error *err)
{
    struct rbuf v;
    uint8_t u8;
    if (!hello_get_nonempty(r, 1, &v)) {
        return hello_fail(err, base, r, "ec_point_formats: bad list length");
    }
    while (rbuf_get_u8(&v, &u8)) {
        if (u8 < 8) {
            out->ec_point_formats |= (uint8_t)(1u << u8);
        }
    }
    return true;
}

/* ---- signature_algorithms (RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3) --------------- */

static bool ext_want_signature_algorithms(const struct hello_params *p)
{
    return p->n_sigalgs > 0;
}

static int ext_add_signature_algorithms(const struct hello_params *p, uint16_t type,
                                        const struct wbuf *msg, struct wbuf *exts)
{
    (void)msg;
    ext_put_u16_vec(exts, type, 2, p->sigalgs, p->n_sigalgs, p, TLS_GREASE_SIGALG);
    return HELLO_OK;
}

/* ---- heartbeat (RFC 6520 §2) --------------------------------------------------- */

/* HeartbeatMode peer_allowed_to_send(1) */
static int ext_add_heartbeat(const struct hello_params *p, uint16_t type, const struct wbuf *msg,
                             struct wbuf *exts)
{
    (void)p;
    (void)msg;
    ext_put_byte(exts, type, false, 1);
    return HELLO_OK;
}

/* HeartbeatMode mode */
static bool ext_parse_heartbeat(struct rbuf *r, struct hello_server_hello *out,
                                const struct rbuf *base, struct hello_error *err)
{
    if (!rbuf_get_u8(r, &out->heartbeat_mode)) {
        return hello_fail(err, base, r, "heartbeat: truncated");
    }
    return true;
}

/* ---- application_layer_protocol_negotiation (RFC 7301 §3.1) -------------------- */

static bool ext_want_alpn(const struct hello_params *p)
{
    return p->n_alpn > 0;
}

/* ProtocolNameList of non-empty ProtocolName<1..255> */
static int ext_add_alpn(const struct hello_params *p, uint16_t type, const struct wbuf *msg,
                        struct wbuf *exts)
{
    struct wbuf body;
    struct wbuf list;
    struct wbuf item;
    (void)msg;
    ext_open(exts, type, &body);
    wbuf_open_vec16(&body, &list);
    for (size_t i = 0; i < p->n_alpn; i++) {
        size_t n = p->alpn[i] != NULL ? strlen(p->alpn[i]) : 0;
        if (n == 0 || n > 255) {
            return HELLO_E_PARAM;
        }
        wbuf_open_vec8(&list, &item);
        wbuf_put_bytes(&item, (const uint8_t *)p->alpn[i], n);
        wbuf_close(&item);
    }
    wbuf_close(&list);
    wbuf_close(&body);
    return HELLO_OK;
}

/* exactly one ProtocolName<1..2^8-1> */
static bool ext_parse_alpn(struct rbuf *r, struct hello_server_hello *out, const struct rbuf *base,
                           struct hello_error *err)
{
    struct rbuf v;
    struct rbuf name;
    if (!hello_get_nonempty(r, 2, &v) || !hello_get_nonempty(&v, 1, &name) || !rbuf_at_end(&v)) {
        return hello_fail(err, base, r, "ALPN: not exactly one protocol name");
    }
    out->alpn_len = (uint8_t)name.len;
    if (!rbuf_copy_bytes(&name, out->alpn, name.len)) {
        return hello_fail(err, base, r, "ALPN: truncated");
    }
    return true;
}

/* ---- the empty ones: encrypt_then_mac (RFC 7366 §2), extended_master_secret
 * (RFC 7627 §5.1), session_ticket (RFC 5077 §3.2: no ticket; empty in the
 * ServerHello) ------------------------------------------------------------------ */

static int ext_add_empty(const struct hello_params *p, uint16_t type, const struct wbuf *msg,
                         struct wbuf *exts)
{
    (void)p;
    (void)msg;
    ext_put_empty(exts, type);
    return HELLO_OK;
}

/* ---- pre_shared_key (RFC 8446 §4.2.11), answer only ---------------------------- */

/* uint16 selected_identity */
static bool ext_parse_pre_shared_key(struct rbuf *r, struct hello_server_hello *out,
                                     const struct rbuf *base, struct hello_error *err)
{
    uint16_t u16;
    (void)out;
    if (!rbuf_get_u16(r, &u16)) {
        return hello_fail(err, base, r, "pre_shared_key: truncated");
    }
    return true;
}

/* ---- supported_versions (RFC 8446 §4.2.1) -------------------------------------- */

static bool ext_want_supported_versions(const struct hello_params *p)
{
    return p->n_versions > 0;
}

/* ProtocolVersion versions<2..254> */
static int ext_add_supported_versions(const struct hello_params *p, uint16_t type,
                                      const struct wbuf *msg, struct wbuf *exts)
{
    (void)msg;
    if (p->n_versions > HELLO_MAX_VERSIONS) {
        return HELLO_E_PARAM;
    }
    ext_put_u16_vec(exts, type, 1, p->versions, p->n_versions, p, TLS_GREASE_VERSION);
    return HELLO_OK;
}

/* ProtocolVersion selected_version */
static bool ext_parse_supported_versions(struct rbuf *r, struct hello_server_hello *out,
                                         const struct rbuf *base, struct hello_error *err)
{
    if (!rbuf_get_u16(r, &out->version)) {
        return hello_fail(err, base, r, "supported_versions: truncated");
    }
    return true;
}

/* ---- cookie (RFC 8446 §4.2.2), answer only ------------------------------------- */

/* opaque cookie<1..2^16-1> */
static bool ext_parse_cookie(struct rbuf *r, struct hello_server_hello *out,
                             const struct rbuf *base, struct hello_error *err)
{
    struct rbuf v;
    (void)out;
    if (!hello_get_nonempty(r, 2, &v)) {
        return hello_fail(err, base, r, "cookie: bad length");
    }
    return true;
}

/* ---- psk_key_exchange_modes (RFC 8446 §4.2.9) ---------------------------------- */

/* psk_dhe_ke(1) */
static int ext_add_psk_key_exchange_modes(const struct hello_params *p, uint16_t type,
                                          const struct wbuf *msg, struct wbuf *exts)
{
    (void)p;
    (void)msg;
    ext_put_byte(exts, type, true, 1);
    return HELLO_OK;
}

/* ---- key_share (RFC 8446 §4.2.8) ----------------------------------------------- */

static void ext_put_key_share_entry(struct wbuf *list, uint16_t group, const struct rbuf *key)
{
    struct wbuf item;
    wbuf_put_u16(list, group);
    wbuf_open_vec16(list, &item);
    wbuf_put_bytes(&item, key->data, key->len);
    wbuf_close(&item);
}

/* client_shares<0..2^16-1> of KeyShareEntry: the process's shares p asks for */
static int ext_add_key_share(const struct hello_params *p, uint16_t type, const struct wbuf *msg,
                             struct wbuf *exts)
{
    struct wbuf body;
    struct wbuf list;
    struct rbuf x25519 = {NULL, 0};
    struct rbuf p256 = {NULL, 0};
    (void)msg;
    if (p->shares != 0) {
        int rc = hello_key_shares(&x25519, &p256);
        if (rc != HELLO_OK) {
            return rc;
        }
    }
    ext_open(exts, type, &body);
    wbuf_open_vec16(&body, &list);
    if (p->options & HELLO_OPT_GREASE) {
        /* RFC 8701 §3.1: a GREASE group with a one-byte key_exchange */
        static const uint8_t zero = 0;
        struct rbuf one = {.data = &zero, .len = 1};
        ext_put_key_share_entry(&list, TLS_GREASE_GROUP, &one);
    }
    if (p->shares & HELLO_SHARE_X25519) {
        ext_put_key_share_entry(&list, TLS_GROUP_X25519, &x25519);
    }
    if (p->shares & HELLO_SHARE_SECP256R1) {
        ext_put_key_share_entry(&list, TLS_GROUP_SECP256R1, &p256);
    }
    wbuf_close(&list);
    wbuf_close(&body);
    return HELLO_OK;
}

/* KeyShareEntry server_share, or in an HRR NamedGroup selected_group */
static bool ext_parse_key_share(struct rbuf *r, struct hello_server_hello *out,
                                const struct rbuf *base, struct hello_error *err)
{
    struct rbuf v;
    if (!rbuf_get_u16(r, &out->key_share_group)) {
        return hello_fail(err, base, r, "key_share: truncated");
    }
    if (!out->hrr) {
        if (!hello_get_nonempty(r, 2, &v)) {
            return hello_fail(err, base, r, "key_share: bad key_exchange length");
        }
        out->key_share_len = v.len;
        (void)hello_sha256_hex(v.data, v.len, out->key_share_sha256);
    }
    return true;
}

/* ---- renegotiation_info (RFC 5746 §3.2) ---------------------------------------- */

/* an empty renegotiated_connection */
static int ext_add_renegotiation_info(const struct hello_params *p, uint16_t type,
                                      const struct wbuf *msg, struct wbuf *exts)
{
    (void)p;
    (void)msg;
    ext_put_byte(exts, type, false, 0);
    return HELLO_OK;
}

/* opaque renegotiated_connection<0..255> */
static bool ext_parse_renegotiation_info(struct rbuf *r, struct hello_server_hello *out,
                                         const struct rbuf *base, struct hello_error *err)
{
    struct rbuf v;
    if (!rbuf_get_vec8(r, &v)) {
        return hello_fail(err, base, r, "renegotiation_info: bad length");
    }
    out->reneg_info_len = (uint8_t)v.len;
    return true;
}

/* ---- padding (RFC 7685) -------------------------------------------------------- */

/* Some F5 servers hang on hellos of 256..511 bytes (handshake header
 * included), so those are padded to 512, keeping at least one byte of data
 * because a few servers reject an empty last extension. */
static int ext_add_padding(const struct hello_params *p, uint16_t type, const struct wbuf *msg,
                           struct wbuf *exts)
{
    struct wbuf body;
    size_t msg_len = 4 + wbuf_len(msg);
    /* p->pad_to: a caller's size (the long-hello probe), else the F5 window */
    size_t target = p->pad_to > 0x200 ? p->pad_to : 0x200;
    if ((msg_len > 0xff || p->pad_to > 0) && msg_len < target) {
        size_t pad = target - msg_len;
        pad = pad >= 5 ? pad - 4 : 1;
        ext_open(exts, type, &body);
        wbuf_put_zeros(&body, pad);
        wbuf_close(&body);
    }
    return HELLO_OK;
}

/* ---- GREASE (RFC 8701 §3.1) ------------------------------------------------------ */

static bool ext_want_grease(const struct hello_params *p)
{
    return (p->options & HELLO_OPT_GREASE) != 0;
}

/* ---- the table ----------------------------------------------------------------- */

/* In ClientHello order (RFC 5246 §7.4.1.4, RFC 8446 §4.2); rows without add
 * are only parsed in the server's answer. */
static const struct hello_ext_def hello_exts[] = {
    {TLS_GREASE_EXT, "GREASE", HELLO_EXT_GREASE, ext_want_grease, ext_add_empty, ext_parse_skip},
    {TLS_EXT_SERVER_NAME, "server_name", HELLO_EXT_SERVER_NAME, ext_want_server_name,
     ext_add_server_name, ext_parse_empty},
    {TLS_EXT_MAX_FRAGMENT_LENGTH, "max_fragment_length", HELLO_EXT_MAX_FRAGMENT_LENGTH, NULL, NULL,
     ext_parse_max_fragment_length},
    {TLS_EXT_STATUS_REQUEST, "status_request", HELLO_EXT_STATUS_REQUEST, NULL,
     ext_add_status_request, ext_parse_empty},
    {TLS_EXT_SUPPORTED_GROUPS, "supported_groups", HELLO_EXT_SUPPORTED_GROUPS,
     ext_want_supported_groups, ext_add_supported_groups, ext_parse_supported_groups},
    {TLS_EXT_EC_POINT_FORMATS, "ec_point_formats", HELLO_EXT_EC_POINT_FORMATS, NULL,
     ext_add_ec_point_formats, ext_parse_ec_point_formats},
    {TLS_EXT_SIGNATURE_ALGORITHMS, "signature_algorithms", HELLO_EXT_SIGNATURE_ALGORITHMS,
     ext_want_signature_algorithms, ext_add_signature_algorithms, ext_parse_skip},
    {TLS_EXT_HEARTBEAT, "heartbeat", HELLO_EXT_HEARTBEAT, NULL, ext_add_heartbeat,
     ext_parse_heartbeat},
    {TLS_EXT_ALPN, "application_layer_protocol_negotiation", HELLO_EXT_ALPN, ext_want_alpn,
     ext_add_alpn, ext_parse_alpn},
    {TLS_EXT_ENCRYPT_THEN_MAC, "encrypt_then_mac", HELLO_EXT_ENCRYPT_THEN_MAC, NULL, ext_add_empty,
     ext_parse_empty},
    {TLS_EXT_EXTENDED_MASTER_SECRET, "extended_master_secret", HELLO_EXT_EXTENDED_MASTER_SECRET,
     NULL, ext_add_empty, ext_parse_empty},
    {TLS_EXT_SESSION_TICKET, "session_ticket", HELLO_EXT_SESSION_TICKET, NULL, ext_add_empty,
     ext_parse_empty},
    {TLS_EXT_PRE_SHARED_KEY, "pre_shared_key", HELLO_EXT_PRE_SHARED_KEY, NULL, NULL,
     ext_parse_pre_shared_key},
    {TLS_EXT_SUPPORTED_VERSIONS, "supported_versions", HELLO_EXT_SUPPORTED_VERSIONS,
     ext_want_supported_versions, ext_add_supported_versions, ext_parse_supported_versions},
    {TLS_EXT_COOKIE, "cookie", HELLO_EXT_COOKIE, NULL, NULL, ext_parse_cookie},
    {TLS_EXT_PSK_KEY_EXCHANGE_MODES, "psk_key_exchange_modes", HELLO_EXT_PSK_KEY_EXCHANGE_MODES,
     NULL, ext_add_psk_key_exchange_modes, ext_parse_skip},
    {TLS_EXT_KEY_SHARE, "key_share", HELLO_EXT_KEY_SHARE, NULL, ext_add_key_share,
     ext_parse_key_share},
    {TLS_EXT_RENEGOTIATION_INFO, "renegotiation_info", HELLO_EXT_RENEGOTIATION_INFO, NULL,
     ext_add_renegotiation_info, ext_parse_renegotiation_info},
    {TLS_EXT_PADDING, "padding", HELLO_EXT_PADDING, NULL, ext_add_padding, ext_parse_skip},
};

#define HELLO_N_EXTS (sizeof(hello_exts) / sizeof(hello_exts[0]))

static const struct hello_ext_def *ext_find(uint16_t type)
{
    for (size_t i = 0; i < HELLO_N_EXTS; i++) {
        if (hello_exts[i].type == type) {
            return &hello_exts[i];
        }
    }
    return NULL;
}

static bool ext_wanted(const struct hello_ext_def *d, const struct hello_params *p)
{
    if (d->add == NULL) {
        return false;
    }
    return d->wanted != NULL ? d->wanted(p) : (p->ext & d->bit) != 0;
}

const char *hello_extension_name(uint16_t type)
{
    const struct hello_ext_def *d = ext_find(type);
    return d != NULL ? d->name : "unknown";
}

bool hello_has_extensions(const struct hello_params *p)
{
    for (size_t i = 0; i < HELLO_N_EXTS; i++) {
        if (ext_wanted(&hello_exts[i], p)) {
            return true;
        }
    }
    return false;
}

unsigned hello_sent_extensions(const struct hello_params *p)
{
    unsigned bits = 0;
    for (size_t i = 0; i < HELLO_N_EXTS; i++) {
        if (ext_wanted(&hello_exts[i], p)) {
            bits |= hello_exts[i].bit;
        }
    }
    return bits;
}

int hello_put_extensions(const struct hello_params *p, const struct wbuf *msg, struct wbuf *exts)
{
    for (size_t i = 0; i < HELLO_N_EXTS; i++) {
        if (ext_wanted(&hello_exts[i], p)) {
            int rc = hello_exts[i].add(p, hello_exts[i].type, msg, exts);
            if (rc != HELLO_OK) {
                return rc;
            }
        }
    }
    return HELLO_OK;
}

bool hello_parse_sh_extension(uint16_t type, const struct rbuf *body,
                              struct hello_server_hello *out, const struct rbuf *base,
                              struct hello_error *err)
{
    const struct hello_ext_def *d = ext_find(type);
    struct rbuf r = *body;
    if (d == NULL) {
        out->exts |= HELLO_EXT_OTHER;
        r.len = 0;
    } else {
        out->exts |= d->bit;
        if (!d->parse(&r, out, base, err)) {
            return false;
        }
    }
    if (!rbuf_at_end(&r)) {
        return hello_fail(err, base, &r, "ServerHello: extension with trailing bytes");
    }
    return true;
}
