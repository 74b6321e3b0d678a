// The metadata_props of an ONNX file (ModelProto field 14: key 1, value 2), read from its
// protobuf bytes, so that the page needs nothing beside the .onnx: the vocabulary, the tokenizer's
// settings and the labels are all in it (`cola export` writes them).

const decoder = new TextDecoder("utf-8", { fatal: true });

class Reader {
  constructor(bytes, begin = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = begin;
    this.end = end;
  }
  done() { return this.pos >= this.end; }
  varint() {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; ++i) {
      if (this.pos >= this.end) throw new Error("the model file ends inside a number");
      const b = this.bytes[this.pos++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new Error("the model file has a malformed number");
  }
  // Skips one field's value of `wire` type; returns [begin, end) for length-delimited ones.
  value(wire) {
    if (wire === 0) return this.varint(), null;
    if (wire === 1 || wire === 5) return (this.pos += wire === 1 ? 8 : 4), null;
    if (wire !== 2) throw new Error(`the model file is not an ONNX protobuf (wire type ${wire})`);
    const length = this.varint();
    const begin = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new Error("the model file is truncated");
    return [begin, this.pos];
  }
}

/** {key: value} of an ONNX file's metadata_props. Throws Error on a malformed file. */
export function onnxMetadata(bytes) {
  const out = {};
  const model = new Reader(bytes);
  while (!model.done()) {
    const tag = model.varint();
    const span = model.value(tag % 8);
    if (Math.floor(tag / 8) !== 14 || span === null) continue;
    const entry = new Reader(bytes, span[0], span[1]);
    let key = "";
    let value = "";
    while (!entry.done()) {
      const t = entry.varint();
      const s = entry.value(t % 8);
      if (s === null) continue;
      const text = decoder.decode(bytes.subarray(s[0], s[1]));
      if (t >>> 3 === 1) key = text;
      if (t >>> 3 === 2) value = text;
    }
    out[key] = value;
  }
  return out;
}
