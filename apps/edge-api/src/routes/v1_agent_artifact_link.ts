import {
  ARTIFACT_CONTENT_TYPES,
  ARTIFACT_MAX_BYTES,
  type ArtifactRef,
  type ArtifactUploadResponse,
  artifactLinkRequest,
  LIMITS,
  LINKABLE_ARTIFACT_KINDS,
} from "@qmk-edge/schema";
import { parseInput, parseJobId } from "../http/parse-input.ts";
import { readJsonBody } from "../http/request-body.ts";
import { BodyTooLargeError, InvalidInputError } from "../http/request-errors.ts";
import type { Route } from "../http/route.ts";
import { NotFoundError } from "../jobs/errors.ts";
import { parseKind } from "./v1_agent_artifact_upload.ts";

// POST /v1/agent/jobs/:id/artifacts/:kind/link: the job gets an artifact the store already holds at
// artifacts/<sha256> (uploaded, verified, by an earlier job), without its bytes crossing the network
// again: every job of a firmware version shares one tree zip of hundreds of megabytes. 404 when the
// store has no such object of that size; the agent then uploads it with PUT.
export const v1AgentArtifactLink: Route = {
  method: "POST",
  path: "/v1/agent/jobs/:id/artifacts/:kind/link",
  handler: async (c) => {
    const { dispatcher, blobs } = c.get("deps");
    const id = parseJobId(c.req.param("id"));
    const kind = parseKind(c.req.param("kind"));
    if (!LINKABLE_ARTIFACT_KINDS.some((k) => k === kind)) {
      throw new InvalidInputError(`${kind} artifacts are uploaded, not linked`, [
        { path: "kind", message: `one of ${LINKABLE_ARTIFACT_KINDS.join(", ")}` },
      ]);
    }
    const request = parseInput(
      artifactLinkRequest,
      await readJsonBody(c.req.raw, LIMITS.bodyBytes),
      "artifact link",
    );
    await dispatcher.checkLease(id, request.lease_id, c.get("agent"));
    const max = ARTIFACT_MAX_BYTES[kind];
    if (request.size > max) throw new BodyTooLargeError(`a ${kind} artifact may be at most ${max} bytes`);

    const key = `artifacts/${request.sha256}`;
    const head = await blobs.head(key);
    // The key is the content's digest, verified when it was stored; size and the stored digest (when
    // the store keeps it) must agree too, so a link never names bytes other than the ones announced.
    if (!head || head.size !== request.size || (head.sha256 !== null && head.sha256 !== request.sha256)) {
      throw new NotFoundError(`the store holds no ${request.size}-byte object ${request.sha256}; upload it`);
    }
    const ref: ArtifactRef = {
      key,
      sha256: request.sha256,
      size: request.size,
      filename: request.filename,
      content_type: ARTIFACT_CONTENT_TYPES[kind],
    };
    await dispatcher.attachArtifact(id, request.lease_id, c.get("agent"), kind, ref);
    const answer: ArtifactUploadResponse = { kind, sha256: request.sha256, size: request.size };
    return c.json(answer);
  },
};
