// The Debian packages the project needs, grouped by what needs them, and their one installer.
import { spawnSync } from "node:child_process";

export const SYSTEM_PACKAGES = {
  // The native toolchains the build agent runs; ccache is optional but makes warm builds fast.
  toolchains: {
    commands: ["avr-gcc", "avr-objcopy", "arm-none-eabi-gcc", "arm-none-eabi-objcopy", "ccache", "make"],
    packages: [
      "make",
      "gcc-avr",
      "binutils-avr",
      "avr-libc",
      "gcc-arm-none-eabi",
      "libnewlib-arm-none-eabi",
      "ccache",
    ],
  },
  // Real servers the integration tests talk to on loopback: Redis, and Ceph's S3 gateway.
  servers: {
    commands: ["redis-server", "radosgw", "ceph-mon", "ceph-osd", "unzip"],
    packages: ["redis-server", "radosgw", "ceph-mon", "ceph-osd", "unzip"],
  },
};

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;

export function ensureSystemPackages(groups, say) {
  const missing = groups.filter((g) => SYSTEM_PACKAGES[g].commands.some((c) => !has(c)));
  if (missing.length === 0) return;
  const packages = missing.flatMap((g) => SYSTEM_PACKAGES[g].packages);
  // Root installs directly; otherwise passwordless sudo if there is one (CI runners), else say what to run.
  const root = process.getuid?.() === 0;
  const sudo = !root && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
  if (!root && !sudo) {
    say(`missing Debian packages; install them with:\n  sudo apt-get install -y ${packages.join(" ")}`);
    process.exit(1);
  }
  say(`installing Debian packages: ${packages.join(" ")} ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args) =>
    spawnSync(sudo ? "sudo" : "apt-get", sudo ? ["-n", "-E", "apt-get", ...args] : args, {
      stdio: ["ignore", "ignore", "inherit"],
      env,
    }).status;
  const install = ["install", "-y", "-qq", "--no-install-recommends", ...packages];
  if (apt(install) !== 0 && (apt(["update", "-qq"]) !== 0 || apt(install) !== 0)) {
    say("apt-get install failed; see the messages above");
    process.exit(1);
  }
}
