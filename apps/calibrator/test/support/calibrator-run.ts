// What a calibrator spec does to its run: publish events as their producers sign them, wait
// for the calibrator to catch up, and call its API. One place for the specs that share it.
import { AnyEvent } from '@hitl/contracts';
import { TEST_LABELER, consumersCaughtUp, eventually, httpCall, idempotentProducer, signed } from '@hitl/testing';
import { Kafka } from 'kafkajs';
import { RawEvent } from './raw-events';

export interface CalibratorRun {
  kafka: Kafka;
  /** The run's topic prefix. */
  prefix: string;
  /** The topics the calibrator reads, unprefixed. */
  topics: readonly string[];
  /** The service's URL, once started. */
  base: () => string;
  /** The token a call carries unless told otherwise. */
  token: string;
}

export function calibratorRun(run: CalibratorRun) {
  const publishBytes = async (topic: string, messages: { key: string; value: string }[]): Promise<void> => {
    const producer = idempotentProducer(run.kafka);
    await producer.connect();
    await producer.send({ topic: `${run.prefix}${topic}`, acks: -1, messages });
    await producer.disconnect();
  };
  /** Signed as its producer would (labels by the labeler, the rest by their agent, the router or the escalation service), or by `as`. */
  const publish = (topic: string, events: RawEvent[], as?: string) =>
    publishBytes(
      topic,
      events.map((e) => ({
        key: e.subject,
        value: JSON.stringify(signed(e as unknown as AnyEvent, as ?? (e.type === 'hitl.outcome.labeled.v1' ? TEST_LABELER : undefined))),
      })),
    );
  const settled = () =>
    eventually(
      'the calibrator to catch up',
      () => consumersCaughtUp(run.kafka, [[`${run.prefix}hitl-calibrator`, run.topics.map((name) => `${run.prefix}${name}`)]]),
      { timeoutMs: 60_000, everyMs: 200 },
    );
  const http = (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    httpCall(`${run.base()}${path}`, { method, token: options.token ?? run.token, body: options.body });
  return { publishBytes, publish, settled, http };
}
