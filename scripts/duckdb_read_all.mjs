// Reads every row and column of every table of a migreplay lake with
// DuckDB, as a data scientist's SELECT * would: DuckDB refuses a STRING
// column holding bytes that are not UTF-8, so this fails on a lake that
// stores one. Usage: node duckdb_read_all.mjs <lake>   (exit 1 on failure)
// Node setup as scripts/integration.sh: NODE_PATH=$PWD/.scratch/duckdb/node_modules.
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
const require = createRequire(process.env.NODE_PATH + '/');
const { DuckDBInstance } = require('@duckdb/node-api');

const lake = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
let failed = 0;
for (const t of readdirSync(lake).filter((d) => d.startsWith('table=')).map((d) => d.slice(6)).sort()) {
  const glob = `${lake}/table=${t}/**/*.parquet`;
  try {
    const rows = (await con.runAndReadAll(`SELECT * FROM read_parquet('${glob}', hive_partitioning = true)`)).getRows();
    let extra = '';
    if (t === 'rejects') {
      const [[n]] = (await con.runAndReadAll(`SELECT count(raw_bytes)::INTEGER FROM read_parquet('${glob}')`)).getRows();
      extra = `, ${n} with raw_bytes`;
    }
    console.log(`ok   ${t}: ${rows.length} rows read${extra}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${t}: ${e.message.split('\n')[0]}`);
  }
}
process.exit(failed ? 1 : 0);
