-- Views for people who open the store in Datasette or sqlite3: the tables joined, current
-- documents only, with readable column names. Kept apart from schema.sql because migrations
-- re-run schema.sql, and a view naming a table that a migration rebuilds would stop the
-- rebuild; each view is dropped and created again, so this file can be run at any time.

DROP VIEW IF EXISTS documents_with_institutions;
CREATE VIEW documents_with_institutions AS
SELECT d.id AS document_id, d.title, i.name AS institution, i.family, d.organisation,
       d.year, d.document_type, d.language, d.url, d.source AS file, d.format,
       d.n_pages AS pages, d.n_passages AS passages, d.n_words AS words
FROM documents d JOIN institutions i ON i.id = d.institution_id
WHERE d.is_current = 1;

DROP VIEW IF EXISTS passages_with_documents;
CREATE VIEW passages_with_documents AS
SELECT p.id AS passage_id, p.document_id, d.title AS document_title, i.name AS institution,
       i.family, d.year, d.document_type, d.language, d.url, p.page_start, p.page_end,
       p.n_words AS words, p.text
FROM passages p JOIN documents d ON d.id = p.document_id
JOIN institutions i ON i.id = d.institution_id
WHERE d.is_current = 1;

-- The labels of the latest completed coding run, as `accord analyse` and `accord export` use.
DROP VIEW IF EXISTS labels_with_passages;
CREATE VIEW labels_with_passages AS
WITH latest AS (
    SELECT json_extract(stats, '$.codebook_digest') AS codebook_digest,
           json_extract(stats, '$.coder') AS coder
    FROM runs WHERE stage = 'code' AND status = 'completed'
    ORDER BY started_at DESC, rowid DESC LIMIT 1
)
SELECT a.passage_id, a.dimension, a.category AS label, a.score, a.method, a.evidence,
       a.coder, i.name AS institution, i.family, d.title AS document_title, d.year,
       d.document_type, d.language, p.page_start, p.page_end, p.text, p.document_id
FROM latest
JOIN assignments a ON a.codebook_digest = latest.codebook_digest AND a.coder = latest.coder
JOIN passages p ON p.id = a.passage_id
JOIN documents d ON d.id = p.document_id
JOIN institutions i ON i.id = d.institution_id
WHERE d.is_current = 1;
