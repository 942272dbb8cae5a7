import {
  ARTIFACT_CONTENT_TYPES,
  ARTIFACT_HEADERS,
  ARTIFACT_KINDS,
  ARTIFACT_MAX_BYTES,
  type ArtifactKind,
  type ArtifactRef,
  type ArtifactUploadResponse,
  artifactUploadHeaders,
} from "@qmk-edge/schema";
import { parseInput, parseJobId } from "../http/parse-input.ts";
import { BodyTooLargeError, InvalidInputError, MalformedRequestError } from "../http/request-errors.ts";
import type { Route } from "../http/route.ts";

export function parseKind(value: string | undefined): ArtifactKind {
  const kind = ARTIFACT_KINDS.find((k) => k === value);
  if (!kind) {
    throw new MalformedRequestError(`unknown artifact kind; use one of ${ARTIFACT_KINDS.join(", ")}`, [
      { path: "kind", message: `one of ${ARTIFACT_KINDS.join(", ")}` },
    ]);
  }
  return kind;
}

// Counts the bytes on their way to the store: more than announced is 413, fewer is 400, and so is a body that
// breaks off (the client closed its side early; workerd then fails the read with "Network connection lost").
// The failure is kept here because the store only sees its stream break, not why.
function exactLength(body: ReadableStream<Uint8Array>, declared: number) {
  const state: { failure: Error | null } = { failure: null };
  const reader = body.getReader();
  let seen = 0;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, failure: Error) => {
    state.failure = failure;
    controller.error(failure);
    reader.cancel(failure).catch(() => {});
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch {
        fail(
          controller,
          new MalformedRequestError(`body broke off after ${seen} of ${declared} announced bytes`),
        );
        return;
      }
      if (next.done) {
        if (seen === declared) controller.close();
        else
          fail(
            controller,
            new MalformedRequestError(`body ended after ${seen} of ${declared} announced bytes`),
          );
        return;
      }
      seen += next.value.byteLength;
      if (seen > declared) {
        fail(
          controller,
          new BodyTooLargeError(`body is longer than its Content-Length of ${declared} bytes`),
        );
        return;
      }
      controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { stream, state };
}

// PUT /v1/agent/jobs/:id/artifacts/:kind: the raw artifact, streamed into the blob store at artifacts/<sha256>;
// the store verifies the announced sha256 before the object exists, then the job record points at it.
export const v1AgentArtifactUpload: Route = {
  method: "PUT",
  path: "/v1/agent/jobs/:id/artifacts/:kind",
  handler: async (c) => {
    const { dispatcher, blobs } = c.get("deps");
    const id = parseJobId(c.req.param("id"));
    const kind = parseKind(c.req.param("kind"));
    if (c.req.header("content-length") === undefined) {
      throw new InvalidInputError("artifacts are uploaded with a known length", [
        { path: "content-length", message: "required: send the artifact's exact size in bytes" },
      ]);
    }
    const headers = parseInput(
      artifactUploadHeaders,
      {
        [ARTIFACT_HEADERS.leaseId]: c.req.header(ARTIFACT_HEADERS.leaseId),
        [ARTIFACT_HEADERS.sha256]: c.req.header(ARTIFACT_HEADERS.sha256),
        [ARTIFACT_HEADERS.filename]: c.req.header(ARTIFACT_HEADERS.filename),
        "content-length": c.req.header("content-length"),
      },
      "artifact upload headers",
    );
    const leaseId = headers[ARTIFACT_HEADERS.leaseId];
    const sha256 = headers[ARTIFACT_HEADERS.sha256];
    const size = headers["content-length"];
    await dispatcher.checkLease(id, leaseId, c.get("agent"));
    const max = ARTIFACT_MAX_BYTES[kind];
    if (size > max) throw new BodyTooLargeError(`a ${kind} artifact may be at most ${max} bytes`);

    const key = `artifacts/${sha256}`;
    const contentType = ARTIFACT_CONTENT_TYPES[kind];
    const body = c.req.raw.body;
    if (size === 0 || !body) {
      if (size !== 0) throw new MalformedRequestError(`body ended after 0 of ${size} announced bytes`);
      await blobs.put(key, new Uint8Array(0), { contentType, sha256, size: 0 });
    } else {
      const counter = exactLength(body, size);
      try {
        await blobs.put(key, counter.stream, { contentType, sha256, size });
      } catch (err) {
        throw counter.state.failure ?? err;
      }
    }

    const ref: ArtifactRef = {
      key,
      sha256,
      size,
      filename: headers[ARTIFACT_HEADERS.filename],
      content_type: contentType,
    };
    await dispatcher.attachArtifact(id, leaseId, c.get("agent"), kind, ref);
    const answer: ArtifactUploadResponse = { kind, sha256, size };
    return c.json(answer);
  },
};
