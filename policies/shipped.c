/*
 * policies/shipped.c - where the shipped policies live: the lookup of a
 * shipped name ("pci-dss-4.0" -> DIR/pci-dss-4.0.yaml in
 * $TLSAUDIT_POLICY_DIR, the installed policy directory, the source tree's
 * policies/, in that order) for policy_load and `extends`, and
 * policy_list_shipped.
 *
 * Invariants: a shipped name is letters, digits, '.', '_' and '-' (no
 * leading '.', at most 64 characters), so it never leaves its directory.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strlist.h"
#include "policies/policy.h"
#include "policies/policy_int.h"

#ifndef TLSAUDIT_POLICY_DIR
#define TLSAUDIT_POLICY_DIR ""
#endif
#ifndef TLSAUDIT_SRC_POLICY_DIR
#define TLSAUDIT_SRC_POLICY_DIR ""
#endif

static bool load_valid_name(const char *name)
{
    if (name[0] == '\0' || name[0] == '.' || strlen(name) > 64) {
        return false;
    }
    for (const char *c = name; *c != '\0'; c++) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '.' || *c == '_' || *c == '-')) {
            return false;
        }
    }
    return true;
}

/* load_dirs lists the shipped-policy directories in lookup order. */
static size_t load_dirs(const char *dirs[3])
{
    size_t n = 0;
    const char *env = getenv("TLSAUDIT_POLICY_DIR");
    if (env != NULL && env[0] != '\0') {
        dirs[n++] = env;
    }
    if (TLSAUDIT_POLICY_DIR[0] != '\0') {
        dirs[n++] = TLSAUDIT_POLICY_DIR;
    }
    if (TLSAUDIT_SRC_POLICY_DIR[0] != '\0') {
        dirs[n++] = TLSAUDIT_SRC_POLICY_DIR;
    }
    return n;
}

/* load_find_shipped writes DIR/NAME.yaml of the first directory that has it. */
bool load_find_shipped(const char *name, char *out, size_t out_size)
{
    if (!load_valid_name(name)) {
        return false;
    }
    const char *dirs[3];
    size_t n = load_dirs(dirs);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        int w = snprintf(out, out_size, "%s/%s.yaml", dirs[i], name);
        if (w > 0 && (size_t)w < out_size && stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
            return true;
        }
    }
    return false;
}

bool load_is_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') != NULL || (n > 5 && strcmp(s + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

static int load_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int policy_list_shipped(struct strlist *out)
{
    const char *dirs[3];
    size_t n_dirs = load_dirs(dirs);
    struct strlist names;
    strlist_init(&names);
    int rc = -1;
    for (size_t i = 0; i < n_dirs; i++) {
        DIR *d = opendir(dirs[i]);
        if (d == NULL) {
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t len = strlen(e->d_name);
            if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0) {
                continue;
            }
            char name[80];
            if (len - 5 >= sizeof(name)) {
                continue;
            }
            memcpy(name, e->d_name, len - 5);
            name[len - 5] = '\0';
            bool dup = !load_valid_name(name);
            for (size_t j = 0; j < names.n_items && !dup; j++) {
                dup = strcmp(names.items[j], name) == 0;
            }
            if (!dup && strlist_add(&names, name) != 0) {
                closedir(d);
                goto out;
            }
        }
        closedir(d);
    }
    if (names.n_items > 1) {
        qsort(names.items, names.n_items, sizeof(names.items[0]), load_cmp);
    }
    for (size_t i = 0; i < names.n_items; i++) {
        if (strlist_add(out, names.items[i]) != 0) {
            goto out;
        }
    }
    rc = 0;
out:
    strlist_cleanup(&names);
    return rc;
}
