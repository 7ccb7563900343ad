#!/usr/bin/env bash
# `terraform init -backend=false` + `terraform validate` for every module that the
# given files belong to (every module under modules/ when called without files),
# as the pre-commit hook does. Working data goes to a temporary TF_DATA_DIR so
# nothing but the (git-ignored) lock file lands in the module; with
# TF_PROVIDER_MIRROR set, providers come only from that filesystem mirror.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v terraform >/dev/null 2>&1 || {
  echo "terraform_validate: 'terraform' not found on PATH; install it (see .terraform-version)" >&2
  exit 127
}

declare -A seen=()
modules=()
add_module() {
  [[ -d "$1" && -z "${seen[$1]:-}" ]] || return 0
  seen[$1]=1
  modules+=("$1")
}
if (($#)); then
  for file in "$@"; do
    if [[ "$file" == modules/*/* ]]; then
      name=${file#modules/}
      add_module "modules/${name%%/*}"
    fi
  done
else
  for dir in modules/*/; do
    compgen -G "${dir}*.tf" >/dev/null && add_module "${dir%/}"
  done
fi
((${#modules[@]})) || exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
if [[ -n "${TF_PROVIDER_MIRROR:-}" ]]; then
  cat >"$work/terraform.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$TF_PROVIDER_MIRROR"
    include = ["*/*/*"]
  }
  direct {
    exclude = ["*/*/*"]
  }
}
RC
  export TF_CLI_CONFIG_FILE="$work/terraform.rc"
elif [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "$TF_CLI_CONFIG_FILE" ]]; then
  # A dangling CLI config path only adds warnings to every command.
  unset TF_CLI_CONFIG_FILE
fi

status=0
for module in "${modules[@]}"; do
  export TF_DATA_DIR="$work/data/${module//\//_}"
  if ! init_log=$(terraform -chdir="$module" init -backend=false -input=false -no-color 2>&1); then
    printf '%s: terraform init failed\n%s\n' "$module" "$init_log" >&2
    status=1
    continue
  fi
  if ! validate_log=$(terraform -chdir="$module" validate -no-color 2>&1); then
    printf '%s: terraform validate failed\n%s\n' "$module" "$validate_log" >&2
    status=1
    continue
  fi
  echo "$module: valid"
done
exit "$status"
