-- Accord store schema. PRAGMA user_version holds the schema version (see migrations.py).
CREATE TABLE IF NOT EXISTS institutions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    family TEXT NOT NULL,
    is_known INTEGER NOT NULL DEFAULT 1
);

-- Schema 6: documents.encoding, how a text file's bytes were decoded ("utf-8", "cp1252 (detected)",
-- ...); NULL for PDF and DOCX.
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    is_current INTEGER NOT NULL DEFAULT 1,
    institution_id TEXT NOT NULL REFERENCES institutions(id),
    organisation TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER,
    document_type TEXT,
    language TEXT,
    detected_language TEXT,
    is_mixed_language INTEGER NOT NULL DEFAULT 0,
    languages TEXT NOT NULL DEFAULT '{}',
    source TEXT NOT NULL,
    url TEXT,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    n_pages INTEGER NOT NULL,
    n_passages INTEGER NOT NULL,
    n_words INTEGER NOT NULL,
    cleaning TEXT NOT NULL DEFAULT '{}',
    flags TEXT NOT NULL DEFAULT '[]',
    meta TEXT NOT NULL DEFAULT '{}',
    shingles BLOB,
    run_id TEXT,
    ingested_at TEXT NOT NULL,
    encoding TEXT
);
CREATE INDEX IF NOT EXISTS documents_key ON documents(key);

CREATE TABLE IF NOT EXISTS pages (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (document_id, number)
);

CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    n_words INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_document ON passages(document_id, ordinal);
CREATE INDEX IF NOT EXISTS passages_hash ON passages(text_hash);

CREATE VIRTUAL TABLE IF NOT EXISTS passages_fts USING fts5(
    text, content='passages', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
);
-- New passages are indexed by their writer (CorpusStore.add_document), a document at a time
-- in the same transaction: an AFTER INSERT trigger per row cost three times as much.
CREATE TRIGGER IF NOT EXISTS passages_after_delete AFTER DELETE ON passages BEGIN
    INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;

CREATE TABLE IF NOT EXISTS near_duplicates (
    document_a TEXT NOT NULL,
    document_b TEXT NOT NULL,
    containment REAL NOT NULL,
    jaccard REAL NOT NULL,
    PRIMARY KEY (document_a, document_b)
);

-- Schema 6: pid and host of the process running a run, so a run whose process died is known
-- as interrupted (see runs.py).
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    command TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    accord_version TEXT NOT NULL,
    stats TEXT NOT NULL DEFAULT '{}',
    pid INTEGER,
    host TEXT
);

CREATE TABLE IF NOT EXISTS skipped (
    source TEXT NOT NULL,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    row INTEGER,
    run_id TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (source, stage)
);

-- Schema 2: coding.
CREATE TABLE IF NOT EXISTS codebooks (
    digest TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    yaml TEXT NOT NULL,
    added_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS coded_passages (
    passage_id TEXT NOT NULL,
    codebook_digest TEXT NOT NULL,
    coder TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (passage_id, codebook_digest, coder)
);

CREATE TABLE IF NOT EXISTS assignments (
    passage_id TEXT NOT NULL,
    codebook_digest TEXT NOT NULL,
    coder TEXT NOT NULL,
    dimension TEXT NOT NULL,
    category TEXT NOT NULL,
    score REAL NOT NULL,
    method TEXT NOT NULL,
    evidence TEXT NOT NULL,
    -- Codebook first: a coding run appends to the table instead of writing all over it.
    PRIMARY KEY (codebook_digest, coder, passage_id, dimension, category)
);
CREATE INDEX IF NOT EXISTS assignments_by_category
    ON assignments(codebook_digest, coder, dimension, category);

-- No longer written: vectors are cached per user (store/vector_cache.py). Kept so that a store
-- stays readable by the versions that wrote it.
CREATE TABLE IF NOT EXISTS embeddings (
    text_hash TEXT NOT NULL,
    model_id TEXT NOT NULL,
    vector BLOB NOT NULL,
    sentence_spans BLOB NOT NULL,
    sentence_vectors BLOB NOT NULL,
    PRIMARY KEY (text_hash, model_id)
);

CREATE TABLE IF NOT EXISTS human_labels (
    sample TEXT NOT NULL,
    item_id TEXT NOT NULL,
    coder TEXT NOT NULL,
    dimension TEXT NOT NULL,
    categories TEXT NOT NULL,
    passage_id TEXT,
    text_hash TEXT,
    PRIMARY KEY (sample, item_id, coder, dimension)
);

CREATE TABLE IF NOT EXISTS validation_results (
    id TEXT PRIMARY KEY,
    sample TEXT NOT NULL,
    codebook_digest TEXT NOT NULL,
    coder TEXT NOT NULL,
    created_at TEXT NOT NULL,
    results TEXT NOT NULL
);

-- Schema 5: analysis tables. Each is a real table `analysis_<name>` (created when the analysis
-- is saved); this catalog holds its stamp, settings and column types (JSON [[name, dtype]]).
-- Schemas 3 and 4 kept them as Parquet bytes in a table `analysis_tables`.
CREATE TABLE IF NOT EXISTS analysis_catalog (
    name TEXT PRIMARY KEY,
    table_name TEXT NOT NULL UNIQUE,
    columns TEXT NOT NULL,
    stamp TEXT NOT NULL,
    settings TEXT NOT NULL
);

-- Schema 5: people's reviews of machine codes. Appended, never updated: the latest review of a
-- passage's dimension by a reviewer is their verdict; machine assignments are never touched.
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    passage_id TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dimension TEXT NOT NULL,
    categories TEXT NOT NULL,
    machine_categories TEXT NOT NULL,
    codebook_digest TEXT NOT NULL,
    coder TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_by_passage ON reviews(passage_id, dimension, reviewer);
