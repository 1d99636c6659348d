"""Reading a built site back: its pages, links and ids, parsed from the HTML itself."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src", "cite"):
            if attrs.get(name):
                self.links.append((tag, attrs[name]))


class Site:
    """Every page of a built site with its ids and outgoing links."""

    def __init__(self, root: Path):
        self.root = root
        self.pages: dict[str, _Collector] = {}
        for path in sorted(root.rglob("*")):
            if path.suffix in (".html", ".svg") and path.is_file():
                c = _Collector()
                c.feed(path.read_text(encoding="utf-8"))
                self.pages[path.relative_to(root).as_posix()] = c

    def internal_links(self, page: str):
        """(target page, fragment) of every link of ``page`` that stays in the site."""
        base = Path(page).parent
        for tag, url in self.pages[page].links:
            if urlsplit(url).scheme or url.startswith("//"):
                continue
            target, fragment = urldefrag(url)
            if target:
                resolved = (base / unquote(target)).as_posix()
                parts = []
                for part in resolved.split("/"):
                    if part == "..":
                        parts.pop() if parts else parts.append("..")
                    elif part not in ("", "."):
                        parts.append(part)
                target = "/".join(parts)
            else:
                target = page
            yield tag, url, target, fragment

    def external_links(self, page: str):
        for tag, url in self.pages[page].links:
            if urlsplit(url).scheme or url.startswith("//"):
                yield tag, url

    def within(self, start: str, clicks: int) -> set[tuple[str, str]]:
        """Every (page, fragment) reachable from ``start`` in at most ``clicks`` clicks."""
        seen = {(start, "")}
        frontier = {start}
        for _ in range(clicks):
            nxt = set()
            for page in frontier:
                if page not in self.pages or not page.endswith(".html"):
                    continue
                for _, _, target, fragment in self.internal_links(page):
                    if (target, fragment) not in seen:
                        seen.add((target, fragment))
                        nxt.add(target)
            frontier = nxt
        return seen
