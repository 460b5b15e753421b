// How the page's scripts write: through the documented REST API (/api/v1/, its schema at
// /api/schema/), as the signed-in reader, with the session cookie and the page's CSRF token. The
// pages themselves answer HTML only, for the browser without JavaScript.
//
// window.forumApi.call(method, url, data) resolves to { ok, status, body } (never rejects: a
// network failure is status 0); failureText(result) words a failure in the page's own words
// (texts the page renders translated, in #reader-texts), or the API's reason when it gave one.
(function () {
  "use strict";

  function texts() {
    var node = document.getElementById("reader-texts");
    return node ? node.dataset : {};
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // A comment's address in the API, or of one of its operations ("vote/", "report/"): the page
  // carries comment 0's address (reversed from the URLconf), the script puts the id in.
  function commentUrl(commentId, operation) {
    var zero = document.documentElement.getAttribute("data-api-comment-url") || "";
    return zero.replace(/\/0\/$/, "/" + encodeURIComponent(commentId) + "/") + (operation || "");
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

  function send(method, url, data) {
    var headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
    if (data !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method,
      body: data === undefined ? undefined : JSON.stringify(data),
      headers: headers,
      credentials: "same-origin",
    }).then(
      function (response) {
        if (response.status === 204) return { ok: response.ok, status: response.status, body: null };
        return response.json().then(
          function (body) { return { ok: response.ok, status: response.status, body: body }; },
          function () { return { ok: response.ok, status: response.status, body: null }; }
        );
      },
      function () { return { ok: false, status: 0, body: null }; }
    );
  }

  function call(method, url, data) {
    return send(method, url, data).then(function (result) {
      // A stale tab (signed out and in again elsewhere) holds an old CSRF token: take a fresh
      // one, put it in every form on the page, and try once more.
      if (result.ok || !result.body || result.body.code !== "csrf_failed") return result;
      return refreshCsrfToken().then(function (token) { return token ? send(method, url, data) : result; });
    });
  }

  // The API's field errors ({"body": ["..."], ...}), already in the reader's language.
  function fieldMessages(body) {
    var messages = [];
    Object.keys(body || {}).forEach(function (name) {
      if (Array.isArray(body[name])) messages = messages.concat(body[name]);
    });
    return messages.join(" ");
  }

  function failureText(result) {
    var t = texts();
    var body = result.body || {};
    switch (result.status) {
      case 0: return t.network || "";
      case 400: return fieldMessages(body) || t.failed || "";
      case 401: return t.signedOut || "";
      case 403:
        if (body.code === "email_unverified") return t.emailUnverified || body.detail || "";
        if (body.code === "csrf_failed") return t.expired || body.detail || "";
        // Why the API refused (a closed section, a sanction and its end, the new account's wait):
        // worded by the server in the reader's language, with what only the server knows.
        return body.detail || t.failed || "";
      case 404: return t.gone || "";
      case 429: return t.rateLimited || "";
      default: return t.failed || "";
    }
  }

  window.forumApi = { call: call, commentUrl: commentUrl, failureText: failureText, texts: texts };
})();
