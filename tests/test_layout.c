/*
 * test_layout.c - the layering check (tests/tools/check-layout.sh, `make check-layout`):
 * it passes on the tree as it is, and on a copy of src/ and include/ with one wrong-way
 * include, library include or stray file planted it fails, naming the file and line.
 * The tree itself is never written: every plant goes into a fresh temporary copy.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#define CHECKER "tests/tools/check-layout.sh"

/* A temporary copy of src/ and include/ in dir (size >= 64). */
static void copy_tree(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/cw-layout.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    const char *argv[] = {"cp", "-R", "src", "include", dir, NULL};
    cw_test_output r;
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cr_assert_eq(r.status, 0, "cp: %s", r.err);
    cw_test_output_fini(&r);
}

static void remove_tree(const char *dir)
{
    const char *argv[] = {"rm", "-rf", dir, NULL};
    cw_test_output r;
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    cw_test_output_fini(&r);
}

/* Append `line` to dir/path (a file of the copy). */
static void plant(const char *dir, const char *path, const char *line)
{
    char full[512];
    snprintf(full, sizeof(full), "%s/%s", dir, path);
    FILE *f = fopen(full, "a");
    cr_assert_not_null(f, "%s", full);
    fprintf(f, "%s\n", line);
    fclose(f);
}

/* Run the checker on root; its output in r. */
static void check(cw_test_output *r, const char *root)
{
    const char *argv[] = {"bash", CHECKER, root, NULL};
    cr_assert_eq(cw_test_run_program(r, NULL, NULL, argv), 0, "bash is not installed");
}

/* The number of lines of path: where a planted line lands. */
static size_t lines_of(const char *dir, const char *path)
{
    char full[512];
    snprintf(full, sizeof(full), "%s/%s", dir, path);
    size_t len = 0, n = 0;
    char *text = cw_test_read_file(full, &len);
    cr_assert_not_null(text, "%s", full);
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    free(text);
    return n;
}

/* Plant `line` at the end of `path` in a copy; the checker must fail with `want` in its
 * output at the planted line (when at_line). */
static void expect_refused(const char *path, const char *line, const char *want, int at_line)
{
    char dir[64];
    copy_tree(dir, sizeof(dir));
    plant(dir, path, line);
    char where[600];
    snprintf(where, sizeof(where), "%s:%zu: error: ", path, lines_of(dir, path));
    cw_test_output r;
    check(&r, dir);
    remove_tree(dir);
    cr_assert_eq(r.status, 1, "planted '%s' in %s, the checker passed: %s", line, path, r.out);
    cr_assert_not_null(strstr(r.out, want), "no '%s' in: %s", want, r.out);
    if (at_line)
        cr_assert_not_null(strstr(r.out, where), "no '%s' in: %s", where, r.out);
    cw_test_output_fini(&r);
}

Test(layout, the_tree_passes)
{
    cw_test_output r;
    check(&r, ".");
    cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
    cr_assert_not_null(strstr(r.out, "check-layout: ok"), "%s", r.out);
    cw_test_output_fini(&r);
}

Test(layout, an_unchanged_copy_passes)
{
    char dir[64];
    copy_tree(dir, sizeof(dir));
    cw_test_output r;
    check(&r, dir);
    remove_tree(dir);
    cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
    cw_test_output_fini(&r);
}

Test(layout, refuses_an_include_that_goes_up)
{
    /* util is the bottom of the graph: it may include nothing of the cli. */
    expect_refused("src/util/text.c", "#include \"causeway/cli/cli.h\"",
                   "util includes causeway/cli/cli.h", 1);
    /* ... and the matcher knows no database. */
    expect_refused("include/causeway/match/matcher.h", "#include \"causeway/store/db.h\"",
                   "match includes causeway/store/db.h", 1);
}

Test(layout, refuses_an_include_between_siblings)
{
    /* report and corpus sit side by side: neither includes the other. */
    expect_refused("src/report/report.c", "#include \"causeway/corpus/grid.h\"",
                   "report includes causeway/corpus/grid.h", 1);
}

Test(layout, refuses_a_library_header_outside_its_stage)
{
    expect_refused("src/analysis/detect.c", "#include <libpq-fe.h>", "<libpq-fe.h>", 1);
    expect_refused("src/corpus/input.c", "#include <hs/hs.h>", "<hs/hs.h>", 1);
    expect_refused("src/store/config.c", "#include <cyaml/cyaml.h>", "<cyaml/cyaml.h>", 1);
}

Test(layout, refuses_another_folders_private_header)
{
    expect_refused("src/corpus/coverage.c", "#include \"../match/matcher_internal.h\"",
                   "private to another folder", 1);
}

Test(layout, refuses_a_header_outside_the_stage_folders)
{
    expect_refused("src/cli/main.c", "#include \"causeway/cli.h\"", "in no stage folder", 1);
}

Test(layout, refuses_a_source_outside_the_stage_folders)
{
    char dir[64];
    copy_tree(dir, sizeof(dir));
    plant(dir, "src/stray.c", "int stray(void);");
    cw_test_output r;
    check(&r, dir);
    remove_tree(dir);
    cr_assert_eq(r.status, 1, "%s", r.out);
    cr_assert_not_null(strstr(r.out, "src/stray.c:1: error: not in a stage folder"), "%s", r.out);
    cw_test_output_fini(&r);
}

Test(layout, refuses_a_stage_without_its_may_include_line)
{
    char dir[64];
    copy_tree(dir, sizeof(dir));
    char readme[128];
    snprintf(readme, sizeof(readme), "%s/src/store/README.md", dir);
    cr_assert_eq(unlink(readme), 0);
    cw_test_output r;
    check(&r, dir);
    remove_tree(dir);
    cr_assert_eq(r.status, 1, "%s", r.out);
    cr_assert_not_null(strstr(r.out, "src/store/README.md:1: error: no 'May include:'"), "%s",
                       r.out);
    cw_test_output_fini(&r);
}

Test(layout, fix_includes_moves_flat_includes_into_their_stage)
{
    /* A file as a branch from before the folders wrote it: known headers are rewritten to
     * their stage (a renamed one to its new name: the old score.h is the label score, not
     * analysis/score.h), the unknown one is left alone and named, and the exit says so. */
    const char *text = "#include \"causeway/text.h\"\n#include \"causeway/matcher.h\"\n"
                       "#include \"causeway/score.h\"\n#include \"causeway/stored.h\"\n"
                       "#include \"causeway/no_such_header.h\"\nint x;\n";
    char *path = cw_test_write_temp(text, strlen(text));
    const char *argv[] = {"bash", "tests/tools/fix-includes.sh", path, NULL};
    cw_test_output r;
    cr_assert_eq(cw_test_run_program(&r, NULL, NULL, argv), 0);
    char *fixed = cw_test_read_file(path, NULL);
    unlink(path);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "causeway/no_such_header.h is in no stage folder"), "%s",
                       r.err);
    cr_assert_str_eq(fixed, "#include \"causeway/util/text.h\"\n"
                            "#include \"causeway/match/matcher.h\"\n"
                            "#include \"causeway/corpus/label_score.h\"\n"
                            "#include \"causeway/analysis/ranking_store.h\"\n"
                            "#include \"causeway/no_such_header.h\"\nint x;\n");
    free(fixed);
    free(path);
    cw_test_output_fini(&r);
}
