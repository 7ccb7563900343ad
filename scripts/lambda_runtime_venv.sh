#!/usr/bin/env bash
# The virtualenv tests/image runs the handler in, under the Lambda runtime interface
# client, as the image would: CPython of the image's minor version (read from the
# FROM line of app/Dockerfile) with requirements/lambda-runtime.txt installed, i.e.
# awslambdaric and the app's runtime libraries at the versions of
# app/requirements.lock, as wheels for this machine. The app itself is not installed:
# the tests lay it out in a task root the way the Dockerfile copies it.
#
#   scripts/lambda_runtime_venv.sh [DIR]   create DIR (default .venv/lambda-runtime)
#   scripts/lambda_runtime_venv.sh --lock  re-resolve requirements/lambda-runtime.txt
#                                          (needs uv, which `make lock` installs)
#
# The interpreter: $LAMBDA_PYTHON if set, else the first working pythonX.Y on PATH,
# else the newest X.Y.* installed under pyenv's root.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=requirements/lambda-runtime.txt
minor=$(sed -nE 's#^FROM .*public\.ecr\.aws/lambda/python:([0-9]+\.[0-9]+)[.@:].*#\1#p' app/Dockerfile)
if [[ -z "$minor" ]]; then
  echo "$0: cannot read the Python version from the FROM line of app/Dockerfile" >&2
  exit 1
fi

if [[ "${1:-}" == --lock ]]; then
  uv=${UV:-.venv/bin/uv}
  command -v "$uv" >/dev/null || { echo "$0: $uv not found; run make lock" >&2; exit 127; }
  # x86_64: the platform of CI and of the developers' machines that run tests/image.
  exec "$uv" pip compile --quiet requirements/lambda-runtime.in --python-version "$minor" \
    --python-platform x86_64-manylinux_2_28 --generate-hashes -o "$LOCK"
fi

# Succeeds when $1 is a CPython of the image's minor version (a pyenv shim for a
# version that is not selected fails here and is passed over).
is_image_python() {
  "$1" -c "import sys; sys.exit(not (sys.implementation.name == 'cpython'
    and '%d.%d' % sys.version_info[:2] == '$minor'))" >/dev/null 2>&1
}

find_python() {
  local candidate root
  if [[ -n "${LAMBDA_PYTHON:-}" ]]; then
    is_image_python "$LAMBDA_PYTHON" && { echo "$LAMBDA_PYTHON"; return; }
    echo "$0: LAMBDA_PYTHON=$LAMBDA_PYTHON is not CPython $minor" >&2
    return 1
  fi
  while IFS= read -r candidate; do
    is_image_python "$candidate" && { echo "$candidate"; return; }
  done < <(type -ap "python$minor")
  # pyenv's versions, also when pyenv itself is not on PATH (a non-login shell).
  root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  while IFS= read -r candidate; do
    is_image_python "$candidate" && { echo "$candidate"; return; }
  done < <(compgen -G "$root/versions/$minor.*/bin/python$minor" | sort -rV)
  echo "$0: no CPython $minor found (tried LAMBDA_PYTHON, python$minor on PATH, pyenv);" \
    "install it (e.g. pyenv install $minor) or set LAMBDA_PYTHON" >&2
  return 1
}

dir=${1:-.venv/lambda-runtime}
python=$(find_python)
echo "lambda runtime venv: $dir from $python ($("$python" -V 2>&1))"
"$python" -m venv --clear "$dir"
# Wheels only, every file checked against the lock's hashes: the same discipline as
# the image's install (see app/Dockerfile).
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-hashes --only-binary :all: --no-deps -r "$LOCK"
touch "$dir/.installed"
