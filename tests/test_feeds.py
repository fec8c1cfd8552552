"""feed pull / feed list / note: real feeds from fixture files and over local HTTP."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crosspost.config import Feed, load_config
from crosspost.errors import ConfigError
from crosspost.feeds import (
    FeedUnavailable,
    escape_markdown,
    feed_location,
    fetch_feed,
    html_to_text,
    parse_feed,
)
from crosspost.text import markdown_to_text
from helpers import X_CREDS, X_ENV, run

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
LAST_MODIFIED = "Tue, 03 Nov 2026 08:12:44 GMT"


# -- a feed host on loopback ----------------------------------------------------------


class FeedServer:
    """Serves feed documents with ETag and Last-Modified, answering 304 when they match."""

    def __init__(self) -> None:
        self.routes: dict[str, dict[str, Any]] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.log.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if route.get("delay"):
                    time.sleep(route["delay"])
                body: bytes = route["body"]
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                fresh = self.headers.get("If-None-Match") == etag or (
                    route.get("last_modified_only")
                    and self.headers.get("If-Modified-Since") == LAST_MODIFIED
                )
                if fresh:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.get("status", 200))
                self.send_header("Content-Type", route["content_type"])
                self.send_header("Content-Length", str(len(body)))
                if not route.get("last_modified_only"):
                    self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def serve(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = "application/rss+xml; charset=UTF-8",
        **options: Any,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = {"body": data, "content_type": content_type, **options}
        return self.base + path

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.log if p == path]

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def x_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in X_ENV.items():
        monkeypatch.setenv(key, value)


def write_setup(tmp: Path, feeds_yaml: str) -> Path:
    """channels.yaml with an X channel and a by-hand Xing channel, plus `feeds:`."""
    path = tmp / "channels.yaml"
    path.write_text(
        "defaults:\n  timezone: Europe/Paris\n  timeout: 2\n"
        "channels:\n  x:\n    network: twitter\n"
        + X_CREDS
        + "  xing:\n    network: manual\n    site: Xing\n"
        + "feeds:\n"
        + feeds_yaml,
        encoding="utf-8",
    )
    return path


def item(
    n: int, *, title: str | None = None, guid: str | None = None, link: str | None = None
) -> str:
    link = link or f"https://blog.example.com/2026/11/article-{n}/"
    return (
        f"<item><title>{title or f'Article {n}'}</title><link>{link}</link>"
        f'<guid isPermaLink="false">{guid or f"https://blog.example.com/?p={n}"}</guid>'
        f"<pubDate>Mon, 0{n % 9 + 1} Nov 2026 09:00:00 +0000</pubDate>"
        f"<description>Summary of article {n}.</description></item>"
    )


def rss(*items: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Blog</title><link>https://blog.example.com/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    )


def pull(config: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = run("-c", config, "feed", "pull", "--json", *args)
    return result.exit_code, json.loads(result.stdout or "[]"), result.stderr


def parse_fixture(name: str, **feed_fields: Any) -> list[Any]:
    feed = Feed(name="t", url=str(FIXTURES / name), **feed_fields)
    answer = fetch_feed(feed, location=feed_location(feed, FIXTURES))
    return list(parse_feed(feed, answer).items)


# -- each real-world format, from fixture files ---------------------------------------


def test_wordpress_rss2() -> None:
    first, second = parse_fixture("wordpress-rss2.xml")
    post = first.post
    assert post.title == "Le nouveau laboratoire de robotique ouvre ses portes"
    # The guid is WordPress's ?p= id; the link loses the utm_* WordPress added, so
    # each channel's own UTM tags count its clicks.
    assert first.key == "https://news.ginger.example/?p=4812"
    assert post.url == post.key == "https://news.ginger.example/2026/11/03/laboratoire-robotique/"
    assert post.lang == "fr"
    assert post.tags == ("Recherche", "robotique", "vie étudiante")
    assert post.image == "https://news.ginger.example/wp-content/uploads/2026/11/labo-1024x576.jpg"
    assert post.image_alt == "Un cobot dans le nouveau laboratoire"
    assert post.image_path is None  # a URL: nothing to upload, the link card shows it
    # HTML out, entities decoded, Yoast's footer dropped, "… […]" made one ellipsis.
    assert post.summary == (
        "Les étudiants de deuxième année testent dès lundi les cobots & la salle de capture "
        "de mouvement.\n\nVisite guidée le 12 novembre…"
    )
    assert "alert" not in post.body and "<" not in post.body
    assert markdown_to_text(post.body).endswith("Visite guidée le 12 novembre. Inscrivez-vous.")
    assert post.extra["published"] == datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
    assert post.path == Path("feeds/t/laboratoire-robotique.md")
    # WordPress's default category is not a hashtag; an image enclosure is the image.
    assert second.post.tags == ("Événements",)
    assert second.post.image == "https://news.ginger.example/wp-content/uploads/2026/10/jpo.png"


def test_blogger_atom() -> None:
    first, second = parse_fixture("blogger-atom.xml", lang="en")
    post = first.post
    # Five <link>s per entry: the alternate one is the article.
    assert post.url == "https://ebs-school.blogspot.com/2026/11/alumni-career-day.html"
    assert first.key.startswith("tag:blogger.com,1999:blog-")
    assert post.tags == ("alumni", "career day")
    assert post.image == "https://blogger.googleusercontent.com/img/b/R29vZ2xl/s72-c/career-day.jpg"
    assert post.summary.startswith("Forty companies, three round tables and a CV clinic")
    assert post.body == ""  # Atom content only: not repeated as a body under the summary
    assert post.extra["published"] == datetime(2026, 11, 5, 8, 30, tzinfo=UTC)  # +01:00
    assert post.lang == "en"  # the feed says nothing: the feed's `lang:` setting
    assert second.post.image is None


def test_jekyll_atom_with_relative_links() -> None:
    (entry,) = parse_fixture("jekyll-atom.xml", base_url="https://labs.ginger.example/")
    post = entry.post
    assert post.url == "https://labs.ginger.example/2026/11/02/motion-capture-toolkit.html"
    assert post.title == "Open-sourcing our <motion> capture toolkit"  # type="html" title
    assert post.image == "https://labs.ginger.example/assets/img/mocap.png"
    assert post.image_alt == "The capture room"
    assert post.lang == "en"  # xml:lang
    assert post.tags == ("open-source", "research")


def test_relative_link_without_a_base_is_skipped_not_guessed() -> None:
    (entry,) = parse_fixture("jekyll-atom.xml")
    assert entry.post is None
    assert "relative" in entry.problem and "base_url" in entry.problem


def test_hugo_rss_missing_date_and_media() -> None:
    first, second = parse_fixture("hugo-rss.xml")
    assert first.post.extra["published"] is None
    assert first.published is None
    assert first.post.image == "https://alumni.ginger.example/posts/class-of-2026/cover.webp"
    assert first.post.summary == (
        "Ninety-two engineers graduated on Saturday. Here are their final projects."
    )
    # media:content is a video here: the thumbnail is the image.
    assert second.post.image == "https://alumni.ginger.example/posts/mentoring/thumb.jpg"
    assert second.post.lang == "en"  # <language>en-gb</language>


@pytest.mark.parametrize(
    ("name", "title", "summary"),
    [
        (
            "latin1-rss.xml",
            "Rentrée : l'année commence à Strasbourg",
            "Accueil des étudiants étrangers, visite de la cathédrale et dîner à l'école.",
        ),
        (
            "cp1252-rss.xml",
            "“Best small business school” – again",
            "For the third year, EBS tops the ranking…",
        ),
    ],
)
def test_non_utf8_encodings(name: str, title: str, summary: str) -> None:
    (entry,) = parse_fixture(name)
    assert entry.post.title == title
    assert entry.post.summary == summary


def test_duplicate_guids_fall_back_to_links() -> None:
    items = parse_fixture("duplicate-guids.xml")
    assert [i.key for i in items] == [
        "https://broken.example/first",
        "https://broken.example/second",
        "https://broken.example/second",  # the same article twice
        "no-link-1",
    ]
    assert items[-1].post is None and items[-1].problem == "has no link"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-a-feed.html", "is an HTML page, not an RSS or Atom feed (mismatched tag at line 5)"),
        ("malformed.xml", "is not a readable feed: no element found at line 5"),
    ],
)
def test_not_a_feed_says_why(name: str, message: str) -> None:
    with pytest.raises(FeedUnavailable, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_fixture(name)


def test_html_to_text_and_markdown_round_trip() -> None:
    text = html_to_text(
        "<h2>Title</h2><p>A&nbsp;line<br>next &amp; <em>more</em></p>"
        "<ul><li>one</li><li>two</li></ul><style>p{}</style><pre>  keep\n  this</pre>"
    )
    # <pre> keeps its lines (not its indentation: a social post has no use for it).
    assert text == "Title\n\nA line\nnext & more\n\n- one\n- two\n\nkeep\nthis"
    tricky = "1. Not a list *nor emphasis* [or a link](x) <b> # nor a heading\n- dash _under_"
    assert markdown_to_text(escape_markdown(tricky)) == tricky.replace("\n", " ")


# -- pulling over HTTP ------------------------------------------------------------------------


def test_first_pull_remembers_then_conditional_get_then_new_entry_published(
    tmp_path: Path, feeds: FeedServer, sandbox: Any
) -> None:
    url = feeds.serve("/feed/", rss(item(1), item(2)))
    config = write_setup(tmp_path, f"  - name: blog\n    url: {url}\n    action: publish\n")

    code, out, err = pull(config, "--sandbox", sandbox.url)
    assert code == 0
    assert out[0]["first_pull"] and {e["action"] for e in out[0]["entries"]} == {"populated"}
    assert "first pull" in err and sandbox.posts("twitter") == []  # the backlog stays put

    code, out, err = pull(config, "--sandbox", sandbox.url)
    assert code == 0 and out[0]["status"] == "not-modified"
    assert "not modified" in err
    first, second = feeds.requests_to("/feed/")
    assert "if-none-match" not in first
    assert second["if-none-match"].startswith('"')
    assert second["if-modified-since"] == LAST_MODIFIED
    assert second["user-agent"].startswith("crosspost/0.1.0 (+http")
    quiet = run("-c", config, "feed", "pull", "--quiet")  # what cron runs every few minutes
    assert quiet.exit_code == 0 and quiet.stdout == quiet.stderr == ""

    feeds.serve("/feed/", rss(item(3), item(2), item(1)))
    code, out, _ = pull(config, "--sandbox", sandbox.url)
    assert code == 0
    (entry,) = out[0]["entries"]
    assert entry["action"] == "published" and entry["title"] == "Article 3"
    assert {d["channel"]: d["state"] for d in out[0]["deliveries"]} == {
        "x": "sent",
        "xing": "manual",
    }
    (tweet,) = sandbox.posts("twitter")
    assert "Article 3" in tweet["text"]

    listed = json.loads(run("-c", config, "feed", "list", "--json").stdout)
    assert listed[0]["status"] == "ok" and listed[0]["seen"] == 3 and listed[0]["taken"] == 1
    status = json.loads(run("-c", config, "status", "--json").stdout)
    assert {d["title"] for d in status} == {"Article 3"}
    assert {d["post_key"] for d in status} == {"https://blog.example.com/2026/11/article-3/"}


def test_last_modified_alone_is_used_for_conditional_get(tmp_path: Path, feeds: FeedServer) -> None:
    url = feeds.serve("/index.xml", rss(item(1)), last_modified_only=True)
    config = write_setup(tmp_path, f"  - name: blog\n    url: {url}\n")
    assert pull(config)[0] == 0
    code, out, _ = pull(config)
    assert code == 0 and out[0]["status"] == "not-modified"
    assert feeds.requests_to("/index.xml")[1]["if-modified-since"] == LAST_MODIFIED


def test_no_entry_is_taken_twice_after_reorder_or_edit(
    tmp_path: Path, feeds: FeedServer, sandbox: Any
) -> None:
    url = feeds.serve("/feed/", rss(item(1), item(2)))
    config = write_setup(
        tmp_path, f"  - name: blog\n    url: {url}\n    action: publish\n    channels: [x]\n"
    )
    assert pull(config, "--sandbox", sandbox.url)[0] == 0  # populates 1 and 2
    feeds.serve("/feed/", rss(item(3), item(2), item(1)))
    assert pull(config, "--sandbox", sandbox.url)[0] == 0  # publishes 3
    assert len(sandbox.posts("twitter")) == 1
    # Reordered, retitled, re-dated; 3's slug edited (same guid); 2's guid changed (same
    # link); a plugin re-adds utm_ to 1's link: all the same articles.
    feeds.serve(
        "/feed/",
        rss(
            item(
                1,
                title="Article 1 (updated)",
                link="https://blog.example.com/2026/11/article-1/?utm_source=rss",
            ),
            item(3, title="Article 3, edited", link="https://blog.example.com/2026/11/art-3/"),
            item(2, guid="urn:uuid:2"),
        ),
    )
    code, out, _ = pull(config, "--sandbox", sandbox.url)
    assert code == 0 and out[0]["entries"] == []
    assert len(sandbox.posts("twitter")) == 1


def test_populate_marks_everything_seen_without_posting(
    tmp_path: Path, feeds: FeedServer, sandbox: Any
) -> None:
    url = feeds.serve("/feed/", rss(item(1)))
    config = write_setup(tmp_path, f"  - name: blog\n    url: {url}\n    action: publish\n")
    assert pull(config)[0] == 0
    feeds.serve("/feed/", rss(item(2), item(3), item(1)))
    code, out, err = pull(config, "--populate", "--sandbox", sandbox.url)
    assert code == 0 and [e["action"] for e in out[0]["entries"]] == ["populated"] * 2
    assert "2 entries remembered, none posted" in err
    code, out, _ = pull(config, "--sandbox", sandbox.url)
    assert code == 0 and out[0]["entries"] == [] and sandbox.posts("twitter") == []


def test_an_article_already_posted_from_a_file_is_not_taken(
    tmp_path: Path, feeds: FeedServer, sandbox: Any
) -> None:
    from helpers import write_post

    url = feeds.serve("/feed/", rss(item(1)))
    config = write_setup(tmp_path, f"  - name: blog\n    url: {url}\n    action: publish\n")
    assert pull(config)[0] == 0
    post = write_post(tmp_path, title="By hand", url="https://blog.example.com/2026/11/article-2/")
    result = run("-c", config, "publish", "--sandbox", sandbox.url, "-C", "x", post)
    assert result.exit_code == 0, result.stderr
    feeds.serve("/feed/", rss(item(2), item(1)))
    code, out, _ = pull(config, "--sandbox", sandbox.url)
    assert code == 0
    assert [e["action"] for e in out[0]["entries"]] == ["known"]
    assert len(sandbox.posts("twitter")) == 1  # the same URL is the same post


def test_review_lists_then_entry_is_published_on_request(
    tmp_path: Path, feeds: FeedServer, sandbox: Any
) -> None:
    url = feeds.serve("/feed/", rss(item(1)))
    config = write_setup(tmp_path, f"  - name: blog\n    url: {url}\n    channels: [x]\n")
    assert pull(config)[0] == 0
    feeds.serve("/feed/", rss(item(2), item(1)))
    code, out, _ = pull(config, "--sandbox", sandbox.url)
    assert code == 0 and [e["action"] for e in out[0]["entries"]] == ["review"]
    assert sandbox.posts("twitter") == []
    # Listed once; a later pull does not list it again, `feed list` keeps it pending.
    assert pull(config)[1][0]["entries"] == []
    listed = run("-c", config, "feed", "list")
    assert "Article 2" in listed.stdout and "waiting for review" in listed.stdout

    link = "https://blog.example.com/2026/11/article-2/"
    code, out, _ = pull(
        config, "blog", "--entry", link, "--action", "publish", "--sandbox", sandbox.url
    )
    assert code == 0 and [e["action"] for e in out[0]["entries"]] == ["published"]
    assert len(sandbox.posts("twitter")) == 1
    assert json.loads(run("-c", config, "feed", "list", "--json").stdout)[0]["pending"] == []
    # Offered again by name: the ledger still sends each channel at most once.
    code, out, _ = pull(
        config, "blog", "--entry", link, "--action", "publish", "--sandbox", sandbox.url
    )
    assert code == 0 and len(sandbox.posts("twitter")) == 1

    # Named again on this review feed without --action: still published, not listed again.
    code, out, _ = pull(config, "blog", "--entry", link)
    assert code == 0 and [e["action"] for e in out[0]["entries"]] == ["published"]
    assert json.loads(run("-c", config, "feed", "list", "--json").stdout)[0]["taken"] == 1

    result = run("-c", config, "feed", "pull", "blog", "--entry", "https://nope.example/")
    assert result.exit_code == 2 and "has no entry" in result.stderr


def test_a_first_pull_of_one_entry_still_remembers_the_backlog(
    tmp_path: Path, feeds: FeedServer, sandbox: Any
) -> None:
    url = feeds.serve("/feed/", rss(item(1), item(2), item(3)))
    config = write_setup(
        tmp_path, f"  - name: blog\n    url: {url}\n    action: publish\n    channels: [x]\n"
    )
    link = "https://blog.example.com/2026/11/article-2/"
    code, out, _ = pull(config, "blog", "--entry", link, "--sandbox", sandbox.url)
    assert code == 0 and [e["title"] for e in out[0]["entries"]] == ["Article 2"]
    code, out, _ = pull(config, "--sandbox", sandbox.url)
    assert code == 0 and out[0]["entries"] == []
    assert len(sandbox.posts("twitter")) == 1


def test_bad_feeds_give_one_line_each_and_do_not_stop_the_others(
    tmp_path: Path, feeds: FeedServer
) -> None:
    html = feeds.serve(
        "/", (FIXTURES / "not-a-feed.html").read_bytes(), content_type="text/html; charset=utf-8"
    )
    broken = feeds.serve("/broken.xml", (FIXTURES / "malformed.xml").read_bytes())
    down = feeds.serve("/down.xml", "oops", status=500, content_type="text/plain")
    slow = feeds.serve("/slow.xml", rss(item(1)), delay=1.5)
    good = feeds.serve("/good.xml", rss(item(1)))
    config = write_setup(
        tmp_path,
        f"  - name: html\n    url: {html}\n"
        f"  - name: broken\n    url: {broken}\n"
        f"  - name: down\n    url: {down}\n"
        "  - name: gone\n    url: http://127.0.0.1:9/feed.xml\n"
        f"  - name: slow\n    url: {slow}\n    timeout: 0.5\n"
        "  - name: file\n    url: missing/feed.xml\n"
        f"  - name: good\n    url: {good}\n",
    )
    code, out, err = pull(config)
    assert code == 1
    status = {f["feed"]: f["status"] for f in out}
    assert status == {
        "html": "error",
        "broken": "error",
        "down": "error",
        "gone": "error",
        "slow": "error",
        "file": "error",
        "good": "ok",
    }
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 6
    assert any(
        "is an HTML page, not an RSS or Atom feed" in x and f"url: {feeds.base}/feed/" in x
        for x in lines
    )
    assert any("no element found at line 5" in x for x in lines)
    assert any("answered HTTP 500" in x for x in lines)
    assert any("cannot reach http://127.0.0.1:9/feed.xml" in x for x in lines)
    assert any("did not answer within 0.5 s" in x for x in lines)
    assert any("no such feed file" in x for x in lines)
    listed = json.loads(run("-c", config, "feed", "list", "--json").stdout)
    assert "HTTP 500" in next(f for f in listed if f["feed"] == "down")["error"]


def test_failed_pull_is_never_a_first_pull_that_skips_the_backlog_later(
    tmp_path: Path, feeds: FeedServer
) -> None:
    feeds.serve("/feed/", "oops", status=503, content_type="text/plain")
    config = write_setup(tmp_path, f"  - name: blog\n    url: {feeds.base}/feed/\n")
    assert pull(config)[0] == 1
    feeds.serve("/feed/", rss(item(1)))
    code, out, _ = pull(config)
    assert code == 0 and out[0]["first_pull"]  # the backlog is still only remembered


def test_validators_are_kept_back_when_acting_fails(
    tmp_path: Path, feeds: FeedServer, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = feeds.serve("/feed/", rss(item(1)))
    config = write_setup(tmp_path, f"  - name: blog\n    url: {url}\n    action: publish\n")
    assert pull(config)[0] == 0
    feeds.serve("/feed/", rss(item(2), item(1)))
    monkeypatch.delenv("X_KEY")
    code, out, err = pull(config)  # no --sandbox: the missing credential is an error
    assert code == 2 and "X_KEY" in out[0]["error"] and "X_KEY" in err
    monkeypatch.setenv("X_KEY", "ck-test")
    code, out, _ = pull(config, "--sandbox", sandbox.url)
    # Had the ETag of the failed pull been stored, this would be a 304 and article 2 lost.
    assert code == 0 and [e["action"] for e in out[0]["entries"]] == ["published"]


def test_entry_without_link_is_skipped_with_one_warning(tmp_path: Path, feeds: FeedServer) -> None:
    body = (FIXTURES / "duplicate-guids.xml").read_bytes()
    url = feeds.serve("/feed/", body)
    config = write_setup(tmp_path, f"  - name: blog\n    url: {url}\n")
    code, out, err = pull(config)
    assert code == 0
    assert "entry 'An entry without a link' has no link: skipped" in err
    assert sorted(e["action"] for e in out[0]["entries"]) == ["populated", "populated", "skipped"]
    feeds.serve("/feed/", body.replace(b"First article", b"First article!"))
    code, out, err = pull(config)
    assert code == 0 and "without a link" not in err and out[0]["entries"] == []


def test_changing_a_feeds_address_remembers_its_backlog_again(
    tmp_path: Path, feeds: FeedServer, sandbox: Any
) -> None:
    old = feeds.serve("/old.xml", rss(item(1)))
    config = write_setup(tmp_path, f"  - name: blog\n    url: {old}\n    action: publish\n")
    assert pull(config)[0] == 0
    new = feeds.serve("/new.xml", rss(item(7), item(8), item(1)))
    config.write_text(config.read_text().replace(old, new))
    code, out, _ = pull(config, "--sandbox", sandbox.url)
    assert code == 0 and out[0]["first_pull"] and sandbox.posts("twitter") == []
    assert "if-none-match" not in feeds.requests_to("/new.xml")[0]


def test_local_feed_file_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.xml").write_bytes((FIXTURES / "hugo-rss.xml").read_bytes())
    config = write_setup(tmp_path, "  - name: alumni\n    url: public/index.xml\n")
    code, out, _ = pull(config, "alumni")
    assert code == 0 and len(out[0]["entries"]) == 2
    assert out[0]["url"] == str(tmp_path / "public" / "index.xml")


def test_schedule_queues_new_entries_for_the_cron_run(
    tmp_path: Path, feeds: FeedServer, sandbox: Any
) -> None:
    url = feeds.serve("/feed/", rss(item(1)))
    config = write_setup(
        tmp_path, f"  - name: blog\n    url: {url}\n    schedule: next-slot\n    channels: [x]\n"
    )
    assert pull(config)[0] == 0
    feeds.serve("/feed/", rss(item(2), item(1)))
    code, out, _ = pull(config)
    (entry,) = out[0]["entries"]
    assert code == 0 and entry["action"] == "scheduled" and entry["note"].startswith("queued: x")
    assert sandbox.posts("twitter") == []  # queued, not sent
    status = json.loads(run("-c", config, "status", "--json").stdout)
    assert [(d["channel"], d["state"], d["title"]) for d in status] == [
        ("x", "pending", "Article 2")
    ]
    # The cron line of the docs: pull, then let the queue send what is due.
    result = run("-c", config, "run", "--sandbox", sandbox.url)
    assert result.exit_code == 0, result.stderr
    (tweet,) = sandbox.posts("twitter")
    assert "Article 2" in tweet["text"]
    assert pull(config)[1][0]["status"] == "not-modified"


def test_cli_bad_input(tmp_path: Path) -> None:
    config = write_setup(tmp_path, "  - name: blog\n    url: feed.xml\n")
    assert "no feed named 'nope'" in run("-c", config, "feed", "pull", "nope").stderr
    result = run("-c", config, "feed", "pull", "--action", "shout")
    assert result.exit_code == 2 and "choose publish, schedule or review" in result.stderr
    result = run("-c", config, "feed", "pull", "--entry", "x")
    assert result.exit_code == 2 and "name the feed" in result.stderr
    result = run("-c", config, "feed", "pull", "blog", "--populate", "--entry", "x")
    assert result.exit_code == 2
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "channels.yaml").write_text("channels:\n  xing:\n    network: manual\n    site: X\n")
    result = run("-c", plain / "channels.yaml", "feed", "pull")
    assert result.exit_code == 2 and "no `feeds:` section" in result.stderr


def test_feed_config_shorthand_and_errors(tmp_path: Path) -> None:
    config = write_setup(tmp_path, "  - name: blog\n    url: feed.xml\n    schedule: next-slot\n")
    (feed,) = load_config(config).feeds
    assert (feed.action, feed.at) == ("schedule", "next-slot")
    config = write_setup(
        tmp_path,
        "  - name: blog\n    url: feed.xml\n"
        "  - name: news\n    url: feed.xml\n    action: publish\n    schedule: next-slot\n",
    )
    with pytest.raises(
        ConfigError,
        match=r"channels.yaml:18: feeds.1: `schedule: next-slot` "
        r"means action schedule, but action is 'publish': keep one of the two",
    ):
        load_config(config)
    config = write_setup(tmp_path, "  - name: blog\n    url: ftp://example.com/feed\n")
    with pytest.raises(ConfigError, match=r"channels.yaml:17: feeds.0.url: a feed is an http"):
        load_config(config)


# -- notes -------------------------------------------------------------------------------------


def test_note_records_a_manual_action(tmp_path: Path) -> None:
    config = write_setup(tmp_path, "  - name: blog\n    url: feed.xml\n")
    result = run(
        "-c",
        config,
        "note",
        "Replied to 12 comments",
        "--channel",
        "xing",
        "--date",
        "2026-11-03",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    note = json.loads(result.stdout)
    # A bare date is noon in the configured time zone (Europe/Paris, UTC+1 in November).
    assert note["at"] == "2026-11-03T11:00:00+00:00" and note["channel"] == "xing"
    result = run("-c", config, "note", "Answered DMs")
    assert result.exit_code == 0 and "noted at" in result.stderr and result.stdout == ""
    bad = run("-c", config, "note", "x", "--channel", "instagram")
    assert bad.exit_code == 2 and "no channel named 'instagram'" in bad.stderr
    bad = run("-c", config, "note", "x", "--date", "03/11/2026")
    assert bad.exit_code == 2 and "write it like 2026-11-03" in bad.stderr
    bad = run("-c", config, "note", "x", "--date", "2999-01-01")
    assert bad.exit_code == 2 and "in the future" in bad.stderr
    assert run("-c", config, "note", "  ").exit_code == 2
