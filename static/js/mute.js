// "Mute" beside a comment. Without this script the form posts to the page (a redirect back, the
// comment collapsed). With it, the mute is sent to the API (POST /api/v1/me/mutes/, api.js), and
// the page is loaded again at the comment: which other comments collapse is the server's to say
// (the page names no unsigned author). "Unmute" stays a plain form.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.mute-form[data-mute=mute]") || !window.forumApi) return;
    var comment = form.closest("[data-comment-id]");
    if (!comment) return;
    event.preventDefault();
    var commentId = Number(comment.getAttribute("data-comment-id"));
    form.setAttribute("aria-busy", "true");
    window.forumApi.call("POST", form.getAttribute("data-api-url"), { comment: commentId }).then(function (result) {
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
