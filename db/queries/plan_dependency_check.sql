-- Hard dependencies whose two ends were planned into different waves (a correct plan has none).
SELECT count(*) FROM migration.asset_dependencies d
JOIN migration.assets s ON s.id = d.source_asset_id
JOIN migration.assets t ON t.id = d.target_asset_id
WHERE d.strength = 'hard' AND s.wave_number IS NOT NULL AND t.wave_number IS NOT NULL
  AND s.wave_number <> t.wave_number
