#!/usr/bin/env bash
# Regenerate the Python stubs of our Hubble proto subset (holmes/tools/hubble/proto/**.proto):
# *_pb2.py, *_pb2_grpc.py and *.pyi, next to the .proto files.
#
# Usage: scripts/generate_hubble_stubs.sh [OUT_DIR]
#   OUT_DIR defaults to the repository root (overwrites the committed stubs); tests pass a
#   temporary folder and compare. PYTHON selects the interpreter (default: python3), which
#   needs grpcio-tools (the `test` extra). The committed stubs are generated, never edited.
#
# The repository root is the include root, so the protos import each other as
# "holmes/tools/hubble/proto/flow/flow.proto" and the generated modules import
# `holmes.tools.hubble.proto.flow.flow_pb2`: package-qualified, no sys.path changes.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$repo}"
python="${PYTHON:-python3}"
protos=(
  holmes/tools/hubble/proto/flow/flow.proto
  holmes/tools/hubble/proto/relay/relay.proto
  holmes/tools/hubble/proto/observer/observer.proto
)

mkdir -p "$out"
cd "$repo"
# `python -m grpc_tools.protoc` adds the well-known types (google/protobuf/*.proto) itself.
"$python" -m grpc_tools.protoc \
  -I "$repo" \
  --python_out="$out" \
  --grpc_python_out="$out" \
  --pyi_out="$out" \
  "${protos[@]}"
