/*
 * evidence.h - the snippets of a ranking's example complaints, cut from the source
 * when the ranking is shown.
 *
 * The results schema keeps only each example's complaint id, symptom and the byte
 * offsets of the evidence (rankings.examples): complaint text is personal data, and a
 * complaint erased from the source must leave no text behind in the results. So every
 * rendering (the run's own output and `causeway report`) reads the few bodies it shows
 * from the source and cuts the snippets then; an example whose complaint is gone, or
 * whose offsets are unknown (rankings stored before results schema 9), keeps an empty
 * snippet and shows its id only.
 */
#ifndef CAUSEWAY_EVIDENCE_H
#define CAUSEWAY_EVIDENCE_H

#include "causeway/store/config.h"
#include "causeway/store/db.h"
#include "causeway/util/log.h"
#include "causeway/analysis/ranking.h"
#include "causeway/store/source.h"

/* Bytes of body shown on each side of the evidence, and the snippet's size. */
#define CW_EVIDENCE_CONTEXT 80
#define CW_EVIDENCE_BYTES   320

/*
 * Fill the snippet of every example of r from the source: one query for all their ids,
 * within the 27 weeks before the ranked week's end (examples come from its recent
 * window). Returns 0, or -1 with err (the database's code); on failure some snippets
 * may be filled, the others are empty.
 */
int cw_evidence_attach(cw_ranking *r, cw_db *db, const cw_source *src, cw_error *err);

/*
 * cw_evidence_attach on the source `c` configures, for a rendering: a source that cannot
 * be read (missing, no permission, the server away) is a warning on `log` and the
 * examples show their ids only, since the ranking itself is in the results. Returns 0,
 * or -1 (71) when out of memory.
 */
int cw_evidence_show(cw_ranking *r, cw_db *db, const cw_config *c, const cw_log *log,
                     cw_error *err);

#endif
