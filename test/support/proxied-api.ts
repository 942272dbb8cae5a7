// The real edge API in workerd behind a fault-injecting proxy, in a fresh scratch dir: what agent-side tests
// talk to when they need the API to misbehave on cue. stop() ends both and removes the dir.
import { join } from "node:path";
import { makeTempDir, removeDir } from "../servers/daemon.ts";
import { FaultProxy } from "./fault-proxy.ts";
import { type EdgeApi, startEdgeApi } from "./system.ts";

export interface ProxiedApi {
  api: EdgeApi;
  proxy: FaultProxy;
  dir: string;
  stop(): Promise<void>;
}

export async function startProxiedApi(name: string, vars: Record<string, string> = {}): Promise<ProxiedApi> {
  const dir = makeTempDir(name);
  const api = await startEdgeApi({
    persistDir: join(dir, "edge-state"),
    logFile: join(dir, "wrangler.log"),
    vars: { RATE_LIMIT_PER_MINUTE: "100000", ...vars },
  });
  const proxy = await FaultProxy.start(api.url);
  return {
    api,
    proxy,
    dir,
    stop: async () => {
      await proxy.close();
      await api.stop();
      removeDir(dir);
    },
  };
}
