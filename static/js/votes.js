// Vote buttons without a reload. Without this script the buttons are plain forms that post and
// come back to the page; with it, the vote is posted in the background, the pressed state shows
// at once, and the counts follow as soon as the tally task has run (usually well under a second).
(function () {
  "use strict";

  var POLL_INTERVAL_MS = 200;
  var POLL_ATTEMPTS = 50;  // 10 s: a busy worker is slow, not wrong

  function showCounts(form, counts) {
    form.querySelectorAll("[data-count]").forEach(function (node) {
      var value = counts[node.getAttribute("data-count")];
      if (typeof value === "number") node.textContent = String(value);
    });
  }

  function showChoice(form, choice) {
    form.querySelectorAll("button[name=choice]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === choice ? "true" : "false");
    });
  }

  function say(form, text) {
    var status = form.querySelector(".vote-status");
    if (status) status.textContent = text || "";
  }

  // Poll until a tally newer than our vote has run, then stop.
  function followTally(form, since, attempt) {
    fetch(form.getAttribute("data-counts-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        showCounts(form, counts);
        var tallied = counts.tallied_at ? Date.parse(counts.tallied_at) : 0;
        if (tallied < since && attempt < POLL_ATTEMPTS) {
          window.setTimeout(function () { followTally(form, since, attempt + 1); }, POLL_INTERVAL_MS);
        }
      })
      .catch(function () { /* the counts will be right on the next page load */ });
  }

  // Resolves to a fresh token (also written into every form on the page), or null.
  function refreshCsrfToken() {
    var url = document.documentElement.getAttribute("data-csrf-token-url");
    if (!url) return Promise.resolve(null);
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body || !body.csrf_token) return null;
        document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
          input.value = body.csrf_token;
        });
        return body.csrf_token;
      })
      .catch(function () { return null; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("votes")) return;
    var button = event.submitter;
    if (!button || button.name !== "choice") return;
    event.preventDefault();
    var data = new FormData(form);
    data.set("choice", button.value);
    form.setAttribute("aria-busy", "true");
    function post() {
      return fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        return response.json().then(
          function (body) { return { ok: response.ok, status: response.status, body: body }; },
          function () { return { ok: response.ok, status: response.status, body: {} }; }
        );
      });
    }
    post()
      .then(function (result) {
        // A stale tab (signed out and in again elsewhere) holds an old CSRF token: take a fresh
        // one, put it in every form on the page, and try once more.
        if (result.ok || (result.body || {}).code !== "csrf_failed") return result;
        return refreshCsrfToken().then(function (token) {
          if (!token) return result;
          data.set("csrfmiddlewaretoken", token);
          return post();
        });
      })
      .then(function (result) {
        form.removeAttribute("aria-busy");
        if (!result.ok) {
          var body = result.body || {};
          var text = body.detail || (body.choice && body.choice[0]);
          say(form, text || (window.forumFailureText ? window.forumFailureText(result.status, body) : ""));
          return;
        }
        form.setAttribute("data-voted-at", String(Date.now()));
        say(form, "");
        showCounts(form, result.body.counts);
        showChoice(form, result.body.my_vote);
        followTally(form, Date.parse(result.body.answered_at), 0);
      })
      .catch(function () {
        // The network failed: say so beside the buttons; the reader can try again.
        form.removeAttribute("aria-busy");
        say(form, window.forumFailureText ? window.forumFailureText(0, null) : "");
      });
  });
})();
