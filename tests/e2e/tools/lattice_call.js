#!/usr/bin/env node
// One VPC Lattice call made the way another tool would make it, out of
// band of trellis: the official SDK v3 client the emulator's tests pin
// (tests/emulator/node_modules), signed with the environment's AWS_*
// settings (AWS_ENDPOINT_URL, keys, region). Prints the reply as JSON.
//   lattice_call.js OPERATION 'JSON INPUT'      e.g. UpdateRule '{...}'
'use strict';
const path = require('path');

const L = require(path.join(__dirname, '..', '..', 'emulator', 'node_modules', '@aws-sdk', 'client-vpc-lattice'));

async function main() {
  const [op, input] = process.argv.slice(2);
  const Command = L[`${op}Command`];
  if (!Command) throw new Error(`unknown VPC Lattice operation ${op}`);
  const client = new L.VPCLatticeClient({
    endpoint: process.env.AWS_ENDPOINT_URL,
    region: process.env.AWS_REGION,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
  const out = await client.send(new Command(JSON.parse(input || '{}')));
  delete out.$metadata;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e) => {
  process.stderr.write(`lattice_call: ${e.name}: ${e.message}\n`);
  process.exit(1);
});
