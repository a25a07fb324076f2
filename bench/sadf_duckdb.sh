#!/usr/bin/env bash
# sadf -d CSV → Parquet: migreplay ingest against DuckDB read_csv → COPY …
# (FORMAT parquet, COMPRESSION zstd), same input, same run. The input is the
# CPU activity of a generated `sadf -d -- -A` capture (one header, so DuckDB's
# CSV reader takes it as is), at least 100 MB. Both sides run on one thread
# (GOMAXPROCS=1 and DuckDB threads=1) and then with their defaults.
# Target (issue 2): ≥ 1× DuckDB's throughput.
source "$(dirname "$0")/lib.sh"
node_modules=$root/.scratch/duckdb/node_modules
[ -d "$node_modules/@duckdb/node-api" ] || { echo "run make test-integration first (installs @duckdb/node-api)"; exit 1; }
all=$scratch/sadf-A-300MB.csv in=$scratch/sadf-cpu.csv
[ -s "$in" ] || {
  "$bin" generate --format sadf-csv --size 300MB --seed 1 -o "$all"
  # keep the CPU activity: its first header, then its rows
  awk '/^# / { cpu = ($0 ~ /;CPU;%usr;/); if (cpu && !seen++) print; next } cpu' "$all" > "$in"
  rm -f "$all"
}
size=$(stat -c %s "$in")
cat > "$scratch/duck.mjs" <<'JS'
import { createRequire } from 'node:module';
const require = createRequire(process.env.NODE_PATH + '/');
const { DuckDBInstance } = require('@duckdb/node-api');
const [input, output, threads] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads });
const con = await db.connect();
await con.run(`COPY (SELECT * FROM read_csv('${input}', delim = ';', header = true)) TO '${output}' (FORMAT parquet, COMPRESSION zstd)`);
JS
duck() { keepbest "$1" env NODE_PATH="$node_modules" node "$scratch/duck.mjs" "$in" "$scratch/duck.parquet" "$2"; }
ours() { rm -rf "$scratch/lake-s"; keepbest "$1" env GOMAXPROCS="$2" "$bin" ingest "$in" --out "$scratch/lake-s"; }
for ((r = 0; r < rounds; r++)); do
  duck duck1 1; ours ours1 1
  duck duckN 2; ours oursN 2
done
echo "sadf -d CPU activity, $((size/1000000)) MB, best of $rounds alternating rounds:"
echo "  one thread : migreplay $(mbps "$size" "$ours1_s") MB/s, DuckDB $(mbps "$size" "$duck1_s") MB/s -> ratio $(ratio "$duck1_s" "$ours1_s")x DuckDB (target >= 1)"
echo "  two threads: migreplay $(mbps "$size" "$oursN_s") MB/s, DuckDB $(mbps "$size" "$duckN_s") MB/s -> ratio $(ratio "$duckN_s" "$oursN_s")x DuckDB"
echo "  output: migreplay $(du -sb "$scratch/lake-s" | cut -f1) B, DuckDB $(stat -c %s "$scratch/duck.parquet") B; max RSS migreplay ${ours1_rss_mb} MB, DuckDB ${duck1_rss_mb} MB"
rm -rf "$scratch/lake-s" "$scratch/duck.parquet"
