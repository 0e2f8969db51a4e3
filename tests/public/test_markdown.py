from bs4 import BeautifulSoup

from eventsvc.markdown import render_markdown


def test_markdown_renders_emphasis_lists_and_links():
    html = render_markdown(
        "**Five** strategies:\n\n- evidence\n- data\n\n[UNESCO](https://www.unesco.org)"
    )
    assert "<strong>Five</strong>" in html
    assert "<li>evidence</li>" in html
    assert 'href="https://www.unesco.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_markdown_never_lets_a_script_or_handler_through():
    source = (
        "<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n"
        '<a href="https://x.org" onclick="alert(4)">x</a>'
    )
    soup = BeautifulSoup(render_markdown(source), "html.parser")
    assert soup.find_all(["script", "img", "style", "iframe"]) == []
    for element in soup.find_all(True):
        assert not [name for name in element.attrs if name.startswith("on")]
    assert not [a for a in soup.find_all("a") if "javascript" in a.get("href", "")]


def test_markdown_headings_sit_below_the_page_headings():
    html = render_markdown("# Aims\n\n## Strategies")
    assert "<h3>Aims</h3>" in html
    assert "<h4>Strategies</h4>" in html
    assert "<h1>" not in html and "<h2>" not in html


def test_markdown_of_nothing_is_empty():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_a_description_starting_at_level_two_gets_h3_not_h4():
    """Organisers often start at "##": the page's h2 must be followed by h3 (axe heading-order)."""
    html = render_markdown("## Programme\n\nText\n\n#### Speakers\n\n## Partners")
    assert "<h3>Programme</h3>" in html
    assert "<h4>Speakers</h4>" in html
    assert "<h3>Partners</h3>" in html
