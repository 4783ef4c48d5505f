// Schema of the sandbox's demo database: a small jewelry-customizer shop shaped like the
// one the runbook was written for, so every runbook query has the columns it names.
// Written for this project; it mirrors no real Timothie & Co schema beyond those columns.

export const SCHEMA_SQL = `
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;

CREATE TABLE stores (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  city        text NOT NULL,
  state       text NOT NULL,
  is_online   boolean NOT NULL DEFAULT false,
  opened_at   date NOT NULL
);
COMMENT ON TABLE stores IS 'Where stock is held: the web shop warehouse and the boutiques.';

CREATE TABLE customers (
  id          uuid PRIMARY KEY,
  email       text NOT NULL UNIQUE,
  full_name   text NOT NULL,
  phone       text,
  city        text NOT NULL,
  state       text NOT NULL,
  marketing_opt_in boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE customers IS 'Shoppers; designs.user_id points here.';

CREATE TABLE inventory (
  id                 integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku                text NOT NULL UNIQUE,
  title              text NOT NULL,
  category           text NOT NULL CHECK (category IN ('ring','necklace','bracelet','earrings','pendant','charm','chain','gemstone','setting')),
  material           text NOT NULL,
  store_id           integer NOT NULL REFERENCES stores(id),
  store_name         text NOT NULL,
  quantity           integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),
  reserved_quantity  integer NOT NULL DEFAULT 0 CHECK (reserved_quantity >= 0),
  -- Stored rather than generated: the shop's sync jobs write it, which is how negative
  -- values (reserved > on hand) creep in. A trigger keeps it honest on every write.
  available_quantity integer NOT NULL DEFAULT 0,
  reorder_level      integer NOT NULL DEFAULT 10,
  status             text NOT NULL DEFAULT 'in_stock' CHECK (status IN ('in_stock','low_stock','out_of_stock','discontinued','preorder')),
  unit_price         numeric(10,2) NOT NULL CHECK (unit_price >= 0),
  is_active          boolean NOT NULL DEFAULT true,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE inventory IS 'Stock per item and store; status follows available_quantity.';

CREATE FUNCTION inventory_sync_availability() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.available_quantity := NEW.quantity - NEW.reserved_quantity;
  IF NEW.status NOT IN ('discontinued', 'preorder') THEN
    NEW.status := CASE
      WHEN NEW.available_quantity <= 0 THEN 'out_of_stock'
      WHEN NEW.available_quantity <= NEW.reorder_level THEN 'low_stock'
      ELSE 'in_stock'
    END;
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END
$fn$;

CREATE TRIGGER inventory_sync_availability
  BEFORE INSERT OR UPDATE OF quantity, reserved_quantity, reorder_level, status ON inventory
  FOR EACH ROW EXECUTE FUNCTION inventory_sync_availability();

CREATE TABLE designs (
  id                uuid PRIMARY KEY,
  user_id           uuid NOT NULL REFERENCES customers(id),
  name              text NOT NULL,
  base_item_id      integer REFERENCES inventory(id),
  config            jsonb NOT NULL DEFAULT '{}'::jsonb,
  preview_image_url text,
  status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','saved','ordered','archived')),
  is_public         boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE designs IS 'Pieces customers compose in the customizer.';

CREATE TABLE orders (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_number         text NOT NULL UNIQUE,
  customer_id          uuid REFERENCES customers(id),
  customer_email       text NOT NULL,
  customer_name        text NOT NULL,
  status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','processing','shipped','delivered','cancelled')),
  payment_status       text NOT NULL DEFAULT 'pending' CHECK (payment_status IN ('pending','paid','failed','refunded')),
  payment_method       text NOT NULL DEFAULT 'card',
  subtotal             numeric(10,2) NOT NULL DEFAULT 0,
  shipping_cost        numeric(10,2) NOT NULL DEFAULT 0,
  tax_amount           numeric(10,2) NOT NULL DEFAULT 0,
  total_amount         numeric(10,2) NOT NULL DEFAULT 0,
  currency             text NOT NULL DEFAULT 'USD',
  shipping_address     text NOT NULL,
  shipping_city        text NOT NULL,
  shipping_state       text NOT NULL,
  shipping_postal_code text NOT NULL,
  shipping_country     text NOT NULL DEFAULT 'US',
  tracking_number      text,
  notes                text,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  shipped_at           timestamptz,
  delivered_at         timestamptz,
  cancelled_at         timestamptz
);
COMMENT ON TABLE orders IS 'Checkout orders; status walks pending → processing → shipped → delivered.';

CREATE TABLE order_items (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id             bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  inventory_id         integer NOT NULL REFERENCES inventory(id),
  design_id            uuid REFERENCES designs(id),
  quantity             integer NOT NULL CHECK (quantity > 0),
  unit_price           numeric(10,2) NOT NULL,
  line_total           numeric(12,2) GENERATED ALWAYS AS (quantity * unit_price) STORED,
  customization        jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Which stock items the workshop consumed for this line (base piece plus add-ons).
  used_inventory_items jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at           timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE order_items IS 'Order lines; used_inventory_items lists the stock consumed.';
`;

/** Built after the data load: cheaper than maintaining them row by row. */
export const INDEX_SQL = `
CREATE INDEX idx_inventory_status_active ON inventory (status) WHERE is_active;
CREATE INDEX idx_inventory_store ON inventory (store_id);
CREATE INDEX idx_orders_status_created ON orders (status, created_at);
CREATE INDEX idx_orders_created_at ON orders (created_at);
CREATE INDEX idx_orders_customer_email ON orders (customer_email);
CREATE INDEX idx_order_items_order ON order_items (order_id);
CREATE INDEX idx_order_items_inventory ON order_items (inventory_id);
CREATE INDEX idx_designs_user ON designs (user_id);
CREATE INDEX idx_designs_created_at ON designs (created_at);
-- Nothing queries by postal code or public flag: these two are the "unused index"
-- findings the monitoring screens should surface.
CREATE INDEX idx_orders_shipping_postal_code ON orders (shipping_postal_code);
CREATE INDEX idx_designs_is_public ON designs (is_public);
`;
