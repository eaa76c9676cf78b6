/*
 * scanner/starttls/text.h - the pre-TLS dialogues of the line-based
 * protocols, each a struct net_dialogue_ops over the line engine (line.h):
 *
 *   smtp   RFC 3207: 220 greeting, EHLO, STARTTLS in the EHLO reply, STARTTLS, 220
 *   lmtp   RFC 2033: the same with LHLO
 *   imap   RFC 9051 §6.2.1 / RFC 3501: * OK greeting, CAPABILITY, STARTTLS, tagged OK
 *   pop3   RFC 2595 §4: +OK greeting, CAPA (STLS), STLS, +OK
 *   sieve  RFC 5804 §2.2: the capability lines up to OK ("STARTTLS"), STARTTLS, OK
 *   ftp    RFC 4217 §4: 220 greeting, FEAT (informative), AUTH TLS, 234 (5xx: not offered)
 *   nntp   RFC 4642 §2.2: 200/201 greeting, CAPABILITIES (STARTTLS), STARTTLS, 382
 *   irc    the IRCv3 STARTTLS extension: STARTTLS, 670 (691 fails)
 *
 * Each keeps a struct starttls_seen at the start of its state (what the
 * server offered before TLS). A capability list without the protocol's
 * STARTTLS word fails with "server does not offer STARTTLS"; a refusal
 * names the command and the server's reply; bytes after the go-ahead fail
 * (line.h). Every byte is hostile: see line.h.
 *
 * arg: a struct starttls_text_arg (the EHLO / LHLO name) for smtp and lmtp,
 * unused (NULL allowed) by the others.
 */
#ifndef TLSAUDIT_SCANNER_STARTTLS_TEXT_H
#define TLSAUDIT_SCANNER_STARTTLS_TEXT_H

#include <stddef.h>

#include "scanner/net/dialogue.h"
#include "scanner/starttls/line.h"
#include "scanner/starttls/starttls.h"

/* The name we give in EHLO / LHLO when the scan names none. */
#define STARTTLS_CLIENT_NAME "tlsaudit.invalid"

struct starttls_text_arg {
    char client_name[256]; /* a DNS name: letters, digits, '-', '.' only */
};

/* The state every text dialogue keeps (ctx_size of each ops). */
struct starttls_text_ctx {
    struct starttls_seen seen; /* first: the starttls probe reads it */
    struct line_engine le;
    struct line_reply rep;
    int state;
    size_t n_reply_lines; /* lines of the reply being read */
    int refused_code;     /* the code of a reply that refused, 0 when none */
};

/* starttls_text_arg_new builds a struct starttls_text_arg from p (its
 * client_name, else STARTTLS_CLIENT_NAME); see starttls_proto.arg_new. */
int starttls_text_arg_new(const struct starttls_params *p, void **out, char *why, size_t why_len);

extern const struct net_dialogue_ops starttls_smtp_ops;
extern const struct net_dialogue_ops starttls_lmtp_ops;
extern const struct net_dialogue_ops starttls_imap_ops;
extern const struct net_dialogue_ops starttls_pop3_ops;
extern const struct net_dialogue_ops starttls_sieve_ops;
extern const struct net_dialogue_ops starttls_ftp_ops;
extern const struct net_dialogue_ops starttls_nntp_ops;
extern const struct net_dialogue_ops starttls_irc_ops;

/* The reason every dialogue gives when the capability list lacks STARTTLS. */
#define STARTTLS_NOT_OFFERED "server does not offer STARTTLS"

/* What the text dialogues share (text.c). starttls_text_fail writes
 * "WHAT: CODE TEXT" (the reply's text printable, cut) into why and
 * returns FAILED; starttls_text_feed runs the line engine with fn. */
enum net_dialogue_step starttls_text_fail(char *why, size_t why_len, const char *what,
                                          const uint8_t *text, size_t text_len);
enum net_dialogue_step starttls_text_feed(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                          struct wbuf *out, char *why, size_t why_len, line_fn fn);
void starttls_text_send(struct wbuf *out, const char *line);
/* starttls_text_wait is the start of a protocol whose server speaks first:
 * nothing to send, MORE. */
enum net_dialogue_step starttls_text_wait(void *ctx, const void *arg, struct wbuf *out, char *why,
                                          size_t why_len);

#endif
