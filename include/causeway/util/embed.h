/*
 * embed.h - files compiled into the binary by the Makefile, so an installed
 * causeway needs no data directory: the schema migrations (the .sql files of sql/migrations,
 * in name order) and the default rule set (rules/default.yaml).
 */
#ifndef CAUSEWAY_EMBED_H
#define CAUSEWAY_EMBED_H

#include <stddef.h>

typedef struct cw_embedded_file {
    const char *name; /* base name, e.g. "0001_init.sql" */
    const char *data; /* NUL-terminated contents */
    size_t size;      /* bytes, without the terminating NUL */
} cw_embedded_file;

extern const cw_embedded_file cw_embedded_migrations[];
extern const size_t cw_embedded_migrations_count;

extern const cw_embedded_file cw_embedded_rules[];
extern const size_t cw_embedded_rules_count;

#endif
