// Operator commands against a running API (Workers or Node), with the operator token from
// QMK_EDGE_OPERATOR_TOKEN:
//   node scripts/bootstrap.mjs exec node apps/edge-api/scripts/operator.ts --api <url> --purge-agent <token name>
// --purge-agent removes every build cache entry that agent token produced (POST /v1/operator/agents/:id/purge);
// revoke the token first (remove it from AGENT_TOKENS / AGENT_TOKEN_HASHES) so it cannot build them again.
import { parseArgs } from "node:util";
import { purgeAgentResponse } from "@qmk-edge/schema";

const { values } = parseArgs({
  options: { api: { type: "string" }, "purge-agent": { type: "string" }, help: { type: "boolean" } },
});
const usage = "usage: operator.ts --api <url> --purge-agent <token name>   (token: QMK_EDGE_OPERATOR_TOKEN)";
const token = process.env.QMK_EDGE_OPERATOR_TOKEN;
if (values.help || !values.api || !values["purge-agent"] || !token) {
  console.error(token || values.help ? usage : `${usage}\nQMK_EDGE_OPERATOR_TOKEN is not set`);
  process.exit(values.help ? 0 : 2);
}

const url = new URL(`/v1/operator/agents/${encodeURIComponent(values["purge-agent"])}/purge`, values.api);
const res = await fetch(url, {
  method: "POST",
  headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
  body: "{}",
});
const body = await res.text();
if (!res.ok) {
  console.error(`purge refused: HTTP ${res.status} ${body}`);
  process.exit(1);
}
const answer = purgeAgentResponse.parse(JSON.parse(body));
console.log(
  `agent token ${answer.token_id}: removed ${answer.removed_cache_entries.length} build cache entr${
    answer.removed_cache_entries.length === 1 ? "y" : "ies"
  }, dropped its builds from ${answer.updated_candidates.length} candidate(s)`,
);
for (const key of answer.removed_cache_entries) console.log(`  removed cache/${key}`);
