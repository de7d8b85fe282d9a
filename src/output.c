/* output.c - write a report to stdout or atomically to a file; see output.h. */
#include "causeway/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "causeway/text.h"

int cw_output_write(const char *path, FILE *out, const cw_ranking *r, const cw_report_options *opts,
                    cw_error *err)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return cw_report_write(out, r, opts, err);
    char *tmp = cw_text_printf("%s.tmp.XXXXXX", path);
    if (tmp == NULL)
        return cw_error_set(err, CW_EXIT_OSERR, "out of memory");
    int rc = -1;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        cw_error_set(err, CW_EXIT_IOERR, "could not open '%s': %s", tmp, strerror(errno));
        close(fd);
        goto done;
    }
    if (cw_report_write(f, r, opts, err) != 0) {
        fclose(f);
        goto done;
    }
    /* The report must be on disk before it replaces the old one. */
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not write '%s': %s", path, strerror(errno));
        fclose(f);
        goto done;
    }
    if (fclose(f) != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not write '%s': %s", path, strerror(errno));
        goto done;
    }
    if (rename(tmp, path) != 0) {
        cw_error_set(err, CW_EXIT_IOERR, "could not rename '%s' to '%s': %s", tmp, path,
                     strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}
