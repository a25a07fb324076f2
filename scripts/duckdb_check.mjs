// Reads a migreplay lake with DuckDB and checks it against the ingest
// summary. Usage: node duckdb_check.mjs <lake>   (exit 1 on any mismatch)
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
const require = createRequire(process.env.NODE_PATH + '/');
const { DuckDBInstance } = require('@duckdb/node-api');

const lake = process.argv[2];
const summary = JSON.parse(readFileSync(`${lake}/_summary.json`, 'utf8'));
const want = {};
for (const f of summary.files) for (const [t, n] of Object.entries(f.records || {})) want[t] = (want[t] || 0) + n;

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const q = async (sql) => (await con.runAndReadAll(sql)).getRowObjects();
let failed = 0;
const tables = readdirSync(lake).filter((d) => d.startsWith('table=')).map((d) => d.slice(6));
for (const t of tables.sort()) {
  const glob = `${lake}/table=${t}/**/*.parquet`;
  const [{ n }] = await q(`SELECT count(*)::INTEGER AS n FROM read_parquet('${glob}', hive_partitioning = true)`);
  const ok = n === (want[t] || 0);
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${t}: duckdb ${n} rows, ingest reported ${want[t] || 0}`);
  const meta = await q(`SELECT DISTINCT decode(value) AS v FROM parquet_kv_metadata('${glob}') WHERE decode(key) = 'migreplay.schema_version'`);
  if (meta.length !== 1) { failed++; console.log(`FAIL ${t}: schema version metadata ${JSON.stringify(meta)}`); }
}
for (const t of Object.keys(want)) if (!tables.includes(t)) { failed++; console.log(`FAIL ${t}: reported but no files`); }

if (tables.includes('ping_reply') && tables.includes('sar_cpu')) {
  const rows = await q(`
    WITH p AS (SELECT date_trunc('minute', time) AS m, avg(rtt_ms) AS rtt, count(*) AS replies
               FROM read_parquet('${lake}/table=ping_reply/**/*.parquet', hive_partitioning = true)
               WHERE time IS NOT NULL AND rtt_ms IS NOT NULL GROUP BY 1),
         c AS (SELECT date_trunc('minute', time) AS m, avg(100 - idle_pct) AS busy
               FROM read_parquet('${lake}/table=sar_cpu/**/*.parquet', hive_partitioning = true) WHERE cpu = -1 GROUP BY 1)
    SELECT strftime(p.m, '%Y-%m-%d %H:%M') AS minute, p.replies::INTEGER AS replies, round(p.rtt, 3) AS avg_rtt_ms, round(c.busy, 2) AS cpu_busy_pct
    FROM p JOIN c USING (m) ORDER BY 1`);
  console.log('ping replies joined with sar cpu by minute:');
  console.table(rows);
  if (rows.length === 0) { failed++; console.log('FAIL: the join found no common minute'); }
} else {
  failed++; console.log('FAIL: ping_reply or sar_cpu missing from the lake');
}
console.log(failed ? `duckdb: ${failed} failed` : 'duckdb: 0 failed');
process.exit(failed ? 1 : 0);
