/**
 * mulberry32: a small seeded generator for test data and random fault sequences that can be
 * replayed from their seed. Deliberately not the generator src/stats uses, so the reference
 * implementations and the reliability cases draw their numbers independently of the code under test.
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
