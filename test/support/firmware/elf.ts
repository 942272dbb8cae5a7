import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Toolchain } from "@qmk-edge/schema";
import { execa } from "execa";

// Reads a symbol's bytes back out of a built ELF: its address and size from `nm -S`, the section that holds
// it from `objdump -h`, that section's bytes from `objcopy -O binary --only-section`.

const PREFIX: Record<Toolchain, string> = { avr: "avr-", arm: "arm-none-eabi-" };

export interface ElfSymbol {
  // The symbol's address as nm prints it (its VMA).
  address: number;
  bytes: Buffer;
}

export async function readSymbol(elf: string, toolchain: Toolchain, symbol: string): Promise<ElfSymbol> {
  const p = PREFIX[toolchain];
  const nm = await execa(`${p}nm`, ["-S", elf]);
  const line = nm.stdout.split("\n").find((l) => l.trim().split(/\s+/)[3] === symbol);
  if (!line) throw new Error(`${symbol} not found in ${elf}`);
  const [addrHex, sizeHex] = line.trim().split(/\s+/);
  const address = Number.parseInt(addrHex!, 16);
  const size = Number.parseInt(sizeHex!, 16);

  const heads = await execa(`${p}objdump`, ["-h", elf]);
  const section = heads.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 7 && /^\d+$/.test(f[0]!))
    .map((f) => ({ name: f[1]!, size: Number.parseInt(f[2]!, 16), vma: Number.parseInt(f[3]!, 16) }))
    .find((s) => address >= s.vma && address + size <= s.vma + s.size);
  if (!section) throw new Error(`no section of ${elf} holds ${symbol} at 0x${addrHex}`);

  const dir = await mkdtemp(join(tmpdir(), "qe-elf-"));
  try {
    const out = join(dir, "section.bin");
    await execa(`${p}objcopy`, ["-O", "binary", `--only-section=${section.name}`, elf, out]);
    const bytes = await readFile(out);
    return { address, bytes: bytes.subarray(address - section.vma, address - section.vma + size) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// keymaps[layer][row][col] as little-endian uint16 (both targets are little-endian).
export function uint16s(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) out.push(bytes.readUInt16LE(i));
  return out;
}
