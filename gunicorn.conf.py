"""gunicorn's settings for this project, read from the working directory (the repository root)
by `make run` (Procfile), the tests' start_web and the bench. Command-line flags override them."""

import os
import re
from pathlib import Path

wsgi_app = "config.wsgi:application"
bind = [os.environ.get("FORUM_ADDRESS", "127.0.0.1:8000")]
# gthread: each thread keeps its database connection, and kept-alive HTTP connections wait in the
# worker's poller instead of holding a thread.
# 3 workers x 1 thread: on the 2-core machine the article page is CPU-bound, and threads only
# contend for each process's GIL. bench/page.py measured it (NOTES-page-cache.md): 3x1 served the
# signed-out page at 920/s against 623/s for 3x8, signed in 120/s against 52/s. The bench's
# servers use the same defaults (bench/run.py). More cores: one worker per core, plus one.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
keepalive = 30
# A request that takes this long is stuck; the worker is replaced. Oversized bodies never get
# that far: config.middleware.RequestBodyLimitMiddleware refuses them from their declared length.
timeout = 30
graceful_timeout = 5
# Tighter than gunicorn's defaults (8190 / 100): no URL or header of ours comes close.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# gunicorn 27 opens one control socket per user ($XDG_RUNTIME_DIR/gunicorn.ctl) unless told
# otherwise, so two instances (make run beside the tests or the bench) would fight over it.
# Each instance gets its own, named after its address, under the forum's var/ directory.
_var = Path(os.environ.get("FORUM_VAR_DIR", Path(__file__).resolve().parent / "var"))
_var.mkdir(parents=True, exist_ok=True)
control_socket = str(_var / f"gunicorn-{re.sub(r'[^0-9A-Za-z]+', '_', bind[0])}.ctl")
