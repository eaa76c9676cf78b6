/*
 * reports/diff_out.c - writing a diff one target at a time (diff_writer_*,
 * reports/diff_private.h): the text, Markdown and JSON renderings get each
 * target's view as the pairing finishes it, and what a rendering prints
 * after every target (the targets in one scan only) or before them (the
 * totals of JSON and Markdown) waits in temporary files, so memory does
 * not grow with the number of targets, and the bytes are those of the
 * whole model rendered at once (diff_write feeds a model through here).
 *
 * Pipeline position: diff_write (reports/diff.c) or diff_stream
 * (reports/diff_stream.c) -> [diff_writer_*] -> diff_text.c, diff_json.c
 * -> out.
 */
#include <stdio.h>
#include <string.h>

#include "reports/diff_private.h"

int diff_copy_file(FILE *out, FILE *f, long skip)
{
    char buf[65536];
    size_t n;
    bool ok = fflush(f) == 0 && !ferror(f) && fseek(f, skip, SEEK_SET) == 0;
    while (ok && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        ok = fwrite(buf, 1, n, out) == n;
    }
    return ok && !ferror(f) ? 0 : -1;
}

int diff_writer_begin(struct diff_writer *w, FILE *out, enum report_format f,
                      const struct diff *head, char *err, size_t err_len)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->f = f;
    w->head = head;
    if (f != REPORT_TEXT && f != REPORT_MARKDOWN && f != REPORT_JSON) {
        snprintf(err, err_len, "a diff is written as text, json or markdown, not %s",
                 report_format_name(f));
        return -1;
    }
    bool ok = (w->only[0] = tmpfile()) != NULL;
    ok = ok && (f == REPORT_JSON || (w->only[1] = tmpfile()) != NULL);
    ok = ok && (f == REPORT_TEXT || (w->body = tmpfile()) != NULL);
    if (!ok) {
        snprintf(err, err_len, "writing the diff: no temporary file");
        diff_writer_cleanup(w);
        return -1;
    }
    if (f == REPORT_TEXT) {
        diff_text_head(out, false, head, &w->k);
    }
    return 0;
}

int diff_writer_target(struct diff_writer *w, const struct diff *one)
{
    const struct diff_target *t = &one->targets[0];
    bool md = w->f == REPORT_MARKDOWN;
    w->k.n_entries += one->n_entries;
    w->k.n_worse += t->n_worse;
    switch (t->presence) {
    case DIFF_IN_BOTH:
        w->k.changed += t->n_changes > 0;
        w->k.unchanged += t->n_changes == 0;
        break;
    case DIFF_ONLY_A:
        w->k.only_a++;
        break;
    case DIFF_ONLY_B:
        w->k.only_b++;
        break;
    }
    if (w->f == REPORT_JSON) {
        FILE *f = t->presence == DIFF_ONLY_A ? w->only[0] : w->body;
        w->failed = w->failed || diff_json_element(f, one) != 0;
    } else if (t->presence == DIFF_IN_BOTH && t->n_changes > 0) {
        diff_text_target(md ? w->body : w->out, md, one);
    } else if (t->presence != DIFF_IN_BOTH) {
        diff_text_only_item(w->only[t->presence == DIFF_ONLY_B], md, t);
    }
    for (int i = 0; i < 2; i++) {
        w->failed = w->failed || (w->only[i] != NULL && ferror(w->only[i]));
    }
    w->failed = w->failed || (w->body != NULL && ferror(w->body));
    return w->failed ? -1 : 0;
}

int diff_writer_end(struct diff_writer *w, char *err, size_t err_len)
{
    int rc = w->failed ? -1 : 0;
    if (rc == 0 && w->f == REPORT_JSON) {
        return diff_json_document(w->out, w->head, &w->k, w->body, w->only[0], err, err_len);
    }
    if (rc == 0 && w->f == REPORT_MARKDOWN) {
        diff_text_head(w->out, true, w->head, &w->k);
        rc = diff_copy_file(w->out, w->body, 0);
    }
    if (rc == 0) {
        rc = diff_text_only_lists(w->out, w->f == REPORT_MARKDOWN, w->head, w->only, &w->k);
    }
    if (rc == 0 && w->f == REPORT_TEXT) {
        diff_text_totals(w->out, w->head, &w->k);
    }
    if (rc != 0) {
        snprintf(err, err_len, "writing the diff: a temporary file failed");
    }
    return rc;
}

void diff_writer_cleanup(struct diff_writer *w)
{
    for (int i = 0; i < 2; i++) {
        if (w->only[i] != NULL) {
            fclose(w->only[i]);
        }
        w->only[i] = NULL;
    }
    if (w->body != NULL) {
        fclose(w->body);
    }
    w->body = NULL;
}
