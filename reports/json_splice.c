/*
 * reports/json_splice.c - copies a JSON document that jansson dumped
 * (JSON_INDENT(2), any flags but JSON_ENSURE_ASCII) into another one at a
 * depth, as the bytes jansson's dump of the parsed document there with
 * JSON_INDENT(2) | JSON_ENSURE_ASCII would be (json_private.h), without
 * reading it into memory: `scan --policy --format json` nests the check
 * document this way (reports/json.c, json_report_attach_file).
 *
 * Why the bytes are the same: jansson writes a value at depth d with 2*d
 * spaces after every newline it emits and never a raw newline inside a
 * string, so adding 2*depth spaces after each newline moves the whole dump
 * down depth levels; with JSON_ENSURE_ASCII it writes every character
 * above U+007F as \uXXXX (upper-case hex; a surrogate pair above U+FFFF),
 * and those characters occur only inside strings, so each UTF-8 sequence
 * of the input becomes that escape. Anything else (the order of keys,
 * numbers, the other escapes) a dump writes the same way again after a
 * parse. jansson only ever dumps valid UTF-8.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/json_private.h"

/* put_escaped writes code point cp as jansson's \uXXXX escape(s). */
static int put_escaped(FILE *out, uint32_t cp)
{
    if (cp > 0xFFFF) {
        cp -= 0x10000;
        return fprintf(out, "\\u%04X\\u%04X", (unsigned)(0xD800 | (cp >> 10)),
                       (unsigned)(0xDC00 | (cp & 0x3FF))) > 0
                   ? 0
                   : -1;
    }
    return fprintf(out, "\\u%04X", (unsigned)cp) > 0 ? 0 : -1;
}

/* read_utf8 completes the sequence that lead started from in; -1 when it
 * is not valid UTF-8 (jansson never writes that). */
static int read_utf8(FILE *in, int lead, uint32_t *cp)
{
    int more = lead >= 0xF0 && lead <= 0xF4 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC2 ? 1 : -1;
    if (more < 0 || lead > 0xF4) {
        return -1;
    }
    uint32_t v = (uint32_t)lead & (0x3Fu >> more);
    for (int i = 0; i < more; i++) {
        int c = getc(in);
        if (c == EOF || (c & 0xC0) != 0x80) {
            return -1;
        }
        v = (v << 6) | ((uint32_t)c & 0x3F);
    }
    static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (v < least[more] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        return -1;
    }
    *cp = v;
    return 0;
}

int json_splice_doc(FILE *out, FILE *in, int depth)
{
    if (fflush(in) != 0 || ferror(in) || fseek(in, 0, SEEK_SET) != 0) {
        return -1;
    }
    bool newline = false; /* one held back: the document's last byte is not copied */
    bool any = false;
    for (int c; (c = getc(in)) != EOF;) {
        if (newline && fprintf(out, "\n%*s", 2 * depth, "") < 0) {
            return -1;
        }
        newline = c == '\n';
        any = true;
        uint32_t cp = 0;
        if (newline) {
            continue;
        }
        if (c < 0x80) {
            if (putc(c, out) == EOF) {
                return -1;
            }
        } else if (read_utf8(in, c, &cp) != 0 || put_escaped(out, cp) != 0) {
            return -1;
        }
    }
    return any && !ferror(in) ? 0 : -1;
}
