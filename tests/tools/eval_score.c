/*
 * eval_score.c - the last table of `make eval` (tests/tools/eval.sh drives it):
 *
 *   eval_score symptoms GEN_DEBUG PREDICTIONS
 *       Per-symptom precision, recall and F1 on sample data whose intended symptoms
 *       are known exactly (see cmd_symptoms).
 *
 * The labelled public data sets are scored by `causeway coverage` in label mode
 * (--label-column, --class-map, --min-strength; coverage.h), which replaced this
 * tool's `prepare` and `score`: the sample data has multi-label truth per row and no
 * label column, so it stays here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "causeway/corpus/input.h"

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("eval_score: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n == 0 ? 1 : n);
    if (q == NULL)
        die("out of memory");
    return q;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

static FILE *open_or_die(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (f == NULL)
        die("%s: %s", path, strerror(errno));
    return f;
}

/* Index of header column `name` of a CSV table, or -1. */
static long column(const cw_input *in, const char *name)
{
    const char *const *names;
    size_t n = cw_input_header(in, &names);
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}

/* ---- symptoms: per-symptom scores against known multi-label truth -------- */

typedef struct sym_count {
    char *id;
    size_t tp, fp, fn;
} sym_count;

static sym_count *sym_get(sym_count **v, size_t *n, const char *id)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].id, id) == 0)
            return &(*v)[i];
    *v = xrealloc(*v, (*n + 1) * sizeof(**v));
    (*v)[*n] = (sym_count){xstrdup(id), 0, 0, 0};
    return &(*v)[(*n)++];
}

/* Is `id` one of the `sep`-separated names in `list`? */
static bool in_list(const char *list, const char *id, char sep)
{
    size_t n = strlen(id);
    for (const char *p = list; *p != '\0';) {
        const char *e = strchr(p, sep);
        size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, id, n) == 0)
            return true;
        p += len + (e != NULL);
    }
    return false;
}

static void count_list(sym_count **v, size_t *n, const char *list, const char *other, char sep,
                       char other_sep, bool truth)
{
    char *copy = xstrdup(list);
    char seps[2] = {sep, '\0'};
    char *save = NULL;
    for (char *id = strtok_r(copy, seps, &save); id != NULL; id = strtok_r(NULL, seps, &save)) {
        sym_count *c = sym_get(v, n, id);
        bool hit = in_list(other, id, other_sep);
        if (truth && hit)
            c->tp++;
        else if (truth)
            c->fn++;
        else if (!hit)
            c->fp++;
    }
    free(copy);
}

/*
 * eval_score symptoms TRUTH PREDICTIONS: TRUTH is `gen_complaints --format
 * debug` (tab-separated, 7th column the intended symptoms, ','-joined), rows in
 * the same order as PREDICTIONS (causeway classify CSV). Prints per-symptom
 * precision, recall and F1: exact multi-label truth, no class mapping.
 */
static int cmd_symptoms(int argc, char **argv)
{
    if (argc != 3)
        die("usage: eval_score symptoms GEN_DEBUG PREDICTIONS");
    FILE *t = open_or_die(argv[1], "r");
    FILE *p = open_or_die(argv[2], "rb");
    cw_error err;
    cw_error_clear(&err);
    cw_input *in = NULL;
    cw_input_options opt = {.format = CW_INPUT_CSV, .table = true};
    if (cw_input_new(&in, p, argv[2], &opt, &err) != 0)
        die("%s", err.message);
    long pid = column(in, "id"), psym = column(in, "symptoms");
    if (pid < 0 || psym < 0)
        die("%s: expected the columns id and symptoms of causeway classify", argv[2]);
    sym_count *v = NULL;
    size_t n = 0, rows = 0;
    char *line = NULL;
    size_t cap = 0;
    cw_record rec;
    while (getline(&line, &cap, t) > 0) {
        line[strcspn(line, "\n")] = '\0';
        char *f[8] = {0};
        size_t k = 0;
        /* Split on every tab (strtok would merge the empty symptom column). */
        for (char *x = line; x != NULL && k < 8; k++) {
            f[k] = x;
            x = strchr(x, '\t');
            if (x != NULL)
                *x++ = '\0';
        }
        if (k < 8)
            die("%s: row %zu has %zu columns, expected 8", argv[1], rows + 1, k);
        if (cw_input_next(&rec, in, &err) != 1)
            die("%s: fewer rows than %s%s%s", argv[2], argv[1], err.code ? ": " : "", err.message);
        const char *id = rec.cells[pid], *symptoms = rec.cells[psym];
        if (strcmp(f[0], id) != 0)
            die("row %zu: id '%s' in %s but '%s' in %s", rows + 1, f[0], argv[1], id, argv[2]);
        count_list(&v, &n, f[6], symptoms, ',', ';', true);
        count_list(&v, &n, symptoms, f[6], ';', ',', false);
        rows++;
    }
    printf("\nsample data (gen_complaints, intended symptoms known): %zu complaints\n", rows);
    printf("  %-24s %9s %9s %6s %8s\n", "symptom", "precision", "recall", "F1", "support");
    for (size_t i = 0; i < n; i++) {
        sym_count *c = &v[i];
        double pr = c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : 0.0;
        double rc = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : 0.0;
        double f1 = pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0.0;
        printf("  %-24s %9.3f %9.3f %6.3f %8zu\n", c->id, pr, rc, f1, c->tp + c->fn);
        free(c->id);
    }
    free(v);
    free(line);
    cw_input_free(in);
    fclose(t);
    fclose(p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "symptoms") == 0)
        return cmd_symptoms(argc - 1, argv + 1);
    fprintf(stderr, "usage: eval_score symptoms GEN_DEBUG PREDICTIONS\n");
    return 2;
}
