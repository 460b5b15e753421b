// "Mute" beside a comment. Without this script the form posts to the page (a redirect back, the
// comment collapsed). With it, the mute is sent to the API (POST /api/v1/me/mutes/, api.js), and
// the page is loaded again at the comment: which other comments collapse is the server's to say
// (the page names no unsigned author). "Unmute" stays a plain form.
(function () {
  "use strict";

  // The API's /me/mutes/, beside the comment address the page carries (/api/v1/comments/0/).
  function mutesUrl() {
    return window.forumApi.commentUrl(0).replace(/comments\/0\/$/, "me/mutes/");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.mute-form") || !window.forumApi) return;
    var comment = form.closest("[data-comment-id]");
    if (!comment) return;
    event.preventDefault();
    var commentId = Number(comment.getAttribute("data-comment-id"));
    form.setAttribute("aria-busy", "true");
    window.forumApi.call("POST", mutesUrl(), { comment: commentId }).then(function (result) {
      form.removeAttribute("aria-busy");
      if (result.ok) {
        window.location.hash = "comment-" + commentId;
        window.location.reload();
        return;
      }
      var status = form.querySelector(".mute-status");
      if (!status) {
        status = document.createElement("span");
        status.className = "mute-status";
        status.setAttribute("role", "status");
        form.appendChild(status);
      }
      status.textContent = " " + window.forumApi.failureText(result);
    });
  });
})();
