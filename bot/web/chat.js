// The local web chat: one browser tab is one citizen talking to the bot (channel "web").
"use strict";

const el = (id) => document.getElementById(id);
const randomId = () => {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
};
// The server makes the session id; a page reload keeps it, "Mulai ulang" asks for a new one.
let session = sessionStorage.getItem("spi-session");
let busy = false;

async function newSession() {
  const answer = await fetch("/chat/api/session", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
  });
  if (!answer.ok) throw new Error(String(answer.status));
  session = (await answer.json()).session;
  sessionStorage.setItem("spi-session", session);
}

function show(text, who) {
  const div = document.createElement("div");
  div.className = "msg " + who;
  div.textContent = text;
  el("messages").appendChild(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

function showReply(reply) {
  const lines = [reply.text].concat(reply.choices.map((c, i) => `${i + 1}. ${c.label}`));
  const div = show(lines.join("\n"), "bot");
  if (reply.image) {
    const img = document.createElement("img");
    img.src = reply.image;
    img.alt = "";
    div.appendChild(img);
  }
  if (reply.choices.length) {
    const box = document.createElement("div");
    box.className = "choices";
    reply.choices.forEach((choice, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      button.textContent = `${i + 1}. ${choice.label}`;
      button.addEventListener("click", () => send(String(i + 1)));
      box.appendChild(button);
    });
    div.appendChild(box);
  }
}

async function post(payload) {
  busy = true;
  el("send").disabled = true;
  el("error").hidden = true;
  try {
    if (!session) await newSession();
    const request = () => fetch("/chat/api/message", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ session, id: randomId() }, payload)),
    });
    let answer = await request();
    if (answer.status === 401) {  // the server restarted: its sessions are gone
      await newSession();
      answer = await request();
    }
    if (!answer.ok) throw new Error(String(answer.status));
    const data = await answer.json();
    data.replies.forEach(showReply);
  } catch (err) {
    el("error").hidden = false;
  } finally {
    busy = false;
    el("send").disabled = false;
    el("messages").setAttribute("data-idle", "1");
  }
}

function send(text) {
  if (busy || !text.trim()) return;
  el("messages").removeAttribute("data-idle");
  show(text, "user");
  post({ text });
}

async function loadUnits() {
  const answer = await fetch("/chat/api/units");
  const units = await answer.json();
  // Several institutions: one group per institution (units come sorted by it).
  const grouped = new Set(units.map((unit) => unit.institution)).size > 1;
  let group = null;
  for (const unit of units) {
    if (grouped && (group === null || group.label !== unit.institution)) {
      group = document.createElement("optgroup");
      group.label = unit.institution;
      el("unit").appendChild(group);
    }
    const option = document.createElement("option");
    option.value = unit.code;
    option.textContent = unit.name;
    (grouped ? group : el("unit")).appendChild(option);
  }
}

el("start").addEventListener("click", () => {
  if (busy) return;
  el("messages").removeAttribute("data-idle");
  show("📷 " + el("unit").selectedOptions[0].textContent, "user");
  post({ start: el("unit").value });
});
el("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = el("text").value;
  el("text").value = "";
  send(text);
});
el("restart").addEventListener("click", () => {
  session = null;
  sessionStorage.removeItem("spi-session");
  el("messages").replaceChildren();
});
loadUnits().then(() => el("messages").setAttribute("data-idle", "1"));
