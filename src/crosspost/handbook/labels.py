"""The handbook's words in English and French: one dict a language, the same keys in each.

A dict, not gettext: two languages, one document, and a test that checks both
catalogues have the same keys is all the tooling it needs.  Placeholders are
`str.format` fields; what fills them (a channel's name, a path) is escaped by
the templates, never here.
"""

from __future__ import annotations

from ..languages import document_language

EN: dict[str, str] = {
    "title": "Handbook: crosspost and the social networks",
    "intro": (
        "What someone taking over needs: where each post goes, as whom and when, what is "
        "posted by hand, and where the passwords live (never the passwords). Regenerate it "
        "with `crosspost handbook` after every change to channels.yaml."
    ),
    "generated": "Generated {when} ({zone}) from {config}; home directory {home}.",
    "last_run": "Last `crosspost run`: {when}.",
    "no_run": "No `crosspost run` recorded yet.",
    # channels
    "channels": "Channels",
    "col_channel": "Channel",
    "col_network": "Network",
    "col_account": "Account",
    "col_audience": "Audience",
    "col_lang": "Language",
    "col_pacing": "Pacing",
    "col_relay": "Relay",
    "col_state": "State",
    "not_signed_in": "not signed in with `crosspost auth` yet",
    "no_sign_in": "none: posted by hand, with the account's own login",
    "account": "{account} (signed in {date})",
    "account_by": "{account} (signed in {date} by {by})",
    "every_post": "every post",
    "any_lang": "any",
    "slots": "slots {times}",
    "max_per_day": "at most {n} a day",
    "min_interval": "at least {gap} apart",
    "quiet": "quiet {windows}",
    "days": "on {days}",
    "any_time": "any time",
    "direct": "direct",
    "relayed": "relayed by {source}",
    "broken": "broken: {source} does not feed it, posted directly",
    "active": "active",
    "disabled": "disabled",
    "paused": "paused",
    "paused_why": "paused: {why}",
    "by_hand": "by hand",
    "channels_none": "channels.yaml has no channel.",
    # the chain
    "chain": "The chain",
    "chain_intro": (
        "Which network feeds which. A relayed channel gets the post from its source's "
        "auto-share; crosspost posts there directly only where the chain is broken."
    ),
    "blog": "blog",
    "audience": "audience: {audience}",
    # cron
    "cron": "Cron",
    "cron_intro": (
        "The lines this machine's crontab must hold (`crontab -e`): the first sends what "
        "is due, every minute; the second reads the networks' followers and engagement "
        "once a day, for the monthly report. `crosspost cron` prints them again, with "
        "systemd timers instead."
    ),
    "ledger_at": "The ledger (what was sent where, and when): {where}.",
    "ledger_shared": (
        "The ledger is a shared PostgreSQL database, {where}: every machine that sends "
        "points at it (`ledger:` in channels.yaml, or CROSSPOST_LEDGER)."
    ),
    # secrets
    "secrets": "Secrets: where they live",
    "secrets_intro": (
        "No value is written here: only where each secret is kept and when it last "
        "changed. `crosspost secrets list` shows the same from any holder's machine."
    ),
    "col_name": "Name",
    "col_where": "Where",
    "col_changed": "Last changed",
    "col_by": "By",
    "col_used_by": "Used by",
    "src_environment": "the environment",
    "src_env_file": "HOME/env",
    "src_team": "the team file",
    "src_missing": "set nowhere",
    "src_unreadable": "the team file? (unreadable here)",
    "not_recorded": "not recorded",
    "unused": "nothing in channels.yaml",
    "team_file": "Team file: {path}.",
    "team_missing": "Team file: none yet (it would be {path}).",
    "holders": "Held by: {names}.",
    "no_holders": "Held by: nobody yet.",
    "unreadable": "This machine could not read the team file: {problem}",
    "env_file": "HOME/env (cron's secrets file, mode 0600): {path}.",
    "identity": "This manager's age key: {path}.",
    "no_identity": "This manager has no age key yet (`crosspost secrets init`).",
    "no_secrets": "channels.yaml references no secret.",
    "handover": "Handing over",
    "step_init": (
        "The newcomer runs `crosspost secrets init --name NAME` and sends the `age1...` key "
        "it prints."
    ),
    "step_add": "A holder runs `crosspost secrets add-holder age1... --name NAME`.",
    "step_remove": (
        "Once the leaver is gone: `crosspost secrets remove-holder NAME`, then `crosspost "
        "secrets rotate SECRET` for every secret above, after renewing it on its network."
    ),
    # by hand
    "manual": "Networks posted by hand",
    "manual_intro": (
        "crosspost prepares the text; a person posts it. `crosspost tasks` lists what "
        "waits, `crosspost done ID --url URL` records it once posted."
    ),
    "col_site": "Site",
    "col_url": "Where to post",
    "col_instructions": "Instructions",
    "manual_none": "No network is posted by hand.",
    "none": "—",
    # last month
    "figures": "Last month: {month}",
    "last_month": "Last month",
    "no_ledger": "No ledger yet: nothing has been sent from this home directory.",
    "no_activity": "No activity in {month}: nothing was posted, failed or noted.",
    "col_posted": "Posted",
    "col_sent": "Sent",
    "col_by_hand": "By hand",
    "col_relayed": "Relayed",
    "col_reposts": "Reposts",
    "col_failed": "Failed",
    "col_unknown": "Unknown",
    "col_waiting": "Waiting",
    "col_notes": "Notes",
    "total": "Total",
    "posts": "What went where",
    "col_post": "Post",
    "col_copies": "Copies",
    "full_report": (
        "The whole report, with each post's links and bit.ly's clicks: `crosspost report "
        "--month last --clicks --format html --out report.html`."
    ),
    "state_sent": "sent",
    "state_repost": "sent (repost)",
    "state_relayed": "relayed",
    "state_manual": "waiting to be posted by hand",
    "state_failed": "failed",
    "state_unknown": "unknown",
    "state_pending": "queued",
    "state_sending": "sending",
    "state_skipped": "skipped",
    "state_cancelled": "cancelled",
    # the week
    "week": "A normal week",
    "week_check": "checks channels.yaml, the templates and the post, before anything else",
    "week_dry_run": "shows the exact text each channel will get; nothing is sent",
    "week_schedule": "queues it at each channel's next free slot (cron sends it)",
    "week_queue": "the coming seven days, per channel, by-hand tasks included",
    "week_tasks": "what waits to be posted by hand: where, the text, the image",
    "week_done": "records a post placed by hand, with its address",
    "week_status": "where each copy of a post now lives",
    "week_reconcile": "asks the networks about deliveries whose outcome is unknown",
    "week_resume": "after renewing a refused token: the channel sends again",
    "week_note": "records something done by hand (replies, messages) for the report",
    "week_report": "on the 1st: last month's report, to send on",
    "week_handbook": "this document again, after any change to channels.yaml",
    "date": "{day} {month} {year}",
    "datetime": "{day} {month} {year}, {time}",
    "sep": ": ",
}

FR: dict[str, str] = {
    "title": "Manuel de passation : crosspost et les réseaux sociaux",
    "intro": (
        "Ce qu'il faut à qui reprend : où part chaque publication, sous quel compte et "
        "quand, ce qui se publie à la main, et où sont rangés les mots de passe (jamais les "
        "mots de passe eux-mêmes). À régénérer avec `crosspost handbook` après chaque "
        "modification de channels.yaml."
    ),
    "generated": "Généré le {when} ({zone}) à partir de {config} ; répertoire {home}.",
    "last_run": "Dernier `crosspost run` : {when}.",
    "no_run": "Aucun `crosspost run` enregistré pour l'instant.",
    "channels": "Canaux",
    "col_channel": "Canal",
    "col_network": "Réseau",
    "col_account": "Compte",
    "col_audience": "Public",
    "col_lang": "Langue",
    "col_pacing": "Rythme",
    "col_relay": "Relais",
    "col_state": "État",
    "not_signed_in": "pas encore connecté avec `crosspost auth`",
    "no_sign_in": "aucun : publié à la main, avec l'identifiant du compte",
    "account": "{account} (connecté le {date})",
    "account_by": "{account} (connecté le {date} par {by})",
    "every_post": "toutes les publications",
    "any_lang": "toutes",
    "slots": "créneaux {times}",
    "max_per_day": "{n} par jour au plus",
    "min_interval": "au moins {gap} d'écart",
    "quiet": "silence {windows}",
    "days": "les {days}",
    "any_time": "à toute heure",
    "direct": "direct",
    "relayed": "relayé par {source}",
    "broken": "rompu : {source} ne le relaie pas, publié directement",
    "active": "actif",
    "disabled": "désactivé",
    "paused": "en pause",
    "paused_why": "en pause : {why}",
    "by_hand": "à la main",
    "channels_none": "channels.yaml ne déclare aucun canal.",
    "chain": "La chaîne",
    "chain_intro": (
        "Quel réseau en alimente quel autre. Un canal relayé reçoit la publication par le "
        "partage automatique de sa source ; crosspost n'y publie directement que là où la "
        "chaîne est rompue."
    ),
    "blog": "blog",
    "audience": "public : {audience}",
    "cron": "La tâche cron",
    "cron_intro": (
        "Les lignes que la crontab de cette machine doit contenir (`crontab -e`) : la "
        "première envoie ce qui est dû, chaque minute ; la seconde relève une fois par jour "
        "les abonnés et l'engagement sur les réseaux, pour le rapport du mois. `crosspost "
        "cron` les réaffiche, avec des minuteurs systemd en variante."
    ),
    "ledger_at": "Le registre (ce qui a été envoyé, où et quand) : {where}.",
    "ledger_shared": (
        "Le registre est une base PostgreSQL partagée, {where} : chaque machine qui envoie "
        "s'y connecte (`ledger:` dans channels.yaml, ou CROSSPOST_LEDGER)."
    ),
    "secrets": "Secrets : où ils sont rangés",
    "secrets_intro": (
        "Aucune valeur n'est écrite ici : seulement où chaque secret est rangé et quand il "
        "a changé pour la dernière fois. `crosspost secrets list` affiche la même chose "
        "depuis le poste de n'importe quel détenteur."
    ),
    "col_name": "Nom",
    "col_where": "Où",
    "col_changed": "Dernière modification",
    "col_by": "Par",
    "col_used_by": "Utilisé par",
    "src_environment": "l'environnement",
    "src_env_file": "HOME/env",
    "src_team": "le fichier d'équipe",
    "src_missing": "défini nulle part",
    "src_unreadable": "le fichier d'équipe ? (illisible ici)",
    "not_recorded": "non consigné",
    "unused": "rien dans channels.yaml",
    "team_file": "Fichier d'équipe : {path}.",
    "team_missing": "Fichier d'équipe : pas encore créé (ce serait {path}).",
    "holders": "Détenu par : {names}.",
    "no_holders": "Détenu par : personne pour l'instant.",
    "unreadable": "Cette machine n'a pas pu lire le fichier d'équipe : {problem}",
    "env_file": "HOME/env (le fichier de secrets de cron, mode 0600) : {path}.",
    "identity": "La clé age de ce poste : {path}.",
    "no_identity": "Ce poste n'a pas encore de clé age (`crosspost secrets init`).",
    "no_secrets": "channels.yaml ne fait référence à aucun secret.",
    "handover": "La passation",
    "step_init": (
        "La personne qui arrive lance `crosspost secrets init --name NOM` et envoie la clé "
        "`age1...` affichée."
    ),
    "step_add": "Un détenteur lance `crosspost secrets add-holder age1... --name NOM`.",
    "step_remove": (
        "Une fois le départ effectif : `crosspost secrets remove-holder NOM`, puis "
        "`crosspost secrets rotate SECRET` pour chaque secret ci-dessus, après l'avoir "
        "renouvelé sur son réseau."
    ),
    "manual": "Réseaux publiés à la main",
    "manual_intro": (
        "crosspost prépare le texte ; une personne le publie. `crosspost tasks` liste ce "
        "qui attend, `crosspost done ID --url URL` le consigne une fois publié."
    ),
    "col_site": "Site",
    "col_url": "Où publier",
    "col_instructions": "Consignes",
    "manual_none": "Aucun réseau ne se publie à la main.",
    "none": "—",
    "figures": "Le mois dernier : {month}",
    "last_month": "Le mois dernier",
    "no_ledger": "Pas encore de registre : rien n'a été envoyé depuis ce répertoire.",
    "no_activity": "Aucune activité en {month} : rien n'a été publié, n'a échoué ni n'a été noté.",
    "col_posted": "Publiés",
    "col_sent": "Envoyés",
    "col_by_hand": "À la main",
    "col_relayed": "Relayés",
    "col_reposts": "Republiés",
    "col_failed": "Échecs",
    "col_unknown": "Incertains",
    "col_waiting": "En attente",
    "col_notes": "Notes",
    "total": "Total",
    "posts": "Ce qui est parti où",
    "col_post": "Publication",
    "col_copies": "Copies",
    "full_report": (
        "Le rapport complet, avec les liens de chaque publication et les clics bit.ly : "
        "`crosspost report --month last --clicks --format html --out rapport.html`."
    ),
    "state_sent": "envoyé",
    "state_repost": "envoyé (republié)",
    "state_relayed": "relayé",
    "state_manual": "à publier à la main",
    "state_failed": "échec",
    "state_unknown": "incertain",
    "state_pending": "en file",
    "state_sending": "en cours d'envoi",
    "state_skipped": "écarté",
    "state_cancelled": "annulé",
    "week": "Une semaine ordinaire",
    "week_check": "vérifie channels.yaml, les modèles et l'article, avant toute chose",
    "week_dry_run": "montre le texte exact que recevra chaque canal ; rien n'est envoyé",
    "week_schedule": "le met en file au prochain créneau libre de chaque canal (cron l'envoie)",
    "week_queue": "les sept jours à venir, canal par canal, tâches à la main comprises",
    "week_tasks": "ce qui attend d'être publié à la main : où, le texte, l'image",
    "week_done": "consigne une publication faite à la main, avec son adresse",
    "week_status": "où se trouve chaque copie d'un article",
    "week_reconcile": "demande aux réseaux ce qu'il en est des envois incertains",
    "week_resume": "après le renouvellement d'un jeton refusé : le canal reprend",
    "week_note": "note une action faite à la main (réponses, messages) pour le rapport",
    "week_report": "le 1er du mois : le rapport du mois écoulé, à transmettre",
    "week_handbook": "ce document, à régénérer après toute modification de channels.yaml",
    "date": "{day} {month} {year}",
    "datetime": "{day} {month} {year} à {time}",
    # French typography: a space before the colon.
    "sep": " : ",
}

CATALOGUES = {"en": EN, "fr": FR}

DAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
}

# The commands of a normal week, each with its catalogue key; `{audience}` is one of
# the config's audiences (or `A`).
WEEK = (
    ("crosspost check post.md", "week_check"),
    ("crosspost publish --dry-run post.md", "week_dry_run"),
    ("crosspost schedule post.md --at next-slot", "week_schedule"),
    ("crosspost queue --week --audience {audience}", "week_queue"),
    ("crosspost tasks", "week_tasks"),
    ("crosspost done ID --url URL", "week_done"),
    ("crosspost status post.md", "week_status"),
    ("crosspost reconcile", "week_reconcile"),
    ("crosspost channel resume CHANNEL", "week_resume"),
    ('crosspost note "..." --channel CHANNEL', "week_note"),
    ("crosspost report --month last --format html --out report.html", "week_report"),
    ("crosspost handbook --out handbook.md --force", "week_handbook"),
)


def language_of(asked: str | None, *, fallback: str | None) -> str:
    """The handbook's language (`languages.document_language`)."""
    return document_language(asked, fallback=fallback, document="the handbook")
