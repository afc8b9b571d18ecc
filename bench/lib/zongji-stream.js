// bench/stream's zongji side: what a Node user would write to stream a server's binlog as JSON lines with
// zongji (npm). Connects with the sandbox's credentials, starts at the server's first binlog file
// (startAtEnd: false), prints each row event as one JSON line on stdout (database, table, type, rows keyed by
// the column names zongji reads from information_schema) and exits once every row event the server holds has
// arrived. zongji has no "stop at the end" of its own (it never sends a non-blocking dump, and its
// includeEvents filter hides the positions of the events it skips), so the end is worked out first:
// SHOW MASTER STATUS names the last file, SHOW BINLOG EVENTS IN it the end of its last row event; when that
// file holds none (a FLUSH BINARY LOGS closed the data), the ROTATE into it marks the end.
// On stderr at the end: "zongji: N row events, M rows".
//
// usage: NODE_PATH=DIR/node_modules node zongji-stream.js HOST PORT USER PASSWORD SERVER_ID
'use strict';
const mysql = require('mysql');
const ZongJi = require('zongji');

const [host, port, user, password, serverId] = process.argv.slice(2);
const connection = { host, port: Number(port), user, password };

function fail(message) {
  process.stderr.write(`zongji-stream: ${message}\n`);
  process.exit(1);
}

function query(sql) {
  return new Promise((resolve, reject) => {
    const control = mysql.createConnection(connection);
    control.query(sql, (err, rows) => {
      control.end();
      if (err) reject(err); else resolve(rows);
    });
  });
}

async function serverEnd() {
  const status = await query('SHOW MASTER STATUS');
  if (status.length === 0) fail('SHOW MASTER STATUS is empty (binary logging off?)');
  const file = status[0].File;
  const events = await query(`SHOW BINLOG EVENTS IN '${file}'`);
  let lastRowEnd = 0;
  for (const e of events) {
    if (/^(Table_map|Write_rows|Update_rows|Delete_rows)/.test(e.Event_type)) lastRowEnd = e.End_log_pos;
  }
  return { file, lastRowEnd };
}

async function main() {
  const end = await serverEnd();
  const zongji = new ZongJi(connection);
  let currentFile = '';
  let rowEvents = 0;
  let rows = 0;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    process.stderr.write(`zongji: ${rowEvents} row events, ${rows} rows\n`);
    process.exit(0);  // stdout to a file or pipe is written synchronously: nothing is lost
  };
  zongji.on('error', (err) => fail(String(err && err.stack || err)));
  zongji.on('binlog', (event) => {
    const name = event.getEventName();
    if (name === 'rotate') {
      currentFile = event.binlogName;
      if (currentFile === end.file && end.lastRowEnd === 0) finish();
      return;
    }
    if (name === 'writerows' || name === 'updaterows' || name === 'deleterows') {
      const table = event.tableMap[event.tableId];
      process.stdout.write(JSON.stringify({
        database: table.parentSchema, table: table.tableName, type: name, ts: event.timestamp,
        position: event.nextPosition, rows: event.rows,
      }) + '\n');
      rowEvents += 1;
      rows += event.rows.length;
    }
    if (currentFile === end.file && event.nextPosition >= end.lastRowEnd) finish();
  });
  zongji.start({
    serverId: Number(serverId),
    startAtEnd: false,
    includeEvents: ['tablemap', 'writerows', 'updaterows', 'deleterows', 'rotate'],
  });
}

main().catch((err) => fail(String(err && err.stack || err)));
