#!/usr/bin/env bash
# Proposes one decision with kcat and prints its approval.resolved: an agent written with
# nothing but the wire contract (README "Any language: the contract") and the exported
# JSON Schema (libs/contracts/generated/json-schema/). No project code runs here.
#
#   examples/shell-client/propose.sh [ACTION] [AMOUNT_USD] [CONFIDENCE]
#   e.g. examples/shell-client/propose.sh process_refund 20 0.9
#
# It signs as the agent shell-bot (config/agents.yaml) with openssl: Ed25519 over the
# RFC 8785 canonical JSON of the event without `sig`. The script writes that canonical
# JSON itself (keys sorted, no whitespace, numbers as JavaScript prints them), which is
# why it only takes plain names and numbers. The key: AGENT_KEY, default
# .infra/keys/shell-bot.key.pem (`npm start` makes it; or `npx hitl keys generate --name
# shell-bot --out .infra/keys`, then restart the services). Without a key file it proposes
# unsigned in the `sandbox` workspace, which admits unsigned agents: never auto-approved
# there, a person decides each one.
#
#   KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, WAIT_SECONDS (default 30), AGENT_KEY
#   PRINT_ONLY=1: print the message it would send and stop (no kcat needed)
set -euo pipefail

broker="${KAFKA_BROKERS:-127.0.0.1:9092}"
prefix="${KAFKA_TOPIC_PREFIX:-}"
action="${1:-process_refund}"
amount="${2:-20}"
confidence="${3:-0.9}"
wait_seconds="${WAIT_SECONDS:-30}"
key="${AGENT_KEY:-$(dirname "$0")/../../.infra/keys/shell-bot.key.pem}"

# Canonical JSON needs numbers as JavaScript prints them; these forms are printed as written.
[[ "$action" =~ ^[a-z][a-z0-9_]{0,63}$ ]] || { echo "ACTION must be lower-case letters, digits and _ (got '$action')" >&2; exit 2; }
[[ "$amount" =~ ^(0|[1-9][0-9]{0,8})(\.[0-9]{0,5}[1-9])?$ ]] || { echo "AMOUNT_USD must be a plain number without trailing zeros, e.g. 20 or 19.5 (got '$amount')" >&2; exit 2; }
[[ "$confidence" =~ ^(0|1|0\.[0-9]{0,5}[1-9])$ ]] || { echo "CONFIDENCE must be 0, 1 or a decimal between, without trailing zeros, e.g. 0.9 (got '$confidence')" >&2; exit 2; }
if [[ -z "${PRINT_ONLY:-}" ]]; then
  command -v kcat >/dev/null || { echo "kcat is needed (Debian: apt-get install kcat)" >&2; exit 2; }
fi

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
uuid() { cat /proc/sys/kernel/random/uuid; }
decision_id="$(uuid)"

if [[ -f "$key" ]]; then
  command -v openssl >/dev/null || { echo "openssl is needed to sign" >&2; exit 2; }
  workspace="acme-support"
  # The key id: the RFC 7638 thumbprint of the public key, as `hitl keys generate` names it
  # (the last 32 bytes of the DER public key are the raw Ed25519 key).
  x=$(openssl pkey -in "$key" -pubout -outform DER | tail -c 32 | b64url)
  kid=$(printf '{"crv":"Ed25519","kty":"OKP","x":"%s"}' "$x" | openssl dgst -sha256 -binary | b64url)
  sigkid="\"sigkid\":\"${kid}\","
else
  workspace="sandbox"
  sigkid=""
  echo "no signing key at ${key}: proposing unsigned in the sandbox workspace (a person reviews it)" >&2
fi

# One CloudEvents 1.0 message, in canonical form: members sorted by name at every level,
# no whitespace. The Kafka key is the decision_id (so its events stay in order).
data="{\"action\":\"${action}\",\"agent\":{\"id\":\"shell-bot\"},\"confidence\":${confidence},\
\"confidence_basis\":\"matches the order history\",\"decision_id\":\"${decision_id}\",\
\"parameters\":{\"amount_usd\":${amount},\"order_id\":\"ORD-SHELL-1\"},\"recommended_review\":false,\
\"summary\":\"Refund \$${amount} for order ORD-SHELL-1.\",\"uncertainty_factors\":[]}"
event="{\"data\":${data},\"datacontenttype\":\"application/json\",\"id\":\"$(uuid)\",${sigkid}\
\"source\":\"agent/shell-bot\",\"specversion\":\"1.0\",\"subject\":\"${decision_id}\",\
\"time\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"type\":\"hitl.decision.proposed.v1\",\"workspaceid\":\"${workspace}\"}"

if [[ -n "$sigkid" ]]; then
  # The signature covers exactly these bytes; `sig` then joins the object (member order on
  # the wire does not matter: verifiers canonicalize what they receive, without `sig`).
  # From a file: openssl signs Ed25519 in one shot and sizes its buffer from the input file.
  signed_bytes=$(mktemp)
  trap 'rm -f "$signed_bytes"' EXIT
  printf '%s' "$event" >"$signed_bytes"
  sig=$(openssl pkeyutl -sign -rawin -inkey "$key" -in "$signed_bytes" | b64url)
  event="${event%\}},\"sig\":\"${sig}\"}"
fi

if [[ -n "${PRINT_ONLY:-}" ]]; then
  printf '%s\n' "$event"
  exit 0
fi
printf '%s\n' "$event" | kcat -P -b "$broker" -t "${prefix}decision.proposed" -k "$decision_id"
echo "proposed ${decision_id} (${action}, \$${amount}, confidence ${confidence}) in ${workspace}${sigkid:+, signed with key ${kid}}" >&2

# Its outcome: the approval.resolved whose key is our decision_id (from the start of the
# topic, so a resolution that came before we started reading is not missed). Check its
# signature against the router's and escalation's GET /keys before acting on it:
# examples/python/verify_resolution.py does that.
resolution=$(timeout "$wait_seconds" kcat -C -b "$broker" -t "${prefix}approval.resolved" -o beginning -u -q -f '%k\t%s\n' 2>/dev/null \
  | grep -m1 "^${decision_id}"$'\t' | cut -f2- || true)
if [[ -z "$resolution" ]]; then
  echo "no approval.resolved for ${decision_id} within ${wait_seconds} s (a person may still be deciding: it went to review)" >&2
  exit 3
fi
printf '%s\n' "$resolution"
