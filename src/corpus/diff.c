/* diff.c - two rule sets over one corpus, complaint by complaint; see diff.h. */
#include "causeway/corpus/diff.h"

#include <stdlib.h>
#include <string.h>

#include "causeway/corpus/grid.h"
#include "causeway/util/text.h"

#define NONE SIZE_MAX

/* Per symptom or cause area id of either rule set: complaints it fires on / implicates. */
typedef struct tally {
    const char *id;
    size_t index[2]; /* in the old and the new rule set, or NONE */
    unsigned long long gained, lost, kept;
} tally;

/* A complaint whose symptom set changed, kept for the report. */
typedef struct change {
    char *id, *before, *after, *snippet;
} change;

struct cw_diff {
    const cw_matcher *m[2];
    const cw_rules *rules[2];
    cw_diff_params p;
    cw_scan *scan[2];
    tally *symptoms, *areas;
    size_t symptom_count, area_count;
    size_t *sym_of[2], *area_of[2];      /* rule set index -> tally index */
    unsigned char *sym_mark, *area_mark; /* per tally, this complaint: bit 1 old, bit 2 new */
    size_t *touched;
    unsigned long long complaints, changed;
    change *changes;
    size_t change_count;
    cw_label_score *score[2];
    size_t *pred;
};

/* Add the ids of one rule set's symptoms (or areas) to the tallies, by id. */
static int merge(tally **t, size_t *count, size_t **of, size_t which, size_t n,
                 const char *(*id_of)(const cw_rules *, size_t), const cw_rules *r, cw_error *err)
{
    *of = malloc((n + 1) * sizeof(**of));
    tally *grown = realloc(*t, (*count + n + 1) * sizeof(**t));
    if (*of == NULL || grown == NULL) {
        if (grown != NULL)
            *t = grown;
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    *t = grown;
    for (size_t i = 0; i < n; i++) {
        const char *id = id_of(r, i);
        size_t k = 0;
        while (k < *count && strcmp((*t)[k].id, id) != 0)
            k++;
        if (k == *count)
            (*t)[(*count)++] = (tally){.id = id, .index = {NONE, NONE}};
        (*t)[k].index[which] = i;
        (*of)[i] = k;
    }
    return 0;
}

static const char *symptom_id(const cw_rules *r, size_t i)
{
    return r->symptoms[i].id;
}

static const char *area_id(const cw_rules *r, size_t i)
{
    return r->areas[i].id;
}

int cw_diff_new(cw_diff **out, const cw_matcher *before, const cw_matcher *after,
                const cw_diff_params *p, cw_error *err)
{
    *out = NULL;
    cw_diff *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    d->p = *p;
    d->m[0] = before;
    d->m[1] = after;
    int rc = 0;
    for (size_t w = 0; w < 2 && rc == 0; w++) {
        d->rules[w] = cw_matcher_rules(d->m[w]);
        rc = cw_scan_new(&d->scan[w], d->m[w], err);
        if (rc == 0)
            rc = merge(&d->symptoms, &d->symptom_count, &d->sym_of[w], w,
                       d->rules[w]->symptom_count, symptom_id, d->rules[w], err);
        if (rc == 0)
            rc = merge(&d->areas, &d->area_count, &d->area_of[w], w, d->rules[w]->area_count,
                       area_id, d->rules[w], err);
    }
    if (rc == 0) {
        d->sym_mark = calloc(d->symptom_count + 1, 1);
        d->area_mark = calloc(d->area_count + 1, 1);
        d->touched = calloc(d->symptom_count + d->area_count + 1, sizeof(*d->touched));
        d->changes = calloc(p->limit + 1, sizeof(*d->changes));
        if (d->sym_mark == NULL || d->area_mark == NULL || d->touched == NULL || d->changes == NULL)
            rc = cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    if (rc == 0 && p->labels != NULL) {
        for (size_t w = 0; w < 2 && rc == 0; w++)
            rc = cw_label_score_new(&d->score[w], p->labels, p->min_support, err);
        d->pred = calloc(cw_labels_class_count(p->labels) + 1, sizeof(*d->pred));
        if (rc == 0 && d->pred == NULL)
            rc = cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    }
    if (rc != 0) {
        cw_diff_free(d);
        return -1;
    }
    *out = d;
    return 0;
}

void cw_diff_free(cw_diff *d)
{
    if (d == NULL)
        return;
    for (size_t w = 0; w < 2; w++) {
        cw_scan_free(d->scan[w]);
        free(d->sym_of[w]);
        free(d->area_of[w]);
        cw_label_score_free(d->score[w]);
    }
    free(d->symptoms);
    free(d->areas);
    free(d->sym_mark);
    free(d->area_mark);
    free(d->touched);
    for (size_t i = 0; i < d->change_count; i++) {
        free(d->changes[i].id);
        free(d->changes[i].before);
        free(d->changes[i].after);
        free(d->changes[i].snippet);
    }
    free(d->changes);
    free(d->pred);
    free(d);
}

/* The symptom ids of hits, ';'-joined (caller frees). */
static char *id_list(const cw_rules *r, const cw_hit *hits, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(r->symptoms[hits[i].symptom].id) + 1;
    char *s = malloc(len);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strcat(s, ";");
        strcat(s, r->symptoms[hits[i].symptom].id);
    }
    return s;
}

/* The evidence that changed: the first symptom gained (its new evidence) or lost (old). */
static char *changed_snippet(const cw_diff *d, const cw_complaint *c, const cw_hit *const hits[2],
                             const size_t counts[2])
{
    for (size_t w = 2; w-- > 0;) {
        for (size_t i = 0; i < counts[w]; i++) {
            size_t t = d->sym_of[w][hits[w][i].symptom];
            if (d->sym_mark[t] != (1u << w))
                continue;
            char buf[CW_DIFF_SNIPPET * 3 + 8];
            cw_text_snippet(buf, sizeof(buf), c->body, c->body_len, hits[w][i].start,
                            hits[w][i].end, CW_DIFF_SNIPPET / 2);
            return strdup(buf);
        }
    }
    return strdup("");
}

static int keep_change(cw_diff *d, const cw_complaint *c, const cw_hit *const hits[2],
                       const size_t counts[2], cw_error *err)
{
    change *x = &d->changes[d->change_count];
    x->id = strdup(c->id != NULL ? c->id : "");
    x->before = id_list(d->rules[0], hits[0], counts[0]);
    x->after = id_list(d->rules[1], hits[1], counts[1]);
    x->snippet = changed_snippet(d, c, hits, counts);
    d->change_count++; /* freed with the rest even when incomplete */
    if (x->id == NULL || x->before == NULL || x->after == NULL || x->snippet == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    return 0;
}

/* Mark the symptoms and areas of one rule set's hits (bit 1 << which). */
static void mark(cw_diff *d, size_t which, const cw_hit *hits, size_t n, size_t *touched)
{
    const cw_rules *r = d->rules[which];
    for (size_t i = 0; i < n; i++) {
        size_t t = d->sym_of[which][hits[i].symptom];
        if (d->sym_mark[t] == 0)
            d->touched[(*touched)++] = t;
        d->sym_mark[t] |= (unsigned char)(1u << which);
        const cw_symptom *s = &r->symptoms[hits[i].symptom];
        for (size_t k = 0; k < s->cause_count; k++) {
            size_t a = d->area_of[which][s->causes[k].area];
            if (d->area_mark[a] == 0)
                d->touched[(*touched)++] = d->symptom_count + a;
            d->area_mark[a] |= (unsigned char)(1u << which);
        }
    }
}

static void count_mark(tally *t, unsigned char m)
{
    t->gained += m == 2;
    t->lost += m == 1;
    t->kept += m == 3;
}

static int score_both(cw_diff *d, const cw_corpus_item *item, const cw_hit *const hits[2],
                      const size_t counts[2], cw_error *err)
{
    cw_label label;
    if (cw_labels_resolve(&label, d->p.labels, item->label, item->strength, item->file, item->line,
                          item->c.id, err) != 0)
        return -1;
    for (size_t w = 0; w < 2; w++) {
        size_t n = cw_labels_predict(d->p.labels, w, hits[w], counts[w], d->pred);
        cw_label_score_add(d->score[w], &label, d->pred, n, item->c.id);
    }
    return 0;
}

int cw_diff_add(cw_diff *d, const cw_corpus_item *item, cw_error *err)
{
    const cw_hit *hits[2];
    size_t counts[2];
    for (size_t w = 0; w < 2; w++)
        if (cw_matcher_classify(&hits[w], &counts[w], d->scan[w], &item->c, err) != 0)
            return -1;
    d->complaints++;
    size_t touched = 0;
    mark(d, 0, hits[0], counts[0], &touched);
    mark(d, 1, hits[1], counts[1], &touched);
    bool changed = false;
    for (size_t k = 0; k < touched; k++) {
        size_t t = d->touched[k];
        if (t < d->symptom_count) {
            changed = changed || d->sym_mark[t] != 3;
            count_mark(&d->symptoms[t], d->sym_mark[t]);
        } else {
            count_mark(&d->areas[t - d->symptom_count], d->area_mark[t - d->symptom_count]);
        }
    }
    int rc = 0;
    if (changed) {
        d->changed++;
        if (d->change_count < d->p.limit)
            rc = keep_change(d, &item->c, hits, counts, err);
    }
    for (size_t k = 0; k < touched; k++) {
        size_t t = d->touched[k];
        if (t < d->symptom_count)
            d->sym_mark[t] = 0;
        else
            d->area_mark[t - d->symptom_count] = 0;
    }
    if (rc == 0 && d->score[0] != NULL)
        rc = score_both(d, item, hits, counts, err);
    return rc;
}

unsigned long long cw_diff_complaints(const cw_diff *d)
{
    return d->complaints;
}

unsigned long long cw_diff_changed(const cw_diff *d)
{
    return d->changed;
}

/* ---- output ---------------------------------------------------------------------------------- */

/* Complaints a tally's id fires on before (kept + lost) and after (kept + gained). */
static unsigned long long before_of(const tally *t)
{
    return t->kept + t->lost;
}

static unsigned long long after_of(const tally *t)
{
    return t->kept + t->gained;
}

static const char *ull(char *buf, unsigned long long v)
{
    snprintf(buf, 24, "%llu", v);
    return buf;
}

static const char *num(char *buf, double v, bool sign)
{
    snprintf(buf, 24, sign ? "%+.3f" : "%.3f", v);
    return buf;
}

typedef struct human {
    FILE *out;
    cw_grid_style style;
    cw_error *err;
    int rc;
} human;

static void heading(human *h, const char *title)
{
    fprintf(h->out, h->style == CW_GRID_MARKDOWN ? "\n## %s\n\n" : "\n%s\n", title);
}

static void emit(human *h, cw_grid *g)
{
    if (g != NULL && h->rc == 0 && cw_grid_write(h->out, g, h->style, h->err) != 0)
        h->rc = -1;
    cw_grid_free(g);
}

static void add_row(human *h, cw_grid *g, const char *const *cells)
{
    if (g != NULL && h->rc == 0 && cw_grid_add(g, cells, h->err) != 0)
        h->rc = -1;
}

static cw_grid *start(human *h, const char *const *heads, size_t n, const char *align)
{
    cw_grid *g = NULL;
    if (h->rc == 0 && cw_grid_new(&g, heads, n, align, h->err) != 0)
        h->rc = -1;
    return g;
}

static void human_tallies(human *h, const char *title, const char *what, const tally *t, size_t n)
{
    heading(h, title);
    const char *heads[] = {what, "before", "after", "gained", "lost", "unchanged"};
    cw_grid *g = start(h, heads, 6, "lrrrrr");
    for (size_t i = 0; i < n; i++) {
        char c[5][24];
        const char *cells[] = {t[i].id,
                               t[i].index[0] == NONE ? "-" : ull(c[0], before_of(&t[i])),
                               t[i].index[1] == NONE ? "-" : ull(c[1], after_of(&t[i])),
                               ull(c[2], t[i].gained),
                               ull(c[3], t[i].lost),
                               ull(c[4], t[i].kept)};
        add_row(h, g, cells);
    }
    emit(h, g);
}

static void human_labels(human *h, const cw_diff *d)
{
    const cw_labels *l = d->p.labels;
    heading(h, "Against the labels");
    const char *heads[] = {"class",   "support", "P before",  "P after",  "dP", "R before",
                           "R after", "dR",      "F1 before", "F1 after", "dF1"};
    cw_grid *g = start(h, heads, 11, "lrrrrrrrrrr");
    for (size_t k = 0; k < cw_labels_class_count(l); k++) {
        cw_class_score a = cw_label_score_class(d->score[0], k),
                       b = cw_label_score_class(d->score[1], k);
        char c[10][24];
        const char *cells[] = {cw_labels_class_name(l, k),
                               ull(c[0], b.support),
                               num(c[1], a.precision, false),
                               num(c[2], b.precision, false),
                               num(c[3], b.precision - a.precision, true),
                               num(c[4], a.recall, false),
                               num(c[5], b.recall, false),
                               num(c[6], b.recall - a.recall, true),
                               num(c[7], a.f1, false),
                               num(c[8], b.f1, false),
                               num(c[9], b.f1 - a.f1, true)};
        add_row(h, g, cells);
    }
    emit(h, g);
    size_t ca, cb;
    double fa = cw_label_score_macro_f1(d->score[0], &ca),
           fb = cw_label_score_macro_f1(d->score[1], &cb);
    fprintf(h->out, "%smacro-F1 %.3f -> %.3f (%+.3f) over %zu -> %zu cells\n",
            h->style == CW_GRID_PLAIN ? "  " : "\n", fa, fb, fb - fa, ca, cb);
}

static int write_human(FILE *out, const cw_diff *d, const char *source, cw_grid_style style,
                       cw_error *err)
{
    human h = {out, style, err, 0};
    fprintf(out, style == CW_GRID_MARKDOWN ? "# Diff of %s -> %s\n\n" : "Diff of %s -> %s",
            d->rules[0]->path, d->rules[1]->path);
    fprintf(out, "%s%s: %llu complaints, %llu changed (%.1f %%)\n",
            style == CW_GRID_MARKDOWN ? "" : " on ", source, d->complaints, d->changed,
            d->complaints > 0 ? 100.0 * (double)d->changed / (double)d->complaints : 0.0);
    human_tallies(&h, "Symptoms", "symptom", d->symptoms, d->symptom_count);
    human_tallies(&h, "Cause areas", "cause area", d->areas, d->area_count);
    char title[96];
    snprintf(title, sizeof(title), "Changed complaints (%zu of %llu)", d->change_count, d->changed);
    heading(&h, title);
    if (d->change_count > 0) {
        const char *heads[] = {"id", "before", "after", "evidence that changed"};
        cw_grid *g = start(&h, heads, 4, "llll");
        for (size_t i = 0; i < d->change_count; i++) {
            const change *x = &d->changes[i];
            const char *cells[] = {x->id, x->before, x->after, x->snippet};
            add_row(&h, g, cells);
        }
        emit(&h, g);
    } else {
        fprintf(out, "%snone\n", style == CW_GRID_PLAIN ? "  " : "");
    }
    if (d->score[0] != NULL)
        human_labels(&h, d);
    return h.rc;
}

static void csv_tallies(FILE *out, const char *section, const tally *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].index[0] != NONE)
            cw_grid_csv_count(out, section, t[i].id, "before", before_of(&t[i]));
        if (t[i].index[1] != NONE)
            cw_grid_csv_count(out, section, t[i].id, "after", after_of(&t[i]));
        cw_grid_csv_count(out, section, t[i].id, "gained", t[i].gained);
        cw_grid_csv_count(out, section, t[i].id, "lost", t[i].lost);
        cw_grid_csv_count(out, section, t[i].id, "unchanged", t[i].kept);
    }
}

static void write_csv(FILE *out, const cw_diff *d, const char *source)
{
    fputs("section,item,metric,value\n", out);
    cw_grid_csv_row(out, "summary", "", "before", d->rules[0]->path);
    cw_grid_csv_row(out, "summary", "", "after", d->rules[1]->path);
    cw_grid_csv_row(out, "summary", "", "input", source);
    cw_grid_csv_count(out, "summary", "", "complaints", d->complaints);
    cw_grid_csv_count(out, "summary", "", "changed", d->changed);
    csv_tallies(out, "symptom", d->symptoms, d->symptom_count);
    csv_tallies(out, "area", d->areas, d->area_count);
    for (size_t i = 0; i < d->change_count; i++) {
        const change *x = &d->changes[i];
        cw_grid_csv_row(out, "change", x->id, "before", x->before);
        cw_grid_csv_row(out, "change", x->id, "after", x->after);
        cw_grid_csv_row(out, "change", x->id, "evidence", x->snippet);
    }
    if (d->score[0] == NULL)
        return;
    const cw_labels *l = d->p.labels;
    for (size_t k = 0; k < cw_labels_class_count(l); k++) {
        const char *name = cw_labels_class_name(l, k);
        cw_class_score a = cw_label_score_class(d->score[0], k),
                       b = cw_label_score_class(d->score[1], k);
        cw_grid_csv_count(out, "class", name, "support", b.support);
        cw_grid_csv_number(out, "class", name, "precision_before", a.precision);
        cw_grid_csv_number(out, "class", name, "precision_after", b.precision);
        cw_grid_csv_number(out, "class", name, "recall_before", a.recall);
        cw_grid_csv_number(out, "class", name, "recall_after", b.recall);
        cw_grid_csv_number(out, "class", name, "f1_before", a.f1);
        cw_grid_csv_number(out, "class", name, "f1_after", b.f1);
    }
    size_t ca, cb;
    cw_grid_csv_number(out, "labels", "", "macro_f1_before",
                       cw_label_score_macro_f1(d->score[0], &ca));
    cw_grid_csv_number(out, "labels", "", "macro_f1_after",
                       cw_label_score_macro_f1(d->score[1], &cb));
}

/* The JSON form's layout (docs/diff.schema.json). */
#define DIFF_JSON_SCHEMA "causeway.diff/1"

static json_t *count(unsigned long long v)
{
    return json_integer((json_int_t)v);
}

static json_t *pair(double before, double after)
{
    return json_pack("[o,o]", cw_json_number(before, CW_JSON_REPORT_DIGITS),
                     cw_json_number(after, CW_JSON_REPORT_DIGITS));
}

static json_t *json_tallies(const tally *t, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        a = cw_json_push(
            a,
            json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", cw_grid_json_text(t[i].id), "before",
                      t[i].index[0] == NONE ? json_null() : count(before_of(&t[i])), "after",
                      t[i].index[1] == NONE ? json_null() : count(after_of(&t[i])), "gained",
                      count(t[i].gained), "lost", count(t[i].lost), "unchanged", count(t[i].kept)));
    return a;
}

/* A ';'-joined list of ids as a JSON array. */
static json_t *json_list(const char *list)
{
    json_t *a = json_array();
    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ";");
        char id[256];
        snprintf(id, sizeof(id), "%.*s", (int)(n < 255 ? n : 255), p);
        a = cw_json_push(a, cw_grid_json_text(id));
        p += n + (p[n] == ';');
    }
    return a;
}

static json_t *json_labels(const cw_diff *d)
{
    if (d->score[0] == NULL)
        return json_null();
    const cw_labels *l = d->p.labels;
    json_t *classes = json_array();
    for (size_t k = 0; k < cw_labels_class_count(l); k++) {
        cw_class_score a = cw_label_score_class(d->score[0], k),
                       b = cw_label_score_class(d->score[1], k);
        classes = cw_json_push(classes, json_pack("{s:o,s:o,s:o,s:o,s:o,s:b}", "class",
                                                  cw_grid_json_text(cw_labels_class_name(l, k)),
                                                  "support", count(b.support), "precision",
                                                  pair(a.precision, b.precision), "recall",
                                                  pair(a.recall, b.recall), "f1", pair(a.f1, b.f1),
                                                  "cell", (int)b.cell));
    }
    size_t ca, cb;
    double fa = cw_label_score_macro_f1(d->score[0], &ca),
           fb = cw_label_score_macro_f1(d->score[1], &cb);
    return json_pack("{s:o,s:o,s:[o,o]}", "classes", classes, "macro_f1", pair(fa, fb), "cells",
                     count(ca), count(cb));
}

static json_t *json_report(const cw_diff *d, const char *source)
{
    json_t *changes = json_array();
    for (size_t i = 0; i < d->change_count; i++) {
        const change *x = &d->changes[i];
        changes = cw_json_push(
            changes, json_pack("{s:o,s:o,s:o,s:o}", "id", cw_grid_json_text(x->id), "before",
                               json_list(x->before), "after", json_list(x->after), "evidence",
                               cw_grid_json_text(x->snippet)));
    }
    return json_pack(
        "{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "schema", DIFF_JSON_SCHEMA, "before",
        cw_grid_json_text(d->rules[0]->path), "after", cw_grid_json_text(d->rules[1]->path),
        "input", cw_grid_json_text(source), "complaints", count(d->complaints), "changed",
        count(d->changed), "symptoms", json_tallies(d->symptoms, d->symptom_count), "areas",
        json_tallies(d->areas, d->area_count), "changes", changes, "labels", json_labels(d));
}

int cw_diff_write(FILE *out, const cw_diff *d, const char *source, cw_coverage_format format,
                  cw_error *err)
{
    switch (format) {
    case CW_COVERAGE_TABLE:
        return write_human(out, d, source, CW_GRID_PLAIN, err);
    case CW_COVERAGE_MARKDOWN:
        return write_human(out, d, source, CW_GRID_MARKDOWN, err);
    case CW_COVERAGE_CSV:
        write_csv(out, d, source);
        return 0;
    case CW_COVERAGE_JSON:
        return cw_json_write(out, json_report(d, source), CW_JSON_REPORT_DIGITS, err);
    }
    return 0;
}
