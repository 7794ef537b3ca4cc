"""Screenshot comparison for the visual baselines, with Pillow's ImageChops."""

from __future__ import annotations

import io

from PIL import Image, ImageChops


def difference(a: bytes, b: bytes, threshold: int = 48) -> float:
    """Share of pixels (0..1) where some channel differs by more than `threshold`; 1.0 when sizes differ.

    The threshold absorbs font hinting and antialiasing; the caller's tolerance absorbs a few
    such pixels more.
    """
    first, second = (Image.open(io.BytesIO(data)).convert("RGBA") for data in (a, b))
    if first.size != second.size:
        return 1.0
    bands = ImageChops.difference(first, second).split()
    strongest = bands[0]
    for band in bands[1:]:
        strongest = ImageChops.lighter(strongest, band)
    differing = strongest.point(lambda v: 255 if v > threshold else 0).histogram()[255]
    return differing / (first.width * first.height)
