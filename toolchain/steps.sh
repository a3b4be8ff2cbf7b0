# Sourced by the toolchain scripts: each step prints one line with its time, keeps its output in
# a log shown only when it fails, and is skipped while its stamp (a hash of its inputs) holds and
# its outputs exist.
#
#   STEP_PREFIX   the tag of every line, e.g. toolchain
#   STEP_DIR      where stamps (.stamp-<name>) and logs (logs/<name>.log) go

say() { printf '[%s] %s\n' "$STEP_PREFIX" "$*" >&2; }
fail() { say "error: $*"; exit 1; }

# step NAME INPUTS OUTPUTS COMMAND...: runs COMMAND unless every OUTPUT (space-separated) exists and
# the stamp of NAME holds the hash of INPUTS (versions, files' hashes).
step() {
  local name="$1" inputs="$2" outputs="$3"
  shift 3
  mkdir -p "$STEP_DIR/logs"
  local file="${name//[^A-Za-z0-9._-]/-}"
  local stamp_file="$STEP_DIR/.stamp-$file" stamp output built=1
  stamp="$(printf '%s' "$inputs" | sha256sum | cut -c1-16)"
  for output in $outputs; do [[ -e "$output" ]] || built=0; done
  if ((built)) && [[ "$(cat "$stamp_file" 2>/dev/null)" == "$stamp" ]]; then
    say "$(printf '%-40s cached' "$name")"
    return
  fi
  local started=$SECONDS log="$STEP_DIR/logs/$file.log"
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    fail "$name failed after $((SECONDS - started)) s (whole log: $log)"
  fi
  echo "$stamp" > "$stamp_file"
  say "$(printf '%-40s %4d s' "$name" $((SECONDS - started)))"
}

files_hash() { cat "$@" | sha256sum | cut -c1-16; }
