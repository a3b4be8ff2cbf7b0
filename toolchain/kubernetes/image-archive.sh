# Sourced: writes a one-layer image as a `docker save` archive, which `ctr images import` loads into
# containerd. No registry and no Docker engine: the layer is a plain tar of the image's files.

# image_archive NAME:TAG LAYER_TAR OUT_TAR CONFIG_JSON
#   CONFIG_JSON is the image config's "config" object, e.g. {"Entrypoint":["/pause"],"WorkingDir":"/"}.
image_archive() {
  local name="$1" layer="$2" out="$3" config="$4"
  local work diff_id config_id
  work="$(mktemp -d)"
  diff_id="$(sha256sum "$layer" | cut -d' ' -f1)"
  mkdir -p "$work/$diff_id"
  ln "$layer" "$work/$diff_id/layer.tar" 2>/dev/null || cp "$layer" "$work/$diff_id/layer.tar"
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"pulsar-isolation toolchain"}]}' \
    "$config" "$diff_id" > "$work/config.json"
  config_id="$(sha256sum "$work/config.json" | cut -d' ' -f1)"
  mv "$work/config.json" "$work/$config_id.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_id" "$name" "$diff_id" > "$work/manifest.json"
  tar -C "$work" -cf "$out.partial" manifest.json "$config_id.json" "$diff_id/layer.tar"
  mv "$out.partial" "$out"
  rm -rf "$work"
}
