// The browser's time zone for the server (accounts/time_zones.py), in the "tz" cookie: pages from
// the next one on show times in it, unless the profile names a zone or the reader is in Japan.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;
  var current = document.cookie.match(/(?:^|; )tz=([^;]*)/);
  if (current && current[1] === zone) return;
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
})();
