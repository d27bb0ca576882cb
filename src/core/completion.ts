// Shell completion scripts generated from the command tree: commands, their flags, and webhook
// types for the commands that take one.

export interface CompletionOption {
  long: string;
  takesValue: boolean;
  description: string;
  choices?: readonly string[] | undefined;
}

export interface CompletionCommand {
  name: string;
  description: string;
  options: CompletionOption[];
  /** Completes webhook types (and files) as the first argument. */
  takesType: boolean;
  subcommands?: CompletionCommand[] | undefined;
}

export interface CompletionModel {
  program: string;
  commands: CompletionCommand[];
  globalOptions: CompletionOption[];
  types: readonly string[];
}

const words = (list: readonly string[]) => list.join(" ");
const fnName = (program: string) => `_${program.replace(/[^A-Za-z0-9]/g, "_")}`;

export function bashCompletion(model: CompletionModel): string {
  const fn = fnName(model.program);
  const globals = model.globalOptions.map((o) => o.long);
  const cases = model.commands
    .map((c) => {
      const subs = c.subcommands?.map((s) => s.name) ?? [];
      const valueFlags = c.options.filter((o) => o.takesValue).map((o) => o.long);
      const choiceCases = c.options
        .filter((o) => o.choices)
        .map((o) => `        ${o.long}) COMPREPLY=( $(compgen -W "${words(o.choices ?? [])}" -- "$cur") ); return ;;`)
        .join("\n");
      return [
        `    ${c.name})`,
        `      opts="${words([...c.options.map((o) => o.long), ...globals, "--help"])}"`,
        `      subs="${words(subs)}"`,
        `      takes_type=${c.takesType ? 1 : 0}`,
        `      case "$prev" in`,
        choiceCases,
        valueFlags.length ? `        ${valueFlags.join("|")}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;` : "",
        `      esac`,
        `      ;;`,
      ]
        .filter(Boolean)
        .join("\n");
    })
    .join("\n");
  return `# bash completion for ${model.program}; load with: source <(${model.program} completion bash)
${fn}() {
  local cur prev cmd opts subs takes_type
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${words([...model.commands.map((c) => c.name), ...globals, "--help", "--version"])}" -- "$cur") )
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  opts=""; subs=""; takes_type=0
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  elif [ -n "$subs" ] && [ "$COMP_CWORD" -eq 2 ]; then
    COMPREPLY=( $(compgen -W "$subs" -- "$cur") )
  elif [ "$takes_type" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${words(model.types)}" -- "$cur") $(compgen -f -- "$cur") )
  fi
}
complete -o default -F ${fn} ${model.program}
`;
}

/** zsh runs the bash function through bashcompinit, which ships with zsh. */
export function zshCompletion(model: CompletionModel): string {
  return `#compdef ${model.program}
# zsh completion for ${model.program}; load with: source <(${model.program} completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(model).split("\n").slice(1).join("\n")}`;
}

const fishEscape = (text: string) => text.replace(/\\/g, "\\\\").replace(/'/g, "\\'");

export function fishCompletion(model: CompletionModel): string {
  const p = model.program;
  const lines = [`# fish completion for ${p}; load with: ${p} completion fish | source`, `complete -c ${p} -f`];
  for (const o of model.globalOptions) lines.push(`complete -c ${p} -l ${o.long.slice(2)} -d '${fishEscape(o.description)}'`);
  for (const c of model.commands) {
    lines.push(`complete -c ${p} -n '__fish_use_subcommand' -a ${c.name} -d '${fishEscape(c.description)}'`);
    const when = `__fish_seen_subcommand_from ${c.name}`;
    for (const s of c.subcommands ?? []) lines.push(`complete -c ${p} -n '${when}' -a ${s.name} -d '${fishEscape(s.description)}'`);
    for (const o of c.options) {
      const value = o.choices ? ` -x -a '${o.choices.join(" ")}'` : o.takesValue ? " -r" : "";
      lines.push(`complete -c ${p} -n '${when}' -l ${o.long.slice(2)}${value} -d '${fishEscape(o.description)}'`);
    }
    if (c.takesType) lines.push(`complete -c ${p} -n '${when}' -a '${model.types.join(" ")}' -F`);
  }
  return `${lines.join("\n")}\n`;
}
