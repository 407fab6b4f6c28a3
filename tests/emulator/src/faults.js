'use strict';
// Fault injection driven by a seeded PRNG so that a run with the same seed
// and the same request sequence fails the same way.

const KNOWN = new Set(['throttle', 'error5xx', 'latencyMs', 'dropConnection', 'failNext', 'seed', 'retryAfterSeconds']);

// mulberry32: tiny, good enough, and repeatable.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Faults {
  constructor(baseLatencyMs = 0) {
    this.baseLatencyMs = baseLatencyMs;
    this.set({});
  }

  // Throws on a malformed configuration so the caller can answer 400.
  set(cfg) {
    if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) throw new Error('faults must be a JSON object');
    for (const k of Object.keys(cfg)) if (!KNOWN.has(k)) throw new Error(`unknown fault setting ${k}`);
    for (const k of ['throttle', 'error5xx', 'dropConnection']) {
      if (cfg[k] !== undefined && !(typeof cfg[k] === 'number' && cfg[k] >= 0 && cfg[k] <= 1)) throw new Error(`${k} must be a probability 0..1`);
    }
    if (cfg.latencyMs !== undefined && !(Number.isInteger(cfg.latencyMs) && cfg.latencyMs >= 0)) throw new Error('latencyMs must be an integer >= 0');
    const failNext = {};
    for (const [op, v] of Object.entries(cfg.failNext || {})) {
      const spec = typeof v === 'number' ? { count: v, fault: 'error5xx' } : { fault: 'error5xx', ...v };
      if (!Number.isInteger(spec.count) || spec.count < 0) throw new Error(`failNext.${op} needs a count`);
      if (!['error5xx', 'throttle', 'dropConnection'].includes(spec.fault)) throw new Error(`failNext.${op}: unknown fault ${spec.fault}`);
      failNext[op] = spec;
    }
    this.cfg = {
      throttle: cfg.throttle || 0,
      error5xx: cfg.error5xx || 0,
      dropConnection: cfg.dropConnection || 0,
      latencyMs: cfg.latencyMs || 0,
      retryAfterSeconds: cfg.retryAfterSeconds || 1,
      seed: cfg.seed === undefined ? 1 : cfg.seed,
      failNext,
    };
    this.rand = prng(this.cfg.seed);
  }

  describe() {
    return this.cfg;
  }

  latency() {
    return this.baseLatencyMs + this.cfg.latencyMs;
  }

  // Decide the fate of one API request: null, 'throttle', 'error5xx' or
  // 'dropConnection'. Every request draws the same number of random numbers
  // so one fault kind does not shift the sequence of another.
  decide(operation) {
    const spec = this.cfg.failNext[operation];
    if (spec && spec.count > 0) {
      spec.count -= 1;
      return spec.fault;
    }
    const r1 = this.rand();
    const r2 = this.rand();
    const r3 = this.rand();
    if (r1 < this.cfg.dropConnection) return 'dropConnection';
    if (r2 < this.cfg.throttle) return 'throttle';
    if (r3 < this.cfg.error5xx) return 'error5xx';
    return null;
  }
}

module.exports = { Faults };
