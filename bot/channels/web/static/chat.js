// The web chat: one turn per POST to api/chat (a file: to api/chat/upload); the conversation so far from
// api/history after a reload; staff replies fetched from api/staff-replies (the web chat has no push).
"use strict";
const log = document.getElementById("log");
const list = document.getElementById("messages");
const choices = document.getElementById("choices");
const form = document.getElementById("send");
const input = document.getElementById("text");
const file = document.getElementById("file");

// Said to screen readers before each message (WCAG 1.3.1: who speaks is not told by colour and place alone).
const SPEAKERS = { bot: "ボット:", user: "あなた:", staff: "担当者:" };
const LINK = /https?:\/\/[^\s「」『』（）()<>、。]+/g;

function say(who, message) {
  const item = document.createElement("li");
  item.className = who;
  const speaker = document.createElement("span");
  speaker.className = "visually-hidden";
  speaker.textContent = SPEAKERS[who];
  item.appendChild(speaker);
  if (message.kind === "card") {
    showCard(item, message);
  } else {
    item.appendChild(textBlock("div", message.text));
  }
  list.appendChild(item);
  return item;
}

function notice(text) {
  const item = document.createElement("li");
  item.className = "notice";
  item.textContent = text;
  list.appendChild(item);
}

// Text with its web addresses as links (LINE and Telegram make them links by themselves).
function textBlock(tag, text) {
  const block = document.createElement(tag);
  block.className = "text";
  let at = 0;
  for (const found of text.matchAll(LINK)) {
    block.append(text.slice(at, found.index));
    const link = document.createElement("a");
    link.href = found[0];
    link.textContent = found[0];
    link.target = "_blank";
    link.rel = "noopener";
    const hint = document.createElement("span");
    hint.className = "visually-hidden";
    hint.textContent = "（新しいタブで開きます）";
    link.appendChild(hint);
    block.appendChild(link);
    at = found.index + found[0].length;
  }
  block.append(text.slice(at));
  return block;
}

function showCard(item, card) {
  item.classList.add("card");
  const title = document.createElement("h2");
  title.textContent = card.title;
  const rows = document.createElement("dl");
  for (const row of card.rows) {
    const label = document.createElement("dt");
    label.textContent = row.label;
    rows.append(label, textBlock("dd", row.value));
  }
  item.append(title, rows);
  if (card.footer) item.appendChild(textBlock("p", card.footer));
}

function showChoices(offered) {
  choices.replaceChildren();
  for (const choice of offered) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = choice.label;
    button.addEventListener("click", () => send({ payload: choice.payload }, choice.label));
    choices.appendChild(button);
  }
}

// After the buttons are drawn (they shrink the log): the newest message in full, or its start when it is
// taller than the log.
function showLatest() {
  const last = list.lastElementChild;
  if (!last) return;
  const room = Math.min(log.clientHeight, window.innerHeight);
  last.scrollIntoView({ block: last.offsetHeight > room ? "start" : "end" });
}

// Where the keyboard goes next: the answer box at a question to type, the first answer at a question to choose.
function focusNext(focus) {
  const target = focus === "choices" ? choices.querySelector("button") : input;
  (target || input).focus({ preventScroll: true });
}

function send(body, shown) {
  return turn("api/chat", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  }, shown);
}

// One turn: the user's line shown at once, then the bot's answer (or, when the network fails, a note).
async function turn(url, request, shown) {
  if (shown) say("user", { kind: "text", text: shown });
  showChoices([]);
  showLatest();
  log.setAttribute("aria-busy", "true");  // screen readers wait for the whole answer
  let answer;
  try {
    const response = await fetch(url, request);
    // 429 (too many posts from this address), and a file refused as too large (413) or of a kind not
    // kept (415), carry the bot's message to show like any reply.
    if (!response.ok && ![413, 415, 429].includes(response.status)) throw new Error(String(response.status));
    answer = await response.json();
  } catch (error) {
    log.removeAttribute("aria-busy");
    say("bot", { kind: "text", text: "通信がうまくいきませんでした。少し待ってから、もう一度送ってください。" });
    showLatest();
    input.focus({ preventScroll: true });
    return;
  }
  for (const message of answer.messages) say("bot", message);
  log.removeAttribute("aria-busy");
  const last = answer.messages[answer.messages.length - 1];
  showChoices(last ? last.choices : []);
  showLatest();
  focusNext(answer.focus);
  pollSoon(0);  // a message may have opened or closed a consultation
}

// A file goes as its own turn; the bot says whether it was kept with the draft.
file.addEventListener("change", () => {
  const chosen = file.files[0];
  if (!chosen) return;
  const body = new FormData();
  body.append("file", chosen, chosen.name);
  file.value = "";
  turn("api/chat/upload", { method: "POST", body }, chosen.name);
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  send({ text }, text);
});

// Replies that staff write in the console arrive here (the web chat has no push):
// every few seconds while a person is answering (担当者に相談), otherwise every 15 seconds.
let lastStaffReply = 0;
let pollTimer = null;
let polling = false;
function pollSoon(delay) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(fetchStaffReplies, delay);
}
async function fetchStaffReplies() {
  if (polling) return;  // the round under way schedules the next one
  polling = true;
  let consulting = false;
  try {
    const response = await fetch(`api/staff-replies?after=${lastStaffReply}`);
    if (response.ok) {
      const body = await response.json();
      consulting = body.consulting;
      for (const reply of body.messages) {
        lastStaffReply = Math.max(lastStaffReply, reply.id);
        if (reply.from === "bot") {  // a consultation ended: the bot asks its question again
          say("bot", { kind: "text", text: reply.text });
          showChoices(reply.choices);
        } else {
          say("staff", { kind: "text", text: reply.text });
        }
      }
      if (body.messages.length) showLatest();
    }
  } catch (error) {
    // offline for a moment: the next round asks again
  }
  polling = false;
  pollSoon(consulting ? 3000 : 15000);
}

// After a reload: the conversation so far, as stored for this visitor, then where they were.
async function showHistory() {
  log.setAttribute("aria-busy", "true");
  try {
    const response = await fetch("api/history");
    if (response.ok) {
      const body = await response.json();
      for (const entry of body.messages) say(entry.who, entry.message);
      lastStaffReply = body.staff_after;
      if (body.messages.length) notice("ここまでが、これまでのやりとりです。");
    }
  } catch (error) {
    // the history is a convenience: the conversation goes on without it
  }
  log.removeAttribute("aria-busy");
}

showHistory().then(() => send({ start: true }));
