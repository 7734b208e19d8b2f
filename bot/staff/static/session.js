// Warns before the staff session ends and lets it be extended (WCAG 2.2.1 Timing Adjustable): a memo being
// typed is not lost to an expiry nobody saw coming.
"use strict";
(() => {
  const WARN_SECONDS = 5 * 60;
  const box = document.getElementById("session-expiry");
  const text = document.getElementById("session-expiry-text");
  const extend = document.getElementById("session-extend");
  let deadline = Date.now() + Number(box.dataset.secondsLeft) * 1000;
  let timer = null;

  function clock(at) {
    const when = new Date(at);
    return `${when.getHours()}時${String(when.getMinutes()).padStart(2, "0")}分`;
  }

  function check() {
    const left = deadline - Date.now();
    if (left <= 0) {
      text.textContent = "ログインの有効期限が切れました。送信していない入力は、ログインし直す前にコピーしておいてください。";
      extend.textContent = "ログインし直す";
      box.hidden = false;
      return;
    }
    if (left <= WARN_SECONDS * 1000) {
      const minutes = Math.max(1, Math.ceil(left / 60000));
      text.textContent = `ログインの有効期限（${clock(deadline)}）まで、あと約${minutes}分です。期限が過ぎると、送信していない入力は失われます。`;
      box.hidden = false;
    }
    timer = setTimeout(check, Math.min(Math.max(left - WARN_SECONDS * 1000, 1000), 30000));
  }

  extend.addEventListener("click", async () => {
    if (deadline <= Date.now()) {
      window.open(`${box.dataset.login}?next=${encodeURIComponent(location.pathname + location.search)}`, "_blank", "noopener");
      return;
    }
    const form = new FormData();
    form.append("csrf_token", document.querySelector("input[name=csrf_token]").value);
    try {
      const response = await fetch(box.dataset.extend, { method: "POST", body: form, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      deadline = Date.now() + (await response.json()).seconds_left * 1000;
      box.hidden = true;
      clearTimeout(timer);
      check();
    } catch (error) {
      text.textContent = "延長できませんでした。ページを読み込み直す前に、入力中の内容をコピーしておいてください。";
    }
  });

  // Logged in again in another tab (the button above opens one): this page's forms take the new session's
  // token, so what was typed here can still be sent.
  async function adoptNewSession() {
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      if (!response.ok || response.redirected) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const token = page.querySelector("input[name=csrf_token]");
      const fresh = page.getElementById("session-expiry");
      if (!token || !fresh) return;
      document.querySelectorAll("input[name=csrf_token]").forEach((input) => { input.value = token.value; });
      deadline = Date.now() + Number(fresh.dataset.secondsLeft) * 1000;
      extend.textContent = "ログインを延長する";
      box.hidden = true;
      clearTimeout(timer);
      check();
    } catch (error) {
      // still logged out: the notice stays
    }
  }
  window.addEventListener("focus", () => { if (deadline <= Date.now()) adoptNewSession(); });

  check();
})();
