"""Threads that read well: where `split_thread` cuts, what it keeps, what it numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crosspost.text import split_thread, weighted_length
from helpers import X_CREDS, run_json, write_config, write_post

X = 280
LINK = "https://blog.example.edu/2026/09/rentree-ebs-alternance"
NUMBER_RE = re.compile(r" (\d+)/(\d+)$")

# Just over one limit, only because of its two trailing hashtags (the X template's shape).
FR_TAGS = (
    "Rentrée 2026 à l'EBS : ce qui change pour l'alternance\n\n"
    "Nouveau calendrier d'alternance, un bureau des entreprises élargi et des ateliers "
    "« carrière » chaque jeudi : tour d'horizon des nouveautés, pour nos étudiants et nos "
    f"partenaires !\n\n{LINK}\n\n\n\n#alternance #recrutement"
)
# Just over two limits: packed word by word, its last part was "de bord. 3/3".
FR_THREE = (
    "Bilan de la rentrée à l'École de commerce\n\n"
    "Cette année, 1 250 étudiants ont rejoint nos programmes, dont 40 % en alternance. "
    "M. Durand, directeur des relations entreprises, a présenté les nouveaux partenariats "
    "signés avec les entreprises de la région : banques, industrie, commerces, etc. "
    "Les ateliers « carrière » ont lieu chaque jeudi ; ils affichent déjà complet ! "
    "Les chargées de relations entreprises accompagnent chacune dans sa recherche "
    "d'entreprises. Les résultats de l'année seront publiés chaque mois dans un tableau de bord."
    f"\n\n{LINK}"
)
# Just over one limit in its prose: two parts, cut between sentences.
FR_TWO = (
    "Journée portes ouvertes samedi 14 mars\n\n"
    "Venez découvrir nos formations en alternance, rencontrer nos enseignants et visiter "
    "le nouveau laboratoire de langues. Les inscriptions sont ouvertes jusqu'au 10 mars ! "
    "Des navettes gratuites partent de la gare toutes les 20 minutes ; le café est offert. "
    "Mme Leroy, responsable des admissions, répondra à vos questions sur les bourses.\n\n"
    f"{LINK}\n\n#PortesOuvertes #alternance"
)
EN_LINK = "https://blog.example.com/2026/11/robotics-lab"
# Just over one limit: an abbreviation, a number with a point and an inline URL.
EN_TWO = (
    "Our new robotics lab opens to students\n\n"
    "Dr. Chen and her team spent 2.5 years building it, e.g. the six collaborative arms "
    "donated by @acme_robotics. Students book sessions at https://lab.example.com/book, "
    "from Monday to Friday. The lab also hosts the regional robotics league in May. "
    "Come and see it!\n\n"
    f"{EN_LINK}\n\n#robotics #engineering #StudentLife"
)
# Just over two limits, with runs of blank lines between its paragraphs.
EN_THREE = (
    "What changes in the engineering programme this year\n\n\n\n"
    "The first year now starts with a two-week project week, in teams of four. "
    "Each team builds a small machine, e.g. a line-following robot, and shows it to the "
    "whole year on the Friday. Mr. Patel, head of the first year, says it is the best way "
    "to meet people early.\n\n\n"
    "The second year gains an optional semester abroad, with 12 partner universities in "
    "Europe and 3 in Canada. Grants cover travel up to €1,500; applications close on "
    "March 1. The third year keeps its industry placement, which now lasts 20 weeks "
    "instead of 16, and ends with a report and a talk.\n\n"
    f"{EN_LINK}\n\n#engineering #StudentLife"
)


def unnumbered(part: str) -> str:
    return NUMBER_RE.sub("", part)


def words_of(parts: list[str], link: str | None) -> list[str]:
    return [w for p in parts for w in unnumbered(p).split() if w != link]


def assert_reads_well(text: str, parts: list[str], *, link: str | None) -> None:
    """What a reader of any thread should be able to count on."""
    for part in parts:
        assert weighted_length(part) <= X, part
        assert "\n\n\n" not in part  # blank-line runs collapse to one
        assert not all(w.startswith("#") for w in unnumbered(part).split()), part
    if len(parts) == 1:
        assert not NUMBER_RE.search(parts[0])
    else:
        assert [NUMBER_RE.search(p).groups() for p in parts] == [  # type: ignore[union-attr]
            (str(i), str(len(parts))) for i in range(1, len(parts) + 1)
        ]
        assert all(weighted_length(p) >= X / 4 for p in parts), [weighted_length(p) for p in parts]
        if link:
            assert link in parts[0] and all(link not in p for p in parts[1:])
    # Every word in order; only trailing hashtags may be left out.
    expected, got = [w for w in text.split() if w != link], words_of(parts, link)
    assert expected[: len(got)] == got
    assert all(w.startswith("#") for w in expected[len(got) :])


def ends_sentence(part: str, link: str) -> bool:
    return re.search(r"[.!?…]$", unnumbered(part).replace(link, "").rstrip()) is not None


def test_hashtags_never_open_a_part_of_their_own() -> None:
    parts = split_thread(FR_TAGS, limit=X, count=weighted_length, link=LINK)
    assert_reads_well(FR_TAGS, parts, link=LINK)
    (part,) = parts  # one part, the last hashtag left out, nothing said about it
    assert part.endswith(f"partenaires !\n\n{LINK}\n\n#alternance")


def test_the_tail_is_never_an_orphan() -> None:
    parts = split_thread(FR_THREE, limit=X, count=weighted_length, link=LINK)
    assert_reads_well(FR_THREE, parts, link=LINK)
    assert len(parts) == 3
    assert all(ends_sentence(p, LINK) for p in parts)
    assert parts[-1].startswith("Les chargées de relations entreprises")
    # "M." is not a full stop and "1 250" is one number.
    assert not any(unnumbered(p).endswith(("M.", " 1")) for p in parts)


@pytest.mark.parametrize(
    ("text", "link", "count"),
    [(FR_TWO, LINK, 2), (EN_TWO, EN_LINK, 2), (EN_THREE, EN_LINK, 3)],
    ids=["fr-two", "en-two", "en-three"],
)
def test_parts_are_whole_sentences(text: str, link: str, count: int) -> None:
    parts = split_thread(text, limit=X, count=weighted_length, link=link)
    assert_reads_well(text, parts, link=link)
    assert len(parts) == count
    assert all(ends_sentence(p, link) for p in parts[:-1])
    abbreviations = ("Dr.", "e.g.", "Mr.", "Mme", "2.", "€1,")
    assert not any(unnumbered(p).endswith(abbreviations) for p in parts)


def test_an_abbreviation_is_not_a_full_stop() -> None:
    # The second sentence alone is too long for a part: the cut falls inside it,
    # and "Dr." is where a splitter that took every full stop would cut.
    text = (
        "The new term for apprentices starts on Monday 7 September in the main lecture hall, "
        "with coffee from half past eight and a short tour of the campus. The morning "
        "programme will be presented by Dr. Martin and then by the head of admissions who "
        "will go through the calendar of the year, the career workshops on Thursdays, the "
        "meetings with partner companies and the way the first semester is assessed, before "
        "a free lunch for all."
    )
    parts = split_thread(text, limit=X, count=weighted_length)
    assert_reads_well(text, parts, link=None)
    assert len(parts) == 2
    assert not unnumbered(parts[0]).endswith("Dr.")


def test_trailing_hashtags_stay_while_they_fit() -> None:
    parts = split_thread(EN_THREE, limit=X, count=weighted_length, link=EN_LINK)
    assert unnumbered(parts[-1]).endswith("a talk.\n\n#engineering #StudentLife")


def test_urls_mentions_and_hashtags_stay_whole() -> None:
    inline = "https://lab.example.com/book"
    parts = split_thread(EN_TWO, limit=X, count=weighted_length, link=EN_LINK)
    assert sum(p.count(inline) for p in parts) == 1
    assert sum(p.count("@acme_robotics.") for p in parts) == 1


def test_blank_line_runs_collapse() -> None:
    parts = split_thread(EN_THREE, limit=X, count=weighted_length, link=EN_LINK)
    assert parts[0].startswith("What changes in the engineering programme this year\n\nThe first")
    fits = split_thread("Short title\n\n\n\nA line.\n\n\n#tag", limit=X, count=weighted_length)
    assert fits == ["Short title\n\nA line.\n\n#tag"]


def test_french_spacing_never_starts_a_part() -> None:
    # Word by word, the first part would end just before the "!".
    for space in (" ", "\u202f"):  # a plain space and the narrow no-break space
        text = (
            "mot " * 68 + f"mot{space}! Qui vient samedi{space}? Les inscriptions ferment "
            f"le 10 mars{space}: réservez votre place dès maintenant."
        )
        parts = split_thread(text, limit=X, count=weighted_length)
        assert_reads_well(text, parts, link=None)
        assert not any(p.startswith(("!", "?", ":", "\u202f")) for p in parts)


def test_a_text_without_sentences_still_fits() -> None:
    text = "mot " * 200
    parts = split_thread(text, limit=X, count=weighted_length)
    assert_reads_well(text, parts, link=None)
    assert len(parts) == 3


def test_a_thread_through_the_dry_run(tmp_path: Path) -> None:
    config = write_config(tmp_path, "  x:\n    network: twitter\n    overflow: thread\n" + X_CREDS)
    post = write_post(
        tmp_path,
        title="Bilan de la rentrée à l'École de commerce",
        summary=FR_THREE.split("\n\n")[1],
        tags=["rentrée", "alternance"],
    )
    (row,) = run_json("-c", config, "publish", "--dry-run", post)
    parts, link = row["parts"], row["link"]
    assert len(parts) == 3
    written = FR_THREE.replace(LINK, f"{link}\n\n#rentrée #alternance")
    assert_reads_well(written, parts, link=link)
    assert all(ends_sentence(p, link) for p in parts[:-1])
    assert parts[-1].endswith("tableau de bord.\n\n#rentrée #alternance 3/3")
