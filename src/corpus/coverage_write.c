/* coverage_write.c - the coverage report as table, Markdown, CSV or JSON; see coverage.h. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/corpus/coverage.h"
#include "causeway/corpus/grid.h"
#include "causeway/util/json.h"
#include "causeway/util/text.h"

int cw_coverage_parse_format(const char *name)
{
    if (strcmp(name, "table") == 0)
        return CW_COVERAGE_TABLE;
    if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
        return CW_COVERAGE_MARKDOWN;
    if (strcmp(name, "csv") == 0)
        return CW_COVERAGE_CSV;
    if (strcmp(name, "json") == 0)
        return CW_COVERAGE_JSON;
    return -1;
}

/* ---- describing entries ------------------------------------------------------------------ */

static const char *kind_name(cw_entry_kind k)
{
    static const char *const names[] = {"any", "regex", "near", "all", "unless", "where", "term"};
    return names[k];
}

/* "file:line:col" of an entry. */
static void location(char *buf, size_t size, const cw_rules *r, const cw_entry *e)
{
    snprintf(buf, size, "%s:%u:%u", r->path, e->pos.line, e->pos.column);
}

/* The symptom id, or the term list's name for a term phrase. */
static const char *owner(const cw_rules *r, const cw_entry *e)
{
    return e->kind == CW_ENTRY_TERM ? r->terms[e->owner].name : r->symptoms[e->owner].id;
}

/* The entry as the author wrote it, in short. */
static void entry_text(char *buf, size_t size, const cw_rules *r, const cw_entry *e)
{
    const cw_match_spec *sp = e->kind == CW_ENTRY_TERM ? NULL : &r->symptoms[e->owner].match;
    switch (e->kind) {
    case CW_ENTRY_ANY:
        snprintf(buf, size, "%s", sp->any.items[e->index].text);
        return;
    case CW_ENTRY_REGEX:
        snprintf(buf, size, "%s", sp->regex.items[e->index].text);
        return;
    case CW_ENTRY_ALL:
        snprintf(buf, size, "%s", sp->all.items[e->index].text);
        return;
    case CW_ENTRY_UNLESS:
        snprintf(buf, size, "%s", sp->unless.items[e->index].text);
        return;
    case CW_ENTRY_NEAR: {
        const cw_near *n = &sp->near[e->index];
        snprintf(buf, size, "%s ... %s (within %u)", n->first.text, n->then.text, n->within);
        return;
    }
    case CW_ENTRY_WHERE: {
        const cw_condition *c = &r->symptoms[e->owner].where[e->index];
        size_t at = (size_t)snprintf(buf, size, "%s:", cw_field_name(c->field));
        for (size_t k = 0; k < c->count && at < size; k++)
            at += (size_t)snprintf(buf + at, size - at, "%s %s", k ? "," : "", c->values[k]);
        return;
    }
    case CW_ENTRY_TERM:
        snprintf(buf, size, "%s", r->terms[e->owner].phrases.items[e->index].text);
        return;
    }
}

/* ---- small formatting helpers ---------------------------------------------------------- */

static const char *ull(char *buf, unsigned long long v)
{
    snprintf(buf, 24, "%llu", v);
    return buf;
}

static const char *percent(char *buf, unsigned long long part, unsigned long long whole)
{
    snprintf(buf, 24, "%.1f %%", whole > 0 ? 100.0 * (double)part / (double)whole : 0.0);
    return buf;
}

static double share(unsigned long long part, unsigned long long whole)
{
    return whole > 0 ? (double)part / (double)whole : 0.0;
}

static const char *fixed(char *buf, double v, int digits)
{
    snprintf(buf, 24, "%.*f", digits, v);
    return buf;
}

/* Up to two example ids of a ranked phrase (which: 0 TARGET, 1 AUX), ';'-joined. */
static const char *examples(char *buf, size_t size, const cw_topk_item *it, int which)
{
    snprintf(buf, size, "%s%s%s", it->examples[which][0], it->examples[which][1][0] ? "; " : "",
             it->examples[which][1]);
    return buf;
}

static const char *id_list(char *buf, size_t size, char (*ids)[CW_LABEL_SCORE_ID_MAX + 1], size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? "; " : "", ids[i]);
    return buf;
}

static const char *phrase_list(char *buf, size_t size, const cw_coverage_class *c)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->missed_count && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s (%llu)", i ? "; " : "", c->missed[i].text,
                               c->missed[i].count[CW_TOPK_TARGET]);
    return buf;
}

/* ---- table and Markdown ------------------------------------------------------------------ */

typedef struct human {
    FILE *out;
    const cw_coverage_report *r;
    cw_grid_style style;
    cw_error *err;
    int rc;
} human;

static void heading(human *h, const char *title)
{
    if (h->style == CW_GRID_MARKDOWN)
        fprintf(h->out, "\n## %s\n\n", title);
    else
        fprintf(h->out, "\n%s\n", title);
}

/* A line of explanation: indented under a plain table, a paragraph of its own in Markdown. */
static void note(human *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(human *h, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(h->style == CW_GRID_PLAIN ? "  " : "\n", h->out);
    vfprintf(h->out, fmt, ap);
    fputc('\n', h->out);
    va_end(ap);
}

/* Start a grid; NULL (and h->rc set) when out of memory. */
static cw_grid *grid(human *h, const char *const *heads, size_t n, const char *align)
{
    cw_grid *g = NULL;
    if (h->rc == 0 && cw_grid_new(&g, heads, n, align, h->err) != 0)
        h->rc = -1;
    return g;
}

static void row(human *h, cw_grid *g, const char *const *cells)
{
    if (g != NULL && h->rc == 0 && cw_grid_add(g, cells, h->err) != 0)
        h->rc = -1;
}

static void flush_grid(human *h, cw_grid *g)
{
    if (g != NULL && h->rc == 0 && cw_grid_write(h->out, g, h->style, h->err) != 0)
        h->rc = -1;
    cw_grid_free(g);
}

static void human_summary(human *h)
{
    const cw_coverage_report *r = h->r;
    char a[24], b[24];
    static const char *const heads[] = {"complaints", "count", "share"};
    cw_grid *g = grid(h, heads, 3, "lrr");
    const char *labels[] = {"uncategorised (no symptom)", "with 1 symptom", "with 2 symptoms",
                            "with 3 or more"};
    for (int i = 0; i < 4; i++) {
        const char *cells[] = {labels[i], ull(a, r->by_count[i]),
                               percent(b, r->by_count[i], r->complaints)};
        row(h, g, cells);
    }
    const char *total[] = {"all", ull(a, r->complaints), percent(b, r->complaints, r->complaints)};
    row(h, g, total);
    flush_grid(h, g);
}

static void human_symptoms(human *h)
{
    const cw_coverage_report *r = h->r;
    heading(h, "Symptoms");
    static const char *const heads[] = {"symptom", "matched", "share",       "only",
                                        "negated", "vetoed",  "held by all", "held by where"};
    cw_grid *g = grid(h, heads, 8, "lrrrrrrr");
    for (size_t s = 0; s < r->rules->symptom_count; s++) {
        const cw_coverage_symptom *x = &r->symptoms[s];
        char c[7][24];
        const char *cells[] = {r->rules->symptoms[s].id,
                               ull(c[0], x->matched),
                               percent(c[1], x->matched, r->complaints),
                               ull(c[2], x->only),
                               ull(c[3], x->stats.negated),
                               ull(c[4], x->stats.vetoed),
                               ull(c[5], x->stats.held_all),
                               ull(c[6], x->stats.held_where)};
        row(h, g, cells);
    }
    flush_grid(h, g);
    note(h, "matched: complaints it fires on; only: ... and no other symptom; negated, vetoed, "
            "held by all / where: complaints it would have fired on but for that alone");
}

static void human_entries(human *h)
{
    const cw_coverage_report *r = h->r;
    heading(h, "Rule entries");
    static const char *const heads[] = {"location", "of",      "kind",      "entry",
                                        "hits",     "negated", "suppressed"};
    cw_grid *g = grid(h, heads, 7, "llllrrr");
    size_t n = cw_matcher_entry_count(r->matcher), dead = 0, untracked = 0;
    for (size_t i = 0; i < n; i++) {
        const cw_entry *e = cw_matcher_entry(r->matcher, i);
        const cw_entry_stats *st = &r->stats->entries[i];
        char loc[300], text[300], c[3][24];
        location(loc, sizeof(loc), r->rules, e);
        entry_text(text, sizeof(text), r->rules, e);
        bool counted = e->kind != CW_ENTRY_TERM || e->tracked;
        dead += counted && st->hits == 0;
        untracked += !counted;
        const char *cells[] = {loc,
                               owner(r->rules, e),
                               kind_name(e->kind),
                               text,
                               counted ? ull(c[0], st->hits) : "-",
                               counted ? ull(c[1], st->negated) : "-",
                               counted ? ull(c[2], st->suppressed) : "-"};
        row(h, g, cells);
    }
    flush_grid(h, g);
    if (untracked > 0)
        note(h,
             "-: %zu term phrase%s used only inside phrases too large to expand (one regex) "
             "cannot be counted",
             untracked, untracked == 1 ? "" : "s");
    heading(h, "Dead entries (no hit on this corpus)");
    if (dead == 0) {
        note(h, "none");
        return;
    }
    static const char *const dheads[] = {"location", "of", "kind", "entry"};
    g = grid(h, dheads, 4, "llll");
    for (size_t i = 0; i < n; i++) {
        const cw_entry *e = cw_matcher_entry(r->matcher, i);
        if ((e->kind == CW_ENTRY_TERM && !e->tracked) || r->stats->entries[i].hits != 0)
            continue;
        char loc[300], text[300];
        location(loc, sizeof(loc), r->rules, e);
        entry_text(text, sizeof(text), r->rules, e);
        const char *cells[] = {loc, owner(r->rules, e), kind_name(e->kind), text};
        row(h, g, cells);
    }
    flush_grid(h, g);
}

static void human_suppressed(human *h)
{
    const cw_coverage_report *r = h->r;
    heading(h, "What negation, vetoes and conditions suppressed");
    static const char *const heads[] = {"symptom", "by", "entry", "complaints"};
    cw_grid *g = grid(h, heads, 4, "lllr");
    size_t n = cw_matcher_entry_count(r->matcher);
    for (size_t s = 0; s < r->rules->symptom_count; s++) {
        const cw_symptom_stats *x = &r->symptoms[s].stats;
        const char *id = r->rules->symptoms[s].id;
        char c[24];
        if (x->negated > 0) {
            const char *cells[] = {id, "negation", "", ull(c, x->negated)};
            row(h, g, cells);
        }
        if (x->held_all > 0) {
            const char *cells[] = {id, "all (missing)", "", ull(c, x->held_all)};
            row(h, g, cells);
        }
        for (size_t i = 0; i < n; i++) {
            const cw_entry *e = cw_matcher_entry(r->matcher, i);
            if (e->kind == CW_ENTRY_TERM || e->owner != s || r->stats->entries[i].suppressed == 0)
                continue;
            char loc[300], text[300], entry[620];
            location(loc, sizeof(loc), r->rules, e);
            entry_text(text, sizeof(text), r->rules, e);
            snprintf(entry, sizeof(entry), "%s \"%s\"", loc, text);
            const char *cells[] = {id, e->kind == CW_ENTRY_UNLESS ? "veto" : "where", entry,
                                   ull(c, r->stats->entries[i].suppressed)};
            row(h, g, cells);
        }
    }
    if (g != NULL && cw_grid_rows(g) == 0) {
        cw_grid_free(g);
        note(h, "nothing");
        return;
    }
    flush_grid(h, g);
}

static void human_overlaps(human *h)
{
    const cw_coverage_report *r = h->r;
    heading(h, "Overlaps (symptoms that fire together)");
    if (r->pair_count == 0) {
        note(h, "none");
        return;
    }
    static const char *const heads[] = {"symptom", "with", "complaints", "Jaccard"};
    cw_grid *g = grid(h, heads, 4, "llrr");
    for (size_t i = 0; i < r->pair_count && i < r->params->top; i++) {
        const cw_coverage_pair *p = &r->pairs[i];
        char c[2][24];
        const char *cells[] = {r->rules->symptoms[p->a].id, r->rules->symptoms[p->b].id,
                               ull(c[0], p->both), fixed(c[1], p->jaccard, 3)};
        row(h, g, cells);
    }
    flush_grid(h, g);
    if (r->pair_count > r->params->top)
        note(h, "%zu more pairs (--top)", r->pair_count - r->params->top);
}

/* A ranked list of phrases: heads[] names the columns after phrase and G^2 (three with AUX). */
static void phrase_table(human *h, const cw_topk_item *items, size_t n, const char *const *heads,
                         bool aux)
{
    if (n == 0) {
        note(h, "none");
        return;
    }
    const char *all[] = {"phrase", "G^2", heads[0], heads[1], heads[2], heads[3]};
    cw_grid *g = grid(h, all, 6, "lrrrrl");
    for (size_t i = 0; i < n; i++) {
        const cw_topk_item *it = &items[i];
        char c[4][24], ex[2 * CW_TOPK_ID_MAX + 8];
        const char *cells[] = {it->text,
                               fixed(c[0], it->g2, 2),
                               ull(c[1], it->count[CW_TOPK_TARGET]),
                               ull(c[2], it->count[CW_TOPK_REFERENCE]),
                               ull(c[3], aux ? it->count[CW_TOPK_AUX] : it->error),
                               examples(ex, sizeof(ex), it, aux ? 1 : 0)};
        row(h, g, cells);
    }
    flush_grid(h, g);
}

static void human_suggestions(human *h)
{
    const cw_coverage_report *r = h->r;
    heading(h, "Suggestions: phrases of the uncategorised complaints");
    note(h,
         "over-represented in the %llu uncategorised complaints against the %llu matched ones "
         "(G^2), in at least %u of them; a count may miss up to 'error' complaints",
         r->suggest_target, r->suggest_reference, CW_COVERAGE_MIN_COUNT);
    static const char *const heads[] = {"uncategorised", "matched", "error", "examples"};
    phrase_table(h, r->suggestions, r->suggestion_count, heads, false);
    if (r->params->suggest < 0)
        return;
    const char *sym = r->rules->symptoms[r->params->suggest].id;
    char title[200];
    snprintf(title, sizeof(title), "Candidate synonyms for %s", sym);
    heading(h, title);
    note(h,
         "phrases of the complaints %s fires on (G^2 against the other matched ones) that "
         "uncategorised complaints contain too",
         sym);
    static const char *const sheads[] = {"with symptom", "other matched", "uncategorised",
                                         "uncategorised examples"};
    phrase_table(h, r->synonyms, r->synonym_count, sheads, true);
}

static const char *row_name(const cw_coverage_report *r, size_t row_index)
{
    const cw_labels *l = r->params->labels;
    size_t classes = cw_labels_class_count(l);
    return row_index < classes ? cw_labels_class_name(l, row_index)
                               : cw_labels_negative_name(l, row_index - classes);
}

static void human_labels(human *h)
{
    const cw_coverage_report *r = h->r;
    const cw_labels *l = r->params->labels;
    size_t classes = cw_labels_class_count(l), negatives = cw_labels_negative_count(l);
    heading(h, "Against the labels");
    unsigned long long scored = cw_label_score_count(r->score, CW_LABEL_CLASS) +
                                cw_label_score_count(r->score, CW_LABEL_NEGATIVE);
    note(h,
         "%llu complaints scored; not scored: %llu ignored labels, %llu below the minimum "
         "strength, %llu unlabelled",
         scored, cw_label_score_count(r->score, CW_LABEL_IGNORED),
         cw_label_score_count(r->score, CW_LABEL_BELOW),
         cw_label_score_count(r->score, CW_LABEL_NONE));
    static const char *const heads[] = {"class", "support",   "predicted", "TP", "FP",
                                        "FN",    "precision", "recall",    "F1", "cell"};
    cw_grid *g = grid(h, heads, 10, "lrrrrrrrrl");
    for (size_t k = 0; k < classes; k++) {
        const cw_class_score *x = &r->classes[k].score;
        char c[8][24];
        const char *cells[] = {cw_labels_class_name(l, k),
                               ull(c[0], x->support),
                               ull(c[1], x->predicted),
                               ull(c[2], x->tp),
                               ull(c[3], x->fp),
                               ull(c[4], x->fn),
                               x->predicted > 0 ? fixed(c[5], x->precision, 3) : "-",
                               x->support > 0 ? fixed(c[6], x->recall, 3) : "-",
                               x->support > 0 ? fixed(c[7], x->f1, 3) : "-",
                               x->cell ? "yes" : "no"};
        row(h, g, cells);
    }
    flush_grid(h, g);
    note(h, "macro-F1 %.3f over %zu cells (classes with at least %llu scored complaints)",
         r->macro_f1, r->cells, r->params->min_support > 0 ? r->params->min_support : 1);

    heading(h, "Confusion (rows: label; columns: predicted classes, a complaint in each)");
    const char **heads2 = calloc(classes + 2, sizeof(*heads2));
    char *align = calloc(classes + 3, 1);
    const char **cells = calloc(classes + 2, sizeof(*cells));
    char(*num)[24] = calloc(classes + 2, sizeof(*num));
    if (heads2 == NULL || align == NULL || cells == NULL || num == NULL) {
        h->rc = cw_error_set(h->err, CW_EXIT_OSERR, "out of memory");
    } else {
        heads2[0] = "label";
        align[0] = 'l';
        for (size_t k = 0; k < classes; k++) {
            heads2[k + 1] = cw_labels_class_name(l, k);
            align[k + 1] = 'r';
        }
        heads2[classes + 1] = "(none)";
        align[classes + 1] = 'r';
        g = grid(h, heads2, classes + 2, align);
        for (size_t rix = 0; rix < classes + negatives; rix++) {
            cells[0] = row_name(r, rix);
            for (size_t k = 0; k <= classes; k++)
                cells[k + 1] = ull(num[k], cw_label_score_confusion(r->score, rix, k));
            row(h, g, cells);
        }
        flush_grid(h, g);
    }
    free(heads2);
    free(align);
    free(cells);
    free(num);

    heading(h, "What each class misses");
    static const char *const mheads[] = {"class", "missed phrases (G^2 of misses against hits)",
                                         "false positives", "false negatives"};
    g = grid(h, mheads, 4, "llll");
    for (size_t k = 0; k < classes; k++) {
        cw_coverage_class *x = &r->classes[k];
        char phrases[600], fp[4 * CW_LABEL_SCORE_ID_MAX], fn[4 * CW_LABEL_SCORE_ID_MAX];
        const char *cells3[] = {cw_labels_class_name(l, k),
                                phrase_list(phrases, sizeof(phrases), x),
                                id_list(fp, sizeof(fp), x->score.fp_examples, x->score.fp_count),
                                id_list(fn, sizeof(fn), x->score.fn_examples, x->score.fn_count)};
        row(h, g, cells3);
    }
    flush_grid(h, g);
}

static int write_human(FILE *out, const cw_coverage_report *r, cw_grid_style style, cw_error *err)
{
    human h = {out, r, style, err, 0};
    unsigned s = r->params->sections;
    if (style == CW_GRID_MARKDOWN)
        fprintf(out, "# Coverage of %s\n\n%s: %llu complaints (%.1f MB)\n", r->rules->path,
                r->source, r->complaints, (double)r->bytes / 1e6);
    else
        fprintf(out, "Coverage of %s on %s: %llu complaints (%.1f MB)\n", r->rules->path, r->source,
                r->complaints, (double)r->bytes / 1e6);
    if (s & CW_COVERAGE_SUMMARY) {
        fputc('\n', out);
        human_summary(&h);
    }
    if (s & CW_COVERAGE_SYMPTOMS)
        human_symptoms(&h);
    if (s & CW_COVERAGE_ENTRIES)
        human_entries(&h);
    if (s & CW_COVERAGE_SUPPRESSED)
        human_suppressed(&h);
    if (s & CW_COVERAGE_OVERLAPS)
        human_overlaps(&h);
    if (s & CW_COVERAGE_SUGGESTIONS)
        human_suggestions(&h);
    if ((s & CW_COVERAGE_LABELS) && r->score != NULL)
        human_labels(&h);
    return h.rc;
}

/* What the TARGET, REFERENCE and AUX counts of a list of phrases are called. */
typedef struct role_names {
    const char *target, *reference, *aux; /* aux NULL: not shown */
} role_names;

static const role_names SUGGESTION_ROLES = {"uncategorised", "matched", NULL};
static const role_names SYNONYM_ROLES = {"with_symptom", "other_matched", "uncategorised"};
static const role_names MISSED_ROLES = {"missed", "found", NULL};

/* ---- CSV: section,item,metric,value ------------------------------------------------------ */

static void csv_entries(FILE *out, const cw_coverage_report *r)
{
    size_t n = cw_matcher_entry_count(r->matcher);
    for (size_t i = 0; i < n; i++) {
        const cw_entry *e = cw_matcher_entry(r->matcher, i);
        const cw_entry_stats *st = &r->stats->entries[i];
        char loc[300], text[300];
        location(loc, sizeof(loc), r->rules, e);
        entry_text(text, sizeof(text), r->rules, e);
        cw_grid_csv_row(out, "entry", loc, "kind", kind_name(e->kind));
        cw_grid_csv_row(out, "entry", loc, e->kind == CW_ENTRY_TERM ? "term" : "symptom",
                        owner(r->rules, e));
        cw_grid_csv_row(out, "entry", loc, "text", text);
        if (e->kind == CW_ENTRY_TERM && !e->tracked) {
            cw_grid_csv_row(out, "entry", loc, "hits", "");
            continue;
        }
        cw_grid_csv_count(out, "entry", loc, "hits", st->hits);
        cw_grid_csv_count(out, "entry", loc, "negated", st->negated);
        cw_grid_csv_count(out, "entry", loc, "suppressed", st->suppressed);
        if (st->hits == 0)
            cw_grid_csv_row(out, "dead", loc, "text", text);
    }
}

static void csv_phrases(FILE *out, const char *section, const cw_topk_item *items, size_t n,
                        const role_names *names)
{
    for (size_t i = 0; i < n; i++) {
        const cw_topk_item *it = &items[i];
        char ex[2 * CW_TOPK_ID_MAX + 8];
        cw_grid_csv_number(out, section, it->text, "g2", it->g2);
        cw_grid_csv_count(out, section, it->text, names->target, it->count[CW_TOPK_TARGET]);
        cw_grid_csv_count(out, section, it->text, names->reference, it->count[CW_TOPK_REFERENCE]);
        if (names->aux != NULL)
            cw_grid_csv_count(out, section, it->text, names->aux, it->count[CW_TOPK_AUX]);
        cw_grid_csv_count(out, section, it->text, "error", it->error);
        cw_grid_csv_row(out, section, it->text, "examples",
                        examples(ex, sizeof(ex), it, names->aux != NULL ? 1 : 0));
    }
}

static void csv_labels(FILE *out, const cw_coverage_report *r)
{
    const cw_labels *l = r->params->labels;
    size_t classes = cw_labels_class_count(l), negatives = cw_labels_negative_count(l);
    for (size_t k = 0; k < classes; k++) {
        const cw_coverage_class *x = &r->classes[k];
        const char *name = cw_labels_class_name(l, k);
        char buf[600], ids[4 * CW_LABEL_SCORE_ID_MAX];
        cw_grid_csv_count(out, "class", name, "support", x->score.support);
        cw_grid_csv_count(out, "class", name, "predicted", x->score.predicted);
        cw_grid_csv_count(out, "class", name, "tp", x->score.tp);
        cw_grid_csv_count(out, "class", name, "fp", x->score.fp);
        cw_grid_csv_count(out, "class", name, "fn", x->score.fn);
        cw_grid_csv_number(out, "class", name, "precision", x->score.precision);
        cw_grid_csv_number(out, "class", name, "recall", x->score.recall);
        cw_grid_csv_number(out, "class", name, "f1", x->score.f1);
        cw_grid_csv_row(out, "class", name, "cell", x->score.cell ? "yes" : "no");
        cw_grid_csv_row(out, "class", name, "missed_phrases", phrase_list(buf, sizeof(buf), x));
        cw_grid_csv_row(
            out, "class", name, "false_positives",
            id_list(ids, sizeof(ids), r->classes[k].score.fp_examples, x->score.fp_count));
        cw_grid_csv_row(
            out, "class", name, "false_negatives",
            id_list(ids, sizeof(ids), r->classes[k].score.fn_examples, x->score.fn_count));
    }
    for (size_t rix = 0; rix < classes + negatives; rix++)
        for (size_t k = 0; k <= classes; k++)
            cw_grid_csv_count(out, "confusion", row_name(r, rix),
                              k < classes ? cw_labels_class_name(l, k) : "(none)",
                              cw_label_score_confusion(r->score, rix, k));
    cw_grid_csv_number(out, "labels", "", "macro_f1", r->macro_f1);
    cw_grid_csv_count(out, "labels", "", "cells", r->cells);
    cw_grid_csv_count(out, "labels", "", "scored",
                      cw_label_score_count(r->score, CW_LABEL_CLASS) +
                          cw_label_score_count(r->score, CW_LABEL_NEGATIVE));
    cw_grid_csv_count(out, "labels", "", "ignored",
                      cw_label_score_count(r->score, CW_LABEL_IGNORED));
    cw_grid_csv_count(out, "labels", "", "below_strength",
                      cw_label_score_count(r->score, CW_LABEL_BELOW));
    cw_grid_csv_count(out, "labels", "", "unlabelled",
                      cw_label_score_count(r->score, CW_LABEL_NONE));
}

static void write_csv(FILE *out, const cw_coverage_report *r)
{
    unsigned s = r->params->sections;
    fputs("section,item,metric,value\n", out);
    cw_grid_csv_row(out, "summary", "", "rules", r->rules->path);
    cw_grid_csv_row(out, "summary", "", "input", r->source);
    cw_grid_csv_count(out, "summary", "", "complaints", r->complaints);
    cw_grid_csv_count(out, "summary", "", "bytes", r->bytes);
    if (s & CW_COVERAGE_SUMMARY) {
        static const char *const names[] = {"uncategorised", "with_1", "with_2", "with_3_or_more"};
        for (int i = 0; i < 4; i++) {
            cw_grid_csv_count(out, "summary", "", names[i], r->by_count[i]);
            char metric[40];
            snprintf(metric, sizeof(metric), "%s_share", names[i]);
            cw_grid_csv_number(out, "summary", "", metric, share(r->by_count[i], r->complaints));
        }
    }
    for (size_t k = 0;
         (s & (CW_COVERAGE_SYMPTOMS | CW_COVERAGE_SUPPRESSED)) && k < r->rules->symptom_count;
         k++) {
        const char *id = r->rules->symptoms[k].id;
        const cw_coverage_symptom *x = &r->symptoms[k];
        cw_grid_csv_count(out, "symptom", id, "matched", x->matched);
        cw_grid_csv_number(out, "symptom", id, "share", share(x->matched, r->complaints));
        cw_grid_csv_count(out, "symptom", id, "only", x->only);
        cw_grid_csv_count(out, "symptom", id, "negated", x->stats.negated);
        cw_grid_csv_count(out, "symptom", id, "vetoed", x->stats.vetoed);
        cw_grid_csv_count(out, "symptom", id, "held_all", x->stats.held_all);
        cw_grid_csv_count(out, "symptom", id, "held_where", x->stats.held_where);
    }
    if (s & (CW_COVERAGE_ENTRIES | CW_COVERAGE_SUPPRESSED))
        csv_entries(out, r);
    for (size_t i = 0; (s & CW_COVERAGE_OVERLAPS) && i < r->pair_count && i < r->params->top; i++) {
        char pair[200];
        snprintf(pair, sizeof(pair), "%s+%s", r->rules->symptoms[r->pairs[i].a].id,
                 r->rules->symptoms[r->pairs[i].b].id);
        cw_grid_csv_count(out, "overlap", pair, "complaints", r->pairs[i].both);
        cw_grid_csv_number(out, "overlap", pair, "jaccard", r->pairs[i].jaccard);
    }
    if (s & CW_COVERAGE_SUGGESTIONS) {
        csv_phrases(out, "suggestion", r->suggestions, r->suggestion_count, &SUGGESTION_ROLES);
        csv_phrases(out, "synonym", r->synonyms, r->synonym_count, &SYNONYM_ROLES);
    }
    if ((s & CW_COVERAGE_LABELS) && r->score != NULL)
        csv_labels(out, r);
}

/* ---- JSON (docs/coverage.schema.json) ------------------------------------------------------- */

static json_t *count(unsigned long long v)
{
    return json_integer((json_int_t)v);
}

static json_t *number(double v)
{
    return cw_json_number(v, CW_JSON_REPORT_DIGITS);
}

static json_t *json_phrases(const cw_topk_item *items, size_t n, const role_names *names)
{
    bool synonyms = names->aux != NULL;
    int which = synonyms ? 1 : 0;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const cw_topk_item *it = &items[i];
        json_t *o = json_pack("{s:o,s:o,s:o,s:o}", "phrase", cw_grid_json_text(it->text), "g2",
                              number(it->g2), names->target, count(it->count[CW_TOPK_TARGET]),
                              names->reference, count(it->count[CW_TOPK_REFERENCE]));
        if (synonyms)
            o = cw_json_put(o, names->aux, count(it->count[CW_TOPK_AUX]));
        o = cw_json_put(o, "error", count(it->error));
        json_t *examples = json_array();
        for (unsigned e = 0; e < CW_TOPK_EXAMPLES && it->examples[which][e][0] != '\0'; e++)
            examples = cw_json_push(examples, cw_grid_json_text(it->examples[which][e]));
        a = cw_json_push(a, cw_json_put(o, "examples", examples));
    }
    return a;
}

static json_t *json_ids(char (*ids)[CW_LABEL_SCORE_ID_MAX + 1], size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        a = cw_json_push(a, cw_grid_json_text(ids[i]));
    return a;
}

static json_t *json_confusion(const cw_coverage_report *r)
{
    const cw_labels *l = r->params->labels;
    size_t classes = cw_labels_class_count(l), negatives = cw_labels_negative_count(l);
    json_t *columns = json_array(), *rows = json_array();
    for (size_t k = 0; k < classes; k++)
        columns = cw_json_push(columns, cw_grid_json_text(cw_labels_class_name(l, k)));
    columns = cw_json_push(columns, json_string("(none)"));
    for (size_t rix = 0; rix < classes + negatives; rix++) {
        json_t *counts = json_array();
        for (size_t k = 0; k <= classes; k++)
            counts = cw_json_push(counts, count(cw_label_score_confusion(r->score, rix, k)));
        rows = cw_json_push(rows, json_pack("{s:o,s:o}", "label",
                                            cw_grid_json_text(row_name(r, rix)), "counts", counts));
    }
    return json_pack("{s:o,s:o}", "columns", columns, "rows", rows);
}

static json_t *json_labels(const cw_coverage_report *r)
{
    const cw_labels *l = r->params->labels;
    json_t *classes = json_array();
    for (size_t k = 0; k < cw_labels_class_count(l); k++) {
        cw_coverage_class *x = &r->classes[k];
        const cw_class_score *sc = &x->score;
        classes = cw_json_push(
            classes,
            json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o}", "class",
                      cw_grid_json_text(cw_labels_class_name(l, k)), "support", count(sc->support),
                      "predicted", count(sc->predicted), "tp", count(sc->tp), "fp", count(sc->fp),
                      "fn", count(sc->fn), "precision", number(sc->precision), "recall",
                      number(sc->recall), "f1", number(sc->f1), "cell", (int)sc->cell,
                      "missed_phrases", json_phrases(x->missed, x->missed_count, &MISSED_ROLES),
                      "false_positives", json_ids(x->score.fp_examples, x->score.fp_count),
                      "false_negatives", json_ids(x->score.fn_examples, x->score.fn_count)));
    }
    return json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o},s:o}", "classes", classes, "macro_f1",
        number(r->macro_f1), "cells", count(r->cells), "min_support", count(r->params->min_support),
        "scored",
        count(cw_label_score_count(r->score, CW_LABEL_CLASS) +
              cw_label_score_count(r->score, CW_LABEL_NEGATIVE)),
        "not_scored", "ignored", count(cw_label_score_count(r->score, CW_LABEL_IGNORED)),
        "below_strength", count(cw_label_score_count(r->score, CW_LABEL_BELOW)), "unlabelled",
        count(cw_label_score_count(r->score, CW_LABEL_NONE)), "confusion", json_confusion(r));
}

static json_t *json_entries(const cw_coverage_report *r, json_t **dead)
{
    size_t n = cw_matcher_entry_count(r->matcher);
    json_t *a = json_array();
    *dead = json_array();
    for (size_t i = 0; i < n; i++) {
        const cw_entry *e = cw_matcher_entry(r->matcher, i);
        const cw_entry_stats *st = &r->stats->entries[i];
        bool untracked = e->kind == CW_ENTRY_TERM && !e->tracked;
        char loc[300], text[300];
        location(loc, sizeof(loc), r->rules, e);
        entry_text(text, sizeof(text), r->rules, e);
        a = cw_json_push(
            a, json_pack("{s:o,s:s,s:o,s:o,s:o,s:o,s:o}", "location", cw_grid_json_text(loc),
                         "kind", kind_name(e->kind), e->kind == CW_ENTRY_TERM ? "term" : "symptom",
                         cw_grid_json_text(owner(r->rules, e)), "text", cw_grid_json_text(text),
                         "hits", untracked ? json_null() : count(st->hits), "negated",
                         untracked ? json_null() : count(st->negated), "suppressed",
                         untracked ? json_null() : count(st->suppressed)));
        if (!untracked && st->hits == 0)
            *dead = cw_json_push(*dead, cw_grid_json_text(loc));
    }
    return a;
}

static json_t *json_symptoms(const cw_coverage_report *r)
{
    json_t *a = json_array();
    for (size_t k = 0; k < r->rules->symptom_count; k++) {
        const cw_coverage_symptom *x = &r->symptoms[k];
        a = cw_json_push(
            a, json_pack("{s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:o}}", "id",
                         cw_grid_json_text(r->rules->symptoms[k].id), "name",
                         cw_grid_json_text(r->rules->symptoms[k].name), "matched",
                         count(x->matched), "share", number(share(x->matched, r->complaints)),
                         "only", count(x->only), "suppressed", "negation", count(x->stats.negated),
                         "veto", count(x->stats.vetoed), "all", count(x->stats.held_all), "where",
                         count(x->stats.held_where)));
    }
    return a;
}

static json_t *json_overlaps(const cw_coverage_report *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->pair_count && i < r->params->top; i++)
        a = cw_json_push(a, json_pack("{s:o,s:o,s:o,s:o}", "a",
                                      cw_grid_json_text(r->rules->symptoms[r->pairs[i].a].id), "b",
                                      cw_grid_json_text(r->rules->symptoms[r->pairs[i].b].id),
                                      "complaints", count(r->pairs[i].both), "jaccard",
                                      number(r->pairs[i].jaccard)));
    return a;
}

/* The sections asked for, in the order docs/coverage.schema.json lists them. */
static json_t *json_report(const cw_coverage_report *r)
{
    unsigned s = r->params->sections;
    json_t *doc =
        json_pack("{s:s,s:o,s:o,s:o,s:o}", "schema", CW_COVERAGE_JSON_SCHEMA, "rules",
                  cw_grid_json_text(r->rules->path), "input", cw_grid_json_text(r->source),
                  "complaints", count(r->complaints), "bytes", count(r->bytes));
    if (s & CW_COVERAGE_SUMMARY) {
        doc = cw_json_put(doc, "uncategorised",
                          json_pack("{s:o,s:o}", "count", count(r->by_count[0]), "share",
                                    number(share(r->by_count[0], r->complaints))));
        doc = cw_json_put(doc, "by_symptom_count",
                          json_pack("{s:o,s:o,s:o,s:o}", "0", count(r->by_count[0]), "1",
                                    count(r->by_count[1]), "2", count(r->by_count[2]), "3+",
                                    count(r->by_count[3])));
    }
    if (s & (CW_COVERAGE_SYMPTOMS | CW_COVERAGE_SUPPRESSED))
        doc = cw_json_put(doc, "symptoms", json_symptoms(r));
    if (s & (CW_COVERAGE_ENTRIES | CW_COVERAGE_SUPPRESSED)) {
        json_t *dead;
        doc = cw_json_put(doc, "entries", json_entries(r, &dead));
        doc = cw_json_put(doc, "dead_entries", dead);
    }
    if (s & CW_COVERAGE_OVERLAPS)
        doc = cw_json_put(doc, "overlaps", json_overlaps(r));
    if (s & CW_COVERAGE_SUGGESTIONS) {
        doc = cw_json_put(
            doc, "suggestions",
            json_pack("{s:o,s:o,s:i,s:o}", "uncategorised", count(r->suggest_target), "matched",
                      count(r->suggest_reference), "capacity", (int)CW_COVERAGE_SKETCH, "phrases",
                      json_phrases(r->suggestions, r->suggestion_count, &SUGGESTION_ROLES)));
        doc = cw_json_put(
            doc, "synonyms",
            r->params->suggest < 0
                ? json_null()
                : json_pack("{s:o,s:o}", "symptom",
                            cw_grid_json_text(r->rules->symptoms[r->params->suggest].id), "phrases",
                            json_phrases(r->synonyms, r->synonym_count, &SYNONYM_ROLES)));
    }
    if (s & CW_COVERAGE_LABELS)
        doc = cw_json_put(doc, "labels", r->score == NULL ? json_null() : json_labels(r));
    return doc;
}

int cw_coverage_write(FILE *out, const cw_coverage_report *r, cw_coverage_format format,
                      cw_error *err)
{
    switch (format) {
    case CW_COVERAGE_TABLE:
        return write_human(out, r, CW_GRID_PLAIN, err);
    case CW_COVERAGE_MARKDOWN:
        return write_human(out, r, CW_GRID_MARKDOWN, err);
    case CW_COVERAGE_CSV:
        write_csv(out, r);
        return 0;
    case CW_COVERAGE_JSON:
        return cw_json_write(out, json_report(r), CW_JSON_REPORT_DIGITS, err);
    }
    return 0;
}
