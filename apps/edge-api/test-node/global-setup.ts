import type { TestProject } from "vitest/node";
import { type CephS3, startCephS3 } from "../../../test/servers/ceph-s3.ts";
import { type RedisServer, startRedis } from "../../../test/servers/redis.ts";

// One redis-server and one Ceph S3 gateway for the whole Node project; every test file keeps to its own key
// prefix in both (see test-support/target.node.ts), so files never see each other's jobs.

export interface SharedS3 {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  dnsName: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
    s3: SharedS3;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The node-fs project keeps blobs in a directory and needs no S3 gateway.
  const withS3 = project.config.env?.QMK_EDGE_TEST_BLOBS !== "fs";
  let redis: RedisServer | null = null;
  let ceph: CephS3 | null = null;
  try {
    [redis, ceph] = await Promise.all([startRedis(), withS3 ? startCephS3() : null]);
  } catch (err) {
    await redis?.stop();
    await ceph?.stop();
    throw err;
  }
  project.provide("redisUrl", redis.url);
  if (ceph) {
    project.provide("s3", {
      endpoint: ceph.endpoint,
      bucket: ceph.bucket,
      region: ceph.region,
      accessKeyId: ceph.accessKeyId,
      secretAccessKey: ceph.secretAccessKey,
      dnsName: ceph.dnsName,
    });
  }
  const [r, c] = [redis, ceph];
  return async () => {
    await Promise.all([r.stop(), c?.stop()]);
  };
}
