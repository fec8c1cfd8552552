from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from crosspost.errors import PostError
from crosspost.post import load_post
from helpers import EXAMPLES, write


def test_yaml_front_matter(tmp_path: Path) -> None:
    path = write(
        tmp_path / "p.md",
        """
        ---
        title: Robotics lab
        url: https://blog.example.com/robotics
        tags: [robotics, student life]
        audience: [ginger]
        publish_at: 2026-12-01T09:00:00+01:00
        speaker: Dr. Haddad
        channels:
          ebs-twitter: false
          ginger-facebook: {text: "Custom {{ url }}"}
        ---
        Body with a [link](https://ex.com).
        """,
    )
    post = load_post(path)
    assert post.title == "Robotics lab"
    assert post.tags == ("robotics", "student life")
    assert post.audience == ("ginger",)
    assert post.publish_at == datetime.fromisoformat("2026-12-01T09:00:00+01:00")
    assert post.extra == {"speaker": "Dr. Haddad"}
    assert post.overrides["ebs-twitter"].skip
    assert post.overrides["ginger-facebook"].text == "Custom {{ url }}"
    variables = post.template_vars()
    assert variables["speaker"] == "Dr. Haddad"
    assert variables["text"] == "Body with a link (https://ex.com)."
    assert variables["body"] == "Body with a [link](https://ex.com)."


def test_toml_front_matter_with_accents() -> None:
    post = load_post(EXAMPLES / "rentree-ebs.md")
    assert post.title.startswith("Rentrée 2026 à l'École de commerce")
    assert post.lang == "fr"
    assert post.tags == ("alternance", "école de commerce", "rentrée")
    assert "{{ url }}" in (post.overrides["ebs-facebook"].text or "")


def test_key_is_url_else_path(tmp_path: Path) -> None:
    with_url = write(tmp_path / "a.md", "---\ntitle: A\nurl: https://b.example/x\n---\n")
    without = write(tmp_path / "b.md", "---\ntitle: B\n---\n")
    assert load_post(with_url).key == "https://b.example/x"
    assert load_post(without).key == str(without.resolve())


def test_content_hash_changes_with_the_text(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\ntitle: A\n---\none")
    first = load_post(path).content_hash
    path.write_text("---\ntitle: A\n---\ntwo", encoding="utf-8")
    assert load_post(path).content_hash != first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "---\ntitle: A\nurl: [unclosed\n---\n",
            r"p\.md:\d: front matter is not valid YAML: .*started on line 3",
        ),
        ('+++\ntitle = "A"\nurl = \n+++\n', r"p\.md:3: front matter is not valid TOML"),
        ("just text, no front matter\n", r"p\.md:1: no front matter"),
        ("---\ntitle: A\n", r"never closed"),
        ("---\nurl: https://a.example/x\n---\n", r"no `title:`"),
        ("---\ntitle: A\nurl: not a url\n---\n", r"not an http\(s\) address"),
        ("---\ntitle: A\npublish_at: next tuesday\n---\n", r"publish_at: next tuesday"),
        ("---\ntitle: A\ntags: {a: 1}\n---\n", r"`tags` must be a list"),
        ("---\ntitle: A\nchannels: {x: 3}\n---\n", r"channels\.x: write `false`"),
    ],
)
def test_bad_posts_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PostError, match=message):
        load_post(path)


def test_missing_post_file(tmp_path: Path) -> None:
    with pytest.raises(PostError, match="no such post file"):
        load_post(tmp_path / "nope.md")
