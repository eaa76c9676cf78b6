/*
 * scanner/starttls/line.c - the line engine of the text dialogues (see
 * line.h): CRLF framing with a cap, numeric multi-line replies, and the
 * bounded helpers the dialogues read lines with.
 */
#include "scanner/starttls/line.h"

#include <stdio.h>
#include <string.h>

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

enum net_dialogue_step line_feed(struct line_engine *e, const uint8_t *in, size_t len, line_fn fn,
                                 void *ctx, const void *arg, struct wbuf *out, char *why,
                                 size_t why_len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = in[i];
        if (b != '\n') {
            if (e->len == sizeof(e->buf)) {
                snprintf(why, why_len, "line longer than %d bytes", STARTTLS_LINE_MAX);
                return NET_DIALOGUE_FAILED;
            }
            e->buf[e->len++] = b;
            continue;
        }
        size_t n = e->len;
        if (n > 0 && e->buf[n - 1] == '\r') {
            n--;
        }
        e->len = 0;
        enum net_dialogue_step st = fn(ctx, arg, e->buf, n, out, why, why_len);
        if (st == NET_DIALOGUE_FAILED) {
            return st;
        }
        if (st == NET_DIALOGUE_READY) {
            if (i + 1 < len) {
                snprintf(why, why_len, "%zu bytes after the server's go-ahead, before TLS",
                         len - i - 1);
                return NET_DIALOGUE_FAILED;
            }
            return st;
        }
    }
    return NET_DIALOGUE_MORE;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

enum line_reply_step line_reply_step(struct line_reply *r, const uint8_t *line, size_t len,
                                     const uint8_t **out_text, size_t *out_text_len)
{
    bool numeric = len >= 3 && is_digit(line[0]) && is_digit(line[1]) && is_digit(line[2]) &&
                   (len == 3 || line[3] == ' ' || line[3] == '-');
    int code = numeric ? (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0') : 0;
    if (r->in_reply && (!numeric || code != r->code)) {
        *out_text = line; /* FTP: a free-form line inside a multi-line reply */
        *out_text_len = len;
        return LINE_REPLY_PART;
    }
    if (!numeric || code < 100 || code > 599) {
        return LINE_REPLY_BAD;
    }
    *out_text = len > 4 ? line + 4 : line + len;
    *out_text_len = len > 4 ? len - 4 : 0;
    r->code = code;
    if (len > 3 && line[3] == '-') {
        r->in_reply = true;
        return LINE_REPLY_PART;
    }
    r->in_reply = false;
    return LINE_REPLY_END;
}

void line_printable(char *dst, size_t dst_size, const uint8_t *src, size_t n)
{
    size_t room = dst_size - 1;
    bool cut = n > room;
    size_t k = cut ? (room > 3 ? room - 3 : 0) : n;
    for (size_t i = 0; i < k; i++) {
        dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
    }
    size_t end = k;
    if (cut) {
        for (size_t i = 0; i < 3 && end < room; i++) {
            dst[end++] = '.';
        }
    }
    dst[end] = '\0';
}

bool line_starts(const uint8_t *line, size_t len, const char *word)
{
    size_t n = strlen(word); /* ours, not the server's */
    if (len < n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (lower(line[i]) != lower((unsigned char)word[i])) {
            return false;
        }
    }
    return true;
}

bool line_equals(const uint8_t *line, size_t len, const char *word)
{
    return len == strlen(word) && line_starts(line, len, word);
}

bool line_word(const uint8_t *line, size_t len, size_t *pos, const uint8_t **out_word,
               size_t *out_len)
{
    size_t i = *pos;
    while (i < len && (line[i] == ' ' || line[i] == '\t')) {
        i++;
    }
    size_t start = i;
    while (i < len && line[i] != ' ' && line[i] != '\t') {
        i++;
    }
    *pos = i;
    if (i == start) {
        return false;
    }
    *out_word = line + start;
    *out_len = i - start;
    return true;
}

void line_caps_add(char *caps, size_t caps_size, const uint8_t *word, size_t word_len)
{
    char w[64];
    if (word_len == 0 || word_len >= sizeof(w)) {
        return;
    }
    line_printable(w, sizeof(w), word, word_len);
    size_t used = strlen(caps); /* ours: built here */
    for (const char *p = caps; *p != '\0';) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        if (n == word_len && line_starts((const uint8_t *)p, n, w)) {
            return;
        }
        p += n + (sp ? 1 : 0);
    }
    size_t need = word_len + (used > 0 ? 1 : 0);
    if (used + need + 1 > caps_size) {
        return;
    }
    if (used > 0) {
        caps[used++] = ' ';
    }
    memcpy(caps + used, w, word_len + 1);
}
