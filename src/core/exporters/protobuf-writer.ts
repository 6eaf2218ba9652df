/**
 * A protobuf wire-format writer into one growing Buffer. A nested message reserves room for
 * its length before its fields are written and fills it in afterwards; when the caller's guess
 * of the length's size was wrong, the fields move (rarely: the guesses come from string lengths).
 * Every value is written as the OpenTelemetry SDK's ProtobufWriter writes it, so the bytes match.
 */

/** Bytes of a varint for a length (a uint32). */
export function varintSize(length: number): number {
  return length < 0x80 ? 1 : length < 0x4000 ? 2 : length < 0x200000 ? 3 : length < 0x10000000 ? 4 : 5;
}

/** Strings up to this length are copied by a JS loop (it must stay under 0x80, one length byte). */
const SHORT_STRING = 10;

export class ProtobufWriter {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Room for `count` more bytes. */
  ensure(count: number): void {
    if (this.pos + count > this.buf.length) this.grow(count);
  }

  private grow(count: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + count) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A tag (or any value) that fits in one byte. */
  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** Starts a nested message whose length takes `reserved` bytes, by guess; returns where the length goes. */
  begin(reserved: number): number {
    this.ensure(reserved);
    const start = this.pos;
    this.pos += reserved;
    return start;
  }

  /**
   * Ends the message begun at `start`: writes its length there, moving the fields if the guess
   * was wrong. Returns where the fields start.
   */
  end(start: number, reserved: number): number {
    const length = this.pos - start - reserved;
    const size = varintSize(length);
    if (size !== reserved) {
      this.ensure(size - reserved);
      this.buf.copyWithin(start + size, start + reserved, this.pos);
      this.pos += size - reserved;
    }
    this.lengthAt(start, length);
    return start + size;
  }

  private lengthAt(at: number, length: number): void {
    const buf = this.buf;
    while (length > 0x7f) {
      buf[at++] = (length & 0x7f) | 0x80;
      length >>>= 7;
    }
    buf[at] = length;
  }

  /** A varint of any JS number, as the SDK writes it: negative and large integers as 64-bit two's complement. */
  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[this.pos++] = v;
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / 0x100000000) >>> 0;
    } else {
      const abs = Math.abs(value);
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / 0x100000000) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 0x7f;
  }

  fixed32(value: number): void {
    this.ensure(4);
    const buf = this.buf;
    let pos = this.pos;
    buf[pos++] = value & 0xff;
    buf[pos++] = (value >>> 8) & 0xff;
    buf[pos++] = (value >>> 16) & 0xff;
    buf[pos++] = (value >>> 24) & 0xff;
    this.pos = pos;
  }

  /**
   * An HrTime [seconds, nanoseconds] as fixed64 nanoseconds. seconds × 1e9 exceeds 2^53, so the
   * seconds are split at bit 16 to keep every product exact (the SDK's arithmetic, wrap included).
   */
  hrTime(time: readonly [number, number]): void {
    const seconds = time[0];
    const lowPart = (seconds & 0xffff) * 1e9;
    const highPart = ((seconds / 0x10000) >>> 0) * 1e9;
    const low = (lowPart >>> 0) + (((highPart & 0xffff) * 0x10000) >>> 0) + time[1];
    const high = (Math.floor(lowPart / 0x100000000) + ((highPart / 0x10000) >>> 0) + Math.floor(low / 0x100000000)) >>> 0;
    this.fixed32(low >>> 0);
    this.fixed32(high);
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /**
   * Length-delimited UTF-8. Short ASCII strings are copied in the loop that checks them; longer
   * ones, and any with other characters, are encoded by Buffer, whose one call costs less than a
   * JS loop over a dozen characters. The length is written first as if each character took one
   * byte, and corrected afterwards in the rare case where that changes its size.
   */
  string(value: string): void {
    const count = value.length;
    this.ensure(count * 3 + 5);
    const buf = this.buf;
    const start = this.pos;
    const head = varintSize(count);
    if (count <= SHORT_STRING) {
      let pos = start + head;
      let i = 0;
      for (; i < count; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buf[pos++] = code;
      }
      if (i === count) {
        buf[start] = count;
        this.pos = pos;
        return;
      }
    }
    // Lone surrogates become U+FFFD here as in TextEncoder, which the SDK uses.
    const length = buf.write(value, start + head, 'utf8');
    const size = varintSize(length);
    if (size !== head) buf.copyWithin(start + size, start + head, start + head + length);
    this.lengthAt(start, length);
    this.pos = start + size + length;
  }

  /** Bytes already encoded (a cached field), copied as they are. */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** A copy of bytes already written. */
  copy(from: number, to: number): Uint8Array {
    return new Uint8Array(this.buf.subarray(from, to));
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length + 5);
    this.lengthAt(this.pos, value.length);
    this.pos += varintSize(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Length-delimited bytes from a hex id (trace or span id), decoded in place. */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.ensure(length + 5);
    this.lengthAt(this.pos, length);
    const buf = this.buf;
    let pos = this.pos + varintSize(length);
    for (let i = 0; i < length; i++) buf[pos++] = (nibbleOf(hex.charCodeAt(2 * i)) << 4) | nibbleOf(hex.charCodeAt(2 * i + 1));
    this.pos = pos;
  }

  /** A copy of what was written: the buffer itself is reused for the next request. */
  result(): Uint8Array {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}

/** The SDK's hex digit values (ids are lowercase hex; other characters map as the SDK maps them). */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return code - 55;
}

/** `nibble` of every ASCII code: ids are decoded by one table lookup per character, not by branches. */
const ASCII_NIBBLES = Int8Array.from({ length: 128 }, (_, code) => nibble(code));

function nibbleOf(code: number): number {
  return code < 128 ? ASCII_NIBBLES[code]! : nibble(code);
}
