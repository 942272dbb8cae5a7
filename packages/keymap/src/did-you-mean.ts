// "did you mean ...": the defined name closest to an unknown one, by edit distance (insertions,
// deletions, substitutions and swaps of neighbours, case ignored), within a bound that grows with the
// length of the name past its prefix (KC_, QK_, ...): none in up to two characters (only case), one in
// up to five, two in up to eight, three beyond. So KC_ENTR gets KC_ENT and MU_MODE gets MU_NEXT (through
// MU_MOD), while KC_C (one edit from KC_A) and KC_FOO (two from KC_F) get no hint: a wrong guess is worse
// than none.

function maxDistance(name: string): number {
  const body = name.length - (name.indexOf("_") + 1);
  return body <= 2 ? 0 : body <= 5 ? 1 : body <= 8 ? 2 : 3;
}

// Optimal string alignment distance, or `limit + 1` as soon as it must exceed `limit`.
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      if (d < best) best = d;
    }
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

const prefix = (name: string) => name.slice(0, name.indexOf("_") + 1);

// The closest of `candidates` (name -> the name to suggest for it, e.g. a legacy name -> its current
// one), or null when none is within the bound. Ties go to the same prefix (KC_, QK_, ...), then the
// shorter suggestion, then alphabetical order, so the answer never depends on iteration order.
export function closestName(name: string, candidates: Iterable<[string, string]>): string | null {
  const wanted = name.toUpperCase();
  const limit = maxDistance(wanted);
  let best: { d: number; same: boolean; to: string } | null = null;
  for (const [candidate, to] of candidates) {
    if (candidate === name) continue;
    const d = distance(wanted, candidate.toUpperCase(), limit);
    if (d > limit) continue;
    const same = prefix(candidate.toUpperCase()) === prefix(wanted);
    const better =
      !best ||
      d < best.d ||
      (d === best.d && same && !best.same) ||
      (d === best.d &&
        same === best.same &&
        (to.length < best.to.length || (to.length === best.to.length && to < best.to)));
    if (better) best = { d, same, to };
  }
  return best?.to ?? null;
}
