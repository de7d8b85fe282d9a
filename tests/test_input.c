/* test_input.c - lines, CSV and JSON Lines readers (input.h). */
#define _GNU_SOURCE /* fopencookie: an endless stream */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causeway/corpus/input.h"

typedef struct reader {
    FILE *f;
    cw_input *in;
    cw_error err;
} reader;

static int open_text(reader *r, const char *text, size_t len, const cw_input_options *opt)
{
    cw_error_clear(&r->err);
    r->in = NULL;
    r->f = fmemopen((void *)text, len, "r");
    cr_assert_not_null(r->f);
    return cw_input_new(&r->in, r->f, "in.txt", opt, &r->err);
}

/* JSON Lines text t (borrowed until close_reader) read with its "channel" key. */
static void open_jsonl_with_channel(reader *r, const char *t)
{
    cw_input_options o = {.format = CW_INPUT_JSONL};
    o.field_columns[CW_FIELD_CHANNEL] = "channel";
    cr_assert_eq(open_text(r, t, strlen(t), &o), 0, "%s", r->err.message);
}

static void close_reader(reader *r)
{
    cw_input_free(r->in);
    fclose(r->f);
}

static void expect(reader *r, const char *id, const char *text, unsigned long line)
{
    cw_record rec;
    int rc = cw_input_next(&rec, r->in, &r->err);
    cr_assert_eq(rc, 1, "rc %d: %s", rc, r->err.message);
    cr_assert_str_eq(rec.id, id);
    cr_assert_eq(rec.text_len, strlen(text), "text '%s' (%zu) want '%s'", rec.text, rec.text_len,
                 text);
    cr_assert_eq(memcmp(rec.text, text, rec.text_len), 0);
    cr_assert_eq(rec.line, line);
}

static void expect_end(reader *r)
{
    cw_record rec;
    cr_assert_eq(cw_input_next(&rec, r->in, &r->err), 0, "%s", r->err.message);
}

static void expect_error(reader *r, unsigned line, unsigned col, const char *what)
{
    cw_record rec;
    int rc;
    while ((rc = cw_input_next(&rec, r->in, &r->err)) == 1)
        ;
    cr_assert_eq(rc, -1);
    cr_assert_eq(r->err.code, CW_EXIT_DATAERR);
    cr_assert_eq(r->err.line, line, "line %u: %s", r->err.line, r->err.message);
    cr_assert_eq(r->err.column, col, "col %u: %s", r->err.column, r->err.message);
    cr_assert_not_null(strstr(r->err.message, what), "%s", r->err.message);
}

Test(input, lines_are_numbered_and_lose_their_line_end)
{
    const char t[] = "\xef\xbb\xbf"
                     "first\r\n\nthird\x00 nul\nlast";
    cw_input_options o = {.format = CW_INPUT_LINES};
    reader r;
    cr_assert_eq(open_text(&r, t, sizeof(t) - 1, &o), 0);
    expect(&r, "1", "first", 1);
    expect(&r, "2", "", 2);
    cw_record rec;
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_eq(rec.text_len, 10);
    cr_assert_eq(memcmp(rec.text, "third\0 nul", 10), 0);
    expect(&r, "4", "last", 4);
    expect_end(&r);
    close_reader(&r);
}

Test(input, csv_quoted_fields_span_lines)
{
    const char *t = "id,text,channel\r\n"
                    "a1,\"He said \"\"no\"\",\r\nthen left\",app\r\n"
                    "\n"
                    "a2,plain,\n"
                    "a3,\"\",web";
    cw_input_options o = {.format = CW_INPUT_CSV};
    o.field_columns[CW_FIELD_CHANNEL] = "channel";
    reader r;
    cr_assert_eq(open_text(&r, t, strlen(t), &o), 0, "%s", r.err.message);
    cw_record rec;
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_str_eq(rec.id, "a1");
    cr_assert_str_eq(rec.text, "He said \"no\",\r\nthen left");
    cr_assert_eq(rec.text_len, strlen("He said \"no\",\r\nthen left"));
    cr_assert_str_eq(rec.fields[CW_FIELD_CHANNEL], "app");
    cr_assert_eq(rec.line, 2);
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_str_eq(rec.id, "a2");
    cr_assert_str_eq(rec.fields[CW_FIELD_CHANNEL], "");
    cr_assert_eq(rec.line, 5);
    expect(&r, "a3", "", 6);
    expect_end(&r);
    close_reader(&r);
}

Test(input, csv_without_id_column_numbers_rows)
{
    const char *t = "text,other\nfirst,x\nsecond,y\n";
    cw_input_options o = {.format = CW_INPUT_CSV};
    reader r;
    cr_assert_eq(open_text(&r, t, strlen(t), &o), 0);
    expect(&r, "1", "first", 2);
    expect(&r, "2", "second", 3);
    expect_end(&r);
    close_reader(&r);
}

Test(input, csv_named_columns)
{
    const char *t = "narrative,complaint_id\n\"late, again\",77\n";
    cw_input_options o = {
        .format = CW_INPUT_CSV, .id_column = "complaint_id", .text_column = "narrative"};
    reader r;
    cr_assert_eq(open_text(&r, t, strlen(t), &o), 0);
    expect(&r, "77", "late, again", 2);
    expect_end(&r);
    close_reader(&r);
}

Test(input, csv_missing_column_is_a_data_error)
{
    const char *t = "id,body\n1,x\n";
    cw_input_options o = {.format = CW_INPUT_CSV};
    reader r;
    cr_assert_eq(open_text(&r, t, strlen(t), &o), -1);
    cr_assert_eq(r.err.code, CW_EXIT_DATAERR);
    cr_assert_not_null(strstr(r.err.message, "no column 'text'"));
    cr_assert_not_null(strstr(r.err.detail, "id, body"));
    cr_assert_null(r.in);
    fclose(r.f);

    o.id_column = "nope";
    o.text_column = "body";
    cr_assert_eq(open_text(&r, t, strlen(t), &o), -1);
    cr_assert_not_null(strstr(r.err.message, "no column 'nope'"));
    fclose(r.f);

    cr_assert_eq(open_text(&r, "", 0, &o), -1);
    cr_assert_not_null(strstr(r.err.message, "no header row"));
    fclose(r.f);
}

Test(input, csv_malformed_records_are_positioned)
{
    cw_input_options o = {.format = CW_INPUT_CSV};
    reader r;
    const char *t1 = "id,text\n1,ok\n2,\"never closed\n3,x\n";
    cr_assert_eq(open_text(&r, t1, strlen(t1), &o), 0);
    expect_error(&r, 3, 3, "unterminated quoted field");
    close_reader(&r);

    const char *t2 = "id,text\n1,\"a\"b\n";
    cr_assert_eq(open_text(&r, t2, strlen(t2), &o), 0);
    expect_error(&r, 2, 6, "after a closing quote");
    close_reader(&r);

    const char *t3 = "id,text\n1,a\"b\n";
    cr_assert_eq(open_text(&r, t3, strlen(t3), &o), 0);
    expect_error(&r, 2, 4, "quote inside an unquoted field");
    close_reader(&r);

    const char *t4 = "id,text\n1,a,extra\n";
    cr_assert_eq(open_text(&r, t4, strlen(t4), &o), 0);
    expect_error(&r, 2, 1, "record has 3 fields, the header row has 2");
    close_reader(&r);
}

Test(input, jsonl_objects_with_escapes_and_extra_keys)
{
    const char *t = "{\"id\": 12, \"text\": \"caf\\u00e9 \\\"late\\\"\\n\\ud83d\\ude00\", "
                    "\"meta\": {\"a\": [1, 2.5e3, true, null, {}]}, \"channel\": \"App\"}\n"
                    "\n"
                    "  {\"text\": null, \"id\": \"x\\/y\", \"channel\": null}  \n"
                    "{\"text\": \"no id\"}";
    reader r;
    open_jsonl_with_channel(&r, t);
    cw_record rec;
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1, "%s", r.err.message);
    cr_assert_str_eq(rec.id, "12");
    cr_assert_str_eq(rec.text, "caf\xc3\xa9 \"late\"\n\xf0\x9f\x98\x80");
    cr_assert_str_eq(rec.fields[CW_FIELD_CHANNEL], "App");
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1, "%s", r.err.message);
    cr_assert_str_eq(rec.id, "x/y");
    cr_assert_eq(rec.text_len, 0);
    cr_assert_null(rec.fields[CW_FIELD_CHANNEL]);
    cr_assert_eq(rec.line, 3);
    expect(&r, "4", "no id", 4);
    expect_end(&r);
    close_reader(&r);
}

Test(input, jsonl_errors_are_positioned)
{
    static const struct {
        const char *text;
        unsigned col;
        const char *what;
    } cases[] = {
        /* Columns are jansson's byte positions: the byte at fault. */
        {"[1]", 1, "one object"},
        {"  [1]", 3, "one object"},
        {"{\"text\": \"a\",}", 14, "string or '}' expected"},
        {"{\"text\": \"a\" \"b\"}", 16, "'}' expected"},
        {"{\"text\": \"a\\x\"}", 13, "invalid escape"},
        {"{\"text\": \"\\ud800\"}", 17, "invalid Unicode '\\uD800'"},
        {"{\"text\": \"x\\udc00\"}", 18, "invalid Unicode '\\uDC00'"},
        /* A bad \\u escape is found when the string is decoded: at its closing quote. */
        {"{\"text\": \"\\udc00\\ud800\"}", 23, "invalid Unicode '\\uDC00'"},
        {"{\"text\": \"caf\xff\"}", 14, "invalid UTF-8"},
        {"{\"text\": \"caf\xc3\"}", 14, "invalid UTF-8"},
        {"{\"text\": \"\xed\xa0\x80\"}", 11, "invalid UTF-8"},
        {"{\"text\": \"a\", \"text\": \"b\"}", 20, "duplicate object key"},
        {"{\"id\": 1, \"text\": \"a\", \"id\": 2}", 27, "duplicate object key"},
        {"{\"text\": 5}", 1, "'text' must be a string or null"},
        {"{\"text\": true}", 1, "'text' must be a string or null"},
        {"{\"text\": [\"a\"]}", 1, "'text' must be a string or null"},
        {"{\"text\": {\"a\": 1}}", 1, "'text' must be a string or null"},
        {"{\"id\": [1], \"text\": \"a\"}", 1, "'id' must be a string, a number or null"},
        {"{\"text\": \"a\"} x", 15, "end of file expected"},
        {"{\"text\": \"a\", \"n\": 01}", 20, "invalid token"},
        {"{\"text\": \"a\", \"n\": -}", 20, "invalid token"},
        {"{\"text\": \"a\", \"n\": 1e999}", 24, "real number overflow"},
        {"{\"id\": \"a\"}", 1, "no 'text' key"},
        {"{\"text\": \"tab\there\"}", 13, "control character 0x9"},
        {"{\"text\": \"open", 14, "premature end of input"},
    };
    cw_input_options o = {.format = CW_INPUT_JSONL};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        reader r;
        char text[128];
        snprintf(text, sizeof(text), "{\"text\": \"fine\"}\n%s\n", cases[i].text);
        cr_assert_eq(open_text(&r, text, strlen(text), &o), 0);
        expect_error(&r, 2, cases[i].col, cases[i].what);
        close_reader(&r);
    }
}

Test(input, jsonl_deep_nesting_is_refused)
{
    size_t depth = 100000;
    char *t = malloc(depth * 2 + 32);
    cr_assert_not_null(t);
    size_t n = (size_t)sprintf(t, "{\"text\": \"x\", \"a\": ");
    memset(t + n, '[', depth);
    memset(t + n + depth, ']', depth);
    memcpy(t + n + 2 * depth, "}\n", 2);
    cw_input_options o = {.format = CW_INPUT_JSONL};
    reader r;
    cr_assert_eq(open_text(&r, t, n + 2 * depth + 2, &o), 0);
    /* jansson's fixed limit (JSON_PARSER_MAX_DEPTH): the object and 2047 arrays. */
    expect_error(&r, 1, (unsigned)(n + 2048), "maximum parsing depth reached");
    close_reader(&r);
    free(t);
}

/* jansson's messages end with " near '<input>'": that is complaint text, never logged. */
Test(input, jsonl_errors_never_echo_the_text)
{
    static const char *const lines[] = {
        "{\"text\": \"SECRET words \xff\"}", "{\"text\": \"SECRET words\\q\"}",
        "{\"text\": \"SECRET words\", \"text\": \"SECRET\"}", "{\"text\": \"SECRET words"};
    cw_input_options o = {.format = CW_INPUT_JSONL};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        reader r;
        cr_assert_eq(open_text(&r, lines[i], strlen(lines[i]), &o), 0);
        cw_record rec;
        cr_assert_eq(cw_input_next(&rec, r.in, &r.err), -1);
        cr_assert_eq(r.err.code, CW_EXIT_DATAERR);
        cr_assert_null(strstr(r.err.message, "SECRET"), "%s", r.err.message);
        cr_assert_null(strstr(r.err.message, "near"), "%s", r.err.message);
        close_reader(&r);
    }
}

/* An endless line (as 1 GB would be): refused at the record cap, not read to the end. */
static ssize_t endless_read(void *cookie, char *buf, size_t size)
{
    size_t *sent = cookie;
    memset(buf, 'a', size);
    if (*sent == 0 && size > 10)
        memcpy(buf, "{\"text\": \"", 10);
    *sent += size;
    return (ssize_t)size;
}

Test(input, jsonl_line_over_the_record_cap_is_refused)
{
    size_t sent = 0;
    cookie_io_functions_t io = {.read = endless_read};
    FILE *f = fopencookie(&sent, "r", io);
    cr_assert_not_null(f);
    cw_input_options o = {.format = CW_INPUT_JSONL};
    cw_input *in = NULL;
    cw_error err;
    cw_error_clear(&err);
    cr_assert_eq(cw_input_new(&in, f, "huge.jsonl", &o, &err), 0);
    cw_record rec;
    cr_assert_eq(cw_input_next(&rec, in, &err), -1);
    cr_assert_eq(err.code, CW_EXIT_DATAERR);
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.column, 1);
    cr_assert_not_null(strstr(err.message, "record is larger than"), "%s", err.message);
    cr_assert_lt(sent, (size_t)CW_INPUT_MAX_RECORD + (1u << 20), "read %zu bytes", sent);
    cw_input_free(in);
    fclose(f);
}

Test(input, jsonl_ids_and_fields_of_every_scalar_kind)
{
    const char *t = "{\"id\": 42, \"text\": \"a\", \"channel\": true}\n"
                    "{\"id\": -1.5e3, \"text\": \"b\", \"channel\": 0.1}\n"
                    "{\"id\": null, \"text\": \"nul\\u0000byte\", \"channel\": false}\n";
    reader r;
    open_jsonl_with_channel(&r, t);
    cw_record rec;
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1, "%s", r.err.message);
    cr_assert_str_eq(rec.id, "42");
    cr_assert_str_eq(rec.fields[CW_FIELD_CHANNEL], "true");
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1, "%s", r.err.message);
    cr_assert_str_eq(rec.id, "-1500", "a number id is its value, shortest form");
    cr_assert_str_eq(rec.fields[CW_FIELD_CHANNEL], "0.1");
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1, "%s", r.err.message);
    cr_assert_str_eq(rec.id, "3", "a null id falls back to the line number");
    cr_assert_eq(rec.text_len, 8, "\\u0000 is kept: text_len counts past it");
    cr_assert_eq(memcmp(rec.text, "nul\0byte", 8), 0);
    cr_assert_str_eq(rec.fields[CW_FIELD_CHANNEL], "false");
    expect_end(&r);
    close_reader(&r);
}

Test(input, format_names)
{
    cr_assert_eq(cw_input_format_parse("lines"), CW_INPUT_LINES);
    cr_assert_eq(cw_input_format_parse("csv"), CW_INPUT_CSV);
    cr_assert_eq(cw_input_format_parse("jsonl"), CW_INPUT_JSONL);
    cr_assert_eq(cw_input_format_parse("json"), -1);
}

Test(input, extra_columns_come_with_each_record)
{
    const char csv[] = "id,text,label\n1,late again,delay\n2,\"rude, very\",\n";
    cw_input_options opt = {.format = CW_INPUT_CSV, .extra_columns = {"label"}};
    reader r;
    cr_assert_eq(open_text(&r, csv, strlen(csv), &opt), 0, "%s", r.err.message);
    cw_record rec;
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_str_eq(rec.extra[0], "delay");
    cr_assert_null(rec.extra[1]);
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_str_eq(rec.extra[0], "", "an empty cell is present but empty");
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 0);
    close_reader(&r);

    const char jsonl[] = "{\"text\": \"a\", \"label\": \"x\"}\n{\"text\": \"b\", \"label\": null}\n"
                         "{\"text\": \"c\"}\n";
    opt.format = CW_INPUT_JSONL;
    cr_assert_eq(open_text(&r, jsonl, strlen(jsonl), &opt), 0, "%s", r.err.message);
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_str_eq(rec.extra[0], "x");
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_null(rec.extra[0], "null is absent");
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_null(rec.extra[0], "a missing key is absent");
    close_reader(&r);
}

Test(input, a_missing_extra_column_is_a_data_error)
{
    const char csv[] = "id,text\n1,late\n";
    cw_input_options opt = {.format = CW_INPUT_CSV, .extra_columns = {NULL, "strength"}};
    reader r;
    cr_assert_eq(open_text(&r, csv, strlen(csv), &opt), -1);
    cr_assert_eq(r.err.code, CW_EXIT_DATAERR);
    cr_assert_str_eq(r.err.message, "no column 'strength' in the header row");
    cr_assert_eq(r.err.line, 1);
    cr_assert_null(r.in);
    fclose(r.f);
}

Test(input, table_mode_reads_any_csv_with_its_header)
{
    const char csv[] = "intent,n,class,strength\ncard_arrival,193,delay_wait,strong\nfee,1,,\n";
    cw_input_options opt = {.format = CW_INPUT_CSV, .table = true};
    reader r;
    cr_assert_eq(open_text(&r, csv, strlen(csv), &opt), 0, "%s", r.err.message);
    const char *const *names;
    cr_assert_eq(cw_input_header(r.in, &names), 4);
    cr_assert_str_eq(names[0], "intent");
    cr_assert_str_eq(names[3], "strength");
    cr_assert_str_eq(cw_input_name(r.in), "in.txt");
    cw_record rec;
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_eq(rec.cell_count, 4);
    cr_assert_str_eq(rec.cells[0], "card_arrival");
    cr_assert_str_eq(rec.cells[2], "delay_wait");
    cr_assert_eq(rec.line, 2);
    cr_assert_eq(rec.text_len, 0);
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 1);
    cr_assert_str_eq(rec.cells[2], "");
    cr_assert_eq(rec.line, 3);
    cr_assert_eq(cw_input_next(&rec, r.in, &r.err), 0);
    close_reader(&r);
}
