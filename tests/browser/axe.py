"""axe-core, shipped under ``vendor/``, run in the page under test."""

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
# What the pages promise: WCAG 2.2 AA (axe tags the 2.0 and 2.1 criteria separately) and axe's
# best practices, such as landmarks and one main heading.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]



def run_axe(page) -> list[dict]:
    """Runs axe-core on the page as it is now and returns its violations, trimmed for reading."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [
                {"target": node["target"], "html": node["html"]} for node in violation["nodes"]
            ],
        }
        for violation in result["violations"]
    ]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"      {target}: {node['html'][:300]}")
    return "\n".join(lines)


