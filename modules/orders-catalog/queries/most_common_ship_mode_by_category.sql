-- Per category, the ship mode(s) used by the most distinct orders over every file
-- received; every tied ship mode is returned. Unknown ship modes (empty, or "not
-- available" in any case, after trimming) are left out, so a category whose orders all
-- have one has no row.
--
-- An object key uploaded more than once counts once, at its latest upload (event time,
-- then version id as a tie-break): the uploads are ranked on their own, a few rows, and
-- joined back to the lines, which therefore stream instead of being held per file by a
-- window over all lines.
WITH uploads AS (
    SELECT DISTINCT
        coalesce(source_bucket, '') AS object_bucket,
        source_key AS object_key,
        event_time,
        coalesce(source_version, '') AS object_version
    FROM orders
),

latest_uploads AS (
    SELECT object_bucket, object_key, event_time, object_version
    FROM (
        SELECT
            object_bucket,
            object_key,
            event_time,
            object_version,
            row_number() OVER (
                PARTITION BY object_bucket, object_key
                ORDER BY event_time DESC, object_version DESC
            ) AS recency
        FROM uploads
    ) AS by_recency
    WHERE recency = 1
),

latest_lines AS (
    SELECT o.order_id, o.category, o.ship_mode
    FROM orders AS o
    INNER JOIN latest_uploads AS u
        ON
            coalesce(o.source_bucket, '') = u.object_bucket
            AND o.source_key = u.object_key
            AND o.event_time = u.event_time
            AND coalesce(o.source_version, '') = u.object_version
),

ship_mode_orders AS (
    SELECT category, ship_mode, count(DISTINCT order_id) AS order_count
    FROM latest_lines
    WHERE lower(trim(ship_mode)) NOT IN ('', 'not available')
    GROUP BY category, ship_mode
),

ranked_ship_modes AS (
    SELECT
        category,
        ship_mode,
        order_count,
        max(order_count) OVER (PARTITION BY category) AS top_count
    FROM ship_mode_orders
)

SELECT category, ship_mode, order_count
FROM ranked_ship_modes
WHERE order_count = top_count
ORDER BY category, ship_mode
