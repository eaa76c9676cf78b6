/*
 * scanner/probes/robot.h - the parts of the ROBOT probe (Return Of
 * Bleichenbacher's Oracle Threat, CVE-2017-13099 and its family) that need
 * no connection: the five PKCS#1 v1.5 premaster blocks, the ClientKeyExchange
 * flight that carries one, the reader of the server's reaction and the
 * verdict over the reactions (robot_pkcs1.c); the conversation is robot.c.
 * Private to scanner/probes/robot*.c and tests/unit/robot_test.c.
 *
 * The method is the ROBOT authors' (robot-detect) as sslyze and testssl
 * use it: per connection one block encrypted to the server's RSA key, sent
 * as ClientKeyExchange, then ChangeCipherSpec and a Finished the server
 * cannot decrypt; the server's reaction (an alert, a close, a reset,
 * silence) is compared across the blocks. A server whose reactions
 * differ tells a well-formed block from a malformed one: an oracle.
 */
#ifndef TLSAUDIT_SCANNER_PROBES_ROBOT_H
#define TLSAUDIT_SCANNER_PROBES_ROBOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bytes.h"

/* The blocks (robot-detect's pms_good, pms_bad1 .. pms_bad4), k bytes each. */
enum robot_variant {
    ROBOT_WELL_FORMED = 0,   /* 00 02 PS 00 version(2) random(46) */
    ROBOT_WRONG_FIRST_BYTES, /* 41 17 PS 00 version(2) random(46) */
    ROBOT_WRONG_00_POSITION, /* 00 02 PS 11 random(46) 00 11: the 00 two bytes from the end */
    ROBOT_NO_00,             /* 00 02 PS 11 11 11 random(46): no 00 after PS */
    ROBOT_WRONG_VERSION,     /* 00 02 PS 00 02 02 random(46) */
    ROBOT_N_VARIANTS,
};

#define ROBOT_PMS_LEN 48                        /* the TLS premaster secret */
#define ROBOT_MIN_BLOCK (3 + 8 + ROBOT_PMS_LEN) /* PKCS#1 v1.5: at least 8 padding bytes */
#define ROBOT_MAX_BLOCK (16384 / 8)             /* a 16384-bit modulus */
#define ROBOT_FINISHED_LEN 64                   /* the undecryptable Finished record's body */

/* robot_variant_name: "well-formed", "wrong first bytes" ... */
const char *robot_variant_name(enum robot_variant v);

/* robot_pkcs1_block writes variant v's k-byte block (ROBOT_MIN_BLOCK <= k
 * <= ROBOT_MAX_BLOCK) for a ClientHello of version (the premaster's
 * version field) into out; rnd gives k random bytes, of which the padding
 * and the premaster's random part use the non-zero ones (a zero becomes
 * 0x5a), so no 00 sits where the variant has none. Returns 0, or -1 for
 * a bad k or variant. */
__attribute__((warn_unused_result)) int robot_pkcs1_block(enum robot_variant v, uint16_t version,
                                                          const uint8_t *rnd, size_t k,
                                                          uint8_t *out);

/* robot_build_key_exchange appends, for version (TLS_WIRE_SSL3 ..
 * TLS_WIRE_TLS12), the client's second flight: an empty Certificate when
 * the server asked for one (TLS only; SSL 3.0 gets nothing), the
 * ClientKeyExchange with the encrypted premaster (RFC 5246 §7.4.7.1: a
 * 2-byte length under TLS, none under SSL 3.0), ChangeCipherSpec, and a
 * Finished record of ROBOT_FINISHED_LEN bytes from filler (the keys are
 * unknown: the server's MAC check must fail). False when out is full. */
bool robot_build_key_exchange(uint16_t version, bool certificate_requested, const uint8_t *enc,
                              size_t enc_len, const uint8_t *filler, struct wbuf *out);

/* How the server reacted to the second flight. */
enum robot_end {
    ROBOT_END_NONE = 0, /* nothing decisive yet */
    ROBOT_END_FATAL,    /* a fatal alert (the last in alerts) */
    ROBOT_END_CLOSED,   /* the server closed (after the warnings in alerts, if any) */
    ROBOT_END_RESET,    /* the connection was reset (twice: the loop retries once) */
    ROBOT_END_TIMEOUT,  /* no answer before the deadline (twice) */
    ROBOT_END_RECORD,   /* a record that is no alert (record_type) */
    ROBOT_END_GARBAGE,  /* bytes that are no TLS record, or an alert of the wrong size */
    ROBOT_END_MANY,     /* ROBOT_MAX_ALERTS warnings and still open */
};

#define ROBOT_MAX_ALERTS 4

struct robot_reaction {
    enum robot_end end;
    size_t n_alerts;
    uint8_t alerts[ROBOT_MAX_ALERTS][2]; /* level, description, in order */
    uint8_t record_type;                 /* ROBOT_END_RECORD */
};

/* The reader of the reaction: caller storage, zeroed (robot_reader_init). */
struct robot_reader {
    uint8_t hdr[5];
    size_t hdr_len;
    uint8_t body[2];
    size_t body_len;
    struct robot_reaction reaction;
};

void robot_reader_init(struct robot_reader *rd);
/* robot_reader_feed reads the next server bytes (hostile: any length, any
 * split); returns true once the reaction is decided (rd->reaction.end set),
 * false to read more. Bytes after the decision are ignored. */
bool robot_reader_feed(struct robot_reader *rd, const uint8_t *in, size_t len);
/* robot_reader_end decides an undecided reaction by how the connection
 * ended: ROBOT_END_CLOSED, _RESET or _TIMEOUT. */
void robot_reader_end(struct robot_reader *rd, enum robot_end how);

/* robot_reaction_same: a and b are the same reaction. */
bool robot_reaction_same(const struct robot_reaction *a, const struct robot_reaction *b);
/* robot_reaction_text writes a in words ("fatal alert bad_record_mac(20)",
 * "warning alert close_notify(0), then closed", "reset"). */
void robot_reaction_text(const struct robot_reaction *a, char *buf, size_t len);

enum robot_verdict {
    ROBOT_V_MORE = 0, /* the first round differs: run the second */
    ROBOT_V_NOT_VULNERABLE,
    ROBOT_V_WEAK,         /* only well-formed blocks (00 02 ... 00 at its place) stand out */
    ROBOT_V_STRONG,       /* the malformed blocks differ among themselves too */
    ROBOT_V_INCONSISTENT, /* a block got two different reactions */
    ROBOT_V_NO_ANSWER,    /* every reaction was a timeout: nothing to compare */
};

/* robot_judge decides over n_rounds (1 or 2) rounds of reactions
 * (reactions[round * ROBOT_N_VARIANTS + variant]): one round whose reactions are all the
 * same is not vulnerable (NO_ANSWER when they are all timeouts), one that
 * differs asks for a second (MORE); over two, a variant whose reactions
 * differ is INCONSISTENT, else WEAK when the three blocks that break the
 * padding's structure (wrong first bytes, 00 misplaced, no 00) got the same
 * reaction, STRONG when they did not (sslyze's rule, from robot-detect). */
enum robot_verdict robot_judge(const struct robot_reaction *reactions, size_t n_rounds);

#endif
