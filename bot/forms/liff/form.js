// 「フォームでまとめて入力」 on LINE (LIFF): LINE says who opened the page (an ID token, checked by our server),
// and the server answers with that user's own form. Nothing the page knows about the user is trusted.
(async () => {
  const root = document.getElementById("liff");
  const status = document.getElementById("liff-status");
  const refuse = (text) => {
    status.setAttribute("role", "alert");
    status.textContent = text || root.dataset.notOpened;
  };
  try {
    // Outside the LINE app, LINE Login first (the SDK comes back here with a code and trades it for the token).
    await window.liff.init({ liffId: root.dataset.liffId, withLoginOnExternalBrowser: true });
    const answer = await fetch("/liff/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id_token: window.liff.getIDToken() }),
    });
    const body = await answer.json();
    if (answer.ok) {
      location.replace(body.url);
    } else {
      refuse(body.message);
    }
  } catch (error) {
    refuse();
  }
})();
