// The most a router could route on this machine, from figures measured in the same run: the
// durable minimum's whole-machine CPU per decision (its client, the brokers, PostgreSQL)
// plus what the contract adds to every decision whatever the code (one verification of the
// proposal, one signature of the answer). Pure, so the arithmetic is tested.

export interface CeilingInputs {
  /** Cores of the machine. */
  cores: number;
  /** Busy CPU of the whole machine per decision on the durable minimum's pass, µs. */
  durableMachineMicros: number;
  /** One Ed25519 verification with its canonical JSON, µs. */
  verifyMicros: number;
  /** One signature with its canonical JSON, µs. */
  signMicros: number;
}

export interface Ceiling {
  /** CPU a decision needs at the least, µs of one core. */
  floorMicros: number;
  /** Decisions per second with every core busy on nothing else. */
  rate: number;
}

export function routingCeiling({ cores, durableMachineMicros, verifyMicros, signMicros }: CeilingInputs): Ceiling {
  for (const [name, value] of Object.entries({ cores, durableMachineMicros, verifyMicros, signMicros })) {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number (got ${value})`);
  }
  const floorMicros = durableMachineMicros + verifyMicros + signMicros;
  return { floorMicros, rate: (cores * 1e6) / floorMicros };
}
