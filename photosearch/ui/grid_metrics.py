"""The photo grid's spacing, in logical pixels (the style module may fold these in later).

No colours and no font sizes here: the cells take colours from the view's QPalette roles and
text sizes from its font metrics, so the application style drives them."""

from __future__ import annotations

THUMB_MIN, THUMB_MAX, THUMB_STEP = 80, 256, 24  # the size slider's range (photo side)

PAD = 3  # inside a cell, around the photo (room for the selection ring)
GAP = 4  # between cells, both ways
MARGIN = 4  # around the whole grid
HEADER_GAP = 8  # above a date header (between the previous section and the next header)
RING = 3  # selection ring width
RADIUS = 6  # corner radius of the hover / selection shapes
HOVER_ALPHA = 70  # hover: the palette's Mid colour at this alpha (subtle)
TINT_ALPHA = 90  # selection: the palette's Highlight colour at this alpha behind the photo
WEAK_OPACITY = 0.45  # weaker matches are dimmed
MARKER_WIDTH = 3  # the bar before the first weaker match
