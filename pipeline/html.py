"""HTML -> report text: visible text only, table rows as ` | `-joined cells (the seeds' flattening).

Built on the standard library's streaming parser: no recursion, so deeply nested or
broken markup costs time linear in its size and never a stack overflow.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "title",
    "nav",
    "select",
    "option",
    "button",
    "iframe",
    "svg",
}
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "header", "footer", "table", "blockquote", "pre", "dt", "dd", "hr", "form", "center", "caption",
}  # fmt: skip
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source", "embed", "param"}
_CHROME_CLASS = re.compile(
    r"\b(?:nav|navbar|menu|breadcrumb|crumb|footer|header|share|toolbar|sidebar)\b", re.I
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_WS = re.compile(r"[ \t\r\n\f\u00a0\u3000]+")


def sniff_html_charset(head: bytes) -> str | None:
    """The charset a page declares in its <meta> (a hint only: declarations can lie)."""
    match = _CHARSET.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


class _TextRenderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.buf: list[str] = []  # text of the current line or cell
        self.row: list[str] | None = None  # cells of the current <tr>
        self.skip_depth = 0
        self.skip_stack: list[str] = []

    # Elements to skip are tracked by name so stray end tags cannot unbalance the count.
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_stack:
            if tag == self.skip_stack[-1] and tag not in _VOID:
                self.skip_stack.append(tag)
            return
        attr = dict(attrs)
        if tag in _SKIP or (
            tag in {"div", "ul", "header", "footer"}
            and _CHROME_CLASS.search(f"{attr.get('class') or ''} {attr.get('id') or ''}")
        ):
            if tag not in _VOID:
                self.skip_stack.append(tag)
            return
        if tag == "tr":
            self._flush_line()
            self.row = []
        elif tag in {"td", "th"}:
            if self.row is None:
                self.row = []
            pending = self._text()
            if pending:
                self.row.append(pending)
        elif tag in _BLOCK:
            if self.row is not None:
                self.buf.append(" ")
            else:
                self._flush_line()

    def handle_endtag(self, tag: str) -> None:
        if self.skip_stack:
            if tag == self.skip_stack[-1]:
                self.skip_stack.pop()
            return
        if tag in {"td", "th"}:
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            self._flush_line()
        elif tag in _BLOCK and self.row is None:
            self._flush_line()

    def handle_data(self, data: str) -> None:
        if not self.skip_stack:
            self.buf.append(data)

    def _text(self) -> str:
        text = _WS.sub(" ", "".join(self.buf)).strip()
        self.buf.clear()
        return text

    def _end_cell(self) -> None:
        if self.row is None:
            self.row = []
        self.row.append(self._text())

    def _end_row(self) -> None:
        if self.row is None:
            return
        pending = self._text()
        if pending:
            self.row.append(pending)
        cells = self.row
        self.row = None
        while cells and not cells[0]:
            cells.pop(0)
        if any(cells):
            self.lines.append(" | ".join(cells) + " |")

    def _flush_line(self) -> None:
        text = self._text()
        if text:
            self.lines.append(text)

    def render(self) -> str:
        self._end_row()
        self._flush_line()
        return "\n".join(self.lines)


def html_to_text(html: str) -> str:
    parser = _TextRenderer()
    parser.feed(html)
    parser.close()
    return parser.render()
