from agenda.markdown import render_markdown


def test_render_markdown_keeps_formatting():
    html = render_markdown("Some **bold** and a [link](https://example.org).")

    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_render_markdown_removes_scripts_and_handlers():
    html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(2)"> text')

    assert "<script" not in html
    assert "onerror" not in html
    assert "<img" not in html


def test_render_markdown_refuses_javascript_links():
    html = render_markdown("[click](javascript:alert(1))")

    assert "javascript:" not in html


def test_render_markdown_demotes_top_headings():
    html = render_markdown("# Background\n\ntext")

    assert "<h2>Background</h2>" in html
    assert "<h1" not in html
