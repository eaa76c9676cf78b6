/*
 * scanner/starttls/binary.h - the pre-TLS dialogues of the protocols that
 * do not speak in lines: LDAP (the StartTLS extended operation, RFC 4511
 * §4.14, BER), PostgreSQL (SSLRequest), MySQL / MariaDB (the SSL capability
 * flag and the SSLRequest packet) and XMPP (the stream header, the
 * <starttls/> feature and <proceed/>, RFC 6120 §5). Each is a
 * struct net_dialogue_ops (scanner/net/dialogue.h): the protocol table
 * (scanner/starttls/starttls.c) pairs them with an argument.
 *
 * Every byte comes from the server and is hostile: each dialogue reads it
 * with bounds checks into its fixed-size per-connection state (no heap, no
 * strlen on server bytes), counts what it received against
 * NET_DIALOGUE_MAX_IN, gives the same result whether the bytes arrive at
 * once or one at a time, and says FAILED with a printable reason for
 * anything it does not expect, including bytes after the server's go-ahead
 * (nothing of TLS may come before our ClientHello). libc and common/ only.
 */
#ifndef TLSAUDIT_SCANNER_STARTTLS_BINARY_H
#define TLSAUDIT_SCANNER_STARTTLS_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/net/dialogue.h"
#include "scanner/starttls/starttls.h"

/* LDAP: sends the StartTLS ExtendedRequest (messageID 1); READY on an
 * ExtendedResponse with resultCode success (0), FAILED "LDAP StartTLS
 * refused: resultCode N (name): diagnostic" otherwise. arg: unused (NULL). */
extern const struct net_dialogue_ops starttls_ldap_ops;

/* PostgreSQL: sends SSLRequest; READY on 'S', FAILED on 'N', on an error
 * message ('E': its text) and on any other byte. arg: unused (NULL). */
extern const struct net_dialogue_ops starttls_postgres_ops;

/* PostgreSQL without TLS (the plaintext_session probe): a StartupMessage
 * (protocol 3.0, user and database STARTTLS_PG_USER, no SSLRequest) and
 * the first message the server answers it with, read by
 * starttls_pg_plain_parse: an AuthenticationRequest ('R': the server
 * accepts the session and asks for that method) or an ErrorResponse ('E',
 * protocol 3 fields or protocol 2 text). Every byte is hostile: lengths are
 * checked against what arrived and against STARTTLS_PG_MAX_MSG, the fields
 * are read up to their NUL within the message, never with str* on server
 * bytes. */
#define STARTTLS_PG_USER "tlsaudit"
#define STARTTLS_PG_MAX_MSG 2048
#define STARTTLS_PG_AUTH_OK 0        /* AuthenticationOk: no password asked (trust) */
#define STARTTLS_PG_AUTH_CLEARTEXT 3 /* AuthenticationCleartextPassword */

enum starttls_pg_answer {
    STARTTLS_PG_MORE = 0, /* more bytes are needed */
    STARTTLS_PG_AUTH,     /* an AuthenticationRequest: auth_code */
    STARTTLS_PG_ERROR,    /* an ErrorResponse: sqlstate (protocol 3), severity, message */
    STARTTLS_PG_BAD,      /* anything else, or malformed: why */
};

/* What starttls_pg_plain_parse read. */
struct starttls_pg_reply {
    enum starttls_pg_answer answer;
    uint32_t auth_code;
    char sqlstate[8]; /* five characters, printable; "" when not sent (protocol 2) */
    char severity[16];
    char message[160]; /* printable, cut with "..." */
    char why[96];      /* STARTTLS_PG_BAD */
};

/* The dialogue's state: the reply and the bytes it was read from. */
struct starttls_pg_plain {
    struct starttls_pg_reply reply;
    size_t n;
    uint8_t buf[STARTTLS_PG_MAX_MSG + 8];
};

/* starttls_pg_plain_parse reads in[0..len), the server's first bytes after
 * our StartupMessage, into *out (zeroed first) and returns out->answer:
 * MORE until a whole first message is there. */
enum starttls_pg_answer starttls_pg_plain_parse(const uint8_t *in, size_t len,
                                                struct starttls_pg_reply *out);

/* starttls_pg_auth_name names an AuthenticationRequest code ("a cleartext
 * password", "SASL (SCRAM)" ...), "an unknown method" for others. */
const char *starttls_pg_auth_name(uint32_t code);

/* The dialogue of the plaintext_session probe: sends the StartupMessage,
 * READY once starttls_pg_plain_parse says AUTH or ERROR, FAILED on BAD.
 * Its state is a struct starttls_pg_plain (the caller reads its reply after
 * net_dialogue_run_ctx); no TLS follows READY: the caller closes. */
extern const struct net_dialogue_ops starttls_pg_plain_ops;

/* MySQL / MariaDB: reads the initial handshake (protocol 10), FAILED
 * "server does not offer TLS" without CLIENT_SSL, otherwise sends the
 * SSLRequest packet (sequence 1) and says READY. arg: unused (NULL). Its
 * state starts with a struct starttls_seen: the version as banner, the
 * capability flags read, CLIENT_SSL as offered, "CLIENT_SSL auth=PLUGIN"
 * as caps, the default auth plugin sending the password in the clear
 * (mysql_clear_password, dialog) as plain_auth and then auth_known (other
 * plugins say nothing of the accounts' own). */
extern const struct net_dialogue_ops starttls_mysql_ops;

/* starttls_mysql_server_version returns the server version string of the
 * handshake a starttls_mysql_ops context has read (printable, at most 63
 * bytes), "" before it; owned by ctx. */
const char *starttls_mysql_server_version(const void *ctx);

/* XMPP: the argument of starttls_xmpp_ops (caller storage, outliving every
 * connection using it). domain is the to= of our stream header (a DNS
 * name or IP literal; anything else FAILED before a byte is sent). server:
 * a server-to-server stream (jabber:server, port 5269) instead of a client
 * one (jabber:client, 5222). */
struct starttls_xmpp_arg {
    const char *domain;
    bool server;
};

/* XMPP: sends the stream header, requires <starttls/> in the server's
 * <stream:features> (FAILED "server does not offer STARTTLS"), sends
 * <starttls/>, READY on <proceed/>, FAILED on <failure/>, a stream error
 * (its condition) or anything else. arg: a struct starttls_xmpp_arg. Its
 * state starts with a struct starttls_seen: the server's from= as banner,
 * the features read, <starttls/> offered, caps "STARTTLS [REQUIRED]
 * SASL=MECH ...", SASL PLAIN or LOGIN before TLS as plain_auth, auth_known
 * once the features are read (they are all a client may use now). */
extern const struct net_dialogue_ops starttls_xmpp_ops;

/* starttls_xmpp_arg_new / starttls_xmpp_server_arg_new: the protocol
 * table's argument builders (starttls.h) for client and server streams:
 * the domain is p->xmpp_host, else p->sni, else p->host. One heap block
 * (free()); -1 with why when the domain cannot go into to=. */
int starttls_xmpp_arg_new(const struct starttls_params *p, void **out, char *why, size_t why_len);
int starttls_xmpp_server_arg_new(const struct starttls_params *p, void **out, char *why,
                                 size_t why_len);

/* starttls_bin_text copies up to n server bytes to dst (dst_size > 0,
 * always NUL-terminated), each byte outside printable ASCII as '?', and
 * "..." at the end when something was cut. */
void starttls_bin_text(char *dst, size_t dst_size, const unsigned char *src, size_t n);

#endif
