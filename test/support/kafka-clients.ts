// The specs' own kafkajs clients (admins, readers, agents' producers) get the correction the
// services and the SDK make: kafkajs 2.2.4 alone re-arms a 1 ms timer per connection, and
// Node 24 prints a TimeoutNegativeWarning for it into the test output.
import { fixKafkajsRequestQueue } from '@hitl/kafkajs-fix';

fixKafkajsRequestQueue();
