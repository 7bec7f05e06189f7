"""The parser helper reads pages as a browser would: text by selector, never inside scripts or attributes."""

from tests.factories import page

HTML = """<!doctype html><html><head><title>T</title><script>var x = "Fine-tuning";</script></head>
<body><main id="content"><h1 class="verdict big">Prompt <em>engineering</em></h1>
<p class="note">One<br>two</p><input name="a" value="1"><a href="/x" data-kind="view">Fine-tuning link</a>
<section><p class="note">Inside</p></section></main><p class="note">Outside</p></body></html>"""


def test_select_one_reads_text_by_id_class_and_tag():
    doc = page(HTML)
    assert doc.select_one("h1.verdict").text == "Prompt engineering"
    assert doc.select_one("#content h1").text == "Prompt engineering"
    assert doc.select_one("input[name=a]").get("value") == "1"
    assert doc.select_one("a[data-kind=view]").get("href") == "/x"
    assert doc.select_one("h2") is None


def test_descendant_selectors_keep_to_their_ancestor():
    doc = page(HTML)
    assert [p.text for p in doc.select("section p.note")] == ["Inside"]
    assert [p.text for p in doc.select("main .note")] == ["One two", "Inside"]
    assert len(doc.select("p.note")) == 3


def test_text_leaves_scripts_out():
    assert "var x" not in page(HTML).select_one("html").text
