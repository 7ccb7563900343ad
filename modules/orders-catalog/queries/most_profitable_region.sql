-- Region(s) with the highest total profit over every file received. A region's total is
-- the exact decimal sum of its lines, rounded once to cents (half away from zero); regions
-- are compared after that rounding and every tied winner is returned. profit is text with
-- exactly two decimals.
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
    SELECT o.region, o.profit
    FROM orders AS o
    INNER JOIN latest_uploads AS u
        ON
            coalesce(o.source_bucket, '') = u.object_bucket
            AND o.source_key = u.object_key
            AND o.event_time = u.event_time
            AND coalesce(o.source_version, '') = u.object_version
),

region_totals AS (
    SELECT region, round(sum(profit), 2) AS total
    FROM latest_lines
    GROUP BY region
),

ranked_regions AS (
    SELECT region, total, max(total) OVER () AS top_total
    FROM region_totals
)

SELECT
    region,
    cast(cast(total AS DECIMAL(38, 2)) AS VARCHAR) AS profit
FROM ranked_regions
WHERE total = top_total
ORDER BY region
