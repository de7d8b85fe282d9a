/*
 * test_coverage.c - `causeway coverage` end to end through the real binary, on a crafted
 * corpus whose every count is known by construction, on the database source, on bad
 * input, and on a million generated complaints under the memory cap.
 *
 * tests/data/coverage/corpus.csv through tests/data/coverage/rules.yaml (18 complaints;
 * channel app for c01, c08, c09, web otherwise):
 *   rude   fires on c01 (agent), c02 (cashier), c05 (shouted + swore); negated in c03
 *          ("No agent was rude"); vetoed in c04 ("rude awakening").
 *   late   fires on c02, c12 ("arrived late") and c06 ("Still waiting": near); negated in
 *          c07 ("not still waiting"); "on the moon" never matches (dead).
 *   crash  fires on c08 only: c09 lacks the `all` entry "again", c10 is not channel app;
 *          "again" is also in c15 (no symptom there).
 *   refund fires on c11 and c12; its veto "refund received" never matches (dead); the term
 *          phrase "waiter" of staff neither (dead).
 * So 7 complaints match: c01 c05 c06 c08 c11 with one symptom, c02 (rude, late) and c12
 * (late, refund) with two; 11 are uncategorised. Overlaps: late+refund 1 of 3+2-1
 * (Jaccard 0.25), rude+late 1 of 3+3-1 (0.2).
 * Suggestions: "box crushed" is in c15-c18 (4 of the 11 uncategorised, none matched),
 * "damaged" in c14-c16 (3): box crushed ranks first; "box" and "crushed" alone are in the
 * same four and are left out.
 * Labels (strength medium and up; other ignored; not_complaint negative): see
 * tests/test_labels.c, score/precision_recall_f1_confusion_and_examples.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "causeway/corpus/topk.h"
#include "support.h"

#define COV    "tests/data/coverage/"
#define RULES  COV "rules.yaml"
#define CORPUS COV "corpus.csv"

static cw_test_output run(const char *const *argv)
{
    cw_test_output r;
    cr_assert_eq(cw_test_run(&r, NULL, NULL, argv), 0);
    return r;
}

/* Coverage of the corpus as CSV rows, with labels; `extra` (NULL-terminated, or NULL)
 * before the file. */
static cw_test_output coverage_csv(const char *const *extra)
{
    const char *argv[32] = {"causeway", "coverage",
                            RULES,      "-i",
                            "csv",      "--channel-column",
                            "channel",  "--label-column",
                            "label",    "--strength-column",
                            "strength", "--min-strength",
                            "medium",   "-f",
                            "csv"};
    size_t n = 15;
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
        argv[n++] = extra[i];
    argv[n++] = CORPUS;
    argv[n] = NULL;
    cw_test_output r = run(argv);
    cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
    return r;
}

/* The output has this exact line. */
static void has_line(const cw_test_output *r, const char *line)
{
    cr_assert(cw_test_has_line(r->out, line), "no line '%s' in:\n%s", line, r->out);
}

static void has_linef(const cw_test_output *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void has_linef(const cw_test_output *r, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    has_line(r, line);
}

static void symptom(const cw_test_output *r, const char *id, int matched, int only, int negated,
                    int vetoed, int held_all, int held_where)
{
    has_linef(r, "symptom,%s,matched,%d", id, matched);
    has_linef(r, "symptom,%s,only,%d", id, only);
    has_linef(r, "symptom,%s,negated,%d", id, negated);
    has_linef(r, "symptom,%s,vetoed,%d", id, vetoed);
    has_linef(r, "symptom,%s,held_all,%d", id, held_all);
    has_linef(r, "symptom,%s,held_where,%d", id, held_where);
}

static void entry(const cw_test_output *r, const char *where, const char *kind, int hits,
                  int negated, int suppressed)
{
    has_linef(r, "entry," RULES ":%s,kind,%s", where, kind);
    has_linef(r, "entry," RULES ":%s,hits,%d", where, hits);
    has_linef(r, "entry," RULES ":%s,negated,%d", where, negated);
    has_linef(r, "entry," RULES ":%s,suppressed,%d", where, suppressed);
}

Test(coverage, counts_of_the_crafted_corpus, .timeout = 60)
{
    cw_test_output r = coverage_csv(NULL);
    has_line(&r, "summary,,complaints,18");
    has_line(&r, "summary,,uncategorised,11");
    has_line(&r, "summary,,uncategorised_share,0.611111");
    has_line(&r, "summary,,with_1,5");
    has_line(&r, "summary,,with_2,2");
    has_line(&r, "summary,,with_3_or_more,0");
    symptom(&r, "rude", 3, 2, 1, 1, 0, 0);
    symptom(&r, "late", 3, 1, 1, 0, 0, 0);
    symptom(&r, "crash", 1, 1, 0, 0, 1, 1);
    symptom(&r, "refund", 2, 1, 0, 0, 0, 0);
    entry(&r, "17:11", "any", 3, 1, 0);    /* {staff} was rude: c01 c02 c04; c03 negated */
    entry(&r, "18:11", "any", 1, 0, 0);    /* shouted at me: c05 */
    entry(&r, "20:11", "regex", 1, 0, 0);  /* swore at: c05 */
    entry(&r, "22:11", "unless", 1, 0, 1); /* rude awakening: c04, vetoed */
    entry(&r, "30:11", "any", 2, 0, 0);    /* arrived late: c02 c12 */
    entry(&r, "31:11", "any", 0, 0, 0);    /* on the moon */
    entry(&r, "33:11", "near", 1, 1, 0);   /* still ... waiting: c06; c07 negated */
    entry(&r, "40:7", "where", 3, 0, 1);   /* channel app: c01 c08 c09; held back c10 */
    entry(&r, "43:11", "any", 3, 0, 0);    /* app crash*: c08 c09 c10 */
    entry(&r, "45:11", "all", 3, 0, 0);    /* again: c08 c10 c15 */
    entry(&r, "53:11", "any", 2, 0, 0);    /* refund: c11 c12 */
    entry(&r, "55:11", "unless", 0, 0, 0); /* refund received */
    entry(&r, "6:11", "term", 2, 1, 0);    /* agent: c01 c04; c03 negated */
    entry(&r, "6:18", "term", 1, 0, 0);    /* cashier: c02 */
    entry(&r, "6:27", "term", 0, 0, 0);    /* waiter */
    has_line(&r, "dead," RULES ":31:11,text,on the moon");
    has_line(&r, "dead," RULES ":55:11,text,refund received");
    has_line(&r, "dead," RULES ":6:27,text,waiter");
    cr_assert_eq(strstr(r.out, "dead," RULES ":17"), NULL);
    /* Overlaps, largest first (equal counts: the higher Jaccard first). */
    const char *lr = strstr(r.out, "overlap,late+refund,complaints,1\n");
    const char *rl = strstr(r.out, "overlap,rude+late,complaints,1\n");
    cr_assert(lr != NULL && rl != NULL && lr < rl, "%s", r.out);
    has_line(&r, "overlap,late+refund,jaccard,0.25");
    has_line(&r, "overlap,rude+late,jaccard,0.2");
    /* The top suggestion, its counts, G^2 over 11 uncategorised and 7 matched, examples. */
    const char *first = strstr(r.out, "\nsuggestion,");
    cr_assert_not_null(first);
    cr_assert_eq(strncmp(first, "\nsuggestion,box crushed,g2,", 27), 0, "%.80s", first);
    has_linef(&r, "suggestion,box crushed,g2,%.6g", cw_topk_g2(4, 0, 7, 7));
    has_line(&r, "suggestion,box crushed,uncategorised,4");
    has_line(&r, "suggestion,box crushed,matched,0");
    has_line(&r, "suggestion,box crushed,error,0");
    has_line(&r, "suggestion,box crushed,examples,c15; c16");
    has_line(&r, "suggestion,damaged,uncategorised,3");
    cr_assert_null(strstr(r.out, "suggestion,box,"), "contained in box crushed, same count");
    cr_assert_null(strstr(r.out, "suggestion,crushed,"));
    cr_assert_null(strstr(r.out, "suggestion,the "), "no phrase starts with a stop word");
    /* Labels. */
    has_line(&r, "class,rude,precision,1");
    has_line(&r, "class,rude,recall,0.666667");
    has_line(&r, "class,rude,f1,0.8");
    has_line(&r, "class,rude,false_negatives,c04");
    has_line(&r, "class,late,support,4");
    has_line(&r, "class,late,precision,0.666667");
    has_line(&r, "class,late,recall,0.5");
    has_line(&r, "class,late,f1,0.571429");
    has_line(&r, "class,late,missed_phrases,box crushed (2)");
    has_line(&r, "class,late,false_positives,c02");
    has_line(&r, "class,late,false_negatives,c17; c18");
    has_line(&r, "class,crash,f1,0.5");
    has_line(&r, "class,refund,precision,0.5");
    has_line(&r, "class,refund,f1,0.666667");
    has_line(&r, "confusion,rude,late,1");
    has_line(&r, "confusion,late,refund,1");
    has_line(&r, "confusion,not_complaint,(none),3");
    has_linef(&r, "labels,,macro_f1,%.6g", (0.8 + 4.0 / 7.0 + 0.5 + 2.0 / 3.0) / 4.0);
    has_line(&r, "labels,,cells,4");
    has_line(&r, "labels,,scored,14");
    has_line(&r, "labels,,ignored,2");
    has_line(&r, "labels,,below_strength,1");
    has_line(&r, "labels,,unlabelled,1");
    cr_assert_eq(r.err_len, 0, "nothing on stderr: %s", r.err);
    cw_test_output_fini(&r);
}

Test(coverage, min_support_decides_the_cells_of_macro_f1)
{
    const char *extra[] = {"--min-support", "2", NULL};
    cw_test_output r = coverage_csv(extra);
    has_line(&r, "class,refund,cell,no");
    has_line(&r, "labels,,cells,3");
    has_linef(&r, "labels,,macro_f1,%.6g", (0.8 + 4.0 / 7.0 + 0.5) / 3.0);
    cw_test_output_fini(&r);
}

Test(coverage, suggest_ranks_candidate_synonyms_of_a_symptom)
{
    /* late fires on c02 c06 c12, all with "parcel"; the other matched complaints have none;
     * c14 c15 c16 are uncategorised with "parcel". */
    const char *extra[] = {"--suggest", "late", NULL};
    cw_test_output r = coverage_csv(extra);
    const char *first = strstr(r.out, "\nsynonym,");
    cr_assert_not_null(first, "%s", r.out);
    cr_assert_eq(strncmp(first, "\nsynonym,parcel,", 16), 0, "%.60s", first);
    has_line(&r, "synonym,parcel,with_symptom,3");
    has_line(&r, "synonym,parcel,other_matched,0");
    has_line(&r, "synonym,parcel,uncategorised,3");
    has_line(&r, "synonym,parcel,examples,c14; c15");
    has_linef(&r, "synonym,parcel,g2,%.6g", cw_topk_g2(3, 0, 0, 4));
    cr_assert_null(strstr(r.out, "synonym,arrived late,"), "no uncategorised complaint has it");
    cw_test_output_fini(&r);
}

/* The human formats of the same report, compared with golden files. */
static void golden(const char *format, const char *path)
{
    const char *argv[] = {"causeway", "coverage",
                          RULES,      "-i",
                          "csv",      "--channel-column",
                          "channel",  "--label-column",
                          "label",    "--strength-column",
                          "strength", "--min-strength",
                          "medium",   "-f",
                          format,     CORPUS,
                          NULL};
    cw_test_output r = run(argv);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *want = cw_test_read_file(path, NULL);
    cr_assert_not_null(want, "cannot read %s", path);
    cr_assert_str_eq(r.out, want, "output differs from %s", path);
    free(want);
    cw_test_output_fini(&r);
}

Test(coverage, table_and_markdown_match_their_golden_files)
{
    golden("table", COV "corpus.expected.txt");
    golden("md", COV "corpus.expected.md");
}

Test(coverage, json_has_every_section)
{
    const char *argv[] = {"causeway", "coverage", RULES,  "-i",   "csv", "--channel-column",
                          "channel",  "-f",       "json", CORPUS, NULL};
    cw_test_output r = run(argv);
    cr_assert_eq(r.status, 0, "%s", r.err);
    const char *keys[] = {"{\"schema\":\"causeway.coverage/1\"",
                          "\"complaints\":18",
                          "\"uncategorised\":{\"count\":11,\"share\":0.611111}",
                          "\"by_symptom_count\":{\"0\":11,\"1\":5,\"2\":2,\"3+\":0}",
                          "{\"id\":\"crash\",\"name\":\"App crash\",\"matched\":1,"
                          "\"share\":0.0555556,\"only\":1,\"suppressed\":{\"negation\":0,"
                          "\"veto\":0,\"all\":1,\"where\":1}}",
                          "\"dead_entries\":[\"" RULES ":31:11\",\"" RULES ":55:11\",\"" RULES
                          ":6:27\"]",
                          "\"overlaps\":[{\"a\":\"late\",\"b\":\"refund\",\"complaints\":1,"
                          "\"jaccard\":0.25}",
                          "\"phrases\":[{\"phrase\":\"box crushed\"",
                          "\"synonyms\":null",
                          "\"labels\":null}"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        cr_assert_not_null(strstr(r.out, keys[i]), "no %s in %s", keys[i], r.out);
    int depth = 0;
    for (const char *p = r.out; *p != '\0'; p++) {
        depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
        cr_assert_geq(depth, 0);
    }
    cr_assert_eq(depth, 0, "balanced");
    cw_test_output_fini(&r);
}

Test(coverage, sections_select_what_is_worked_out_and_shown)
{
    const char *argv[] = {"causeway", "coverage", RULES, "--section", "summary", "--section",
                          "overlaps", "-f",       "csv", "-",         NULL};
    cw_test_output r;
    cr_assert_eq(cw_test_run(&r, NULL, "rude\nThe agent was rude and it arrived late\n", argv), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    has_line(&r, "summary,,complaints,2");
    has_line(&r, "summary,,input,<stdin>");
    has_line(&r, "summary,,with_2,1");
    has_line(&r, "overlap,rude+late,complaints,1");
    cr_assert_null(strstr(r.out, "\nsymptom,"));
    cr_assert_null(strstr(r.out, "\nentry,"));
    cr_assert_null(strstr(r.out, "\nsuggestion,"));
    cw_test_output_fini(&r);
}

/* ---- bad input: one clear line, the documented exit status, nothing on stdout ---------- */

static void fails(const char *const *argv, int status, const char *message)
{
    cw_test_output r = run(argv);
    cr_assert_eq(r.status, status, "status %d, want %d: %s", r.status, status, r.err);
    cr_assert_not_null(strstr(r.err, message), "stderr '%s' lacks '%s'", r.err, message);
    cr_assert_eq(r.out_len, 0, "nothing on stdout: %s", r.out);
    cw_test_output_fini(&r);
}

Test(coverage, bad_input_gives_one_clear_error_and_its_exit_status)
{
    const char *no_column[] = {"causeway",       "coverage", RULES,  "-i", "csv",
                               "--label-column", "lable",    CORPUS, NULL};
    fails(no_column, 65, CORPUS ":1:1: error: no column 'lable' in the header row");
    const char *unknown_map[] = {"causeway", "coverage",    RULES,
                                 "-i",       "csv",         "--label-column",
                                 "label",    "--label-map", COV "label_map_unknown.csv",
                                 CORPUS,     NULL};
    fails(unknown_map, 65,
          COV "label_map_unknown.csv:3:1: error: label 'waiting' maps to 'delay_wiat'");
    const char *unknown_class[] = {"causeway", "coverage",    RULES,
                                   "-i",       "csv",         "--label-column",
                                   "label",    "--class-map", COV "classes_unknown.csv",
                                   CORPUS,     NULL};
    fails(unknown_class, 65,
          COV "classes_unknown.csv:3:1: error: unknown symptom 'laet' (not in the rule set)");
    const char *unknown_label[] = {"causeway",       "coverage", RULES,  "-i", "csv",
                                   "--label-column", "channel",  CORPUS, NULL};
    fails(unknown_label, 65,
          CORPUS ":2:1: error: label 'app' is no class, symptom, negative or ignored label");
    const char *missing[] = {"causeway", "coverage", RULES, COV "no_such.txt", NULL};
    fails(missing, 66, "cannot open '" COV "no_such.txt'");
    const char *bad_rules[] = {"causeway", "coverage", "tests/data/rules/unknown_area.yaml", CORPUS,
                               NULL};
    fails(bad_rules, 65, "tests/data/rules/unknown_area.yaml:");
    const char *no_rules[] = {"causeway", "coverage", COV "no_such.yaml", CORPUS, NULL};
    fails(no_rules, 66, COV "no_such.yaml");
}

Test(coverage, usage_errors_exit_64)
{
    const char *none[] = {"causeway", "coverage", NULL};
    fails(none, 64, "missing RULES");
    const char *since[] = {"causeway", "coverage", RULES, "--since", "2026-W01", CORPUS, NULL};
    fails(since, 64, "--since and --until select weeks of the database");
    const char *both[] = {"causeway", "coverage", RULES, "-d", "dbname=x", CORPUS, NULL};
    fails(both, 64, "give FILE or the database");
    const char *week[] = {"causeway", "coverage", RULES,      "-d",
                          "dbname=x", "--until",  "2026-W60", NULL};
    fails(week, 64, "--until:");
    const char *suggest[] = {"causeway", "coverage", RULES, "--suggest", "laet", CORPUS, NULL};
    fails(suggest, 64, "--suggest: no symptom 'laet'");
    const char *format[] = {"causeway", "coverage", RULES, "-f", "xml", CORPUS, NULL};
    fails(format, 64, "unknown format 'xml'");
    const char *strength[] = {"causeway", "coverage",       RULES,   "-i",
                              "csv",      "--label-column", "label", "--min-strength",
                              "medium",   CORPUS,           NULL};
    fails(strength, 64, "--min-strength needs strengths");
    const char *lines[] = {"causeway", "coverage", RULES, "--label-column", "label", CORPUS, NULL};
    fails(lines, 64, "column options need csv or jsonl input");
    const char *map[] = {"causeway",    "coverage",        RULES,  "-i", "csv",
                         "--class-map", COV "classes.csv", CORPUS, NULL};
    fails(map, 64, "label options need --label-column");
    const char *section[] = {"causeway", "coverage", RULES, "--section", "all", CORPUS, NULL};
    fails(section, 64, "unknown section 'all'");
}

Test(coverage, a_full_standard_output_is_exit_74)
{
    cw_test_output r;
    const char *argv[] = {
        "sh", "-c", "\"$0\" coverage \"$1\" \"$2\" >/dev/full", cw_test_bin(), RULES, CORPUS, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 74, "status %d: %s", r.status, r.err);
    cw_test_output_fini(&r);
}

Test(coverage, complaint_text_stays_out_of_diagnostics)
{
    /* A label that means nothing is named, the complaint's text is not. */
    const char *csv = "id,text,label\n1,CANARY-7781 my card was declined,bogus\n";
    char *path = cw_test_write_temp(csv, strlen(csv));
    const char *argv[] = {"causeway",       "-v",    "coverage", RULES, "-i", "csv",
                          "--label-column", "label", path,       NULL};
    cw_test_output r = run(argv);
    cr_assert_eq(r.status, 65);
    cr_assert_not_null(strstr(r.err, "label 'bogus'"), "%s", r.err);
    cr_assert_null(strstr(r.err, "CANARY"), "%s", r.err);
    cw_test_output_fini(&r);
    unlink(path);
    free(path);
}

/* ---- the database source ---------------------------------------------------------------- */

static void psql(const char *const *args)
{
    const char *argv[16] = {"psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-d", cw_test_dsn()};
    size_t n = 6;
    for (size_t i = 0; args[i] != NULL; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    cw_test_output r;
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "psql: %s", r.err);
    cw_test_output_fini(&r);
}

/* The corpus as a table of its own schema, c01 in ISO week 2026-W02, c02 in W03, ...;
 * returns the path of a configuration file naming it (caller unlinks and frees). */
static char *load_corpus(char *schema, size_t size)
{
    cw_test_unique_name(schema, size, "cov");
    char sql[1024], copy[512];
    snprintf(sql, sizeof(sql),
             "CREATE SCHEMA %s; CREATE TABLE %s.complaints (id text PRIMARY KEY,"
             " received_at timestamptz, body text, channel text, site text, product text,"
             " segment text, label text, strength text)",
             schema, schema);
    const char *create[] = {"-c", sql, NULL};
    psql(create);
    snprintf(copy, sizeof(copy),
             "\\copy %s.complaints (id, body, channel, label, strength) FROM '" CORPUS
             "' CSV HEADER",
             schema);
    const char *load[] = {"-c", copy, NULL};
    psql(load);
    snprintf(sql, sizeof(sql),
             "UPDATE %s.complaints SET received_at = timestamptz '2026-01-05 10:00+00'"
             " + (substr(id, 2)::int - 1) * interval '7 days'",
             schema);
    const char *weeks[] = {"-c", sql, NULL};
    psql(weeks);
    char config[256];
    snprintf(config, sizeof(config), "source:\n  table: %s.complaints\n", schema);
    return cw_test_write_temp(config, strlen(config));
}

Test(coverage_db, the_database_source_counts_as_the_file_does, .timeout = 60)
{
    char schema[64];
    char *config = load_corpus(schema, sizeof(schema));
    cw_test_output file = coverage_csv(NULL);
    const char *argv[] = {"causeway",    "coverage",
                          RULES,         "-d",
                          cw_test_dsn(), "-c",
                          config,        "--label-column",
                          "label",       "--strength-column",
                          "strength",    "--min-strength",
                          "medium",      "-f",
                          "csv",         NULL};
    cw_test_output db = run(argv);
    cr_assert_eq(db.status, 0, "%s", db.err);
    char want[256];
    snprintf(want, sizeof(want), "summary,,input,database: %s.complaints\n", schema);
    cr_assert_not_null(strstr(db.out, want), "%s", db.out);
    /* Everything but the input line is the same, byte for byte (rows come in id order). */
    const char *a = strstr(file.out, "summary,,complaints,"),
               *b = strstr(db.out, "summary,,complaints,");
    cr_assert(a != NULL && b != NULL);
    cr_assert_str_eq(b, a);
    cw_test_output_fini(&file);
    cw_test_output_fini(&db);
    unlink(config);
    free(config);
}

Test(coverage_db, since_and_until_select_iso_weeks, .timeout = 60)
{
    char schema[64];
    char *config = load_corpus(schema, sizeof(schema));
    /* W03..W05 hold c02 (rude, late), c03 and c04 (neither). */
    const char *argv[] = {"causeway", "coverage", RULES,      "-d",      cw_test_dsn(), "-c",
                          config,     "--since",  "2026-W03", "--until", "2026-01-30",  "--section",
                          "summary",  "-f",       "csv",      NULL};
    cw_test_output r = run(argv);
    cr_assert_eq(r.status, 0, "%s", r.err);
    has_line(&r, "summary,,complaints,3");
    has_line(&r, "summary,,uncategorised,2");
    has_line(&r, "summary,,with_2,1");
    char want[256];
    snprintf(want, sizeof(want),
             "summary,,input,\"database: %s.complaints, weeks 2026-W03 to 2026-W05\"", schema);
    has_line(&r, want);
    cw_test_output_fini(&r);
    unlink(config);
    free(config);
}

Test(coverage_db, a_missing_label_column_of_the_source_is_a_config_error, .timeout = 60)
{
    char schema[64];
    char *config = load_corpus(schema, sizeof(schema));
    const char *argv[] = {"causeway", "coverage",       RULES,   "-d", cw_test_dsn(), "-c",
                          config,     "--label-column", "lable", NULL};
    cw_test_output r = run(argv);
    cr_assert_eq(r.status, 78, "%d: %s", r.status, r.err);
    cr_assert_not_null(strstr(r.err, "--label-column is 'lable'"), "%s", r.err);
    cr_assert_eq(r.out_len, 0);
    cw_test_output_fini(&r);
    /* diff reads the same source. */
    const char *diff[] = {"causeway", "diff",        RULES, COV "rules_new.yaml",
                          "-d",       cw_test_dsn(), "-c",  config,
                          "-f",       "csv",         NULL};
    r = run(diff);
    cr_assert_eq(r.status, 0, "%s", r.err);
    has_line(&r, "summary,,changed,5");
    cw_test_output_fini(&r);
    unlink(config);
    free(config);
}

/* ---- bounded memory -------------------------------------------------------------------- */

/* Peak RSS in KiB of the release binary running argv (through tools/peakrss); -1 to skip. */
static long peak_kib(const char *const *args, cw_test_output *r)
{
    const char *argv[32] = {"build/release/tools/peakrss", "build/release/causeway"};
    size_t n = 2;
    for (size_t i = 0; args[i] != NULL; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    cr_assert_eq(cw_test_run_program(r, NULL, NULL, argv), 0);
    const char *at = strstr(r->err, "maxrss_kib=");
    cr_assert_not_null(at, "%s", r->err);
    return strtol(at + strlen("maxrss_kib="), NULL, 10);
}

/*
 * A million generated complaints through coverage (every section) and diff, measured on
 * the release build: sanitizer builds keep freed memory in quarantine and would measure
 * AddressSanitizer, not causeway. Skipped when the release build is absent.
 */
Test(coverage_memory, a_million_complaints_stay_under_128_mb, .timeout = 300)
{
    if (access("build/release/causeway", X_OK) != 0 ||
        access("build/release/tools/gen_complaints", X_OK) != 0 ||
        access("build/release/tools/peakrss", X_OK) != 0)
        cr_skip_test("needs the release build (make): sanitizers would be measured instead");
    char path[] = "/tmp/causeway-million.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "build/release/tools/gen_complaints --format lines --seed 3 --rows 1000000 > %s",
             path);
    cw_test_output r;
    const char *gen[] = {"sh", "-c", cmd, NULL};
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, gen), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cw_test_output_fini(&r);
    /* The default rules' first symptom, whatever it is called: synonyms cost a second sketch. */
    const char *first[] = {"causeway",  "coverage", "rules/default.yaml",
                           "--section", "symptoms", "-f",
                           "csv",       "-",        NULL};
    cr_assert_eq(cw_test_run(&r, NULL, "", first), 0);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char symptom[128] = "";
    const char *row = strstr(r.out, "\nsymptom,");
    cr_assert_not_null(row);
    sscanf(row, "\nsymptom,%127[^,]", symptom);
    cw_test_output_fini(&r);
    const char *coverage[] = {
        "coverage", "rules/default.yaml", "--suggest", symptom, "-f", "json", path, NULL};
    long kib = peak_kib(coverage, &r);
    cr_assert_eq(r.status, 0, "coverage: %s", r.err);
    cr_assert_not_null(strstr(r.out, "\"complaints\":1000000,"));
    cr_assert_lt(kib, 128 * 1024, "coverage peak RSS %ld KiB", kib);
    cw_test_output_fini(&r);
    const char *diff[] = {"diff", "rules/default.yaml", COV "rules.yaml", "-f", "csv", path, NULL};
    kib = peak_kib(diff, &r);
    cr_assert_eq(r.status, 0, "diff: %s", r.err);
    cr_assert_not_null(strstr(r.out, "summary,,complaints,1000000\n"));
    cr_assert_lt(kib, 128 * 1024, "diff peak RSS %ld KiB", kib);
    cw_test_output_fini(&r);
    unlink(path);
}

/* ---- the JSON schemas in docs/ ----------------------------------------------------------- */

/*
 * Validate `json` against `schema` with Python's jsonschema (python3-jsonschema);
 * false when that is not installed, so the test is skipped rather than weakened.
 */
static bool validate(const char *schema, const char *json)
{
    char *path = cw_test_write_temp(json, strlen(json));
    const char *script =
        "import json, sys, jsonschema\n"
        "s = json.load(open(sys.argv[1]))\n"
        "jsonschema.Draft202012Validator.check_schema(s)\n"
        "jsonschema.Draft202012Validator(s).validate(json.load(open(sys.argv[2])))\n";
    const char *probe[] = {"python3", "-c", "import jsonschema", NULL};
    cw_test_output r;
    bool have = cw_test_run_program(&r, NULL, NULL, probe) == 0 && r.status == 0;
    cw_test_output_fini(&r);
    if (have) {
        const char *argv[] = {"python3", "-c", script, schema, path, NULL};
        cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
        cr_assert_eq(r.status, 0, "%s does not hold for the output: %s", schema, r.err);
        cw_test_output_fini(&r);
    }
    unlink(path);
    free(path);
    return have;
}

Test(coverage, json_output_follows_the_schemas_in_docs, .timeout = 60)
{
    const char *cov[] = {"causeway", "coverage",
                         RULES,      "-i",
                         "csv",      "--channel-column",
                         "channel",  "--label-column",
                         "label",    "--strength-column",
                         "strength", "--min-strength",
                         "medium",   "--suggest",
                         "late",     "-f",
                         "json",     CORPUS,
                         NULL};
    cw_test_output r = run(cov);
    cr_assert_eq(r.status, 0, "%s", r.err);
    bool have = validate("docs/coverage.schema.json", r.out);
    cw_test_output_fini(&r);
    const char *diff[] = {"causeway",
                          "diff",
                          RULES,
                          COV "rules_new.yaml",
                          "-i",
                          "csv",
                          "--label-column",
                          "label",
                          "-f",
                          "json",
                          CORPUS,
                          NULL};
    r = run(diff);
    cr_assert_eq(r.status, 0, "%s", r.err);
    validate("docs/diff.schema.json", r.out);
    cw_test_output_fini(&r);
    if (!have)
        cr_skip_test("python3-jsonschema is not installed");
}
