/*
 * input.c - streaming readers for one-per-line, CSV and JSON Lines complaints;
 * see input.h. Everything is read through one buffered byte reader that
 * tracks line and column for diagnostics.
 */
#include "causeway/corpus/input.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

/* A wanted value: offset into cw_input.vals, or absent. */
typedef struct slot {
    size_t off;
    size_t len;
    bool present;
} slot;

enum {
    SLOT_ID = 0,
    SLOT_TEXT,
    SLOT_FIELD0,
    SLOT_EXTRA0 = SLOT_FIELD0 + CW_FIELD_COUNT,
    SLOT_COUNT = SLOT_EXTRA0 + CW_INPUT_EXTRA
};

struct cw_input {
    FILE *in;
    char name[256];
    cw_input_format format;
    char *want[SLOT_COUNT]; /* column / key names; NULL = not wanted */
    bool id_explicit;
    bool table;         /* CSV read as a table (cw_input_options.table) */
    char *header;       /* CSV: the header row's fields, each NUL-terminated */
    const char **names; /* ... and pointers to them */
    const char **cells; /* table mode: the current record's cells */
    size_t cells_cap;
    /* byte reader */
    unsigned char io[65536];
    size_t pos, len;
    bool eof, started;
    unsigned long line, col; /* position of the next byte */
    /* the current record */
    buf rec;        /* lines/CSV: fields, each NUL-terminated; JSONL: the line */
    size_t *starts; /* CSV: offset of each field in rec */
    size_t nfields, starts_cap;
    buf vals; /* JSONL: decoded values */
    slot slots[SLOT_COUNT];
    long column[SLOT_COUNT]; /* CSV: index of each wanted column, -1 = none */
    size_t header_count;
    unsigned long recno;
    unsigned long rec_line; /* CSV: line where the current record starts */
    char idbuf[24];
};

int cw_input_format_parse(const char *name)
{
    if (strcmp(name, "lines") == 0)
        return CW_INPUT_LINES;
    if (strcmp(name, "csv") == 0)
        return CW_INPUT_CSV;
    if (strcmp(name, "jsonl") == 0)
        return CW_INPUT_JSONL;
    return -1;
}

static int oom(cw_error *err)
{
    return cw_error_set(err, CW_EXIT_OSERR, "out of memory reading complaints");
}

static int bad_at(cw_input *in, unsigned long line, unsigned long col, cw_error *err,
                  const char *what)
{
    return cw_error_set_at(err, CW_EXIT_DATAERR, in->name, (unsigned)line, (unsigned)col, "%s",
                           what);
}

static int put(buf *b, const void *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* ---- byte reader ------------------------------------------------------------ */

static int fill(cw_input *in, cw_error *err)
{
    if (in->eof)
        return 0;
    in->len = fread(in->io, 1, sizeof(in->io), in->in);
    in->pos = 0;
    if (in->len == 0) {
        in->eof = true;
        if (ferror(in->in))
            return cw_error_set(err, CW_EXIT_IOERR, "could not read %s: %s", in->name,
                                strerror(errno != 0 ? errno : EIO));
        return 0;
    }
    if (!in->started) {
        in->started = true;
        /* A UTF-8 byte order mark is not part of the first record. */
        if (in->len >= 3 && memcmp(in->io, "\xef\xbb\xbf", 3) == 0)
            in->pos = 3;
    }
    return 0;
}

/* The next byte without consuming it, EOF at the end, -2 on a read error. */
static int peek(cw_input *in, cw_error *err)
{
    if (in->pos == in->len) {
        if (fill(in, err) != 0)
            return -2;
        if (in->pos == in->len)
            return EOF;
    }
    return in->io[in->pos];
}

static void advance(cw_input *in)
{
    if (in->io[in->pos++] == '\n') {
        in->line++;
        in->col = 1;
    } else {
        in->col++;
    }
}

static int too_big(cw_input *in, unsigned long line, cw_error *err)
{
    char msg[96];
    snprintf(msg, sizeof(msg), "record is larger than %u bytes", CW_INPUT_MAX_RECORD);
    return bad_at(in, line, 1, err, msg);
}

/* Read one line (without its "\n" / "\r\n") into in->rec. 1 line, 0 end, -1 error. */
static int read_line(cw_input *in, cw_error *err)
{
    in->rec.len = 0;
    if (put(&in->rec, "", 0) != 0)
        return oom(err);
    int c = peek(in, err);
    if (c == -2)
        return -1;
    if (c == EOF)
        return 0;
    unsigned long line = in->line;
    for (;;) {
        if (in->pos == in->len && (c = peek(in, err)) < 0) {
            if (c == -2)
                return -1;
            break;
        }
        /* Copy the run up to the next newline in one go. */
        const unsigned char *start = in->io + in->pos;
        const unsigned char *nl = memchr(start, '\n', in->len - in->pos);
        size_t n = nl != NULL ? (size_t)(nl - start) : in->len - in->pos;
        if (in->rec.len + n > CW_INPUT_MAX_RECORD)
            return too_big(in, line, err);
        if (put(&in->rec, start, n) != 0)
            return oom(err);
        in->pos += n;
        in->col += n;
        if (nl != NULL) {
            advance(in);
            break;
        }
    }
    if (in->rec.len > 0 && in->rec.p[in->rec.len - 1] == '\r')
        in->rec.p[--in->rec.len] = '\0';
    return 1;
}

/* ---- CSV --------------------------------------------------------------------- */

static int begin_field(cw_input *in, cw_error *err)
{
    if (in->nfields == in->starts_cap) {
        size_t cap = in->starts_cap ? in->starts_cap * 2 : 16;
        size_t *st = realloc(in->starts, cap * sizeof(*st));
        if (st == NULL)
            return oom(err);
        in->starts = st;
        in->starts_cap = cap;
    }
    in->starts[in->nfields] = in->rec.len;
    return 0;
}

static int end_field(cw_input *in, cw_error *err)
{
    if (put(&in->rec, "", 1) != 0) /* the field's terminating NUL */
        return oom(err);
    in->nfields++;
    return 0;
}

/* Consume a record end ("\n", "\r\n", "\r") if one is next; true when consumed or at EOF. */
static bool record_end(cw_input *in, int c, cw_error *err)
{
    if (c == EOF)
        return true;
    if (c == '\n') {
        advance(in);
        return true;
    }
    if (c == '\r') {
        advance(in);
        if (peek(in, err) == '\n')
            advance(in);
        return true;
    }
    return false;
}

static int read_csv_record(cw_input *in, cw_error *err)
{
    in->rec.len = 0;
    in->nfields = 0;
    int c;
    /* Blank lines between records carry no record. */
    while ((c = peek(in, err)) == '\n' || c == '\r')
        record_end(in, c, err);
    if (c == -2)
        return -1;
    if (c == EOF)
        return 0;
    unsigned long line = in->line;
    for (;;) {
        if (begin_field(in, err) != 0)
            return -1;
        c = peek(in, err);
        if (c == '"') {
            unsigned long ql = in->line, qc = in->col;
            advance(in);
            for (;;) {
                c = peek(in, err);
                if (c == -2)
                    return -1;
                if (c == EOF)
                    return bad_at(in, ql, qc, err, "unterminated quoted field");
                advance(in);
                if (c == '"') {
                    if (peek(in, err) != '"')
                        break;
                    advance(in);
                }
                if (in->rec.len >= CW_INPUT_MAX_RECORD)
                    return too_big(in, line, err);
                char ch = (char)c;
                if (put(&in->rec, &ch, 1) != 0)
                    return oom(err);
            }
            c = peek(in, err);
            if (c == -2)
                return -1;
            if (c != ',' && c != '\n' && c != '\r' && c != EOF)
                return bad_at(
                    in, in->line, in->col, err,
                    "unexpected character after a closing quote (write \"\" for a quote)");
        } else {
            while ((c = peek(in, err)) >= 0 && c != ',' && c != '\n' && c != '\r') {
                if (c == '"')
                    return bad_at(in, in->line, in->col, err,
                                  "quote inside an unquoted field (quote the whole field)");
                if (in->rec.len >= CW_INPUT_MAX_RECORD)
                    return too_big(in, line, err);
                char ch = (char)c;
                if (put(&in->rec, &ch, 1) != 0)
                    return oom(err);
                advance(in);
            }
            if (c == -2)
                return -1;
        }
        if (end_field(in, err) != 0)
            return -1;
        if (c == ',') {
            advance(in);
            continue;
        }
        record_end(in, c, err);
        break;
    }
    in->recno++;
    in->rec_line = line;
    return 1;
}

static const char *field(const cw_input *in, size_t i)
{
    return in->rec.p + in->starts[i];
}

static int read_header(cw_input *in, cw_error *err)
{
    int rc = read_csv_record(in, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return bad_at(in, 1, 1, err, "no header row: CSV input starts with the column names");
    in->recno = 0;
    in->header_count = in->nfields;
    in->header = malloc(in->rec.len + 1);
    in->names = calloc(in->nfields + 1, sizeof(*in->names));
    if (in->header == NULL || in->names == NULL)
        return oom(err);
    memcpy(in->header, in->rec.p, in->rec.len + 1);
    for (size_t i = 0; i < in->nfields; i++)
        in->names[i] = in->header + in->starts[i];
    for (size_t s = 0; s < SLOT_COUNT; s++) {
        in->column[s] = -1;
        if (in->want[s] == NULL)
            continue;
        for (size_t i = 0; i < in->nfields; i++)
            if (strcmp(field(in, i), in->want[s]) == 0) {
                in->column[s] = (long)i;
                break;
            }
        bool required =
            (s == SLOT_TEXT && !in->table) || s >= SLOT_FIELD0 || (s == SLOT_ID && in->id_explicit);
        if (in->column[s] < 0 && required) {
            char msg[400];
            snprintf(msg, sizeof(msg), "no column '%s' in the header row", in->want[s]);
            bad_at(in, 1, 1, err, msg);
            buf cols = {0};
            for (size_t i = 0; i < in->nfields && cols.len < 200; i++)
                if (put(&cols, i ? ", " : "", i ? 2 : 0) != 0 ||
                    put(&cols, field(in, i), strlen(field(in, i))) != 0)
                    break;
            cw_error_detail(err, "columns: %s", cols.p != NULL ? cols.p : "");
            free(cols.p);
            return -1;
        }
    }
    return 0;
}

static int csv_next(cw_record *rec, cw_input *in, cw_error *err)
{
    int rc = read_csv_record(in, err);
    if (rc <= 0)
        return rc;
    unsigned long line = in->rec_line;
    if (in->nfields != in->header_count) {
        char msg[128];
        snprintf(msg, sizeof(msg), "record has %zu fields, the header row has %zu", in->nfields,
                 in->header_count);
        return bad_at(in, line, 1, err, msg);
    }
    rec->line = line;
    if (in->column[SLOT_ID] >= 0) {
        rec->id = field(in, (size_t)in->column[SLOT_ID]);
    } else {
        snprintf(in->idbuf, sizeof(in->idbuf), "%lu", in->recno);
        rec->id = in->idbuf;
    }
    if (in->column[SLOT_TEXT] >= 0) {
        size_t t = (size_t)in->column[SLOT_TEXT];
        rec->text = field(in, t);
        rec->text_len = (t + 1 < in->nfields ? in->starts[t + 1] : in->rec.len) - in->starts[t] - 1;
    } else {
        rec->text = ""; /* table mode without a text column */
    }
    for (size_t f = 0; f < CW_FIELD_COUNT; f++)
        rec->fields[f] = in->column[SLOT_FIELD0 + f] >= 0
                             ? field(in, (size_t)in->column[SLOT_FIELD0 + f])
                             : NULL;
    for (size_t x = 0; x < CW_INPUT_EXTRA; x++)
        rec->extra[x] = in->column[SLOT_EXTRA0 + x] >= 0
                            ? field(in, (size_t)in->column[SLOT_EXTRA0 + x])
                            : NULL;
    if (in->table) {
        if (in->nfields > in->cells_cap) {
            const char **c = realloc(in->cells, in->nfields * sizeof(*c));
            if (c == NULL)
                return oom(err);
            in->cells = c;
            in->cells_cap = in->nfields;
        }
        for (size_t i = 0; i < in->nfields; i++)
            in->cells[i] = field(in, i);
        rec->cells = in->cells;
        rec->cell_count = in->nfields;
    }
    return 1;
}

/* ---- JSON Lines (jansson) -------------------------------------------------------- */

/*
 * jansson's message for a malformed line, without the " near '...'" it appends: that
 * is the input's own text (a complaint: personal data) and never goes to the log.
 * The column is jansson's byte position: the last byte it read, the one at fault.
 */
static int json_fail(cw_input *in, unsigned long line, const json_error_t *je, cw_error *err)
{
    if (json_error_code(je) == json_error_out_of_memory)
        return oom(err);
    const char *near = strstr(je->text, " near ");
    int len = near != NULL ? (int)(near - je->text) : (int)strlen(je->text);
    char msg[JSON_ERROR_TEXT_LENGTH + 32];
    snprintf(msg, sizeof(msg), "invalid JSON: %s%.*s",
             json_error_code(je) == json_error_invalid_utf8 ? "invalid UTF-8: " : "", len,
             je->text);
    /* An undecodable byte is not counted in the position: point at it, not before it. */
    unsigned long col = (unsigned long)je->position;
    if (json_error_code(je) == json_error_invalid_utf8 || col == 0)
        col++;
    return bad_at(in, line, col, err, msg);
}

/* A number as the shortest text that reads back to the same double. */
static int put_real(buf *b, double v)
{
    char num[32];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(num, sizeof(num), "%.*g", digits, v);
        if (strtod(num, NULL) == v)
            break;
    }
    return put(b, num, strlen(num));
}

/* A wanted value as text into in->vals; 1 when it is of a kind the slot does not take. */
static int put_value(cw_input *in, int s, const json_t *v, cw_error *err)
{
    int rc = 0;
    char num[32];
    switch (json_typeof(v)) {
    case JSON_STRING:
        rc = put(&in->vals, json_string_value(v), json_string_length(v));
        break;
    case JSON_NULL:
        rc = put(&in->vals, "", 0);
        break;
    case JSON_INTEGER:
    case JSON_REAL:
    case JSON_TRUE:
    case JSON_FALSE:
        if (s == SLOT_TEXT)
            return 1;
        if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            rc = put(&in->vals, num, strlen(num));
        } else if (json_is_real(v)) {
            rc = put_real(&in->vals, json_real_value(v));
        } else {
            rc = put(&in->vals, json_is_true(v) ? "true" : "false", json_is_true(v) ? 4 : 5);
        }
        break;
    case JSON_OBJECT:
    case JSON_ARRAY:
        return 1;
    }
    return rc != 0 || put(&in->vals, "", 1) != 0 ? oom(err) : 0;
}

/* Fill the slots from the object on in->rec: the wanted keys' values, decoded. */
static int jsonl_object(cw_input *in, unsigned long line, size_t blank, cw_error *err)
{
    json_error_t je;
    /* Duplicate keys are an error (which one would count?); NUL is kept (text_len). */
    json_t *o = json_loadb(in->rec.p, in->rec.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
    if (o == NULL)
        return json_fail(in, line, &je, err);
    int rc = -1;
    if (!json_is_object(o)) {
        bad_at(in, line, blank + 1, err, "invalid JSON: each line must be one object");
        goto done;
    }
    in->vals.len = 0;
    for (int s = 0; s < SLOT_COUNT; s++) {
        const json_t *v = in->want[s] != NULL ? json_object_get(o, in->want[s]) : NULL;
        in->slots[s].present = false;
        if (v == NULL)
            continue;
        size_t off = in->vals.len;
        int bad = put_value(in, s, v, err);
        if (bad < 0)
            goto done;
        if (bad > 0) {
            char msg[160];
            snprintf(msg, sizeof(msg), "'%s' must be a string%s", in->want[s],
                     s == SLOT_TEXT ? " or null" : ", a number or null");
            bad_at(in, line, blank + 1, err, msg);
            goto done;
        }
        /* A null text is an empty complaint; any other null is absent. */
        in->slots[s] = (slot){off, in->vals.len - off - 1, s == SLOT_TEXT || !json_is_null(v)};
    }
    rc = 0;
done:
    json_decref(o);
    return rc;
}

static int jsonl_next(cw_record *rec, cw_input *in, cw_error *err)
{
    for (;;) {
        unsigned long line = in->line;
        int rc = read_line(in, err);
        if (rc <= 0)
            return rc;
        size_t i = 0;
        while (i < in->rec.len && strchr(" \t\r", in->rec.p[i]) != NULL)
            i++;
        if (i == in->rec.len)
            continue; /* blank line */
        if (jsonl_object(in, line, i, err) != 0)
            return -1;
        const slot *t = &in->slots[SLOT_TEXT];
        if (!t->present) {
            char msg[160];
            snprintf(msg, sizeof(msg), "object has no '%s' key", in->want[SLOT_TEXT]);
            return bad_at(in, line, 1, err, msg);
        }
        const slot *id = &in->slots[SLOT_ID];
        if (!id->present && in->id_explicit) {
            char msg[160];
            snprintf(msg, sizeof(msg), "object has no '%s' key", in->want[SLOT_ID]);
            return bad_at(in, line, 1, err, msg);
        }
        rec->line = line;
        if (id->present) {
            rec->id = in->vals.p + id->off;
        } else {
            snprintf(in->idbuf, sizeof(in->idbuf), "%lu", line);
            rec->id = in->idbuf;
        }
        rec->text = in->vals.p + t->off;
        rec->text_len = t->len;
        for (size_t f = 0; f < CW_FIELD_COUNT; f++) {
            const slot *s = &in->slots[SLOT_FIELD0 + f];
            rec->fields[f] = s->present ? in->vals.p + s->off : NULL;
        }
        for (size_t x = 0; x < CW_INPUT_EXTRA; x++) {
            const slot *s = &in->slots[SLOT_EXTRA0 + x];
            rec->extra[x] = s->present ? in->vals.p + s->off : NULL;
        }
        return 1;
    }
}

/* ---- public -------------------------------------------------------------------- */

int cw_input_open(FILE **out, const char *path, cw_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cw_error_set(err, CW_EXIT_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
    /* fopen accepts a directory; reading it fails later, as an I/O error (74). */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return cw_error_set(err, CW_EXIT_NOINPUT, "cannot open '%s': it is a directory", path);
    }
    *out = f;
    return 0;
}

int cw_input_new(cw_input **out, FILE *stream, const char *name, const cw_input_options *opt,
                 cw_error *err)
{
    *out = NULL;
    cw_input *in = calloc(1, sizeof(*in));
    if (in == NULL)
        return oom(err);
    in->in = stream;
    snprintf(in->name, sizeof(in->name), "%s", strcmp(name, "-") == 0 ? "<stdin>" : name);
    in->format = opt->format;
    in->line = 1;
    in->col = 1;
    in->id_explicit = opt->id_column != NULL;
    in->table = opt->table && opt->format == CW_INPUT_CSV;
    const char *names[SLOT_COUNT] = {opt->id_column != NULL ? opt->id_column : "id",
                                     opt->text_column != NULL ? opt->text_column
                                     : in->table              ? NULL
                                                              : "text"};
    for (size_t f = 0; f < CW_FIELD_COUNT; f++)
        names[SLOT_FIELD0 + f] = opt->field_columns[f];
    for (size_t x = 0; x < CW_INPUT_EXTRA; x++)
        names[SLOT_EXTRA0 + x] = opt->extra_columns[x];
    for (size_t s = 0; s < SLOT_COUNT; s++) {
        if (names[s] != NULL && (in->want[s] = strdup(names[s])) == NULL) {
            cw_input_free(in);
            return oom(err);
        }
    }
    if (in->format == CW_INPUT_CSV && read_header(in, err) != 0) {
        cw_input_free(in);
        return -1;
    }
    *out = in;
    return 0;
}

int cw_input_next(cw_record *rec, cw_input *in, cw_error *err)
{
    memset(rec, 0, sizeof(*rec));
    switch (in->format) {
    case CW_INPUT_CSV:
        return csv_next(rec, in, err);
    case CW_INPUT_JSONL:
        return jsonl_next(rec, in, err);
    case CW_INPUT_LINES:
        break;
    }
    unsigned long line = in->line;
    int rc = read_line(in, err);
    if (rc <= 0)
        return rc;
    snprintf(in->idbuf, sizeof(in->idbuf), "%lu", line);
    rec->id = in->idbuf;
    rec->line = line;
    rec->text = in->rec.p;
    rec->text_len = in->rec.len;
    return 1;
}

void cw_input_free(cw_input *in)
{
    if (in == NULL)
        return;
    for (size_t s = 0; s < SLOT_COUNT; s++)
        free(in->want[s]);
    free(in->rec.p);
    free(in->vals.p);
    free(in->starts);
    free(in->header);
    free(in->names);
    free(in->cells);
    free(in);
}

size_t cw_input_header(const cw_input *in, const char *const **names)
{
    *names = in->names;
    return in->names != NULL ? in->header_count : 0;
}

const char *cw_input_name(const cw_input *in)
{
    return in->name;
}
