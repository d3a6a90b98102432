"""Estimates read as a person says them: seconds, then minutes, then hours."""

import pytest

from photosearch.core.durations import rough_span


@pytest.mark.parametrize("seconds, said", [
    (0, "0 s"), (12.4, "12 s"), (89, "89 s"), (90, "2 min"), (5399, "90 min"),
    (5400, "1.5 h"), (9000, "2.5 h")])
def test_rough_span(seconds, said):
    assert rough_span(seconds) == said
