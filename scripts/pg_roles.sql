-- Roles of a PostgreSQL sohoa archive (README "PostgreSQL"; docs/scale.md).
--
-- Run by an administrator (a superuser, or the archive's owner with CREATEROLE) in the archive's
-- database, after the first `sohoa run` has created the schema; again after upgrading sohoa (it is
-- idempotent, and a new table needs its grants):
--
--     psql "postgresql://admin@dbhost/archive" -v ON_ERROR_STOP=1 -f scripts/pg_roles.sql
--
-- It makes two group roles; people log in as members of them (README):
--
--   sohoa_analyst   reads every table and view; cannot write anything.
--   sohoa_reviewer  reads everything and appends corrections and review states (`sohoa serve`);
--                   it may set documents.search_text (search sees the reviewed text) and nothing
--                   else of the machine output.
--
-- `sohoa run` keeps connecting as the owner (the role that created the schema).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sohoa_analyst') THEN
        CREATE ROLE sohoa_analyst NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sohoa_reviewer') THEN
        CREATE ROLE sohoa_reviewer NOLOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO sohoa_analyst, sohoa_reviewer', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO sohoa_analyst, sohoa_reviewer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO sohoa_analyst, sohoa_reviewer;

-- The reviewer: corrections and review states are appended, never changed or deleted.
GRANT INSERT ON corrections, reviews TO sohoa_reviewer;
GRANT USAGE ON SEQUENCE corrections_correction_id_seq, reviews_review_id_seq TO sohoa_reviewer;
GRANT UPDATE (search_text) ON documents TO sohoa_reviewer;
