/*
 * cli/opts.c - option tables to getopt_long and to --help (see opts.h).
 */
#include "cli/opts.h"

void opts_to_getopt(const struct opt_doc *docs, size_t n, struct option *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = (struct option){docs[i].name, docs[i].has_arg, NULL, docs[i].id};
    }
    out[n] = (struct option){NULL, 0, NULL, 0};
}

void opts_print(FILE *out, const struct opt_doc *docs, size_t n, int width)
{
    for (size_t i = 0; i < n; i++) {
        const struct opt_doc *o = &docs[i];
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
