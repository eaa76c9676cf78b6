/*
 * common/model/probe_result.c - the generic per-probe result record: the
 * owned list of results (probe_result.h; the state names are in vocab.c).
 */
#include "common/model/probe_result.h"

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

void probe_list_cleanup(struct probe_list *l)
{
    for (size_t i = 0; i < l->n_items; i++) {
        free(l->items[i].evidence);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}
