import { ProtoReader, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './protobuf.js';

export interface ScalarEvent {
  wallTime: number;
  step: number;
  scalars: { tag: string; value: number }[];
}

// tensorflow/core/framework/types.proto
const DT_FLOAT = 1;
const DT_DOUBLE = 2;
const DT_INT32 = 3;
const DT_INT64 = 9;
const DT_BOOL = 10;

/**
 * Decodes one `tensorflow.Event` and keeps only its scalars: Summary.Value.simple_value (TF1,
 * torch, tensorboardX) and single-element numeric tensors (TF2 `.v2` files). Histograms, images,
 * text and graphs have no such value and yield nothing.
 */
export function decodeScalarEvent(bytes: Uint8Array): ScalarEvent {
  const event: ScalarEvent = { wallTime: 0, step: 0, scalars: [] };
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE_FIXED64) event.wallTime = reader.double();
    else if (field === 2 && wire === WIRE_VARINT) event.step = reader.signedVarint();
    else if (field === 5 && wire === WIRE_BYTES) readSummary(reader.sub(reader.bytesRange()), event.scalars);
    else reader.skip(wire);
  }
  return event;
}

function readSummary(reader: ProtoReader, into: ScalarEvent['scalars']): void {
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE_BYTES) {
      const scalar = readValue(reader.sub(reader.bytesRange()));
      if (scalar) into.push(scalar);
    } else reader.skip(wire);
  }
}

function readValue(reader: ProtoReader): { tag: string; value: number } | undefined {
  let tag = '';
  let value: number | undefined;
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE_BYTES) tag = reader.string(reader.bytesRange());
    else if (field === 2 && wire === WIRE_FIXED32) value = reader.float();
    else if (field === 8 && wire === WIRE_BYTES) value = readScalarTensor(reader.sub(reader.bytesRange()));
    else reader.skip(wire);
  }
  return value === undefined ? undefined : { tag, value };
}

function readScalarTensor(reader: ProtoReader): number | undefined {
  let dtype = 0;
  let elements = 1;
  const values: number[] = [];
  let content: { start: number; end: number } | undefined;
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 1 && wire === WIRE_VARINT) dtype = reader.varint();
    else if (field === 2 && wire === WIRE_BYTES) elements = shapeElements(reader.sub(reader.bytesRange()));
    else if (field === 4 && wire === WIRE_BYTES) content = reader.bytesRange();
    else if (field === 5) readRepeated(reader, wire, WIRE_FIXED32, () => reader.float(), values);
    else if (field === 6) readRepeated(reader, wire, WIRE_FIXED64, () => reader.double(), values);
    else if (field === 7 || field === 10) readRepeated(reader, wire, WIRE_VARINT, () => reader.signedVarint(), values);
    else reader.skip(wire);
  }
  if (elements !== 1) return undefined;
  if (content) return decodeContent(reader.bytes, content, dtype);
  if (dtype === DT_FLOAT || dtype === DT_DOUBLE || dtype === DT_INT32 || dtype === DT_INT64) return values[0];
  return undefined;
}

/** The element count of a TensorShapeProto: 1 for rank 0, undefined-rank counts as not scalar. */
function shapeElements(reader: ProtoReader): number {
  let elements = 1;
  while (!reader.done) {
    const { field, wire } = reader.tag();
    if (field === 2 && wire === WIRE_BYTES) {
      const dim = reader.sub(reader.bytesRange());
      let size = 0;
      while (!dim.done) {
        const t = dim.tag();
        if (t.field === 1 && t.wire === WIRE_VARINT) size = dim.signedVarint();
        else dim.skip(t.wire);
      }
      elements *= size;
    } else if (field === 3 && wire === WIRE_VARINT) {
      if (reader.varint() !== 0) return -1;
    } else reader.skip(wire);
  }
  return elements;
}

/** Repeated scalar fields come packed (one length-delimited run) or one per tag. */
function readRepeated(
  reader: ProtoReader,
  wire: number,
  unpackedWire: number,
  readOne: () => number,
  into: number[],
): void {
  if (wire === unpackedWire) {
    into.push(readOne());
    return;
  }
  if (wire !== WIRE_BYTES) {
    reader.skip(wire);
    return;
  }
  const range = reader.bytesRange();
  const resume = reader.pos;
  reader.pos = range.start;
  while (reader.pos < range.end) into.push(readOne());
  reader.pos = resume;
}

function decodeContent(bytes: Uint8Array, range: { start: number; end: number }, dtype: number): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset + range.start, range.end - range.start);
  const size = range.end - range.start;
  if (dtype === DT_FLOAT && size === 4) return view.getFloat32(0, true);
  if (dtype === DT_DOUBLE && size === 8) return view.getFloat64(0, true);
  if (dtype === DT_INT32 && size === 4) return view.getInt32(0, true);
  if (dtype === DT_INT64 && size === 8) return Number(view.getBigInt64(0, true));
  if (dtype === DT_BOOL && size === 1) return view.getUint8(0);
  return undefined;
}
