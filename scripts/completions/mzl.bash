# bash completion for the mzl programs: mzl-binlog-tail, mzl-snapshot, mzl-verify, mzl-pitr-restore and
# mzl-promote. `cmake --install` puts it in share/bash-completion/completions/ under each program's name (the
# bash-completion package loads it the first time the program is completed); or source it from ~/.bashrc.
#
# The options, subcommands and choices come from the program's own --help-all, read once per shell and
# subcommand, so the completion never lags behind the program.

# Prints the program's (or its subcommand's) --help-all once per shell.
_mzl_help() {
  local key=${1//[^A-Za-z0-9]/_}_${2//[^A-Za-z0-9]/_}
  local var=_mzl_help_cache_$key
  if [ -z "${!var+set}" ]; then
    local text
    if [ -n "$2" ]; then text=$("$1" "$2" --help-all 2>/dev/null); else text=$("$1" --help-all 2>/dev/null); fi
    printf -v "$var" '%s' "$text"
  fi
  printf '%s\n' "${!var}"
}

# The long options in a --help text ("  -h,--host TEXT  ..." gives --host).
_mzl_options() {
  sed -n 's/^ *\(-[A-Za-z], *\)\{0,1\}\(--[A-Za-z0-9][A-Za-z0-9-]*\).*/\2/p'
}

# The subcommands in a --help text (the lines under "Subcommands:").
_mzl_subcommands() {
  sed -n '/^Subcommands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

# The choices CLI11 prints for an option ("--compress TEXT:{lz4,zstd,none}").
_mzl_choices() {
  local option=$1
  sed -n "s/^ *\\(-[A-Za-z], *\\)\\{0,1\\}$option [A-Z]*:{\\([^}]*\\)}.*/\\2/p" | head -n 1 | tr ',' ' '
}

_mzl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local program=${COMP_WORDS[0]} sub= word help choices i
  local subcommands
  subcommands=$(_mzl_help "$program" "" | _mzl_subcommands | tr '\n' ' ')
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ " $subcommands " == *" $word "* ]]; then sub=$word; break; fi
  done
  help=$(_mzl_help "$program" "$sub")
  COMPREPLY=()
  case $prev in
    --repo | --schema-history | --plugin-dir | --ssl-capath)
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
      return 0
      ;;
    --defaults-file | --defaults-extra-file | --*password-file | --*-file | --ssl-ca | --ssl-cert | --ssl-key | \
      --serve-ssl-cert | --serve-ssl-key | --read | --binlog | --sql)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return 0
      ;;
    --*)
      choices=$(_mzl_choices "$prev" <<<"$help")
      if [ -n "$choices" ]; then
        mapfile -t COMPREPLY < <(compgen -W "$choices" -- "$cur")
        return 0
      fi
      # Another option with a value: nothing to offer but what the user types.
      if grep -q "^ *\(-[A-Za-z], *\)\{0,1\}$prev [A-Z]" <<<"$help"; then return 0; fi
      ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_mzl_options <<<"$help")" -- "$cur")
  elif [ -z "$sub" ] && [ -n "$subcommands" ]; then
    mapfile -t COMPREPLY < <(compgen -W "$subcommands" -- "$cur")
  fi
  return 0
}

complete -F _mzl -o default mzl-binlog-tail mzl-snapshot mzl-verify mzl-pitr-restore mzl-promote
