/* test_text.c - string helpers. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/text.h"

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
