#!/usr/bin/env bash
# `make demo`: a short walkthrough in a throwaway cluster (see scripts/in-cluster).
set -euo pipefail
cd "$(dirname "$0")"
psql -X -q -v ON_ERROR_STOP=1 -P pager=off -f demo.sql
