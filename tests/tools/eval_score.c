/*
 * eval_score.c - the data side of `make eval` (tests/tools/eval.sh drives it).
 *
 *   eval_score prepare -t TEXT_COL -l LABEL_COL [-i ID_COL] [-s STRENGTH_COL]
 *                      [-m MAP_CSV] IN_CSV BODIES_OUT LABELS_OUT
 *       Read an RFC 4180 CSV (quoted fields may span lines) and write
 *       BODIES_OUT as CSV `id,body` (the input of `causeway classify
 *       --format csv`) and LABELS_OUT as `id,class,strength`. Without -i the id
 *       is the 1-based data row number (as `causeway classify -i csv` numbers
 *       records without an id column). BODIES_OUT "-" skips the bodies. With -m the label is looked
 * up in MAP_CSV (first column = label, columns `symptom_class` and `label_strength`), as for
 * BANKING77 intents.
 *
 *   eval_score score DATASET LABELS PREDICTIONS EVAL_CLASSES
 *       LABELS is `id,class,strength`; PREDICTIONS is the CSV output of
 *       `causeway classify` (columns id and symptoms, ';'-joined), one row
 *       per complaint;
 *       EVAL_CLASSES maps `symptom_id,eval_class`. Prints, per label-strength
 *       group, per-class precision, recall, F1 and support.
 *
 *   eval_score symptoms GEN_DEBUG PREDICTIONS
 *       Per-symptom scores on sample data whose intended symptoms are known
 *       (see cmd_symptoms).
 *
 * Scoring a multi-label prediction against a single label, one-vs-rest per
 * class: a complaint's predicted classes are the evaluation classes of every
 * symptom that fired, minus `other`; when that set is empty the prediction is
 * {other}. For class C a complaint is predicted-positive when C is among its
 * predicted classes and actually-positive when its label is C. Precision =
 * TP / predicted-positive, recall = TP / actually-positive (= support), over
 * the complaints of the group. So a complaint labelled billing that also shows
 * a delay counts as a false positive for delay_wait: the labels name one
 * symptom per complaint, and the numbers are a lower bound for precision.
 *
 * Groups: each label strength on its own (strong, medium, weak), strong+medium
 * (the trustworthy labels), strong+medium+other (the same plus complaints
 * labelled `other`, which test false positives on non-complaints), and all.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const class_names[] = {
    "order_mixup", "discourtesy",     "billing_transaction_error",         "digital_malfunction",
    "delay_wait",  "product_quality", "communication_information_failure", "other"};
#define NCLASSES (sizeof(class_names) / sizeof(class_names[0]))
#define OTHER    (NCLASSES - 1)

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

/* ---- RFC 4180 reader ------------------------------------------------------ */

typedef struct record {
    char **fields;
    size_t count;
    size_t cap;
} record;

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
} buf;

static void buf_put(buf *b, char c)
{
    if (b->len + 1 >= b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->data = xrealloc(b->data, b->cap);
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

static void record_clear(record *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->fields[i]);
    r->count = 0;
}

static void record_push(record *r, buf *b)
{
    if (r->count == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->fields = xrealloc(r->fields, r->cap * sizeof(*r->fields));
    }
    r->fields[r->count++] = xstrdup(b->data != NULL ? b->data : "");
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

/* Read one record; false at end of input. A quoted field may contain commas,
 * doubled quotes and line breaks; CRLF and LF both end a record. */
static bool read_record(FILE *f, record *r)
{
    buf b = {0};
    record_clear(r);
    int c = getc(f);
    if (c == EOF)
        return false;
    bool quoted = false;
    bool at_start = true;
    for (;; c = getc(f)) {
        if (quoted) {
            if (c == EOF)
                die("unterminated quoted field at end of input");
            if (c == '"') {
                int d = getc(f);
                if (d == '"') {
                    buf_put(&b, '"');
                    continue;
                }
                quoted = false;
                ungetc(d, f);
                continue;
            }
            buf_put(&b, (char)c);
            continue;
        }
        if (c == '"' && at_start) {
            quoted = true;
            at_start = false;
            continue;
        }
        if (c == ',') {
            record_push(r, &b);
            at_start = true;
            continue;
        }
        if (c == '\r') {
            int d = getc(f);
            if (d != '\n')
                ungetc(d, f);
            c = '\n';
        }
        if (c == '\n' || c == EOF) {
            record_push(r, &b);
            break;
        }
        buf_put(&b, (char)c);
        at_start = false;
    }
    free(b.data);
    return true;
}

static long column(const record *header, const char *name)
{
    for (size_t i = 0; i < header->count; i++)
        if (strcmp(header->fields[i], name) == 0)
            return (long)i;
    return -1;
}

static FILE *open_or_die(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (f == NULL)
        die("%s: %s", path, strerror(errno));
    return f;
}

static void write_csv_field(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* "n/a (inquiry ...)" -> "n/a"; empty -> "n/a". */
static const char *strength_word(const char *s, char *tmp, size_t size)
{
    size_t n = strcspn(s, " (");
    if (n == 0)
        return "n/a";
    if (n >= size)
        n = size - 1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return tmp;
}

/* ---- a tiny string map ---------------------------------------------------- */

typedef struct map {
    char **keys;
    char **a;
    char **b;
    size_t count;
} map;

static void map_put(map *m, const char *k, const char *a, const char *b)
{
    m->keys = xrealloc(m->keys, (m->count + 1) * sizeof(char *));
    m->a = xrealloc(m->a, (m->count + 1) * sizeof(char *));
    m->b = xrealloc(m->b, (m->count + 1) * sizeof(char *));
    m->keys[m->count] = xstrdup(k);
    m->a[m->count] = xstrdup(a);
    m->b[m->count] = xstrdup(b != NULL ? b : "");
    m->count++;
}

static long map_find(const map *m, const char *k)
{
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->keys[i], k) == 0)
            return (long)i;
    return -1;
}

static void map_free(map *m)
{
    for (size_t i = 0; i < m->count; i++) {
        free(m->keys[i]);
        free(m->a[i]);
        free(m->b[i]);
    }
    free(m->keys);
    free(m->a);
    free(m->b);
}

/* ---- prepare -------------------------------------------------------------- */

static int cmd_prepare(int argc, char **argv)
{
    const char *text_col = NULL, *label_col = NULL, *id_col = NULL, *strength_col = NULL;
    const char *map_path = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "t:l:i:s:m:")) != -1) {
        switch (opt) {
        case 't':
            text_col = optarg;
            break;
        case 'l':
            label_col = optarg;
            break;
        case 'i':
            id_col = optarg;
            break;
        case 's':
            strength_col = optarg;
            break;
        case 'm':
            map_path = optarg;
            break;
        default:
            return 2;
        }
    }
    if (text_col == NULL || label_col == NULL || argc - optind != 3)
        die("usage: eval_score prepare -t TEXT -l LABEL [-i ID] [-s STRENGTH] [-m MAP] IN "
            "BODIES|- LABELS");
    map labels = {0};
    record r = {0};
    if (map_path != NULL) {
        FILE *mf = open_or_die(map_path, "r");
        if (!read_record(mf, &r))
            die("%s: empty", map_path);
        long mc = column(&r, "symptom_class");
        long ms = column(&r, "label_strength");
        if (mc < 0 || ms < 0)
            die("%s: needs symptom_class and label_strength columns", map_path);
        while (read_record(mf, &r))
            if (r.count > (size_t)mc && r.count > (size_t)ms)
                map_put(&labels, r.fields[0], r.fields[mc], r.fields[ms]);
        fclose(mf);
    }
    FILE *in = open_or_die(argv[optind], "r");
    bool want_bodies = strcmp(argv[optind + 1], "-") != 0;
    FILE *bodies = open_or_die(want_bodies ? argv[optind + 1] : "/dev/null", "w");
    FILE *out = open_or_die(argv[optind + 2], "w");
    if (!read_record(in, &r))
        die("%s: empty", argv[optind]);
    long ct = column(&r, text_col), cl = column(&r, label_col);
    long ci = id_col != NULL ? column(&r, id_col) : -1;
    long cs = strength_col != NULL ? column(&r, strength_col) : -1;
    if (ct < 0 || cl < 0 || (id_col != NULL && ci < 0) || (strength_col != NULL && cs < 0))
        die("%s: missing a named column", argv[optind]);
    fputs("id,body\n", bodies);
    fputs("id,class,strength\n", out);
    size_t row = 0, skipped = 0;
    char idbuf[32], tmp[32];
    while (read_record(in, &r)) {
        row++;
        size_t need = (size_t)(ct > cl ? ct : cl);
        if (r.count <= need || (ci >= 0 && r.count <= (size_t)ci) ||
            (cs >= 0 && r.count <= (size_t)cs)) {
            skipped++;
            continue;
        }
        const char *id =
            ci >= 0 ? r.fields[ci] : (snprintf(idbuf, sizeof(idbuf), "%zu", row), idbuf);
        const char *cls = r.fields[cl];
        const char *strength = cs >= 0 ? r.fields[cs] : "n/a";
        if (map_path != NULL) {
            long k = map_find(&labels, cls);
            if (k < 0)
                die("label '%s' is not in %s", cls, map_path);
            cls = labels.a[k];
            strength = labels.b[k];
        }
        if (r.fields[ct][0] == '\0' || strchr(id, ',') != NULL) {
            skipped++;
            continue;
        }
        write_csv_field(bodies, id);
        fputc(',', bodies);
        write_csv_field(bodies, r.fields[ct]);
        fputc('\n', bodies);
        fprintf(out, "%s,%s,%s\n", id, cls, strength_word(strength, tmp, sizeof(tmp)));
    }
    if (skipped > 0)
        fprintf(stderr, "eval_score: %s: skipped %zu malformed or empty rows\n", argv[optind],
                skipped);
    record_clear(&r);
    free(r.fields);
    map_free(&labels);
    fclose(in);
    if (fclose(bodies) != 0 || fclose(out) != 0)
        die("write failed: %s", strerror(errno));
    return 0;
}

/* ---- score ---------------------------------------------------------------- */

typedef struct item {
    char *id;
    size_t label;  /* class index */
    int strength;  /* 0 strong, 1 medium, 2 weak, 3 n/a */
    unsigned pred; /* bit set of predicted classes (before the empty -> other rule) */
} item;

static long class_index(const char *name)
{
    for (size_t i = 0; i < NCLASSES; i++)
        if (strcmp(name, class_names[i]) == 0)
            return (long)i;
    return -1;
}

static int strength_index(const char *s)
{
    if (strcmp(s, "strong") == 0)
        return 0;
    if (strcmp(s, "medium") == 0)
        return 1;
    if (strcmp(s, "weak") == 0)
        return 2;
    return 3;
}

static int cmp_item(const void *a, const void *b)
{
    return strcmp(((const item *)a)->id, ((const item *)b)->id);
}

typedef struct group {
    const char *name;
    unsigned strengths; /* bit set over strength_index */
    bool include_other; /* also complaints labelled other (any strength) */
} group;

static void print_group(const char *dataset, const group *g, const item *items, size_t n)
{
    size_t tp[NCLASSES] = {0}, pp[NCLASSES] = {0}, sup[NCLASSES] = {0};
    size_t total = 0, covered = 0;
    for (size_t i = 0; i < n; i++) {
        const item *it = &items[i];
        bool in = (g->strengths >> it->strength) & 1u;
        if (g->include_other && it->label == OTHER)
            in = true;
        if (!in)
            continue;
        total++;
        unsigned pred = it->pred & ~(1u << OTHER);
        if (pred == 0)
            pred = 1u << OTHER;
        sup[it->label]++;
        if ((pred >> it->label) & 1u)
            covered++;
        for (size_t c = 0; c < NCLASSES; c++) {
            if (!((pred >> c) & 1u))
                continue;
            pp[c]++;
            if (it->label == c)
                tp[c]++;
        }
    }
    if (total == 0)
        return;
    printf("\n%s, labels %s: %zu complaints; label among predicted classes: %.1f%%\n", dataset,
           g->name, total, 100.0 * (double)covered / (double)total);
    printf("  %-34s %9s %9s %6s %8s %10s\n", "class", "precision", "recall", "F1", "support",
           "predicted");
    for (size_t c = 0; c < NCLASSES; c++) {
        if (sup[c] == 0 && pp[c] == 0)
            continue;
        double p = pp[c] ? (double)tp[c] / (double)pp[c] : 0.0;
        double r = sup[c] ? (double)tp[c] / (double)sup[c] : 0.0;
        double f = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
        char ps[16], rs[16], fs[16];
        snprintf(ps, sizeof(ps), pp[c] ? "%.3f" : "-", p);
        snprintf(rs, sizeof(rs), sup[c] ? "%.3f" : "-", r);
        snprintf(fs, sizeof(fs), pp[c] && sup[c] ? "%.3f" : "-", f);
        printf("  %-34s %9s %9s %6s %8zu %10zu\n", class_names[c], ps, rs, fs, sup[c], pp[c]);
    }
}

static int cmd_score(int argc, char **argv)
{
    if (argc != 5)
        die("usage: eval_score score DATASET LABELS PREDICTIONS EVAL_CLASSES");
    const char *dataset = argv[1];
    record r = {0};
    map classes = {0};
    FILE *f = open_or_die(argv[4], "r");
    read_record(f, &r);
    while (read_record(f, &r)) {
        if (r.count < 2)
            continue;
        if (class_index(r.fields[1]) < 0)
            die("%s: unknown evaluation class '%s'", argv[4], r.fields[1]);
        map_put(&classes, r.fields[0], r.fields[1], NULL);
    }
    fclose(f);

    item *items = NULL;
    size_t n = 0;
    f = open_or_die(argv[2], "r");
    read_record(f, &r);
    while (read_record(f, &r)) {
        if (r.count < 3)
            continue;
        long c = class_index(r.fields[1]);
        if (c < 0)
            die("%s: unknown class '%s'", argv[2], r.fields[1]);
        items = xrealloc(items, (n + 1) * sizeof(*items));
        items[n] = (item){xstrdup(r.fields[0]), (size_t)c, strength_index(r.fields[2]), 0};
        n++;
    }
    fclose(f);
    qsort(items, n, sizeof(*items), cmp_item);

    size_t unknown = 0, rows = 0;
    f = open_or_die(argv[3], "r");
    if (!read_record(f, &r))
        die("%s: empty", argv[3]);
    long pid = column(&r, "id"), psym = column(&r, "symptoms");
    if (pid < 0 || psym < 0)
        die("%s: expected the columns id and symptoms of causeway classify", argv[3]);
    while (read_record(f, &r)) {
        if (r.count <= (size_t)(pid > psym ? pid : psym))
            die("%s: short row %zu", argv[3], rows + 1);
        rows++;
        item key = {.id = r.fields[pid]};
        item *it = bsearch(&key, items, n, sizeof(*items), cmp_item);
        if (it == NULL)
            die("%s: prediction for unknown id '%s'", argv[3], r.fields[pid]);
        char *save = NULL;
        for (char *sym = strtok_r(r.fields[psym], ";", &save); sym != NULL;
             sym = strtok_r(NULL, ";", &save)) {
            long k = map_find(&classes, sym);
            if (k < 0)
                unknown++;
            else
                it->pred |= 1u << class_index(classes.a[k]);
        }
    }
    fclose(f);
    if (rows != n)
        die("%s has %zu complaints but %s has %zu labels", argv[3], rows, argv[2], n);
    if (unknown > 0)
        fprintf(stderr, "eval_score: %zu predictions name symptoms not in %s (ignored)\n", unknown,
                argv[4]);

    static const group groups[] = {
        {"strong", 1u << 0, false},
        {"medium", 1u << 1, false},
        {"weak", 1u << 2, false},
        {"strong+medium", (1u << 0) | (1u << 1), false},
        {"strong+medium+other", (1u << 0) | (1u << 1), true},
        {"all", 0xfu, false},
    };
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        print_group(dataset, &groups[g], items, n);

    for (size_t i = 0; i < n; i++)
        free(items[i].id);
    free(items);
    record_clear(&r);
    free(r.fields);
    map_free(&classes);
    return 0;
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
    FILE *p = open_or_die(argv[2], "r");
    record r = {0};
    if (!read_record(p, &r))
        die("%s: empty", argv[2]);
    long pid = column(&r, "id"), psym = column(&r, "symptoms");
    if (pid < 0 || psym < 0)
        die("%s: expected the columns id and symptoms of causeway classify", argv[2]);
    sym_count *v = NULL;
    size_t n = 0, rows = 0;
    char *line = NULL;
    size_t cap = 0;
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
        if (!read_record(p, &r) || r.count <= (size_t)(pid > psym ? pid : psym))
            die("%s: fewer rows than %s", argv[2], argv[1]);
        if (strcmp(f[0], r.fields[pid]) != 0)
            die("row %zu: id '%s' in %s but '%s' in %s", rows + 1, f[0], argv[1], r.fields[pid],
                argv[2]);
        count_list(&v, &n, f[6], r.fields[psym], ',', ';', true);
        count_list(&v, &n, r.fields[psym], f[6], ';', ',', false);
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
    record_clear(&r);
    free(r.fields);
    fclose(t);
    fclose(p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "prepare") == 0)
        return cmd_prepare(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "score") == 0)
        return cmd_score(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "symptoms") == 0)
        return cmd_symptoms(argc - 1, argv + 1);
    fprintf(stderr, "usage: eval_score prepare|score|symptoms ...\n");
    return 2;
}
