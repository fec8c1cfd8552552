from __future__ import annotations

import pytest

from crosspost.errors import TextTooLong
from crosspost.text import markdown_to_text, shorten, split_thread, weighted_length

LINK = "https://blog.example.com/2026/11/a-rather-long-article-slug-that-is-longer-than-23"


def test_every_url_counts_23_on_x() -> None:
    assert weighted_length(f"Read {LINK}") == len("Read ") + 23
    assert len(f"Read {LINK}") == len("Read ") + len(LINK)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rentrée à l'École", 17),  # accented Latin counts 1
        ("日本語", 6),  # CJK counts 2
        ("🎓🎉", 4),  # emoji count 2
        ("Café ☕", 7),  # ☕ is an emoji
    ],
)
def test_weighted_length(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_shorten_cuts_words_and_keeps_the_link() -> None:
    text = "Une rentrée très chargée pour les étudiants " * 12 + LINK + " #EBS"
    out = shorten(text, limit=280, count=weighted_length, keep=[LINK])
    assert weighted_length(out) <= 280
    assert LINK in out
    assert out.endswith("… " + LINK + " #EBS")
    before = out.split("…")[0]
    assert text.startswith(before)  # a prefix of the original, cut between words
    assert not before.endswith(" ")


def test_shorten_leaves_fitting_text_alone() -> None:
    assert shorten("short " + LINK, limit=280, count=weighted_length) == "short " + LINK


def test_shorten_fails_when_only_the_link_remains() -> None:
    with pytest.raises(TextTooLong):
        shorten("words " + LINK, limit=30, count=len, keep=[LINK])


def test_thread_parts_fit_are_numbered_and_link_first() -> None:
    text = ("Le nouveau laboratoire ouvre ses portes aux étudiants. " * 15) + LINK + " #Robotique"
    parts = split_thread(text, limit=280, count=weighted_length, link=LINK)
    assert len(parts) >= 3
    for i, part in enumerate(parts, 1):
        assert weighted_length(part) <= 280
        assert part.endswith(f" {i}/{len(parts)}")
    assert LINK in parts[0]
    assert all(LINK not in p for p in parts[1:])
    # No word lost or broken: the parts, unnumbered, give back the words.
    words = " ".join(p.rsplit(" ", 1)[0] for p in parts).split()
    assert sorted(words) == sorted(text.split())


def test_thread_with_cjk_and_emoji_respects_weights() -> None:
    text = " ".join(["日本語のテキスト🎉"] * 40)
    parts = split_thread(text, limit=280, count=weighted_length)
    assert len(parts) > 1
    assert all(weighted_length(p) <= 280 for p in parts)


def test_markdown_to_text_keeps_links_as_urls() -> None:
    md = (
        "# Title\n\nA **bold** [lab page](https://ex.com/lab) and <https://ex.com/b>."
        "\n\n- one\n- two"
    )
    assert markdown_to_text(md) == (
        "Title\n\nA bold lab page (https://ex.com/lab) and https://ex.com/b.\n\n- one\n- two"
    )
