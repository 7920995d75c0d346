/**
 * Small integer ids for byte strings (metric keys as they appear in a log), so the hot loop finds a
 * key it has seen before without creating a string: FNV-1a over the bytes picks a slot of an
 * open-addressing table, and the stored bytes confirm the match. A string is decoded once per new key.
 */
export class ByteInterner {
  private slots = new Int32Array(1024).fill(-1);
  private hashes = new Int32Array(64);
  private offsets = new Int32Array(64);
  private lengths = new Int32Array(64);
  private pool = new Uint8Array(4096);
  private poolLength = 0;
  private readonly texts: string[] = [];

  get size(): number {
    return this.texts.length;
  }

  /** The id of the bytes `buf[start, end)`, a new one when they were never seen. */
  intern(buf: Uint8Array, start: number, end: number): number {
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot]!;
      if (id < 0) return this.add(buf, start, end, hash, slot);
      if (this.hashes[id] === hash && this.lengths[id] === length && this.matches(id, buf, start)) return id;
    }
  }

  /** `intern`, checking first whether the bytes are those of one of two guesses (-1: none). */
  internGuessing(buf: Uint8Array, start: number, end: number, guess: number, otherGuess: number): number {
    if (this.is(guess, buf, start, end)) return guess;
    if (this.is(otherGuess, buf, start, end)) return otherGuess;
    return this.intern(buf, start, end);
  }

  private is(id: number, buf: Uint8Array, start: number, end: number): boolean {
    return id >= 0 && this.lengths[id] === end - start && this.matches(id, buf, start);
  }

  /** The bytes of an id, decoded as UTF-8. */
  text(id: number): string {
    return this.texts[id]!;
  }

  private matches(id: number, buf: Uint8Array, start: number): boolean {
    const pool = this.pool;
    const offset = this.offsets[id]!;
    const length = this.lengths[id]!;
    for (let i = 0; i < length; i++) if (pool[offset + i] !== buf[start + i]) return false;
    return true;
  }

  private add(buf: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const id = this.texts.length;
    const length = end - start;
    if (id === this.hashes.length) {
      this.hashes = grown(this.hashes, id * 2);
      this.offsets = grown(this.offsets, id * 2);
      this.lengths = grown(this.lengths, id * 2);
    }
    if (this.poolLength + length > this.pool.length) {
      const pool = new Uint8Array(Math.max(this.pool.length * 2, this.poolLength + length));
      pool.set(this.pool.subarray(0, this.poolLength));
      this.pool = pool;
    }
    this.pool.set(buf.subarray(start, end), this.poolLength);
    this.hashes[id] = hash;
    this.offsets[id] = this.poolLength;
    this.lengths[id] = length;
    this.poolLength += length;
    this.texts.push(Buffer.from(buf.buffer, buf.byteOffset + start, length).toString('utf8'));
    this.slots[slot] = id;
    // Half full at most, so probes stay short.
    if ((id + 1) * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.texts.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (slots[slot]! >= 0) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }
}

function grown(column: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size);
  bigger.set(column);
  return bigger;
}
