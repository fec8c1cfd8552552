BEGIN TRANSACTION;
CREATE TABLE channel_state (
            channel     TEXT PRIMARY KEY,
            paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
            reason      TEXT,
            updated_at  TEXT NOT NULL
        );
INSERT INTO "channel_state" VALUES('x-paused',1,'auth refused: run `crosspost auth x-paused`','2026-12-02T01:13:16.926310Z');
INSERT INTO "channel_state" VALUES('fb-page',0,NULL,'2026-12-02T01:13:16.927971Z');
CREATE TABLE deliveries (
            id            INTEGER PRIMARY KEY,
            post_key      TEXT NOT NULL,
            post_path     TEXT,
            post_title    TEXT,
            content_hash  TEXT,
            channel       TEXT NOT NULL,
            network       TEXT NOT NULL,
            state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (
                              'pending', 'sending', 'sent', 'failed', 'unknown',
                              'manual', 'skipped', 'relayed', 'cancelled')),
            route         TEXT NOT NULL DEFAULT 'direct'
                              CHECK (route IN ('direct', 'repost', 'relayed')),
            text          TEXT NOT NULL,
            parts         TEXT NOT NULL DEFAULT '[]',
            link          TEXT,
            payload       TEXT NOT NULL DEFAULT '{}',
            due_at        TEXT,
            attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            lease_until   TEXT,
            claimed_by    TEXT,
            sent_parts    TEXT NOT NULL DEFAULT '[]',
            remote_id     TEXT,
            remote_url    TEXT,
            error         TEXT,
            error_kind    TEXT,
            retry_at      TEXT,
            created_at    TEXT NOT NULL,
            updated_at    TEXT NOT NULL,
            sent_at       TEXT,
            UNIQUE (post_key, channel)
        );
INSERT INTO "deliveries" VALUES(1,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-pending','twitter','pending','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-pending','{"image_alt": "a café", "title": "Hello"}','2024-05-03T09:00:00.000000Z',0,NULL,NULL,'[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.848521Z','2026-12-02T01:13:16.877324Z',NULL);
INSERT INTO "deliveries" VALUES(2,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-sending','twitter','sending','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-sending','{"image_alt": "a café", "title": "Hello"}',NULL,1,'2026-12-02T02:13:16.879872Z','build-host.invalid:4242:rnd-0794f72','[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.878608Z','2026-12-02T01:13:16.879872Z',NULL);
INSERT INTO "deliveries" VALUES(3,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-thread','twitter','sent','direct','1/3','["1/3", "2/3", "3/3"]','https://blog.example/2024/hello/?utm_source=x-thread','{"image_alt": "a café", "title": "Hello"}',NULL,1,NULL,'build-host.invalid:4242:rnd-0794f72','["t1", "t2", "t3"]','t1','https://x.example/t1',NULL,NULL,NULL,'2026-12-02T01:13:16.881200Z','2026-12-02T01:13:16.885640Z','2026-12-02T01:13:16.885640Z');
INSERT INTO "deliveries" VALUES(4,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-failed','twitter','failed','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-failed','{"image_alt": "a café", "title": "Hello"}',NULL,1,NULL,'build-host.invalid:4242:rnd-0794f72','[]',NULL,NULL,'duplicate status','rejected',NULL,'2026-12-02T01:13:16.886952Z','2026-12-02T01:13:16.889758Z',NULL);
INSERT INTO "deliveries" VALUES(5,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-requeued','twitter','pending','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-requeued','{"image_alt": "a café", "title": "Hello"}','2024-05-01T10:00:00.000000Z',1,NULL,'build-host.invalid:4242:rnd-0794f72','[]',NULL,NULL,'HTTP 503','transient','2024-05-01T10:00:00.000000Z','2026-12-02T01:13:16.891117Z','2026-12-02T01:13:16.893375Z',NULL);
INSERT INTO "deliveries" VALUES(6,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-unknown','twitter','unknown','direct','a/2','["a/2", "b/2"]','https://blog.example/2024/hello/?utm_source=x-unknown','{"image_alt": "a café", "title": "Hello"}',NULL,1,NULL,'build-host.invalid:4242:rnd-0794f72','["u1"]',NULL,NULL,'read timed out','unknown',NULL,'2026-12-02T01:13:16.894678Z','2026-12-02T01:13:16.897163Z',NULL);
INSERT INTO "deliveries" VALUES(7,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-recovered','twitter','unknown','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-recovered','{"image_alt": "a café", "title": "Hello"}',NULL,1,NULL,'build-host.invalid:4242:rnd-0794f72','[]',NULL,NULL,'interrupted while sending: the post may or may not exist; `crosspost reconcile` asks the network (or check it, then `crosspost done` or `crosspost queue retry`)','unknown',NULL,'2026-12-02T01:13:16.898021Z','2024-05-01T10:00:00.000000Z',NULL);
INSERT INTO "deliveries" VALUES(8,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','mastodon','manual','manual','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=mastodon','{"image_alt": "a café", "title": "Hello"}',NULL,0,NULL,NULL,'[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.900605Z','2026-12-02T01:13:16.901388Z',NULL);
INSERT INTO "deliveries" VALUES(9,'https://blog.example/2024/done-by-hand/','content/done-by-hand.md','Done-By-Hand','sha256:done-by-hand','mastodon','manual','sent','direct','Hello','["Hello"]','https://blog.example/2024/done-by-hand/?utm_source=mastodon','{"image_alt": "a café", "title": "Done-By-Hand"}',NULL,0,NULL,NULL,'[]',NULL,'https://mastodon.example/@me/1',NULL,NULL,NULL,'2026-12-02T01:13:16.902473Z','2026-12-02T01:13:16.903998Z','2026-12-02T01:13:16.903998Z');
INSERT INTO "deliveries" VALUES(10,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-skipped','twitter','skipped','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-skipped','{"image_alt": "a café", "title": "Hello"}',NULL,0,NULL,NULL,'[]',NULL,NULL,'too old',NULL,NULL,'2026-12-02T01:13:16.905145Z','2026-12-02T01:13:16.907952Z',NULL);
INSERT INTO "deliveries" VALUES(11,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-relayed','twitter','relayed','relayed','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-relayed','{"image_alt": "a café", "title": "Hello"}',NULL,0,NULL,NULL,'[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.909513Z','2026-12-02T01:13:16.910302Z',NULL);
INSERT INTO "deliveries" VALUES(12,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-cancelled','twitter','cancelled','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-cancelled','{"image_alt": "a café", "title": "Hello"}',NULL,0,NULL,NULL,'[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.911501Z','2026-12-02T01:13:16.913795Z',NULL);
INSERT INTO "deliveries" VALUES(13,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-retried','twitter','pending','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-retried','{"image_alt": "a café", "title": "Hello"}',NULL,0,NULL,NULL,'[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.914927Z','2026-12-02T01:13:16.917147Z',NULL);
INSERT INTO "deliveries" VALUES(14,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:hello','x-forced','twitter','pending','direct','Hello','["Hello"]','https://blog.example/2024/hello/?utm_source=x-forced','{"image_alt": "a café", "title": "Hello"}',NULL,1,NULL,'build-host.invalid:4242:rnd-0794f72','[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.917935Z','2026-12-02T01:13:16.921472Z',NULL);
INSERT INTO "deliveries" VALUES(15,'https://blog.example/2024/hello/','content/hello.md','Hello','sha256:v2','x-updated','twitter','pending','repost','v2','["v2"]',NULL,'{"image_alt": "a café", "title": "Hello"}',NULL,0,NULL,NULL,'[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.922835Z','2026-12-02T01:13:16.924002Z',NULL);
INSERT INTO "deliveries" VALUES(16,'https://blog.example/2024/absent/','content/absent.md','Absent','sha256:absent','x-absent','twitter','pending','direct','Absent','["Absent"]','https://blog.example/2024/absent/','{}',NULL,1,NULL,'build-host.invalid:4242:rnd-0794f72','[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.933289Z','2026-12-02T01:13:16.936622Z',NULL);
INSERT INTO "deliveries" VALUES(17,'https://blog.example/2024/early/','content/early.md','Early','sha256:early','x-early','twitter','pending','direct','Early','["Early"]','https://blog.example/2024/early/','{}','2024-04-01T09:00:00.000000Z',0,NULL,NULL,'[]',NULL,NULL,NULL,NULL,NULL,'2026-12-02T01:13:16.937515Z','2026-12-02T01:13:16.938565Z',NULL);
CREATE TABLE events (
            id           INTEGER PRIMARY KEY,
            delivery_id  INTEGER REFERENCES deliveries (id),
            channel      TEXT,
            at           TEXT NOT NULL,
            kind         TEXT NOT NULL,
            detail       TEXT NOT NULL DEFAULT '{}'
        );
INSERT INTO "events" VALUES(1,1,'x-pending','2026-12-02T01:13:16.848521Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(2,1,'x-pending','2026-12-02T01:13:16.875671Z','scheduled','{"due_at": "2024-05-02T09:00:00.000000Z", "from": "pending"}');
INSERT INTO "events" VALUES(3,1,'x-pending','2026-12-02T01:13:16.877324Z','moved','{"due_at": "2024-05-03T09:00:00.000000Z", "from": "pending", "reason": "pacing: 1 a day"}');
INSERT INTO "events" VALUES(4,2,'x-sending','2026-12-02T01:13:16.878608Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(5,2,'x-sending','2026-12-02T01:13:16.879872Z','sending','{"attempt": 1, "from": "pending", "lease_until": "2026-12-02T02:13:16.879872Z", "owner": "build-host.invalid:4242:rnd-0794f72", "resume_after_parts": 0}');
INSERT INTO "events" VALUES(6,3,'x-thread','2026-12-02T01:13:16.881200Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(7,3,'x-thread','2026-12-02T01:13:16.882182Z','sending','{"attempt": 1, "from": "pending", "lease_until": "2026-12-02T01:23:16.882182Z", "owner": "build-host.invalid:4242:rnd-0794f72", "resume_after_parts": 0}');
INSERT INTO "events" VALUES(8,3,'x-thread','2026-12-02T01:13:16.883148Z','part','{"index": 0, "remote_id": "t1"}');
INSERT INTO "events" VALUES(9,3,'x-thread','2026-12-02T01:13:16.884130Z','part','{"index": 1, "remote_id": "t2"}');
INSERT INTO "events" VALUES(10,3,'x-thread','2026-12-02T01:13:16.885640Z','sent','{"from": "sending", "parts": 3, "remote_id": "t1", "remote_url": "https://x.example/t1"}');
INSERT INTO "events" VALUES(11,4,'x-failed','2026-12-02T01:13:16.886952Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(12,4,'x-failed','2026-12-02T01:13:16.888055Z','sending','{"attempt": 1, "from": "pending", "lease_until": "2026-12-02T01:23:16.888055Z", "owner": "build-host.invalid:4242:rnd-0794f72", "resume_after_parts": 0}');
INSERT INTO "events" VALUES(13,4,'x-failed','2026-12-02T01:13:16.889758Z','failed','{"error": "duplicate status", "from": "sending", "kind": "rejected", "requeued": false, "retry_at": null}');
INSERT INTO "events" VALUES(14,5,'x-requeued','2026-12-02T01:13:16.891117Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(15,5,'x-requeued','2026-12-02T01:13:16.892226Z','sending','{"attempt": 1, "from": "pending", "lease_until": "2026-12-02T01:23:16.892226Z", "owner": "build-host.invalid:4242:rnd-0794f72", "resume_after_parts": 0}');
INSERT INTO "events" VALUES(16,5,'x-requeued','2026-12-02T01:13:16.893375Z','failed','{"error": "HTTP 503", "from": "sending", "kind": "transient", "requeued": true, "retry_at": "2024-05-01T10:00:00.000000Z"}');
INSERT INTO "events" VALUES(17,6,'x-unknown','2026-12-02T01:13:16.894678Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(18,6,'x-unknown','2026-12-02T01:13:16.895519Z','sending','{"attempt": 1, "from": "pending", "lease_until": "2026-12-02T01:23:16.895519Z", "owner": "build-host.invalid:4242:rnd-0794f72", "resume_after_parts": 0}');
INSERT INTO "events" VALUES(19,6,'x-unknown','2026-12-02T01:13:16.896418Z','part','{"index": 0, "remote_id": "u1"}');
INSERT INTO "events" VALUES(20,6,'x-unknown','2026-12-02T01:13:16.897163Z','unknown','{"error": "read timed out", "from": "sending"}');
INSERT INTO "events" VALUES(21,7,'x-recovered','2026-12-02T01:13:16.898021Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(22,7,'x-recovered','2024-05-01T09:00:00.000000Z','sending','{"attempt": 1, "from": "pending", "lease_until": "2024-05-01T09:01:00.000000Z", "owner": "build-host.invalid:4242:rnd-0794f72", "resume_after_parts": 0}');
INSERT INTO "events" VALUES(23,7,'x-recovered','2024-05-01T10:00:00.000000Z','recovered','{"claimed_by": "build-host.invalid:4242:rnd-0794f72", "lease_until": "2024-05-01T09:01:00.000000Z", "parts_published": 0, "why": "lease expired"}');
INSERT INTO "events" VALUES(24,8,'mastodon','2026-12-02T01:13:16.900605Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "manual", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(25,8,'mastodon','2026-12-02T01:13:16.901388Z','manual','{"from": "pending"}');
INSERT INTO "events" VALUES(26,9,'mastodon','2026-12-02T01:13:16.902473Z','created','{"content_hash": "sha256:done-by-hand", "due_at": null, "network": "manual", "post_key": "https://blog.example/2024/done-by-hand/", "route": "direct"}');
INSERT INTO "events" VALUES(27,9,'mastodon','2026-12-02T01:13:16.903355Z','manual','{"from": "pending"}');
INSERT INTO "events" VALUES(28,9,'mastodon','2026-12-02T01:13:16.903998Z','done','{"from": "manual", "url": "https://mastodon.example/@me/1"}');
INSERT INTO "events" VALUES(29,10,'x-skipped','2026-12-02T01:13:16.905145Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(30,10,'x-skipped','2026-12-02T01:13:16.907952Z','skipped','{"from": "pending", "reason": "too old"}');
INSERT INTO "events" VALUES(31,11,'x-relayed','2026-12-02T01:13:16.909513Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(32,11,'x-relayed','2026-12-02T01:13:16.910302Z','relayed','{"from": "pending", "via": "fb-page"}');
INSERT INTO "events" VALUES(33,12,'x-cancelled','2026-12-02T01:13:16.911501Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(34,12,'x-cancelled','2026-12-02T01:13:16.913795Z','cancelled','{"from": "pending"}');
INSERT INTO "events" VALUES(35,13,'x-retried','2026-12-02T01:13:16.914927Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(36,13,'x-retried','2026-12-02T01:13:16.915956Z','cancelled','{"from": "pending"}');
INSERT INTO "events" VALUES(37,13,'x-retried','2026-12-02T01:13:16.917147Z','retried','{"error": null, "from": "cancelled", "reason": "queue retry"}');
INSERT INTO "events" VALUES(38,14,'x-forced','2026-12-02T01:13:16.917935Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(39,14,'x-forced','2026-12-02T01:13:16.919083Z','sending','{"attempt": 1, "from": "pending", "lease_until": "2026-12-02T01:23:16.919083Z", "owner": "build-host.invalid:4242:rnd-0794f72", "resume_after_parts": 0}');
INSERT INTO "events" VALUES(40,14,'x-forced','2026-12-02T01:13:16.920257Z','sent','{"from": "sending", "parts": 0, "remote_id": "f1", "remote_url": "https://x.example/f1"}');
INSERT INTO "events" VALUES(41,14,'x-forced','2026-12-02T01:13:16.921472Z','forced','{"error": null, "from": "sent", "reason": "--force", "remote_id": "f1", "remote_url": "https://x.example/f1", "sent_at": "2026-12-02T01:13:16.920257Z", "sent_parts": []}');
INSERT INTO "events" VALUES(42,15,'x-updated','2026-12-02T01:13:16.922835Z','created','{"content_hash": "sha256:hello", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/hello/", "route": "direct"}');
INSERT INTO "events" VALUES(43,15,'x-updated','2026-12-02T01:13:16.924002Z','updated','{"content_hash": "sha256:v2", "content_hash_before": "sha256:hello", "route": "repost", "route_before": "direct"}');
INSERT INTO "events" VALUES(44,NULL,'x-paused','2026-12-02T01:13:16.926310Z','paused','{"reason": "auth refused: run `crosspost auth x-paused`"}');
INSERT INTO "events" VALUES(45,NULL,'fb-page','2026-12-02T01:13:16.927171Z','paused','{"reason": null}');
INSERT INTO "events" VALUES(46,NULL,'fb-page','2026-12-02T01:13:16.927971Z','resumed','{"reason": null}');
INSERT INTO "events" VALUES(47,16,'x-absent','2026-12-02T01:13:16.933289Z','created','{"content_hash": "sha256:absent", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/absent/", "route": "direct"}');
INSERT INTO "events" VALUES(48,16,'x-absent','2026-12-02T01:13:16.934456Z','sending','{"attempt": 1, "from": "pending", "lease_until": "2026-12-02T01:23:16.934456Z", "owner": "build-host.invalid:4242:rnd-0794f72", "resume_after_parts": 0}');
INSERT INTO "events" VALUES(49,16,'x-absent','2026-12-02T01:13:16.935683Z','unknown','{"error": "read timed out", "from": "sending"}');
INSERT INTO "events" VALUES(50,16,'x-absent','2026-12-02T01:13:16.936622Z','absent','{"checked": "timeline read back to the claim", "error": "read timed out", "from": "unknown", "parts_out": 0}');
INSERT INTO "events" VALUES(51,17,'x-early','2026-12-02T01:13:16.937515Z','created','{"content_hash": "sha256:early", "due_at": null, "network": "twitter", "post_key": "https://blog.example/2024/early/", "route": "direct"}');
INSERT INTO "events" VALUES(52,17,'x-early','2026-12-02T01:13:16.938565Z','scheduled','{"due_at": "2024-04-01T09:00:00.000000Z", "from": "pending"}');
CREATE TABLE feed_entries (
            id           INTEGER PRIMARY KEY,
            feed         TEXT NOT NULL,
            entry_key    TEXT NOT NULL,
            post_key     TEXT,
            title        TEXT,
            action       TEXT NOT NULL,
            first_seen   TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            UNIQUE (feed, entry_key)
        );
INSERT INTO "feed_entries" VALUES(1,'blog','urn:1','https://blog.example/2024/hello/','Hello','published','2024-05-01T09:00:00.000000Z','2024-05-01T09:00:00.000000Z');
INSERT INTO "feed_entries" VALUES(2,'blog','urn:2',NULL,'Draft','review','2024-05-01T09:00:00.000000Z','2024-05-01T09:00:00.000000Z');
INSERT INTO "feed_entries" VALUES(3,'blog','urn:3',NULL,NULL,'skipped','2024-05-01T09:00:00.000000Z','2024-05-01T09:00:00.000000Z');
CREATE TABLE feed_state (
            feed         TEXT PRIMARY KEY,
            url          TEXT NOT NULL,
            etag         TEXT,
            modified     TEXT,
            status       TEXT NOT NULL,
            error        TEXT,
            last_pull    TEXT NOT NULL,
            last_ok      TEXT,
            updated_at   TEXT NOT NULL
        );
INSERT INTO "feed_state" VALUES('blog','https://blog.example/feed.xml','"abc"','Wed, 01 May 2024 08:00:00 GMT','error','HTTP 500','2024-05-01T10:00:00.000000Z','2024-05-01T09:00:00.000000Z','2024-05-01T10:00:00.000000Z');
INSERT INTO "feed_state" VALUES('news','https://news.example/rss',NULL,NULL,'not-modified',NULL,'2024-05-01T09:00:00.000000Z','2024-05-01T09:00:00.000000Z','2024-05-01T09:00:00.000000Z');
CREATE TABLE notes (
            id           INTEGER PRIMARY KEY,
            at           TEXT NOT NULL,
            channel      TEXT,
            text         TEXT NOT NULL,
            created_at   TEXT NOT NULL
        );
INSERT INTO "notes" VALUES(1,'2024-05-01T09:00:00.000000Z','newsletter','Shared in the alumni newsletter','2026-12-02T01:13:16.931237Z');
INSERT INTO "notes" VALUES(2,'2024-05-02T09:00:00.000000Z',NULL,'Talked about it on the radio','2026-12-02T01:13:16.932017Z');
CREATE TABLE short_link_claims (
            long_url    TEXT PRIMARY KEY,
            owner       TEXT NOT NULL,
            until       TEXT NOT NULL,
            claimed_at  TEXT NOT NULL
        );
INSERT INTO "short_link_claims" VALUES('https://blog.example/2024/hello/?utm_source=x-claimed','build-host.invalid:4242:rnd-0794f72','2024-05-01T09:01:00.000000Z','2024-05-01T09:00:00.000000Z');
CREATE TABLE short_links (
            long_url    TEXT PRIMARY KEY,
            short_url   TEXT NOT NULL,
            bitlink_id  TEXT,
            created_at  TEXT NOT NULL
        );
INSERT INTO "short_links" VALUES('https://blog.example/2024/hello/?utm_source=x-thread','https://bit.ly/a','bit.ly/a','2026-12-02T01:13:16.925212Z');
INSERT INTO "short_links" VALUES('https://blog.example/other/','https://s.example/b',NULL,'2026-12-02T01:13:16.925879Z');
CREATE INDEX deliveries_due ON deliveries (state, due_at);
CREATE INDEX deliveries_channel ON deliveries (channel);
CREATE INDEX events_at ON events (at);
CREATE INDEX events_delivery ON events (delivery_id);
CREATE INDEX feed_entries_post ON feed_entries (post_key);
CREATE INDEX notes_at ON notes (at);
CREATE INDEX deliveries_channel_due ON deliveries (channel, state, due_at);
CREATE INDEX deliveries_channel_sent ON deliveries (channel, sent_at);
COMMIT;
PRAGMA user_version=4;
