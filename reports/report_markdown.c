/*
 * reports/report_markdown.c - `tlsaudit report --format markdown`.
 *
 * NOT IMPLEMENTED YET: a placeholder that fails with a clear error, so the
 * command exists while the renderer is being written.
 */
#include <stdio.h>

#include "reports/report.h"

int report_write_markdown(FILE *out, const struct report_data *d, const struct report_options *o,
                          char *err, size_t err_len)
{
    (void)out;
    (void)d;
    (void)o;
    snprintf(err, err_len, "--format markdown is not implemented yet");
    return -1;
}
