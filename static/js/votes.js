// Vote buttons without a reload. Without this script the buttons are plain forms that post and
// come back to the page; with it, the vote goes to the API (PUT, or DELETE to take it back: see
// api.js), the pressed state and the counts with the vote show at once, and the stored counts
// follow as soon as the tally task has run (usually well under a second).
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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("votes")) return;
    var button = event.submitter;
    var comment = form.closest("[data-comment-id]");
    // Signed out, the form carries no CSRF token (and its buttons are disabled): nothing to send.
    if (!button || button.name !== "choice" || !comment || !form.querySelector("input[name=csrfmiddlewaretoken]")) return;
    event.preventDefault();
    // Pressing the button already pressed takes the vote back, as the plain form does.
    var takeBack = button.getAttribute("aria-pressed") === "true";
    var url = window.forumApi.commentUrl(comment.getAttribute("data-comment-id"), "vote/");
    form.setAttribute("aria-busy", "true");
    window.forumApi
      .call(takeBack ? "DELETE" : "PUT", url, takeBack ? undefined : { choice: button.value })
      .then(function (result) {
        form.removeAttribute("aria-busy");
        if (!result.ok) {
          say(form, window.forumApi.failureText(result));
          return;
        }
        form.setAttribute("data-voted-at", String(Date.now()));
        say(form, "");
        showCounts(form, result.body.counts);
        showChoice(form, result.body.my_vote);
        followTally(form, Date.parse(result.body.answered_at), 0);
      });
  });
})();
