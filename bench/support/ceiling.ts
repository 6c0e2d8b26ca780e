// The most a service could do on this machine, from figures measured in the same run: a
// baseline's whole-machine CPU per message (for the router the durable minimum: its client,
// the brokers, PostgreSQL; for the audit the COPY of its rows) plus what the contract adds to
// every message whatever the code (one verification of what is read, one signature of what
// is emitted). Pure, so the arithmetic is tested.

export interface CeilingInputs {
  /** Cores of the machine. */
  cores: number;
  /** Busy CPU of the whole machine per message on the baseline's pass, µs. */
  baselineMachineMicros: number;
  /** One Ed25519 verification with its canonical JSON, µs. */
  verifyMicros: number;
  /** One signature with its canonical JSON, µs. */
  signMicros: number;
}

export interface Ceiling {
  /** CPU a message needs at the least, µs of one core. */
  floorMicros: number;
  /** Messages per second with every core busy on nothing else. */
  rate: number;
}

export function contractCeiling({ cores, baselineMachineMicros, verifyMicros, signMicros }: CeilingInputs): Ceiling {
  for (const [name, value] of Object.entries({ cores, baselineMachineMicros, verifyMicros, signMicros })) {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number (got ${value})`);
  }
  const floorMicros = baselineMachineMicros + verifyMicros + signMicros;
  return { floorMicros, rate: (cores * 1e6) / floorMicros };
}
