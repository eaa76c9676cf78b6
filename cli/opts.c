/*
 * cli/opts.c - option tables to getopt_long, to --help and to the man page's
 * option lists (see opts.h).
 */
#include "cli/opts.h"

#include <string.h>

/* Whether opts_print writes man(7) source: only `tlsaudit --man` sets it. */
static bool opts_roff;

void opts_set_roff(bool on)
{
    opts_roff = on;
}

void opts_to_getopt(const struct opt_doc *docs, size_t n, struct option *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = (struct option){docs[i].name, docs[i].has_arg, NULL, docs[i].id};
    }
    out[n] = (struct option){NULL, 0, NULL, 0};
}

/* opts_roff_span writes the n bytes of s as opts_roff_text does. */
static void opts_roff_span(FILE *out, const char *s, size_t n)
{
    if (n > 0 && (s[0] == '.' || s[0] == '\'')) {
        fputs("\\&", out); /* text, not a request */
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') {
            fputs("\\e", out);
        } else if (c == '-') {
            fputs("\\-", out);
        } else if (c == '\n') {
            putc('\n', out);
            if (i + 1 < n && (s[i + 1] == '.' || s[i + 1] == '\'')) {
                fputs("\\&", out);
            }
        } else if (c >= 0x20 && c != 0x7f) {
            putc(c, out);
        }
    }
}

void opts_roff_text(FILE *out, const char *s)
{
    opts_roff_span(out, s, strlen(s));
}

void opts_roff_fill(FILE *out, const char *s, char mark)
{
    size_t col = 0;
    while (*s == ' ') {
        s++; /* a text line starting with a space would break the line */
    }
    while (*s != '\0') {
        size_t w = strcspn(s, " ");
        size_t wide = w + 2;
        for (size_t i = 0; i < w; i++) {
            wide += s[i] == '-' || s[i] == '\\';
        }
        if (col > 0 && col + 1 + wide > 72) {
            putc('\n', out);
            if (mark != 0) {
                putc(mark, out);
            }
            col = 0;
        } else if (col > 0) {
            putc(' ', out);
            col++;
        }
        opts_roff_span(out, s, w); /* a '.' starting the word is guarded */
        col += wide;
        s += w;
        while (*s == ' ') {
            s++;
        }
    }
}

/* opts_print_roff writes one option as a tagged paragraph: the tag in bold
 * with its value in italics, then the help text. */
static void opts_print_roff(FILE *out, const struct opt_doc *o)
{
    fprintf(out, "%c.TP\n%c", OPTS_ROFF_MARK, OPTS_ROFF_MARK);
    if (o->id < 256) {
        fprintf(out, "\\fB\\-%c\\fR, ", o->id);
    }
    fputs("\\fB\\-\\-", out);
    opts_roff_text(out, o->name);
    fputs("\\fR", out);
    if (o->arg != NULL) {
        fputs(" \\fI", out);
        opts_roff_text(out, o->arg);
        fputs("\\fR", out);
    }
    fprintf(out, "\n%c", OPTS_ROFF_MARK);
    opts_roff_fill(out, o->help, OPTS_ROFF_MARK);
    putc('\n', out);
}

void opts_print(FILE *out, const struct opt_doc *docs, size_t n, int width)
{
    for (size_t i = 0; i < n; i++) {
        const struct opt_doc *o = &docs[i];
        if (opts_roff) {
            opts_print_roff(out, o);
            continue;
        }
        char left[64];
        if (o->id < 256) {
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->id, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        } else {
            snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        }
        fprintf(out, "  %-*s %s\n", width, left, o->help);
    }
}
