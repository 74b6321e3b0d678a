#include "serve/page.h"

namespace cola::serve {

std::string_view index_html() {
  // Self-contained: the server may run where nothing else can be fetched.
  return R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cola serve</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#222}
textarea{width:100%;font:inherit;padding:.5rem;box-sizing:border-box}
table{border-collapse:collapse;margin-top:1rem;width:100%}
td,th{padding:.3rem .5rem;border-bottom:1px solid #ddd;text-align:left}
.bar{background:#4a7;height:.8rem}#info,#error{color:#666;font-size:.85rem}#error{color:#b22}
</style></head><body>
<h1>cola serve</h1>
<p id="info">loading model information...</p>
<textarea id="text" rows="3" placeholder="Type a sentence">The boy is sitting on a bench.</textarea>
<table><thead><tr><th>label</th><th>score</th><th></th></tr></thead><tbody id="scores"></tbody></table>
<p id="error"></p>
<script>
const text = document.getElementById('text');
let timer = null;
async function classify() {
  const error = document.getElementById('error');
  try {
    const r = await fetch('predict', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                      body: JSON.stringify({inputs: text.value})});
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    const rows = body.map(p => `<tr><td>${p.label.replace(/</g, '&lt;')}</td>` +
      `<td>${p.score.toFixed(4)}</td><td style="width:50%"><div class="bar" ` +
      `style="width:${(100 * p.score).toFixed(1)}%"></div></td></tr>`);
    document.getElementById('scores').innerHTML = rows.join('');
    error.textContent = '';
  } catch (e) { error.textContent = 'Error: ' + e.message; }
}
text.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(classify, 150); });
fetch('info').then(r => r.json()).then(i => {
  document.getElementById('info').textContent =
    `${i.model_id} (sha256 ${String(i.model_sha).slice(0, 12)}...), up to ${i.max_input_length} tokens`;
}).catch(() => {});
classify();
</script></body></html>
)html";
}

}  // namespace cola::serve
