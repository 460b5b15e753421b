// The "Report" link in a dialog. Without this script the link opens the report page, a plain
// form; with it, the same form (fetched from that page, so the reasons are written once, on the
// server) opens in a dialog over the comment and is sent to the API (api.js) in the background.
(function () {
  "use strict";

  function dialogFor(form, link, commentId) {
    var dialog = document.createElement("dialog");
    dialog.className = "report-dialog";
    var status = document.createElement("p");
    status.className = "report-status";
    status.setAttribute("role", "status");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "report-close";
    close.textContent = form.getAttribute("data-close-label") || "×";  // translated on the page
    close.addEventListener("click", function () { dialog.close(); });
    dialog.appendChild(close);
    dialog.appendChild(form);
    dialog.appendChild(status);
    dialog.addEventListener("close", function () { dialog.remove(); });
    // The form's own cancel link closes the dialog instead of leaving the page.
    form.querySelectorAll("a").forEach(function (a) {
      a.addEventListener("click", function (event) { event.preventDefault(); dialog.close(); });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fields = new FormData(form);
      var data = { detail: fields.get("detail") || "" };
      if (fields.get("reason")) data.reason = fields.get("reason");  // none chosen: "required"
      form.setAttribute("aria-busy", "true");
      window.forumApi.call("POST", window.forumApi.commentUrl(commentId, "report/"), data).then(function (result) {
        form.removeAttribute("aria-busy");
        if (result.ok) {
          // 201: a new report; 200: the reader's open report was already there. The form's own words.
          status.textContent = form.getAttribute(result.status === 201 ? "data-sent-text" : "data-already-text") || "";
          form.remove();
          link.setAttribute("aria-disabled", "true");
        } else {
          status.textContent = window.forumApi.failureText(result);
        }
      });
    });
    return dialog;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-report-dialog]");
    var comment = link && link.closest("[data-comment-id]");
    if (!comment || typeof HTMLDialogElement === "undefined") return;
    event.preventDefault();
    fetch(link.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("no form");
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var form = page.querySelector("form.report-form");
        if (!form) throw new Error("no form");
        var dialog = dialogFor(document.importNode(form, true), link, comment.getAttribute("data-comment-id"));
        document.body.appendChild(dialog);
        dialog.showModal();
      })
      .catch(function () { window.location.href = link.href; });
  });
})();
