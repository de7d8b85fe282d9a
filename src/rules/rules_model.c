/* rules_model.c - the rule set model once loaded: free it, find areas, symptoms, terms. */
#include "causeway/rules/rules.h"

#include <stdlib.h>
#include <string.h>

/* ---- model --------------------------------------------------------------- */

static void free_patterns(cw_pattern_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].text);
    free(l->items);
}

static void free_symptom(cw_symptom *s)
{
    free(s->id);
    free(s->name);
    free_patterns(&s->match.any);
    free_patterns(&s->match.regex);
    free_patterns(&s->match.all);
    free_patterns(&s->match.unless);
    for (size_t i = 0; i < s->match.near_count; i++) {
        free(s->match.near[i].first.text);
        free(s->match.near[i].then.text);
    }
    free(s->match.near);
    for (size_t i = 0; i < s->where_count; i++) {
        for (size_t j = 0; j < s->where[i].count; j++)
            free(s->where[i].values[j]);
        free(s->where[i].values);
    }
    free(s->where);
    free(s->causes);
    free_patterns(&s->examples_match);
    free_patterns(&s->examples_no_match);
}

void cw_rules_free(cw_rules *rules)
{
    if (rules == NULL)
        return;
    for (size_t i = 0; i < rules->area_count; i++) {
        free(rules->areas[i].id);
        free(rules->areas[i].name);
        free(rules->areas[i].owner);
        free(rules->areas[i].remediation);
    }
    free(rules->areas);
    for (size_t i = 0; i < rules->symptom_count; i++)
        free_symptom(&rules->symptoms[i]);
    free(rules->symptoms);
    for (size_t i = 0; i < rules->term_count; i++) {
        free(rules->terms[i].name);
        free_patterns(&rules->terms[i].phrases);
    }
    free(rules->terms);
    free(rules->path);
    free(rules->source);
    free(rules);
}

long cw_rules_find_symptom(const cw_rules *rules, const char *id)
{
    for (size_t i = 0; i < rules->symptom_count; i++)
        if (strcmp(rules->symptoms[i].id, id) == 0)
            return (long)i;
    return -1;
}

long cw_rules_find_area(const cw_rules *rules, const char *id)
{
    for (size_t i = 0; i < rules->area_count; i++)
        if (strcmp(rules->areas[i].id, id) == 0)
            return (long)i;
    return -1;
}

const cw_term_list *cw_rules_find_terms(const cw_rules *rules, const char *name)
{
    for (size_t i = 0; i < rules->term_count; i++)
        if (strcmp(rules->terms[i].name, name) == 0)
            return &rules->terms[i];
    return NULL;
}

static const char *const field_names[CW_FIELD_COUNT] = {"channel", "site", "product", "segment"};

const char *cw_field_name(cw_field field)
{
    return (unsigned)field < CW_FIELD_COUNT ? field_names[field] : "unknown";
}

int cw_field_parse(const char *name)
{
    for (int i = 0; i < (int)CW_FIELD_COUNT; i++)
        if (strcmp(field_names[i], name) == 0)
            return i;
    return -1;
}
