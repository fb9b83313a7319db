#!/bin/sh
# Rejects #include lines that the module arrows of DESIGN.md forbid.
# Usage: tools/check_includes.sh [SRC_DIR]   (default: src next to this script)
# A module may include its own headers and those of the modules listed for it
# below; transport/ may see only broker/client_port.hpp of the broker.
# Third-party rules (STYLE.md): only config/ sees toml++, only transport/,
# http/ and app/ see Asio/Beast, only store/rocksdb_* sees RocksDB.
set -u
src=${1:-$(dirname "$0")/../src}

allowed() {
  case $1 in
    base) echo "" ;;
    protocol) echo "base" ;;
    topic) echo "base" ;;
    session) echo "topic protocol base" ;;
    store) echo "protocol base" ;;
    broker) echo "session topic store protocol base" ;;
    namespace) echo "topic base" ;;
    auth) echo "namespace base" ;;
    config) echo "namespace base" ;;
    transport) echo "broker auth base" ;;
    http) echo "broker auth base" ;;
    app) echo "*" ;;
    *) echo "?" ;;
  esac
}

status=0
report() {
  echo "$1" >&2
  status=1
}

for dir in "$src"/*/; do
  module=$(basename "$dir")
  rules=$(allowed "$module")
  if [ "$rules" = "?" ]; then
    report "src/$module/: module not known to tools/check_includes.sh; add its allowed dependencies there"
    continue
  fi
  files=$(find "$dir" -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' -o -name '*.ipp' \))
  [ -z "$files" ] && continue
  # file:line:#include "target/..."
  hits=$(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[A-Za-z0-9_]+/' $files)
  old_ifs=$IFS
  IFS='
'
  for hit in $hits; do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    path=$(printf '%s\n' "$hit" | sed -E 's/^[^"]*"([^"]*)".*$/\1/')
    target=${path%%/*}
    where="src/${file#"$src"/}:$line"
    where=$(printf '%s' "$where" | sed 's#//*#/#g')
    [ "$target" = "$module" ] && continue
    [ "$rules" = "*" ] && continue
    ok=0
    case " $rules " in *" $target "*) ok=1 ;; esac
    if [ $ok -eq 0 ]; then
      report "$where: $module/ may not include \"$path\" (allowed: ${rules:-nothing})"
    elif [ "$module" = transport ] && [ "$target" = broker ] && [ "$path" != broker/client_port.hpp ]; then
      report "$where: transport/ may include only broker/client_port.hpp from broker/, not \"$path\""
    fi
  done
  # Third-party libraries that only some modules may see.
  for hit in $(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](toml\+\+|boost/(asio|beast)|rocksdb)/' $files); do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    where=$(printf '%s' "src/${file#"$src"/}:$line" | sed 's#//*#/#g')
    case $hit in
      *toml++/*) [ "$module" = config ] || report "$where: only config/ may include toml++" ;;
      *boost/asio/* | *boost/beast/*)
        case $module in transport | http | app) ;; *) report "$where: only transport/, http/ and app/ may include Asio/Beast" ;; esac ;;
      *rocksdb/*)
        case $(basename "$file") in rocksdb_*) [ "$module" = store ] || report "$where: only store/rocksdb_* may include RocksDB" ;;
          *) report "$where: only store/rocksdb_* may include RocksDB" ;; esac ;;
    esac
  done
  IFS=$old_ifs
done

[ $status -eq 0 ] && echo "include rules: ok"
exit $status
