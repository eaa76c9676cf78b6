/*
 * tests/unit/store_kex_test.c - the key-exchange values in the store
 * (kex_values, schema 7) and the check across targets that reads them
 * (store/cross.c, store_drown_shared_key), with store_* calls only:
 * values round-trip in order with their counts and header; a damaged row
 * (unknown kind, short hash) is refused on reading; DROWN across targets:
 * an endpoint sharing a certificate key with an SSLv2 endpoint is positive
 * naming it, the others negative with the count compared, a target without
 * values could-not-test, --no-vulns not-run; rows go at the next position.
 */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/model/probe_result.h"
#include "store/store.h"

static char dir[] = "/tmp/store_kex_test.XXXXXX";

static struct store *open_db(const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", dir, name);
    struct store *s = NULL;
    char err[512];
    ck_assert_msg(store_open(path, &s, err, sizeof(err)) == 0, "%s", err);
    return s;
}

static int64_t begin(struct store *s)
{
    struct scan_meta meta = {.started_ms = 1760000000000LL,
                             .tool_version = "test",
                             .options = "",
                             .trust_store = "system"};
    int64_t id = 0;
    ck_assert_msg(store_scan_begin(s, &meta, &id) == 0, "%s", store_errmsg(s));
    return id;
}

static void add(struct target_result *r, enum kex_kind kind, char c, unsigned n)
{
    struct kex_value v = {.kind = kind, .version = TLSV_TLS12, .suite = 0xC02F, .group = 0x001D};
    memset(v.sha256, c, 64);
    if (kind == KEX_DH_PRIME) {
        v.bits = 2048;
        v.generator = 2;
    }
    for (unsigned i = 0; i < n; i++) {
        ck_assert_int_eq(kex_list_add(&r->enumeration.kex, &v), 0);
    }
}

/* A reached target on 127.0.0.1:port whose enumeration saw the leaf key
 * spki (a hex digit; '-': TLS 1.3 only, no key seen), SSLv2 accepted when
 * ssl2. */
static void put(struct store *s, int64_t scan, uint16_t port, char spki, bool ssl2)
{
    struct target_result r;
    target_result_init(&r);
    r.host = strdup("127.0.0.1");
    ck_assert_ptr_nonnull(r.host);
    r.port = port;
    snprintf(r.ip, sizeof(r.ip), "127.0.0.1");
    r.status = TARGET_OK;
    r.started_ms = r.finished_ms = 1760000000000LL;
    fact_mark(&r.probes.header, true);
    ck_assert_int_eq(probe_list_add(&r.probes, "beast", TLSV_TLS10, 0, PR_NEGATIVE, "x", NULL), 0);
    if (spki != 0) {
        fact_mark(&r.enumeration.header, true);
        for (int v = 0; v < TLSV_COUNT; v++) {
            r.enumeration.versions[v].state = PROBE_REFUSED;
        }
        if (ssl2) {
            r.enumeration.versions[TLSV_SSL2].state = PROBE_ACCEPTED;
        }
        fact_mark(&r.enumeration.kex.header, true);
        add(&r, KEX_ECDH_PUBLIC, 'b', 1);
        if (spki == '-') {
            r.enumeration.versions[TLSV_TLS13].state = PROBE_ACCEPTED;
        } else {
            r.enumeration.versions[TLSV_TLS12].state = PROBE_ACCEPTED;
            add(&r, KEX_DH_PRIME, 'a', 3);
            add(&r, KEX_CERT_SPKI, spki, 2);
        }
    }
    ck_assert_msg(store_put_target(s, scan, &r) == 0, "%s", store_errmsg(s));
    target_result_cleanup(&r);
}

static const struct probe_result *drown_row(const struct target_result *r)
{
    const struct probe_result *found = NULL;
    for (size_t i = 0; i < r->probes.n_items; i++) {
        if (strcmp(r->probes.items[i].id, "drown_shared_key") == 0) {
            ck_assert_ptr_null(found);
            found = &r->probes.items[i];
            ck_assert_uint_eq(i, r->probes.n_items - 1); /* appended last */
        }
    }
    ck_assert_ptr_nonnull(found);
    return found;
}

START_TEST(test_kex_roundtrip_and_drown)
{
    char path[512];
    struct store *s = open_db("kex.db", path, sizeof(path));
    int64_t scan = begin(s);
    put(s, scan, 1001, '1', true);  /* SSLv2, key 1 */
    put(s, scan, 1002, '1', false); /* TLS only, key 1: DROWN through 1001 */
    put(s, scan, 1003, '2', false); /* another key */
    put(s, scan, 1004, 0, false);   /* no enumeration */
    put(s, scan, 1005, '-', false); /* TLS 1.3 only */
    ck_assert_msg(store_drown_shared_key(s, scan, NULL) == 0, "%s", store_errmsg(s));

    struct target_result *t = NULL;
    size_t n = 0;
    ck_assert_msg(store_load_targets(s, scan, &t, NULL, &n) == 0, "%s", store_errmsg(s));
    ck_assert_uint_eq(n, 5);
    /* The values, in order, with their counts. */
    const struct kex_list *l = &t[0].enumeration.kex;
    ck_assert(fact_collected(&l->header));
    ck_assert_uint_eq(l->n_items, 3);
    ck_assert_int_eq(l->items[0].kind, KEX_ECDH_PUBLIC);
    ck_assert_uint_eq(l->items[0].group, 0x001D);
    ck_assert_uint_eq(l->items[0].bits, 0);
    ck_assert_int_eq(l->items[1].kind, KEX_DH_PRIME);
    ck_assert_uint_eq(l->items[1].n_seen, 3);
    ck_assert_uint_eq(l->items[1].bits, 2048);
    ck_assert_uint_eq(l->items[1].generator, 2);
    ck_assert_int_eq(l->items[2].kind, KEX_CERT_SPKI);
    ck_assert_uint_eq(l->items[2].n_seen, 2);
    ck_assert_int_eq(l->items[2].version, TLSV_TLS12);
    ck_assert(!fact_collected(&t[3].enumeration.kex.header));
    ck_assert_uint_eq(t[3].enumeration.kex.n_items, 0);
    /* DROWN across the targets. */
    const struct probe_result *p = drown_row(&t[1]);
    ck_assert_int_eq(p->state, PR_POSITIVE);
    ck_assert_msg(strstr(p->detail, "127.0.0.1:1001 [127.0.0.1]") != NULL, "%s", p->detail);
    ck_assert_ptr_nonnull(strstr(p->evidence, "accepts SSLv2 with key SPKI SHA-256 1111"));
    ck_assert_int_eq(drown_row(&t[0])->state, PR_NEGATIVE);
    p = drown_row(&t[2]);
    ck_assert_int_eq(p->state, PR_NEGATIVE);
    ck_assert_msg(strstr(p->detail, "(3 endpoints compared;") != NULL, "%s", p->detail);
    ck_assert_int_eq(drown_row(&t[3])->state, PR_COULD_NOT_TEST);
    ck_assert_int_eq(drown_row(&t[4])->state, PR_NOT_APPLICABLE);
    store_targets_free(t, n);

    /* --no-vulns: not-run with the reason. */
    int64_t scan2 = begin(s);
    put(s, scan2, 1002, '1', false);
    ck_assert(store_drown_shared_key(s, scan2, "not run: --no-vulns") == 0);
    ck_assert(store_load_targets(s, scan2, &t, NULL, &n) == 0);
    ck_assert_int_eq(drown_row(&t[0])->state, PR_NOT_RUN);
    ck_assert_str_eq(drown_row(&t[0])->detail, "not run: --no-vulns");
    store_targets_free(t, n);
    store_close(s);

    /* A damaged row is refused on reading, never guessed. */
    sqlite3 *raw = NULL;
    ck_assert_int_eq(sqlite3_open(path, &raw), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(raw,
                                  "PRAGMA ignore_check_constraints = ON;"
                                  "UPDATE kex_values SET sha256 = 'abc' WHERE position = 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    s = open_db("kex.db", path, sizeof(path));
    t = NULL;
    ck_assert_int_eq(store_load_targets(s, scan, &t, NULL, &n), -1);
    ck_assert_msg(strstr(store_errmsg(s), "kex_values row 1") != NULL, "%s", store_errmsg(s));
    store_close(s);
}
END_TEST

int main(void)
{
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 99;
    }
    Suite *su = suite_create("store_kex");
    TCase *tc = tcase_create("kex");
    tcase_add_test(tc, test_kex_roundtrip_and_drown);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) {
        failed++;
    }
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
