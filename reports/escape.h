/*
 * reports/escape.h - writing hostile strings into each output format.
 *
 * Every string that came from a server (certificate subject, SAN, issuer,
 * error text, evidence quoting them) may hold markup, quotes, spreadsheet
 * formulas, newlines, ANSI escapes or bytes that are not UTF-8. Each
 * function here writes such a string so that the output stays valid and
 * inert in its format. Common to all: C0 and C1 control characters, DEL
 * and every byte that is not part of well-formed UTF-8 are written as the
 * four visible characters \xNN (so nothing can drive a terminal, break an
 * XML parser or hide text), the rest is kept as it is.
 *
 * NULL is written as nothing.
 */
#ifndef TLSAUDIT_REPORTS_ESCAPE_H
#define TLSAUDIT_REPORTS_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* esc_utf8_len is the one UTF-8 validator of every output format (these
 * escapers, text_visible, the JSON strings): the length (1-4) of the
 * well-formed UTF-8 character at p, of which at most n bytes may be read,
 * or 0 when the byte at p does not start one. Strict (RFC 3629): no
 * overlong forms (C0, C1, E0 80-9F, F0 80-8F), no surrogates (ED A0-BF),
 * nothing above U+10FFFF (F4 90-BF, F5-FF), no truncated sequence, no
 * stray continuation byte. Controls are valid UTF-8 here; each caller
 * decides what to do with them. */
size_t esc_utf8_len(const unsigned char *p, size_t n);

/* esc_html writes s for HTML or XML text and attribute values (quoted with
 * " or '): & < > " ' become character references. */
void esc_html(FILE *out, const char *s);

/* esc_csv writes s as one RFC 4180 field, always quoted ("" inside). A
 * value a spreadsheet would run as a formula (first character = + - @, tab
 * or carriage return) gets a leading ' so it is shown as text. */
void esc_csv(FILE *out, const char *s);

/* esc_markdown writes s as inert Markdown text, also inside a table cell:
 * HTML-significant characters become references and Markdown punctuation
 * (\ ` * _ { } [ ] ( ) # + - . ! | ~ < >) is backslash-escaped. */
void esc_markdown(FILE *out, const char *s);

/* esc_visible writes s with only the common treatment (for text output;
 * the same as reports/text.h's text_visible). */
void esc_visible(FILE *out, const char *s);

#endif
