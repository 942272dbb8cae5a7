import { type CatalogueManifest, catalogueManifest } from "@qmk-edge/schema";
import { sha256Hex } from "../bytes/sha256-hex.ts";
import { constantTimeFind } from "../http/agent-auth.ts";
import { StateConflictError } from "../jobs/errors.ts";
import { parseStored } from "../jobs/stored-record.ts";
import type { BlobStore } from "../ports/blob-store.ts";
import { manifestKey } from "./store-keys.ts";

// One trusted token must not be able to publish a catalogue that drops most keyboards of the current one
// (every other keyboard would then be refused at POST /v1/compile): such a manifest is refused with 409 unless
// the operator forces it (`?force=true` with the operator token in OPERATOR_TOKEN_HEADER).
export const OPERATOR_TOKEN_HEADER = "x-qmk-edge-operator-token";

export async function checkShrink(args: {
  blobs: BlobStore;
  previousManifest: string | null;
  next: CatalogueManifest;
  force: boolean;
  operatorToken: string | undefined;
  operatorTokenHashes: string[];
}): Promise<void> {
  if (!args.previousManifest) return;
  const blob = await args.blobs.get(manifestKey(args.previousManifest));
  if (!blob) return;
  const previous = parseStored(catalogueManifest, await new Response(blob.body).text(), "current manifest");
  const before = Object.keys(previous.keyboards);
  const dropped = before.filter((name) => !Object.hasOwn(args.next.keyboards, name));
  if (dropped.length * 2 <= before.length) return;
  if (args.force && (await isOperator(args.operatorToken, args.operatorTokenHashes))) return;
  throw new StateConflictError(
    `the manifest drops ${dropped.length} of the ${before.length} keyboards of the current catalogue; ` +
      `an operator may force it with ?force=true and the ${OPERATOR_TOKEN_HEADER} header`,
    dropped.slice(0, 20).map((name) => ({ path: `keyboards.${name}`, message: "dropped" })),
  );
}

async function isOperator(token: string | undefined, hashes: string[]): Promise<boolean> {
  if (!token || hashes.length === 0) return false;
  return (
    constantTimeFind(
      hashes.map((hash) => ({ hash })),
      await sha256Hex(token),
    ) !== null
  );
}
