/*
 * reports/history.h - the rows of `tlsaudit history TARGET`: one per
 * stored scan of an endpoint (and address), oldest first, in text,
 * Markdown or JSON (schema "tlsaudit-history", docs/json-output.md).
 *
 * Pipeline position: the caller loads each scan (report_load) and hands
 * each row's target to history_add; nothing here reads the database.
 *
 * Ownership: history_begin returns a writer that history_free frees; the
 * report_data given to history_add is only read during the call.
 */
#ifndef TLSAUDIT_REPORTS_HISTORY_H
#define TLSAUDIT_REPORTS_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reports/report.h"

struct history_writer;

/* history_begin starts the history of host:port in format (REPORT_TEXT,
 * REPORT_MARKDOWN or REPORT_JSON) on out; text and Markdown write their
 * header at once. Returns NULL when out of memory or for another format. */
struct history_writer *history_begin(FILE *out, enum report_format format, const char *host,
                                     uint16_t port);

/* history_add writes (text, Markdown) or keeps (JSON) the row of target t
 * of d. Returns 0, or -1 when out of memory. */
int history_add(struct history_writer *w, const struct report_data *d, size_t t);

/* history_end writes what is kept (the JSON document). Returns 0, or -1
 * when out of memory or the write failed. Write errors of text rows are the
 * caller's to check (ferror / fclose). */
int history_end(struct history_writer *w);

/* history_free frees w; accepts NULL. */
void history_free(struct history_writer *w);

#endif
