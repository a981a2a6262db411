-- Snapshots II: archive files under pgdb_tools.archive_directory (docs/archives.md).

CREATE FUNCTION snapshot_export(name text, path text DEFAULT NULL, compression text DEFAULT 'zstd')
  RETURNS text
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_export';
COMMENT ON FUNCTION snapshot_export(text, text, text) IS
  'Writes a snapshot as one archive file under pgdb_tools.archive_directory; returns its full path';

CREATE FUNCTION snapshot_import(path text, name text DEFAULT NULL) RETURNS bigint
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_snapshot_import';
COMMENT ON FUNCTION snapshot_import(text, text) IS
  'Reads an archive file back as a new snapshot of the caller; returns its id';

CREATE FUNCTION archive_verify(path text)
  RETURNS TABLE(source text, rows bigint, ok boolean, detail text)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_archive_verify';
COMMENT ON FUNCTION archive_verify(text) IS
  'Checks every checksum, row count and the SHA-256 of an archive file, per table, without importing it';

CREATE FUNCTION archives()
  RETURNS TABLE(path text, bytes bigint, created_at timestamptz, snapshot_name text, tables integer,
                total_rows bigint, ok boolean)
  LANGUAGE C AS 'MODULE_PATHNAME', 'pgdb_tools_archives';
COMMENT ON FUNCTION archives() IS
  'The archive files in pgdb_tools.archive_directory (ok: their trailer checks)';
