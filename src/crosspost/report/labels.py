"""The report's words and numbers in English and French: one dict a language, same keys.

Dicts, as the handbook's are (`handbook.labels`): two languages, and a test
that both catalogues hold the same keys is all the tooling they need; no
gettext compile step, no Babel to load.  Numbers follow each language's
custom (CLDR's): `1,234.5` in English, `1 234,5` in French, with the narrow
no-break space French typesetting puts between thousands.
"""

from __future__ import annotations

from ..languages import MONTHS, document_language

EN: dict[str, str] = {
    "title": "Social presence: {month}",
    "empty": "No activity in {month}: nothing was posted, failed or noted.",
    "generated": "generated {when}",
    "clicks_from": "clicks from bit.ly: all clicks so far on the links sent in each month",
    "clicks_unavailable": "clicks unavailable: {why}",
    "unavailable": "unavailable",
    "legend": (
        "Posted = sent by crosspost + posted by hand. Relayed: carried by another channel. "
        "Reposts: posted directly because the relay chain was broken. Failed, Unknown and "
        "Waiting (for someone to post by hand) are as at the end of the month. Retries: "
        "attempts after the first."
    ),
    "all_brands": "{name} (all brands)",
    "relayed_by": "{name} (relayed by {source})",
    "repost": "{state} (repost)",
    "total": "Total",
    "view": "view",
    "link": "link",
    # headings
    "channels": "Channels",
    "posts": "Posts",
    "notes_title": "Notes",
    "history": "History",
    "over_months": "Over the months",
    "by_channel": "Posted per channel",
    "chart_posts": "Posts per channel",
    "chart_clicks": "Clicks per channel",
    # columns
    "channel": "Channel",
    "network": "Network",
    "posted": "Posted",
    "sent": "Sent",
    "by_hand": "By hand",
    "relayed": "Relayed",
    "reposts": "Reposts",
    "failed": "Failed",
    "unknown": "Unknown",
    "waiting": "Waiting",
    "retries": "Retries",
    "notes": "Notes",
    "clicks": "Clicks",
    "x_cost": "X API $",
    "post": "Post",
    "state": "State",
    "at": "Sent",
    "copy": "Copy",
    "when": "When",
    "note": "Note",
    "month": "Month",
    # audience and engagement (`crosspost stats`)
    "audience": "Audience",
    "followers_start": "Followers at start",
    "followers_end": "Followers at end",
    "followers_change": "Change",
    "followers_history": "Followers at the end of each month",
    "chart_followers": "Followers per channel",
    "not_recorded": "not recorded",
    "audience_legend": (
        "Followers as `crosspost stats` read them: at the start, the last count before "
        "the 1st (else the first of the month); at the end, the last of the month."
    ),
    "engagement": "Engagement",
    "engagement_legend": (
        "Engagement: interactions (likes, comments, shares, quotes) / impressions, at the "
        "last reading; the CSV and JSON give each figure."
    ),
    "impressions": "impressions",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "quotes": "quotes",
    "network_clicks": "clicks",
    # the CSV's own fields
    "section": "section",
    "post_title": "post_title",
    "post_url": "post_url",
    "copy_url": "copy_url",
    "text": "text",
    "section_channel": "channel",
    "section_post": "post",
    "section_note": "note",
}
FR: dict[str, str] = {
    "title": "Présence sociale : {month}",
    "empty": "Aucune activité en {month} : rien n'a été publié, n'a échoué ni n'a été noté.",
    "generated": "produit le {when}",
    "clicks_from": (
        "clics selon bit.ly : tous les clics à ce jour sur les liens envoyés chaque mois"
    ),
    "clicks_unavailable": "clics indisponibles : {why}",
    "unavailable": "indisponible",
    "legend": (
        "Publiés = envoyés par crosspost + publiés à la main. Relayés : portés par un autre "
        "canal. Republiés : publiés directement, la chaîne de relais étant rompue. Échoués, "
        "Incertains et En attente (d'une publication à la main) sont comptés en fin de mois. "
        "Nouvelles tentatives : essais après le premier."
    ),
    "all_brands": "{name} (toutes marques)",
    "relayed_by": "{name} (relayé par {source})",
    "repost": "{state} (republié)",
    "total": "Total",
    "view": "voir",
    "link": "lien",
    "channels": "Canaux",
    "posts": "Publications",
    "notes_title": "Notes",
    "history": "Historique",
    "over_months": "Au fil des mois",
    "by_channel": "Publiés par canal",
    "chart_posts": "Publications par canal",
    "chart_clicks": "Clics par canal",
    "channel": "Canal",
    "network": "Réseau",
    "posted": "Publiés",
    "sent": "Envoyés",
    "by_hand": "À la main",
    "relayed": "Relayés",
    "reposts": "Republiés",
    "failed": "Échoués",
    "unknown": "Incertains",
    "waiting": "En attente",
    "retries": "Nouvelles tentatives",
    "notes": "Notes",
    "clicks": "Clics",
    "x_cost": "API X ($)",
    "post": "Publication",
    "state": "État",
    "at": "Envoyé le",
    "copy": "Copie",
    "when": "Quand",
    "note": "Note",
    "month": "Mois",
    "audience": "Audience",
    "followers_start": "Abonnés au début",
    "followers_end": "Abonnés à la fin",
    "followers_change": "Évolution",
    "followers_history": "Abonnés à la fin de chaque mois",
    "chart_followers": "Abonnés par canal",
    "not_recorded": "non relevé",
    "audience_legend": (
        "Abonnés relevés par `crosspost stats` : au début, le dernier relevé avant le 1er "
        "(sinon le premier du mois) ; à la fin, le dernier du mois."
    ),
    "engagement": "Engagement",
    "engagement_legend": (
        "Engagement : interactions (j'aime, commentaires, partages, citations) / impressions, "
        "au dernier relevé ; le CSV et le JSON donnent chaque chiffre."
    ),
    "impressions": "impressions",
    "likes": "j'aime",
    "comments": "commentaires",
    "shares": "partages",
    "quotes": "citations",
    "network_clicks": "clics",
    "section": "section",
    "post_title": "titre",
    "post_url": "url_article",
    "copy_url": "url_copie",
    "text": "texte",
    "section_channel": "canal",
    "section_post": "publication",
    "section_note": "note",
}
CATALOGUES = {"en": EN, "fr": FR}
# A copy's state, as each language reads it (the HTML's class stays the state's name).
STATES: dict[str, dict[str, str]] = {
    "en": {},
    "fr": {
        "pending": "en file", "sending": "en cours", "sent": "envoyé", "failed": "échoué",
        "unknown": "incertain", "manual": "à publier à la main", "relayed": "relayé",
        "skipped": "ignoré", "cancelled": "annulé",
    },
}  # fmt: skip
# (thousands separator, decimal mark); French groups with U+202F, as CLDR says.
_NUMBERS = {"en": (",", "."), "fr": ("\u202f", ",")}


def report_language(asked: str | None, *, fallback: str | None) -> str:
    """The report's language (`languages.document_language`)."""
    return document_language(asked, fallback=fallback, document="the report")


def word(lang: str, key: str, **fields: object) -> str:
    text = CATALOGUES[lang][key]
    return text.format(**fields) if fields else text


def month_title(year: int, month: int, lang: str) -> str:
    return f"{MONTHS[lang][month - 1]} {year}"


def state_word(state: str, lang: str) -> str:
    return STATES[lang].get(state, state)


def format_number(value: int | float, lang: str, *, grouped: bool = True) -> str:
    """`value` as `lang` writes it: grouped thousands (unless not `grouped`, as in a CSV
    cell a spreadsheet must read as a number) and its decimal mark."""
    thousands, decimal = _NUMBERS[lang]
    text = f"{value:,}" if grouped else f"{value}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
