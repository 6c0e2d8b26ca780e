// The HTTP fuzz table: every documented operation, with what its random requests may
// present. http.int-spec.ts fails when an operation of an /openapi.json is missing here.
import fc from 'fast-check';
import { Fixtures } from './authorization-matrix';
import { Operation, RawRequest } from './system';

/** Fixed, so a failure reproduces; printed by the spec. */
export const FUZZ_SEED = 20261122;
export const FUZZ_RUNS = 40;

export interface FuzzSpec {
  /** A POST that only reads (checks, replays): a 200 to random input changes nothing. */
  readOnly: boolean;
  /**
   * Whose valid tokens a request may carry (besides none, malformed and unknown ones);
   * by default the people the service knows. An admin may run retention with any body,
   * so its operation leaves the admin out.
   */
  people?: readonly string[];
  /**
   * Every body is a JSON object with an unknown field, sent as JSON: the endpoint would
   * accept an empty body from who may call it (and then rightly change something).
   */
  jsonOnly: boolean;
}

const REVIEWERS = ['alice', 'dana', 'emil', 'bruno', 'farah', 'ines', 'hassan', 'grace'] as const;
const AUDITORS = ['auditorInes', 'compliance'] as const;
const PEOPLE: Record<string, readonly string[]> = { router: [...REVIEWERS, ...AUDITORS], escalation: REVIEWERS, audit: AUDITORS, calibrator: AUDITORS };
const spec = (overrides: Partial<FuzzSpec> = {}): FuzzSpec => ({ readOnly: false, jsonOnly: false, ...overrides });

export const FUZZ: Record<string, FuzzSpec> = {
  'router GET /healthz': spec(),
  'router GET /livez': spec(),
  'router GET /readyz': spec(),
  'router GET /metrics': spec(),
  'router GET /manifest': spec(),
  'router GET /keys': spec(),
  'escalation GET /healthz': spec(),
  'escalation GET /livez': spec(),
  'escalation GET /readyz': spec(),
  'escalation GET /metrics': spec(),
  'escalation GET /manifest': spec(),
  'escalation GET /keys': spec(),
  'escalation GET /me': spec(),
  'escalation GET /queues': spec(),
  'escalation GET /approvals': spec(),
  'escalation GET /approvals/stream': spec(),
  'escalation GET /approvals/{id}': spec(),
  'escalation POST /approvals/{id}/approve': spec(),
  'escalation POST /approvals/{id}/deny': spec(),
  'escalation POST /approvals/{id}/edit': spec(),
  'escalation POST /approvals/batch': spec(),
  'escalation POST /approvals/{id}/clarify': spec(),
  'escalation POST /approvals/{id}/rollback': spec(),
  'escalation GET /classifications': spec(),
  'escalation GET /classifications/{id}': spec(),
  'escalation POST /classifications/{id}/classify': spec(),
  'escalation POST /classifications/{id}/dismiss': spec(),
  'escalation GET /links/{token}': spec(),
  'escalation POST /links/{token}': spec(),
  'escalation GET /reviewers': spec(),
  'escalation GET /reviewers/{id}': spec(),
  'escalation PUT /reviewers/{id}': spec(),
  'escalation PATCH /reviewers/{id}': spec(),
  'escalation DELETE /reviewers/{id}': spec(),
  'escalation POST /reviewers/{id}/token': spec(),
  'escalation POST /pauses': spec(),
  'escalation GET /pauses': spec(),
  'escalation POST /pauses/{id}/resume': spec(),
  'escalation GET /probations': spec(),
  'escalation POST /probations/{id}/end': spec(),
  'escalation GET /handoffs': spec(),
  'escalation GET /handoffs/{id}': spec(),
  'escalation POST /handoffs/{id}/take': spec(),
  'escalation POST /handoffs/{id}/return': spec(),
  'audit GET /healthz': spec(),
  'audit GET /livez': spec(),
  'audit GET /readyz': spec(),
  'audit GET /metrics': spec(),
  'audit GET /manifest': spec(),
  'audit GET /keys': spec(),
  'audit GET /audit/verify': spec(),
  'audit GET /audit/head': spec(),
  'audit GET /audit/head/key': spec(),
  'audit POST /audit/head/check': spec({ readOnly: true }),
  'audit GET /audit/decisions/{decision_id}/timeline': spec(),
  'audit GET /audit/events': spec(),
  'audit GET /audit/export': spec(),
  'audit POST /audit/retention/run': spec({ people: ['auditorInes'] }),
  'calibrator GET /healthz': spec(),
  'calibrator GET /livez': spec(),
  'calibrator GET /readyz': spec(),
  'calibrator GET /metrics': spec(),
  'calibrator GET /manifest': spec(),
  'calibrator GET /keys': spec(),
  'calibrator POST /reports': spec({ jsonOnly: true }),
  'calibrator GET /reports': spec(),
  'calibrator GET /reports/latest': spec(),
  'calibrator GET /reports/{ref}': spec(),
  'calibrator GET /reports/{id}/diagram/{file}': spec(),
  'calibrator GET /reports/{id}/suggestions.patch': spec(),
  'calibrator POST /replay': spec({ readOnly: true }),
  'calibrator GET /drift': spec(),
  'calibrator GET /drift/alerts/{id}.patch': spec(),
};

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.fullUnicodeString({ maxLength: 20 }),
  fc.constantFrom('', ' ', '0', '-1', 'null', 'true', '[]', '{}', '1e309', "' OR 1=1 --"),
);

/** A path parameter: noise, a UUID nobody has, a real approval or reviewer, or bytes no URL decoder takes. */
const pathParameter = (f: Fixtures) =>
  fc.oneof(
    text.map((s) => encodeURIComponent(s) || 'x'),
    fc.uuid(),
    // Real ids of approvals, decisions and reports (never of reviewers: an admin may rightly delete one).
    fc.constantFrom(f.shared.approval_id, f.decisions.acme, f.reports.acme, '%ZZ', '..%2F..%2Fetc%2Fpasswd', 'a'.repeat(5_000)),
  );

function queryString(operation: Operation): fc.Arbitrary<string> {
  const known = operation.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const name = known.length > 0 ? fc.oneof(fc.constantFrom(...known), fc.string({ minLength: 1, maxLength: 12 })) : fc.string({ minLength: 1, maxLength: 12 });
  return fc.array(fc.tuple(name, text), { maxLength: 4 }).map((pairs) => (pairs.length === 0 ? '' : `?${new URLSearchParams(pairs).toString()}`));
}

function authorization(people: readonly string[], tokens: Record<string, string>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: fc.constantFrom('Bearer', 'Basic YWxpY2U6cHc=', 'Bearer a b', 'bearer  ', 'Bearer agent-made-up-token-0123456789'), weight: 1 },
    { arbitrary: fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`), weight: 1 },
    // Mostly someone the service knows, so the request gets past authentication to the input checks.
    { arbitrary: fc.constantFrom(...people).map((p) => `Bearer ${tokens[p]}`), weight: 5 },
  );
}

const unknownField = (value: unknown) => ({
  ...(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { value }),
  fuzz_unknown_field: true,
});

function body(): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 6 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    // Not JSON at all, or cut short.
    { arbitrary: fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('{', '{"a":', '[1,', '\u0000', 'null')), weight: 2 },
    // Larger than any body an endpoint takes.
    { arbitrary: fc.constant(JSON.stringify({ fuzz_unknown_field: 'x'.repeat(300_000) })), weight: 1 },
  );
}

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'),
    fc.string({ maxLength: 30 }),
  ),
);

/** One random request of an operation: its path parameters, query, headers and (but for GET) body. */
export function fuzzedRequest(operation: Operation, fuzz: FuzzSpec, tokens: Record<string, string>, f: Fixtures): fc.Arbitrary<RawRequest> {
  const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const json = fuzz.jsonOnly;
  return fc
    .record({
      params: fc.tuple(...names.map(() => pathParameter(f))),
      query: queryString(operation),
      authorization: authorization(fuzz.people ?? PEOPLE[operation.service], tokens),
      contentType: json ? fc.constant('application/json') : contentType,
      extra: fc.string({ maxLength: 30 }),
      body: operation.method === 'GET' ? fc.constant(undefined) : json ? fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(unknownField(v))) : body(),
    })
    .map(({ params, query, authorization: auth, contentType: type, extra, body: sent }) => {
      let path = operation.path;
      names.forEach((name, i) => (path = path.replace(`{${name}}`, params[i])));
      const headers: Record<string, string> = { 'x-fuzz': extra };
      if (auth !== undefined) headers.authorization = auth;
      if (type !== null) headers['content-type'] = type;
      return { method: operation.method, path: `${path}${query}`, headers, body: sent };
    });
}
