// Demo rows for the sandbox, generated server-side with generate_series so thousands of
// rows load in about a second. setseed() makes the mix repeatable; dates are relative to
// now() so "today", "last 24 hours" and "older than 2 years" always have rows.

const FIRST_NAMES = [
  'Ava',
  'Liam',
  'Maya',
  'Noah',
  'Zoe',
  'Ethan',
  'Chloe',
  'Lucas',
  'Iris',
  'Mateo',
  'Nora',
  'Owen',
  'Ruby',
  'Elias',
  'Hazel',
  'Jonah',
  'Lena',
  'Caleb',
  'Sofia',
  'Felix',
  'Ivy',
  'Hugo',
  'Mila',
  'Theo',
];
const LAST_NAMES = [
  'Garcia',
  'Nguyen',
  'Patel',
  'Smith',
  'Kim',
  'Okafor',
  'Rossi',
  'Dubois',
  'Cohen',
  'Silva',
  'Larsen',
  'Moreau',
  'Tanaka',
  'Brooks',
  'Ahmed',
  'Walsh',
  'Reyes',
  'Novak',
  'Fischer',
  'Quinn',
];
const CITIES = [
  'Austin|TX',
  'Dallas|TX',
  'New York|NY',
  'Brooklyn|NY',
  'Portland|OR',
  'Seattle|WA',
  'Miami|FL',
  'Orlando|FL',
  'Chicago|IL',
  'Denver|CO',
  'Boston|MA',
  'Atlanta|GA',
  'Phoenix|AZ',
  'San Diego|CA',
  'Los Angeles|CA',
  'Nashville|TN',
  'Minneapolis|MN',
  'Raleigh|NC',
];
const CATEGORIES = ['ring', 'necklace', 'bracelet', 'earrings', 'pendant', 'charm', 'chain', 'gemstone', 'setting'];
const MATERIALS = ['14k gold', '18k gold', 'sterling silver', 'rose gold', 'platinum', 'gold vermeil'];
const STYLES = ['Solitaire', 'Halo', 'Signet', 'Stacking', 'Pavé', 'Vintage', 'Twisted', 'Minimal', 'Birthstone', 'Initial', 'Heart', 'Moon'];

function sqlArray(values: string[]): string {
  return `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`;
}

/** Sizes chosen to keep the seed well under a few seconds on a laptop. */
export const SEED_COUNTS = { customers: 1500, inventory: 400, orders: 9000, designs: 6000 } as const;

export const DATA_SQL = `
SELECT setseed(0.4242);

INSERT INTO stores (name, city, state, is_online, opened_at) VALUES
  ('Timothie & Co Online', 'Austin', 'TX', true, DATE '2019-03-01'),
  ('Timothie & Co SoHo', 'New York', 'NY', false, DATE '2020-09-15'),
  ('Timothie & Co Pearl District', 'Portland', 'OR', false, DATE '2021-05-08'),
  ('Timothie & Co Wynwood', 'Miami', 'FL', false, DATE '2022-11-19');

INSERT INTO customers (id, email, full_name, phone, city, state, marketing_opt_in, created_at)
SELECT md5('tc-customer-' || i)::uuid,
       lower(f) || '.' || lower(l) || i || '@example.com',
       f || ' ' || l,
       '555-' || lpad(((i * 7919) % 10000)::text, 4, '0'),
       split_part(c, '|', 1), split_part(c, '|', 2),
       i % 3 = 0,
       now() - interval '920 days' * random()
FROM (
  SELECT i,
         (${sqlArray(FIRST_NAMES)})[1 + i % ${FIRST_NAMES.length}] AS f,
         (${sqlArray(LAST_NAMES)})[1 + (i / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}] AS l,
         (${sqlArray(CITIES)})[1 + (i * 13) % ${CITIES.length}] AS c
  FROM generate_series(1, ${SEED_COUNTS.customers}) AS i
) AS people;

INSERT INTO inventory (sku, title, category, material, store_id, store_name, quantity, reserved_quantity, reorder_level, status, unit_price, is_active, created_at)
SELECT 'TC-' || upper(left(cat, 3)) || '-' || lpad(i::text, 4, '0'),
       style || ' ' || initcap(cat) || ' in ' || mat,
       cat, mat, s.id, s.name,
       CASE
         WHEN i IN (17, 142, 288) THEN 2                 -- oversold: reserved > on hand
         WHEN i % 71 = 3 THEN 0                          -- sold out
         WHEN i % 53 = 7 THEN 3 + i % 6                  -- running low
         ELSE 20 + floor(random() * 180)::int
       END,
       CASE WHEN i IN (17, 142, 288) THEN 5 WHEN i % 71 = 3 OR i % 53 = 7 THEN 0 ELSE floor(random() * 8)::int END,
       10,
       CASE WHEN i % 97 = 0 THEN 'discontinued' WHEN i % 89 = 5 THEN 'preorder' ELSE 'in_stock' END,
       round((CASE cat WHEN 'gemstone' THEN 120 WHEN 'ring' THEN 90 WHEN 'necklace' THEN 70 ELSE 25 END
              * (1 + random() * 4))::numeric, 2),
       NOT (i % 97 = 0 OR i % 61 = 11),
       now() - interval '900 days' * random()
FROM (
  SELECT i,
         (${sqlArray(CATEGORIES)})[1 + i % ${CATEGORIES.length}] AS cat,
         (${sqlArray(MATERIALS)})[1 + (i / ${CATEGORIES.length}) % ${MATERIALS.length}] AS mat,
         (${sqlArray(STYLES)})[1 + (i * 5) % ${STYLES.length}] AS style,
         1 + i % 4 AS store_id
  FROM generate_series(1, ${SEED_COUNTS.inventory}) AS i
) AS items
JOIN stores s ON s.id = items.store_id
ORDER BY i;

-- Orders: a business that grows (more recent orders), with status by age.
CREATE TEMP TABLE seed_orders ON COMMIT DROP AS
SELECT i,
       created_at,
       r_status, r_pay, r_ship, r_deliver,
       1 + floor(r_customer * ${SEED_COUNTS.customers})::int AS customer_no,
       now() - created_at AS age
FROM (
  SELECT i,
         CASE WHEN i <= 24
              THEN date_trunc('day', now()) + (now() - date_trunc('day', now())) * random()
              ELSE now() - interval '880 days' * power(random(), 1.25) - interval '2 minutes'
         END AS created_at,
         random() AS r_status, random() AS r_pay, random() AS r_ship, random() AS r_deliver, random() AS r_customer
  FROM generate_series(1, ${SEED_COUNTS.orders}) AS i
  OFFSET 0
) AS raw;

INSERT INTO orders (order_number, customer_id, customer_email, customer_name, status, payment_status, payment_method,
                    shipping_address, shipping_city, shipping_state, shipping_postal_code, tracking_number,
                    created_at, updated_at, shipped_at, delivered_at, cancelled_at, notes)
SELECT 'TC-' || to_char(o.created_at, 'YYYY') || '-' || lpad(row_number() OVER (ORDER BY o.created_at, o.i)::text, 6, '0'),
       c.id, c.email, c.full_name, st.status,
       CASE
         WHEN st.status = 'cancelled' THEN CASE WHEN o.r_pay < 0.7 THEN 'refunded' ELSE 'failed' END
         WHEN st.status = 'pending' THEN CASE WHEN o.r_pay < 0.6 THEN 'paid' WHEN o.r_pay < 0.9 THEN 'pending' ELSE 'failed' END
         ELSE 'paid'
       END,
       CASE WHEN o.r_pay < 0.75 THEN 'card' WHEN o.r_pay < 0.92 THEN 'paypal' ELSE 'apple_pay' END,
       (100 + (o.i * 37) % 9800)::text || ' ' || (${sqlArray(['Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Elm St', 'Park Blvd'])})[1 + o.i % 6],
       c.city, c.state, lpad(((o.i * 7331) % 99999)::text, 5, '0'),
       CASE WHEN st.status IN ('shipped', 'delivered') THEN '1Z' || upper(substr(md5('track' || o.i), 1, 16)) END,
       o.created_at,
       GREATEST(o.created_at, COALESCE(st.delivered_at, st.shipped_at, o.created_at)),
       st.shipped_at, st.delivered_at,
       CASE WHEN st.status = 'cancelled' THEN LEAST(now(), o.created_at + interval '6 hours' * (1 + o.r_ship)) END,
       CASE WHEN o.i % 41 = 0 THEN 'Gift wrap requested' WHEN o.i % 67 = 0 THEN 'Engraving: "always"' END
FROM seed_orders o
JOIN customers c ON c.id = md5('tc-customer-' || o.customer_no)::uuid
CROSS JOIN LATERAL (
  SELECT s.status,
         CASE WHEN s.status IN ('shipped', 'delivered')
              THEN LEAST(now() - interval '1 minute', o.created_at + interval '1 day' * (0.5 + 2 * o.r_ship)) END AS shipped_at,
         CASE WHEN s.status = 'delivered'
              THEN LEAST(now(), o.created_at + interval '1 day' * (3.5 + 2 * o.r_ship + 5 * o.r_deliver)) END AS delivered_at
  FROM (SELECT CASE
          WHEN o.age > interval '21 days' THEN CASE WHEN o.r_status < 0.06 THEN 'cancelled' ELSE 'delivered' END
          WHEN o.age > interval '7 days' THEN CASE WHEN o.r_status < 0.05 THEN 'cancelled' WHEN o.r_status < 0.25 THEN 'shipped' ELSE 'delivered' END
          WHEN o.age > interval '2 days' THEN CASE WHEN o.r_status < 0.05 THEN 'cancelled' WHEN o.r_status < 0.10 THEN 'pending'
                                                 WHEN o.r_status < 0.25 THEN 'processing' WHEN o.r_status < 0.75 THEN 'shipped' ELSE 'delivered' END
          ELSE CASE WHEN o.r_status < 0.08 THEN 'cancelled' WHEN o.r_status < 0.45 THEN 'pending'
                    WHEN o.r_status < 0.85 THEN 'processing' ELSE 'shipped' END
        END AS status) AS s
) AS st
ORDER BY o.created_at, o.i;

-- A few parcels left the workshop today, whatever the random mix gave.
UPDATE orders SET shipped_at = date_trunc('day', now()) + (now() - date_trunc('day', now())) * 0.5
WHERE id IN (SELECT id FROM orders WHERE status = 'shipped' AND created_at < date_trunc('day', now()) ORDER BY created_at DESC LIMIT 6);

-- Designs: steady history plus a busy last day (some of it today).
INSERT INTO designs (id, user_id, name, base_item_id, config, preview_image_url, status, is_public, created_at, updated_at)
SELECT md5('tc-design-' || i)::uuid,
       md5('tc-customer-' || (1 + floor(random() * ${SEED_COUNTS.customers})::int))::uuid,
       'Design #' || i,
       1 + (i * 7) % ${SEED_COUNTS.inventory},
       jsonb_build_object('engraving', CASE WHEN i % 5 = 0 THEN 'initials' END, 'stones', i % 4, 'finish', (ARRAY['polished','matte','hammered'])[1 + i % 3]),
       'https://images.example.com/designs/' || md5('tc-design-' || i) || '.png',
       (ARRAY['draft','saved','ordered','archived'])[1 + floor(random() * 4)::int],
       i % 9 = 0,
       t, t
FROM (
  SELECT i,
         CASE
           WHEN i <= 40 THEN date_trunc('day', now()) + (now() - date_trunc('day', now())) * random()
           WHEN i <= 90 THEN now() - interval '23 hours' * random()
           ELSE now() - interval '850 days' * power(random(), 1.5) - interval '1 day'
         END AS t
  FROM generate_series(1, ${SEED_COUNTS.designs}) AS i
  OFFSET 0
) AS d;

INSERT INTO order_items (order_id, inventory_id, design_id, quantity, unit_price, customization, used_inventory_items, created_at)
SELECT x.order_id, inv.id,
       CASE WHEN x.r_design < 0.3 THEN md5('tc-design-' || (1 + (x.order_id * 17 + x.line) % ${SEED_COUNTS.designs}))::uuid END,
       x.qty, inv.unit_price,
       jsonb_build_object('size', CASE WHEN inv.category = 'ring' THEN (5 + x.line + x.order_id % 5)::text END, 'gift', x.order_id % 41 = 0),
       CASE WHEN x.r_addon < 0.4
            THEN jsonb_build_array(jsonb_build_object('inventory_id', inv.id, 'sku', inv.sku, 'quantity', x.qty),
                                   jsonb_build_object('inventory_id', addon.id, 'sku', addon.sku, 'quantity', 1))
            ELSE jsonb_build_array(jsonb_build_object('inventory_id', inv.id, 'sku', inv.sku, 'quantity', x.qty))
       END,
       x.created_at
FROM (
  SELECT o.id AS order_id, o.created_at, g AS line,
         1 + floor(random() * ${SEED_COUNTS.inventory})::int AS inv_no,
         1 + floor(power(random(), 3) * 3)::int AS qty,
         random() AS r_addon, random() AS r_design
  FROM orders o CROSS JOIN LATERAL generate_series(1, 1 + (o.id % 3)::int) AS g
  OFFSET 0
) AS x
JOIN inventory inv ON inv.id = x.inv_no
JOIN inventory addon ON addon.id = 1 + (x.inv_no * 31) % ${SEED_COUNTS.inventory};

UPDATE orders o
SET subtotal = s.subtotal,
    shipping_cost = CASE WHEN s.subtotal >= 150 THEN 0 ELSE 9.95 END,
    tax_amount = round(s.subtotal * 0.0825, 2),
    total_amount = s.subtotal + CASE WHEN s.subtotal >= 150 THEN 0 ELSE 9.95 END + round(s.subtotal * 0.0825, 2)
FROM (SELECT order_id, sum(line_total) AS subtotal FROM order_items GROUP BY order_id) AS s
WHERE s.order_id = o.id;
`;
