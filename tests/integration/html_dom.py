#!/usr/bin/env python3
# tests/integration/html_dom.py - reads the DOM that headless Chromium
# dumped (--dump-dom) of a tlsaudit HTML report, for
# tests/integration/report_html.sh.
#
#   html_dom.py check DOM   every element is one tlsaudit writes, every
#                           attribute one of a short list, no event handler,
#                           every link inside the file; prints "ok" or each
#                           problem (exit 1)
#   html_dom.py rows DOM    every table row as one line:
#                           SECTION<TAB>ARTICLE<TAB>cell<TAB>cell...
#                           (the ids of the enclosing section and article)
#   html_dom.py text DOM    the text of the document (what a reader sees)
#   html_dom.py count DOM TAG   how many TAG elements the DOM holds
#
# Python's html.parser is a tokenizer that does not execute or repair
# anything: an element injected through an escaping bug shows up here as
# the element it is.
import sys
from html.parser import HTMLParser

ELEMENTS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "p",
    "nav", "ol", "li", "a", "section", "table", "thead", "tbody", "tr", "th", "td", "span",
    "strong", "em", "code", "br", "ul", "article", "footer",
}
ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "href",
              "colspan"}
VOID = {"meta", "br"}


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.counts = {}
        self.stack = []  # (tag, id) of open section/article
        self.rows = []
        self.row = None
        self.cell = None
        self.text = []
        self.in_style = False

    def where(self, tag):
        for t, i in reversed(self.stack):
            if t == tag:
                return i or ""
        return ""

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag not in ELEMENTS:
            self.problems.append("unexpected element <%s>" % tag)
        for name, value in attrs:
            if name not in ATTRIBUTES:
                self.problems.append("unexpected attribute %s on <%s>" % (name, tag))
            if name.startswith("on"):
                self.problems.append("event handler %s on <%s>" % (name, tag))
            if name == "href" and not (value or "").startswith("#"):
                self.problems.append("link out of the file: %r" % value)
        if tag in ("section", "article"):
            self.stack.append((tag, dict(attrs).get("id")))
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row.append(self.cell)
        elif tag == "style":
            self.in_style = True
        if tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("section", "article"):
            while self.stack:
                t, _ = self.stack.pop()
                if t == tag:
                    break
        elif tag == "tr" and self.row is not None:
            cells = [" ".join("".join(c).split()) for c in self.row]
            self.rows.append([self.where("section"), self.where("article")] + cells)
            self.row = None
            self.cell = None
        elif tag in ("td", "th"):
            self.cell = None
        elif tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            return
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: html_dom.py check|rows|text|count DOM [TAG]")
    with open(sys.argv[2], encoding="utf-8", errors="strict") as f:
        doc = f.read()
    d = Dom()
    d.feed(doc)
    d.close()
    cmd = sys.argv[1]
    if cmd == "check":
        if d.counts.get("style", 0) != 1:
            d.problems.append("%d <style> elements" % d.counts.get("style", 0))
        for p in d.problems:
            print(p)
        if d.problems:
            sys.exit(1)
        print("ok")
    elif cmd == "rows":
        for r in d.rows:
            print("\t".join(r))
    elif cmd == "text":
        print("".join(d.text))
    elif cmd == "count":
        print(d.counts.get(sys.argv[3], 0))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
