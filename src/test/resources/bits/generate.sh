#!/usr/bin/env bash
# Writes this folder's expected files by running commands.txt with the jar built from the commit named there:
#   mvn -o -q -B -DskipTests package && src/test/resources/bits/generate.sh target/cltrain.jar
# Run it only on that commit's build: the files are what later builds must reproduce, not what they produce.
set -euo pipefail
jar=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cp "$here"/*.csv "$work"/
grep -v '^#' "$here/commands.txt" | grep -v '^$' | while IFS= read -r line; do
  command=${line//@DIR@/$work}
  args=${command%% > *}
  log=
  [[ "$command" == *" > "* ]] && log=${command##* > }
  # shellcheck disable=SC2086
  out=$(java -jar "$jar" $args --device reference </dev/null 2>"$work/stderr") || { echo "failed: $line" >&2; cat "$work/stderr" >&2; exit 1; }
  if [[ -n "$log" ]]; then
    { grep '^Epoch ' <<<"$out" || true; } >"$log"
  fi
done
for f in "$work"/*; do
  if [[ "$f" == *.csv && -e "$here/$(basename "$f")" ]] || [[ "$f" == "$work/stderr" ]]; then
    continue
  fi
  sed "s|$work|@DIR@|g" "$f" >"$here/$(basename "$f")"
done
rm -r "$work"
