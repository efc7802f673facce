import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
const f = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run("SET TimeZone='UTC'"); await c.run('SET preserve_insertion_order=false');
await c.run(`CREATE TABLE items AS SELECT * FROM read_csv('${f}', header=true, auto_detect=false, delim=',', quote='"', escape='"',
   columns={'customer_id':'VARCHAR','subscription_id':'VARCHAR','start':'TIMESTAMPTZ','end':'TIMESTAMPTZ','amount':'DECIMAL(18,6)','currency':'VARCHAR','interval':'VARCHAR','interval_count':'INTEGER','quantity':'INTEGER'})`);
await c.run(`CREATE TEMP MACRO cents(x, dd) AS CASE WHEN x < 0 THEN -((-x * 100 + dd // 2) // dd) ELSE (x * 100 + dd // 2) // dd END`);
await c.run(`CREATE TEMP MACRO money(c) AS (CASE WHEN c < 0 THEN '-' ELSE '' END) || CAST(abs(c) // 100 AS VARCHAR) || '.' || lpad(CAST(abs(c) % 100 AS VARCHAR), 2, '0')`);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (const file of process.argv.slice(3)) {
  const sql = readFileSync(file,'utf8').replaceAll('${FROM}','2021-01-01').replaceAll('${TO}','2025-12-01');
  for (let i=0;i<3;i++){ const t=performance.now(), c0=cpu(); const r = await c.runAndReadAll(sql); console.log(file, 'wall', ((performance.now()-t)/1000).toFixed(2), 'cpu', (cpu()-c0).toFixed(2), r.getRows()[59].join(',').slice(0,60)); }
}
