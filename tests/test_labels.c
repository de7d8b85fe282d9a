/* test_labels.c - label maps, class maps, strengths and the scores (labels.h, label_score.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "causeway/corpus/labels.h"
#include "causeway/corpus/label_score.h"

#define COV "tests/data/coverage/"

typedef struct fixture {
    cw_rules *rules;
    cw_labels *labels;
    cw_log log;
    cw_error err;
    char *diag;
    size_t diag_len;
    FILE *diag_f;
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof(*f));
    cw_error_clear(&f->err);
    cr_assert_eq(cw_rules_load(&f->rules, COV "rules.yaml", stderr, &f->err), 0);
    f->diag_f = open_memstream(&f->diag, &f->diag_len);
    cw_log_init(&f->log, f->diag_f, "causeway", CW_LOG_WARN);
}

static void teardown(fixture *f)
{
    cw_labels_free(f->labels);
    cw_rules_free(f->rules);
    fclose(f->diag_f);
    free(f->diag);
}

static int load(fixture *f, cw_labels_options *o)
{
    if (o->negative_count == 0) {
        o->negative[o->negative_count++] = "not_complaint";
        o->ignored[o->ignored_count++] = "other";
    }
    const cw_rules *rs[] = {f->rules};
    int rc = cw_labels_load(&f->labels, o, rs, 1, &f->log, &f->err);
    fflush(f->diag_f);
    return rc;
}

static cw_label resolve(fixture *f, const char *label, const char *strength)
{
    cw_label out = {CW_LABEL_KINDS, 99};
    cr_assert_eq(cw_labels_resolve(&out, f->labels, label, strength, "data.csv", 7, "c1", &f->err),
                 0, "%s", f->err.message);
    return out;
}

static void expect(fixture *f, const char *label, const char *strength, cw_label_kind kind,
                   const char *name)
{
    cw_label got = resolve(f, label, strength);
    cr_assert_eq(got.kind, kind, "'%s': kind %d, want %d", label, got.kind, kind);
    if (kind == CW_LABEL_CLASS)
        cr_assert_str_eq(cw_labels_class_name(f->labels, got.index), name, "'%s'", label);
    if (kind == CW_LABEL_NEGATIVE)
        cr_assert_str_eq(cw_labels_negative_name(f->labels, got.index), name, "'%s'", label);
}

Test(labels, without_a_class_map_every_symptom_is_a_class)
{
    fixture f;
    setup(&f);
    cw_labels_options o = {0};
    cr_assert_eq(load(&f, &o), 0, "%s", f.err.message);
    cr_assert_eq(cw_labels_class_count(f.labels), 4);
    cr_assert_str_eq(cw_labels_class_name(f.labels, 0), "rude");
    cr_assert_str_eq(cw_labels_class_name(f.labels, 3), "refund");
    expect(&f, "late", NULL, CW_LABEL_CLASS, "late");
    expect(&f, " crash ", NULL, CW_LABEL_CLASS, "crash");
    expect(&f, "not_complaint", NULL, CW_LABEL_NEGATIVE, "not_complaint");
    expect(&f, "other", NULL, CW_LABEL_IGNORED, NULL);
    expect(&f, "", NULL, CW_LABEL_NONE, NULL);
    expect(&f, NULL, NULL, CW_LABEL_NONE, NULL);
    cw_label out;
    cr_assert_eq(
        cw_labels_resolve(&out, f.labels, "lost_parcel", NULL, "data.csv", 7, "c1", &f.err), -1);
    cr_assert_eq(f.err.code, CW_EXIT_DATAERR);
    cr_assert_str_eq(f.err.file, "data.csv");
    cr_assert_eq(f.err.line, 7);
    cr_assert_str_eq(f.err.message,
                     "label 'lost_parcel' is no class, symptom, negative or ignored label");
    teardown(&f);
}

Test(labels, a_class_map_names_the_classes_and_symptom_labels_take_theirs)
{
    fixture f;
    setup(&f);
    cw_labels_options o = {.class_map = COV "classes.csv"};
    cr_assert_eq(load(&f, &o), 0, "%s", f.err.message);
    cr_assert_eq(cw_labels_class_count(f.labels), 3);
    cr_assert_str_eq(cw_labels_class_name(f.labels, 1), "delay_wait");
    expect(&f, "delay_wait", NULL, CW_LABEL_CLASS, "delay_wait");
    expect(&f, "late", NULL, CW_LABEL_CLASS, "delay_wait");
    expect(&f, "refund", NULL, CW_LABEL_IGNORED, NULL); /* not in the class map */
    cr_assert_str_eq(f.diag, "causeway: warning: 1 symptom not in the class map predicts no "
                             "class: refund\n");
    /* Hits of rude, late and refund predict discourtesy and delay_wait, sorted, once. */
    cw_hit hits[] = {{1, 0, 1}, {0, 0, 1}, {3, 0, 1}, {1, 2, 3}};
    size_t pred[3];
    cr_assert_eq(cw_labels_predict(f.labels, 0, hits, 4, pred), 2);
    cr_assert_eq(pred[0], 0);
    cr_assert_eq(pred[1], 1);
    teardown(&f);
}

Test(labels, a_class_map_naming_an_unknown_symptom_is_an_error_at_its_line)
{
    fixture f;
    setup(&f);
    cw_labels_options o = {.class_map = COV "classes_unknown.csv"};
    cr_assert_eq(load(&f, &o), -1);
    cr_assert_null(f.labels);
    cr_assert_eq(f.err.code, CW_EXIT_DATAERR);
    cr_assert_str_eq(f.err.file, COV "classes_unknown.csv");
    cr_assert_eq(f.err.line, 3);
    cr_assert_str_eq(f.err.message, "unknown symptom 'laet' (not in the rule set)");
    o.class_map = COV "no_such_file.csv";
    cw_error_clear(&f.err);
    cr_assert_eq(load(&f, &o), -1);
    cr_assert_eq(f.err.code, CW_EXIT_NOINPUT);
    teardown(&f);
}

Test(labels, a_label_map_with_named_columns_gives_values_and_strengths)
{
    fixture f;
    setup(&f);
    cw_labels_options o = {.class_map = COV "classes.csv",
                           .label_map = COV "label_map.csv",
                           .label_map_columns = "intent,class,label_strength",
                           .min_strength = CW_STRENGTH_MEDIUM};
    cr_assert_eq(load(&f, &o), 0, "%s", f.err.message);
    expect(&f, "rude_staff", NULL, CW_LABEL_CLASS, "discourtesy"); /* a symptom id */
    expect(&f, "waiting", NULL, CW_LABEL_CLASS, "delay_wait");
    expect(&f, "crashed", NULL, CW_LABEL_BELOW, NULL); /* weak */
    expect(&f, "thanks", NULL, CW_LABEL_NEGATIVE, "not_complaint");
    expect(&f, "misc", NULL, CW_LABEL_IGNORED, NULL);
    expect(&f, "blank", NULL, CW_LABEL_NONE, NULL);
    cw_label out;
    cr_assert_eq(cw_labels_resolve(&out, f.labels, "delay_wait", NULL, NULL, 0, "c9", &f.err), -1,
                 "the map decides: a class name not in it is unknown");
    cr_assert_str_eq(f.err.message,
                     "label 'delay_wait' is not in the label map " COV "label_map.csv");
    cr_assert_str_eq(f.err.detail, "complaint c9");
    teardown(&f);
}

Test(labels, a_label_map_value_naming_an_unknown_symptom_is_an_error_at_its_line)
{
    fixture f;
    setup(&f);
    cw_labels_options o = {.class_map = COV "classes.csv",
                           .label_map = COV "label_map_unknown.csv"};
    cr_assert_eq(load(&f, &o), -1);
    cr_assert_eq(f.err.code, CW_EXIT_DATAERR);
    cr_assert_eq(f.err.line, 3);
    cr_assert_str_eq(f.err.message, "label 'waiting' maps to 'delay_wiat', which is no class, "
                                    "symptom, negative or ignored label");
    o.label_map = COV "label_map.csv";
    o.label_map_columns = "intent,klass";
    cw_error_clear(&f.err);
    cr_assert_eq(load(&f, &o), -1);
    cr_assert_str_eq(f.err.message, "no column 'klass' in the header row");
    teardown(&f);
}

Test(labels, strengths_come_from_the_complaints_column_first)
{
    fixture f;
    setup(&f);
    cw_labels_options o = {.min_strength = CW_STRENGTH_MEDIUM, .have_strength_column = true};
    cr_assert_eq(load(&f, &o), 0, "%s", f.err.message);
    expect(&f, "late", "strong", CW_LABEL_CLASS, "late");
    expect(&f, "late", "Medium", CW_LABEL_CLASS, "late");
    expect(&f, "late", "weak", CW_LABEL_BELOW, NULL);
    expect(&f, "late", "", CW_LABEL_BELOW, NULL);
    expect(&f, "late", "n/a (inquiry)", CW_LABEL_BELOW, NULL);
    expect(&f, "not_complaint", "weak", CW_LABEL_BELOW, NULL);
    expect(&f, "other", "strong", CW_LABEL_IGNORED, NULL);
    cw_label out;
    cr_assert_eq(cw_labels_resolve(&out, f.labels, "late", "meduim", "d.csv", 3, NULL, &f.err), -1);
    cr_assert_str_eq(f.err.message, "strength 'meduim' is not strong, medium, weak or empty");
    teardown(&f);
    setup(&f);
    cw_labels_options none = {.min_strength = CW_STRENGTH_MEDIUM};
    cr_assert_eq(load(&f, &none), -1, "a minimum strength without any strengths");
    cr_assert_eq(f.err.code, CW_EXIT_USAGE);
    teardown(&f);
}

/* The coverage corpus's labels (tests/data/coverage/corpus.csv, strength medium and up)
 * against its predictions: the numbers of tests/test_coverage.c, through the API. */
Test(score, precision_recall_f1_confusion_and_examples)
{
    fixture f;
    setup(&f);
    cw_labels_options o = {.min_strength = CW_STRENGTH_MEDIUM, .have_strength_column = true};
    cr_assert_eq(load(&f, &o), 0, "%s", f.err.message);
    cw_label_score *s = NULL;
    cr_assert_eq(cw_label_score_new(&s, f.labels, 1, &f.err), 0);
    enum { RUDE, LATE, CRASH, REFUND, NONE = 9 };
    const struct {
        const char *id, *label, *strength;
        size_t pred[2];
    } rows[] = {
        {"c01", "rude", "strong", {RUDE, NONE}},
        {"c02", "rude", "strong", {RUDE, LATE}},
        {"c03", "not_complaint", "medium", {NONE, NONE}},
        {"c04", "rude", "medium", {NONE, NONE}},
        {"c05", "rude", "weak", {RUDE, NONE}},
        {"c06", "late", "strong", {LATE, NONE}},
        {"c07", "not_complaint", "medium", {NONE, NONE}},
        {"c08", "crash", "strong", {CRASH, NONE}},
        {"c09", "crash", "medium", {NONE, NONE}},
        {"c10", "crash", "medium", {NONE, NONE}},
        {"c11", "refund", "strong", {REFUND, NONE}},
        {"c12", "late", "medium", {LATE, REFUND}},
        {"c13", "not_complaint", "medium", {NONE, NONE}},
        {"c14", "other", "weak", {NONE, NONE}},
        {"c15", "other", "medium", {NONE, NONE}},
        {"c16", "", "", {NONE, NONE}},
        {"c17", "late", "medium", {NONE, NONE}},
        {"c18", "late", "medium", {NONE, NONE}},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        size_t pred[2], n = 0;
        for (int k = 0; k < 2; k++)
            if (rows[i].pred[k] != NONE)
                pred[n++] = rows[i].pred[k];
        if (n == 2 && pred[0] > pred[1]) {
            size_t t = pred[0];
            pred[0] = pred[1];
            pred[1] = t;
        }
        cw_label l = resolve(&f, rows[i].label, rows[i].strength);
        cw_label_score_add(s, &l, pred, n, rows[i].id);
    }
    cw_class_score rude = cw_label_score_class(s, RUDE), late = cw_label_score_class(s, LATE),
                   crash = cw_label_score_class(s, CRASH), refund = cw_label_score_class(s, REFUND);
    /* rude: c01 c02 right, c04 missed, c05 weak (not scored). */
    cr_assert_eq(rude.support, 3);
    cr_assert_eq(rude.tp, 2);
    cr_assert_eq(rude.fp, 0);
    cr_assert_eq(rude.fn, 1);
    cr_assert_float_eq(rude.precision, 1.0, 1e-12);
    cr_assert_float_eq(rude.recall, 2.0 / 3.0, 1e-12);
    cr_assert_float_eq(rude.f1, 0.8, 1e-12);
    cr_assert_str_eq(rude.fn_examples[0], "c04");
    /* late: c06 c12 right, c02 (rude) a false positive, c17 c18 missed. */
    cr_assert_eq(late.support, 4);
    cr_assert_eq(late.tp, 2);
    cr_assert_eq(late.fp, 1);
    cr_assert_eq(late.fn, 2);
    cr_assert_float_eq(late.precision, 2.0 / 3.0, 1e-12);
    cr_assert_float_eq(late.recall, 0.5, 1e-12);
    cr_assert_float_eq(late.f1, 4.0 / 7.0, 1e-12);
    cr_assert_str_eq(late.fp_examples[0], "c02");
    cr_assert_eq(late.fn_count, 2);
    cr_assert_str_eq(late.fn_examples[1], "c18");
    cr_assert_float_eq(crash.f1, 0.5, 1e-12);
    cr_assert_float_eq(refund.precision, 0.5, 1e-12);
    cr_assert_float_eq(refund.f1, 2.0 / 3.0, 1e-12);
    size_t cells;
    cr_assert_float_eq(cw_label_score_macro_f1(s, &cells), (0.8 + 4.0 / 7.0 + 0.5 + 2.0 / 3.0) / 4,
                       1e-12);
    cr_assert_eq(cells, 4);
    cr_assert_eq(cw_label_score_confusion(s, RUDE, LATE), 1);
    cr_assert_eq(cw_label_score_confusion(s, RUDE, 4), 1, "c04: nothing predicted");
    cr_assert_eq(cw_label_score_confusion(s, LATE, REFUND), 1);
    cr_assert_eq(cw_label_score_confusion(s, 4, 4), 3, "not_complaint: c03 c07 c13");
    cr_assert_eq(cw_label_score_count(s, CW_LABEL_CLASS), 11);
    cr_assert_eq(cw_label_score_count(s, CW_LABEL_NEGATIVE), 3);
    cr_assert_eq(cw_label_score_count(s, CW_LABEL_BELOW), 1);
    cr_assert_eq(cw_label_score_count(s, CW_LABEL_IGNORED), 2);
    cr_assert_eq(cw_label_score_count(s, CW_LABEL_NONE), 1);
    cw_label_score_free(s);
    /* min_support 2 leaves refund (one complaint) out of macro-F1. */
    cr_assert_eq(cw_label_score_new(&s, f.labels, 2, &f.err), 0);
    cw_label l = resolve(&f, "refund", "strong");
    size_t p = REFUND;
    cw_label_score_add(s, &l, &p, 1, "c11");
    cr_assert(!cw_label_score_class(s, REFUND).cell);
    cw_label_score_macro_f1(s, &cells);
    cr_assert_eq(cells, 0);
    cw_label_score_free(s);
    teardown(&f);
}

Test(labels, a_symptom_mapped_to_an_ignored_label_predicts_nothing_without_a_warning)
{
    fixture f;
    setup(&f);
    cw_labels_options o = {.class_map = COV "classes_other.csv"};
    cr_assert_eq(load(&f, &o), 0, "%s", f.err.message);
    cr_assert_eq(cw_labels_class_count(f.labels), 3, "other is no class");
    cr_assert_eq(f.diag_len, 0, "mapped, so not reported as missing: %s", f.diag);
    cw_hit hits[] = {{3, 0, 1}};
    size_t pred[3];
    cr_assert_eq(cw_labels_predict(f.labels, 0, hits, 1, pred), 0);
    expect(&f, "refund", NULL, CW_LABEL_IGNORED, NULL);
    teardown(&f);
}
