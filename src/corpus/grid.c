/* grid.c - aligned and Markdown tables; see grid.h. */
#include "causeway/corpus/grid.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/json.h"
#include "causeway/util/text.h"

#define CELL_MAX 1024 /* bytes of a cell as printed; longer ones are cut with "..." */

struct cw_grid {
    size_t columns;
    char *align;
    char **cells; /* rows x columns, the heads first */
    size_t rows, cap;
};

int cw_grid_new(cw_grid **out, const char *const *heads, size_t n, const char *align, cw_error *err)
{
    *out = NULL;
    cw_grid *g = calloc(1, sizeof(*g));
    if (g == NULL || (g->align = strdup(align)) == NULL) {
        free(g);
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    g->columns = n;
    if (cw_grid_add(g, heads, err) != 0) {
        cw_grid_free(g);
        return -1;
    }
    *out = g;
    return 0;
}

void cw_grid_free(cw_grid *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->rows * g->columns; i++)
        free(g->cells[i]);
    free(g->cells);
    free(g->align);
    free(g);
}

int cw_grid_add(cw_grid *g, const char *const *cells, cw_error *err)
{
    if (g->rows == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        char **c = realloc(g->cells, cap * g->columns * sizeof(*c));
        if (c == NULL)
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        g->cells = c;
        g->cap = cap;
    }
    char **row = g->cells + g->rows * g->columns;
    for (size_t k = 0; k < g->columns; k++) {
        const char *s = cells[k] != NULL ? cells[k] : "";
        char cut[CELL_MAX];
        cw_text_copy_cut(cut, sizeof(cut), s);
        /* Cleaning can grow a byte into U+FFFD: room for three bytes per byte. */
        size_t n = strlen(cut) * 3 + 1;
        row[k] = malloc(n);
        if (row[k] == NULL) {
            for (size_t j = 0; j < k; j++)
                free(row[j]);
            return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
        }
        cw_text_clean(row[k], n, cut, strlen(cut));
    }
    g->rows++;
    return 0;
}

size_t cw_grid_rows(const cw_grid *g)
{
    return g->rows - 1;
}

static void pad(FILE *out, size_t n)
{
    while (n-- > 0)
        fputc(' ', out);
}

int cw_grid_write(FILE *out, const cw_grid *g, cw_grid_style style, cw_error *err)
{
    size_t *w = calloc(g->columns + 1, sizeof(*w));
    if (w == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    for (size_t r = 0; r < g->rows; r++)
        for (size_t k = 0; k < g->columns; k++) {
            size_t n = cw_text_width(g->cells[r * g->columns + k]);
            w[k] = n > w[k] ? n : w[k];
        }
    for (size_t r = 0; r < g->rows; r++) {
        char *const *row = g->cells + r * g->columns;
        if (style == CW_GRID_MARKDOWN) {
            for (size_t k = 0; k < g->columns; k++) {
                fputs(k == 0 ? "| " : " | ", out);
                cw_text_write_escaped(out, row[k], cw_text_markdown_escape);
            }
            fputs(" |\n", out);
            if (r == 0) {
                for (size_t k = 0; k < g->columns; k++)
                    fputs(g->align[k] == 'r' ? "|---:" : "|---", out);
                fputs("|\n", out);
            }
            continue;
        }
        fputs("  ", out);
        for (size_t k = 0; k < g->columns; k++) {
            size_t n = cw_text_width(row[k]);
            bool right = g->align[k] == 'r';
            bool last = k + 1 == g->columns;
            if (right)
                pad(out, w[k] - n);
            fputs(row[k], out);
            if (!right && !last)
                pad(out, w[k] - n);
            if (!last)
                fputs("  ", out);
        }
        fputc('\n', out);
        if (r == 0) {
            fputs("  ", out);
            size_t total = 0;
            for (size_t k = 0; k < g->columns; k++)
                total += w[k] + (k + 1 < g->columns ? 2 : 0);
            for (size_t i = 0; i < total; i++)
                fputc('-', out);
            fputc('\n', out);
        }
    }
    free(w);
    return 0;
}

/* s[0, 1 KiB) cleaned into buf (3 KiB + 1: U+FFFD takes three bytes for one). */
static const char *cleaned(char *buf, size_t size, const char *s)
{
    size_t n = strlen(s);
    return cw_text_clean(buf, size, s, n < 1024 ? n : 1024);
}

void cw_grid_csv_row(FILE *out, const char *section, const char *item, const char *metric,
                     const char *value)
{
    const char *cells[] = {section, item, metric, value};
    char buf[3 * 1024 + 1];
    for (int i = 0; i < 4; i++) {
        if (i > 0)
            fputc(',', out);
        cw_text_csv_field(out, cleaned(buf, sizeof(buf), cells[i]));
    }
    fputc('\n', out);
}

void cw_grid_csv_count(FILE *out, const char *section, const char *item, const char *metric,
                       unsigned long long value)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%llu", value);
    cw_grid_csv_row(out, section, item, metric, buf);
}

void cw_grid_csv_number(FILE *out, const char *section, const char *item, const char *metric,
                        double value)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%.6g", value);
    cw_grid_csv_row(out, section, item, metric, buf);
}

json_t *cw_grid_json_text(const char *s)
{
    char buf[3 * 1024 + 1];
    return cw_json_text(cleaned(buf, sizeof(buf), s));
}
