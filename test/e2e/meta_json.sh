# META.json is valid against PGXN meta-spec 1.0.0 and its versions match the control file and the
# installed library, and its PostgreSQL prereq is the oldest version the README supports. Checks
# written from the spec (https://pgxn.org/meta/spec.txt).
set -eu
meta="$REPO/META.json"
semver='^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+)?$'
licenses='agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0 mozilla_1_1 openssl perl_5 postgresql qpl_1_0 ssleay sun zlib open_source restricted unrestricted unknown'

problems=$(jq -r --arg semver "$semver" --arg licenses "$licenses" '
  def is_semver: type == "string" and test($semver);
  [
    (["name", "abstract", "maintainer", "license", "provides", "version", "meta-spec"][] as $key
      | if has($key) then empty else "\($key) is required" end),
    (if (.name | type) != "string" or (.name | test("^[^\\s/\\\\]{2,}$") | not) then "name must be 2+ characters without whitespace or slashes" else empty end),
    (if (.abstract | type) != "string" or .abstract == "" then "abstract is required" else empty end),
    (if (.version | is_semver | not) then "version must be a semantic version" else empty end),
    (if (.maintainer | type) as $t | ($t != "string" and $t != "array") then "maintainer is required" else empty end),
    (if (.license | type) == "string" and (.license as $lic | $licenses | split(" ") | any(.[]; . == $lic) | not) then "unknown license string" else empty end),
    (if (.license | type) as $t | ($t != "string" and $t != "array" and $t != "object") then "license is required" else empty end),
    (if (.provides | type) != "object" or (.provides | length) == 0 then "provides must name at least one extension"
     else (.provides | to_entries[] |
       (if (.value.file | type) != "string" then "provides.\(.key).file is required" else empty end),
       (if (.value.version | is_semver | not) then "provides.\(.key).version must be a semantic version" else empty end))
     end),
    (if .["meta-spec"].version != "1.0.0" then "meta-spec.version must be 1.0.0" else empty end),
    (if has("release_status") and ([.release_status] | inside(["stable", "testing", "unstable"]) | not) then "bad release_status" else empty end),
    (if has("prereqs") then (.prereqs | to_entries[] |
       (if ([.key] | inside(["configure", "build", "test", "runtime", "develop"]) | not) then "bad prereq phase \(.key)" else empty end),
       (.value | to_entries[] | if ([.key] | inside(["requires", "recommends", "suggests", "conflicts"]) | not) then "bad prereq relation \(.key)" else empty end))
     else empty end),
    (if has("tags") and ((.tags | type) != "array" or (.tags | map(type == "string" and length > 0 and length < 256) | all | not)) then "tags must be non-empty strings" else empty end)
  ] | .[]' "$meta")
if [ -n "$problems" ]; then echo "META.json: $problems"; exit 1; fi

# The runtime prereq is the oldest supported PostgreSQL (">= 15.0.0"): the server under test meets
# it and the README's supported versions start there.
pg_requires=$(jq -r '.prereqs.runtime.requires.PostgreSQL' "$meta")
[[ $pg_requires =~ ^(\>=\ )?([0-9]+)\.[0-9]+\.[0-9]+$ ]] ||
  { echo "prereqs.runtime.requires.PostgreSQL is '$pg_requires', not a minimum version"; exit 1; }
min_major=${BASH_REMATCH[2]}
server_num=$(psql -X -At -d postgres -c "SHOW server_version_num")
echo "META.json requires PostgreSQL $pg_requires; the server is $server_num"
[ $((server_num / 10000)) -ge "$min_major" ] || { echo "the server is older than META.json's minimum"; exit 1; }
grep -q "^PostgreSQL $min_major to [0-9]*\." "$REPO/README.md" ||
  { echo "README.md's supported versions do not start at PostgreSQL $min_major"; exit 1; }

control_version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$REPO/pgdb_tools.control")
meta_version=$(jq -r .version "$meta")
provided_version=$(jq -r '.provides.pgdb_tools.version' "$meta")
provided_file=$(jq -r '.provides.pgdb_tools.file' "$meta")
[ -f "$REPO/$provided_file" ] || { echo "provides.pgdb_tools.file $provided_file does not exist"; exit 1; }
createdb pgdb_e2e_meta
trap 'dropdb --if-exists pgdb_e2e_meta' EXIT
library_version=$(psql -X -At -d pgdb_e2e_meta -c "CREATE EXTENSION pgdb_tools" -c "SELECT pgdb_tools.version()" | tail -n 1)
echo "control $control_version, META.json $meta_version, provides $provided_version, library $library_version"
[ "$control_version" = "$meta_version" ] && [ "$meta_version" = "$provided_version" ] &&
  [ "$provided_version" = "$library_version" ]
