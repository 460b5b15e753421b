"""The embedded broker: kombu's filesystem transport with its writes made atomic.

kombu writes a message by opening ``<time>_<uuid>.<queue>.msg`` and then writing into it, under an
advisory lock the reader never takes. A worker polling the folder can move and read the file in
between and fails on the half-written JSON; under heavy voting on ``make run`` this killed the
worker after about 1,100 votes. Here the message is written to a name the reader skips and then
renamed into place: a rename within one folder is atomic, so a reader sees a whole message or none.
Selected by ``CELERY_BROKER_TRANSPORT`` in settings when the broker URL is ``filesystem://``.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put ``payload`` onto ``queue``: write a temporary file, then rename it into the queue."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # The reader takes only names whose part after the first dot is "<queue>.msg".
        partial = os.path.join(self.data_folder_out, f"{uuid.uuid4()}.partial")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
