"""Every time of day a page shows names its zone (issue 15: "every time shown in WITA with its
zone"): a template that formats hours and minutes (``|date:"… H:i"``) writes WITA after it.
Pages render in the site's zone (TIME_ZONE = Asia/Makassar), so the label is true; a reader in
Jakarta or abroad must not have to guess it."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).parents[1] / "src/lpse"
TIME_OF_DAY = re.compile(r'\{\{[^{}]*\|date:"[^"]*[HhGgi][^"]*"\s*\}\}')
# A range (start–end) names the zone once, after its end.
RANGE_START = re.compile(r"\s*[–-]\s*\{\{")


def test_every_time_of_day_in_a_template_names_its_zone():
    missing = []
    for template in sorted(SRC.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for found in TIME_OF_DAY.finditer(text):
            if not re.search(r"H|G|h|g", found.group(0).split("date:")[1]):
                continue
            after = text[found.end() : found.end() + 40]
            if after.lstrip().startswith("WITA") or RANGE_START.match(after):
                continue
            line = text.count("\n", 0, found.start()) + 1
            missing.append(f"{template.relative_to(SRC)}:{line}: {found.group(0)}")
    assert not missing, "times without their zone (write WITA after them):\n" + "\n".join(missing)
