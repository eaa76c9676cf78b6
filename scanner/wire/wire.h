/*
 * scanner/wire/wire.h - what the files of the raw prober's wire code share
 * beyond hello.h (private to scanner/wire/): helpers one file defines and
 * another calls.
 */
#ifndef TLSAUDIT_SCANNER_WIRE_WIRE_H
#define TLSAUDIT_SCANNER_WIRE_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/bytes.h"
#include "scanner/hello.h"

/* wire/client_hello.c: the process's key shares (x25519: 32 bytes,
 * secp256r1: the 65-byte uncompressed point), generated on first use;
 * HELLO_OK with views of static storage, or HELLO_E_KEY. */
int hello_key_shares(struct rbuf *out_x25519, struct rbuf *out_p256);
/* wire/extensions.c: true when p asks for at least one ClientHello extension. */
bool hello_has_extensions(const struct hello_params *p);
/* wire/extensions.c: the HELLO_EXT_* bits of the extensions a TLS
 * ClientHello built from p carries (padding counts as asked for). */
unsigned hello_sent_extensions(const struct hello_params *p);
/* wire/extensions.c: appends the ClientHello extensions p asks for to exts
 * (the open vec16 of the extensions block, RFC 5246 §7.4.1.4, RFC 8446
 * §4.2), in the table's order; msg is the handshake message being built (the
 * padding measures it). HELLO_OK or a negative enum hello_err. */
int hello_put_extensions(const struct hello_params *p, const struct wbuf *msg, struct wbuf *exts);
/* wire/extensions.c: one ServerHello extension body: records type in out
 * (bit, fields) and checks its body; base is the ServerHello, for offsets. */
bool hello_parse_sh_extension(uint16_t type, const struct rbuf *body,
                              struct hello_server_hello *out, const struct rbuf *base,
                              struct hello_error *err);
/* wire/server_msgs.c: records the first problem in err (at: where it is,
 * base: the structure's start); returns false. */
bool hello_fail(struct hello_error *err, const struct rbuf *base, const struct rbuf *at,
                const char *reason);
/* wire/server_msgs.c: reads a non-empty vector of a 1-, 2- or 3-byte prefix. */
bool hello_get_nonempty(struct rbuf *r, int prefix, struct rbuf *out);
/* wire/server_msgs.c */
bool hello_parse_certificate_request(const struct rbuf *msg, uint16_t version,
                                     struct hello_error *err);
/* wire/server_msgs.c */
bool hello_parse_certificate_status(const struct rbuf *msg, struct hello_error *err);
/* wire/server_msgs.c */
bool hello_parse_ssl2_error(const struct rbuf *msg, uint16_t *out_code, struct hello_error *err);

#endif
