/* run.c - the weekly job, end to end, in one transaction; see run.h. */
#include "causeway/cli/run.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "causeway/analysis/analyse_week.h"
#include "causeway/cli/cli.h"
#include "causeway/store/db.h"
#include "causeway/report/evidence.h"
#include "causeway/util/fault.h"
#include "causeway/analysis/ingest.h"
#include "causeway/match/matcher.h"
#include "causeway/report/output.h"
#include "causeway/rules/rules.h"
#include "causeway/store/schema.h"
#include "causeway/store/source.h"
#include "causeway/analysis/ranking_store.h"
#include "causeway/util/text.h"
#include "causeway/analysis/series.h"

/*
 * SIGINT/SIGTERM are taken by a dedicated thread (sigwait), never by an
 * asynchronous handler: it cancels the connections' running queries, and the
 * main thread sees the failure, rolls back and exits.
 */
typedef struct guard {
    pthread_t thread;
    pthread_mutex_t mu;
    sigset_t set, old;
    cw_db *dbs[2];
    int signalled;
    bool stop;
    bool started;
    bool initialised; /* mu is valid */
} guard;

static void *watch_signals(void *arg)
{
    guard *g = arg;
    for (;;) {
        int sig = 0;
        if (sigwait(&g->set, &sig) != 0)
            continue;
        pthread_mutex_lock(&g->mu);
        bool stop = g->stop;
        if (!stop && (sig == SIGINT || sig == SIGTERM)) {
            g->signalled = sig;
            for (int i = 0; i < 2; i++)
                cw_db_cancel(g->dbs[i]);
        }
        pthread_mutex_unlock(&g->mu);
        if (stop)
            return NULL;
    }
}

static int guard_start(guard *g, cw_error *err)
{
    memset(g, 0, sizeof(*g));
    pthread_mutex_init(&g->mu, NULL);
    g->initialised = true;
    sigemptyset(&g->set);
    sigaddset(&g->set, SIGINT);
    sigaddset(&g->set, SIGTERM);
    sigaddset(&g->set, SIGUSR1); /* wakes the thread to stop */
    if (pthread_sigmask(SIG_BLOCK, &g->set, &g->old) != 0 ||
        pthread_create(&g->thread, NULL, watch_signals, g) != 0)
        return cw_error_set(err, CW_EXIT_OSERR, "could not start the signal watcher");
    g->started = true;
    return 0;
}

static void guard_watch(guard *g, cw_db *a, cw_db *b)
{
    if (!g->initialised)
        return;
    pthread_mutex_lock(&g->mu);
    g->dbs[0] = a;
    g->dbs[1] = b;
    pthread_mutex_unlock(&g->mu);
}

static int guard_signalled(guard *g)
{
    if (!g->initialised)
        return 0;
    pthread_mutex_lock(&g->mu);
    int sig = g->signalled;
    pthread_mutex_unlock(&g->mu);
    return sig;
}

/* cw_db_stop_fn: SIGINT or SIGTERM ends the wait for the database. */
static int stop_retrying(void *g)
{
    return guard_signalled(g);
}

/* Stop the watcher; a signal that arrived meanwhile stays pending for after. */
static void guard_stop(guard *g)
{
    if (g->started) {
        pthread_mutex_lock(&g->mu);
        g->stop = true;
        g->dbs[0] = g->dbs[1] = NULL;
        pthread_mutex_unlock(&g->mu);
        pthread_kill(g->thread, SIGUSR1);
        pthread_join(g->thread, NULL);
        pthread_sigmask(SIG_SETMASK, &g->old, NULL);
    }
    if (g->initialised)
        pthread_mutex_destroy(&g->mu);
}

typedef struct job {
    cw_ctx *ctx;
    const cw_options *o;
    const cw_config *c;
    guard guard;
    cw_rules *rules;
    cw_matcher *matcher;
    cw_db *writer, *reader;
    cw_source src;
    char *schema; /* quoted */
    char hash[65];
    char ruleset[65]; /* rulesets.id of hash, as text */
    long long run_id;
    cw_week from, to;
    cw_ranking last; /* the ranking printed at the end */
    cw_ingest_stats stats;
    char snapshot[65];  /* the mark this run leaves (take_mark) */
    char *mark;         /* the rule set's mark, quoted; NULL: none */
    char *covered_from; /* quoted */
    char *compiled_by;  /* this build's key for saved matchers */
} job;

/* Row callback: the first two columns into two 65-byte buffers (char *[2]). */
static int two_text_row(void *user, int ncols, const char *const *v, const size_t *lens,
                        cw_error *err)
{
    (void)lens;
    (void)err;
    char **out = user;
    for (int i = 0; i < 2 && i < ncols; i++)
        if (v[i] != NULL)
            snprintf(out[i], 65, "%s", v[i]);
    return 0;
}

static int text_row(void *user, int ncols, const char *const *v, const size_t *lens, cw_error *err)
{
    (void)lens;
    (void)err;
    char *out = user; /* 65 bytes */
    if (ncols >= 1 && v[0] != NULL)
        snprintf(out, 65, "%s", v[0]);
    return 0;
}

/* The loader writes every error of a rule file itself (*reported is then set). */
static int load_rules(job *j, bool *reported, cw_error *err)
{
    const char *path = j->c->rules_path;
    int rc = path != NULL ? cw_rules_load(&j->rules, path, j->ctx->log.stream, err)
                          : cw_rules_load_default(&j->rules, j->ctx->log.stream, err);
    *reported = rc != 0;
    return rc; /* the matcher is compiled by the ingest, when a complaint needs it */
}

/*
 * With the source's updated_at mapped: the rule set's high-water mark as literals
 * (ip->mark stays NULL on its first run).
 */
static int read_mark(job *j, cw_ingest_params *ip, cw_error *err)
{
    if (j->src.columns[CW_COL_UPDATED_AT] == NULL)
        return 0;
    char watermark[65] = "", covered[65] = "";
    char *mark[2] = {watermark, covered};
    char *sql = cw_text_printf(
        "SELECT r.watermark::text, r.covered_from::text FROM %s.rulesets r WHERE r.id = $1::int",
        j->schema);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const char *params[] = {j->ruleset};
    int rc = cw_db_query(j->writer, sql, 1, params, two_text_row, mark, err);
    free(sql);
    if (rc == 0 && mark[0][0] != '\0' && mark[1][0] != '\0' &&
        (cw_db_quote_literal(&j->mark, j->writer, mark[0], err) != 0 ||
         cw_db_quote_literal(&j->covered_from, j->writer, mark[1], err) != 0))
        rc = -1;
    ip->mark = j->mark;
    ip->covered_from = j->covered_from;
    return rc;
}

/* The mark moves with the rows it stands for: in the run's transaction. */
static int write_mark(job *j, const char *since, cw_error *err)
{
    if (j->src.columns[CW_COL_UPDATED_AT] == NULL)
        return 0;
    char *sql = cw_text_printf(
        "UPDATE %s.rulesets SET watermark = $2::timestamptz,"
        " covered_from = LEAST(COALESCE(covered_from, $3::timestamp AT TIME ZONE $4),"
        " $3::timestamp AT TIME ZONE $4) WHERE id = $1::int",
        j->schema);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const char *params[] = {j->ruleset, j->snapshot, since, j->c->timezone};
    int rc = cw_db_query(j->writer, sql, 4, params, NULL, NULL, err);
    free(sql);
    return rc;
}

/*
 * Source data problems: a line each on stderr (counts only, never a value from the
 * row), stored with the run; --strict turns them into a failure (65).
 */
static int report_problems(job *j, cw_error *err)
{
    const cw_ingest_stats *s = &j->stats;
    const struct {
        unsigned long long n;
        const char *what;
    } kinds[] = {
        {s->null_ids, "with a NULL id"},
        {s->null_received_at, "with a NULL received_at"},
        {s->duplicate_ids, "repeating an id already read (the latest received is kept)"},
        {s->future_rows, "received in the future (read again by later runs)"},
    };
    unsigned long long total = 0;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (kinds[i].n == 0)
            continue;
        total += kinds[i].n;
        cw_log_warn(&j->ctx->log, "source: %llu row%s %s %s", kinds[i].n,
                    kinds[i].n == 1 ? "" : "s", j->o->strict ? "found" : "skipped", kinds[i].what);
    }
    if (total > 0 && j->o->strict)
        return cw_error_set(err, CW_EXIT_DATAERR,
                            "source: %llu row%s with data problems (--strict): nothing written",
                            total, total == 1 ? "" : "s");
    return 0;
}

/* The rule set's identity: its bytes and the matcher's semantics version. */
static int compute_hash(job *j, cw_error *err)
{
    char *identity = cw_text_printf("%s\n%.*s", cw_matcher_version(), (int)j->rules->source_len,
                                    j->rules->source);
    if (identity == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const char *params[] = {identity};
    int rc = cw_db_query(j->writer,
                         "SELECT pg_catalog.encode(pg_catalog.sha256("
                         "pg_catalog.convert_to($1, 'UTF8')), 'hex')",
                         1, params, text_row, j->hash, err);
    free(identity);
    return rc;
}

/* The ISO week of today in the configured time zone (the server's clock). */
static int current_week(job *j, cw_week *now, cw_error *err)
{
    char today[65] = "";
    char *sql =
        cw_text_printf("SELECT (pg_catalog.now() AT TIME ZONE %s)::date::text", j->src.timezone);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    int rc = cw_db_query(j->writer, sql, 0, NULL, text_row, today, err);
    free(sql);
    return rc != 0 ? -1 : cw_week_parse(now, today, err);
}

/*
 * Target weeks: --week, or the last complete ISO week. A week that has not begun has
 * no complaints to rank and would become the latest stored week (64); the current
 * week has only some of its complaints yet, so its ranking is partial: only with
 * --allow-partial.
 */
static int choose_weeks(job *j, cw_error *err)
{
    cw_week now;
    if (current_week(j, &now, err) != 0)
        return -1;
    if (!j->o->have_week) {
        j->from = j->to = now - 1;
        return 0;
    }
    j->from = j->o->week_from;
    j->to = j->o->week_to;
    char last[16], current[16];
    cw_week_format_iso(last, sizeof(last), j->to);
    cw_week_format_iso(current, sizeof(current), now);
    if (j->to > now) {
        cw_error_set(err, CW_EXIT_USAGE, "--week: %s is in the future (this is %s in %s)", last,
                     current, j->c->timezone);
        cw_error_hint(err, "rank a week that has ended: the default is the last complete week");
        return -1;
    }
    if (j->to == now && !j->o->allow_partial) {
        cw_error_set(err, CW_EXIT_USAGE,
                     "--week: %s has not ended yet: its ranking would be partial", current);
        cw_error_hint(err,
                      "--allow-partial ranks it anyway; the default is the last complete week");
        return -1;
    }
    return 0;
}

/*
 * Say when there is little to rank (after the complaints are read): a target week whose
 * recent window holds no complaint ranks every cause area "insufficient", and a range
 * that is mostly empty is probably a typo (a range back to 1990).
 */
static int warn_empty_weeks(job *j, cw_error *err)
{
    char from[16], to[16], recent[16], count[65] = "", empty[65] = "";
    cw_week_format_monday(from, sizeof(from), j->from - (cw_week)j->c->recent_weeks + 1);
    cw_week_format_monday(to, sizeof(to), j->to);
    snprintf(recent, sizeof(recent), "%u", j->c->recent_weeks);
    /* Per target week: complaints in its recent window; the weeks with none. */
    char *sql = cw_text_printf(
        "WITH t AS (SELECT w::date AS week FROM pg_catalog.generate_series($2::date"
        " + ($4::int - 1) * 7, $3::date, interval '7 days') w),"
        " c AS (SELECT week, pg_catalog.count(*) AS n FROM %s.classified"
        " WHERE ruleset_id = $1::int AND week BETWEEN $2::date AND $3::date GROUP BY week)"
        " SELECT (SELECT COALESCE(pg_catalog.sum(n), 0) FROM c"
        "  WHERE week > $3::date - $4::int * 7)::text,"
        " (SELECT pg_catalog.count(*) FROM t WHERE NOT EXISTS (SELECT 1 FROM c"
        "  WHERE c.week > t.week - $4::int * 7 AND c.week <= t.week))::text",
        j->schema);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const char *params[] = {j->ruleset, from, to, recent};
    char *row[2] = {count, empty};
    int rc = cw_db_query(j->writer, sql, 4, params, two_text_row, row, err);
    free(sql);
    if (rc != 0)
        return -1;
    long weeks = (long)(j->to - j->from + 1), none = strtol(empty, NULL, 10);
    char last[16];
    cw_week_format_iso(last, sizeof(last), j->to);
    if (strcmp(count, "0") == 0)
        cw_log_warn(&j->ctx->log,
                    "no complaints in the %u week%s up to %s: every cause area is ranked "
                    "'insufficient' (is the source empty, or the week wrong?)",
                    j->c->recent_weeks, j->c->recent_weeks == 1 ? "" : "s", last);
    if (weeks > 1 && none * 2 > weeks)
        cw_log_warn(&j->ctx->log,
                    "%ld of the %ld weeks in the range have no complaints in their recent "
                    "window: their rankings are empty",
                    none, weeks);
    return 0;
}

/*
 * The mark this run leaves (j->snapshot), taken on the writer before the reader's
 * snapshot exists: the start of the oldest transaction then open in this database (the
 * writer's own included; other databases' sessions cannot write the source, and one idle
 * there must not pin the mark). A transaction the reader cannot see was open then or
 * began later, and
 * the database stamps its rows' updated_at with its start, so no earlier than this.
 * A role that may not see other sessions' starts goes CW_INGEST_OVERLAP back instead.
 */
static int take_mark(job *j, cw_error *err)
{
    if (j->src.columns[CW_COL_UPDATED_AT] == NULL)
        return 0;
    return cw_db_query(
        j->writer,
        "SELECT (CASE WHEN pg_catalog.pg_has_role('pg_read_all_stats', 'MEMBER')"
        " THEN (SELECT pg_catalog.min(a.xact_start) FROM pg_catalog.pg_stat_activity a"
        " WHERE a.xact_start IS NOT NULL AND a.backend_type = 'client backend'"
        " AND a.datname = pg_catalog.current_database())"
        " ELSE pg_catalog.now() - interval '" CW_INGEST_OVERLAP "' END)::text",
        0, NULL, text_row, j->snapshot, err);
}

/* How long the second connection may wait for a server connection (see connect_all). */
#define READER_WAIT_SECONDS 10

/*
 * The writer's transaction is the run: it takes the run lock first and holds it to
 * COMMIT or ROLLBACK, so behind a transaction pooler the lock stays with the
 * server connection doing the work, and dies with it. The reader streams the
 * source while the writer streams results in, so a run needs two server
 * connections at once; its transaction is opened while the writer holds one, so
 * a pool that cannot give two fails here, clearly, instead of queueing the read.
 */
static int connect_all(job *j, cw_error *err)
{
    /* A scheduled run that starts while the database restarts waits for it a little. */
    unsigned retry =
        j->c->connect_retry >= 0 ? (unsigned)j->c->connect_retry : CW_CONFIG_RUN_CONNECT_RETRY;
    if (cw_db_connect_retry(&j->writer, j->c->dbname, retry, stop_retrying, &j->guard, &j->ctx->log,
                            err) != 0)
        return -1;
    cw_db_set_timeouts(j->writer, j->c->lock_timeout, j->c->statement_timeout);
    guard_watch(&j->guard, j->writer, NULL);
    if (cw_db_begin(j->writer, err) != 0 || cw_db_lock(j->writer, j->c->schema, err) != 0 ||
        (!j->o->allow_shared_schema &&
         cw_schema_check_private(j->writer, j->c->schema, err) != 0) ||
        cw_schema_check(j->writer, j->c->schema, err) != 0 ||
        cw_db_quote_ident(&j->schema, j->writer, j->c->schema, err) != 0 ||
        cw_source_prepare(&j->src, j->writer, j->c, err) != 0)
        return -1;
    if (cw_fault_point("run-locked") != 0)
        return cw_error_set(err, CW_EXIT_IOERR, "fault injected at run-locked");
    if (take_mark(j, err) != 0)
        return -1;
    if (cw_db_connect(&j->reader, j->c->dbname, &j->ctx->log, err) != 0)
        return -1;
    cw_db_set_timeouts(j->reader, j->c->lock_timeout, j->c->statement_timeout);
    guard_watch(&j->guard, j->writer, j->reader);
    return cw_db_begin_within(j->reader, READER_WAIT_SECONDS, err);
}

/*
 * The rule set's symptom -> cause area links, for the BI views (bi_complaint_causes):
 * a few dozen rows, written by every run and kept when present, so rule sets recorded
 * before migration 7 get theirs too.
 */
static int record_causes(job *j, cw_error *err)
{
    char *sql = cw_text_printf(
        "INSERT INTO %s.ruleset_causes (ruleset_id, symptom_id, symptom_name, severity, area_id,"
        " area_name, weight) VALUES ($1::int, $2, $3, $4::int, $5, $6, $7::float8)"
        " ON CONFLICT DO NOTHING",
        j->schema);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    int rc = 0;
    const cw_rules *r = j->rules;
    for (size_t s = 0; rc == 0 && s < r->symptom_count; s++) {
        const cw_symptom *sym = &r->symptoms[s];
        for (size_t k = 0; rc == 0 && k < sym->cause_count; k++) {
            const cw_cause_area *area = &r->areas[sym->causes[k].area];
            char severity[16], weight[32];
            snprintf(severity, sizeof(severity), "%d", sym->severity);
            snprintf(weight, sizeof(weight), "%.17g", sym->causes[k].weight);
            const char *params[] = {j->ruleset, sym->id,    sym->name, severity,
                                    area->id,   area->name, weight};
            rc = cw_db_query(j->writer, sql, 7, params, NULL, NULL, err);
        }
    }
    free(sql);
    return rc;
}

static int record_start(job *j, cw_error *err)
{
    char run_id[65] = "", from[16], to[16], symptoms[16], areas[16];
    cw_week_format_monday(from, sizeof(from), j->from);
    cw_week_format_monday(to, sizeof(to), j->to);
    snprintf(symptoms, sizeof(symptoms), "%zu", j->rules->symptom_count);
    snprintf(areas, sizeof(areas), "%zu", j->rules->area_count);
    char *ruleset = cw_text_printf(
        "INSERT INTO %s.rulesets (hash, created_at, source, symptom_count, area_count)"
        " VALUES ($1, pg_catalog.now(), $2, $3::int, $4::int) ON CONFLICT (hash) DO NOTHING",
        j->schema);
    char *run = cw_text_printf(
        "INSERT INTO %s.runs (started_at, status, ruleset_hash, target_from, target_to, version)"
        " VALUES (pg_catalog.clock_timestamp(), 'running', $1, $2::date, $3::date, $4)"
        " RETURNING id::text",
        j->schema);
    char *ruleset_id =
        cw_text_printf("SELECT id::text FROM %s.rulesets WHERE hash = $1", j->schema);
    int rc = -1;
    if (ruleset == NULL || run == NULL || ruleset_id == NULL) {
        cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        goto done;
    }
    const char *rs_params[] = {j->hash, j->rules->source, symptoms, areas};
    const char *run_params[] = {j->hash, from, to, CW_VERSION};
    const char *id_params[] = {j->hash};
    if (cw_db_query(j->writer, ruleset, 4, rs_params, NULL, NULL, err) != 0 ||
        cw_db_query(j->writer, ruleset_id, 1, id_params, text_row, j->ruleset, err) != 0 ||
        cw_db_query(j->writer, run, 4, run_params, text_row, run_id, err) != 0 ||
        record_causes(j, err) != 0)
        goto done;
    j->run_id = strtoll(run_id, NULL, 10);
    rc = 0;
done:
    free(ruleset);
    free(ruleset_id);
    free(run);
    return rc;
}

static int record_finish(job *j, cw_error *err)
{
    const cw_ingest_stats *s = &j->stats;
    char v[10][24];
    snprintf(v[0], sizeof(v[0]), "%lld", j->run_id);
    snprintf(v[1], sizeof(v[1]), "%llu", s->classified);
    snprintf(v[2], sizeof(v[2]), "%llu", s->matched);
    snprintf(v[3], sizeof(v[3]), "%ld", (long)(j->to - j->from + 1));
    snprintf(v[4], sizeof(v[4]), "%llu", s->null_ids);
    snprintf(v[5], sizeof(v[5]), "%llu", s->null_received_at);
    snprintf(v[6], sizeof(v[6]), "%llu", s->duplicate_ids);
    snprintf(v[7], sizeof(v[7]), "%llu", s->future_rows);
    snprintf(v[8], sizeof(v[8]), "%llu", s->reclassified);
    char *sql = cw_text_printf(
        "UPDATE %s.runs SET finished_at = pg_catalog.clock_timestamp(), status = 'ok',"
        " classified = $2::bigint, matched = $3::bigint, weeks = $4::int,"
        " null_ids = $5::bigint, null_received_at = $6::bigint, duplicate_ids = $7::bigint,"
        " future_rows = $8::bigint, reclassified = $9::bigint WHERE id = $1::bigint",
        j->schema);
    if (sql == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    const char *params[] = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]};
    int rc = cw_db_query(j->writer, sql, 9, params, NULL, NULL, err);
    free(sql);
    return rc;
}

static int rank_weeks(job *j, cw_error *err)
{
    cw_detect_params detect;
    cw_score_params rank;
    cw_detect_params_default(&detect);
    detect.baseline_weeks = j->c->baseline_weeks;
    cw_score_params_default(&rank);
    for (cw_week w = j->from; w <= j->to; w++) {
        cw_analyse_params p = {
            .schema = j->schema,
            .hash = j->hash,
            .ruleset = j->ruleset,
            .rules = j->rules,
            .src = &j->src,
            .target = w,
            .lookback_weeks = j->c->lookback_weeks,
            .recent_weeks = j->c->recent_weeks,
            .dimensions = j->c->dimensions,
            .detect = &detect,
            .rank = &rank,
            .log = &j->ctx->log,
        };
        cw_ranking_fini(&j->last);
        if (cw_analyse_week(&j->last, j->writer, &p, err) != 0 ||
            cw_stored_save(j->writer, j->schema, &j->last, j->run_id, err) != 0)
            return -1;
        if (guard_signalled(&j->guard) != 0)
            return cw_error_set(err, CW_EXIT_TEMPFAIL, "interrupted");
        if (j->to > j->from)
            cw_log_progress(&j->ctx->log, "ranked %ld of %ld weeks", (long)(w - j->from + 1),
                            (long)(j->to - j->from + 1));
    }
    cw_log_progress_done(&j->ctx->log);
    return 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Everything the run writes, in the writer's transaction (opened by connect_all). */
static int transaction(job *j, cw_error *err)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char since[16];
    cw_week first = j->from - (cw_week)(j->c->lookback_weeks > 0 ? j->c->lookback_weeks : 1) + 1;
    cw_week_format_monday(since, sizeof(since), first);
    cw_ingest_params ip = {.schema = j->schema, .since = since};
    if (record_start(j, err) != 0)
        return -1;
    ip.run_id = j->run_id;
    ip.ruleset = j->ruleset;
    if ((j->compiled_by = cw_text_printf("causeway %s %s", CW_VERSION, cw_matcher_build_id())) ==
        NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    ip.compiled_by = j->compiled_by;
    if (read_mark(j, &ip, err) != 0)
        return -1;
    cw_weekly_acc *weekly = NULL;
    int rc = cw_weekly_acc_new(&weekly, j->rules, j->c->dimensions, err);
    if (rc == 0)
        rc = cw_ingest_run(&j->stats, j->writer, j->reader, &j->matcher, j->rules, &j->src, &ip,
                           weekly, &j->ctx->log, err);
    cw_weekly_acc_free(weekly);
    if (rc != 0 || report_problems(j, err) != 0 || write_mark(j, since, err) != 0)
        return -1;
    /* The source is read: give its server connection back to the pool. */
    if (cw_db_rollback(j->reader, err) != 0)
        return -1;
    cw_log_info(&j->ctx->log, "classified %llu new complaints (%.1f MB), weekly rows at %.2f s",
                j->stats.classified, (double)j->stats.bytes / 1e6, seconds_since(&t0));
    if (warn_empty_weeks(j, err) != 0 || rank_weeks(j, err) != 0 || record_finish(j, err) != 0)
        return -1;
    cw_log_info(&j->ctx->log, "ranked at %.2f s", seconds_since(&t0));
    if (cw_fault_point("before-commit") != 0)
        return cw_error_set(err, CW_EXIT_IOERR, "fault injected before commit");
    if (guard_signalled(&j->guard) != 0)
        return cw_error_set(err, CW_EXIT_TEMPFAIL, "interrupted");
    rc = cw_db_commit(j->writer, err);
    cw_log_info(&j->ctx->log, "committed at %.2f s", seconds_since(&t0));
    return rc;
}

static int print_outputs(job *j, cw_error *err)
{
    if (cw_evidence_show(&j->last, j->writer, j->c, &j->ctx->log, err) != 0)
        return -1;
    for (size_t i = 0; i < j->o->output_count; i++) {
        const cw_output_spec *spec = &j->o->outputs[i];
        cw_report_options ro = cw_options_report(j->o, spec, j->ctx->out);
        if (cw_output_write(spec->path, j->ctx->out, &j->last, &ro, err) != 0)
            return -1;
    }
    return 0;
}

static void job_free(job *j)
{
    free(j->mark);
    free(j->covered_from);
    free(j->compiled_by);
    cw_source_fini(&j->src);
    free(j->schema);
    cw_db_free(j->reader);
    cw_db_free(j->writer);
    cw_matcher_free(j->matcher);
    cw_rules_free(j->rules);
    cw_ranking_fini(&j->last);
}

int cw_run_execute(cw_ctx *ctx, const cw_options *o)
{
    job j = {.ctx = ctx, .o = o, .c = &o->config};
    cw_error err;
    cw_error_clear(&err);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool reported = false;
    int rc = load_rules(&j, &reported, &err);
    if (rc == 0)
        cw_log_info(&ctx->log, "rules loaded and compiled in %.2f s", seconds_since(&t0));
    if (rc == 0)
        rc = guard_start(&j.guard, &err);
    if (rc == 0)
        rc = connect_all(&j, &err);
    if (rc == 0)
        rc = compute_hash(&j, &err);
    if (rc == 0)
        rc = choose_weeks(&j, &err);
    if (rc == 0)
        rc = transaction(&j, &err);
    if (rc != 0) {
        /* Ends the transactions (and the lock) now, returning the server connections
         * to a pool in a clean state; closing would also end them, later. */
        cw_error ignored;
        cw_error_clear(&ignored);
        if (j.reader != NULL)
            (void)cw_db_rollback(j.reader, &ignored);
        if (j.writer != NULL)
            (void)cw_db_rollback(j.writer, &ignored);
    }
    int sig = guard_signalled(&j.guard);
    guard_watch(&j.guard, NULL, NULL);
    if (rc != 0 && sig != 0) {
        /* The cancelled query's error is a symptom; say what happened. */
        cw_error_clear(&err);
        cw_error_set(&err, CW_EXIT_TEMPFAIL, "interrupted by %s: the run was rolled back",
                     sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    if (rc == 0) {
        char week[16];
        cw_week_format_iso(week, sizeof(week), j.to);
        cw_log_info(&ctx->log, "classified %llu new complaints (%llu with symptoms); ranked %s",
                    j.stats.classified, j.stats.matched, week);
        rc = print_outputs(&j, &err);
    }
    job_free(&j);
    guard_stop(&j.guard);
    if (rc != 0 && !reported)
        cw_log_error(&ctx->log, &err);
    return rc != 0 ? err.code : CW_EXIT_OK;
}
