/* One entry point per command file in src/cli/. */
#ifndef WI_CLI_COMMANDS_H
#define WI_CLI_COMMANDS_H

#define CLI_CMD(fn) int fn(int argc, char **argv)

CLI_CMD(cmd_images);
CLI_CMD(cmd_tag);
CLI_CMD(cmd_rmi);
CLI_CMD(cmd_save);
CLI_CMD(cmd_load);
CLI_CMD(cmd_import);
CLI_CMD(cmd_copy);
CLI_CMD(cmd_login);
CLI_CMD(cmd_logout);
CLI_CMD(cmd_push);
CLI_CMD(cmd_pull);
CLI_CMD(cmd_tags);
CLI_CMD(cmd_manifest);
CLI_CMD(cmd_create_aux_image);
CLI_CMD(cmd_create);
CLI_CMD(cmd_update);
CLI_CMD(cmd_rebase);
CLI_CMD(cmd_inspect);
CLI_CMD(cmd_cache);
CLI_CMD(cmd_registry);
CLI_CMD(cmd_k8s);
CLI_CMD(cmd_ui);
CLI_CMD(cmd_image);        /* image.c: docker's `image` group (inspect, prune, ls, rm, …) */
CLI_CMD(cmd_system);       /* system.c: df, prune */
CLI_CMD(cmd_system_prune); /* image.c: image prune's twin */
CLI_CMD(cmd_completion);   /* completion.c: the bash and zsh scripts */
CLI_CMD(cmd_complete);     /* completion.c: `__complete`, what the scripts ask */

/* main.c's table of top-level commands. */
struct cli_group;
extern const struct cli_group cli_main_group;

#endif
