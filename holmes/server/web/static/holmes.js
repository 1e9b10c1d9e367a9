// holmes web page: the live parts (progress from the event stream, list refresh), evidence
// links that open their tool call, copy buttons. The pages read fine without it.
"use strict";

function openEvidence(id, scroll) {
  const details = document.getElementById("evidence-" + id);
  if (!details) return;
  details.open = true;
  if (scroll) details.scrollIntoView({ block: "start" });
}

function wireEvidence() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.evidence-link");
    if (!link) return;
    openEvidence(link.dataset.evidence, false);
  });
  if (location.hash.startsWith("#evidence-")) openEvidence(location.hash.slice(10), true);
}

function wireCopy() {
  for (const button of document.querySelectorAll("button.copy")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = "Copied";
      } catch (error) {
        button.textContent = "Select and copy";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 2000);
    });
  }
}

function argumentsText(args) {
  return Object.entries(args || {}).map(([k, v]) => k + "=" + JSON.stringify(v)).join(", ");
}

function stepLine(data) {
  const li = document.createElement("li");
  li.className = "step step-running";
  li.dataset.tool = data.tool;
  li.dataset.args = JSON.stringify(data.arguments || {});
  const code = document.createElement("code");
  code.textContent = data.tool + "(" + argumentsText(data.arguments) + ")";
  const state = document.createElement("span");
  state.className = "step-state";
  state.textContent = "running…";
  li.append(code, " ", state);
  return li;
}

function finishStep(list, data) {
  const args = JSON.stringify(data.arguments || {});
  const running = [...list.querySelectorAll("li.step-running")];
  let li = running.find((item) => item.dataset.tool === data.tool && item.dataset.args === args)
    || running.find((item) => item.dataset.tool === data.tool);
  if (!li) { li = stepLine(data); list.append(li); }
  li.className = "step " + (data.ok === false ? "step-failed" : "step-ok");
  const state = li.querySelector(".step-state");
  state.textContent = "";
  if (data.evidence_id) {
    const link = document.createElement("a");
    link.href = "#evidence-" + data.evidence_id;
    link.className = "evidence-link";
    link.dataset.evidence = data.evidence_id;
    link.textContent = data.evidence_id;
    state.append(link, " ");
  }
  state.append((data.ok === false ? "failed " : "") + Math.round(data.ms || 0) + " ms");
}

function followProgress() {
  const list = document.getElementById("progress");
  if (!list || list.dataset.live !== "yes" || !window.EventSource) return;
  const source = new EventSource(list.dataset.events + "?after=" + list.dataset.after);
  const status = document.getElementById("status");
  source.addEventListener("started", () => {
    list.replaceChildren();  // a (re)started attempt runs from the start
    if (status) { status.textContent = "running"; status.className = "status status-running"; }
  });
  source.addEventListener("tool_started", (event) => list.append(stepLine(JSON.parse(event.data))));
  source.addEventListener("tool_finished", (event) => finishStep(list, JSON.parse(event.data)));
  const end = () => { source.close(); location.reload(); };
  source.addEventListener("answer", end);
  source.addEventListener("error", (event) => { if (event.data) end(); });
}

function refreshList() {
  const table = document.getElementById("investigations");
  if (!table) return;
  const seconds = Number(table.dataset.refresh || 5);
  setInterval(async () => {
    if (document.hidden) return;
    const response = await fetch(location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.querySelector("#investigations tbody");
    if (fresh) table.tBodies[0].replaceWith(fresh);
  }, seconds * 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  wireEvidence();
  wireCopy();
  followProgress();
  refreshList();
});
