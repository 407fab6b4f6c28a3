'use strict';
// The services the emulator speaks, keyed by their SigV4 signing name.

const lattice = require('./lattice');
const sts = require('./sts');

const all = [lattice, sts];
for (const opt of ['./route53', './acm', './iam']) {
  try {
    all.push(require(opt));
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND' || !String(e.message).includes(opt.slice(2))) throw e;
  }
}

// Seed types ("service", "hostedZone", ...) -> the operation that creates them.
const seedTypes = {};
for (const svc of all) {
  for (const [type, operation] of Object.entries(svc.seedTypes || {})) seedTypes[type] = { service: svc.name, operation };
}

module.exports = { all, seedTypes };
