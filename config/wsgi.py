import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Live-count polls from open article pages are answered from the cache in front of Django's
# handler, under the site's host, HTTPS and header rules (config/live_shortcut.py).
from config.live_shortcut import LiveCountsShortcut  # noqa: E402  (after Django is set up)

application = LiveCountsShortcut(application)
