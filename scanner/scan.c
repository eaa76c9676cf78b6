/*
 * scanner/scan.c - the scan driver (see scan.h).
 *
 * Work unit: one (target, address), after every name is resolved. Two
 * tracks of the probe table (scanner/probes/registry.h) run per unit side
 * by side: the worker track on a GnuTLS worker (-j threads: the versions,
 * TLS 1.3 down to TLS 1.0 with real handshakes, the chain of the first
 * accepted one, HSTS ...), the loop track on the enumeration thread, which
 * runs every unit's raw conversations on one probe loop. The part that
 * finishes last runs the derived track and hands the unit to the
 * callback, under one mutex, so the callback needs no locking of its own.
 * The stop flag is checked between probes, and probes in flight give up
 * within a fraction of a second.
 *
 * The optional ready gate (scan_options.ready) lets the caller prepare
 * while the scan already runs: deliveries and revocation checks wait for
 * it (outside the pool's lock), handshakes and the enumeration never do.
 *
 * Memory is bounded by the concurrency, not by the number of targets:
 * what a unit learns lives in one slot of a window of W slots (twice the
 * GnuTLS workers plus the enumeration's targets at once), unit i in slot
 * i % W, from the first of its two parts to start until it is delivered.
 * A part whose slot still holds unit i - W waits: a worker blocks, the
 * enumeration holds the unit back and starts it from the probe loop's
 * tick once the slot is free. So neither track runs more than W units
 * ahead of the other, and what stays for every unit is its target and
 * address (struct unit). Both tracks start units in order, and a unit
 * that holds a slot needs nothing but the two tracks' work in flight to
 * finish, so the window cannot deadlock.
 *
 * The target budget (scan_options.target_budget_ms) bounds each part of a
 * unit from its own start: the enumeration through its probe-loop group's
 * deadline, the handshakes by shortening each attempt to what is left and
 * skipping what no longer fits. A unit cut short by it is delivered with
 * what it learnt, the rest inconclusive, and "partial: ..." in its error.
 */
#include "scanner/scan.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/util.h"
#include "scanner/probes/cache.h"
#include "scanner/probes/registry.h"

#define MAX_SCAN_THREADS 256

struct unit;
struct slot;

struct pool {
    const struct target_list *l;
    const struct scan_options *o;
    scan_result_fn fn;
    void *arg;
    pthread_mutex_t lock;
    struct unit *units;
    size_t n_units;
    size_t next;           /* next unit for a GnuTLS worker */
    size_t n_finished;     /* units done (both parts) */
    bool failed;           /* the callback asked to stop */
    struct net_loop *loop; /* the enumeration thread's loop */
    size_t enum_next;      /* next unit whose enumeration starts (loop thread only) */
    struct net_stats enum_stats;
    struct probe_cache *cache; /* reusable probe results (probes/cache.h); NULL: none */
    size_t *group_left;        /* per shared endpoint (unit.endpoint - 1): units not finished */
    struct slot *slots;        /* the window (see the top of this file) */
    size_t n_slots;
    pthread_cond_t slot_freed; /* broadcast (under lock) when a slot is freed */
    size_t n_freed;            /* slots freed so far (atomic: the loop's tick reads it) */
    unsigned conn_cap;         /* the enumeration's global connection cap */
    size_t enum_cap;           /* units enumerating at once, at most */
    size_t enum_active;        /* units enumerating now (loop thread only) */
    bool enum_held;            /* the next unit waits for its slot (loop thread only) */
    size_t enum_held_at;       /* n_freed when it was held back */
    bool oom;                  /* a slot could not be filled: out of memory */
};

void scan_gate_init(struct scan_gate *g)
{
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->cond, NULL);
    g->state = 0;
}

void scan_gate_destroy(struct scan_gate *g)
{
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->lock);
}

void scan_gate_open(struct scan_gate *g, bool ok)
{
    pthread_mutex_lock(&g->lock);
    g->state = ok ? 1 : -1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

bool scan_gate_wait(struct scan_gate *g)
{
    if (g == NULL) {
        return true;
    }
    pthread_mutex_lock(&g->lock);
    while (g->state == 0) {
        pthread_cond_wait(&g->cond, &g->lock);
    }
    bool ok = g->state > 0;
    pthread_mutex_unlock(&g->lock);
    return ok;
}

/* The SNI for t: its own sni=, else --sni, else its host when it is a name. */
static const char *sni_for(const struct target_spec *t, const struct scan_options *o)
{
    if (t->sni != NULL) {
        return t->sni;
    }
    if (o->sni_override != NULL) {
        return o->sni_override;
    }
    return target_valid_sni(t->host) ? t->host : NULL;
}

int64_t scan_budget_default(int timeout_ms)
{
    return (int64_t)timeout_ms * 2 * (TLSV_COUNT - TLSV_HS_FIRST + TLSV_COUNT);
}

/* The deadline (util_mono_ms) of a part starting now; 0 without a budget. */
static int64_t budget_deadline(const struct scan_options *o)
{
    return o->target_budget_ms > 0 ? util_mono_ms() + o->target_budget_ms : 0;
}

/* The table o runs: its own (tests), else the scanner's. */
static const struct probe_table *probe_table_of(const struct scan_options *o)
{
    return o->probes != NULL ? o->probes : &probe_table_default;
}

/* scan_one_address with a deadline (0: none): the worker track of the
 * probe table; *out_of_time is set when the deadline left something
 * untested. */
static void scan_address(const struct target_spec *t, const struct target_addr *a,
                         const struct scan_options *o, int64_t deadline, struct target_result *r,
                         struct probe_cache *cache, bool *out_of_time)
{
    struct probe_ctx c;
    r->started_ms = util_now_ms();
    util_copy(r->ip, sizeof(r->ip), a->ip);
    probe_ctx_init(&c, t, a, o, r, deadline);
    c.cache = cache;
    probe_track_run(probe_table_of(o), PROBE_TRACK_WORKER, &c);
    *out_of_time = c.out_of_time;
    probe_ctx_cleanup(&c);
    r->finished_ms = util_now_ms();
}

void scan_one_address(const struct target_spec *t, const struct target_addr *a,
                      const struct scan_options *o, struct target_result *r)
{
    bool out_of_time = false;
    scan_address(t, a, o, budget_deadline(o), r, NULL, &out_of_time);
}

/* One (target, address) to scan: kept for every unit of the scan, so
 * small (what a unit learns is in its slot while it runs). */
struct unit {
    const struct target_spec *spec;
    struct target_addr addr;
    const char *starttls; /* its protocol's name (target_starttls) */
    size_t endpoint;      /* 1 + its group of units sharing address, port and protocol; 0: none */
};

/* A unit in progress (see the top of this file). */
struct slot {
    struct pool *pool;
    const struct unit *u;
    size_t index; /* u's place in pool.units */
    bool busy;    /* holds u, from its first part's start until it is delivered */
    bool empty;   /* r could not be filled (out of memory): nothing runs */
    struct target_result r;
    int parts_left;              /* the GnuTLS part and the enumeration part */
    bool hs_out_of_time;         /* the budget left some handshake untested */
    struct probe_ctx loop_ctx;   /* the loop track's state (loop thread only) */
    struct probe_list loop_rows; /* the loop track's probe rows, until both parts are done */
};

/* The cache a unit's probes use: the pool's when another unit may reuse
 * its results or it theirs. */
static struct probe_cache *unit_cache(const struct slot *s)
{
    return s->u->endpoint != 0 ? s->pool->cache : NULL;
}

/* result_begin fills r with what the scan knows of t before probing it
 * (also for a target that does not resolve). Returns 0, or -1 out of
 * memory (r then needs target_result_cleanup all the same). */
static int result_begin(struct target_result *r, const struct target_spec *t,
                        const struct scan_options *o)
{
    const char *sni = sni_for(t, o);
    target_result_init(r);
    r->host = strdup(t->host);
    r->sni = sni ? strdup(sni) : NULL;
    r->port = t->port;
    util_copy(r->starttls, sizeof(r->starttls), target_starttls(t, o->starttls)->name);
    bool tags_ok = true;
    for (size_t g = 0; g < t->tags.n_items; g++) {
        tags_ok = tags_ok && strlist_add(&r->tags, t->tags.items[g]) == 0;
    }
    return tags_ok && r->host != NULL && (sni == NULL || r->sni != NULL) ? 0 : -1;
}

/* slot_take returns unit i's slot, filled when i's first part asks:
 * waiting (wait true) or returning NULL (false) while it still holds an
 * earlier unit. Under p->lock. */
static struct slot *slot_take_locked(struct pool *p, size_t i, bool wait)
{
    struct slot *s = &p->slots[i % p->n_slots];
    while (s->busy && s->index != i) {
        if (!wait) {
            return NULL;
        }
        pthread_cond_wait(&p->slot_freed, &p->lock);
    }
    if (!s->busy) {
        s->busy = true;
        s->index = i;
        s->u = &p->units[i];
        s->pool = p;
        s->parts_left = p->o->enumerate ? 2 : 1;
        s->hs_out_of_time = false;
        s->empty = false;
        memset(&s->loop_ctx, 0, sizeof(s->loop_ctx));
        memset(&s->loop_rows, 0, sizeof(s->loop_rows));
        if (result_begin(&s->r, s->u->spec, p->o) != 0) {
            /* Nothing to scan it with: the scan ends as out of memory. */
            s->r.status = TARGET_INTERRUPTED;
            s->empty = p->oom = p->failed = true;
        }
    }
    return s;
}

static struct slot *slot_take(struct pool *p, size_t i, bool wait)
{
    pthread_mutex_lock(&p->lock);
    struct slot *s = slot_take_locked(p, i, wait);
    pthread_mutex_unlock(&p->lock);
    return s;
}

/* slot_free_locked frees s once its unit is delivered (or not): its
 * result, its endpoint group's cache entries when it was the group's last
 * unit (no later unit can reuse them), and wakes whoever waits for it. */
static void slot_free_locked(struct pool *p, struct slot *s)
{
    target_result_cleanup(&s->r);
    probe_list_cleanup(&s->loop_rows);
    const struct unit *u = s->u;
    if (u->endpoint != 0 && --p->group_left[u->endpoint - 1] == 0 && p->cache != NULL) {
        probe_cache_forget(p->cache, u->addr.ip, u->spec->port, u->starttls);
    }
    s->busy = false;
    __atomic_add_fetch(&p->n_freed, 1, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&p->slot_freed);
}

/* Says in r->error, first, that the budget cut the target short (the
 * facts left unfinished already say "inconclusive" with the reason). */
static void note_partial(const struct scan_options *o, struct target_result *r)
{
    char note[2 * FACT_TEXT];
    snprintf(note, sizeof(note), "partial: the target's time budget of %lld s ran out%s%s",
             (long long)(o->target_budget_ms / 1000), r->error[0] ? "; " : "", r->error);
    util_copy(r->error, sizeof(r->error), note);
}

static void deliver_locked(struct pool *p, struct target_result *r)
{
    if (!p->failed && p->fn(r, p->arg) != 0) {
        p->failed = true;
    }
}

/* Marks one part of u done; the last part delivers it, once the receiver
 * is ready (o->ready; waited for without holding the pool's lock, so the
 * other workers and the probe loop go on meanwhile). */
static void unit_part_done(struct pool *p, struct slot *u)
{
    pthread_mutex_lock(&p->lock);
    bool last = --u->parts_left == 0;
    pthread_mutex_unlock(&p->lock);
    if (!last) {
        return;
    }
    /* Both tracks are done: the loop track's rows follow the worker's. */
    (void)probe_list_move(&u->r.probes, &u->loop_rows); /* a loss is in the header */
    if (u->r.status != TARGET_INTERRUPTED && !probe_stopping(p->o)) {
        /* The derived probes read the facts of both. */
        struct probe_ctx c;
        probe_ctx_init(&c, u->u->spec, &u->u->addr, p->o, &u->r, 0);
        if (!p->o->enumerate) {
            probe_loop_skipped(probe_table_of(p->o), &c); /* no loop ran: say so */
        }
        probe_track_run(probe_table_of(p->o), PROBE_TRACK_DERIVED, &c);
        probe_ctx_cleanup(&c);
    }
    if (u->hs_out_of_time || u->r.enumeration.budget_ran_out) {
        note_partial(p->o, &u->r); /* both parts are done: nothing else writes r */
    }
    bool ready = scan_gate_wait(p->o->ready);
    pthread_mutex_lock(&p->lock);
    if (!ready) {
        p->failed = true;
    }
    /* An interrupted unit is not a finished one: it is not delivered. */
    if (u->r.status != TARGET_INTERRUPTED && !probe_stopping(p->o)) {
        deliver_locked(p, &u->r);
    }
    p->n_finished++;
    if (p->o->on_progress != NULL) {
        p->o->on_progress(p->o->report_arg, p->n_finished, p->n_units);
    }
    slot_free_locked(p, u);
    pthread_mutex_unlock(&p->lock);
}

static void enum_unit_done(void *arg);

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        bool done = p->next >= p->n_units;
        size_t i = p->next++;
        bool failed = p->failed;
        pthread_mutex_unlock(&p->lock);
        if (done) {
            return NULL;
        }
        struct slot *u = slot_take(p, i, true);
        if (failed || probe_stopping(p->o) || u->empty) {
            u->r.status = TARGET_INTERRUPTED;
        } else {
            scan_address(u->u->spec, &u->u->addr, p->o, budget_deadline(p->o), &u->r, unit_cache(u),
                         &u->hs_out_of_time);
        }
        unit_part_done(p, u);
    }
}

/* Enumeration jobs run at most this many targets at a time (times the
 * per-target cap it keeps the global cap busy); the next target's job
 * starts when one finishes, so memory does not grow with the target list. */
static size_t enum_active_cap(const struct scan_options *o, unsigned conn_cap)
{
    size_t per = o->max_conn ? o->max_conn : 1;
    size_t cap = 2 * ((conn_cap ? conn_cap : 1) + per - 1) / per;
    return cap < 2 ? 2 : cap;
}

/* Starts units' enumerations on the loop until enum_cap of them run, the
 * units run out, or the next one's slot still holds an earlier unit (it
 * is then held back: enum_tick or enum_thread starts it); with wait true
 * the first one waits for its slot instead (nothing runs on the loop
 * then). Units that cannot start count as done. Loop thread only. */
static void enum_fill(struct pool *p, bool wait)
{
    p->enum_held = false;
    while (p->enum_active < p->enum_cap && p->enum_next < p->n_units) {
        size_t freed = __atomic_load_n(&p->n_freed, __ATOMIC_SEQ_CST);
        struct slot *u = slot_take(p, p->enum_next, wait);
        wait = false;
        if (u == NULL) {
            p->enum_held = true;
            p->enum_held_at = freed;
            return;
        }
        p->enum_next++;
        if (!probe_stopping(p->o) && !u->empty) {
            struct probe_ctx *c = &u->loop_ctx;
            probe_ctx_init(c, u->u->spec, &u->u->addr, p->o, &u->r, budget_deadline(p->o));
            c->rows = &u->loop_rows;
            c->cache = unit_cache(u);
            c->loop = p->loop;
            c->group = (unsigned)u->index; /* unique in the scan (a loop group's limits stay) */
            p->enum_active++;
            if (probe_loop_start(probe_table_of(p->o), c, enum_unit_done, u) == 1) {
                continue;
            }
            p->enum_active--;
            probe_ctx_cleanup(c);
        }
        unit_part_done(p, u);
    }
}

static void enum_unit_done(void *arg)
{
    struct slot *u = arg;
    struct pool *p = u->pool;
    probe_ctx_cleanup(&u->loop_ctx); /* its probes are done: the dialogue's argument goes */
    p->enum_active--;
    unit_part_done(p, u);
    enum_fill(p, false);
}

/* The loop's tick: a unit held back for its slot starts once some slot
 * was freed since (by any thread). */
static void enum_tick(void *arg)
{
    struct pool *p = arg;
    if (p->enum_held && __atomic_load_n(&p->n_freed, __ATOMIC_SEQ_CST) != p->enum_held_at) {
        enum_fill(p, false);
    }
}

/* What the probe loop says about its own limits goes to the caller's
 * on_warning (arg: the scan options). */
static void loop_notice(void *arg, const char *text)
{
    const struct scan_options *o = arg;
    if (o->on_warning != NULL) {
        o->on_warning(o->report_arg, text);
    }
}

/* Descriptors kept for the rest of the process while the enumeration runs:
 * the database (file, WAL, shared memory, temporary files) and the output
 * file, plus one socket per GnuTLS worker. */
#define FD_RESERVE_BASE 8

/* The enumeration's global cap: o->max_conn_total, or less when the
 * open-file limit (RLIMIT_NOFILE) leaves fewer descriptors than that plus
 * the reserve, so that the loop cannot starve the database and the
 * handshakes (the loop lowers its cap further if descriptors still run
 * out, see scanner/net/loop.h). */
static unsigned enum_conn_cap(const struct scan_options *o)
{
    unsigned want = o->max_conn_total ? o->max_conn_total : 1;
    long reserve = FD_RESERVE_BASE + (o->jobs > 0 ? o->jobs : 1);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur > 4 * ((rlim_t)want + (rlim_t)reserve)) {
        return want; /* plenty, whatever is open already */
    }
    long limit = (long)rl.rlim_cur;
    long n_open = 0;
    for (long fd = 0; fd < limit; fd++) {
        if (fcntl((int)fd, F_GETFD) != -1) {
            n_open++;
        }
    }
    long room = limit - n_open - reserve;
    if (room >= (long)want) {
        return want;
    }
    unsigned cap = room > 1 ? (unsigned)room : 1;
    char text[256];
    snprintf(text, sizeof(text),
             "the open-file limit (%ld; %ld open, %ld kept for the database and the handshakes) "
             "allows the enumeration %u connections at once, not %u",
             limit, n_open, reserve, cap, want);
    loop_notice((void *)o, text);
    return cap;
}

static void *enum_thread(void *arg)
{
    struct pool *p = arg;
    p->loop = net_loop_new(p->conn_cap, p->o->max_conn, p->o->timeout_ms, p->o->stop);
    if (p->loop != NULL) {
        net_loop_set_notice(p->loop, loop_notice, (void *)p->o);
        net_loop_set_tick(p->loop, enum_tick, p);
        /* The loop ends when nothing runs on it: with units left (held
         * back, every slot busy) the next waits for its slot here. */
        for (bool wait = false; p->enum_next < p->n_units && !probe_stopping(p->o); wait = true) {
            enum_fill(p, wait);
            if (net_loop_run(p->loop) != 0) {
                break; /* epoll failed: every probe was cancelled */
            }
        }
        net_loop_stats(p->loop, &p->enum_stats);
        net_loop_free(p->loop);
        p->loop = NULL;
    }
    /* Units whose enumeration never started (no loop, or stopped) count as
     * done here. */
    while (p->enum_next < p->n_units) {
        unit_part_done(p, slot_take(p, p->enum_next++, true));
    }
    return NULL;
}

/* Resolves every spec into units; unresolvable ones are delivered here.
 * Returns 0 or -1 (out of memory). */
static int make_units(struct pool *p)
{
    const struct target_list *l = p->l;
    const struct scan_options *o = p->o;
    size_t cap = 0;
    for (size_t i = 0; i < l->n_items && !probe_stopping(o); i++) {
        const struct target_spec *t = &l->items[i];
        struct target_addr *addrs = NULL;
        size_t n_addrs = 0;
        char err[FACT_TEXT];
        if (target_resolve(t, o->first_ip, &addrs, &n_addrs, err, sizeof(err)) != 0) {
            struct target_result r;
            (void)result_begin(&r, t, o); /* what memory allowed */
            r.started_ms = r.finished_ms = util_now_ms();
            r.status = TARGET_RESOLVE_FAILED;
            util_copy(r.error, sizeof(r.error), err);
            bool ready = scan_gate_wait(o->ready);
            pthread_mutex_lock(&p->lock);
            if (!ready) {
                p->failed = true;
            }
            deliver_locked(p, &r);
            pthread_mutex_unlock(&p->lock);
            target_result_cleanup(&r);
            continue;
        }
        for (size_t k = 0; k < n_addrs; k++) {
            if (p->n_units == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                struct unit *nu = realloc(p->units, ncap * sizeof(*nu));
                if (nu == NULL) {
                    free(addrs);
                    return -1;
                }
                p->units = nu;
                cap = ncap;
            }
            p->units[p->n_units++] = (struct unit){
                .spec = t, .addr = addrs[k], .starttls = target_starttls(t, o->starttls)->name};
        }
        free(addrs);
    }
    return 0;
}

/* Orders units by (address, port, protocol): qsort over pointers. */
static int endpoint_cmp(const void *pa, const void *pb)
{
    const struct unit *a = *(const struct unit *const *)pa;
    const struct unit *b = *(const struct unit *const *)pb;
    int d = strcmp(a->addr.ip, b->addr.ip);
    if (d == 0) {
        d = (int)a->spec->port - (int)b->spec->port;
    }
    return d != 0 ? d : strcmp(a->starttls, b->starttls);
}

/* Puts the units that share their endpoint with another in numbered
 * groups (unit.endpoint, each group's count in group_left) and, when some
 * do, makes the pool's cache (unless o asks for none). Returns 0, or -1
 * out of memory. */
static int share_endpoints(struct pool *p)
{
    if (p->o->no_vuln_cache || p->n_units < 2) {
        return 0;
    }
    struct unit **by = malloc(p->n_units * sizeof(*by));
    if (by == NULL) {
        return -1;
    }
    for (size_t i = 0; i < p->n_units; i++) {
        by[i] = &p->units[i];
    }
    qsort(by, p->n_units, sizeof(*by), endpoint_cmp);
    size_t n_groups = 0;
    for (size_t i = 1; i < p->n_units; i++) {
        if (endpoint_cmp(&by[i - 1], &by[i]) == 0) {
            if (by[i - 1]->endpoint == 0) {
                by[i - 1]->endpoint = ++n_groups;
            }
            by[i]->endpoint = by[i - 1]->endpoint;
        }
    }
    if (n_groups > 0 && ((p->group_left = calloc(n_groups, sizeof(*p->group_left))) == NULL ||
                         (p->cache = probe_cache_new()) == NULL)) {
        free(by);
        return -1;
    }
    for (size_t i = 0; i < p->n_units; i++) {
        if (by[i]->endpoint != 0) {
            p->group_left[by[i]->endpoint - 1]++;
        }
    }
    free(by);
    return 0;
}

/* The window (see the top of this file): W slots, W twice the units both
 * tracks run at once, at most one per unit. Returns 0, or -1 out of
 * memory. */
static int make_slots(struct pool *p, size_t n_threads)
{
    p->conn_cap = p->o->enumerate ? enum_conn_cap(p->o) : 1;
    p->enum_cap = enum_active_cap(p->o, p->conn_cap);
    size_t w = 2 * (n_threads + (p->o->enumerate ? p->enum_cap : 0));
    p->n_slots = w < p->n_units ? w : p->n_units;
    p->slots = p->n_slots > 0 ? calloc(p->n_slots, sizeof(*p->slots)) : NULL;
    return p->n_slots == 0 || p->slots != NULL ? 0 : -1;
}

int scan_run(const struct target_list *l, const struct scan_options *o, scan_result_fn fn,
             void *arg)
{
    struct pool p = {.l = l, .o = o, .fn = fn, .arg = arg};
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.slot_freed, NULL);
    int rc = 0;
    pthread_t threads[MAX_SCAN_THREADS];
    pthread_t enum_tid;
    bool enum_running = false;
    size_t started = 0;

    size_t n_threads = (size_t)(o->jobs > 0 ? o->jobs : 1);
    if (n_threads > MAX_SCAN_THREADS) {
        n_threads = MAX_SCAN_THREADS;
    }
    if (make_units(&p) != 0 || share_endpoints(&p) != 0 ||
        make_slots(&p, n_threads < p.n_units ? n_threads : p.n_units) != 0) {
        rc = -1;
        goto out;
    }
    if (n_threads > p.n_units) {
        n_threads = p.n_units;
    }
    if (o->enumerate && p.n_units > 0) {
        enum_running = pthread_create(&enum_tid, NULL, enum_thread, &p) == 0;
        if (!enum_running) {
            /* Without the loop thread, enumerate on this one afterwards. */
            for (; started < n_threads; started++) {
                if (pthread_create(&threads[started], NULL, worker, &p) != 0) {
                    break;
                }
            }
            if (started == 0) {
                /* Neither track has a thread: the window needs both. */
                rc = -1;
                goto out;
            }
            enum_thread(&p);
            goto join;
        }
    }
    for (; started < n_threads; started++) {
        if (pthread_create(&threads[started], NULL, worker, &p) != 0) {
            break;
        }
    }
join:
    if (started == 0) {
        worker(&p); /* no thread could start: do the GnuTLS part here */
    }
    for (size_t i = 0; i < started; i++) {
        pthread_join(threads[i], NULL);
    }
    if (enum_running) {
        pthread_join(enum_tid, NULL);
    }
    if (p.oom) {
        rc = -1;
    } else if (p.failed || probe_stopping(o)) {
        rc = 1;
    }
out:
    if (o->stats_out != NULL) {
        *o->stats_out = p.enum_stats;
    }
    free(p.units);
    free(p.slots);
    free(p.group_left);
    probe_cache_free(p.cache);
    pthread_cond_destroy(&p.slot_freed);
    pthread_mutex_destroy(&p.lock);
    return rc;
}
