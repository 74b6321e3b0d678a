// The page's tokenizer (web/tokenizer.js) on the 9,116 golden cases: every text's ids must equal
// those of an independent Hugging Face-compatible BertTokenizer. Run by CTest under Node; reads
// $COLA_SHARED_DIR (default ../shared beside the checkout), skips (77) where it is absent unless
// COLA_REQUIRE_SHARED=1.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BertTokenizer } from "../../web/tokenizer.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const shared = process.env.COLA_SHARED_DIR || join(repo, "..", "shared");
const vocabPath = join(shared, "data/vocab/bert-base-uncased-vocab.txt");
const goldenPath = join(shared, "golden/tokenizer/bert-base-uncased.jsonl");
if (!existsSync(vocabPath) || !existsSync(goldenPath)) {
  const required = process.env.COLA_REQUIRE_SHARED === "1";
  console.error(`${required ? "COLA_REQUIRE_SHARED=1 but " : ""}shared data not found: ` +
                `${goldenPath} (set COLA_SHARED_DIR)`);
  process.exit(required ? 1 : 77);
}

const tokenizer = new BertTokenizer(readFileSync(vocabPath, "utf8"), { do_lower_case: true });
const lines = readFileSync(goldenPath, "utf8").split("\n").filter((l) => l.length > 0);
let wrong = 0;
for (const [n, line] of lines.entries()) {
  const { text, ids } = JSON.parse(line);
  const got = tokenizer.encode(text, 0);
  if (got.length !== ids.length || got.some((id, i) => id !== ids[i])) {
    if (++wrong <= 10) {
      console.error(`${goldenPath}:${n + 1}: ${JSON.stringify(text).slice(0, 120)}\n` +
                    `  want ${JSON.stringify(ids).slice(0, 200)}\n` +
                    `  got  ${JSON.stringify(got).slice(0, 200)}`);
    }
  }
}
console.log(`${lines.length - wrong}/${lines.length} golden texts tokenized exactly`);
process.exit(wrong === 0 && lines.length > 0 ? 0 : 1);
