# Shared helpers of packaging/setup and packaging/env (sourced, not run).
VORA_CACHE=${VORA_CACHE:-/var/cache/vora-studio}
vora_repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

vora_packages() {
  grep -v '^\s*#' "$(vora_repo_root)/packaging/packages.txt" | sed '/^\s*$/d'
}

vora_toolbox_root() {
  local key
  key=$(vora_packages | sha256sum | cut -c1-16)
  echo "$VORA_CACHE/toolbox-trixie-$key"
}

vora_native_marker() {
  local key
  key=$(vora_packages | sha256sum | cut -c1-16)
  echo "$VORA_CACHE/native-$key"
}

# Native when forced, when already set up natively, or when apt offers every listed package
# at the versions this project needs (Qt >= 6.5 implies the KF6 package exists at all).
vora_host_is_native() {
  [[ "${VORA_TOOLBOX:-auto}" == always ]] && return 1
  [[ "${VORA_TOOLBOX:-auto}" == never ]] && return 0
  [[ -f "$(vora_native_marker)" ]] && return 0
  [[ -r /etc/os-release ]] || return 1
  local id version
  id=$(. /etc/os-release; echo "${ID:-}")
  version=$(. /etc/os-release; echo "${VERSION_ID:-0}")
  case "$id" in
    debian) [[ "${version%%.*}" -ge 13 ]] 2>/dev/null ;;
    ubuntu) [[ "${version%%.*}" -ge 25 ]] 2>/dev/null ;;
    *) return 1 ;;
  esac
}
