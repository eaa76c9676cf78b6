/*
 * tests/fuzz/replay.c - a main() for the fuzz targets without libFuzzer: it
 * runs LLVMFuzzerTestOneInput over every file of the corpus directories
 * given as arguments, or of $top_srcdir/tests/fuzz/corpus/FUZZ_CORPUS (as
 * `make check` runs it). A target reports a bug by aborting; an empty or
 * missing corpus is a failure too, so the test cannot pass by finding
 * nothing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

#ifndef FUZZ_CORPUS
#error "FUZZ_CORPUS names the corpus directory under tests/fuzz/corpus/"
#endif

#define REPLAY_MAX_FILE (1024 * 1024)

/* Runs the target over one file; returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
    int rc = -1;
    uint8_t *buf = NULL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        goto out;
    }
    buf = malloc(REPLAY_MAX_FILE);
    if (buf == NULL) {
        goto out;
    }
    size_t n = fread(buf, 1, REPLAY_MAX_FILE, fp);
    if (ferror(fp)) {
        goto out;
    }
    /* a copy of exactly n bytes, so ASan sees reads past the input */
    uint8_t *exact = malloc(n > 0 ? n : 1);
    if (exact == NULL) {
        goto out;
    }
    if (n > 0) {
        memcpy(exact, buf, n);
    }
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    rc = 0;
out:
    free(buf);
    if (fp != NULL) {
        fclose(fp);
    }
    return rc;
}

/* Replays every regular file of dir; returns the count, or -1 on error. */
static long replay_dir(const char *dir)
{
    long count = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.') {
            continue;
        }
        int n = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        if (replay_file(path) != 0) {
            fprintf(stderr, "replay: cannot read %s\n", path);
            count = -1;
            break;
        }
        count++;
    }
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;
    char dir[4096];
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            long n = replay_dir(argv[i]);
            if (n < 0) {
                return 1;
            }
            total += n;
        }
    } else {
        const char *top = getenv("top_srcdir");
        int n = snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top != NULL ? top : ".",
                         FUZZ_CORPUS);
        if (n < 0 || (size_t)n >= sizeof(dir)) {
            return 1;
        }
        long got = replay_dir(dir);
        if (got < 0) {
            return 1;
        }
        total = got;
    }
    printf("replayed %ld %s inputs\n", total, FUZZ_CORPUS);
    return total > 0 ? 0 : 1;
}
