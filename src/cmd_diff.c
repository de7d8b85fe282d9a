/* cmd_diff.c - placeholder replaced in the next commit. */
#include "causeway/cli.h"

int cw_cmd_diff(cw_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return cw_cli_usage_error(ctx, argv[0], "not yet");
}
