"""axe-core, shipped under ``vendor/``, run in the page under test."""

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
# What the pages promise: WCAG 2.2 AA (axe tags the 2.0 and 2.1 criteria separately) and axe's
# best practices, such as landmarks and one main heading.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


# Only the violations come back: the passes and inapplicable rules would be serialised from the
# browser for nothing (and ``resultTypes`` spares axe collecting their nodes).
RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return results.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        help_url: violation.helpUrl,
        nodes: violation.nodes.map((node) => ({target: node.target, html: node.html})),
    }));
}"""


def run_axe(page) -> list[dict]:
    """Runs axe-core on the page as it is now and returns its violations, trimmed for reading."""
    if not page.evaluate("() => typeof axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(RUN_AXE, AXE_TAGS)


def describe_violations(violations: list[dict]) -> str:
    """Each violation's rule, what it asks for, and the elements that break it."""
    lines = []
    for violation in violations:
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['help_url']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"      {target}: {node['html'][:300]}")
    return "\n".join(lines)
