// Opens a URL in headless Chromium and waits (in real time, unlike --virtual-time-budget, which
// stops the page's clock) until the page sets <body data-done>, then prints the page's timings
// and the text of <pre id=bench> as one JSON object. Drives Chromium over the DevTools protocol
// on --remote-debugging-pipe (file descriptors 3 and 4), so it needs nothing beyond Node.
//   node bench/web_driver.mjs URL [TIMEOUT_S]
import { spawn } from "node:child_process";

const [url, timeoutS = "120"] = process.argv.slice(2);
const chrome = spawn(process.env.COLA_CHROMIUM || "chromium",
                     ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                      "--remote-debugging-pipe", "about:blank"],
                     { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] });
const [toChrome, fromChrome] = [chrome.stdio[3], chrome.stdio[4]];
let nextId = 1;
const waiting = new Map();
let buffered = "";
fromChrome.on("data", (chunk) => {
  buffered += chunk.toString("utf8");
  for (let end; (end = buffered.indexOf("\0")) >= 0;) {
    const message = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    const w = waiting.get(message.id);
    if (w) {
      waiting.delete(message.id);
      message.error ? w.reject(new Error(JSON.stringify(message.error))) : w.resolve(message.result);
    }
  }
});
function send(method, params = {}, sessionId = undefined) {
  const id = nextId++;
  toChrome.write(JSON.stringify({ id, method, params, sessionId }) + "\0");
  return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
}
const evaluate = async (session, expression) =>
  (await send("Runtime.evaluate", { expression, returnByValue: true }, session)).result.value;

const deadline = Date.now() + Number(timeoutS) * 1000;
try {
  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  await send("Page.navigate", { url }, sessionId);
  while ((await evaluate(sessionId, "document.body?.dataset.done ?? ''")) !== "true") {
    if (Date.now() > deadline) throw new Error(`the page did not finish within ${timeoutS} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const result = await evaluate(sessionId, `JSON.stringify({
      first_prediction_ms: Number(document.body.dataset.firstPredictionMs),
      error: document.getElementById("error").textContent,
      bench: document.getElementById("bench").textContent})`);
  console.log(result);
} finally {
  chrome.kill();
}
process.exit(0);
