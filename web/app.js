// The page: the model (model.onnx, with its vocabulary and labels inside) on onnxruntime-web's
// WebAssembly backend, one thread, nothing fetched from anywhere but this site.
//   index.html                  type a sentence, or paste lines for a table and a JSONL download
//   index.html?text=A&text=B    classify those; the cola predict JSON lines go to <pre id=predictions>
//   ...&bench=N                 also time N sentences (the texts, repeated) into <pre id=bench>
import { onnxMetadata } from "./onnx_metadata.js";
import { BertTokenizer } from "./tokenizer.js";

const BATCH = 32; // sentences per run, sorted by length, as cola predict batches them
const $ = (id) => document.getElementById(id);

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = false;
  $("status").textContent = "";
}

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

// onnxruntime-web's WebAssembly (14 MB) is shipped gzipped (3.7 MB) and inflated here, so that
// any static file server works without content-encoding settings.
async function wasmBinary() {
  const response = await fetchOk("ort-wasm-simd-threaded.wasm.gz");
  const inflated = response.body.pipeThrough(new DecompressionStream("gzip"));
  return new Response(inflated).arrayBuffer();
}

async function sha256(bytes) {
  if (!globalThis.crypto?.subtle) return null; // only in secure contexts (https, localhost)
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function softmax(logits) {
  const max = Math.max(...logits);
  const e = Array.from(logits, (x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

// A line as `cola predict` writes it (src/predict/output.cc), a non-finite score as null.
function jsonLine(sentence, labels, scores) {
  let bad = false;
  const predictions = labels.map((label, i) => {
    const finite = Number.isFinite(scores[i]);
    bad ||= !finite;
    return `{"label": ${JSON.stringify(label)}, "score": ${finite ? scores[i] : "null"}}`;
  });
  const error = bad ? ', "error": "the model produced a non-finite score"' : "";
  return `{"sentence": ${JSON.stringify(sentence)}, "predictions": [${predictions.join(", ")}]${error}}`;
}

class Classifier {
  static async load() {
    if (typeof WebAssembly !== "object") {
      throw new Error("this browser has no WebAssembly, which the model runs on");
    }
    // Imported here, not at the top: a browser without WebAssembly, or a site missing the file,
    // then gets a message on the page instead of a module that silently fails to load.
    const ort = await import("./ort.wasm.min.mjs");
    const [bytes, binary] = await Promise.all([
      fetchOk("model.onnx").then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b)),
      wasmBinary(),
    ]);
    const meta = onnxMetadata(bytes);
    if (!meta.vocab) {
      throw new Error("model.onnx has no vocabulary in its metadata: export it with cola export");
    }
    const config = meta.tokenizer_config ? JSON.parse(meta.tokenizer_config) : {};
    const id2label = meta.id2label ? JSON.parse(meta.id2label) : {};
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmBinary = binary;
    ort.env.wasm.wasmPaths = { mjs: new URL("ort-wasm-simd-threaded.mjs", import.meta.url).href };
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
    return new Classifier(ort, session, new BertTokenizer(meta.vocab, config), id2label,
                          await sha256(bytes));
  }

  constructor(ort, session, tokenizer, id2label, sha) {
    this.ort = ort;
    this.session = session;
    this.tokenizer = tokenizer;
    this.sha256 = sha;
    this.output = session.outputNames.includes("logits") ? "logits" : session.outputNames[0];
    const n = Object.keys(id2label).length || 2;
    this.labels = Array.from({ length: n }, (_, i) => id2label[i] ?? `LABEL_${i}`);
  }

  /** Each text's probabilities, in label order. */
  async predict(texts) {
    const encoded = texts.map((t) => this.tokenizer.encode(t));
    const order = [...texts.keys()].sort((a, b) => encoded[a].length - encoded[b].length);
    const results = new Array(texts.length);
    for (let start = 0; start < order.length; start += BATCH) {
      const rows = order.slice(start, start + BATCH);
      const width = Math.max(...rows.map((r) => encoded[r].length));
      const ids = new BigInt64Array(rows.length * width).fill(BigInt(this.tokenizer.pad));
      const mask = new BigInt64Array(rows.length * width);
      rows.forEach((r, k) => {
        encoded[r].forEach((id, j) => {
          ids[k * width + j] = BigInt(id);
          mask[k * width + j] = 1n;
        });
      });
      const dims = [rows.length, width];
      const feeds = {};
      const ort = this.ort;
      for (const name of this.session.inputNames) {
        if (name === "input_ids") feeds[name] = new ort.Tensor("int64", ids, dims);
        else if (name === "attention_mask") feeds[name] = new ort.Tensor("int64", mask, dims);
        else if (name === "token_type_ids") {
          feeds[name] = new ort.Tensor("int64", new BigInt64Array(ids.length), dims);
        } else throw new Error(`model.onnx wants an input this page cannot give: ${name}`);
      }
      const logits = (await this.session.run(feeds))[this.output].data;
      const n = this.labels.length;
      rows.forEach((r, k) => { results[r] = softmax(logits.subarray(k * n, (k + 1) * n)); });
    }
    return results;
  }
}

function scoreRows(labels, scores) {
  return labels.map((label, i) => [label, scores[i]]).sort((a, b) => b[1] - a[1]);
}

function fillTable(table, header, rows) {
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const h of header) head.appendChild(document.createElement("th")).textContent = h;
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) {
      tr.insertCell().textContent = typeof cell === "number" ? cell.toFixed(4) : cell;
    }
  }
}

async function main() {
  const model = await Classifier.load();
  $("model").textContent = `labels: ${model.labels.join(", ")}; sha256: ${model.sha256 ?? "(not computed: not a secure context)"}`;
  const expected = document.querySelector('meta[name="cola-model-sha256"]')?.content;
  if (model.sha256 && expected && model.sha256 !== expected) {
    throw new Error(`model.onnx has sha256 ${model.sha256}, but cola web wrote ${expected}`);
  }
  const params = new URLSearchParams(location.search);
  const texts = params.getAll("text");
  let first = true;
  const markFirst = () => {
    if (first) document.body.dataset.firstPredictionMs = performance.now().toFixed(0);
    first = false;
  };

  // Live: the scores follow the text box, one prediction at a time (the latest wins).
  let pending = null;
  let running = false;
  const live = async () => {
    if (running) return;
    running = true;
    while (pending !== null) {
      const text = pending;
      pending = null;
      const [scores] = await model.predict([text]);
      fillTable($("scores"), ["label", "score"], scoreRows(model.labels, scores));
      markFirst();
    }
    running = false;
  };
  $("text").addEventListener("input", () => { pending = $("text").value; live(); });

  // Batch: one sentence a line, a table, and the same lines as cola predict's JSONL.
  const showBatch = (lines, results) => {
    fillTable($("batch"), ["sentence", ...model.labels],
              lines.map((l, i) => [l, ...results[i]]));
    const jsonl = lines.map((l, i) => jsonLine(l, model.labels, results[i]) + "\n").join("");
    const link = $("download");
    URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(new Blob([jsonl], { type: "application/x-ndjson" }));
    link.hidden = false;
    return jsonl;
  };
  $("run").addEventListener("click", async () => {
    const lines = $("lines").value.split("\n").map((l) => l.trim()).filter((l) => l);
    const t0 = performance.now();
    const results = await model.predict(lines);
    const ms = performance.now() - t0;
    showBatch(lines, results);
    $("status").textContent = `${lines.length} sentences in ${ms.toFixed(1)} ms`;
  });

  if (texts.length > 0) {
    $("text").value = texts[0];
    $("lines").value = texts.join("\n");
    const results = await model.predict(texts);
    markFirst();
    fillTable($("scores"), ["label", "score"], scoreRows(model.labels, results[0]));
    $("predictions").textContent = showBatch(texts, results);
    $("predictions").hidden = false;
    const n = Number(params.get("bench") ?? 0);
    if (n > 0) {
      const many = Array.from({ length: n }, (_, i) => texts[i % texts.length]);
      const t0 = performance.now();
      await model.predict(many);
      const seconds = (performance.now() - t0) / 1000;
      $("bench").textContent = JSON.stringify(
          { sentences: n, seconds, sentences_per_second: n / seconds });
    }
  } else {
    pending = $("text").value;
    await live();
  }
  $("status").textContent = "ready";
  document.body.dataset.done = "true";
}

main().catch((e) => {
  showError(`${e.message ?? e}`);
  document.body.dataset.done = "true";
});
