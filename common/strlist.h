/*
 * common/strlist.h - a growable list of owned C strings.
 *
 * Used wherever a fact is a list of short texts (SAN entries, URLs, EKU
 * OIDs). The list owns every string it holds; strlist_cleanup() frees them
 * all. libc only.
 */
#ifndef TLSAUDIT_COMMON_STRLIST_H
#define TLSAUDIT_COMMON_STRLIST_H

#include <stddef.h>

struct strlist {
    char **items; /* n_items owned strings */
    size_t n_items;
    size_t cap;
};

/* strlist_init sets an empty list in caller storage. */
void strlist_init(struct strlist *l);

/* strlist_add copies s (of s_len bytes, NUL added) into the list.
 * Returns 0, or -1 when out of memory (the list is unchanged). */
__attribute__((warn_unused_result)) int strlist_add_n(struct strlist *l, const char *s,
                                                      size_t s_len);
__attribute__((warn_unused_result)) int strlist_add(struct strlist *l, const char *s);

/* strlist_join returns a newly allocated string with every item separated by
 * sep (caller frees), or NULL when out of memory. An empty list gives "". */
char *strlist_join(const struct strlist *l, const char *sep);

/* strlist_cleanup frees every item and the array; the list is empty after. */
void strlist_cleanup(struct strlist *l);

#endif
