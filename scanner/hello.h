/*
 * scanner/hello.h - raw ClientHellos and the server's first flight, for the
 * enumeration prober (scanner/net/loop.c).
 *
 * GnuTLS cannot offer most of the IANA suites nor SSLv2/SSLv3, so the
 * prober writes ClientHello bytes itself (hello_build) and reads only the
 * server's first flight: the ServerHello (or HelloRetryRequest, Alert, or
 * SSLv2 SERVER-HELLO / ERROR), and under TLS <= 1.2 the Certificate,
 * CertificateStatus, ServerKeyExchange, CertificateRequest and
 * ServerHelloDone. No handshake is ever completed.
 *
 * Use from an event loop:
 *     uint8_t out[HELLO_MAX_LEN]; struct wbuf w;
 *     wbuf_init_fixed(&w, out, sizeof(out));
 *     hello_build(&params, &w)            -> send wbuf_data(&w), wbuf_len(&w)
 *     hello_flight_init(&f, &params, flags, max_bytes)
 *     on each read: hello_flight_feed(&f, buf, n) -> NEED_MORE / DONE / FAILED
 *     on EOF:       hello_flight_eof(&f)          -> DONE / FAILED
 *     hello_flight_result(&f), hello_flight_error(&f); hello_flight_cleanup(&f)
 *
 * Ownership: struct hello_params and everything it points to belong to the
 * caller and are only read during hello_build / hello_flight_init (the
 * flight copies what it needs). A struct hello_flight is caller storage
 * (about 2 KiB); its heap memory, freed by hello_flight_cleanup, is bounded
 * by max_bytes (the handshake bytes, grown as they arrive) + 16 bytes per
 * handshake record (at most HELLO_MAX_RECORDS) + 4 bytes per offered suite. Views (struct rbuf) in
 * a result point into that buffer and stay valid until cleanup. Error reasons are static strings.
 * There is no global state except the key shares, generated once per
 * process (thread-safe) and read-only afterwards.
 *
 * The parse functions take one complete structure, fill *out, and return
 * true, or false with err->offset (from the start of the structure they
 * were given) and err->reason. Views in *out point into the input.
 */
#ifndef TLSAUDIT_SCANNER_HELLO_H
#define TLSAUDIT_SCANNER_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bytes.h"

/* Protocol versions as on the wire. */
#define TLS_WIRE_SSL2 0x0002
#define TLS_WIRE_SSL3 0x0300
#define TLS_WIRE_TLS10 0x0301
#define TLS_WIRE_TLS11 0x0302
#define TLS_WIRE_TLS12 0x0303
#define TLS_WIRE_TLS13 0x0304

/* Wire constants (RFC 8446 §B.1-B.3, RFC 5246 §A.1, §A.4 and the
 * extension RFCs cited where they are parsed). */
#define TLS_CT_CHANGE_CIPHER_SPEC 20
#define TLS_CT_ALERT 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPLICATION_DATA 23
#define TLS_CT_HEARTBEAT 24
#define TLS_HS_HELLO_REQUEST 0
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_CERTIFICATE 11
#define TLS_HS_SERVER_KEY_EXCHANGE 12
#define TLS_HS_CERTIFICATE_REQUEST 13
#define TLS_HS_SERVER_HELLO_DONE 14
#define TLS_HS_CERTIFICATE_STATUS 22
#define TLS_EXT_SERVER_NAME 0
#define TLS_EXT_MAX_FRAGMENT_LENGTH 1
#define TLS_EXT_STATUS_REQUEST 5
#define TLS_EXT_SUPPORTED_GROUPS 10
#define TLS_EXT_EC_POINT_FORMATS 11
#define TLS_EXT_SIGNATURE_ALGORITHMS 13
#define TLS_EXT_HEARTBEAT 15
#define TLS_EXT_ALPN 16
#define TLS_EXT_PADDING 21
#define TLS_EXT_ENCRYPT_THEN_MAC 22
#define TLS_EXT_EXTENDED_MASTER_SECRET 23
#define TLS_EXT_SESSION_TICKET 35
#define TLS_EXT_PRE_SHARED_KEY 41
#define TLS_EXT_SUPPORTED_VERSIONS 43
#define TLS_EXT_COOKIE 44
#define TLS_EXT_PSK_KEY_EXCHANGE_MODES 45
#define TLS_EXT_KEY_SHARE 51
#define TLS_EXT_RENEGOTIATION_INFO 0xff01
#define TLS_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff
#define TLS_FALLBACK_SCSV 0x5600
/* RFC 8701 §2: reserved GREASE values (0x?A?A), one per field we grease */
#define TLS_GREASE_SUITE 0x0A0A
#define TLS_GREASE_EXT 0x1A1A
#define TLS_GREASE_GROUP 0x2A2A
#define TLS_GREASE_VERSION 0x3A3A
#define TLS_GREASE_SIGALG 0x4A4A
#define TLS_GROUP_SECP256R1 23
#define TLS_GROUP_X25519 29
#define SSL2_MT_ERROR 0
#define SSL2_MT_CLIENT_HELLO 1
#define SSL2_MT_SERVER_HELLO 4

/* Caps on what we send and on what a server may send. A record body may be
 * 2^14 + 2048 bytes (RFC 5246 §6.2.3, the TLSCiphertext bound): plaintext
 * records (§6.2.1, RFC 8446 §5.1) may only be 2^14, but a server that sends
 * a little more is judged by what its bytes say, not refused for the size.
 * Past the slack the record is refused. */
#define HELLO_RECORD_MAX (16384 + 2048)
#define HELLO_MAX_LEN (5 + 16384)            /* a built hello: one record of at most 2^14 bytes */
#define HELLO_FLIGHT_DEFAULT_MAX (64 * 1024) /* bytes read per probe unless told otherwise */
#define HELLO_FLIGHT_MAX_MAX (1024 * 1024)   /* the largest max_bytes hello_flight_init takes */
#define HELLO_MAX_RECORDS 512                /* handshake records per flight */
#define HELLO_MAX_CERTS 32                   /* certificates in a Certificate message */
#define HELLO_MAX_EXTS 64                    /* extensions in a ServerHello */
#define HELLO_MAX_VERSIONS 16                /* entries of supported_versions we send */
#define HELLO_MAX_GROUPS 128                 /* entries of supported_groups we send */
#define HELLO_MAX_SSL2_KINDS 64              /* cipher kinds in an SSLv2 SERVER-HELLO */

/* Extensions, as bits: in hello_params.ext what to send (list extensions are
 * sent when their list is non-empty, so their bits are ignored there), in a
 * result what the server's hello carried. */
#define HELLO_EXT_SERVER_NAME (1u << 0)
#define HELLO_EXT_STATUS_REQUEST (1u << 1)
#define HELLO_EXT_SUPPORTED_GROUPS (1u << 2)
#define HELLO_EXT_EC_POINT_FORMATS (1u << 3)
#define HELLO_EXT_SIGNATURE_ALGORITHMS (1u << 4)
#define HELLO_EXT_HEARTBEAT (1u << 5)
#define HELLO_EXT_ALPN (1u << 6)
#define HELLO_EXT_PADDING (1u << 7) /* RFC 7685: pad 256..511-byte hellos to 512 */
#define HELLO_EXT_ENCRYPT_THEN_MAC (1u << 8)
#define HELLO_EXT_EXTENDED_MASTER_SECRET (1u << 9)
#define HELLO_EXT_SESSION_TICKET (1u << 10)
#define HELLO_EXT_SUPPORTED_VERSIONS (1u << 11)
#define HELLO_EXT_PSK_KEY_EXCHANGE_MODES (1u << 12)
#define HELLO_EXT_KEY_SHARE (1u << 13) /* sent with the shares in hello_params.shares */
#define HELLO_EXT_RENEGOTIATION_INFO (1u << 14)
#define HELLO_EXT_COOKIE (1u << 15)
#define HELLO_EXT_MAX_FRAGMENT_LENGTH (1u << 16)
#define HELLO_EXT_PRE_SHARED_KEY (1u << 17)
#define HELLO_EXT_GREASE (1u << 18) /* sent with HELLO_OPT_GREASE; never a valid answer */
#define HELLO_EXT_OTHER (1u << 31)  /* any extension type not listed above */

/* hello_params.options */
#define HELLO_OPT_SCSV_RENEGOTIATION (1u << 0) /* append TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
#define HELLO_OPT_SESSION_ID (1u << 1)         /* a random 32-byte legacy_session_id */
#define HELLO_OPT_DEFLATE (1u << 2)            /* offer DEFLATE compression before null */
/* RFC 8701: one GREASE value first in the cipher suites, supported_groups,
 * signature_algorithms, supported_versions and key_share (a one-byte
 * share), and an empty GREASE extension first in the extensions; the
 * first flight flags a server that chooses or echoes any of them. */
#define HELLO_OPT_GREASE (1u << 3)

/* hello_params.shares: which groups get a real key share in key_share. */
#define HELLO_SHARE_X25519 (1u << 0)
#define HELLO_SHARE_SECP256R1 (1u << 1)

struct hello_params {
    uint16_t version;        /* legacy_version; TLS_WIRE_SSL2 builds an SSLv2 CLIENT-HELLO */
    uint16_t record_version; /* 0: TLS_WIRE_SSL3 for SSLv3, else TLS_WIRE_TLS10 */
    const uint32_t *suites;  /* codes as sent, SCSVs included; SSLv2: 3-byte kinds */
    size_t n_suites;
    const uint16_t *groups; /* supported_groups */
    size_t n_groups;
    const uint16_t *sigalgs; /* signature_algorithms */
    size_t n_sigalgs;
    const uint16_t *versions; /* supported_versions, e.g. {TLS_WIRE_TLS13} */
    size_t n_versions;
    const char *sni;         /* server_name host, or NULL */
    const char *const *alpn; /* ALPN protocol names */
    size_t n_alpn;
    unsigned ext;          /* HELLO_EXT_* for the extensions without a list */
    unsigned shares;       /* HELLO_SHARE_*; 0 with HELLO_EXT_KEY_SHARE: empty key_share */
    unsigned options;      /* HELLO_OPT_* */
    const uint8_t *random; /* 32 bytes (SSLv2: 16-byte challenge), NULL: random */
    /* With HELLO_EXT_PADDING: pad the handshake message (header included)
     * to at least this many bytes (RFC 7685); 0: only the 256..511 rule. */
    uint16_t pad_to;
};

enum hello_err {
    HELLO_OK = 0,
    HELLO_E_PARAM = -1,    /* a code, list or name that cannot be encoded */
    HELLO_E_TOO_LONG = -2, /* does not fit the record or the output buffer */
    HELLO_E_KEY = -3,      /* key share generation failed */
    HELLO_E_NOMEM = -4,
};

/* hello_params_init fills *p for a typical hello of one protocol version
 * (TLS_WIRE_SSL2 ... TLS_WIRE_TLS13): the version fields, the default groups
 * (every EC group; the RFC 7919 FFDHE groups too for TLS 1.3 only, so that
 * a TLS 1.2 server answers DHE with its own parameters), signature
 * algorithms and extensions, x25519 and secp256r1 shares for TLS 1.3.
 * The suites, sni and alpn stay empty. Static data, nothing to free. */
void hello_params_init(struct hello_params *p, uint16_t version);

/* hello_build appends the complete hello to out, record header included:
 * one TLS handshake record, or one SSLv2 record. Returns HELLO_OK or a
 * negative enum hello_err (out then holds a partial hello: discard it). */
int hello_build(const struct hello_params *p, struct wbuf *out);

/* hello_max_suites returns how many of p's suites (from the first) fit in a
 * hello of at most max_len bytes, record header included; 0 if none. */
size_t hello_max_suites(const struct hello_params *p, size_t max_len);

/* hello_is_grease is true for the RFC 8701 §2 GREASE values 0x0A0A,
 * 0x1A1A .. 0xFAFA (suites, extensions, groups, signature algorithms,
 * versions). */
bool hello_is_grease(uint16_t v);

/* ---- first-flight structures ------------------------------------------- */

struct hello_error {
    size_t offset;      /* byte where the problem was found */
    const char *reason; /* static text, NULL when there is none */
};

struct hello_alert {
    uint8_t level;       /* 1 warning, 2 fatal */
    uint8_t description; /* RFC 8446 §6 AlertDescription */
};

struct hello_server_hello {
    uint16_t legacy_version; /* the version field */
    uint16_t version;        /* negotiated: supported_versions if present, else legacy_version */
    uint8_t random[32];
    uint8_t session_id_len;
    uint8_t session_id[32];
    uint16_t suite;
    uint8_t compression;
    bool hrr;           /* HelloRetryRequest (RFC 8446 §4.1.3 special random) */
    uint16_t downgrade; /* RFC 8446 §4.1.3 sentinel: TLS_WIRE_TLS12 or TLS_WIRE_TLS11, else 0 */
    unsigned exts;      /* HELLO_EXT_* present */
    size_t n_ext_types;
    uint16_t ext_types[HELLO_MAX_EXTS]; /* in the server's order */
    uint16_t key_share_group;  /* key_share: server share's group, HRR: selected_group; or 0 */
    size_t key_share_len;      /* length of the server's key_exchange (0 in an HRR) */
    char key_share_sha256[65]; /* lowercase hex SHA-256 of that key_exchange; "" none */
    uint8_t ec_point_formats;  /* bit n set: format n offered (0 uncompressed, 1, 2) */
    uint8_t heartbeat_mode;    /* RFC 6520: 1 peer_allowed_to_send, 2 not */
    uint8_t reneg_info_len;    /* renegotiated_connection length (0 on a first handshake) */
    uint8_t max_fragment_length;
    uint8_t alpn_len;
    uint8_t alpn[255]; /* ALPN protocol chosen, not NUL-terminated, server bytes */
};

/* Kinds of ServerKeyExchange, derived from the suite (hello_kx_of_suite). */
enum hello_kx {
    HELLO_KX_NONE,       /* no ServerKeyExchange: RSA, static DH/ECDH, KRB5, GOST, TLS 1.3 */
    HELLO_KX_DHE,        /* ServerDHParams + signature (RFC 5246 §7.4.3) */
    HELLO_KX_DH_ANON,    /* ServerDHParams */
    HELLO_KX_ECDHE,      /* ServerECDHParams + signature (RFC 8422 §5.4) */
    HELLO_KX_ECDH_ANON,  /* ServerECDHParams */
    HELLO_KX_RSA_EXPORT, /* ServerRSAParams + signature (RFC 2246 §7.4.3), optional */
    HELLO_KX_PSK,        /* psk_identity_hint (RFC 4279 §2, §4), optional */
    HELLO_KX_DHE_PSK,    /* hint + ServerDHParams (RFC 4279 §3) */
    HELLO_KX_ECDHE_PSK,  /* hint + ServerECDHParams (RFC 5489 §2) */
    HELLO_KX_SRP,        /* ServerSRPParams (RFC 5054 §2.8.2) */
    HELLO_KX_SRP_SIGNED, /* ServerSRPParams + signature */
    HELLO_KX_UNKNOWN,    /* unparsed: only the message framing is checked */
};

struct hello_ske {
    enum hello_kx kx;
    /* DHE, DH_anon, DHE_PSK */
    struct rbuf dh_p, dh_g, dh_ys; /* big-endian, as sent */
    unsigned dh_p_bits;            /* size of p, leading zero bytes ignored */
    uint64_t dh_g_value;           /* g if it fits, else UINT64_MAX */
    /* ECDHE, ECDH_anon, ECDHE_PSK: curve_type 3 named_curve, 1 explicit_prime,
     * 2 explicit_char2 (RFC 4492 §5.4) */
    uint8_t ec_curve_type;
    uint16_t ec_group;      /* named_curve only */
    unsigned ec_field_bits; /* explicit curves: bits of the prime or of m */
    struct rbuf ec_point;   /* the server's public point */
    /* RSA_EXPORT */
    struct rbuf rsa_modulus, rsa_exponent;
    unsigned rsa_modulus_bits;
    /* PSK kinds */
    struct rbuf psk_hint;
    /* SRP */
    struct rbuf srp_n, srp_g, srp_s, srp_b;
    unsigned srp_n_bits;
    /* the signature, when the kind has one */
    bool has_signature;
    uint16_t sig_scheme; /* TLS 1.2 SignatureAndHashAlgorithm, 0 before */
    struct rbuf signature;
};

struct hello_certificate {
    size_t n_certs;
    struct rbuf certs[HELLO_MAX_CERTS]; /* DER, server's order */
};

struct hello_ssl2_server_hello {
    uint8_t session_id_hit;
    uint8_t certificate_type; /* 1: X.509 */
    uint16_t version;
    struct rbuf certificate;
    size_t n_kinds;
    uint32_t kinds[HELLO_MAX_SSL2_KINDS]; /* 3-byte cipher kinds, server's order */
    struct rbuf connection_id;
};

/* hello_parse_server_hello parses a ServerHello body (after the 4-byte
 * handshake header): RFC 5246 §7.4.1.3, RFC 8446 §4.1.3 and §4.1.4 for the
 * HelloRetryRequest, the extensions listed above with their own RFCs. */
bool hello_parse_server_hello(const struct rbuf *msg, struct hello_server_hello *out,
                              struct hello_error *err);
/* hello_parse_alert parses one Alert (RFC 5246 §7.2, RFC 8446 §6). */
bool hello_parse_alert(const struct rbuf *msg, struct hello_alert *out, struct hello_error *err);
/* hello_parse_certificate parses a TLS <= 1.2 Certificate body (RFC 5246
 * §7.4.2) of at most max_certs (<= HELLO_MAX_CERTS) certificates. */
bool hello_parse_certificate(const struct rbuf *msg, size_t max_certs,
                             struct hello_certificate *out, struct hello_error *err);
/* hello_parse_server_key_exchange parses a ServerKeyExchange body of kind kx
 * sent under version (RFC 5246 §7.4.3 and the kind's RFC, see enum hello_kx).
 * The signature is length-checked, not verified. */
bool hello_parse_server_key_exchange(const struct rbuf *msg, enum hello_kx kx, uint16_t version,
                                     struct hello_ske *out, struct hello_error *err);
/* hello_parse_server_hello_done checks a ServerHelloDone body is empty (RFC 5246 §7.4.5). */
bool hello_parse_server_hello_done(const struct rbuf *msg, struct hello_error *err);
/* hello_parse_ssl2_server_hello parses an SSLv2 SERVER-HELLO record body, message
 * type byte included (SSL 2.0 draft-hickman-netscape-ssl-00 "Server Only Protocol
 * Messages"). */
bool hello_parse_ssl2_server_hello(const struct rbuf *msg, struct hello_ssl2_server_hello *out,
                                   struct hello_error *err);

/* hello_kx_of_suite returns the ServerKeyExchange kind of a TLS suite code,
 * from the registry; HELLO_KX_UNKNOWN for codes it does not know. */
enum hello_kx hello_kx_of_suite(uint16_t suite);

/* Names, static text: "handshake_failure", "fatal", "ServerKeyExchange";
 * "unknown" for values without one. */
const char *hello_alert_name(uint8_t description);
const char *hello_alert_level_name(uint8_t level);
const char *hello_handshake_name(uint8_t msg_type);
/* hello_extension_name: "key_share" for TLS_EXT_KEY_SHARE, the IANA name of
 * every extension the prober sends or parses; "unknown" for the others. */
const char *hello_extension_name(uint16_t type);

/* ---- digests of what the server sent (scanner/wire/digest.c, GnuTLS) ----- */

/* hello_sha256_hex writes the lowercase hex SHA-256 of len bytes at data
 * into out (65 bytes, NUL-terminated). Returns false (out "") when the hash
 * fails. */
bool hello_sha256_hex(const uint8_t *data, size_t len, char out[65]);
/* hello_spki_sha256_hex writes the hex SHA-256 of the DER
 * SubjectPublicKeyInfo of the X.509 certificate der[len] into out. Returns
 * false (out "") when the certificate does not parse. */
bool hello_spki_sha256_hex(const uint8_t *der, size_t len, char out[65]);

/* ---- record reassembly (RFC 5246 §6.2, §7.4; RFC 8446 §5.1) ------------- */

enum hello_rec_kind {
    HELLO_REC_NEED_MORE, /* all input consumed, no event */
    HELLO_REC_HANDSHAKE, /* a complete handshake message */
    HELLO_REC_ALERT,     /* a complete alert */
    HELLO_REC_OTHER,     /* a ChangeCipherSpec / application data / heartbeat record
                            header; its body is skipped */
    HELLO_REC_SSL2,      /* a complete SSLv2 record (only as the first record) */
    HELLO_REC_ERROR,     /* malformed or over a cap: the reader stays failed */
};

struct hello_rec_event {
    enum hello_rec_kind kind;
    uint8_t type;      /* handshake msg_type, or the record content type */
    struct rbuf body;  /* handshake body / SSLv2 record body: valid until the next call */
    size_t msg_offset; /* handshake: offset of the message header in the handshake stream */
    size_t raw_offset; /* first byte of the message / alert / record in the raw stream */
    struct hello_alert alert;
    struct hello_error err; /* HELLO_REC_ERROR: offset in the raw byte stream */
};

/* Where a handshake record's body sits in the handshake stream and in the raw bytes. */
struct hello_rec_map {
    size_t hs_off;
    size_t raw_off;
};

/* Caller storage; fields private. hello_reader_init / hello_reader_cleanup. */
struct hello_reader {
    size_t max_bytes; /* cap on raw bytes consumed */
    size_t n_raw;     /* raw bytes consumed */
    uint8_t hdr[5];
    uint8_t hdr_len;
    bool in_record;
    bool ssl2; /* the record in progress is an SSLv2 one */
    bool failed;
    bool seen_record;
    uint8_t rec_type;
    uint16_t rec_version;
    uint16_t first_version; /* record version of the first TLS record */
    size_t rec_left;        /* body bytes of the current record still to come */
    size_t n_records;
    uint8_t alert[2];
    uint8_t alert_len;
    uint8_t *hs; /* handshake stream (or the SSLv2 record), heap */
    size_t hs_len;
    size_t hs_alloc;
    size_t hs_pos;             /* start of the next unreturned message */
    struct hello_rec_map *map; /* one entry per handshake record */
    size_t n_map;
    size_t map_alloc;
    struct hello_error err;
};

/* hello_reader_init sets up a reader that consumes at most max_bytes
 * (<= HELLO_FLIGHT_MAX_MAX). Nothing is allocated until bytes arrive. */
void hello_reader_init(struct hello_reader *r, size_t max_bytes);
/* hello_reader_cleanup frees the reader's buffers. */
void hello_reader_cleanup(struct hello_reader *r);
/* hello_reader_next consumes bytes from *in (advancing *in and *in_len) up
 * to the next event and returns it in *ev (its kind is also returned).
 * Call it again, with the rest of the input, until HELLO_REC_NEED_MORE.
 * Handshake bytes stay in the reader's buffer until cleanup, at an offset
 * that does not change, but the buffer may move when it grows: ev->body is
 * valid until the next call only. */
enum hello_rec_kind hello_reader_next(struct hello_reader *r, const uint8_t **in, size_t *in_len,
                                      struct hello_rec_event *ev);
/* hello_reader_raw_offset maps an offset in the handshake stream to the raw
 * byte stream. */
size_t hello_reader_raw_offset(const struct hello_reader *r, size_t hs_offset);
/* hello_reader_pending is true when a record or message is incomplete or
 * handshake bytes follow the last returned message. */
bool hello_reader_pending(const struct hello_reader *r);

/* ---- the first-flight driver -------------------------------------------- */

enum hello_status { HELLO_NEED_MORE, HELLO_DONE, HELLO_FAILED };

enum hello_answer {
    HELLO_ANS_NONE,              /* nothing complete yet */
    HELLO_ANS_SERVER_HELLO,      /* result.sh */
    HELLO_ANS_HRR,               /* result.sh, sh.hrr */
    HELLO_ANS_ALERT,             /* result.alert, before any hello */
    HELLO_ANS_SSL2_SERVER_HELLO, /* result.ssl2 */
    HELLO_ANS_SSL2_ERROR,        /* result.ssl2_error */
};

/* hello_flight_init flags */
#define HELLO_FLIGHT_HELLO_ONLY (1u << 0) /* DONE right after the ServerHello */

struct hello_result {
    enum hello_answer answer;
    uint16_t record_version; /* of the server's first TLS record */
    struct hello_server_hello sh;
    /* the server's answer was not among our offer (the caller decides) */
    bool suite_not_offered; /* also an SSLv2 kind we did not offer, and a signalling
                               value (RFC 5746 §3.3, RFC 7507 §2) even when we sent it */
    bool version_not_offered;
    bool group_not_offered; /* key_share / HRR group we did not offer */
    bool compression_not_offered;
    unsigned exts_not_offered; /* HELLO_EXT_* the server sent unasked */
    enum hello_kx kx;          /* of the chosen suite (TLS <= 1.2) */
    bool have_alert;           /* a fatal alert or close_notify ended the flight */
    struct hello_alert alert;
    bool have_warning; /* a warning alert, flight continued; the last one */
    struct hello_alert warning;
    bool have_certificate;
    struct hello_certificate certificate;
    bool have_certificate_status;
    bool have_ske;
    struct hello_ske ske;
    bool have_certificate_request;
    bool have_done;      /* ServerHelloDone */
    bool trailing_bytes; /* handshake bytes after the last message we needed */
    struct hello_ssl2_server_hello ssl2;
    uint16_t ssl2_error; /* SSLv2 ERROR code */
    size_t n_bytes;      /* raw bytes consumed */
};

/* Caller storage; fields private. */
struct hello_flight {
    struct hello_reader rd;
    unsigned flags;
    enum hello_status status;
    int stage; /* last TLS <= 1.2 message seen, in flight order */
    bool ssl2_offer;
    uint16_t offer_version;
    unsigned offer_exts;
    uint32_t *offer_suites; /* heap copy */
    size_t n_offer_suites;
    uint16_t offer_versions[HELLO_MAX_VERSIONS];
    size_t n_offer_versions;
    uint16_t offer_groups[HELLO_MAX_GROUPS];
    size_t n_offer_groups;
    unsigned offer_shares;
    bool offer_deflate;
    /* Certificate and ServerKeyExchange bodies in the handshake stream, parsed
     * again at the end so the result's views point into the final buffer */
    size_t cert_off, cert_len, ske_off, ske_len;
    struct hello_result res;
    struct hello_error err;
};

/* hello_flight_init sets up *f for the answer to a hello built from offer,
 * reading at most max_bytes (0: HELLO_FLIGHT_DEFAULT_MAX; capped at
 * HELLO_FLIGHT_MAX_MAX). Returns HELLO_OK, HELLO_E_PARAM or HELLO_E_NOMEM
 * (then *f needs no cleanup). */
int hello_flight_init(struct hello_flight *f, const struct hello_params *offer, unsigned flags,
                      size_t max_bytes);
/* hello_flight_cleanup frees what *f owns; views in its result die. */
void hello_flight_cleanup(struct hello_flight *f);
/* hello_flight_feed takes the next len bytes the server sent. Once DONE or
 * FAILED, further bytes are ignored and the status stays. On FAILED the
 * result keeps what was learned before the failure. */
enum hello_status hello_flight_feed(struct hello_flight *f, const uint8_t *data, size_t len);
/* hello_flight_eof tells *f the server closed: NEED_MORE becomes FAILED
 * ("connection closed before the answer" / "... inside the flight"). */
enum hello_status hello_flight_eof(struct hello_flight *f);
/* hello_flight_result and hello_flight_error return views into *f. */
const struct hello_result *hello_flight_result(const struct hello_flight *f);
const struct hello_error *hello_flight_error(const struct hello_flight *f);

#endif
