-- Execution notifications not delivered, per kind: how many, how many a delivery was tried for, the last error.
SELECT kind, count(*) AS notifications, count(*) FILTER (WHERE attempts > 0) AS attempted,
       (array_agg(last_error ORDER BY updated_at DESC) FILTER (WHERE last_error IS NOT NULL))[1] AS last_error
  FROM migration.execution_notifications
 WHERE sent_at IS NULL
 GROUP BY kind
 ORDER BY notifications DESC, kind
