/* json.c - JSON output through jansson; see json.h. */
#include "causeway/util/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/util/text.h"

json_t *cw_json_number(double v, int digits)
{
    if (!isfinite(v))
        return json_null();
    /* Round as the document will print it, then see whether an integer says the same. */
    char text[40];
    snprintf(text, sizeof(text), "%.*g", digits, v);
    double rounded = strtod(text, NULL);
    if (rounded == floor(rounded) && strchr(text, 'e') == NULL && fabs(rounded) < 9e15)
        return json_integer((json_int_t)rounded);
    return json_real(v);
}

json_t *cw_json_text(const char *s)
{
    if (s == NULL)
        return json_null();
    if (cw_text_is_utf8(s))
        return json_string_nocheck(s);
    char *valid = cw_text_utf8_new(s);
    if (valid == NULL)
        return NULL;
    json_t *j = json_string_nocheck(valid);
    free(valid);
    return j;
}

json_t *cw_json_text_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? cw_json_text(s) : json_null();
}

json_t *cw_json_push(json_t *array, json_t *v)
{
    if (array == NULL || v == NULL) {
        json_decref(array);
        json_decref(v);
        return NULL;
    }
    /* The _new call takes v even when it fails. */
    if (json_array_append_new(array, v) != 0) {
        json_decref(array);
        return NULL;
    }
    return array;
}

json_t *cw_json_put(json_t *object, const char *key, json_t *v)
{
    if (object == NULL || v == NULL) {
        json_decref(object);
        json_decref(v);
        return NULL;
    }
    if (json_object_set_new(object, key, v) != 0) {
        json_decref(object);
        return NULL;
    }
    return object;
}

static size_t flags(int digits)
{
    return JSON_COMPACT | JSON_ENSURE_ASCII | (size_t)JSON_REAL_PRECISION(digits);
}

int cw_json_write(FILE *out, json_t *doc, int digits, cw_error *err)
{
    if (doc == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory writing JSON");
    /* A failed dump is a failed write: the caller's ferror check reports it. */
    if (json_dumpf(doc, out, flags(digits)) == 0)
        fputc('\n', out);
    json_decref(doc);
    return 0;
}

char *cw_json_dumps(json_t *doc, int digits)
{
    if (doc == NULL)
        return NULL;
    char *s = json_dumps(doc, flags(digits));
    json_decref(doc);
    return s;
}
