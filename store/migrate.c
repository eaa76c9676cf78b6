/*
 * store/migrate.c - the schema: every forward migration step, in order,
 * and applying the pending ones (see docs/store-schema.md).
 *
 * Pipeline position: called by opening (open.c: store_prepare, and
 * store_open_readonly on an in-memory copy); nothing else changes the
 * schema.
 *
 * Invariants:
 * - Migrations are an ordered array; step i takes user_version from i to
 *   i + 1 and sets user_version itself. Every pending step runs in ONE
 *   BEGIN IMMEDIATE transaction, so a file is migrated all the way or not
 *   at all: a half-migrated file never exists (and a new file costs one
 *   commit, not one per step).
 * - A step that has shipped is never edited; a new schema is a new step.
 */
#include "store/store.h"
#include "store/store_private.h"

#include <stdio.h>

/* One forward migration: run on a database at user_version to_version - 1.
 * The SQL is constant and must end by setting PRAGMA user_version to
 * to_version. Append new steps; never edit a step that has shipped. */
struct store_migration {
    int to_version;
    const char *sql;
};

static const struct store_migration store_migrations[] = {
    {1, "PRAGMA application_id = 1414288193;" /* 0x544c5341 'TLSA' */
        "CREATE TABLE scans ("
        "  id INTEGER PRIMARY KEY,"
        "  started_ms INTEGER NOT NULL,"
        "  finished_ms INTEGER,"
        "  state TEXT NOT NULL DEFAULT 'running'"
        "    CHECK (state IN ('running', 'complete', 'interrupted', 'incomplete')),"
        "  tool_version TEXT,"
        "  options TEXT,"
        "  trust_store TEXT,"
        "  registry_version TEXT,"
        "  pid INTEGER,"
        "  hostname TEXT,"
        "  note TEXT"
        ");"
        "CREATE INDEX scans_state ON scans (state);"
        "CREATE TABLE targets ("
        "  id INTEGER PRIMARY KEY,"
        "  scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,"
        "  host TEXT NOT NULL,"
        "  port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
        "  sni TEXT,"
        "  ip TEXT,"
        "  status TEXT NOT NULL,"
        "  error TEXT,"
        "  started_ms INTEGER,"
        "  finished_ms INTEGER,"
        "  chain_collected INTEGER NOT NULL CHECK (chain_collected IN (0, 1))"
        ");"
        "CREATE INDEX targets_scan ON targets (scan_id);"
        "CREATE INDEX targets_host_port ON targets (host, port);"
        "CREATE TABLE versions ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  version INTEGER NOT NULL,"
        "  name TEXT NOT NULL,"
        "  state TEXT NOT NULL,"
        "  reason TEXT,"
        "  suite INTEGER,"
        "  suite_name TEXT,"
        "  grp TEXT,"
        "  dh_bits INTEGER,"
        "  hrr INTEGER NOT NULL CHECK (hrr IN (0, 1)),"
        "  PRIMARY KEY (target_id, version)"
        ") WITHOUT ROWID;"
        "CREATE TABLE certificates ("
        "  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),"
        "  der BLOB NOT NULL,"
        "  subject TEXT,"
        "  issuer TEXT,"
        "  serial TEXT,"
        "  not_before INTEGER,"
        "  not_after INTEGER,"
        "  key_type TEXT,"
        "  key_bits INTEGER,"
        "  curve TEXT,"
        "  sig_alg TEXT,"
        "  has_key_usage INTEGER NOT NULL CHECK (has_key_usage IN (0, 1)),"
        "  ca INTEGER CHECK (ca IN (0, 1)),"
        "  path_len INTEGER,"
        "  must_staple INTEGER NOT NULL CHECK (must_staple IN (0, 1)),"
        "  n_scts INTEGER NOT NULL,"
        "  self_signed INTEGER NOT NULL CHECK (self_signed IN (0, 1))"
        ") WITHOUT ROWID;"
        "CREATE TABLE certificate_items ("
        "  sha256 TEXT NOT NULL REFERENCES certificates (sha256) ON DELETE CASCADE,"
        "  field TEXT NOT NULL CHECK (field IN ('key_usage', 'eku', 'san', 'ocsp_url',"
        "    'ca_issuer_url', 'crl_url')),"
        "  position INTEGER NOT NULL,"
        "  value TEXT NOT NULL,"
        "  PRIMARY KEY (sha256, field, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX certificate_items_value ON certificate_items (field, value);"
        "CREATE TABLE chain_certs ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  sha256 TEXT NOT NULL REFERENCES certificates (sha256),"
        "  days_left INTEGER,"
        "  PRIMARY KEY (target_id, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX chain_certs_sha256 ON chain_certs (sha256);"
        "CREATE TABLE chains ("
        "  target_id INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,"
        "  trusted INTEGER NOT NULL CHECK (trusted IN (0, 1)),"
        "  verify_status INTEGER NOT NULL,"
        "  verify_text TEXT,"
        "  hostname_checked INTEGER NOT NULL CHECK (hostname_checked IN (0, 1)),"
        "  hostname TEXT,"
        "  hostname_match INTEGER NOT NULL CHECK (hostname_match IN (0, 1)),"
        "  expired INTEGER NOT NULL CHECK (expired IN (0, 1)),"
        "  not_yet_valid INTEGER NOT NULL CHECK (not_yet_valid IN (0, 1)),"
        "  self_signed INTEGER NOT NULL CHECK (self_signed IN (0, 1)),"
        "  incomplete INTEGER NOT NULL CHECK (incomplete IN (0, 1)),"
        "  wrong_order INTEGER NOT NULL CHECK (wrong_order IN (0, 1)),"
        "  min_days_left INTEGER,"
        "  ocsp_staple INTEGER NOT NULL CHECK (ocsp_staple IN (0, 1)),"
        "  ocsp_status TEXT NOT NULL,"
        "  ocsp_detail TEXT"
        ");"
        /* Raw-ClientHello enumeration (scanner/enumerate.c). */
        "CREATE TABLE enum_versions ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  version INTEGER NOT NULL,"
        "  name TEXT NOT NULL,"
        "  state TEXT NOT NULL"
        "    CHECK (state IN ('not-tested', 'accepted', 'refused', 'inconclusive')),"
        "  reason TEXT,"
        "  server_order TEXT NOT NULL CHECK (server_order IN ('unknown', 'server', 'client')),"
        "  incomplete INTEGER NOT NULL CHECK (incomplete IN (0, 1)),"
        "  incomplete_reason TEXT,"
        "  n_suites INTEGER NOT NULL,"
        "  PRIMARY KEY (target_id, version)"
        ");"
        "CREATE TABLE enum_suites ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  version INTEGER NOT NULL,"
        "  code INTEGER NOT NULL,"
        "  name TEXT,"
        "  server_rank INTEGER,"
        "  grp INTEGER,"
        "  kx_bits INTEGER,"
        "  PRIMARY KEY (target_id, version, code)"
        ");"
        "CREATE TABLE enum_lists ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL CHECK (kind IN ('groups12', 'groups13', 'sigalgs12', 'sigalgs13')),"
        "  position INTEGER NOT NULL,"
        "  code INTEGER NOT NULL,"
        "  PRIMARY KEY (target_id, kind, position)"
        ");"
        "CREATE TABLE enum_behaviour ("
        "  target_id INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,"
        "  probes INTEGER NOT NULL,"
        "  secure_renegotiation INTEGER,"
        "  extended_master_secret INTEGER,"
        "  encrypt_then_mac INTEGER,"
        "  status_request INTEGER,"
        "  session_ticket INTEGER,"
        "  heartbeat INTEGER,"
        "  alpn TEXT,"
        "  anomalies TEXT,"
        "  sigalgs13_tested INTEGER NOT NULL DEFAULT 0 CHECK (sigalgs13_tested IN (0, 1))"
        ");"
        /* Target tags from the targets file (tags=pan,prod): policy scope. */
        "CREATE TABLE target_tags ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  tag TEXT NOT NULL,"
        "  PRIMARY KEY (target_id, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX target_tags_tag ON target_tags (tag);"
        /* Policy evaluations (tlsaudit check, scan --policy) and findings. */
        "CREATE TABLE policy_runs ("
        "  id INTEGER PRIMARY KEY,"
        "  scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,"
        "  policy_id TEXT NOT NULL,"
        "  policy_version TEXT,"
        "  policy_sha256 TEXT NOT NULL CHECK (length(policy_sha256) = 64),"
        "  policy_path TEXT,"
        "  evaluated_ms INTEGER NOT NULL,"
        "  tool_version TEXT"
        ");"
        "CREATE INDEX policy_runs_scan ON policy_runs (scan_id);"
        "CREATE TABLE findings ("
        "  id INTEGER PRIMARY KEY,"
        "  run_id INTEGER NOT NULL REFERENCES policy_runs (id) ON DELETE CASCADE,"
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  rule_id TEXT NOT NULL,"
        "  title TEXT,"
        "  ref TEXT,"
        "  severity TEXT NOT NULL"
        "    CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),"
        "  verdict TEXT NOT NULL"
        "    CHECK (verdict IN ('pass', 'fail', 'warn', 'inconclusive', 'waived')),"
        "  evidence TEXT,"
        "  waiver_reason TEXT,"
        "  waiver_owner TEXT,"
        "  waiver_expires TEXT"
        ");"
        "CREATE INDEX findings_run ON findings (run_id, target_id);"
        "CREATE INDEX findings_target ON findings (target_id, rule_id);"
        "PRAGMA user_version = 1;"},
    /* 2: revocation (OCSP/CRL) per served certificate, AIA completion of
     * the chain, HTTP security headers, and the fetch cache. */
    {2, "ALTER TABLE targets ADD COLUMN revoc_collected INTEGER NOT NULL DEFAULT 0"
        "  CHECK (revoc_collected IN (0, 1));"
        "ALTER TABLE chains ADD COLUMN aia_attempted INTEGER NOT NULL DEFAULT 0"
        "  CHECK (aia_attempted IN (0, 1));"
        "ALTER TABLE chains ADD COLUMN aia_completed INTEGER NOT NULL DEFAULT 0"
        "  CHECK (aia_completed IN (0, 1));"
        "ALTER TABLE chains ADD COLUMN aia_trusted INTEGER NOT NULL DEFAULT 0"
        "  CHECK (aia_trusted IN (0, 1));"
        "ALTER TABLE chains ADD COLUMN aia_fetched INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE chains ADD COLUMN aia_detail TEXT;"
        "CREATE TABLE revocations ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('not-checked', 'good', 'revoked', 'unknown',"
        "    'inconclusive')),"
        "  method TEXT,"
        "  url TEXT,"
        "  detail TEXT,"
        "  revoked_at INTEGER,"
        "  reason TEXT,"
        "  this_update INTEGER,"
        "  next_update INTEGER,"
        "  from_cache INTEGER NOT NULL CHECK (from_cache IN (0, 1)),"
        "  staple TEXT,"
        "  PRIMARY KEY (target_id, position)"
        ") WITHOUT ROWID;"
        "CREATE TABLE http_headers ("
        "  target_id INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,"
        "  hsts_checked INTEGER NOT NULL CHECK (hsts_checked IN (0, 1)),"
        "  hsts_error TEXT,"
        "  https_status INTEGER,"
        "  hsts_present INTEGER NOT NULL CHECK (hsts_present IN (0, 1)),"
        "  hsts_valid INTEGER NOT NULL CHECK (hsts_valid IN (0, 1)),"
        "  hsts_max_age INTEGER,"
        "  hsts_include_subdomains INTEGER NOT NULL CHECK (hsts_include_subdomains IN (0, 1)),"
        "  hsts_preload INTEGER NOT NULL CHECK (hsts_preload IN (0, 1)),"
        "  hsts_header TEXT,"
        "  redirect_checked INTEGER NOT NULL CHECK (redirect_checked IN (0, 1)),"
        "  redirect_error TEXT,"
        "  http_status INTEGER,"
        "  redirects_to_https INTEGER NOT NULL CHECK (redirects_to_https IN (0, 1)),"
        "  redirect_location TEXT"
        ");"
        "CREATE TABLE fetch_cache ("
        "  kind TEXT NOT NULL CHECK (kind IN ('ocsp', 'crl', 'cert')),"
        "  key TEXT NOT NULL,"
        "  data BLOB NOT NULL,"
        "  expires INTEGER NOT NULL,"
        "  fetched_ms INTEGER NOT NULL,"
        "  PRIMARY KEY (kind, key)"
        ") WITHOUT ROWID;"
        "PRAGMA user_version = 2;"},
    /* 3: generic per-probe results (common/model/probe_result.h), one row
     * per result, and the header of that collection on each target. A new
     * probe adds rows, never columns: probe_id and state carry no CHECK. */
    {3, "ALTER TABLE targets ADD COLUMN probes_state TEXT NOT NULL DEFAULT 'not-collected';"
        "ALTER TABLE targets ADD COLUMN probes_detail TEXT;"
        "CREATE TABLE probe_results ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  probe_id TEXT NOT NULL,"
        "  version INTEGER,"
        "  suite INTEGER,"
        "  state TEXT NOT NULL,"
        "  detail TEXT,"
        "  evidence TEXT,"
        "  PRIMARY KEY (target_id, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX probe_results_probe ON probe_results (probe_id, state);"
        "PRAGMA user_version = 3;"},
    /* 4: the further certificate deployments of a target (common/model/
     * facts.h: one per chain the server serves besides the one in
     * chain_certs / chains / revocations, which stays deployment 0). */
    {4, "CREATE TABLE deployments ("
        "  id INTEGER PRIMARY KEY,"
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL CHECK (position >= 1),"
        "  label TEXT NOT NULL,"
        "  chain_collected INTEGER NOT NULL CHECK (chain_collected IN (0, 1)),"
        "  revoc_collected INTEGER NOT NULL CHECK (revoc_collected IN (0, 1)),"
        "  UNIQUE (target_id, position)"
        ");"
        "CREATE TABLE deployment_certs ("
        "  deployment_id INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  sha256 TEXT NOT NULL REFERENCES certificates (sha256),"
        "  days_left INTEGER,"
        "  PRIMARY KEY (deployment_id, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX deployment_certs_sha256 ON deployment_certs (sha256);"
        "CREATE TABLE deployment_chains ("
        "  deployment_id INTEGER PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,"
        "  trusted INTEGER NOT NULL CHECK (trusted IN (0, 1)),"
        "  verify_status INTEGER NOT NULL,"
        "  verify_text TEXT,"
        "  hostname_checked INTEGER NOT NULL CHECK (hostname_checked IN (0, 1)),"
        "  hostname TEXT,"
        "  hostname_match INTEGER NOT NULL CHECK (hostname_match IN (0, 1)),"
        "  expired INTEGER NOT NULL CHECK (expired IN (0, 1)),"
        "  not_yet_valid INTEGER NOT NULL CHECK (not_yet_valid IN (0, 1)),"
        "  self_signed INTEGER NOT NULL CHECK (self_signed IN (0, 1)),"
        "  incomplete INTEGER NOT NULL CHECK (incomplete IN (0, 1)),"
        "  wrong_order INTEGER NOT NULL CHECK (wrong_order IN (0, 1)),"
        "  min_days_left INTEGER,"
        "  ocsp_staple INTEGER NOT NULL CHECK (ocsp_staple IN (0, 1)),"
        "  ocsp_status TEXT NOT NULL,"
        "  ocsp_detail TEXT,"
        "  aia_attempted INTEGER NOT NULL CHECK (aia_attempted IN (0, 1)),"
        "  aia_completed INTEGER NOT NULL CHECK (aia_completed IN (0, 1)),"
        "  aia_trusted INTEGER NOT NULL CHECK (aia_trusted IN (0, 1)),"
        "  aia_fetched INTEGER NOT NULL,"
        "  aia_detail TEXT"
        ");"
        "CREATE TABLE deployment_revocations ("
        "  deployment_id INTEGER NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('not-checked', 'good', 'revoked', 'unknown',"
        "    'inconclusive')),"
        "  method TEXT,"
        "  url TEXT,"
        "  detail TEXT,"
        "  revoked_at INTEGER,"
        "  reason TEXT,"
        "  this_update INTEGER,"
        "  next_update INTEGER,"
        "  from_cache INTEGER NOT NULL CHECK (from_cache IN (0, 1)),"
        "  staple TEXT,"
        "  PRIMARY KEY (deployment_id, position)"
        ") WITHOUT ROWID;"
        "PRAGMA user_version = 4;"},
    /* 5: the gate each policy run was judged at (--fail-on,
     * --fail-on-inconclusive), so that every output of a stored run gives
     * each target the verdict its exit code gave (common/model/gate.h).
     * NULL in runs stored before: read back as the default gate. */
    {5, "ALTER TABLE policy_runs ADD COLUMN fail_on TEXT"
        "  CHECK (fail_on IN ('info', 'low', 'medium', 'high', 'critical'));"
        "ALTER TABLE policy_runs ADD COLUMN fail_on_inconclusive INTEGER"
        "  CHECK (fail_on_inconclusive IN (0, 1));"
        "PRAGMA user_version = 5;"},
    /* 6: certificatePolicies policy OIDs as 'policy_oid' items. SQLite
     * cannot alter a CHECK, so the table is rebuilt: every row is copied
     * as it was, then the index is made again. */
    {6, "CREATE TABLE certificate_items_6 ("
        "  sha256 TEXT NOT NULL REFERENCES certificates (sha256) ON DELETE CASCADE,"
        "  field TEXT NOT NULL CHECK (field IN ('key_usage', 'eku', 'san', 'ocsp_url',"
        "    'ca_issuer_url', 'crl_url', 'policy_oid')),"
        "  position INTEGER NOT NULL,"
        "  value TEXT NOT NULL,"
        "  PRIMARY KEY (sha256, field, position)"
        ") WITHOUT ROWID;"
        "INSERT INTO certificate_items_6 (sha256, field, position, value)"
        "  SELECT sha256, field, position, value FROM certificate_items;"
        "DROP TABLE certificate_items;"
        "ALTER TABLE certificate_items_6 RENAME TO certificate_items;"
        "CREATE INDEX certificate_items_value ON certificate_items (field, value);"
        "PRAGMA user_version = 6;"},
    /* 7: scan identity for sharded scans and merges (tlsaudit merge): each
     * scan's uuid (a new scan gets a random one; an older scan one derived
     * from its own row, so that the same file always gives the same ids),
     * the logical run a shard belongs to and its place in it, and the
     * scans merged into each scan of a central database. */
    {7, "ALTER TABLE scans ADD COLUMN uuid TEXT;"
        "UPDATE scans SET uuid = printf('m%x-%x-%s', started_ms, id, hex(coalesce(hostname, '')));"
        "CREATE UNIQUE INDEX scans_uuid ON scans (uuid);"
        "ALTER TABLE scans ADD COLUMN run_id TEXT;"
        "ALTER TABLE scans ADD COLUMN shard_k INTEGER;"
        "ALTER TABLE scans ADD COLUMN shard_n INTEGER;"
        "CREATE INDEX scans_run_id ON scans (run_id);"
        "CREATE TABLE scan_sources ("
        "  scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,"
        "  source_uuid TEXT NOT NULL UNIQUE,"
        "  shard_k INTEGER,"
        "  shard_n INTEGER,"
        "  hostname TEXT,"
        "  started_ms INTEGER,"
        "  finished_ms INTEGER,"
        "  state TEXT,"
        "  n_targets INTEGER NOT NULL,"
        "  source_path TEXT,"
        "  merged_ms INTEGER NOT NULL"
        ");"
        "CREATE INDEX scan_sources_scan ON scan_sources (scan_id);"
        "PRAGMA user_version = 7;"},
    /* 8: the key-exchange values of the enumeration by SHA-256 (common/
     * model/facts.h, struct kex_list): DHE primes, DH/ECDH public values,
     * leaf SPKIs; Logjam's well-known primes, key reuse (Raccoon) and the
     * DROWN comparison across targets read them. kex_state is the list's
     * header ('not-collected' on every target stored before). */
    {8, "ALTER TABLE targets ADD COLUMN kex_state TEXT NOT NULL DEFAULT 'not-collected';"
        "CREATE TABLE kex_values ("
        "  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,"
        "  position INTEGER NOT NULL,"
        "  kind TEXT NOT NULL"
        "    CHECK (kind IN ('dh_prime', 'dh_public', 'ecdh_public', 'cert_spki')),"
        "  version INTEGER NOT NULL,"
        "  suite INTEGER,"
        "  group_code INTEGER,"
        "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
        "  bits INTEGER,"
        "  generator INTEGER,"
        "  n_seen INTEGER NOT NULL CHECK (n_seen >= 1),"
        "  PRIMARY KEY (target_id, position)"
        ") WITHOUT ROWID;"
        "CREATE INDEX kex_values_sha256 ON kex_values (kind, sha256);"
        "PRAGMA user_version = 8;"},
    /* 9: the application protocol of each target (issue 14: STARTTLS),
     * part of its endpoint; 'none' (direct TLS) for every target stored
     * before. And what the STARTTLS dialogue saw, one row per target that
     * ran one. */
    {9, "ALTER TABLE targets ADD COLUMN starttls TEXT NOT NULL DEFAULT 'none';"
        "CREATE TABLE starttls_dialogues ("
        "  target_id INTEGER PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,"
        "  state TEXT NOT NULL,"
        "  detail TEXT,"
        "  greeted INTEGER NOT NULL CHECK (greeted IN (0, 1)),"
        "  capabilities_read INTEGER NOT NULL CHECK (capabilities_read IN (0, 1)),"
        "  offered INTEGER NOT NULL CHECK (offered IN (0, 1)),"
        "  plain_auth INTEGER NOT NULL CHECK (plain_auth IN (0, 1)),"
        "  upgraded INTEGER NOT NULL CHECK (upgraded IN (0, 1)),"
        "  capabilities TEXT,"
        "  banner TEXT,"
        "  failure TEXT"
        ");"
        "PRAGMA user_version = 9;"},
};

#define STORE_N_MIGRATIONS (sizeof(store_migrations) / sizeof(store_migrations[0]))

_Static_assert(sizeof(store_migrations) / sizeof(store_migrations[0]) == STORE_SCHEMA_VERSION,
               "one migration step per schema version");

/* store_migrate applies every migration step above the file's version in
 * ONE BEGIN IMMEDIATE transaction: the file goes to STORE_SCHEMA_VERSION
 * whole or stays as it was. The version is read again inside the
 * transaction (two processes opening a new file at once apply each step
 * once) and before and after each step (a newer schema is refused, a step
 * must set exactly its version). */
int store_migrate(struct store *s, int64_t version)
{
    char ctx[256];
    if (version >= STORE_SCHEMA_VERSION) {
        return 0;
    }
    snprintf(ctx, sizeof(ctx), "migrating %s to schema version %d", s->path, STORE_SCHEMA_VERSION);
    if (store_exec(s, "BEGIN IMMEDIATE", ctx) != 0) {
        return -1;
    }
    for (size_t i = 0; i < STORE_N_MIGRATIONS; i++) {
        const struct store_migration *m = &store_migrations[i];
        int64_t now = 0;
        snprintf(ctx, sizeof(ctx), "migrating %s to schema version %d", s->path, m->to_version);
        if (store_pragma_int(s, "PRAGMA user_version", &now) != SQLITE_OK) {
            store_sql_err(s, ctx);
            goto fail;
        }
        if (now > STORE_SCHEMA_VERSION) {
            store_fail(s, "%s has schema version %lld, newer than this tlsaudit supports (%d)",
                       s->path, (long long)now, STORE_SCHEMA_VERSION);
            goto fail;
        }
        if (now >= m->to_version) {
            continue;
        }
        if (now != m->to_version - 1) {
            store_fail(s, "%s: no migration from schema version %lld", ctx, (long long)now);
            goto fail;
        }
        if (store_exec(s, m->sql, ctx) != 0) {
            goto fail;
        }
        if (store_pragma_int(s, "PRAGMA user_version", &now) != SQLITE_OK || now != m->to_version) {
            store_fail(s, "%s: the step did not set user_version", ctx);
            goto fail;
        }
    }
    if (store_exec(s, "COMMIT", ctx) != 0) {
        goto fail;
    }
    return 0;
fail:
    store_rollback(s);
    return -1;
}
