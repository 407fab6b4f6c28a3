'use strict';
// Command line: node src/main.js [--port N] [--latency-ms N] [--state FILE]
//                                 [--access-key K --secret-key S]

const { Emulator } = require('./server');

function usage(msg) {
  process.stderr.write(`${msg}\nusage: run [--port N] [--latency-ms N] [--state FILE] [--access-key K --secret-key S]\n`);
  process.exit(64);
}

function parseArgs(argv) {
  const opts = { port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--port': opts.port = Number(val()); break;
      case '--latency-ms': opts.latencyMs = Number(val()); break;
      case '--state': opts.stateFile = val(); break;
      case '--access-key': opts.accessKeyId = val(); break;
      case '--secret-key': opts.secretAccessKey = val(); break;
      case '-h': case '--help': usage('AWS emulator for trellis tests'); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage('--port must be 0..65535');
  if (opts.latencyMs !== undefined && !(Number.isInteger(opts.latencyMs) && opts.latencyMs >= 0)) usage('--latency-ms must be an integer >= 0');
  if (!!opts.accessKeyId !== !!opts.secretAccessKey) usage('--access-key and --secret-key go together');
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const emu = new Emulator(opts);
  const port = await emu.listen(opts.port);
  process.stdout.write(`listening http://127.0.0.1:${port}\n`);
  const stop = () => {
    emu.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`emulator: ${e.stack || e}\n`);
  process.exit(1);
});
