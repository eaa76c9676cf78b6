/*
 * scanner/starttls/starttls.h - the application protocols a target may
 * speak before (or around) TLS: one table of rows, each a protocol name,
 * the well-known ports `auto` picks it for, whether TLS starts with the
 * first byte (direct TLS: smtps, imaps ...) or after a plaintext dialogue
 * (STARTTLS: smtp, imap ...), the dialogue's ops (scanner/net/dialogue.h)
 * and the builder of the dialogue's argument.
 *
 * The target model stores the row's name (target_spec.starttls, the
 * targets table's starttls column): "none" is plain direct TLS (HTTPS and
 * every port the table does not know), "auto" is resolved by port when a
 * target is parsed, so a stored target always names a row.
 *
 * A row is one line of the table in starttls.c; the dialogues of the text
 * protocols are in text.h (over the line engine, line.h), those of the
 * binary and XML ones in binary.h.
 *
 * What a dialogue saw (STARTTLS offered, plaintext authentication before
 * TLS, the capabilities an auditor cares about): a row whose dialogue
 * keeps a struct starttls_seen at the start of its per-connection state
 * says so with `seen` = true; the starttls probe (scanner/probes/starttls.c)
 * reads it after running the dialogue once and records it as facts.
 *
 * Ownership: the table is static; an argument made by a row's arg_new is
 * one heap block the caller frees with free() once no connection uses it.
 */
#ifndef TLSAUDIT_SCANNER_STARTTLS_STARTTLS_H
#define TLSAUDIT_SCANNER_STARTTLS_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/net/dialogue.h"

/* The longest protocol name, with its NUL. */
#define STARTTLS_NAME_LEN 24
/* The protocol of a target without a known port, or asked for none. */
#define STARTTLS_NONE "none"
#define STARTTLS_AUTO "auto"
/* Well-known ports one row may list. */
#define STARTTLS_MAX_PORTS 4
/* Caps of what struct starttls_seen keeps. */
#define STARTTLS_CAPS_LEN 256
#define STARTTLS_BANNER_LEN 128

/* What a dialogue's argument is built from (all borrowed for the call). */
struct starttls_params {
    const char *host;        /* the target's host as given: a name or an IP literal */
    const char *sni;         /* the SNI the scan sends, or NULL */
    const char *xmpp_host;   /* --xmpp-host: the XMPP to= domain, or NULL (then sni / host) */
    const char *client_name; /* our name in EHLO / LHLO (a DNS name) */
};

/* What a text dialogue saw before TLS; at the start of its state when the
 * row says `seen`. Every string is printable ASCII, NUL-terminated. */
struct starttls_seen {
    bool greeted;           /* the server's greeting arrived and was positive */
    bool capabilities_read; /* a capability list was read before TLS */
    bool offered;           /* the list named STARTTLS (STLS, AUTH TLS ...) */
    bool plain_auth;        /* plaintext authentication offered before TLS */
    bool auth_known;        /* the capability list says which logins it offers (not FTP, IRC) */
    char caps[STARTTLS_CAPS_LEN];     /* the auditor's words: "STARTTLS AUTH=PLAIN USER" */
    char banner[STARTTLS_BANNER_LEN]; /* the greeting's text */
};

struct starttls_proto {
    const char *name;                   /* "smtp": what users write and the store keeps */
    uint16_t ports[STARTTLS_MAX_PORTS]; /* `auto` picks the row on these (0 ends) */
    bool direct;                        /* TLS from the first byte: no dialogue */
    const struct net_dialogue_ops *ops; /* the dialogue (NULL when direct) */
    /* arg_new makes the dialogue's argument from p into *out (one heap
     * block, the caller free()s it; NULL when ops need none). Returns 0, or
     * -1 with the reason in why (no memory, a host the protocol cannot
     * name). NULL: the argument is NULL. */
    int (*arg_new)(const struct starttls_params *p, void **out, char *why, size_t why_len);
    bool seen;           /* the dialogue's state starts with a struct starttls_seen */
    const char *summary; /* one line for --help and errors: "SMTP (RFC 3207)" */
};

/* starttls_find returns the row named name (exact, lower case), or NULL. */
const struct starttls_proto *starttls_find(const char *name);

/* starttls_for_port returns the row `auto` picks for port: the one that
 * lists it, else the "none" row. Never NULL. */
const struct starttls_proto *starttls_for_port(uint16_t port);

/* starttls_resolve turns a protocol name as given (NULL: the default,
 * auto) into a row for port: auto by port, any other name by starttls_find.
 * Returns the row or NULL (unknown name). */
const struct starttls_proto *starttls_resolve(const char *name, uint16_t port);

/* starttls_names writes the accepted names ("auto, none, smtp, ...") into
 * buf (always NUL-terminated) for error messages and --help. */
void starttls_names(char *buf, size_t buf_size);

/* starttls_count / starttls_at walk the table in its order. */
size_t starttls_count(void);
const struct starttls_proto *starttls_at(size_t i);

/* starttls_is_dialogue says whether p runs a plaintext dialogue. */
bool starttls_is_dialogue(const struct starttls_proto *p);

#endif
