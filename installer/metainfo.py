#!/usr/bin/env python3
"""The AppStream metainfo of the package, with the screenshots the README shows.

Usage: metainfo.py README.md TEMPLATE.xml.in OUT.xml --homepage URL --screenshots URL
Every docs/screenshots/NAME.png the README shows as an image (markdown ![caption](...) or
<img src=... alt=...>) becomes a <screenshot> at SCREENSHOTS_URL/NAME.png, captioned with its
alternative text, the first one the default. AppStream wants web URLs, so they name where the
repository publishes docs/screenshots/.
"""

import argparse
import re
import sys
from xml.sax.saxutils import escape

MARKDOWN = re.compile(r"!\[([^\]]*)\]\((?:\./)?docs/screenshots/([^)\s]+\.png)\)")
HTML = re.compile(r"<img\s[^>]*>", re.IGNORECASE)


def screenshots(readme):
    found = []
    for match in MARKDOWN.finditer(readme):
        found.append((match.start(), match.group(2), match.group(1)))
    for match in HTML.finditer(readme):
        tag = match.group(0)
        source = re.search(r'src="(?:\./)?docs/screenshots/([^"]+\.png)"', tag)
        alt = re.search(r'alt="([^"]*)"', tag)
        if source:
            found.append((match.start(), source.group(1), alt.group(1) if alt else ""))
    shown = []
    for _, name, caption in sorted(found):
        if name not in [n for n, _ in shown]:
            shown.append((name, caption.strip() or name[:-4].replace("-", " ")))
    return shown


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("readme")
    parser.add_argument("template")
    parser.add_argument("output")
    parser.add_argument("--homepage", required=True)
    parser.add_argument("--screenshots", required=True)
    arguments = parser.parse_args()
    with open(arguments.readme, encoding="utf-8") as readme:
        shown = screenshots(readme.read())
    entries = []
    for index, (name, caption) in enumerate(shown):
        kind = ' type="default"' if index == 0 else ""
        url = arguments.screenshots.rstrip("/") + "/" + name
        entries.append(f"    <screenshot{kind}>\n"
                       f"      <caption>{escape(caption)}</caption>\n"
                       f"      <image>{escape(url)}</image>\n"
                       f"    </screenshot>")
    with open(arguments.template, encoding="utf-8") as template:
        text = template.read()
    text = text.replace("@HOMEPAGE@", escape(arguments.homepage))
    text = text.replace("@SCREENSHOTS@", "\n".join(entries))
    with open(arguments.output, "w", encoding="utf-8") as output:
        output.write(text)
    if not shown:
        print("metainfo: warning: the README shows no docs/screenshots/*.png", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
