/*
 * common/model/probe_result.c - the generic per-probe result record: the
 * owned list of results (probe_result.h; the state names are in vocab.c).
 */
#include "common/model/probe_result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

int probe_list_add(struct probe_list *l, const char *id, enum tls_version version, uint32_t suite,
                   enum probe_result_state state, const char *detail, const char *evidence)
{
    size_t id_len = id != NULL ? strnlen(id, PROBE_ID_LEN) : 0;
    if (id_len == 0 || id_len >= PROBE_ID_LEN || l->n_items >= PROBE_LIST_MAX ||
        (unsigned)version > PROBE_NO_VERSION || (unsigned)state >= PR_STATE_COUNT) {
        return -1;
    }
    if (l->n_items == l->cap_items) {
        size_t ncap = l->cap_items ? l->cap_items * 2 : 8;
        struct probe_result *n = realloc(l->items, ncap * sizeof(*n));
        if (n == NULL) {
            return -1;
        }
        l->items = n;
        l->cap_items = ncap;
    }
    char *ev = NULL;
    if (evidence != NULL) {
        size_t n = strnlen(evidence, PROBE_EVIDENCE_MAX);
        ev = malloc(n + 1);
        if (ev == NULL) {
            return -1;
        }
        memcpy(ev, evidence, n);
        ev[n] = '\0';
    }
    struct probe_result *p = &l->items[l->n_items];
    memset(p, 0, sizeof(*p));
    memcpy(p->id, id, id_len);
    p->version = version;
    p->suite = suite;
    p->state = state;
    util_copy(p->detail, sizeof(p->detail), detail != NULL ? detail : "");
    p->evidence = ev;
    l->n_items++;
    return 0;
}

int probe_list_move(struct probe_list *dst, struct probe_list *src)
{
    int rc = 0;
    size_t want = dst->n_items + src->n_items;
    if (src->n_items > 0 && want > dst->cap_items) {
        struct probe_result *grown =
            want <= PROBE_LIST_MAX ? realloc(dst->items, want * sizeof(*grown)) : NULL;
        if (grown == NULL) {
            rc = -1;
        } else {
            dst->items = grown;
            dst->cap_items = want;
        }
    }
    if (rc == 0 && src->n_items > 0) { /* src->items may be NULL when empty */
        memcpy(dst->items + dst->n_items, src->items, src->n_items * sizeof(*src->items));
        dst->n_items = want;
        src->n_items = 0; /* the evidence now belongs to dst */
    }
    if (src->header.state == FACT_COLLECTED && dst->header.state == FACT_NOT_COLLECTED) {
        dst->header.state = FACT_COLLECTED;
    }
    if (src->header.state == FACT_COULD_NOT_TEST) {
        dst->header = src->header;
    }
    if (rc != 0) {
        dst->header.state = FACT_COULD_NOT_TEST;
        snprintf(dst->header.detail, sizeof(dst->header.detail), "%zu probe results were lost",
                 src->n_items);
    }
    probe_list_cleanup(src);
    return rc;
}

void probe_list_cleanup(struct probe_list *l)
{
    for (size_t i = 0; i < l->n_items; i++) {
        free(l->items[i].evidence);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}
