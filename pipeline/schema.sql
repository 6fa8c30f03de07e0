-- sohoa archive schema, version 3. Created and migrated by pipeline.archive.
-- Field names of `documents` follow ../shared/dev/schema.md (the record contract).

CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);

CREATE TABLE IF NOT EXISTS files (
    file_id     INTEGER PRIMARY KEY,
    path        TEXT NOT NULL,          -- path as given on the last run
    sha256      TEXT UNIQUE,            -- content hash: the idempotency key (NULL: the file could not be read)
    size        INTEGER,
    kind        TEXT,                   -- text | pdf_text | pdf_image | image
    pages       INTEGER,
    status      TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),  -- skipped: not_a_document
    error_kind  TEXT,                   -- e.g. corrupt, encrypted_pdf, empty_file, not_a_document
    error       TEXT,                   -- message naming the file and the cause
    started_at  TEXT,
    finished_at TEXT,
    seconds_ocr     REAL,
    seconds_restore REAL,
    seconds_extract REAL,
    seconds_total   REAL,
    document_json   TEXT,               -- sohoa.document.Document.export() with restored tokens
    reports_json    TEXT                -- per-stage reports, e.g. the restorer's counts
);
CREATE INDEX IF NOT EXISTS files_path ON files(path);

CREATE TABLE IF NOT EXISTS pages (
    file_id   INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
    page      INTEGER NOT NULL,         -- 1-based
    source    TEXT,                     -- text | text_layer | ocr
    raw_text  TEXT,                     -- what the engine / text file gave
    text      TEXT,                     -- after restoration
    mean_conf REAL,                     -- Tesseract mean word confidence, NULL for text
    low_confidence INTEGER DEFAULT 0,
    width INTEGER, height INTEGER, dpi INTEGER,
    flags     TEXT,                     -- JSON list of page flags, e.g. ["low_confidence", "rotated"]
    PRIMARY KEY (file_id, page)
);

CREATE TABLE IF NOT EXISTS tokens (     -- restored tokens with confidences, for review
    file_id INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
    page    INTEGER NOT NULL,
    line    INTEGER NOT NULL,           -- line index within the page
    idx     INTEGER NOT NULL,           -- token index within the line
    text    TEXT, source TEXT, conf REAL, changed INTEGER,
    x0 INTEGER, y0 INTEGER, x1 INTEGER, y1 INTEGER,
    PRIMARY KEY (file_id, page, line, idx)
);

CREATE TABLE IF NOT EXISTS documents (
    doc_id    INTEGER PRIMARY KEY,
    file_id   INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,         -- position of the document within the file (0-based)
    doc_type  TEXT, number TEXT, symbol TEXT, code TEXT, issuer TEXT, place TEXT,
    date      TEXT, subject TEXT,
    page_from INTEGER, page_to INTEGER,
    text      TEXT,                     -- the document's (restored) text
    record_json TEXT NOT NULL,          -- the full record as `sohoa extract --format json` prints it
    source_json TEXT,                   -- provenance: spans, pages, boxes
    issuer_canonical TEXT,              -- the gazetteer's name of the issuer (extract.canonical), NULL if unknown
    issuer_id TEXT,                     -- its stable id, e.g. uy-ban-nhan-dan-tinh-kien-giang
    search_text TEXT,                   -- what search indexes when reviewers corrected it (else `text`)
    UNIQUE (file_id, seq)
);
CREATE INDEX IF NOT EXISTS documents_issuer_id ON documents(issuer_id);
CREATE INDEX IF NOT EXISTS documents_code ON documents(code);
CREATE INDEX IF NOT EXISTS documents_date ON documents(date);

CREATE TABLE IF NOT EXISTS signers (
    doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, authority TEXT, position TEXT, name TEXT
);
CREATE TABLE IF NOT EXISTS recipients (
    doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, recipient TEXT, recipient_canonical TEXT, recipient_id TEXT
);
CREATE TABLE IF NOT EXISTS refs (
    doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, doc_type TEXT, code TEXT, date TEXT, issuer TEXT
);
CREATE INDEX IF NOT EXISTS refs_code ON refs(code);
CREATE TABLE IF NOT EXISTS tasks (
    doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, assignee TEXT, role TEXT, partners_json TEXT, action TEXT, deadline TEXT,
    assignee_canonical TEXT, assignee_id TEXT
);
CREATE TABLE IF NOT EXISTS task_partners (  -- tasks.partners_json, a row per partner
    doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    task_seq INTEGER NOT NULL, seq INTEGER NOT NULL, partner TEXT, partner_canonical TEXT, partner_id TEXT
);
CREATE TABLE IF NOT EXISTS deadlines (
    doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, text TEXT, date TEXT
);

-- Reviewer corrections: machine output is never overwritten.
CREATE TABLE IF NOT EXISTS corrections (
    correction_id INTEGER PRIMARY KEY,
    doc_id  INTEGER REFERENCES documents(doc_id) ON DELETE SET NULL,
    file_sha256 TEXT,                   -- survives a --force re-run that renumbers doc_id
    target  TEXT NOT NULL CHECK (target IN ('field', 'token')),
    field   TEXT,                       -- record field name, for target = field
    page INTEGER, line INTEGER, idx INTEGER,  -- token position, for target = token
    old_value TEXT, new_value TEXT,
    reviewer TEXT, created_at TEXT
);

-- Run reports: one row per run, one row per file of the run.
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, started_at TEXT, finished_at TEXT, args TEXT,
    files_ok INTEGER, files_failed INTEGER, files_skipped INTEGER, pages INTEGER,
    documents INTEGER, seconds REAL, status TEXT        -- status: running | done | interrupted
);
CREATE TABLE IF NOT EXISTS run_files (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    path TEXT, sha256 TEXT, status TEXT CHECK (status IN ('ok', 'failed', 'skipped')),
    error_kind TEXT, error TEXT, seconds REAL, pages INTEGER, documents INTEGER
);

-- Full-text search over documents.text (external content: datasette's own search finds it).
-- The tokenizer drops tone and vowel marks but keeps đ; sohoa search folds the query and asks for
-- d and đ at a word's start (Vietnamese has d/đ only there), so `dang uy` finds `Đảng ủy`, and
-- datasette's `Đảng` finds it too. Triggers keep the index in step with the documents rows; it
-- holds `search_text` (the text with reviewers' corrections, pipeline.review_store) where set.
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    text, content="documents", content_rowid="doc_id", tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts(rowid, text) VALUES (new.doc_id, coalesce(new.search_text, new.text));
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', old.doc_id, coalesce(old.search_text, old.text));
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_update AFTER UPDATE OF text, search_text ON documents BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', old.doc_id, coalesce(old.search_text, old.text));
    INSERT INTO documents_fts(rowid, text) VALUES (new.doc_id, coalesce(new.search_text, new.text));
END;

-- BEGIN v3 (the review workflow; the v3 migration creates it with the rest, pipeline.archive_migrations)
-- Where each file is: absolute path when stored, and the directory `sohoa run` ran in (relative
-- page_files of an image set resolve against it). files.path keeps the path as given.
CREATE TABLE IF NOT EXISTS file_paths (
    file_id  INTEGER PRIMARY KEY REFERENCES files(file_id) ON DELETE CASCADE,
    abs_path TEXT NOT NULL,
    run_dir  TEXT
);

-- Review states, appended (the newest row of a document is its state). Keyed by the file's content
-- hash and the document's position in it, which re-runs keep; doc_id is informational.
CREATE TABLE IF NOT EXISTS reviews (
    review_id   INTEGER PRIMARY KEY,
    doc_id      INTEGER,
    file_sha256 TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('to_review', 'reviewed')),
    reviewer    TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_doc ON reviews(file_sha256, seq);
CREATE INDEX IF NOT EXISTS corrections_doc ON corrections(doc_id, field);

-- The newest correction of each field of a document, and of each token of a file.
CREATE VIEW IF NOT EXISTS corrections_latest AS
SELECT correction_id, doc_id, file_sha256, target, field, page, line, idx, old_value, new_value, reviewer, created_at
FROM (
    SELECT c.*, row_number() OVER (PARTITION BY c.doc_id, c.field ORDER BY c.correction_id DESC) AS rn
    FROM corrections c WHERE c.target = 'field' AND c.doc_id IS NOT NULL
    UNION ALL
    SELECT c.*, row_number() OVER (PARTITION BY c.file_sha256, c.page, c.line, c.idx ORDER BY c.correction_id DESC)
    FROM corrections c WHERE c.target = 'token'
) WHERE rn = 1;

-- The newest review state of each document (file_sha256, seq).
CREATE VIEW IF NOT EXISTS review_status AS
SELECT review_id, doc_id, file_sha256, seq, status, reviewer, created_at FROM (
    SELECT r.*, row_number() OVER (PARTITION BY r.file_sha256, r.seq ORDER BY r.review_id DESC) AS rn FROM reviews r
) WHERE rn = 1;

-- documents with the reviewed values: machine values overlaid by the newest corrections.
CREATE VIEW IF NOT EXISTS documents_reviewed AS
WITH fix AS (
    SELECT doc_id, group_concat(field, ',') AS corrected_fields,
        max(field = 'doc_type') AS c_doc_type, max(CASE WHEN field = 'doc_type' THEN new_value END) AS v_doc_type,
        max(field = 'number') AS c_number, max(CASE WHEN field = 'number' THEN new_value END) AS v_number,
        max(field = 'symbol') AS c_symbol, max(CASE WHEN field = 'symbol' THEN new_value END) AS v_symbol,
        max(field = 'code') AS c_code, max(CASE WHEN field = 'code' THEN new_value END) AS v_code,
        max(field = 'issuer') AS c_issuer, max(CASE WHEN field = 'issuer' THEN new_value END) AS v_issuer,
        max(field = 'place') AS c_place, max(CASE WHEN field = 'place' THEN new_value END) AS v_place,
        max(field = 'date') AS c_date, max(CASE WHEN field = 'date' THEN new_value END) AS v_date,
        max(field = 'subject') AS c_subject, max(CASE WHEN field = 'subject' THEN new_value END) AS v_subject,
        json_group_object(field, CASE WHEN field IN ('recipients', 'signers', 'references', 'tasks', 'deadlines') THEN json(new_value) ELSE new_value END) AS patch
    FROM (SELECT * FROM corrections_latest WHERE target = 'field' ORDER BY field) GROUP BY doc_id
)
SELECT d.doc_id, d.file_id, f.path, f.sha256, d.seq,
    CASE WHEN fix.c_doc_type THEN fix.v_doc_type ELSE d.doc_type END AS doc_type,
    CASE WHEN fix.c_number THEN fix.v_number ELSE d.number END AS number,
    CASE WHEN fix.c_symbol THEN fix.v_symbol ELSE d.symbol END AS symbol,
    CASE WHEN fix.c_code THEN fix.v_code ELSE d.code END AS code,
    CASE WHEN fix.c_issuer THEN fix.v_issuer ELSE d.issuer END AS issuer,
    CASE WHEN fix.c_place THEN fix.v_place ELSE d.place END AS place,
    CASE WHEN fix.c_date THEN fix.v_date ELSE d.date END AS date,
    CASE WHEN fix.c_subject THEN fix.v_subject ELSE d.subject END AS subject,
    d.page_from, d.page_to, d.text,
    CASE WHEN fix.patch IS NULL THEN d.record_json ELSE json_patch(d.record_json, fix.patch) END AS record_json,
    d.source_json,
    COALESCE(fix.corrected_fields, '') AS corrected_fields,
    COALESCE(s.status, 'to_review') AS review_status, s.reviewer AS reviewed_by, s.created_at AS reviewed_at
FROM documents d JOIN files f ON f.file_id = d.file_id
LEFT JOIN fix ON fix.doc_id = d.doc_id
LEFT JOIN review_status s ON s.file_sha256 = f.sha256 AND s.seq = d.seq;
-- END v3
