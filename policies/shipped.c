/*
 * policies/shipped.c - where the shipped policies live: the lookup of a
 * shipped name ("pci-dss-4.0" -> DIR/pci-dss-4.0.yaml in
 * $TLSAUDIT_POLICY_DIR, the installed policy directory, the source tree's
 * policies/, in that order) for policy_load and `extends`,
 * policy_list_shipped, and the "not found" message that names every
 * directory searched and why it gave nothing.
 *
 * The installed directory is $(pkgdatadir)/policies, compiled in by
 * Makefile.am (TLSAUDIT_POLICY_DIR). The source tree's policies/ is searched
 * only by a program running from the build tree (its /proc/self/exe under
 * TLSAUDIT_BUILD_DIR): an installed tlsaudit uses its installed policies or
 * says they are missing, never a source tree that happens to be left behind.
 *
 * Invariants: a shipped name is letters, digits, '.', '_' and '-' (no
 * leading '.', at most 64 characters), so it never leaves its directory.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strlist.h"
#include "policies/policy.h"
#include "policies/load_yaml.h"
#include "policies/policy_int.h"

#ifndef TLSAUDIT_POLICY_DIR
#define TLSAUDIT_POLICY_DIR ""
#endif
#ifndef TLSAUDIT_SRC_POLICY_DIR
#define TLSAUDIT_SRC_POLICY_DIR ""
#endif
#ifndef TLSAUDIT_BUILD_DIR
#define TLSAUDIT_BUILD_DIR ""
#endif

const char *policy_installed_dir(void)
{
    return TLSAUDIT_POLICY_DIR;
}

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

/* load_in_build_tree: whether this program is one of the build tree's
 * (tlsaudit before `make install`, a test program). */
static bool load_in_build_tree(void)
{
    char exe[PATH_MAX], build[PATH_MAX];
    if (TLSAUDIT_BUILD_DIR[0] == '\0' || realpath("/proc/self/exe", exe) == NULL ||
        realpath(TLSAUDIT_BUILD_DIR, build) == NULL) {
        return false;
    }
    size_t n = strlen(build);
    return strncmp(exe, build, n) == 0 && exe[n] == '/';
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
    if (TLSAUDIT_SRC_POLICY_DIR[0] != '\0' && load_in_build_tree()) {
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

/* load_where appends to out "DIR (REASON)" for every shipped-policy
 * directory, "; "-separated: what was searched and why it gave nothing. */
static void load_where(char *out, size_t out_size)
{
    const char *dirs[3];
    size_t n = load_dirs(dirs);
    const char *env = getenv("TLSAUDIT_POLICY_DIR");
    size_t used = strlen(out);
    for (size_t i = 0; i < n && used < out_size; i++) {
        struct stat st;
        const char *why = "no .yaml file in it";
        if (stat(dirs[i], &st) != 0) {
            why = strerror(errno);
        } else if (!S_ISDIR(st.st_mode)) {
            why = "not a directory";
        }
        bool from_env = env != NULL && dirs[i] == env;
        int w = snprintf(out + used, out_size - used, "%s%s%s (%s)", i > 0 ? "; " : "",
                         from_env ? "$TLSAUDIT_POLICY_DIR " : "", dirs[i], why);
        used = w < 0 ? out_size : used + (size_t)w;
    }
    if (n == 0 && used < out_size) {
        snprintf(out + used, out_size - used, "no directory configured");
    }
}

void policy_shipped_where(char *out, size_t out_size)
{
    if (out_size > 0) {
        out[0] = '\0';
        load_where(out, out_size);
    }
}

void load_not_found(const char *name, char *err, size_t err_len)
{
    struct strlist names;
    strlist_init(&names);
    char *list = NULL;
    if (policy_list_shipped(&names) == 0) {
        list = strlist_join(&names, ", ");
    }
    if (list != NULL && list[0] != '\0') {
        snprintf(err, err_len,
                 "policy '%s' not found: expected a shipped policy name (%s) or a path to a "
                 ".yaml file",
                 name, list);
    } else {
        int w =
            snprintf(err, err_len,
                     "policy '%s' not found: no shipped policies are installed (searched: ", name);
        if (w > 0 && (size_t)w < err_len) {
            load_where(err, err_len);
            size_t used = strlen(err);
            snprintf(err + used, err_len - used,
                     "); set TLSAUDIT_POLICY_DIR to their directory, or give a path to a .yaml "
                     "file");
        }
    }
    free(list);
    strlist_cleanup(&names);
    load_escape_err(err, err_len);
}
