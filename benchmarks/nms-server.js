#!/usr/bin/env node
// Starts node-media-server (NMS) 2.7.x as an RTMP-only server for benchmarks/compare.sh.
//
// Usage: node benchmarks/nms-server.js --nms-dir DIR [--port 19353] [--host 127.0.0.1] [--log-level error]
//   --nms-dir    the npm prefix holding node_modules/node-media-server (compare.sh installs it there)
//   --port       RTMP port
//   --host       address to listen on (loopback by default)
//   --log-level  none | error | normal | debug (NMS's own levels; error keeps per-connection lines out of the log)
//
// Why not `new NodeMediaServer(config).run()`: in 2.7.x that calls `tcpServer.listen(port)` without a host, which
// binds every interface. This launcher builds the same NodeRtmpServer that run() builds (same sessions, same
// config object) and listens on --host only. No HTTP server (HTTP-FLV, the API) is started: the comparison is RTMP
// in, RTMP out. Configuration is NMS's README example for RTMP (gop_cache true: new players start at the last
// keyframe; ping 30 s, ping_timeout 60 s) except chunk_size: 4096 instead of the README's 60000, the outgoing chunk
// size Millrace and our nginx-rtmp configuration use, so all three servers cut the same media into the same chunks.
//
// Node runs JavaScript on one thread; NMS 2.7 has a cluster mode we do not use, so NMS serves with one core, as
// nginx-rtmp does with worker_processes 1 and Millrace with --threads 1.
'use strict';

const path = require('path');

function parseArgs(argv) {
  const opts = { nmsDir: null, port: 19353, host: '127.0.0.1', logLevel: 'error' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) {
        throw new Error(`${a} needs a value`);
      }
      return argv[++i];
    };
    switch (a) {
      case '--nms-dir': opts.nmsDir = value(); break;
      case '--port': opts.port = Number.parseInt(value(), 10); break;
      case '--host': opts.host = value(); break;
      case '--log-level': opts.logLevel = value(); break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  if (!opts.nmsDir) {
    throw new Error('--nms-dir is required');
  }
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) {
    throw new Error('--port must be 1..65535');
  }
  return opts;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`nms-server: ${e.message}`);
  process.exit(2);
}

const nmsRoot = path.resolve(opts.nmsDir, 'node_modules', 'node-media-server');
const Logger = require(path.join(nmsRoot, 'src', 'node_core_logger'));
const NodeRtmpServer = require(path.join(nmsRoot, 'src', 'node_rtmp_server'));
const nmsVersion = require(path.join(nmsRoot, 'package.json')).version;

const levels = { none: Logger.LOG_TYPES.NONE, error: Logger.LOG_TYPES.ERROR, normal: Logger.LOG_TYPES.NORMAL,
  debug: Logger.LOG_TYPES.DEBUG };
if (!(opts.logLevel in levels)) {
  console.error(`nms-server: --log-level must be one of ${Object.keys(levels).join(', ')}`);
  process.exit(2);
}
Logger.setLogType(levels[opts.logLevel]);

const config = {
  rtmp: {
    port: opts.port,
    chunk_size: 4096,
    gop_cache: true,
    ping: 30,
    ping_timeout: 60,
  },
};

const nrs = new NodeRtmpServer(config);
nrs.tcpServer.on('error', (e) => {
  // EADDRINUSE and the like: nothing is served, so do not linger.
  console.error(`nms-server: ${e.message}`);
  process.exit(1);
});
nrs.tcpServer.listen(opts.port, opts.host, () => {
  console.log(`node-media-server ${nmsVersion} on node ${process.version}: RTMP on ${opts.host}:${opts.port}`);
});

// NodeMediaServer.run() installs the same handler: one broken session must not end the server.
process.on('uncaughtException', (err) => {
  Logger.error('uncaughtException', err);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    nrs.stop();
    process.exit(0);
  });
}
