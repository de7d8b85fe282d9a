/* support.c - shared test helpers; see support.h. */
#include "support.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *cw_test_bin(void)
{
    const char *bin = getenv("CW_BIN");
    return bin != NULL && bin[0] != '\0' ? bin : "build/release/causeway";
}

const char *cw_test_dsn(void)
{
    const char *dsn = getenv("CW_TEST_DSN");
    if (dsn == NULL || dsn[0] == '\0')
        cr_assert_fail("CW_TEST_DSN is not set: run the suite with 'make test' "
                       "(tests/tools/pgtmp.sh starts the throwaway PostgreSQL)");
    return dsn;
}

void cw_test_unique_name(char *buf, size_t size, const char *prefix)
{
    static unsigned counter; /* per forked test worker; only names, no state */
    snprintf(buf, size, "%s_%ld_%u", prefix, (long)getpid(), counter++);
}

char *cw_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf == NULL)
        return NULL;
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

int cw_test_has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return 1;
    return 0;
}

char *cw_test_write_temp(const char *text, size_t len)
{
    char *path = strdup("/tmp/causeway-test.XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp failed");
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static int temp_fd(void)
{
    char path[] = "/tmp/causeway-test-out.XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    return fd;
}

static char *slurp_fd(int fd, size_t *len)
{
    off_t size = lseek(fd, 0, SEEK_END);
    lseek(fd, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    size_t n = 0;
    ssize_t got;
    while (buf != NULL && n < (size_t)size && (got = read(fd, buf + n, (size_t)size - n)) > 0)
        n += (size_t)got;
    if (buf != NULL)
        buf[n] = '\0';
    *len = n;
    return buf;
}

int cw_test_run_program(cw_test_output *res, const char *const *env, const char *stdin_text,
                        const char *const *argv)
{
    memset(res, 0, sizeof(*res));
    int in = -1;
    if (stdin_text != NULL) {
        in = temp_fd();
        size_t len = strlen(stdin_text);
        if (in < 0 || write(in, stdin_text, len) != (ssize_t)len)
            return -1;
        lseek(in, 0, SEEK_SET);
    } else {
        in = open("/dev/null", O_RDONLY);
    }
    int out = temp_fd(), err = temp_fd();
    if (in < 0 || out < 0 || err < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        for (const char *const *e = env; e != NULL && *e != NULL; e++) {
            const char *eq = strchr(*e, '=');
            if (eq == NULL) {
                unsetenv(*e);
                continue;
            }
            char key[256];
            snprintf(key, sizeof(key), "%.*s", (int)(eq - *e), *e);
            setenv(key, eq + 1, 1);
        }
        alarm(120); /* a hung child must not hang the suite */
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0)
        ;
    res->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    res->out = slurp_fd(out, &res->out_len);
    res->err = slurp_fd(err, &res->err_len);
    close(in);
    close(out);
    close(err);
    return 0;
}

int cw_test_run(cw_test_output *res, const char *const *env, const char *stdin_text,
                const char *const *argv)
{
    size_t n = 0;
    while (argv[n] != NULL)
        n++;
    const char **full = calloc(n + 1, sizeof(*full));
    cr_assert_not_null(full);
    full[0] = cw_test_bin();
    for (size_t i = 1; i < n; i++)
        full[i] = argv[i];
    int rc = cw_test_run_program(res, env, stdin_text, full);
    free(full);
    return rc;
}

void cw_test_output_fini(cw_test_output *res)
{
    free(res->out);
    free(res->err);
    memset(res, 0, sizeof(*res));
}

void cw_test_check_json_schema(const char *doc, const char *path, const char *bad, const char *what)
{
    char *schema = cw_test_read_file("docs/ranking.schema.json", NULL);
    char *validator = cw_test_read_file("tests/data/report/validate.sql", NULL);
    cr_assert(schema != NULL && validator != NULL);
    /* psql variables carry the documents as literals; a script runs in one session. */
    char *doc_path = cw_test_write_temp(doc, strlen(doc));
    char *schema_path = cw_test_write_temp(schema, strlen(schema));
    size_t size = strlen(validator) + 1024;
    char *script = malloc(size);
    snprintf(script, size,
             "\\set doc `cat %s`\n\\set schema `cat %s`\n%s\n"
             "SELECT count(*) || ' errors: ' || coalesce(string_agg(e, '; '), '')"
             " FROM pg_temp.cw_validate(:'schema'::jsonb, :'doc'::jsonb, '$') e;\n"
             "SELECT 'broken: ' || count(*) FROM pg_temp.cw_validate(:'schema'::jsonb,"
             " jsonb_set(:'doc'::jsonb, '%s', '%s'), '$') e;\n",
             doc_path, schema_path, validator, path, bad);
    cw_test_output res;
    const char *argv[] = {"psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", cw_test_dsn(), NULL};
    cr_assert_eq(cw_test_run_program(&res, NULL, script, argv), 0);
    cr_assert_eq(res.status, 0, "psql: %s", res.err);
    cr_assert(strncmp(res.out, "0 errors: \n", 11) == 0, "schema violations: %s", res.out);
    cr_assert_not_null(strstr(res.out, "broken: 1"), "the validator accepts a bad %s: %s", what,
                       res.out);
    cw_test_output_fini(&res);
    free(script);
    unlink(doc_path);
    unlink(schema_path);
    free(doc_path);
    free(schema_path);
    free(schema);
    free(validator);
}

char *cw_test_psql(const char *const *env, const char *dsn, const char *const *args)
{
    const char *argv[24] = {"psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", dsn};
    size_t n = 6;
    for (; *args != NULL; args++) {
        cr_assert_lt(n, sizeof(argv) / sizeof(argv[0]) - 1, "too many psql arguments");
        argv[n++] = *args;
    }
    argv[n] = NULL;
    cw_test_output r;
    cr_assert_eq(cw_test_run_program(&r, env, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "psql failed: %s", r.err);
    char *out = r.out;
    r.out = NULL;
    while (r.out_len > 0 && (out[r.out_len - 1] == '\n' || out[r.out_len - 1] == ' '))
        out[--r.out_len] = '\0';
    cw_test_output_fini(&r);
    return out;
}

void cw_test_db_init(const char *schema)
{
    cw_test_output r;
    const char *argv[] = {"causeway", "db", "init", "-d", cw_test_dsn(), "--schema", schema, NULL};
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "db init of %s: %s", schema, r.err);
    cw_test_output_fini(&r);
}

char *cw_test_sql(const char *query)
{
    const char *args[] = {"-c", query, NULL};
    return cw_test_psql(NULL, cw_test_dsn(), args);
}

/* cw_test_sql of a printf-formatted query; a query too long for the buffer fails the
 * test rather than running cut short. */
static char *vqueryf(const char *fmt, va_list ap)
{
    char query[8192];
    int n = vsnprintf(query, sizeof(query), fmt, ap);
    cr_assert(n >= 0 && (size_t)n < sizeof(query), "query longer than %zu bytes", sizeof(query));
    return cw_test_sql(query);
}

char *cw_test_queryf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = vqueryf(fmt, ap);
    va_end(ap);
    return out;
}

void cw_test_sqlf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(vqueryf(fmt, ap));
    va_end(ap);
}
