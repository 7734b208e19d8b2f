// Follows one consultation live (server-sent events): the user's new messages and its status.
"use strict";
const messages = document.getElementById("messages");
const stream = new EventSource(messages.dataset.events);

stream.addEventListener("said", (event) => {
  const said = JSON.parse(event.data);
  const item = document.createElement("li");
  item.className = `said-${said.sender}`;
  const when = document.createElement("span");
  when.className = "when";
  when.textContent = `${said.at} ${said.who}`;
  const text = document.createElement("div");
  text.className = "text";
  text.textContent = said.text;
  item.append(when, text);
  messages.append(item);
});

stream.addEventListener("status", (event) => {
  document.getElementById("consultation-status").textContent = JSON.parse(event.data).label;
});

stream.addEventListener("end", () => stream.close());
