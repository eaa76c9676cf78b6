/*
 * scanner/starttls/line.h - the line engine the text protocols' dialogues
 * share (SMTP, LMTP, IMAP, POP3, ManageSieve, FTP, NNTP, IRC), as curl's
 * pingpong is: bytes in, whole lines out, and the numeric multi-line
 * replies of SMTP, FTP and NNTP ("250-..." lines, then "250 ...").
 *
 * Every byte is the server's and hostile: a line is at most
 * STARTTLS_LINE_MAX bytes (a longer one fails the dialogue: "line longer
 * than 4096 bytes"), lines are (pointer, length) views and never passed to
 * a str* function, and the engine splits the same lines whether the bytes
 * arrive at once or one by one. A line ends at LF; a CR before it is
 * dropped. Bytes after the line that made the dialogue READY are the
 * server's TLS (or an injection) before our ClientHello: FAILED.
 *
 * Caller storage, no heap: struct line_engine sits in a dialogue's state.
 */
#ifndef TLSAUDIT_SCANNER_STARTTLS_LINE_H
#define TLSAUDIT_SCANNER_STARTTLS_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/bytes.h"
#include "scanner/net/dialogue.h"

#define STARTTLS_LINE_MAX 4096

struct line_engine {
    uint8_t buf[STARTTLS_LINE_MAX];
    size_t len; /* bytes of the line being read */
};

/* Called for each complete line (without CR LF); returns what the dialogue
 * says after it. why (why_len bytes) takes the reason of FAILED. */
typedef enum net_dialogue_step (*line_fn)(void *ctx, const void *arg, const uint8_t *line,
                                          size_t len, struct wbuf *out, char *why, size_t why_len);

/* line_feed splits in[0..len) into lines and hands each to fn in order,
 * until fn says READY or FAILED. Returns MORE (wait for more bytes), READY
 * (only when no byte follows the line that made it so: else FAILED "N
 * bytes after the server's go-ahead, before TLS"), or FAILED (fn's reason,
 * or "line longer than 4096 bytes"). */
enum net_dialogue_step line_feed(struct line_engine *e, const uint8_t *in, size_t len, line_fn fn,
                                 void *ctx, const void *arg, struct wbuf *out, char *why,
                                 size_t why_len);

/* A numeric reply (SMTP, LMTP, FTP, NNTP: RFC 5321 §4.2, RFC 959 §4.2):
 * "DDD-text" continues it, "DDD text" (or "DDD") ends it; FTP lets the
 * lines between start any way, so inside a reply only a line starting
 * with its code and a space ends it. */
struct line_reply {
    bool in_reply; /* a "DDD-" line was read and its last line was not */
    int code;      /* the reply's code (100-599) */
};

enum line_reply_step {
    LINE_REPLY_PART = 0, /* a line of a reply that goes on */
    LINE_REPLY_END,      /* the reply's last line: code set */
    LINE_REPLY_BAD,      /* not a reply line (no three digits and a separator) */
};

/* line_reply_step reads one line of a numeric reply. *out_text (and
 * *out_text_len) point at the line after "DDD-" / "DDD " (the whole line
 * for a free-form FTP continuation line). */
enum line_reply_step line_reply_step(struct line_reply *r, const uint8_t *line, size_t len,
                                     const uint8_t **out_text, size_t *out_text_len);

/* line_printable copies up to n bytes of src into dst (dst_size > 0,
 * NUL-terminated), each byte outside printable ASCII as '?', "..." when
 * something was cut. */
void line_printable(char *dst, size_t dst_size, const uint8_t *src, size_t n);

/* line_starts says whether line[0..len) starts with word, ignoring ASCII
 * case; line_equals whether it is word. */
bool line_starts(const uint8_t *line, size_t len, const char *word);
bool line_equals(const uint8_t *line, size_t len, const char *word);

/* line_word reads the next space-separated word of line[*pos..len),
 * moving *pos past it; false at the end. */
bool line_word(const uint8_t *line, size_t len, size_t *pos, const uint8_t **out_word,
               size_t *out_len);

/* line_caps_add appends word (word_len bytes, printable) to caps (a
 * NUL-terminated list of words of caps_size bytes) unless it is there;
 * words that do not fit are left out. */
void line_caps_add(char *caps, size_t caps_size, const uint8_t *word, size_t word_len);

#endif
