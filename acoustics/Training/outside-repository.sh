# Sourced by the prepare-*.sh scripts: refuse_inside_repository OUT REASON exits 2 when OUT (a file or a folder) is this
# repository or inside it — what those scripts put in place (fetched audio, a fetched model) is never committed.
refuse_inside_repository() {
  local root
  root="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel 2>/dev/null || true)"
  case "$(realpath -m "$1")/" in "$(realpath -m "${root:-/nonexistent}")"/*)
    echo "refusing to write into the repository ($1)${2:+: $2}" >&2; exit 2;; esac
}
