'use strict';
// The services the emulator speaks, keyed by their SigV4 signing name.

const all = [
  require('./lattice'),
  require('./route53'),
  require('./acm'),
  require('./iam'),
  require('./sts'),
  require('./tagging'),
];

// Seed types ("service", "hostedZone", ...) -> the operation that creates them.
const seedTypes = {};
for (const svc of all) {
  for (const [type, operation] of Object.entries(svc.seedTypes || {})) seedTypes[type] = { service: svc.name, operation };
}

module.exports = { all, seedTypes };
