/**
 * The shell a container runs before the JVM, in Docker and in Kubernetes alike. They take
 * everything from the environment, so the scripts are the same for every node and need only
 * `sh`, `awk`, `grep` (and `bash` for the health check), which both the official image and our
 * Debian image have.
 */

/** The variables the entry scripts read. */
export const ENTRY_ENV = {
  /** `key=value` lines: the settings written over the configuration file. */
  settings: "PULSAR_ISOLATION_SETTINGS",
  /** The distribution's configuration file the settings are applied over. */
  from: "PULSAR_ISOLATION_CONF_FROM",
  /** The file written, which the node's script is pointed at. */
  to: "PULSAR_ISOLATION_CONF_TO",
  /** Bootstrap: an extended regular expression for output that means the work was already done. */
  alreadyDone: "PULSAR_ISOLATION_ALREADY_DONE",
} as const;

/**
 * Writes the settings over the configuration file as the local runtime's `applySettings` does:
 * the first line of a key is replaced in place, keys the file lacks are appended. Appending alone
 * is not enough: BookKeeper's parser turns a repeated key into a list.
 */
const MERGE_SETTINGS = `awk '
BEGIN {
  n = split(ENVIRON["${ENTRY_ENV.settings}"], lines, "\\n")
  for (i = 1; i <= n; i++) {
    eq = index(lines[i], "=")
    if (eq == 0) continue
    key = substr(lines[i], 1, eq - 1)
    if (!(key in value)) order[++count] = key
    value[key] = substr(lines[i], eq + 1)
  }
}
{
  if (match($0, /^[ \\t]*[^#[:space:]=]+[ \\t]*=/)) {
    key = substr($0, RSTART, RLENGTH - 1)
    gsub(/[ \\t]/, "", key)
    if ((key in value) && !(key in done)) { print key "=" value[key]; done[key] = 1; next }
  }
  print
}
END {
  header = 0
  for (i = 1; i <= count; i++) {
    if (order[i] in done) continue
    if (!header) { print ""; print "# Set by pulsar-isolation"; header = 1 }
    print order[i] "=" value[order[i]]
  }
}' "$${ENTRY_ENV.from}" > "$${ENTRY_ENV.to}"`;

/** A node: write its configuration file, then become `bin/pulsar` with the container's command. */
export const NODE_ENTRY_SCRIPT = `set -eu
mkdir -p "$(dirname "$${ENTRY_ENV.to}")"
${MERGE_SETTINGS}
exec bin/pulsar "$@"`;

/**
 * A bootstrap command: its configuration file holds only its settings; output that says the
 * work was already done counts as success, as it does for the local runtime.
 */
export const BOOTSTRAP_ENTRY_SCRIPT = `set -u
if [ -n "$${ENTRY_ENV.to}" ]; then
  mkdir -p "$(dirname "$${ENTRY_ENV.to}")"
  printf '%s\\n' "$${ENTRY_ENV.settings}" > "$${ENTRY_ENV.to}"
fi
out=$("$@" 2>&1)
code=$?
printf '%s\\n' "$out"
if [ "$code" -ne 0 ] && [ -n "$${ENTRY_ENV.alreadyDone}" ] && printf '%s\\n' "$out" | grep -Eq "$${ENTRY_ENV.alreadyDone}"; then
  echo "pulsar-isolation: already done"
  exit 0
fi
exit "$code"`;

/** An HTTP GET from inside the container that succeeds on a 200, with bash's /dev/tcp (no curl in the images). */
export function httpCheckScript(port: number, path: string): string {
  return (
    `exec 3<>/dev/tcp/127.0.0.1/${port} && ` +
    `printf 'GET ${path} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3 && ` +
    `head -n 1 <&3 | grep -q ' 200 '`
  );
}

const CLASSES: Record<string, string> = { s: "[[:space:]]", S: "[^[:space:]]", d: "[0-9]", D: "[^0-9]", w: "[[:alnum:]_]", W: "[^[:alnum:]_]" };

/** A JavaScript regular expression's source as `grep -E` reads it; throws on what ERE cannot say. */
export function toExtendedRegex(source: string): string {
  return source.replace(/\\(.)/g, (escape, char: string) => {
    if (char in CLASSES) return CLASSES[char];
    if (/[^A-Za-z0-9]/.test(char)) return escape;
    throw new Error(`/${source}/: ${escape} has no grep -E equivalent`);
  });
}
