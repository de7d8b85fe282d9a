/*
 * rules_to_sql.c - the in-database alternative a user would otherwise write,
 * for `make bench`: every phrase and regex of a rule set as PostgreSQL `~*`
 * regular expressions in one query that counts each symptom's matches.
 *
 *   rules_to_sql [RULES] [TABLE]     (default: the built-in rules, public.complaints)
 *
 * Phrases become word-bounded ARE patterns (\m...\M, `word*` as \w*, spaces as
 * \s+, {terms} expanded); a `near` entry becomes first, up to `within` words, then. Negation,
 * vetoes and conditions are left out: the baseline is the cheaper half of the work, which favours
 * the alternative.
 */
#include <stdio.h>
#include <string.h>

#include "causeway/rules/rules.h"

static void put_phrase(FILE *out, const cw_rules *rules, const char *p)
{
    fputs("\\m", out);
    for (; *p != '\0'; p++) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            char name[128];
            size_t len = end != NULL ? (size_t)(end - p - 1) : 0;
            if (end != NULL && len < sizeof(name)) {
                memcpy(name, p + 1, len);
                name[len] = '\0';
                const cw_term_list *t = cw_rules_find_terms(rules, name);
                if (t != NULL) {
                    fputc('(', out);
                    for (size_t i = 0; i < t->phrases.count; i++) {
                        if (i > 0)
                            fputc('|', out);
                        put_phrase(out, rules, t->phrases.items[i].text);
                    }
                    fputc(')', out);
                    p = end;
                    continue;
                }
            }
        }
        if (*p == '*')
            fputs("\\w*", out);
        else if (*p == ' ')
            fputs("\\s+", out);
        else if (*p == '\'')
            fputs("''", out);
        else if (strchr("\\.^$|?+()[]{}", *p) != NULL)
            fprintf(out, "\\%c", *p);
        else
            fputc(*p, out);
    }
    fputs("\\M", out);
}

int main(int argc, char **argv)
{
    cw_rules *rules = NULL;
    cw_error err;
    cw_error_clear(&err);
    int rc = argc > 1 && strcmp(argv[1], "-") != 0 ? cw_rules_load(&rules, argv[1], stderr, &err)
                                                   : cw_rules_load_default(&rules, stderr, &err);
    if (rc != 0) {
        cw_error_write(stderr, "rules_to_sql", &err);
        return err.code;
    }
    const char *table = argc > 2 ? argv[2] : "public.complaints";
    fputs("SELECT count(*)", stdout);
    for (size_t i = 0; i < rules->symptom_count; i++) {
        const cw_symptom *s = &rules->symptoms[i];
        fputs(",\n count(*) FILTER (WHERE body ~* '", stdout);
        size_t n = 0;
        for (size_t j = 0; j < s->match.any.count; j++, n++) {
            if (n > 0)
                fputc('|', stdout);
            put_phrase(stdout, rules, s->match.any.items[j].text);
        }
        /* near: first, at most `within` words (same sentence), then. */
        for (size_t j = 0; j < s->match.near_count; j++, n++) {
            if (n > 0)
                fputc('|', stdout);
            put_phrase(stdout, rules, s->match.near[j].first.text);
            printf("([^\\w.?!;]+\\w+){0,%u}[^\\w.?!;]+", s->match.near[j].within);
            put_phrase(stdout, rules, s->match.near[j].then.text);
        }
        for (size_t j = 0; j < s->match.regex.count; j++, n++) {
            if (n > 0)
                fputc('|', stdout);
            for (const char *p = s->match.regex.items[j].text; *p != '\0'; p++)
                fputs(*p == '\'' ? "''" : (char[]){*p, '\0'}, stdout);
        }
        printf("') AS %s", s->id);
    }
    printf("\nFROM %s;\n", table);
    cw_rules_free(rules);
    return 0;
}
