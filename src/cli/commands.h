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

#endif
