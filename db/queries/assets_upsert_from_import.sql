-- Merges an import's valid records into the engagement's assets, set-based (ADR-0007).
-- 1. Records of one server are grouped: records sharing a key are linked (connected components),
--    nat/ext keys always, host unless the records carry two external ids, ip/mac/serial/name
--    unless they carry two external ids or two hosts (migration.asset_match_keys); no key but an
--    external id links records with two serials. Records with two hosts (hostname, else the FQDN's
--    host part) sharing an FQDN or IP (a copy-paste) stay apart; an FQDN or host in several groups
--    becomes an 'asset' conflict (an IP of two hosts does not: a VIP). A name alone never splits.
-- 2. A group goes to the existing asset it matches by its strongest key (nat, ext, host, ip, mac,
--    serial, name; ext also every id an asset was known by, asset_external_ids); an
--    ip/mac/serial/name match between a group and an asset with different hosts is no match, nor
--    one with another serial than an asset whose name came from the same file. Other assets it matches
--    become 'asset' conflicts, never merged. Every external and CMDB id of a record is kept for its
--    asset in asset_external_ids.
-- 3. Per column: the group's freshest row with a value is its candidate (latest update or discovery
--    date among its custom attributes, compared as timestamps, then the last row). NULL never overwrites; an
--    empty asset column takes it; a different value replaces the asset's when, in this order: a
--    person's decision is never replaced; both records are dated and the candidate's is later (the
--    replaced value becomes a resolved conflict; an older one does not replace); the candidate's
--    source ranks higher ($6; the replaced value becomes an open conflict; a lower one does not
--    replace); the value came from an earlier or the same import of the same file name and format.
--    Otherwise it is kept and the candidate becomes a conflict. Address lists gain new addresses;
--    tags/custom attributes gain new keys (the same file's newer import also replaces values). Every
--    incoming value not equal to the merged one is a conflict, once per asset, column and pair of values.
-- 4. field_lineage names the import, row, format and record date (if any) of every value set; the
--    row-level lineage columns name the last record that changed the asset. Unchanged assets are not written.
-- Returns "UPDATE <records linked>". $1 import, $2 client, $3 engagement, $4 master flow, $5 discovery flow,
-- $6 source ranks by format (domain.discovery.source_priority; a format not named ranks 0).
-- A natural key or external id is looked up by its MD5 digest, the expression of its index (schema 0025).
WITH RECURSIVE imp AS (
    SELECT d.file_name, d.source_format, d.created_at, coalesce(($6::jsonb ->> d.source_format)::int, 0) AS priority
    FROM migration.data_imports d WHERE d.id = $1
), rec AS (
    SELECT r.*, nullif(btrim(r.c ->> 'external_id'), '') AS ext,
           migration.asset_host_key(r.c ->> 'hostname', r.c ->> 'fqdn') AS host,
           nullif(lower(btrim(r.c ->> 'serial_number')), '') AS serial,
           nullif(rtrim(lower(btrim(r.c ->> 'fqdn')), '.'), '') AS fqdn, d.fresh_at,
           -- the latest date as written (ISO after cleansing), for lineage and resolutions
           to_char(d.fresh_at, CASE WHEN d.fresh_at = date_trunc('day', d.fresh_at) THEN 'YYYY-MM-DD'
                                    ELSE 'YYYY-MM-DD HH24:MI:SS' END) AS fresh
    FROM (
        -- cleansed_data || '{}' (OFFSET 0): each record's values read out of TOAST once, not once per key
        SELECT r.row_number, r.natural_key, r.cleansed_data || '{}' AS c, r.raw_data, r.cleansing_changes
        FROM migration.raw_import_records r
        WHERE r.data_import_id = $1 AND r.status IN ('valid', 'processed') AND r.natural_key IS NOT NULL
        OFFSET 0
    ) r
    -- freshness: the record's latest update or discovery date, as a timestamp (not its file's export date: the
    -- same for every row); a value that is not a date is none
    CROSS JOIN LATERAL (
        SELECT max(v.iso::timestamp) AS fresh_at
        FROM jsonb_each_text(CASE WHEN jsonb_typeof(r.c -> 'custom_attributes') = 'object'
                                  THEN r.c -> 'custom_attributes' END) x
        CROSS JOIN LATERAL (SELECT substring(x.value FROM '^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?') AS iso) v
        WHERE x.key ~* '(updated|modified|last[ _]*seen|discovered)' AND pg_input_is_valid(v.iso, 'timestamp')
    ) d
), rec_keys AS (
    SELECT r.row_number, k.rank, k.kind, k.value
    FROM rec r CROSS JOIN LATERAL migration.asset_match_keys(r.natural_key, r.c) k
), shared_keys AS (
    SELECT k.kind, k.value, min(k.row_number) AS anchor
    FROM rec_keys k JOIN rec r USING (row_number)
    -- most keys are unique: only those given more than once are grouped with their records' ids and hosts
    WHERE (k.kind, k.value) IN (SELECT kind, value FROM rec_keys GROUP BY kind, value HAVING count(*) > 1)
    GROUP BY k.kind, k.value, k.rank
    HAVING count(*) > 1
       AND (k.kind = 'ext' OR k.value LIKE 'ext:%'
            -- not when their serials disagree (two boxes); two hosts are tested below, a name alone never splits
            OR count(DISTINCT r.serial) <= 1
               AND (k.rank <= 1 OR count(DISTINCT r.ext) <= 1 AND (k.rank = 2 OR count(DISTINCT r.host) <= 1)))
), links AS (
    SELECT DISTINCT k.row_number, s.anchor FROM rec_keys k JOIN shared_keys s USING (kind, value)
    WHERE k.row_number <> s.anchor
), edges AS (
    SELECT row_number AS a, anchor AS b FROM links UNION ALL SELECT anchor, row_number FROM links
), reach (row_number, label) AS (
    -- the component's smallest row reaches every member: a label only travels to larger rows
    SELECT a, a FROM edges
    UNION
    SELECT e.b, x.label FROM reach x JOIN edges e ON e.a = x.row_number WHERE x.label < e.b
), grp AS (
    SELECT r.row_number, coalesce(min(x.label), r.row_number) AS grp, count(x.label) = 0 AS alone
    FROM rec r LEFT JOIN reach x USING (row_number)
    GROUP BY r.row_number
), split_keys AS (
    SELECT row_number, kind, value FROM rec_keys WHERE kind IN ('host', 'ip') OR value LIKE 'host:%'
    UNION ALL
    SELECT row_number, 'fqdn', fqdn FROM rec WHERE fqdn IS NOT NULL
), split AS (
    -- a host, FQDN or IP several groups of this import carry (their identifiers disagreed: two hostnames sharing
    -- an FQDN, two serials): each group after the first is a conflict with the first, both kept. Not an IP of
    -- two hosts (a shared VIP).
    SELECT k.kind, k.value, g.grp, min(k.row_number) AS row_number,
           min(g.grp) OVER (PARTITION BY k.kind, k.value) AS first_grp
    FROM split_keys k JOIN grp g USING (row_number)
    WHERE (k.kind, k.value) IN (
        SELECT s.kind, s.value FROM split_keys s JOIN grp sg USING (row_number) JOIN rec r USING (row_number)
        GROUP BY s.kind, s.value
        HAVING count(DISTINCT sg.grp) > 1 AND (s.kind <> 'ip' OR count(DISTINCT r.host) <= 1))
    GROUP BY k.kind, k.value, g.grp
), asset_keys AS (
    SELECT a.id AS asset_id, k.rank, k.kind, k.value
    FROM migration.assets a
    CROSS JOIN LATERAL migration.asset_match_keys(a.natural_key, jsonb_build_object(
        'external_id', a.external_id, 'hostname', a.hostname, 'fqdn', a.fqdn, 'ip_address', a.ip_address,
        'ip_addresses', a.ip_addresses, 'mac_address', a.mac_address, 'mac_addresses', a.mac_addresses,
        'serial_number', a.serial_number, 'name', a.name)) k
    WHERE a.engagement_id = $3
    UNION ALL
    -- every external id a merged asset was known by (schema 0022)
    SELECT x.asset_id, 1, 'ext', x.external_id FROM migration.asset_external_ids x WHERE x.engagement_id = $3
), same_file_ids AS (
    -- assets whose name came from this file (an earlier import of the same file name and format): their serial
    -- is compared with the records' as within the import; other sources may give a box's serial another way
    SELECT a.id AS asset_id, nullif(lower(btrim(a.serial_number)), '') AS serial
    FROM migration.assets a
    JOIN migration.data_imports d ON d.id = (a.field_lineage #>> '{name,data_import_id}')::uuid
    JOIN imp ON d.file_name = imp.file_name AND d.source_format IS NOT DISTINCT FROM imp.source_format
    WHERE a.engagement_id = $3
), matches AS (
    SELECT DISTINCT ON (g.grp, ak.asset_id) g.grp, ak.asset_id, k.rank, k.row_number
    FROM rec_keys k JOIN asset_keys ak USING (kind, value) JOIN grp g USING (row_number)
    JOIN rec r USING (row_number) LEFT JOIN same_file_ids ai USING (asset_id)
    WHERE k.kind = 'ext' OR k.value LIKE 'ext:%' OR ai.asset_id IS NULL
       OR NOT coalesce(r.serial <> ai.serial, false)
    ORDER BY g.grp, ak.asset_id, k.rank, k.row_number
), usable_matches AS (
    SELECT m.* FROM matches m
    WHERE m.rank < 3
       OR m.grp NOT IN (SELECT g.grp FROM grp g JOIN rec r USING (row_number) WHERE r.host IS NOT NULL)
       OR m.asset_id NOT IN (SELECT asset_id FROM asset_keys WHERE kind = 'host')
), target AS (
    SELECT DISTINCT ON (grp) grp, asset_id FROM usable_matches ORDER BY grp, rank, asset_id
), unit AS (
    -- one asset per group: the matched one, or a new id (a volatile CTE is evaluated once)
    SELECT g.grp, coalesce(t.asset_id, gen_random_uuid()) AS asset_id, t.asset_id IS NULL AS is_new
    FROM (SELECT DISTINCT grp FROM grp) g LEFT JOIN target t USING (grp)
), rec_unit AS (
    SELECT g.row_number, u.asset_id, u.is_new, g.alone FROM grp g JOIN unit u USING (grp)
), solo AS (
    -- a record alone in its group that matches no asset and whose external id no asset holds: the new
    -- asset takes its values as they are (no candidates to choose, nothing kept, no conflicts)
    SELECT u.row_number, u.asset_id, r.c, r.fresh FROM rec_unit u JOIN rec r USING (row_number)
    WHERE u.is_new AND u.alone AND NOT EXISTS (
        SELECT 1 FROM migration.assets t
        WHERE t.engagement_id = $3 AND md5(t.external_id) = md5(r.c ->> 'external_id')
          AND t.external_id = r.c ->> 'external_id')
), also_matched AS (
    -- a record that also matches an asset no group of this import goes to: reported, not merged
    SELECT DISTINCT ON (t.asset_id, m.asset_id) t.asset_id, m.asset_id AS other_asset_id, m.row_number
    FROM usable_matches m JOIN target t USING (grp)
    WHERE m.asset_id <> t.asset_id AND m.asset_id NOT IN (SELECT asset_id FROM target)
    ORDER BY t.asset_id, m.asset_id, m.row_number
), fields (field) AS (
    VALUES ('name'), ('external_id'), ('cmdb_id'), ('hostname'), ('fqdn'), ('asset_type'), ('source_class'),
        ('description'),
        ('serial_number'), ('bios_uuid'), ('manufacturer'), ('model'), ('ip_address'), ('ip_addresses'),
        ('mac_address'), ('mac_addresses'), ('operating_system'), ('os_family'), ('os_version'),
        ('os_architecture'), ('cpu_cores'), ('cpu_sockets'), ('cpu_mhz'), ('memory_gb'), ('storage_gb'),
        ('storage_used_gb'), ('disk_count'), ('network_adapters'), ('is_virtual'), ('is_template'),
        ('vm_hardware_version'), ('hypervisor'), ('power_state'), ('lifecycle_state'), ('operational_state'), ('datacenter'), ('cluster'), ('host_name'),
        ('location'), ('environment'), ('application_name'), ('business_owner'), ('technical_owner'),
        ('department'), ('business_unit'), ('business_criticality'), ('data_classification'), ('tags'),
        ('custom_attributes'), ('cpu_utilization_avg'), ('cpu_utilization_peak'), ('memory_utilization_avg'),
        ('memory_utilization_peak'), ('disk_iops_avg'), ('disk_iops_peak'), ('disk_throughput_mbps'),
        ('network_throughput_mbps'), ('current_monthly_cost'), ('cost_currency'), ('database_engine'),
        ('requested_wave'), ('target_region')
), incoming AS (
    SELECT u.asset_id, r.row_number, r.fresh, r.fresh_at, f.key AS field, f.value, jsonb_typeof(f.value) AS type
    FROM rec r JOIN rec_unit u USING (row_number)
    CROSS JOIN LATERAL jsonb_each(r.c) f
    WHERE f.key IN (SELECT field FROM fields) AND f.value NOT IN ('null', '[]', '{}')
      AND r.row_number NOT IN (SELECT row_number FROM solo)
), cur AS (
    SELECT a.id AS asset_id, a AS asset, to_jsonb(a) AS j, a.field_lineage
    FROM migration.assets a
    WHERE a.id IN (SELECT asset_id FROM unit WHERE NOT is_new)
), updatable AS (
    -- asset columns whose value came from this file (same name and format) in this or an earlier import
    SELECT c.asset_id, l.key AS field
    FROM cur c CROSS JOIN LATERAL jsonb_each(c.field_lineage) l
    JOIN migration.data_imports d ON d.id = (l.value ->> 'data_import_id')::uuid
    JOIN imp ON d.file_name = imp.file_name AND d.source_format IS NOT DISTINCT FROM imp.source_format
        AND d.created_at <= imp.created_at
), candidate AS (
    -- per asset and column: the incoming value (lists: new addresses; maps: entries by last row)
    (SELECT DISTINCT ON (asset_id, field) asset_id, field, value, row_number, fresh, fresh_at,
            count(*) OVER (PARTITION BY asset_id, field) AS values_given
     FROM incoming WHERE type NOT IN ('array', 'object')
     ORDER BY asset_id, field, fresh_at DESC NULLS LAST, row_number DESC)
    UNION ALL
    SELECT e.asset_id, e.field, jsonb_agg(e.value ORDER BY e.row_number, e.ord), max(e.row_number), NULL, NULL, 1
    FROM (SELECT DISTINCT ON (i.asset_id, i.field, x.value) i.asset_id, i.field, x.value, i.row_number, x.ord
          FROM incoming i CROSS JOIN LATERAL jsonb_array_elements(i.value) WITH ORDINALITY x(value, ord)
          WHERE i.type = 'array'
          ORDER BY i.asset_id, i.field, x.value, i.row_number, x.ord) e
    GROUP BY e.asset_id, e.field
    UNION ALL
    SELECT e.asset_id, e.field, jsonb_object_agg(e.key, e.value), max(e.row_number), NULL, NULL, 1
    FROM (SELECT DISTINCT ON (i.asset_id, i.field, x.key) i.asset_id, i.field, x.key, x.value, i.row_number
          FROM incoming i CROSS JOIN LATERAL jsonb_each(i.value) x
          WHERE i.type = 'object'
          ORDER BY i.asset_id, i.field, x.key, i.fresh_at DESC NULLS LAST, i.row_number DESC) e
    GROUP BY e.asset_id, e.field
), merged AS (
    SELECT c.asset_id, c.field, c.row_number, c.fresh, c.value AS candidate, c.values_given, o.old, o.src, w.wins,
           CASE
               -- an external id another asset holds is never copied (it stays a conflict)
               WHEN c.field = 'external_id' AND EXISTS (
                   SELECT 1 FROM migration.assets t
                   WHERE t.engagement_id = $3 AND md5(t.external_id) = md5(c.value #>> '{}')
                     AND t.external_id = c.value #>> '{}' AND t.id <> c.asset_id
                   UNION ALL
                   SELECT 1 FROM migration.asset_external_ids t
                   WHERE t.engagement_id = $3 AND md5(t.external_id) = md5(c.value #>> '{}')
                     AND t.external_id = c.value #>> '{}' AND t.asset_id <> c.asset_id)
                   THEN o.old
               WHEN o.old IS NULL THEN c.value
               WHEN jsonb_typeof(c.value) = 'array' THEN
                   o.old || coalesce((SELECT jsonb_agg(x.value ORDER BY x.ord)
                                      FROM jsonb_array_elements(c.value) WITH ORDINALITY x(value, ord)
                                      WHERE NOT o.old @> jsonb_build_array(x.value)), '[]')
               WHEN jsonb_typeof(c.value) = 'object' THEN
                   CASE WHEN u.field IS NULL THEN c.value || o.old ELSE o.old || c.value END
               WHEN w.wins IS NOT NULL AND NOT migration.asset_value_same(c.field, c.value, o.old) THEN c.value
               ELSE o.old
           END AS new
    FROM candidate c
    CROSS JOIN imp
    LEFT JOIN cur ON cur.asset_id = c.asset_id
    LEFT JOIN updatable u ON u.asset_id = c.asset_id AND u.field = c.field
    CROSS JOIN LATERAL (SELECT nullif(cur.j -> c.field, 'null') AS old, cur.field_lineage -> c.field AS src) o
    CROSS JOIN LATERAL (SELECT CASE WHEN pg_input_is_valid(o.src ->> 'record_date', 'timestamp')
                                    THEN (o.src ->> 'record_date')::timestamp END AS old_at) od
    -- why the candidate may replace the asset's value (NULL: it may not); a person's decision names no import
    CROSS JOIN LATERAL (SELECT CASE
        WHEN o.src ->> 'data_import_id' IS NULL THEN NULL
        WHEN c.fresh_at <> od.old_at THEN CASE WHEN c.fresh_at > od.old_at THEN 'fresher' END
        WHEN imp.priority <> coalesce(($6::jsonb ->> (o.src ->> 'source_format'))::int, 0)
            THEN CASE WHEN imp.priority > coalesce(($6::jsonb ->> (o.src ->> 'source_format'))::int, 0) THEN 'priority' END
        WHEN u.field IS NOT NULL THEN 'same source'
    END AS wins) w
), disputed AS (
    -- plain columns where the group gave several values or its value was kept out
    SELECT m.asset_id, m.field, m.new FROM merged m
    WHERE jsonb_typeof(m.candidate) NOT IN ('array', 'object')
      AND (m.values_given > 1 OR m.new IS NULL OR NOT migration.asset_value_same(m.field, m.candidate, m.new))
), lineage AS (
    SELECT jsonb_strip_nulls(jsonb_build_object('data_import_id', $1::uuid, 'source_format', source_format)) AS imp
    FROM imp
), patch AS (
    SELECT m.asset_id, jsonb_object_agg(m.field, m.new) AS vals,
           jsonb_object_agg(m.field, jsonb_strip_nulls(jsonb_build_object('row_number', m.row_number,
                                                                          'record_date', r.fresh)) || l.imp) AS lineage,
           max(m.row_number) AS row_number
    FROM merged m CROSS JOIN lineage l JOIN rec r USING (row_number)
    WHERE m.new IS DISTINCT FROM m.old
    GROUP BY m.asset_id
    UNION ALL
    -- a solo record's values, as `candidate` and `merged` would give them: its fields with a value, lists
    -- without repeated elements (the record minus the other keys: cheaper than aggregating every value)
    SELECT s.asset_id, s.c - coalesce(v.dropped, '{}') || coalesce(v.lists, '{}'), v.lineage, s.row_number
    FROM solo s
    -- OFFSET 0: each record's lineage entry and each value's test computed once, not once per use
    CROSS JOIN LATERAL (SELECT jsonb_strip_nulls(jsonb_build_object('row_number', s.row_number, 'record_date', s.fresh))
                               || l.imp AS entry FROM lineage l OFFSET 0) e
    CROSS JOIN LATERAL (
        SELECT array_agg(f.key) FILTER (WHERE NOT f.kept) AS dropped,
               jsonb_object_agg(f.key, e.entry) FILTER (WHERE f.kept) AS lineage,
               jsonb_object_agg(f.key, (SELECT jsonb_agg(x.value ORDER BY x.ord)
                                        FROM (SELECT DISTINCT ON (a.value) a.value, a.ord
                                              FROM jsonb_array_elements(f.value) WITH ORDINALITY a(value, ord)
                                              ORDER BY a.value, a.ord) x))
                   FILTER (WHERE f.kept AND jsonb_typeof(f.value) = 'array') AS lists
        FROM (SELECT f.key, f.value,
                     f.key IN (SELECT field FROM fields) AND f.value NOT IN ('null', '[]', '{}') AS kept
              FROM jsonb_each(s.c) f OFFSET 0) f
    ) v
    WHERE v.lineage IS NOT NULL
), strongest_keys AS (
    -- a new asset's natural key: the strongest of its records' keys
    SELECT DISTINCT ON (u.asset_id) u.asset_id, r.natural_key, r.row_number
    FROM rec_unit u JOIN rec r USING (row_number)
    WHERE u.is_new
    ORDER BY u.asset_id, CASE split_part(r.natural_key, ':', 1) WHEN 'ext' THEN 0 WHEN 'host' THEN 1 ELSE 2 END,
             r.row_number
), new_keys AS (
    -- unless an asset holds it already (a copy-paste FQDN kept apart): then its import and row name it
    SELECT k.asset_id,
           CASE WHEN row_number() OVER (PARTITION BY k.natural_key ORDER BY k.row_number) > 1 OR EXISTS (
                    SELECT 1 FROM migration.assets a
                    WHERE a.engagement_id = $3 AND md5(a.natural_key) = md5(k.natural_key)
                      AND a.natural_key = k.natural_key)
                THEN 'import:' || $1::text || ':' || k.row_number ELSE k.natural_key END AS natural_key
    FROM strongest_keys k
), inserted AS (
    INSERT INTO migration.assets (
        id, client_account_id, engagement_id, natural_key,
        name, external_id, cmdb_id, hostname, fqdn, asset_type, source_class, description, serial_number, bios_uuid,
        manufacturer, model, ip_address, ip_addresses, mac_address, mac_addresses, operating_system, os_family,
        os_version, os_architecture, cpu_cores, cpu_sockets, cpu_mhz, memory_gb, storage_gb, storage_used_gb,
        disk_count, network_adapters, is_virtual, is_template, vm_hardware_version, hypervisor, power_state,
        lifecycle_state, operational_state, datacenter, cluster, host_name, location, environment, application_name, business_owner,
        technical_owner, department, business_unit, business_criticality, data_classification, tags,
        custom_attributes, cpu_utilization_avg, cpu_utilization_peak, memory_utilization_avg,
        memory_utilization_peak, disk_iops_avg, disk_iops_peak, disk_throughput_mbps, network_throughput_mbps,
        current_monthly_cost, cost_currency, database_engine, requested_wave, target_region,
        field_lineage, raw_data, data_import_id, source_row_number, cleansing_changes, master_flow_id,
        discovery_flow_id, discovered_at
    )
    SELECT p.asset_id, $2, $3, k.natural_key,
        v.name, v.external_id, v.cmdb_id, v.hostname, v.fqdn, coalesce(v.asset_type, 'server'), v.source_class,
        v.description,
        v.serial_number, v.bios_uuid, v.manufacturer, v.model, v.ip_address, coalesce(v.ip_addresses, '[]'),
        v.mac_address, coalesce(v.mac_addresses, '[]'), v.operating_system, v.os_family, v.os_version,
        v.os_architecture, v.cpu_cores, v.cpu_sockets, v.cpu_mhz, v.memory_gb, v.storage_gb, v.storage_used_gb,
        v.disk_count, v.network_adapters, v.is_virtual, v.is_template, v.vm_hardware_version, v.hypervisor,
        v.power_state, v.lifecycle_state, v.operational_state, v.datacenter, v.cluster, v.host_name, v.location, v.environment, v.application_name,
        v.business_owner, v.technical_owner, v.department, v.business_unit, v.business_criticality,
        v.data_classification, coalesce(v.tags, '{}'), coalesce(v.custom_attributes, '{}'),
        v.cpu_utilization_avg, v.cpu_utilization_peak, v.memory_utilization_avg, v.memory_utilization_peak,
        v.disk_iops_avg, v.disk_iops_peak, v.disk_throughput_mbps, v.network_throughput_mbps,
        v.current_monthly_cost, coalesce(v.cost_currency, 'USD'), v.database_engine, v.requested_wave,
        v.target_region, p.lineage, r.raw_data, $1, r.row_number, r.cleansing_changes, $4, $5, now()
    FROM patch p
    JOIN new_keys k USING (asset_id)
    JOIN rec r ON r.row_number = p.row_number
    CROSS JOIN LATERAL jsonb_populate_record(NULL::migration.assets, p.vals) v
), updated AS (
    UPDATE migration.assets a SET
        name = v.name, external_id = v.external_id, cmdb_id = v.cmdb_id, hostname = v.hostname, fqdn = v.fqdn,
        asset_type = v.asset_type, source_class = v.source_class, description = v.description,
        serial_number = v.serial_number,
        bios_uuid = v.bios_uuid, manufacturer = v.manufacturer, model = v.model, ip_address = v.ip_address,
        ip_addresses = v.ip_addresses, mac_address = v.mac_address, mac_addresses = v.mac_addresses,
        operating_system = v.operating_system, os_family = v.os_family, os_version = v.os_version,
        os_architecture = v.os_architecture, cpu_cores = v.cpu_cores, cpu_sockets = v.cpu_sockets,
        cpu_mhz = v.cpu_mhz, memory_gb = v.memory_gb, storage_gb = v.storage_gb,
        storage_used_gb = v.storage_used_gb, disk_count = v.disk_count, network_adapters = v.network_adapters,
        is_virtual = v.is_virtual, is_template = v.is_template, vm_hardware_version = v.vm_hardware_version,
        hypervisor = v.hypervisor, power_state = v.power_state, lifecycle_state = v.lifecycle_state,
        operational_state = v.operational_state, datacenter = v.datacenter, cluster = v.cluster,
        host_name = v.host_name, location = v.location, environment = v.environment,
        application_name = v.application_name, business_owner = v.business_owner,
        technical_owner = v.technical_owner, department = v.department, business_unit = v.business_unit,
        business_criticality = v.business_criticality, data_classification = v.data_classification,
        tags = v.tags, custom_attributes = v.custom_attributes, cpu_utilization_avg = v.cpu_utilization_avg,
        cpu_utilization_peak = v.cpu_utilization_peak, memory_utilization_avg = v.memory_utilization_avg,
        memory_utilization_peak = v.memory_utilization_peak, disk_iops_avg = v.disk_iops_avg,
        disk_iops_peak = v.disk_iops_peak, disk_throughput_mbps = v.disk_throughput_mbps,
        network_throughput_mbps = v.network_throughput_mbps, current_monthly_cost = v.current_monthly_cost,
        cost_currency = v.cost_currency, database_engine = v.database_engine, requested_wave = v.requested_wave,
        target_region = v.target_region, field_lineage = a.field_lineage || p.lineage, raw_data = r.raw_data, data_import_id = $1,
        source_row_number = r.row_number, cleansing_changes = r.cleansing_changes, master_flow_id = $4,
        discovery_flow_id = $5
    FROM patch p
    JOIN cur c USING (asset_id)
    JOIN rec r ON r.row_number = p.row_number
    CROSS JOIN LATERAL jsonb_populate_record(c.asset, p.vals) v
    WHERE a.id = p.asset_id
), aliases AS (
    -- every external and CMDB id of the records, kept for the asset they went to (the first holder keeps one)
    INSERT INTO migration.asset_external_ids (client_account_id, engagement_id, external_id, asset_id, data_import_id)
    SELECT DISTINCT ON (x.id) $2, $3, x.id, u.asset_id, $1
    FROM rec r JOIN rec_unit u USING (row_number)
    CROSS JOIN LATERAL (VALUES (r.ext), (nullif(btrim(r.c ->> 'cmdb_id'), ''))) x(id)
    WHERE x.id IS NOT NULL
    ORDER BY x.id, r.row_number
    ON CONFLICT DO NOTHING
), conflicts AS (
    INSERT INTO migration.asset_merge_conflicts AS mc
        (client_account_id, engagement_id, asset_id, field, kept_value, incoming_value, other_asset_id,
         data_import_id, row_number, status, resolution, resolved_at)
    SELECT $2, $3, x.asset_id, x.field, x.kept, x.incoming, x.other_asset_id, x.data_import_id, x.row_number,
           CASE WHEN x.resolution IS NULL THEN 'open' ELSE 'resolved' END, x.resolution,
           CASE WHEN x.resolution IS NOT NULL THEN now() END
    FROM (
        (SELECT DISTINCT ON (i.asset_id, i.field, i.value) i.asset_id, i.field, d.new AS kept,
                i.value AS incoming, NULL::uuid AS other_asset_id, $1::uuid AS data_import_id, i.row_number,
                NULL AS resolution
         FROM disputed d JOIN incoming i USING (asset_id, field)
         WHERE d.new IS NULL OR NOT migration.asset_value_same(i.field, i.value, d.new)
         ORDER BY i.asset_id, i.field, i.value, i.row_number)
        UNION ALL
        -- an asset value another source's fresher or higher-ranked record replaced, under its own import and row:
        -- settled by the record dates, open for review when only the source ranks decided
        SELECT m.asset_id, m.field, m.new, m.old, NULL, (m.src ->> 'data_import_id')::uuid,
               coalesce((m.src ->> 'row_number')::int, 0),
               CASE WHEN m.wins = 'fresher' THEN 'replaced by a record dated ' || m.fresh END
        FROM merged m
        WHERE m.wins IN ('fresher', 'priority') AND m.new IS DISTINCT FROM m.old
          AND jsonb_typeof(m.candidate) NOT IN ('array', 'object')
          AND EXISTS (SELECT 1 FROM migration.data_imports d WHERE d.id = (m.src ->> 'data_import_id')::uuid)
        UNION ALL
        SELECT asset_id, 'asset', to_jsonb(asset_id), to_jsonb(other_asset_id), other_asset_id, $1, row_number, NULL
        FROM also_matched
        UNION ALL
        (SELECT DISTINCT ON (f.asset_id, o.asset_id) f.asset_id, 'asset', to_jsonb(f.asset_id), to_jsonb(o.asset_id),
                o.asset_id, $1, s.row_number, NULL
         FROM split s JOIN unit f ON f.grp = s.first_grp JOIN unit o ON o.grp = s.grp
         WHERE s.grp <> s.first_grp AND f.asset_id <> o.asset_id
         ORDER BY f.asset_id, o.asset_id, s.row_number)
    ) x
    WHERE NOT EXISTS (
        SELECT 1 FROM migration.asset_merge_conflicts s
        WHERE s.asset_id = x.asset_id AND s.field = x.field AND s.kept_value IS NOT DISTINCT FROM x.kept
          AND s.incoming_value = x.incoming)
    ON CONFLICT DO NOTHING
)
UPDATE migration.raw_import_records r
SET asset_id = u.asset_id, status = 'processed'
FROM rec_unit u
WHERE r.data_import_id = $1 AND r.row_number = u.row_number
