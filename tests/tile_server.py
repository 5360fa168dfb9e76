"""An XYZ tile server on 127.0.0.1 for the tests: real 256 × 256 PNG tiles, SYNTHETIC content.

Every ``GET /{z}/{x}/{y}.png`` answers a PNG drawn on the fly: a pale background, a grid of
"streets" every 64 pixels, and the tile's ``z/x/y`` written in it — enough to see, on a
screenshot or in the pixels of a print map, that tiles were fetched, placed and warped.
Any other path is a 404. The requests are recorded. No test reaches the internet.

Run it by hand (for screenshots): ``python tests/tile_server.py 8765``.
"""

from __future__ import annotations

import http.server
import io
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageDraw

#: Background colour of the synthetic tiles (tests look for it in the pixels).
TILE_BACKGROUND = (236, 226, 198)
_PATH = re.compile(r"^/(\d+)/(\d+)/(\d+)\.png(\?.*)?$")


def tile_png(z: int, x: int, y: int) -> bytes:
    """One synthetic tile as PNG bytes."""
    img = Image.new("RGB", (256, 256), TILE_BACKGROUND)
    draw = ImageDraw.Draw(img)
    for i in range(0, 256, 64):
        draw.line([(i, 0), (i, 255)], fill=(255, 255, 255), width=5)
        draw.line([(0, i), (255, i)], fill=(255, 255, 255), width=5)
    draw.rectangle([0, 0, 255, 255], outline=(190, 170, 140))
    draw.text((70, 120), f"{z}/{x}/{y}", fill=(90, 90, 90))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


class TileHandler(http.server.BaseHTTPRequestHandler):
    """Serves :func:`tile_png` for ``/z/x/y.png``; records each request path."""

    requests: list[str] = []  # noqa: RUF012 (shared by the server's threads)

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        match = _PATH.match(self.path)
        if not match:
            self.send_error(404)
            return
        body = tile_png(*(int(v) for v in match.groups()[:3]))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def running_tile_server(port: int = 0) -> Iterator[str]:
    """A tile server in a thread; yields its URL template ``http://127.0.0.1:P/{z}/{x}/{y}.png``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), TileHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    with running_tile_server(int(sys.argv[1]) if len(sys.argv) > 1 else 8765) as url:
        print(url, flush=True)
        threading.Event().wait()
