"""Draw the application icon: resources/icons/fieldwork.svg and its PNG, ICO and ICNS.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py

The SVG is the source; the bitmaps are rendered from it with QtSvg and packed
with Pillow. The generated files are committed, so a build needs neither step.
The icon is a clipboard with a checklist: an inspector working through a case
prompt by prompt.
"""

from __future__ import annotations

import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"

BLUE = "#1d5b85"
GREEN = "#2f8f5b"
AMBER = "#f0b23a"
GREY = "#9aa8b4"

SVG = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <title>Fieldwork</title>
  <rect x="12" y="12" width="232" height="232" rx="52" fill="{BLUE}"/>
  <rect x="60" y="50" width="136" height="168" rx="16" fill="#ffffff"/>
  <rect x="96" y="34" width="64" height="34" rx="10" fill="{AMBER}"/>
  <rect x="112" y="42" width="32" height="10" rx="5" fill="{BLUE}" opacity="0.35"/>
  <g fill="none" stroke-linecap="round" stroke-linejoin="round" stroke-width="11">
    <path d="M80 102 l10 10 l18 -20" stroke="{GREEN}"/>
    <path d="M80 146 l10 10 l18 -20" stroke="{GREEN}"/>
    <path d="M80 190 l10 10 l18 -20" stroke="{GREEN}"/>
    <path d="M126 104 h50 M126 148 h50 M126 192 h34" stroke="{GREY}"/>
  </g>
</svg>
"""

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def main() -> int:
    from PIL import Image
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "fieldwork.svg").write_text(SVG, encoding="utf-8")
    renderer = QSvgRenderer(QByteArray(SVG.encode("utf-8")))
    if not renderer.isValid():
        raise SystemExit("the icon's SVG does not parse")
    rendered: dict[int, Path] = {}
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = ICONS / f"fieldwork-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        rendered[size] = path
    images = {size: Image.open(path).convert("RGBA") for size, path in rendered.items()}
    # Each ICO size from its own rendering, so small sizes stay crisp.
    largest = images[max(ICO_SIZES)]
    largest.save(
        ICONS / "fieldwork.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    images[1024].save(
        ICONS / "fieldwork.icns",
        append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)],
    )
    del app
    print(f"wrote the icon to {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
