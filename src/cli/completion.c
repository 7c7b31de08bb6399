/* wlsimg completion: the bash and zsh scripts, and `__complete`, which they ask.
 *
 * The scripts are small and fixed; the candidates come from the binary itself: `wlsimg __complete
 * WORD... CURRENT` walks the same command tables the commands run from (cli_dispatch records the
 * group reached, cli_parse the command and its options) and prints one candidate a line, "word" or
 * "word<TAB>description", or a directive line ":file" or ":dir" (complete a path there). A new
 * command or option completes without anything done here.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "lib/alloc.h"
#include "lib/ref.h"
#include "lib/store.h"

/* The words of the global options (main.c). */
static const char *const global_opts[] = { "--verbose", "--quiet", "--version", NULL };

static void
candidate(const char *cur, const char *word, const char *desc)
{
  if (strncmp(word, cur, strlen(cur)) != 0)
    return;
  if (desc && *desc)
    printf("%s\t%s\n", word, desc);
  else
    printf("%s\n", word);
}

/* The names in the store, as docker shows them. */
static void
complete_images(const char *prefix, const char *cur)
{
  struct wi_store *s = NULL;
  struct wi_store_entry *e = NULL;
  size_t n = 0;
  wi_err err = { 0 };

  if (wi_store_open_default(&s, false, &err) < 0)
    return;
  if (wi_store_list(s, &e, &n, &err) == 0) {
    for (size_t i = 0; i < n; i++) {
      struct wi_ref r = { 0 };
      if (e[i].name == NULL || wi_ref_parse(&r, e[i].name, NULL) < 0)
        continue;
      wi_autofree char *f = wi_ref_familiar(&r);
      wi_autofree char *w = wi_xasprintf("%s%s", prefix, f);
      candidate(cur, w, NULL);
      wi_ref_dispose(&r);
    }
    wi_store_entries_free(e, n);
  }
  wi_store_free(s);
}

static bool
contains_word(const char *metavar, const char *word)
{
  return metavar && strcasestr(metavar, word) != NULL;
}

/* An option's value from its metavar: "a|b|c" lists the lower-case choices, FILE/PATH are paths,
 * DIR directories, IMAGE/REF image names. */
static void
complete_value(const struct cli_opt *o, const char *prefix, const char *cur)
{
  const char *mv = o->metavar;
  if (mv && strchr(mv, '|')) {
    for (const char *w = mv; *w;) {
      size_t len = strcspn(w, "|");
      bool placeholder = true; /* TEMPLATE, FILE: words to replace, not to type */
      for (size_t i = 0; i < len; i++)
        placeholder = placeholder && !(w[i] >= 'a' && w[i] <= 'z');
      if (!placeholder) {
        wi_autofree char *full = wi_xasprintf("%s%.*s", prefix, (int)len, w);
        candidate(cur, full, NULL);
      }
      w += len + (w[len] == '|');
    }
  } else if (contains_word(mv, "dir")) {
    printf(":dir\n");
  } else if (contains_word(mv, "file") || contains_word(mv, "path")) {
    printf(":file\n");
  } else if (contains_word(mv, "image") || contains_word(mv, "ref")) {
    complete_images(prefix, cur);
  }
}

static const struct cli_opt *
opt_by_word(const struct cli_opt *opts, const char *w, size_t len)
{
  for (const struct cli_opt *o = opts; o && o->name; o++) {
    if (len == 2 && w[0] == '-' && w[1] == o->short_name && o->short_name)
      return o;
    if (len > 2 && w[0] == '-' && w[1] == '-' && strlen(o->name) == len - 2 &&
        strncmp(o->name, w + 2, len - 2) == 0)
      return o;
  }
  return NULL;
}

static void
complete_command(const struct cli_cmd *cmd, int argc, char **argv)
{
  const char *cur = argc >= 2 ? argv[argc - 1] : "";
  bool only_pos = false;
  int npos = 0;

  /* What came before the current word: a "--", the positional arguments, an option awaiting its
   * value. */
  for (int i = 1; i < argc - 1; i++) {
    const char *w = argv[i];
    if (only_pos || w[0] != '-' || w[1] == '\0') {
      npos++;
      continue;
    }
    if (strcmp(w, "--") == 0) {
      only_pos = true;
      continue;
    }
    const struct cli_opt *o = strchr(w, '=') ? NULL : opt_by_word(cmd->opts, w, strlen(w));
    if (o && o->type != CLI_FLAG && i == argc - 2) {
      complete_value(o, "", cur);
      return;
    }
    if (o && o->type != CLI_FLAG)
      i++;
  }
  if (!only_pos && cur[0] == '-') {
    const char *eq = strchr(cur, '=');
    if (eq) {
      const struct cli_opt *o = opt_by_word(cmd->opts, cur, (size_t)(eq - cur));
      if (o && o->type != CLI_FLAG) {
        wi_autofree char *prefix = wi_xstrndup(cur, (size_t)(eq - cur) + 1);
        complete_value(o, prefix, cur);
      }
      return;
    }
    for (const struct cli_opt *o = cmd->opts; o && o->name; o++) {
      wi_autofree char *w = wi_xasprintf("--%s", o->name);
      candidate(cur, w, o->help);
    }
    candidate(cur, "--help", "Print the command's help");
    return;
  }
  if (cmd->max_args >= 0 && npos >= cmd->max_args)
    return;
  switch (cmd->args) {
  case CLI_COMPLETE_IMAGE:
    complete_images("", cur);
    break;
  case CLI_COMPLETE_FILE:
    printf(":file\n");
    break;
  case CLI_COMPLETE_DIR:
    printf(":dir\n");
    break;
  case CLI_COMPLETE_NONE:
    break;
  }
}

static void
complete_group(const struct cli_group *g, const char *cur)
{
  for (const struct cli_sub *c = g->subs; c->name; c++)
    if (!c->hidden)
      candidate(cur, c->name, c->summary);
  candidate(cur, "help", "Help on a command");
  if (cur[0] == '-')
    candidate(cur, "--help", "Print the help");
  if (g->name == NULL && cur[0] == '-')
    for (const char *const *o = global_opts; *o; o++)
      candidate(cur, *o, NULL);
}

int
cmd_complete(int argc, char **argv)
{
  struct cli_completion c = { 0 };
  int first = 1;

  if (argc < 2)
    return CLI_EXIT_OK;
  /* Global options before the command (but not the word being completed). */
  while (first < argc - 1 && argv[first][0] == '-')
    first++;
  /* argv[first - 1] stands for the top-level group's own word. */
  cli_completing = &c;
  cli_dispatch(&cli_main_group, argc - first + 1, argv + first - 1);
  cli_completing = NULL;
  if (c.group)
    complete_group(c.group, c.argc >= 2 ? c.argv[c.argc - 1] : "");
  else if (c.cmd)
    complete_command(c.cmd, c.argc, c.argv);
  return CLI_EXIT_OK;
}

/* ---- the scripts ---- */

/* bash splits words at '=' and ':' (COMP_WORDBREAKS): the line is split here at blanks instead,
 * and the part of each candidate before the current bash word is taken off again. */
static const char bash_script[] =
    "# bash completion for wlsimg (wlsimg completion bash)\n"
    "_wlsimg() {\n"
    "  local line=${COMP_LINE:0:COMP_POINT} cur prefix c IFS=$' \\t\\n'\n"
    "  local -a words out\n"
    "  read -r -a words <<< \"$line\"\n"
    "  [[ $line =~ [[:space:]]$ ]] && words+=('')\n"
    "  cur=${words[${#words[@]}-1]}\n"
    "  prefix=${cur%\"${cur##*[=:]}\"}\n"
    "  IFS=$'\\n'\n"
    "  out=($(\"${words[0]}\" __complete \"${words[@]:1}\" 2>/dev/null))\n"
    "  COMPREPLY=()\n"
    "  for c in \"${out[@]}\"; do\n"
    "    case $c in\n"
    "    :file) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -f -- \"${cur#\"$prefix\"}\")) ;;\n"
    "    :dir) compopt -o filenames 2>/dev/null; COMPREPLY+=($(compgen -d -- \"${cur#\"$prefix\"}\")) ;;\n"
    "    *) c=${c%%$'\\t'*}; COMPREPLY+=(\"${c#\"$prefix\"}\") ;;\n"
    "    esac\n"
    "  done\n"
    "  [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null\n"
    "  return 0\n"
    "}\n"
    "complete -F _wlsimg wlsimg\n";

static const char zsh_script[] =
    "#compdef wlsimg\n"
    "# zsh completion for wlsimg (wlsimg completion zsh)\n"
    "_wlsimg() {\n"
    "  local -a lines cands\n"
    "  local c\n"
    "  lines=(\"${(@f)$(\"${words[1]}\" __complete \"${(@)words[2,CURRENT]}\" 2>/dev/null)}\")\n"
    "  for c in \"${lines[@]}\"; do\n"
    "    case $c in\n"
    "    :file) _files; return ;;\n"
    "    :dir) _files -/; return ;;\n"
    "    '') ;;\n"
    "    *$'\\t'*) cands+=(\"${${c%%$'\\t'*}//:/\\\\:}:${c#*$'\\t'}\") ;;\n"
    "    *) cands+=(\"${c//:/\\\\:}\") ;;\n"
    "    esac\n"
    "  done\n"
    "  (( ${#cands} )) && _describe -t values wlsimg cands\n"
    "}\n"
    "if [[ ${funcstack[1]} == _wlsimg ]]; then _wlsimg \"$@\"; else compdef _wlsimg wlsimg; fi\n";

struct completion_args {
  int unused;
};

static const struct cli_opt completion_opts[] = { CLI_OPT_END };

static const struct cli_cmd completion_cmd = {
  "completion",
  "bash|zsh",
  "Print the completion script for the shell. Load it now with\n"
  "  source <(wlsimg completion bash)          (or zsh)\n"
  "or install it as /usr/share/bash-completion/completions/wlsimg or\n"
  "/usr/share/zsh/site-functions/_wlsimg ('make install' does). Commands, options, their values\n"
  "and the names of images in the store complete.",
  completion_opts,
  1,
  1,
};

int
cmd_completion(int argc, char **argv)
{
  struct completion_args a = { 0 };
  wi_autofree char **pos = NULL;
  int npos = 0;
  int ret = cli_parse(&completion_cmd, argc, argv, &a, &pos, &npos);

  if (ret != 0)
    return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  if (strcmp(pos[0], "bash") == 0)
    fputs(bash_script, stdout);
  else if (strcmp(pos[0], "zsh") == 0)
    fputs(zsh_script, stdout);
  else
    return cli_usage_error(completion_cmd.name, "unknown shell '%s' (bash or zsh)", pos[0]);
  return CLI_EXIT_OK;
}
