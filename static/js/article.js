// The article page for readers, on top of the plain HTML that works without it:
// - a character counter on the comment box (no silent cut: the box has no maxlength);
// - the author's "Edit" rewords in place and "Delete" asks in a dialog, both through the API
//   (api.js; the links lead to pages that do the same without JavaScript);
// - live counts: the page polls a small endpoint with the article's content version as ETag, so
//   an unchanged article costs the server one cache read (a 304); changed counts update in place
//   and new comments are announced with a link to show them, new replies under their thread;
// - threads: "N more replies" expands in place (the thread's page, fetched, gives its replies);
//   Reply opens the reply form under the comment (it posts to the page's /comments/<id>/reply/).
(function () {
  "use strict";

  // Until the server says otherwise (its X-Poll-Seconds header: longer once the article is quiet).
  var LIVE_INTERVAL_MS = 3500;
  var LIVE_MAX_BACKOFF_MS = 60000;
  // A hidden tab polls this many times less often (at most once a LIVE_MAX_BACKOFF_MS).
  var LIVE_HIDDEN_FACTOR = 6;
  // After the reader votes, their own answer (which counts their vote) wins over a live answer
  // for this long: the tally that follows bumps the version and the next poll agrees again.
  var OWN_VOTE_GRACE_MS = 3000;

  function texts() {
    var node = document.getElementById("reader-texts");
    return node ? node.dataset : {};
  }

  // --- Character counter -------------------------------------------------------------------

  function setUpCounter(textarea) {
    var limit = parseInt(textarea.getAttribute("data-max-length"), 10);
    var counter = document.getElementById(textarea.getAttribute("aria-describedby") || "body-counter");
    var warning = counter && counter.nextElementSibling;
    if (!limit || !counter) return;
    var wasOver = false;
    function update() {
      var length = textarea.value.trim().length;
      var over = length - limit;
      counter.textContent = counter.dataset.template.replace("__COUNT__", String(length));
      counter.classList.toggle("over", over > 0);
      textarea.setAttribute("aria-invalid", over > 0 ? "true" : "false");
      // Announced once when the text crosses the limit, not at every keystroke.
      if ((over > 0) !== wasOver && warning) {
        warning.textContent = over > 0 ? counter.dataset.overTemplate.replace("__OVER__", String(over)) : "";
      } else if (over > 0 && warning) {
        warning.textContent = counter.dataset.overTemplate.replace("__OVER__", String(over));
      }
      wasOver = over > 0;
    }
    textarea.addEventListener("input", update);
    update();
  }

  // --- Edit in place and delete with a dialog ----------------------------------------------

  function showBody(node, text) {
    node.textContent = "";
    text.split("\n").forEach(function (line, index) {
      if (index) node.appendChild(document.createElement("br"));
      node.appendChild(document.createTextNode(line));
    });
  }

  function startEditing(link) {
    var comment = link.closest(".comment");
    var bodyNode = comment.querySelector(".comment-body");
    if (comment.querySelector(".edit-in-place")) return;
    var t = texts();
    var form = document.createElement("form");
    form.className = "edit-in-place comment-form";
    var label = document.createElement("label");
    var textarea = document.createElement("textarea");
    textarea.id = "edit-" + comment.dataset.commentId;
    textarea.name = "body";
    textarea.rows = 4;
    textarea.value = bodyNode.innerText;
    textarea.lang = bodyNode.lang;
    label.htmlFor = textarea.id;
    label.textContent = t.editLabel || "";
    var error = document.createElement("p");
    error.className = "errorlist";
    error.setAttribute("role", "alert");
    var save = document.createElement("button");
    save.type = "submit";
    save.textContent = t.save || "Save";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = t.cancel || "Cancel";
    form.append(label, textarea, error);
    // The language select, as the page renders it (translated), set to the comment's language.
    var languageTemplate = document.getElementById("comment-language-template");
    var languageSelect = null;
    if (languageTemplate) {
      var languageField = languageTemplate.content.firstElementChild.cloneNode(true);
      languageSelect = languageField.querySelector("select");
      languageSelect.id = "edit-language-" + comment.dataset.commentId;
      languageField.querySelector("label").htmlFor = languageSelect.id;
      languageSelect.value = bodyNode.lang || "";
      form.append(languageField);
    }
    form.append(save, cancel);
    bodyNode.hidden = true;
    bodyNode.after(form);
    textarea.focus();

    function finish() {
      form.remove();
      bodyNode.hidden = false;
      link.focus();
    }
    cancel.addEventListener("click", finish);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = { body: textarea.value };
      // "Detect from the text" is no language: the API then detects it from the new wording.
      if (languageSelect && languageSelect.value) data.language = languageSelect.value;
      form.setAttribute("aria-busy", "true");
      var url = window.forumApi.commentUrl(comment.dataset.commentId);
      window.forumApi.call("PATCH", url, data).then(function (result) {
        form.removeAttribute("aria-busy");
        if (!result.ok) {
          error.textContent = window.forumApi.failureText(result);
          return;
        }
        showBody(bodyNode, result.body.body);
        if (result.body.language) bodyNode.lang = result.body.language;
        var mark = comment.querySelector(".edited-mark");
        if (mark) mark.textContent = " · " + (t.edited || "edited");
        finish();
      });
    });
  }

  // A deleted comment leaves its section's counts (the heading's and the jump link's) one lower
  // at once, not at the next reload.
  function countOneLess(sectionNode) {
    var t = texts();
    var link = document.querySelector('.section-links a[href="#section-' + sectionNode.dataset.section + '"] .section-count');
    var inHeading = sectionNode.querySelector("h2 .section-count");
    var source = link || inHeading;
    var found = source && source.textContent.match(/\d+/);
    if (!found) return;
    var count = Math.max(0, parseInt(found[0], 10) - 1);
    if (link) link.textContent = String(count);
    var template = count === 1 ? t.countOne : t.countMany;
    if (inHeading && template) inHeading.textContent = "(" + template.replace(/\d+/, String(count)) + ")";
  }

  function confirmDelete(link) {
    var comment = link.closest(".comment");
    var dialog = document.getElementById("delete-dialog");
    var status = comment.querySelector(".vote-status");
    dialog.querySelector(".delete-excerpt").textContent = comment.querySelector(".comment-body").innerText.slice(0, 200);
    dialog.returnValue = "";
    dialog.showModal();
    dialog.addEventListener("close", function onClose() {
      dialog.removeEventListener("close", onClose);
      if (dialog.returnValue !== "delete") {
        link.focus();
        return;
      }
      window.forumApi.call("DELETE", window.forumApi.commentUrl(comment.dataset.commentId)).then(function (result) {
        if (!result.ok) {
          if (status) status.textContent = window.forumApi.failureText(result);
          link.focus();
          return;
        }
        var sectionNode = comment.closest(".comment-section");
        var heading = sectionNode.querySelector("h2");
        if (comment.querySelector(":scope > ol.replies > li")) {
          // Taken back with replies under it: it stays as a placeholder, its replies in place.
          Array.prototype.forEach.call(comment.children, function (child) {
            if (!child.matches("ol.replies, .more-replies, .new-replies")) child.remove();
          });
          var placeholder = document.createElement("p");
          placeholder.className = "comment-body deleted";
          placeholder.textContent = texts().placeholder || "";
          comment.prepend(placeholder);
          comment.classList.add("placeholder");
        } else {
          comment.remove();
          // The sections count top-level comments; a reply is counted in its thread only.
          if (!comment.classList.contains("reply")) countOneLess(sectionNode);
        }
        var live = document.getElementById("page-announcer");
        if (live) live.textContent = texts().deleted || "";
        if (heading) { heading.tabIndex = -1; heading.focus(); }
      });
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-edit-url], a[data-delete-url]");
    if (!link) return;
    if (link.dataset.editUrl) {
      event.preventDefault();
      startEditing(link);
    } else if (link.dataset.deleteUrl && document.getElementById("delete-dialog")) {
      event.preventDefault();
      confirmDelete(link);
    }
  });

  // --- Threads: "N more replies" expands in place, Reply opens the form under the comment -----

  // A thread's address: the page carries comment 0's (#reader-texts data-thread-url).
  function threadUrl(parentId) {
    return (texts().threadUrl || "").replace(/\/0\/thread\/$/, "/" + encodeURIComponent(parentId) + "/thread/");
  }

  // Replies the reader has been shown of each thread since the page loaded, by the live counts'
  // "new replies" (a thread expanded shows them all, so its notice waits for newer ones).
  var repliesSeen = {};

  // Fetch the thread's page and take its replies (the same markup, rendered for this reader) in
  // place of the few shown; a thread longer than its page keeps a link to the rest.
  function expandThread(comment, link) {
    var t = texts();
    var live = document.getElementById("page-announcer");
    link.setAttribute("aria-busy", "true");
    if (t.loading) {
      link.dataset.label = link.textContent;
      link.textContent = t.loading;
    }
    return fetch(link.getAttribute("data-thread-url") || link.href, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fetched = page.getElementById("comment-" + comment.dataset.commentId);
        var replies = fetched && fetched.querySelector(":scope > ol.replies");
        if (!replies) throw new Error("no replies");
        var mine = comment.querySelector(":scope > ol.replies");
        var adopted = document.importNode(replies, true);
        if (mine) mine.replaceWith(adopted);
        else (comment.querySelector(":scope > .more-replies") || comment.lastElementChild).before(adopted);
        var more = comment.querySelector(":scope > .more-replies");
        var next = page.querySelector("nav.pages a[rel=next]");
        if (more && next) {
          var rest = more.querySelector("a");
          rest.removeAttribute("data-thread-url");
          rest.href = new URL(next.getAttribute("href"), link.href).href;
          rest.textContent = rest.dataset.label || rest.textContent;
        } else if (more) {
          more.remove();
        }
        var notice = comment.querySelector(":scope > .new-replies");
        if (notice) notice.remove();
        // The live counts count replies newer than the page: those now shown are seen.
        var section = document.querySelector("section.comments[data-newest-id]");
        var newest = parseInt((section && section.dataset.newestId) || "0", 10);
        repliesSeen[comment.dataset.commentId] = Array.prototype.filter.call(
          adopted.querySelectorAll(".comment[data-comment-id]"),
          function (node) { return parseInt(node.dataset.commentId, 10) > newest; }
        ).length;
        var first = adopted.querySelector(".comment");
        if (first) { first.tabIndex = -1; first.focus(); }
        if (live) live.textContent = "";
      })
      .catch(function () {
        // The link still works as a link: the thread's own page.
        window.location.href = link.href;
      });
  }

  function openReplyForm(link) {
    var template = document.getElementById("reply-form-template");
    var comment = link.closest(".comment");
    if (!template || !comment) return false;
    var id = comment.dataset.commentId;
    var open = comment.querySelector(":scope > form.reply-form");
    if (open) {
      open.querySelector("textarea").focus();
      return true;
    }
    var form = template.content.querySelector("form").cloneNode(true);
    form.action = link.getAttribute("data-reply-url") + "#reply-form";
    // The template's ids, made this form's own (a page may hold several forms).
    form.querySelectorAll("[id]").forEach(function (node) { node.id = node.id + "-" + id; });
    form.querySelectorAll("label[for]").forEach(function (node) { node.htmlFor = node.htmlFor + "-" + id; });
    var textarea = form.querySelector("textarea");
    textarea.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby") + "-" + id);
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = texts().cancel || "Cancel";
    cancel.addEventListener("click", function () {
      form.remove();
      link.focus();
    });
    form.append(cancel);
    var control = link.closest(".reply-control");
    (control || link).after(form);
    setUpCounter(textarea);
    textarea.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var more = event.target.closest(".more-replies a[data-thread-url], .new-replies a[data-thread-url]");
    if (more) {
      event.preventDefault();
      expandThread(more.closest(".comment"), more);
      return;
    }
    var reply = event.target.closest("a[data-reply-url]");
    if (reply && openReplyForm(reply)) event.preventDefault();
  });

  // "N new replies" under a thread the page shows, from the live counts (by the parent's id).
  function showNewReplies(newReplies) {
    var t = texts();
    Object.keys(newReplies || {}).forEach(function (id) {
      var comment = document.getElementById("comment-" + id);
      var count = newReplies[id];
      if (!comment || comment.classList.contains("reply") || !(count > 0)) return;
      if (count <= (repliesSeen[id] || 0)) return;
      var notice = comment.querySelector(":scope > .new-replies");
      if (!notice) {
        notice = document.createElement("p");
        notice.className = "new-replies";
        var link = document.createElement("a");
        link.href = threadUrl(id);
        link.setAttribute("data-thread-url", link.href);
        notice.append(link);
        comment.append(notice);
      }
      var fresh = count - (repliesSeen[id] || 0);
      notice.querySelector("a").textContent =
        fresh === 1 ? t.newReplyOne : (t.newReplyMany || "").replace("__COUNT__", String(fresh));
    });
  }

  // --- Live counts --------------------------------------------------------------------------

  function startLive(section) {
    var url = section.dataset.liveUrl;
    var version = section.dataset.liveVersion;
    var newest = section.dataset.newestId || "0";
    var notice = section.querySelector(".live-notice");
    var timer = null;
    var delay = LIVE_INTERVAL_MS;

    function shownIds() {
      return Array.prototype.map.call(section.querySelectorAll(".comment[data-comment-id]"), function (node) {
        return node.dataset.commentId;
      });
    }

    function apply(answer) {
      var t = texts();
      Object.keys(answer.counts).forEach(function (id) {
        var form = document.querySelector("#comment-" + id + " form.votes");
        if (!form) return;
        var votedAt = parseInt(form.dataset.votedAt || "0", 10);
        if (Date.now() - votedAt < OWN_VOTE_GRACE_MS) return;
        var counts = answer.counts[id];
        var changed = false;
        form.querySelectorAll("[data-count]").forEach(function (node) {
          var value = counts[node.getAttribute("data-count")];
          if (typeof value === "number" && node.textContent !== String(value)) {
            node.textContent = String(value);
            changed = true;
          }
        });
        // Only the comments this reader voted on are announced: a screen reader must not hear
        // every count on the page change.
        if (changed && votedAt) {
          var status = form.querySelector(".vote-status");
          if (status && t.counts) {
            status.textContent = t.counts.replace("__AGREE__", counts.agree).replace("__DISAGREE__", counts.disagree);
          }
        }
      });
      showNewReplies(answer.new_replies);
      var fresh = 0;
      Object.keys(answer.new_comments).forEach(function (key) { fresh += answer.new_comments[key]; });
      if (notice) {
        var link = notice.querySelector("a");
        if (fresh > 0) {
          link.textContent = fresh === 1 ? link.dataset.one : link.dataset.many.replace("__COUNT__", String(fresh));
          notice.hidden = false;
        } else {
          notice.hidden = true;
        }
      }
    }

    var interval = LIVE_INTERVAL_MS;  // what the server last asked for

    function schedule(ms) {
      window.clearTimeout(timer);
      if (document.hidden) ms = Math.min(Math.max(ms, interval) * LIVE_HIDDEN_FACTOR, LIVE_MAX_BACKOFF_MS);
      timer = window.setTimeout(poll, ms);
    }

    function poll() {
      var query = "?ids=" + shownIds().join(",") + "&after=" + newest;
      fetch(url + query, {
        headers: { Accept: "application/json", "If-None-Match": '"' + version + '"' },
        credentials: "omit",
        cache: "no-store",
      })
        .then(function (response) {
          var asked = parseFloat(response.headers.get("X-Poll-Seconds") || "");
          if (asked > 0) interval = Math.min(asked * 1000, LIVE_MAX_BACKOFF_MS);
          if (response.status === 304) return null;
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (answer) {
          delay = interval;
          if (answer) {
            version = String(answer.version);
            apply(answer);
          }
          schedule(delay);
        })
        .catch(function () {
          delay = Math.min(delay * 2, LIVE_MAX_BACKOFF_MS);  // the server is struggling: ask less
          schedule(delay);
        });
    }

    // A hidden tab asks less often; shown again, it asks at once.
    document.addEventListener("visibilitychange", function () {
      schedule(document.hidden ? delay : 0);
    });
    schedule(LIVE_INTERVAL_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-max-length]").forEach(setUpCounter);
    var section = document.querySelector("section.comments[data-live-url]");
    if (section) startLive(section);
  });
})();
