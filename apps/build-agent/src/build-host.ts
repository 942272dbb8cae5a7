import type { Toolchain } from "@qmk-edge/schema";
import { findOnPath, type MakeSandbox, prepareCcache, probeNetworkIsolation } from "./make-runner.ts";

// What this machine offers builds: which toolchains are installed, ccache, and a way to cut the network.
// Probed once at start; the answers go into the lease request and every build's log header.

export class BuildHostError extends Error {
  override name = "BuildHostError";
}

export interface BuildHost {
  sandbox: MakeSandbox;
  toolchains: Toolchain[];
  note: string; // one line for logs: "ccache on; network isolated (unshare -n)"
}

const COMPILERS: Record<Toolchain, string> = { avr: "avr-gcc", arm: "arm-none-eabi-gcc" };

export async function probeBuildHost(opts: {
  workDir: string;
  path: string;
  ccache: "auto" | "off";
  isolateNetwork: "auto" | "on" | "off";
}): Promise<BuildHost> {
  if (!(await findOnPath("make", opts.path))) throw new BuildHostError("`make` is not on PATH");
  const toolchains: Toolchain[] = [];
  for (const t of Object.keys(COMPILERS) as Toolchain[]) {
    if (await findOnPath(COMPILERS[t], opts.path)) toolchains.push(t);
  }
  if (toolchains.length === 0) {
    throw new BuildHostError(
      "no toolchain found: install avr-gcc (gcc-avr, binutils-avr, avr-libc) and/or arm-none-eabi-gcc (gcc-arm-none-eabi, libnewlib-arm-none-eabi)",
    );
  }
  const ccache = opts.ccache === "auto" ? await prepareCcache(opts.workDir, opts.path) : null;
  const isolate = opts.isolateNetwork === "off" ? null : await probeNetworkIsolation(opts.path);
  if (opts.isolateNetwork === "on" && !isolate) {
    throw new BuildHostError(
      "--isolate-network on, but neither `unshare -n` (root) nor `unshare -rn` (user namespaces) works here",
    );
  }
  const isolation = isolate
    ? `network isolated (${isolate.slice(1).join(" ") === "-n" ? "unshare -n" : "unshare -rn"})`
    : "network NOT isolated";
  return {
    sandbox: {
      ccacheBin: ccache?.bin ?? null,
      ccacheDir: ccache?.dir ?? null,
      isolate: isolate ?? [],
      path: opts.path,
    },
    toolchains,
    note: `toolchains ${toolchains.join(", ")}; ccache ${ccache ? "on" : "off"}; ${isolation}`,
  };
}
