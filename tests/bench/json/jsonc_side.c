/*
 * jsonc_side.c - the json-c half of bench_json (issue 19): json-c and jansson
 * both define json_object_get & co., so each library lives in its own file.
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "side.h"

static void fold(const char *s, size_t n, uint64_t *sum)
{
    for (size_t i = 0; i < n; i++)
        *sum = *sum * 31 + (unsigned char)s[i];
}

int jsonc_parse_lines(const char *data, size_t len, uint64_t *sum)
{
    static const char *const keys[] = {"id", "text", "channel", "site"};
    json_tokener *tok = json_tokener_new_ex(64);
    if (tok == NULL)
        return -1;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        json_tokener_reset(tok);
        json_object *o = json_tokener_parse_ex(tok, p, (int)n);
        if (o == NULL || !json_object_is_type(o, json_type_object)) {
            fprintf(stderr, "json-c: %s\n", json_tokener_error_desc(json_tokener_get_error(tok)));
            json_object_put(o);
            json_tokener_free(tok);
            return -1;
        }
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            json_object *v;
            if (json_object_object_get_ex(o, keys[k], &v))
                fold(json_object_get_string(v), (size_t)json_object_get_string_len(v), sum);
        }
        json_object_put(o);
        p += n + 1;
    }
    json_tokener_free(tok);
    return 0;
}

/* One ranking-shaped document: items with numbers, shares and a weekly series. */
size_t jsonc_write_ranking(FILE *out, const bench_ranking *r)
{
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "schema", json_object_new_string("causeway.ranking/2"));
    json_object *items = json_object_new_array();
    char num[32];
    for (size_t i = 0; i < r->items; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "rank", json_object_new_int((int)i + 1));
        json_object_object_add(e, "area_id", json_object_new_string(r->names[i % r->name_count]));
        for (size_t k = 0; k < BENCH_NUMBERS; k++) {
            double v = r->values[(i * BENCH_NUMBERS + k) % r->value_count];
            snprintf(num, sizeof(num), "%.6g", v);
            json_object_object_add(e, bench_number_names[k], json_object_new_double_s(v, num));
        }
        json_object *series = json_object_new_array();
        for (size_t w = 0; w < r->weeks; w++) {
            double v = r->values[(i + w) % r->value_count];
            snprintf(num, sizeof(num), "%.6g", v);
            json_object_array_add(series, json_object_new_double_s(v, num));
        }
        json_object_object_add(e, "series", series);
        json_object_array_add(items, e);
    }
    json_object_object_add(doc, "items", items);
    size_t n;
    const char *s = json_object_to_json_string_length(
        doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    fwrite(s, 1, n, out);
    json_object_put(doc);
    return n;
}
