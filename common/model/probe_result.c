/*
 * common/model/probe_result.c - the generic per-probe result record: its
 * state names and the owned list of results (probe_result.h).
 */
#include "common/model/probe_result.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* One order: enum probe_result_state indexes this table. */
static const char *const probe_result_state_names[PR_STATE_COUNT] = {
    [PR_NOT_RUN] = "not-run",
    [PR_NOT_APPLICABLE] = "not-applicable",
    [PR_COULD_NOT_TEST] = "could-not-test",
    [PR_NEGATIVE] = "negative",
    [PR_POSITIVE] = "positive",
    [PR_INFO] = "info",
};

const char *probe_result_state_name(enum probe_result_state s)
{
    return (unsigned)s < PR_STATE_COUNT ? probe_result_state_names[s] : "?";
}

bool probe_result_state_parse(const char *name, enum probe_result_state *out)
{
    for (int i = 0; name != NULL && i < PR_STATE_COUNT; i++) {
        if (strcmp(name, probe_result_state_names[i]) == 0) {
            *out = (enum probe_result_state)i;
            return true;
        }
    }
    return false;
}

int probe_list_add(struct probe_list *l, const char *id, enum wire_version version, uint32_t suite,
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
