/*
 * reports/escape.c - hostile strings made inert per format (escape.h).
 *
 * One walker (esc_walk) splits a string into well-formed, printable UTF-8
 * characters, which it hands to a per-format emitter, and everything else
 * (controls, DEL, C1, malformed or overlong sequences, surrogates), which
 * it writes as \xNN itself. Well-formed means esc_utf8_len, the validator
 * reports/json.c and reports/text.c use too.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "reports/escape.h"

typedef void (*esc_emit_fn)(FILE *out, const unsigned char *p, size_t len);

size_t esc_utf8_len(const unsigned char *p, size_t n)
{
    if (n == 0) {
        return 0;
    }
    unsigned char c = p[0];
    if (c < 0x80) {
        return 1;
    }
    if (c < 0xc2 || c > 0xf4) {
        return 0; /* continuation bytes, overlong leads C0/C1, above U+10FFFF */
    }
    size_t want = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (want > n) {
        return 0; /* truncated */
    }
    for (size_t k = 1; k < want; k++) {
        if ((p[k] & 0xc0) != 0x80) {
            return 0;
        }
    }
    if (c == 0xe0 && p[1] < 0xa0) {
        return 0; /* overlong 3-byte form (below U+0800) */
    }
    if (c == 0xed && p[1] >= 0xa0) {
        return 0; /* surrogates U+D800..U+DFFF */
    }
    if (c == 0xf0 && p[1] < 0x90) {
        return 0; /* overlong 4-byte form (below U+10000) */
    }
    if (c == 0xf4 && p[1] >= 0x90) {
        return 0; /* above U+10FFFF */
    }
    return want;
}

/* esc_char_len returns the length of the printable, well-formed UTF-8
 * character at p (n bytes left), or 0 when the byte at p must be made
 * visible. */
static size_t esc_char_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c >= 0x20 && c < 0x7f) {
        return 1;
    }
    if (c < 0x80) {
        return 0; /* C0 controls, DEL */
    }
    if (c == 0xc2 && n >= 2 && p[1] >= 0x80 && p[1] < 0xa0) {
        return 0; /* C1 controls U+0080..U+009F */
    }
    return esc_utf8_len(p, n);
}

static void esc_walk(FILE *out, const char *s, esc_emit_fn emit)
{
    if (s == NULL) {
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + strlen(s);
    while (p < end) {
        size_t len = esc_char_len(p, (size_t)(end - p));
        if (len == 0) {
            fprintf(out, "\\x%02x", *p);
            p++;
        } else {
            emit(out, p, len);
            p += len;
        }
    }
}

static void emit_plain(FILE *out, const unsigned char *p, size_t len)
{
    fwrite(p, 1, len, out);
}

static void emit_html(FILE *out, const unsigned char *p, size_t len)
{
    if (len == 1) {
        switch (p[0]) {
        case '&':
            fputs("&amp;", out);
            return;
        case '<':
            fputs("&lt;", out);
            return;
        case '>':
            fputs("&gt;", out);
            return;
        case '"':
            fputs("&quot;", out);
            return;
        case '\'':
            fputs("&#39;", out);
            return;
        default:
            break;
        }
    }
    fwrite(p, 1, len, out);
}

static void emit_csv(FILE *out, const unsigned char *p, size_t len)
{
    if (len == 1 && p[0] == '"') {
        fputs("\"\"", out);
        return;
    }
    fwrite(p, 1, len, out);
}

static void emit_markdown(FILE *out, const unsigned char *p, size_t len)
{
    if (len == 1) {
        if (p[0] == '&' || p[0] == '<' || p[0] == '>' || p[0] == '"' || p[0] == '\'') {
            emit_html(out, p, len);
            return;
        }
        if (strchr("\\`*_{}[]()#+-.!|~", p[0]) != NULL) {
            fputc('\\', out);
        }
    }
    fwrite(p, 1, len, out);
}

void esc_visible(FILE *out, const char *s)
{
    esc_walk(out, s, emit_plain);
}

void esc_html(FILE *out, const char *s)
{
    esc_walk(out, s, emit_html);
}

void esc_markdown(FILE *out, const char *s)
{
    esc_walk(out, s, emit_markdown);
}

void esc_csv(FILE *out, const char *s)
{
    fputc('"', out);
    if (s != NULL && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL) {
        fputc('\'', out);
    }
    esc_walk(out, s, emit_csv);
    fputc('"', out);
}
