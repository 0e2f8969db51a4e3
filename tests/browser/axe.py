"""axe-core (installed by `npm ci` from package.json) run inside a Playwright page.

The source is handed to ``page.evaluate``, which the page's Content-Security-Policy does not
govern, so the site's strict ``script-src 'self'`` stays on while it is checked.
"""

import json
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE: str | None = AXE_PATH.read_text(encoding="utf-8") if AXE_PATH.exists() else None

#: The impacts that fail a check; "minor" and "moderate" are reported by axe but tolerated.
BLOCKING_IMPACTS = ("serious", "critical")
#: WCAG 2.0/2.1/2.2 A and AA, plus axe's best practices.
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


class Axe:
    def __init__(self, source: str):
        self.source = source

    def violations(self, page) -> list[dict]:
        """Every violation axe finds in the page as it is now."""
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.source)
        results = page.evaluate("options => window.axe.run(document, options)", RUN_OPTIONS)
        return results["violations"]

    def blocking_violations(self, page) -> list[dict]:
        return [v for v in self.violations(page) if v["impact"] in BLOCKING_IMPACTS]

    def assert_no_blocking_violations(self, page, label: str) -> None:
        found = self.blocking_violations(page)
        assert not found, f"axe: {len(found)} serious/critical on {label} ({page.url}):\n" + (
            describe(found)
        )


def describe(violations: list[dict]) -> str:
    """A readable list: rule, impact, help, and the offending elements with axe's summary."""
    lines = []
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
