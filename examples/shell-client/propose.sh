#!/usr/bin/env bash
# Proposes one decision with kcat and prints its approval.resolved: an agent written with
# nothing but the wire contract (README "Any language: the contract") and the exported
# JSON Schema (libs/contracts/generated/json-schema/). No project code runs here.
#
#   examples/shell-client/propose.sh [ACTION] [AMOUNT_USD] [CONFIDENCE]
#   e.g. examples/shell-client/propose.sh process_refund 20 0.9
set -euo pipefail

broker="${KAFKA_BROKERS:-127.0.0.1:9092}"
prefix="${KAFKA_TOPIC_PREFIX:-}"
action="${1:-process_refund}"
amount="${2:-20}"
confidence="${3:-0.9}"
wait_seconds="${WAIT_SECONDS:-30}"

command -v kcat >/dev/null || { echo "kcat is needed (Debian: apt-get install kcat)" >&2; exit 2; }
uuid() { cat /proc/sys/kernel/random/uuid; }
decision_id="$(uuid)"

# One CloudEvents 1.0 message; the Kafka key is the decision_id (so its events stay in order).
event=$(cat <<JSON
{"specversion":"1.0","id":"$(uuid)","source":"agent/shell-bot","type":"hitl.decision.proposed.v1",
 "time":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","subject":"${decision_id}","datacontenttype":"application/json",
 "workspaceid":"acme-support",
 "data":{"decision_id":"${decision_id}","agent":{"id":"shell-bot"},"action":"${action}",
         "parameters":{"order_id":"ORD-SHELL-1","amount_usd":${amount}},
         "confidence":${confidence},"confidence_basis":"matches the order history",
         "uncertainty_factors":[],"recommended_review":false,
         "summary":"Refund \$${amount} for order ORD-SHELL-1."}}
JSON
)
printf '%s\n' "$(printf '%s' "$event" | tr -d '\n')" | kcat -P -b "$broker" -t "${prefix}decision.proposed" -k "$decision_id"
echo "proposed ${decision_id} (${action}, \$${amount}, confidence ${confidence})" >&2

# Its outcome: the approval.resolved whose key is our decision_id (from the start of the
# topic, so a resolution that came before we started reading is not missed).
resolution=$(timeout "$wait_seconds" kcat -C -b "$broker" -t "${prefix}approval.resolved" -o beginning -u -q -f '%k\t%s\n' 2>/dev/null \
  | grep -m1 "^${decision_id}"$'\t' | cut -f2- || true)
if [[ -z "$resolution" ]]; then
  echo "no approval.resolved for ${decision_id} within ${wait_seconds} s (a person may still be deciding: it went to review)" >&2
  exit 3
fi
printf '%s\n' "$resolution"
