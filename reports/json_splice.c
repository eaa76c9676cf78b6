/*
 * reports/json_splice.c - a jansson document with parts spliced in at
 * their depth (json_splice.h): the bytes of one dump of the whole tree,
 * without the whole tree in memory.
 *
 * Pipeline position: the JSON renderers (reports/json.c,
 * reports/report_json_stream.c, reports/check_report.c) -> [this] -> out.
 *
 * The layout reproduced is jansson's JSON_INDENT(2): a value at depth d
 * dumped at top level gives the same lines as inside the document, each
 * line after its first indented by d levels more (a dump never holds a
 * raw newline inside a string); an array is "[" then each element after
 * a newline and its indentation, separated by ",", then a newline, the
 * indentation of the array's key and "]"; an empty array is "[]".
 */
#include "reports/json_splice.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* The string standing for a part until it is spliced in. */
#define JSON_SPLICE_HOLE "@@tlsaudit-splice@@"

int json_splice_put(FILE *f, json_t *v, int depth, size_t flags, bool first)
{
    int pad = JSON_SPLICE_INDENT * depth;
    char *text = v != NULL ? json_dumps(v, JSON_INDENT(JSON_SPLICE_INDENT) | flags) : NULL;
    json_decref(v);
    int ret = text != NULL && fprintf(f, "%s\n%*s", first ? "" : ",", pad, "") >= 0 ? 0 : -1;
    for (const char *p = text; ret == 0 && *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
        if (fwrite(p, 1, n, f) != n || (nl != NULL && fprintf(f, "%*s", pad, "") < 0)) {
            ret = -1;
        }
        p += n;
    }
    free(text);
    return ret;
}

int json_part_open(struct json_part *p, int depth, size_t flags)
{
    *p = (struct json_part){.f = tmpfile(), .depth = depth, .flags = flags};
    return p->f != NULL ? 0 : -1;
}

int json_part_add(struct json_part *p, json_t *v)
{
    if (json_splice_put(p->f, v, p->depth, p->flags, p->n == 0) != 0) {
        return -1;
    }
    p->n++;
    return 0;
}

void json_part_close(struct json_part *p)
{
    if (p->f != NULL) {
        fclose(p->f);
    }
    memset(p, 0, sizeof(*p));
}

json_t *json_splice_hole(void)
{
    return json_string(JSON_SPLICE_HOLE);
}

int json_splice_begin(struct json_splice *s, FILE *out, const json_t *root, size_t flags)
{
    s->out = out;
    s->text = root != NULL ? json_dumps(root, JSON_INDENT(JSON_SPLICE_INDENT) | flags) : NULL;
    s->pos = s->text;
    return s->text != NULL ? 0 : -1;
}

/* splice_to writes the skeleton up to the next hole, the value of key at
 * key_depth (found with the newline and indentation before the key), and
 * moves past the hole. */
static int splice_to(struct json_splice *s, const char *key, int key_depth)
{
    char mark[256];
    int n = snprintf(mark, sizeof(mark), "\n%*s\"%s\": ", JSON_SPLICE_INDENT * key_depth, "", key);
    if (s->pos == NULL || n < 0 || (size_t)n + sizeof(JSON_SPLICE_HOLE) + 2 > sizeof(mark)) {
        return -1;
    }
    size_t head = (size_t)n;
    snprintf(mark + head, sizeof(mark) - head, "\"%s\"", JSON_SPLICE_HOLE);
    const char *m = strstr(s->pos, mark);
    if (m == NULL) {
        return -1;
    }
    size_t len = (size_t)(m - s->pos) + head;
    if (fwrite(s->pos, 1, len, s->out) != len) {
        return -1;
    }
    s->pos = m + strlen(mark);
    return 0;
}

int json_splice_open(struct json_splice *s, const char *key, int key_depth)
{
    return splice_to(s, key, key_depth) == 0 && fputc('[', s->out) != EOF ? 0 : -1;
}

int json_splice_close(struct json_splice *s, int key_depth, size_t n)
{
    int rc = n == 0 ? fputc(']', s->out) != EOF
                    : fprintf(s->out, "\n%*s]", JSON_SPLICE_INDENT * key_depth, "") >= 0;
    return rc ? 0 : -1;
}

int json_splice_part(struct json_splice *s, const char *key, struct json_part *p)
{
    int key_depth = p->depth - 1;
    if (json_splice_open(s, key, key_depth) != 0 ||
        (p->n > 0 && util_copy_back(s->out, p->f) != 0)) {
        return -1;
    }
    return json_splice_close(s, key_depth, p->n);
}

int json_splice_value(struct json_splice *s, const char *key, int key_depth, FILE *doc)
{
    char buf[65536];
    size_t n;
    bool nl = false; /* a newline read and not written yet: the last one is dropped */
    int pad = JSON_SPLICE_INDENT * key_depth;
    bool ok = splice_to(s, key, key_depth) == 0 && fflush(doc) == 0 && !ferror(doc) &&
              fseek(doc, 0, SEEK_SET) == 0;
    while (ok && (n = fread(buf, 1, sizeof(buf), doc)) > 0) {
        for (size_t i = 0; ok && i < n;) {
            if (nl) {
                ok = fprintf(s->out, "\n%*s", pad, "") >= 0;
                nl = false;
            }
            const char *end = memchr(buf + i, '\n', n - i);
            size_t k = end != NULL ? (size_t)(end - buf) : n;
            ok = ok && fwrite(buf + i, 1, k - i, s->out) == k - i;
            nl = end != NULL;
            i = end != NULL ? k + 1 : k;
        }
    }
    return ok && !ferror(doc) ? 0 : -1;
}

int json_splice_finish(struct json_splice *s, int rc)
{
    if (rc == 0 && (s->pos == NULL || fputs(s->pos, s->out) < 0 || fputc('\n', s->out) == EOF)) {
        rc = -1;
    }
    free(s->text);
    s->text = NULL;
    s->pos = NULL;
    return rc;
}
