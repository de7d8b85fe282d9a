/*
 * support.h - shared test helpers: run the real binary, find the throwaway
 * PostgreSQL, make names unique per Criterion worker.
 *
 * Tests run from the repository root (tests/tools/run-tests.sh does that):
 * fixtures are "tests/data/...". The binary under test is $CW_BIN and the test
 * database is $CW_TEST_DSN (both set by run-tests.sh / pgtmp.sh).
 */
#ifndef CAUSEWAY_TESTS_SUPPORT_H
#define CAUSEWAY_TESTS_SUPPORT_H

#include <stddef.h>

typedef struct cw_test_output {
    int status; /* exit status, or 128+signal when killed */
    char *out;  /* everything written to stdout, NUL-terminated */
    size_t out_len;
    char *err; /* everything written to stderr, NUL-terminated */
    size_t err_len;
} cw_test_output;

/*
 * Run the causeway binary with argv (argv[0] is ignored; NULL-terminated),
 * stdin from `stdin_text` (NULL: /dev/null) and `env` ("KEY=VALUE" entries to
 * add, or "KEY" to remove; NULL-terminated, or NULL). The child is killed after 120 s. Returns 0,
 * or -1 when the process could not be started.
 */
int cw_test_run(cw_test_output *res, const char *const *env, const char *stdin_text,
                const char *const *argv);

/* Run any program (argv[0] is a path, or a name looked up in PATH) the same way. */
int cw_test_run_program(cw_test_output *res, const char *const *env, const char *stdin_text,
                        const char *const *argv);

void cw_test_output_fini(cw_test_output *res);

/*
 * psql -XAtq -v ON_ERROR_STOP=1 -d `dsn` followed by `args` (NULL-terminated, at
 * most 16), with `env` as for cw_test_run. Fails the test unless psql exits 0.
 * Returns its standard output without trailing newlines and blanks (caller frees).
 */
char *cw_test_psql(const char *const *env, const char *dsn, const char *const *args);

/* One SQL command on the test database through psql (cw_test_psql); its trimmed output
 * (caller frees). */
char *cw_test_sql(const char *query);

/* cw_test_sql of a printf-formatted query (at most 8 KiB; longer fails the test): its
 * trimmed output, fields separated by '|' (caller frees). */
char *cw_test_queryf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cw_test_queryf with the output dropped. */
void cw_test_sqlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* `causeway db init` of results schema `schema` on the test database; fails the test
 * unless it exits 0. */
void cw_test_db_init(const char *schema);

/* Path of the binary under test ($CW_BIN, default build/release/causeway). */
const char *cw_test_bin(void);

/* libpq connection string of the throwaway server; fails the test when unset. */
const char *cw_test_dsn(void);

/* A name unique to this process and call, "<prefix>_<pid>_<n>", in a static-free buffer. */
void cw_test_unique_name(char *buf, size_t size, const char *prefix);

/* Read a whole file (NUL-terminated, caller frees); NULL when unreadable. */
char *cw_test_read_file(const char *path, size_t *len);

/* Whether `text` has `line` as one whole line (between line breaks or its ends). */
int cw_test_has_line(const char *text, const char *line);

/* Write text to a new temporary file; returns its path (caller frees and unlinks). */
char *cw_test_write_temp(const char *text, size_t len);

/*
 * Validate JSON document `doc` against docs/ranking.schema.json with the real
 * PostgreSQL (the subset validator tests/data/report/validate.sql), and the same
 * document with the member at `path` (a jsonb path, "{items,0,status}") set to the
 * JSON `bad`, which must fail. Fails the test on any violation of the first or when
 * the second passes; `what` names the member in the message.
 */
void cw_test_check_json_schema(const char *doc, const char *path, const char *bad,
                               const char *what);

#endif
