/*
 * tests/fuzz/fuzz_robot.c - fuzz target for the ROBOT probe's reader of
 * what a server answers to the ClientKeyExchange (robot_reader_feed in
 * scanner/probes/robot_pkcs1.c) and the text of a reaction.
 *
 * Input: byte 0 is the split (1 + byte 0 % 64 bytes per feed), byte 1
 * chooses how an undecided connection ends (closed, reset, timeout), the
 * rest is the server's bytes. Invariants: the reaction read in pieces is
 * the one read at once; at most ROBOT_MAX_ALERTS alerts; once decided, the
 * reader stays decided and unchanged by more bytes; a decided reaction
 * equals itself and its text is NUL-terminated within any buffer size.
 * Any broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "scanner/probes/robot.h"
#include "tests/fuzz/fuzz.h"

static void robot_fz_text(const struct robot_reaction *a)
{
    char buf[256];
    for (size_t len = 1; len <= sizeof(buf); len += 37) {
        memset(buf, 'x', sizeof(buf));
        robot_reaction_text(a, buf, len);
        if (memchr(buf, '\0', len) == NULL) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    size_t step = 1 + data[0] % 64;
    static const enum robot_end ends[] = {ROBOT_END_CLOSED, ROBOT_END_RESET, ROBOT_END_TIMEOUT};
    enum robot_end how = ends[data[1] % 3];
    const uint8_t *in = data + 2;
    size_t len = size - 2;

    struct robot_reader whole, parts;
    robot_reader_init(&whole);
    robot_reader_init(&parts);
    bool whole_done = robot_reader_feed(&whole, in, len);
    bool parts_done = false;
    for (size_t i = 0; i < len; i += step) {
        size_t n = len - i < step ? len - i : step;
        bool was = parts_done;
        struct robot_reaction before = parts.reaction;
        parts_done = robot_reader_feed(&parts, in + i, n);
        if (was && (!parts_done || !robot_reaction_same(&before, &parts.reaction))) {
            abort();
        }
    }
    if (whole_done != parts_done || !robot_reaction_same(&whole.reaction, &parts.reaction)) {
        abort();
    }
    robot_reader_end(&whole, how);
    if (whole.reaction.end == ROBOT_END_NONE || whole.reaction.n_alerts > ROBOT_MAX_ALERTS ||
        (!whole_done && whole.reaction.end != how) ||
        !robot_reaction_same(&whole.reaction, &whole.reaction)) {
        abort();
    }
    robot_fz_text(&whole.reaction);
    return 0;
}
