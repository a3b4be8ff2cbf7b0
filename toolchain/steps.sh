# Sourced by the toolchain scripts: each step prints one line with its time, keeps its output in
# a log shown only when it fails, and is skipped while its stamp (a hash of its inputs) holds and
# its outputs exist.
#
#   STEP_PREFIX   the tag of every line, e.g. toolchain
#   STEP_DIR      where stamps (.stamp-<name>) and logs (logs/<name>.log) go
#
# A cached step also keeps its outputs in a cache shared by every clone of the project on this
# machine, under the stamp of its inputs; another clone copies them from there instead of building.
STEP_CACHE="${PULSAR_ISOLATION_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulsar-isolation}/$(uname -m)"

say() { printf '[%s] %s\n' "$STEP_PREFIX" "$*" >&2; }
fail() { say "error: $*"; exit 1; }

# step NAME INPUTS OUTPUTS COMMAND...: runs COMMAND unless every OUTPUT (space-separated) exists and
# the stamp of NAME holds the hash of INPUTS (versions, files' hashes).
step() { run_step 0 "$@"; }

# cached_step NAME INPUTS OUTPUTS COMMAND...: as step; OUTPUTS (files or folders, each complete once
# COMMAND succeeds) come from the machine's cache when it holds them for these INPUTS.
cached_step() { run_step 1 "$@"; }

run_step() {
  local cached="$1" name="$2" inputs="$3" outputs="$4"
  shift 4
  mkdir -p "$STEP_DIR/logs"
  local file="${name//[^A-Za-z0-9._-]/-}"
  local stamp_file="$STEP_DIR/.stamp-$file" stamp output built=1
  stamp="$(printf '%s' "$inputs" | sha256sum | cut -c1-16)"
  for output in $outputs; do [[ -e "$output" ]] || built=0; done
  if ((built)) && [[ "$(cat "$stamp_file" 2>/dev/null)" == "$stamp" ]]; then
    say "$(printf '%-40s cached' "$name")"
    return
  fi
  local started=$SECONDS log="$STEP_DIR/logs/$file.log" entry="$STEP_CACHE/$file-$stamp"
  if ((cached)) && restore_outputs "$entry" $outputs; then
    echo "$stamp" > "$stamp_file"
    say "$(printf '%-40s %4d s from %s' "$name" $((SECONDS - started)) "$STEP_CACHE")"
    return
  fi
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    fail "$name failed after $((SECONDS - started)) s (whole log: $log)"
  fi
  echo "$stamp" > "$stamp_file"
  say "$(printf '%-40s %4d s' "$name" $((SECONDS - started)))"
  if ((cached)); then
    keep_outputs "$entry" $outputs || say "warning: $name could not be kept in $STEP_CACHE; the next clone builds it again"
  fi
}

# The cache entry holds the outputs by their position in the step's list, and .complete once all are in.
restore_outputs() {
  local entry="$1" i=0 output
  shift
  [[ -f "$entry/.complete" ]] || return 1
  for output; do
    rm -rf "$output" && mkdir -p "$(dirname "$output")" && cp -a "$entry/$i" "$output" || return 1
    i=$((i + 1))
  done
}

# Written aside and renamed into place, so that a clone never copies a half-written entry; older
# entries of the same step go.
keep_outputs() {
  local entry="$1" i=0 output work
  shift
  mkdir -p "$STEP_CACHE" && work="$(mktemp -d "$STEP_CACHE/.partial.XXXXXX")" || return 1
  for output; do
    cp -a "$output" "$work/$i" || { rm -rf "$work"; return 1; }
    i=$((i + 1))
  done
  touch "$work/.complete"
  local older
  for older in "${entry%-*}"-*; do [[ "$older" == "$entry" ]] || rm -rf "$older"; done
  mv -T "$work" "$entry" 2>/dev/null || rm -rf "$work"
}

files_hash() { cat "$@" | sha256sum | cut -c1-16; }
