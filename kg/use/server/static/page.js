// The query page: saved queries as examples, a SPARQL editor, a run button, a results table.
// No framework and no network beyond this server.
"use strict";

const $ = (id) => document.getElementById(id);
let saved = [];

function status(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const a = document.createElement("a");
    a.href = term.value;
    a.textContent = term.value;
    td.appendChild(a);
  } else {
    td.textContent = term.value;
  }
  return td;
}

function showTable(data) {
  const table = $("results");
  table.replaceChildren();
  $("graph").hidden = true;
  const head = document.createElement("tr");
  const vars = data.head.vars || [];
  if (data.boolean !== undefined) {
    const th = document.createElement("th");
    th.textContent = "answer";
    head.appendChild(th);
    table.appendChild(head);
    const tr = document.createElement("tr");
    tr.appendChild(cell({ type: "literal", value: String(data.boolean) }));
    table.appendChild(tr);
    return 1;
  }
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    head.appendChild(th);
  }
  table.appendChild(head);
  for (const binding of data.results.bindings) {
    const tr = document.createElement("tr");
    for (const v of vars) tr.appendChild(cell(binding[v]));
    table.appendChild(tr);
  }
  return data.results.bindings.length;
}

async function run() {
  status("running…");
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: "query=" + encodeURIComponent($("editor").value),
    });
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok) {
      const problem = await response.json().catch(() => ({ error: { message: response.statusText } }));
      status(`HTTP ${response.status}: ${problem.error.message}${problem.error.hint ? " (" + problem.error.hint + ")" : ""}`, true);
      return;
    }
    const ms = Math.round(performance.now() - started);
    if (type.startsWith("application/sparql-results+json")) {
      const rows = showTable(await response.json());
      status(`${rows} row(s) in ${ms} ms`);
    } else {
      $("results").replaceChildren();
      $("graph").hidden = false;
      $("graph").textContent = await response.text();
      status(`graph in ${ms} ms`);
    }
  } catch (err) {
    status(`failed: ${err}`, true);
  }
}

async function ask(event) {
  event.preventDefault();
  const out = $("ask-answer");
  out.textContent = "…";
  const response = await fetch("/api/ask?q=" + encodeURIComponent($("ask").value));
  const reply = await response.json();
  out.replaceChildren();
  if (!response.ok || reply.abstained) {
    out.textContent = reply.error ? reply.error.message : `Cannot answer from the graph: ${reply.reason}.`;
    return;
  }
  const list = document.createElement("ol");
  for (const answer of reply.answers) {
    const item = document.createElement("li");
    item.textContent = answer.label;
    for (const evidence of answer.evidence) {
      const quote = document.createElement("blockquote");
      quote.textContent = `“${evidence.quote}” — ${evidence.source_title || evidence.source}`;
      item.appendChild(quote);
    }
    list.appendChild(item);
  }
  out.appendChild(list);
  $("editor").value = reply.sparql;
}

async function init() {
  $("run").addEventListener("click", run);
  $("ask-form").addEventListener("submit", ask);
  $("examples").addEventListener("change", () => {
    const chosen = saved.find((q) => q.name === $("examples").value);
    if (chosen) $("editor").value = chosen.sparql;
  });
  const response = await fetch("/api/queries");
  saved = (await response.json()).filter((q) => !q.network_required);
  for (const q of saved) {
    const option = document.createElement("option");
    option.value = q.name;
    option.textContent = q.title + (q.params.length ? " (defaults bound)" : "");
    $("examples").appendChild(option);
  }
  // A link can open an example and run it: /?example=signatories&run
  const params = new URLSearchParams(location.search);
  if (params.get("example")) {
    $("examples").value = params.get("example");
    $("examples").dispatchEvent(new Event("change"));
  }
  if (params.get("query")) $("editor").value = params.get("query");
  if (params.has("run")) await run();
}

init();
