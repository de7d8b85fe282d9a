/* cmd_check.c - 'causeway check' (placeholder until its issue lands). */
#include "causeway/cli.h"

int cw_cmd_check(cw_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cw_error err;
    cw_error_clear(&err);
    cw_error_set(&err, CW_EXIT_SOFTWARE, "'check' is not implemented yet");
    cw_log_error(&ctx->log, &err);
    return err.code;
}
