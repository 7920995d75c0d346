/** Just enough of the protobuf wire format to read TensorBoard events: varints, fixed, bytes. */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export class ProtoReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Unsigned varint as a Number; exact below 2^53, which steps and lengths are. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw new Error('varint longer than 10 bytes');
  }

  /** A varint read as int64 two's complement (negative int32/int64 are written as 10 bytes). */
  signedVarint(): number {
    const value = this.varint();
    return value >= 2 ** 63 ? value - 2 ** 64 : value;
  }

  tag(): { field: number; wire: number } {
    const key = this.varint();
    return { field: Math.floor(key / 8), wire: key & 7 };
  }

  double(): number {
    this.need(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  float(): number {
    this.need(4);
    const value = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** The extent of a length-delimited field, which the caller reads with a sub-reader. */
  bytesRange(): { start: number; end: number } {
    const length = this.varint();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return { start, end: this.pos };
  }

  sub(range: { start: number; end: number }): ProtoReader {
    return new ProtoReader(this.bytes, range.start, range.end);
  }

  string(range: { start: number; end: number }): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + range.start, range.end - range.start).toString('utf8');
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_FIXED64) this.advance(8);
    else if (wire === WIRE_BYTES) this.bytesRange();
    else if (wire === WIRE_FIXED32) this.advance(4);
    else throw new Error(`unsupported wire type ${wire}`);
  }

  private advance(n: number): void {
    this.need(n);
    this.pos += n;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new Error('field runs past the end of its message');
  }
}
