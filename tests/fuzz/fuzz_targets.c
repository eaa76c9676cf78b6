/*
 * tests/fuzz/fuzz_targets.c - fuzz target for the targets file parser
 * (target_list_load_text in scanner/target.c).
 *
 * Input: the bytes of a targets file. Loaded into a list that already
 * holds one target: a failure must name the file in a message of printable
 * ASCII and leave only that one, a success must give targets with a host,
 * a port and an origin naming the file and a line. Nothing is resolved.
 * Any broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "scanner/target.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct target_list l;
    target_list_init(&l);
    char err[1024] = "";
    if (target_list_add(&l, "keep.example", NULL, NULL, "argument 1", err, sizeof(err)) != 0) {
        abort();
    }
    int rc = target_list_load_text(&l, "fuzz.txt", (const char *)data, size, err, sizeof(err));
    if (rc != 0 && rc != -1) {
        abort();
    }
    if (rc != 0 && (strncmp(err, "fuzz.txt:", 9) != 0 || l.n_items != 1)) {
        abort();
    }
    for (const char *c = rc != 0 ? err : ""; *c != '\0'; c++) {
        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f) {
            abort(); /* the message quotes the line: only after its bytes were checked */
        }
    }
    if (strcmp(l.items[0].host, "keep.example") != 0) {
        abort();
    }
    for (size_t i = 1; i < l.n_items; i++) {
        const struct target_spec *t = &l.items[i];
        if (t->host == NULL || t->host[0] == '\0' || t->port == 0 || t->origin == NULL ||
            strncmp(t->origin, "fuzz.txt:", 9) != 0) {
            abort();
        }
        if (t->sni != NULL && !target_valid_sni(t->sni)) {
            abort();
        }
        for (size_t j = 0; j < t->tags.n_items; j++) {
            if (strlen(t->tags.items[j]) == 0) {
                abort();
            }
        }
    }
    target_list_cleanup(&l);
    return 0;
}
