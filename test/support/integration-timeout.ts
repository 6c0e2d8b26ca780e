// Integration specs talk to a real broker and database: allow for consumer group joins.
jest.setTimeout(120_000);
