// The "Report" link in a dialog. Without this script the link opens the report page, a plain
// form; with it, the same form (fetched from that page, so the reasons are written once, on the
// server) opens in a dialog over the comment and posts in the background.
(function () {
  "use strict";

  function dialogFor(form, link) {
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
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          if (answer.ok) {
            status.textContent = answer.body.detail;
            form.remove();
            link.setAttribute("aria-disabled", "true");
          } else if (answer.body.detail) {
            status.textContent = answer.body.detail;
          } else {
            var messages = [];
            Object.keys(answer.body).forEach(function (name) {
              answer.body[name].forEach(function (error) { messages.push(error.message); });
            });
            status.textContent = messages.join(" ");
          }
        })
        .catch(function () { form.submit(); });  // the plain form still works
    });
    return dialog;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-report-dialog]");
    if (!link || typeof HTMLDialogElement === "undefined") return;
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
        var dialog = dialogFor(document.importNode(form, true), link);
        document.body.appendChild(dialog);
        dialog.showModal();
      })
      .catch(function () { window.location.href = link.href; });
  });
})();
