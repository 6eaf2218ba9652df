/**
 * A protobuf wire-format reader, just enough for the OTLP trace request: varints, fixed
 * 32/64-bit values and length-delimited fields. Every read is bounds-checked, so a truncated
 * or corrupt payload throws instead of reading past the buffer.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export const WIRE = { VARINT: 0, FIXED64: 1, LENGTH: 2, FIXED32: 5 } as const;

export class ProtobufReader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  private need(count: number): void {
    if (this.pos + count > this.bytes.length) throw new Error('truncated protobuf message');
  }

  /** A varint as a bigint, so 64-bit values keep every bit. */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1);
      const byte = this.bytes[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new Error('varint longer than 10 bytes');
  }

  tag(): { field: number; wire: number } {
    const tag = Number(this.varint());
    const field = tag >>> 3;
    if (field === 0) throw new Error('field number 0');
    return { field, wire: tag & 7 };
  }

  fixed64(): bigint {
    this.need(8);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getBigUint64(0, true);
  }

  double(): number {
    this.need(8);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }

  bytesField(): Uint8Array {
    const length = Number(this.varint());
    this.need(length);
    const slice = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return slice;
  }

  string(): string {
    return UTF8.decode(this.bytesField());
  }

  skip(wire: number): void {
    if (wire === WIRE.VARINT) {
      this.varint();
    } else if (wire === WIRE.LENGTH) {
      this.bytesField();
    } else if (wire === WIRE.FIXED64 || wire === WIRE.FIXED32) {
      const size = wire === WIRE.FIXED64 ? 8 : 4;
      this.need(size);
      this.pos += size;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

/** Reads each field of a message, calling `onField`; fields it does not know are skipped. */
export function readMessage(bytes: Uint8Array, onField: (reader: ProtobufReader, field: number, wire: number) => boolean): void {
  const reader = new ProtobufReader(bytes);
  while (!reader.atEnd) {
    const { field, wire } = reader.tag();
    if (!onField(reader, field, wire)) reader.skip(wire);
  }
}
