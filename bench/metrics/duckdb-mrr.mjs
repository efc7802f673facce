#!/usr/bin/env node
// Reference implementation of `revloop metrics mrr --format csv` on DuckDB.
//
//   node duckdb-mrr.mjs FILE.csv FROM TO      (FROM/TO = YYYY-MM, inclusive)
//
// stdout: the monthly CSV (same header/format as RevLoop).
// stderr: timings, one `key=value` per line: load_s, compute_s, rows.
// Env: DUCKDB_THREADS (default: DuckDB's default = all cores),
//      DUCKDB_MEMORY_LIMIT (e.g. 16GB).
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const HEADER = 'month,mrr_start,new,expansion,reactivation,contraction,churn,mrr_end,' +
  'customers_start,new_customers,reactivated_customers,churned_customers,customers_end';

function die(msg) { process.stderr.write(`duckdb-mrr: ${msg}\n`); process.exit(2); }

const [file, from, to] = process.argv.slice(2);
if (!file || !from || !to) die('usage: duckdb-mrr.mjs FILE.csv FROM(YYYY-MM) TO(YYYY-MM)');
const ym = /^(\d{4})-(0[1-9]|1[0-2])$/;
if (!ym.test(from) || !ym.test(to)) die('FROM/TO must be YYYY-MM');
if (from > to) die('FROM must not be after TO');
const sqlStr = (s) => `'${s.replaceAll("'", "''")}'`;

process.on('uncaughtException', (e) => die(e?.message ?? String(e)));
process.on('unhandledRejection', (e) => die(e?.message ?? String(e)));

const t0 = performance.now();
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run("SET TimeZone = 'UTC'");
if (process.env.DUCKDB_THREADS) await con.run(`SET threads = ${Number(process.env.DUCKDB_THREADS)}`);
if (process.env.DUCKDB_MEMORY_LIMIT) await con.run(`SET memory_limit = ${sqlStr(process.env.DUCKDB_MEMORY_LIMIT)}`);
await con.run('SET preserve_insertion_order = false');

// ---- load ------------------------------------------------------------------
const cpuS = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const tLoad = performance.now(), cLoad = cpuS();
// Every value is typed strictly here, as PostgreSQL's COPY does: read_csv would turn
// an invalid timestamp into NULL (an empty `end` means "still running"), so
// instants are read as text and CAST, which fails on invalid input; amounts are
// DECIMAL(18,6) and more than 6 decimals (which the cast would round) is an error.
await con.run(`
  CREATE TABLE items AS
  SELECT customer_id, subscription_id,
         CAST("start" AS TIMESTAMPTZ) AS "start",
         CAST("end" AS TIMESTAMPTZ) AS "end",
         CASE WHEN strpos(amount, '.') > 0 AND length(amount) - strpos(amount, '.') > 6
              THEN error('amount with more than 6 decimals: ' || amount)
              ELSE CAST(amount AS DECIMAL(18,6)) END AS amount,
         currency, "interval", interval_count, quantity
  FROM read_csv(${sqlStr(resolve(file))},
    header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    columns = {
      'customer_id': 'VARCHAR', 'subscription_id': 'VARCHAR',
      'start': 'VARCHAR', 'end': 'VARCHAR',
      'amount': 'VARCHAR', 'currency': 'VARCHAR', 'interval': 'VARCHAR',
      'interval_count': 'INTEGER', 'quantity': 'INTEGER'
    })`);
const loadS = (performance.now() - tLoad) / 1000, loadCpuS = cpuS() - cLoad;

// ---- compute ---------------------------------------------------------------
const tCompute = performance.now(), cCompute = cpuS();
// Reject what the engine rejects (METRICS.md section 1) instead of silently computing.
const bad = (await con.runAndReadAll(`
  SELECT count(*) FILTER (WHERE customer_id IS NULL OR customer_id = '') AS no_customer,
         count(*) FILTER (WHERE "start" IS NULL) AS no_start,
         count(*) FILTER (WHERE "end" < "start") AS end_before_start,
         count(*) FILTER (WHERE lower("interval") NOT IN ('day','week','month','quarter','year') OR "interval" IS NULL) AS bad_interval,
         count(*) FILTER (WHERE coalesce(interval_count, 1) < 1 OR coalesce(quantity, 1) < 0) AS bad_count,
         count(*) FILTER (WHERE amount IS NULL) AS no_amount,
         CASE WHEN min(currency) IS DISTINCT FROM max(currency) THEN 1 ELSE 0 END AS several_currencies
  FROM items`)).getRowObjectsJson()[0];
for (const [k, v] of Object.entries(bad)) {
  if (Number(v) > 0) die(`rejected input: ${k} (${v})`);
}

await con.run(`CREATE TEMP MACRO cents(x, dd) AS
  CASE WHEN x < 0 THEN -((-x * 100 + dd // 2) // dd) ELSE (x * 100 + dd // 2) // dd END`);
await con.run(`CREATE TEMP MACRO money(c) AS
  (CASE WHEN c < 0 THEN '-' ELSE '' END) || CAST(abs(c) // 100 AS VARCHAR) || '.' || lpad(CAST(abs(c) % 100 AS VARCHAR), 2, '0')`);
const sql = readFileSync(join(HERE, 'mrr.duckdb.sql'), 'utf8')
  .replaceAll('${FROM}', `${from}-01`).replaceAll('${TO}', `${to}-01`);
const result = await con.runAndReadAll(sql);
const rows = result.getRows();
const computeS = (performance.now() - tCompute) / 1000, computeCpuS = cpuS() - cCompute;

const out = [HEADER];
for (const r of rows) out.push(r.map(String).join(','));
process.stdout.write(out.join('\n') + '\n');
process.stderr.write(`engine=duckdb\nload_s=${loadS.toFixed(3)}\ncompute_s=${computeS.toFixed(3)}\n` +
  `load_cpu_s=${loadCpuS.toFixed(2)}\ncompute_cpu_s=${computeCpuS.toFixed(2)}\n` +
  `total_s=${((performance.now() - t0) / 1000).toFixed(3)}\nrows=${rows.length}\n`);
