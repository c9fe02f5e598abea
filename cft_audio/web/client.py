"""The client's phone page: one recording, installable, and kept on the phone for offline use.

Everything lives under `/c/KEY/` (the share key is the only way in): the page, its audio
and captions, a web app manifest, icons and a service worker whose scope is that folder.
The worker stores the page, audio and captions the first time the page is opened, then
answers from its store (range requests included, so seeking works offline).
"""

from __future__ import annotations

import functools
import json

from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..export.cover import cover_png
from ..export.player import Installable, PlayerTrack, player_html
from ..practice import Source
from .api import KEPT, send_file
from .library import RenderEntry, download_name, find_render
from .pages import playable, state_of
from .security import OutsideFolder

ICON_SIZES = (192, 512)
"""Home-screen icon sizes (what browsers ask a manifest for)."""


def _shared(request: HttpRequest) -> tuple[str, RenderEntry]:
    """The share key and the render it opens (404 for unknown keys or vanished renders)."""
    state = state_of(request)
    key = request.path_params["key"]
    render_id = state.shares.render_for(key)
    if render_id is None:
        raise HTTPException(404, "This link is no longer valid")
    try:
        return key, find_render(state.output, render_id)
    except OutsideFolder as error:
        raise HTTPException(404, "This link is no longer valid") from error


def _files(key: str, entry: RenderEntry) -> dict[str, str]:
    """The page's own addresses: page, audio, captions (if any), manifest, icons."""
    play = playable({f: f for f in entry.files})
    base = f"/c/{key}/"
    found = {"page": base, "audio": f"{base}audio.{play[0] if play else 'mp3'}",
             "manifest": f"{base}manifest.webmanifest"}
    if entry.sidecar("vtt"):
        found["captions"] = f"{base}captions.vtt"
    for size in ICON_SIZES:
        found[f"icon{size}"] = f"{base}icon-{size}.png"
    return found


async def to_folder(request: HttpRequest) -> Response:
    """`/c/KEY` (the address in QR codes) → `/c/KEY/`, the service worker's scope."""
    key, _ = _shared(request)
    return RedirectResponse(f"/c/{key}/", status_code=308)


async def client_page(request: HttpRequest) -> Response:
    """The client's phone page for one render (reached by its share key)."""
    key, entry = _shared(request)
    files = _files(key, entry)
    track = PlayerTrack(title=entry.title, audio_href=files["audio"],
                        captions_href=files.get("captions"), script=entry.script_text(),
                        seconds=entry.seconds())
    subtitle = f"For {entry.client}" if entry.client else ""
    app = Installable(manifest_href=files["manifest"], worker_href=f"/c/{key}/sw.js",
                      icon_href=files["icon192"], download_href=files["audio"] + "?download=1",
                      name=short_name(entry.title))
    page = player_html(entry.title, [track], subtitle=subtitle, installable=app,
                       practice=Source("recording", entry.id, entry.title))
    return HTMLResponse(page.replace('preload="metadata"', 'preload="auto"', 1),
                        headers={"Cache-Control": "private, no-cache"})


async def client_file(request: HttpRequest) -> Response:
    """The audio or captions of a shared render (reached by its share key)."""
    _, entry = _shared(request)
    name = request.path_params["name"]
    kind, _, ext = name.partition(".")
    download = request.query_params.get("download") == "1"
    if kind == "audio" and ext in entry.files:
        return send_file(entry.files[ext], download, KEPT, filename=download_name(entry, ext))
    if name == "captions.vtt" and entry.sidecar("vtt"):
        return send_file(entry.sidecar("vtt"), False, KEPT)
    raise HTTPException(404, "Not found")


async def manifest(request: HttpRequest) -> Response:
    """The web app manifest: name, icons, start URL and scope (the page's own folder)."""
    key, entry = _shared(request)
    files = _files(key, entry)
    body = {
        "name": entry.title, "short_name": short_name(entry.title),
        "description": "A practice recording from your therapist; plays offline.",
        "start_url": files["page"], "scope": files["page"], "display": "standalone",
        "background_color": "#f6f3ee", "theme_color": "#2f6f62",
        "icons": [{"src": files[f"icon{size}"], "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any"} for size in ICON_SIZES],
    }
    return Response(json.dumps(body, indent=1), media_type="application/manifest+json",
                    headers={"Cache-Control": "private, no-cache"})


def short_name(title: str) -> str:
    """The home-screen name: the title without a leading "The", cut at a word to 24 characters."""
    name = title.removeprefix("The ").strip()
    if len(name) <= 24:
        return name
    return name[:25].rsplit(" ", 1)[0].rstrip(" ,:;-") or name[:24]


async def icon(request: HttpRequest) -> Response:
    """A home-screen icon: the cover art, drawn at the asked size."""
    _, entry = _shared(request)
    size = int(request.path_params["size"])
    if size not in ICON_SIZES:
        raise HTTPException(404, "Not found")
    cover = entry.cover
    if cover is not None:
        return Response(_cover_icon(str(cover), cover.stat().st_mtime_ns, size),
                        media_type="image/png", headers=KEPT)
    return Response(_icon(entry.title, size), media_type="image/png", headers=KEPT)


@functools.lru_cache(maxsize=16)
def _icon(title: str, size: int) -> bytes:
    return cover_png(title, "", size=size)


@functools.lru_cache(maxsize=16)
def _cover_icon(path: str, changed: int, size: int) -> bytes:
    """The uploaded cover, cut to a square and scaled to `size` (`changed`: its mtime, so an
    edited file is drawn again)."""
    import io

    from PIL import Image, ImageOps

    with Image.open(path) as image:
        square = ImageOps.fit(image.convert("RGB"), (size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    square.save(out, format="PNG")
    return out.getvalue()


async def worker(request: HttpRequest) -> Response:
    """The service worker: keeps this page's files and answers from them when offline."""
    key, entry = _shared(request)
    files = sorted(set(_files(key, entry).values()))
    script = _WORKER.replace("__FILES__", json.dumps(files)).replace(
        "__CACHE__", json.dumps(f"cft-client-{key}"))
    return Response(script, media_type="text/javascript",
                    headers={"Cache-Control": "no-cache"})


_WORKER = """\
"use strict";
// cft-audio client page: keep this page, its recording and captions on the phone.
const CACHE = __CACHE__;
const FILES = __FILES__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin ||
      !FILES.includes(url.pathname) || url.search) {
    return;
  }
  event.respondWith(answer(event.request, url.pathname));
});

async function answer(request, path) {
  const cache = await caches.open(CACHE);
  let kept = await cache.match(path);
  if (!kept) {
    const fresh = await fetch(path);
    if (!fresh.ok || request.headers.has("range")) return fresh;
    await cache.put(path, fresh.clone());
    kept = fresh;
  }
  const range = request.headers.get("range");
  return range ? part(kept, range) : kept;
}

async function part(response, header) {
  // the audio element asks for byte ranges; answer them from the stored file
  const blob = await response.blob();
  const found = /bytes=(\\d*)-(\\d*)/.exec(header) || [];
  let start = found[1] ? Number(found[1]) : 0;
  let end = found[2] ? Number(found[2]) : blob.size - 1;
  if (!found[1] && found[2]) {
    start = Math.max(0, blob.size - Number(found[2]));
    end = blob.size - 1;
  }
  end = Math.min(end, blob.size - 1);
  if (start > end) {
    return new Response(null, {status: 416, headers: {"Content-Range": "bytes */" + blob.size}});
  }
  return new Response(blob.slice(start, end + 1), {status: 206, headers: {
    "Content-Type": response.headers.get("Content-Type") || "application/octet-stream",
    "Content-Range": "bytes " + start + "-" + end + "/" + blob.size,
    "Content-Length": String(end - start + 1), "Accept-Ranges": "bytes"}});
}
"""


def routes() -> list[Route]:
    """The client page's routes (open to anyone with the share key)."""
    return [
        Route("/c/{key}", to_folder),
        Route("/c/{key}/", client_page),
        Route("/c/{key}/sw.js", worker),
        Route("/c/{key}/manifest.webmanifest", manifest),
        Route("/c/{key}/icon-{size:int}.png", icon),
        Route("/c/{key}/{name}", client_file),
    ]
